"""Tönnis grade from radiographic findings: the highest grade any finding belongs to."""

from __future__ import annotations

from typing import Any

from dxcli.errors import InvalidInput, NotFound
from dxcli.names import norm, suggest


def findings_index(grading: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any]]]:
    index: dict[str, tuple[int, dict[str, Any]]] = {}
    for g in grading["grades"]:
        for f in g["findings"]:
            for n in [f["id"], f["description"], *f.get("aliases", [])]:
                index.setdefault(norm(n), (g["grade"], f))
    return index


def grade_table(grading: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "grade": g["grade"],
            "label": g["label"],
            "findings": [{"id": f["id"], "description": f["description"]} for f in g["findings"]],
            "notes": [n["text"] for n in g.get("notes", [])],
            "source": g["source"],
        }
        for g in grading["grades"]
    ]


def grade(grading: dict[str, Any], findings: list[str]) -> dict[str, Any]:
    if not findings:
        raise InvalidInput("no findings given", hint="list the finding ids with 'dxcli tonnis'")
    index = findings_index(grading)
    matched: list[dict[str, Any]] = []
    extra_notes: list[str] = []
    for text in findings:
        hit = index.get(norm(text))
        if hit is None:
            pool = [f for g in grading["grades"] for f in g["findings"]]
            raise NotFound(f"no Tönnis finding matches {text!r}", hint=suggest(pool, text, "tonnis"))
        g, f = hit
        if all(m["id"] != f["id"] for m in matched):
            matched.append({"id": f["id"], "description": f["description"], "grade": g})
            extra_notes += [n["text"] for n in f.get("notes", [])]
    lowest = min(gr["grade"] for gr in grading["grades"])
    none_found = [m["id"] for m in matched if m["grade"] == lowest]
    if none_found and len(matched) > len(none_found):
        graded = [m["id"] for m in matched if m["grade"] != lowest]
        raise InvalidInput(
            f"contradictory findings: {', '.join(none_found)} (grade {lowest}) with {', '.join(graded)}",
            hint="give either the grade-0 finding or the findings seen on the radiograph, not both",
        )
    by_feature: dict[str, list[dict[str, Any]]] = {}
    for m in matched:
        feature = index[norm(m["id"])][1].get("feature")
        if feature:
            by_feature.setdefault(feature, []).append(m)
    two = {k: v for k, v in by_feature.items() if len(v) > 1}
    if two:
        what = "; ".join(f"{k.replace('-', ' ')}: " + ", ".join(f"{m['id']} (grade {m['grade']})" for m in v) for k, v in two.items())
        raise InvalidInput(
            f"two severities of one feature: {what}",
            hint="a hip has one severity of each feature: give the one seen on the radiograph",
        )
    top = max(m["grade"] for m in matched)
    gr = next(g for g in grading["grades"] if g["grade"] == top)
    notes = [n["text"] for n in grading.get("notes", [])]
    for g in grading["grades"]:
        if any(m["grade"] == g["grade"] for m in matched):
            notes += [n["text"] for n in g.get("notes", [])]
    notes += extra_notes
    return {
        "grade": top,
        "label": gr["label"],
        "findings": matched,
        "rule": "the grade is the highest grade that any given finding belongs to",
        "notes": notes,
        "source": grading["source"],
    }
