"""Names: normalise and suggest. The ground floor: every layer imports it, it imports no layer."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from dxcli.errors import InvalidInput

_NON_WORD = re.compile(r"[^a-z0-9]+")


def norm(text: str) -> str:
    """Fold case, accents, apostrophes, hyphens and spacing: "Patrick's" -> "patricks"."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.lower()
    text = text.replace("'", "").replace("\u2019", "")
    return _NON_WORD.sub(" ", text).strip()


def names_of(rec: dict[str, Any]) -> list[str]:
    out = [rec["id"]]
    for k in ("name", "label"):
        if rec.get(k):
            out.append(rec[k])
    out.extend(rec.get("aliases", []))
    return out


def check_query(query: str, what: str) -> str:
    if not query or not query.strip():
        raise InvalidInput(f"empty {what} name", hint=f"give a {what} name, e.g. 'dxcli {what} --help'")
    if len(query) > 200:
        raise InvalidInput(f"{what} name is too long ({len(query)} characters)", hint="use at most 200 characters")
    if not norm(query):
        raise InvalidInput(f"{what} name {query!r} has no letters or digits", hint=f"give a {what} name or id")
    return query


def suggest(recs: Iterable[dict[str, Any]], query: str, what: str) -> str:
    import difflib

    names: dict[str, str] = {}
    for r in recs:
        for n in names_of(r):
            names.setdefault(norm(n), r["id"])
    close = difflib.get_close_matches(norm(query), list(names), n=5, cutoff=0.55)
    ids: list[str] = []
    for c in close:
        if names[c] not in ids:
            ids.append(names[c])
    if ids:
        return "did you mean " + ", ".join(repr(i) for i in ids[:3]) + "?"
    return f"list them with 'dxcli {what}'" if what else "see 'dxcli --help'"
