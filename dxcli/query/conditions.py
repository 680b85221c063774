"""Conditions and the presenting complaints that list them."""

from __future__ import annotations

from typing import Any, Optional

from dxcli.query.lookup import find_record, pick
from dxcli.reference import loader

DEEP_DIVE_SECTIONS = ("epidemiology", "pathophysiology", "clinical_findings", "diagnostic_testing", "treatment")


def complaints() -> list[dict[str, Any]]:
    return [
        {
            "id": c["id"],
            "name": c["name"],
            "conditions": len(c["conditions"]),
            "description": c["description"],
            "source": c["source"],
        }
        for c in loader.records("complaint")
    ]


def find_condition(name: str) -> dict[str, Any]:
    return find_record("condition", name, "condition")


TABLE_FIELDS = ("presentation", "diagnosis", "pearls", "icd10cm")


def summary(c: dict[str, Any]) -> dict[str, Any]:
    """A condition as a row of the differential: the contract keys, in a stable order."""
    return {
        **pick(c, "id", "name", "presentation", "diagnosis", "pearls", "icd10cm"),
        "deep_dive": c.get("deep_dive") is not None,
        "source": c["source"],
        # the notes on what the row shows (a primary source that disagrees with a figure): they
        # travel with the figure
        "notes": [n for n in c.get("notes", []) if n.get("field") in TABLE_FIELDS] + icd_notes(c),
    }


def icd_notes(c: dict[str, Any]) -> list[dict[str, Any]]:
    """The rule for choosing among codes the code set forbids together, as a note on icd10cm."""
    alts = c.get("icd10cm_alternatives") or []
    if not alts:
        return []
    text = "Alternatives, never coded together: " + "; ".join(f"{'/'.join(a['codes'])} {a['when']}" for a in alts) + "."
    return [{"kind": "rule", "field": "icd10cm", "text": text}]


def differential(complaint: str) -> list[dict[str, Any]]:
    comp = find_record("complaint", complaint, "complaint")
    conds = loader.by_ids("condition", comp["conditions"])
    return [summary(conds[cid]) for cid in comp["conditions"]]  # the review's table order, not a ranking


def links(cid: str) -> dict[str, list[str]]:
    """Cross-links of a condition: the maneuvers, tests and red flags that name it."""
    return {key: [r["id"] for r in loader.referring(kind, "condition", cid)]
            for kind, key in (("maneuver", "maneuvers"), ("test", "tests"), ("red_flag", "red_flags"))}


def detail(name: str) -> dict[str, Any]:
    """One condition in full: Table 2 items, deep-dive sections, figures, notes and cross-links."""
    c = find_condition(name)
    row = summary(c)
    row["aliases"] = c.get("aliases", [])
    dd = c.get("deep_dive") or {}
    for sec in DEEP_DIVE_SECTIONS:
        row[sec] = [s["text"] + _refs(s) for s in dd.get(sec, [])]
    row["figures"] = [_figure(f) for f in c.get("figures", [])]
    row["notes"] = c.get("notes", []) + icd_notes(c)
    row["icd10cm_alternatives"] = c.get("icd10cm_alternatives") or []
    row.update(links(c["id"]))
    if c.get("deep_dive_source"):
        row["deep_dive_source"] = c["deep_dive_source"]
    return row


def _refs(s: dict[str, Any]) -> str:
    refs = s.get("refs") or []
    return f" [ref {', '.join(str(r) for r in refs)}]" if refs else ""


def _figure(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": f["id"],
        "kind": f["kind"],
        "description": f["description"],
        "value": f.get("value"),
        "range": f.get("range"),
        "unit": f.get("unit", "proportion"),
        "timepoint": f.get("timepoint"),
        "source": f["source"],
        "notes": f.get("notes", []),
    }


def conditions() -> list[dict[str, Any]]:
    """Every condition, in the data's order: id, name and ICD-10-CM codes."""
    return [{"id": c["id"], "name": c["name"], "icd10cm": c.get("icd10cm", [])} for c in loader.records("condition")]


def condition_record(cid: str) -> dict[str, Any]:
    """A condition's record by its exact id."""
    return loader.by_ids("condition", [cid])[cid]


def names(kind: str) -> dict[str, str]:
    """Each record's name by its id, for a kind (pages say records in words)."""
    return {i: r["name"] for i, r in loader.by_id(kind).items()}


def condition_name(cid: Optional[str]) -> Optional[str]:
    """A condition's name by its id (None for none or an unknown id)."""
    c = loader.by_id("condition").get(cid or "")
    return c["name"] if c else None
