"""Find records by id, name or alias, case-insensitively, with suggestions for typos.

A lookup also takes a name that completes to exactly one record ("gluteus medius" ->
gluteus-medius-tendinopathy) and says on stderr which record it took. Where a number is
computed from the record (a post-test probability, a ranking, a case file), ``exact=True``
accepts only an id, a name or an alias, so that a prefix can never pick the wrong figure.
"""

from __future__ import annotations

from typing import Any, Iterable

from dxcli.errors import Ambiguous, NotFound
from dxcli.names import check_query, names_of, norm, suggest

__all__ = ["NotExact", "check_query", "find", "find_record", "names_of", "norm", "pick", "suggest"]


def find_record(kind: str, query: str, what: str, *, exact: bool = False) -> dict[str, Any]:
    """``find`` over one kind of reference record (bundled and packs), decoding only the
    record found when the query is an id, a name or an alias; other queries (and
    suggestions) read them all."""
    from dxcli.reference import loader

    check_query(query, what)
    hit = loader.record_named(kind, query.strip().lower(), norm(query))
    return hit if hit is not None else find(loader.records(kind), query, what, exact=exact)


def find(records: Iterable[dict[str, Any]], query: str, what: str, *, exact: bool = False) -> dict[str, Any]:
    """The record whose id, name or alias matches ``query``; with ``exact`` false, also the one
    record a name differs from only by a trailing word ("modified bent knee test") or the one
    record whose name the query begins ("gluteus medius"). NotFound with suggestions otherwise."""
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
    tails = [r for r in recs if any(_word_match(q, norm(n)) for n in names_of(r))]
    starts = completions(recs, q)
    single = tails if len(tails) == 1 else starts if len(starts) == 1 else []
    if single and not exact:
        rec = single[0]
        label = rec.get("name") or rec.get("label")
        from dxcli.errors import tell

        tell(f"{query.strip()!r} taken as {what} {rec['id']}"
             + (f" ({label})" if label and norm(label) != norm(rec["id"]) else "")
             + f", the one {what} whose name it begins")
        return rec
    if single:
        raise NotExact(
            f"no {what} has the exact id, name or alias {query!r}",
            hint=f"did you mean {single[0]['id']!r}? a number is computed here, so give it exactly",
        )
    if len(starts) > 1:
        shown = ", ".join(repr(r["id"]) for r in starts[:6]) + (", ..." if len(starts) > 6 else "")
        raise Ambiguous(
            f"{query.strip()!r} begins the names of {len(starts)} {what} records: {shown}",
            hint="give more of the name, or an id",
        )
    raise NotFound(f"no {what} matches {query!r}", hint=suggest(recs, query, what))


def pick(rec: dict[str, Any], *keys: str) -> dict[str, Any]:
    """``rec``'s values of ``keys`` (each a key the record's schema requires), in that order:
    the part of a record that a row shows as it is."""
    return {k: rec[k] for k in keys}


class NotExact(NotFound):
    """A name that would complete to one record, where only an exact name is accepted."""


def completions(recs: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    """The records with a name whose words begin with the words of ``q`` (normalised), in
    order from the first: "glut med" begins "gluteus medius tendinopathy". Each word of ``q``
    is a whole word of the name or at least three letters of it: "L" or "gl" completes
    nothing."""
    words = q.split()
    if not words:
        return []
    out = []
    for rec in recs:
        for n in names_of(rec):
            nw = norm(n).split()
            if len(nw) >= len(words) and all(a == b or (len(b) >= 3 and a.startswith(b)) for a, b in zip(nw, words)):
                out.append(rec)
                break
    return out


def _word_match(q: str, name: str) -> bool:
    """``q`` and ``name`` differ only by a trailing 'test'/'sign'/'nerve'/'muscle' word."""
    tails = (" test", " sign", " nerve", " muscle", " syndrome")
    for t in tails:
        if q + t == name or name + t == q:
            return True
    return False


