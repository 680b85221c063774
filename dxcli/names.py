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
        listing = LIST_COMMANDS.get(what, f"dxcli {what}")
        raise InvalidInput(f"empty {what} {'text' if what == 'search' else 'name'}",
                           hint=f"list them with '{listing}'" if listing else "give the words to look for")
    if len(query) > 200:
        raise InvalidInput(f"{what} name is too long ({len(query)} characters)", hint="use at most 200 characters")
    if not norm(query):
        raise InvalidInput(f"{what} name {query!r} has no letters or digits", hint="give a name or an id")
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
    look = f"or look for it with 'dxcli search {_shell_word(query)}'"
    if ids:
        return "did you mean " + ", ".join(repr(i) for i in ids[:3]) + "? " + look
    listing = LIST_COMMANDS.get(what, f"dxcli {what}" if what else None)
    if listing is None:
        return look[3:]
    return f"list them with '{listing}', {look}"


# The command that lists each kind of thing a name is looked up among (every one exits 0).
LIST_COMMANDS: dict[str, str | None] = {
    "complaint": "dxcli differential",
    "red flag": "dxcli redflags",
    "structure": "dxcli anatomy",
    "citation": "dxcli sources",
    "case": "dxcli case --help",
    "search": None,
    "innervation": "dxcli innervation",
    "tonnis": "dxcli tonnis",
    "reference schema": "dxcli reference schema --help",
    "help": "dxcli help",
}


def _shell_word(text: str) -> str:
    """``text`` as one shell word a person can paste (quoted where it needs to be)."""
    import shlex

    word = " ".join(text.split())[:60]
    if not word:
        return "TEXT"
    if shlex.quote(word) != word and not any(c in word for c in '"$`\\!'):
        return f'"{word}"'  # double quotes, so that the hint can stand inside single ones
    return shlex.quote(word)
