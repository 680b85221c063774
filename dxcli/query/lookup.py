"""Find records by id, name or alias, case-insensitively, with suggestions for typos."""

from __future__ import annotations

from typing import Any, Iterable

from dxcli.errors import NotFound
from dxcli.names import check_query, names_of, norm, suggest

__all__ = ["check_query", "find", "find_record", "names_of", "norm", "suggest"]


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


