"""Anatomy: structures, muscles, nerves, and innervation in every direction."""

from __future__ import annotations

import re
from typing import Any, Optional

from dxcli.errors import InvalidInput, NotFound
from dxcli.query.lookup import check_query, find, find_record, norm, pick, suggest
from dxcli.reference import loader

ROOT = re.compile(r"^\s*([LlSs])\s*([1-5])\s*$")


def structures() -> list[dict[str, Any]]:
    return [
        {
            "id": s["id"],
            "name": s["name"],
            "kind": s["kind"],
            "description": s["description"],
            "proximal_attachment": s.get("proximal_attachment"),
            "distal_attachment": s.get("distal_attachment"),
            "function": s.get("function"),
            "part_of": s.get("part_of"),
            "source": s["source"],
            "notes": s.get("notes", []),
        }
        for s in loader.records("structure")
    ]


def anatomy(name: Optional[str] = None) -> list[dict[str, Any]] | dict[str, Any]:
    """``dxcli anatomy``: every structure, or one by id, name or alias."""
    return structures() if name is None else structure(name)


def structure(name: str) -> dict[str, Any]:
    s = find_record("structure", name, "anatomy")
    return next(r for r in structures() if r["id"] == s["id"])


def _nerve_name(nid: Optional[str]) -> Optional[str]:
    return loader.by_id("nerve")[nid]["name"] if nid else None


def muscle_row(m: dict[str, Any]) -> dict[str, Any]:
    return {
        **pick(m, "id", "name", "group", "origin", "insertion", "actions"),
        "nerve": m.get("nerve"),
        "nerve_name": _nerve_name(m.get("nerve")),
        "roots": m["roots"],
        "source": m["source"],
        "notes": m.get("notes", []),
    }


def muscles(name: Optional[str] = None) -> list[dict[str, Any]] | dict[str, Any]:
    """Every muscle; one muscle by id, name or alias; or, for a group's name ("hamstring",
    "hamstrings"), the muscles of that group as the data groups them."""
    if name is None:
        return [muscle_row(m) for m in loader.records("muscle")]
    try:
        return muscle_row(find_record("muscle", name, "muscle"))
    except NotFound:
        q = norm(name)
        group = [m for m in loader.records("muscle") if q in (norm(m["group"]), norm(m["group"]) + "s")]
        if not group:
            raise
        return [muscle_row(m) for m in group]


def nerve_row(n: dict[str, Any]) -> dict[str, Any]:
    supplied = [m["id"] for m in loader.records("muscle") if m.get("nerve") == n["id"]]
    return {
        "id": n["id"],
        "name": n["name"],
        "roots": n["roots"],
        "plexus": n["plexus"],
        "course": n.get("course"),
        "muscles": supplied,
        "source": n["source"],
        "notes": n.get("notes", []),
    }


def nerves(name: Optional[str] = None) -> list[dict[str, Any]] | dict[str, Any]:
    if name is None:
        return [nerve_row(n) for n in loader.records("nerve")]
    return nerve_row(find_record("nerve", name, "nerve"))


def _innervation_row(m: dict[str, Any], via: str) -> dict[str, Any]:
    return {
        "id": m["id"],
        "name": m["name"],
        "nerve": m.get("nerve"),
        "nerve_name": _nerve_name(m.get("nerve")),
        "roots": m["roots"],
        "query": via,
        "source": m["source"],
    }


def innervation(query: Optional[str] = None) -> list[dict[str, Any]]:
    """A root (L5) gives its muscles and the nerve of each; a nerve its muscles; a muscle its
    nerve; no query, every muscle with its nerve and roots, in the data's order."""
    if query is None:
        return [_innervation_row(mu, f"muscle {mu['id']}") for mu in loader.records("muscle")]
    check_query(query, "innervation")
    muscles_ = loader.records("muscle")
    m = ROOT.match(query)
    if m:
        root = (m.group(1) + m.group(2)).upper()
        rows = [_innervation_row(mu, f"root {root}") for mu in muscles_ if root in mu["roots"]]
        if not rows:
            raise NotFound(
                f"no muscle in the reference is supplied by root {root}",
                hint="roots in the data: " + ", ".join(_all_roots()),
            )
        return rows
    bare = query.strip().upper()
    if bare in ("L", "S"):  # a root typed without its number: the roots to choose from
        roots = [r for r in _all_roots() if r[0] == bare]
        raise InvalidInput(
            f"{query.strip()!r} is a root without its number",
            hint=f"the {'lumbar' if bare == 'L' else 'sacral'} roots that supply a muscle in the data: " + ", ".join(roots)
            + f"; e.g. 'dxcli innervation {roots[0] if roots else bare + '1'}'",
        )
    q = norm(query)
    for n in loader.records("nerve"):
        names = [n["id"], n["name"], *n.get("aliases", [])]
        if any(norm(x) == q for x in names) or norm(n["name"]) == q + " nerve":
            rows = [_innervation_row(mu, f"nerve {n['id']}") for mu in muscles_ if mu.get("nerve") == n["id"]]
            if not rows:
                also = n.get("see_also") or []
                raise NotFound(
                    n.get("see_also_reason") or f"the review names no muscle supplied by the {n['name']}",
                    hint=(f"see 'dxcli innervation {also[0]}'" + "".join(f", 'dxcli innervation {x}'" for x in also[1:]) + ", and " if also else "see ")
                    + f"'dxcli nerve {n['id']}' for its roots and course",
                )
            return rows
    try:
        mu = find(muscles_, query, "muscle")
    except NotFound:
        pool = list(muscles_) + list(loader.records("nerve"))
        raise NotFound(
            f"{query!r} is not a root (L1-S5), a nerve or a muscle in the reference",
            hint=suggest(pool, query, "innervation"),
        ) from None
    return [_innervation_row(mu, f"muscle {mu['id']}")]


def _all_roots() -> list[str]:
    roots = {r for mu in loader.records("muscle") for r in mu["roots"]}
    return sorted(roots, key=lambda r: (r[0] != "L", int(r[1])))
