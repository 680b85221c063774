"""Find records by id, name or alias, case-insensitively, with suggestions for typos."""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Iterable

from dxcli.errors import InvalidInput, NotFound

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


def find_record(kind: str, query: str, what: str) -> dict[str, Any]:
    """``find`` over one kind of reference record, decoding only the record found when the
    query is an id, a name or an alias; other queries (and suggestions) read them all."""
    from dxcli.reference import loader

    check_query(query, what)
    hit = loader.record_named(kind, query.strip().lower(), norm(query))
    return hit if hit is not None else find(loader.records(kind), query, what)


def find(records: Iterable[dict[str, Any]], query: str, what: str) -> dict[str, Any]:
    """The record whose id, name or alias matches ``query``; NotFound with suggestions otherwise."""
    check_query(query, what)
    recs = list(records)
    key = query.strip().lower()
    for rec in recs:  # the common case, an exact id, without normalising every name
        if rec["id"] == key:
            return rec
    q = norm(query)
    for rec in recs:
        if any(norm(n) == q for n in names_of(rec)):
            return rec
    # a query that is a whole-word prefix of exactly one name ("modified bent knee test")
    partial = [r for r in recs if any(_word_match(q, norm(n)) for n in names_of(r))]
    if len(partial) == 1:
        return partial[0]
    raise NotFound(f"no {what} matches {query!r}", hint=suggest(recs, query, what))


def _word_match(q: str, name: str) -> bool:
    """``q`` and ``name`` differ only by a trailing 'test'/'sign'/'nerve'/'muscle' word."""
    tails = (" test", " sign", " nerve", " muscle", " syndrome")
    for t in tails:
        if q + t == name or name + t == q:
            return True
    return False


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
