"""Reasoning over a patient's findings: a ranked differential that shows its work.

Each finding in ``reference/findings.toml`` links to the conditions it supports or
argues against, quoting the review's statement behind the link. For one patient:

- a finding given as present counts its links as they are;
- a finding given as absent counts its "supports" links as arguing against (the
  review expects that finding with the condition) and its "against" links not at all;
  a maneuver or test result given as absent counts as the opposite result;
- a finding not given is unknown and counts neither way.

The ranking is ordinal: statements for, minus statements against. Where a finding is
a maneuver or test result with a stated sensitivity and specificity, its likelihood
ratio is computed and shown, and the product of a condition's likelihood ratios breaks
ties. No probability is computed: the review gives no prevalence for its differential.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional

from dxcli.calc.likelihood import lr_negative, lr_positive
from dxcli.errors import InvalidInput
from dxcli.query.accuracy import _box, _r, rows_for_condition, strength
from dxcli.query.lookup import find_record, norm, suggest
from dxcli.reference import loader

BASIS = (
    "ordinal: statements of the review for, minus statements against; likelihood ratios "
    "(where a finding is a maneuver result with stated accuracy) are shown and break ties; "
    "no probability is given, because the review states no prevalence for this differential"
)


def finding_index() -> dict[str, dict[str, Any]]:
    index: dict[str, dict[str, Any]] = {}
    for f in loader.records("finding"):
        for n in [f["id"], f["name"], *f.get("aliases", [])]:
            index.setdefault(norm(n), f)
    return index


def resolve_findings(names: Iterable[str], what: str) -> list[dict[str, Any]]:
    index = finding_index()
    out: list[dict[str, Any]] = []
    for n in names:
        if not n or not n.strip():
            raise InvalidInput(f"empty {what} finding", hint="list finding ids with 'dxcli finding'")
        f = index.get(norm(n))
        if f is None:
            raise InvalidInput(
                f"unknown {what} finding {n!r}",
                hint=suggest(loader.records("finding"), n, "finding"),
            )
        if f not in out:
            out.append(f)
    return out


def _opposite(f: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The finding for the opposite result of the same maneuver or test, if the vocabulary has it."""
    key = "maneuver" if f.get("maneuver") else "test" if f.get("test") else None
    if key is None or f.get("result") not in ("positive", "negative"):
        return None
    want = "negative" if f["result"] == "positive" else "positive"
    for g in loader.records("finding"):
        if g.get(key) == f[key] and g.get("result") == want:
            return g
    return None


def _lr(f: dict[str, Any], condition: str) -> Optional[float]:
    """The likelihood ratio of a maneuver/test result for ``condition``, from stated point accuracy."""
    kind = "maneuver" if f.get("maneuver") else "test" if f.get("test") else None
    if kind is None or f.get("result") not in ("positive", "negative"):
        return None
    rec = loader.by_id(kind).get(f[kind])
    if rec is None:
        return None
    for ev in rec["evidence"]:
        if ev["condition"] != condition:
            continue
        sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
        if sens and spec and sens[0] == sens[1] and spec[0] == spec[1]:
            fn = lr_positive if f["result"] == "positive" else lr_negative
            return fn(sens[0], spec[0])
    return None


def _item(f: dict[str, Any], link: dict[str, Any], status: str, lr: Optional[float]) -> dict[str, Any]:
    return {
        "finding": f["id"],
        "status": status,
        "statement": link["statement"],
        "effect": link["effect"],
        "lr": _r(lr),
        "source": link["source"],
    }


def rank(
    complaint: str,
    present: Iterable[str] = (),
    absent: Iterable[str] = (),
) -> dict[str, Any]:
    """The ranked differential for a complaint given present and absent findings."""
    comp = find_record("complaint", complaint, "complaint")
    pres = resolve_findings(present, "present")
    abse = resolve_findings(absent, "absent")
    both = [f["id"] for f in pres if f in abse]
    if both:
        raise InvalidInput(
            f"finding(s) given as both present and absent: {', '.join(both)}",
            hint="give each finding once, with --finding or with --absent",
        )
    results: dict[str, set[str]] = {}
    for f in pres:
        key = f.get("maneuver") or f.get("test")
        if key and f.get("result"):
            results.setdefault(key, set()).add(f["result"])
    both_results = sorted(k for k, v in results.items() if len(v) > 1)
    if both_results:
        raise InvalidInput(
            f"both a positive and a negative result given for: {', '.join(both_results)}",
            hint="give one result for each maneuver or test",
        )
    # an absent maneuver/test result is the opposite result, where the vocabulary has it
    effective: list[tuple[dict[str, Any], str]] = [(f, "present") for f in pres]
    for f in abse:
        opp = _opposite(f)
        if opp is not None and opp not in pres:
            effective.append((opp, f"absent {f['id']}"))
        else:
            effective.append((f, "absent"))

    conds = loader.by_id("condition")
    rows = []
    for order, cid in enumerate(comp["conditions"]):
        sup: list[dict[str, Any]] = []
        ag: list[dict[str, Any]] = []
        lr_total: Optional[float] = None
        for f, status in effective:
            for link in f.get("links", []):
                if link["condition"] != cid:
                    continue
                lr = _lr(f, cid) if status != "absent" else None
                if lr is not None:
                    lr_total = lr if lr_total is None else lr_total * lr
                if status == "absent":
                    if link["effect"] == "supports":
                        ag.append(_item(f, link, "absent", None))
                elif link["effect"] == "supports":
                    sup.append(_item(f, link, status, lr))
                else:
                    ag.append(_item(f, link, status, lr))
        rows.append(
            {
                "id": cid,
                "name": conds[cid]["name"],
                "score": len(sup) - len(ag),
                "supporting": sup,
                "against": ag,
                "lr": _r(lr_total),
                "_order": order,
                "_lr": lr_total if lr_total is not None else 1.0,
            }
        )
    rows.sort(key=lambda r: (-r["score"], -r["_lr"], r["_order"]))
    for i, r in enumerate(rows, 1):
        r["rank"] = i
    flags = _red_flags([f for f, status in effective if status == "present"])
    ranked = [
        {
            "rank": r["rank"],
            "id": r["id"],
            "name": r["name"],
            "score": r["score"],
            "supporting": r["supporting"],
            "against": r["against"],
            "lr": r["lr"],
            "red_flags": [fl["id"] for fl in flags if r["id"] in fl["conditions"]],
        }
        for r in rows
    ]
    return {
        "complaint": comp["id"],
        "present": [f["id"] for f in pres],
        "absent": [f["id"] for f in abse],
        "red_flags": flags,
        "ranking": ranked,
        "basis": BASIS,
    }


def _red_flags(present: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flags = loader.by_id("red_flag")
    out = []
    for f in present:
        rf = flags.get(f.get("red_flag") or "")
        if rf is not None and all(x["id"] != rf["id"] for x in out):
            out.append({"id": rf["id"], "name": rf["name"], "action": rf["action"], "conditions": rf["conditions"], "finding": f["id"]})
    return out


def next_steps(result: dict[str, Any], leading: int = 3, per_condition: int = 3) -> list[dict[str, Any]]:
    """For the leading conditions, the maneuvers and tests with the strongest stated accuracy
    that the patient's findings do not already include: largest LR+ first, then smallest LR-."""
    done = set()
    for fid in result["present"] + result["absent"]:
        f = next((x for x in loader.records("finding") if x["id"] == fid), None)
        if f is not None:
            done.add(f.get("maneuver") or f.get("test"))
    top = [r for r in result["ranking"] if r["score"] > 0][:leading] or result["ranking"][:leading]
    out = []
    for r in top:
        cands = []
        for kind in ("maneuver", "test"):
            for row in rows_for_condition(kind, r["id"]):
                if row[kind] in done or strength(row) <= 0:
                    continue
                cands.append((kind, row))
        cands.sort(key=lambda kr: strength(kr[1]), reverse=True)
        for kind, row in cands[:per_condition]:
            out.append(
                {
                    "for_condition": r["id"],
                    "rank": r["rank"],
                    "kind": kind,
                    "id": row[kind],
                    "name": row["name"],
                    "sensitivity": row["sensitivity"],
                    "specificity": row["specificity"],
                    "sensitivity_range": row["sensitivity_range"],
                    "specificity_range": row["specificity_range"],
                    "lr_positive": row["lr_positive"],
                    "lr_negative": row["lr_negative"],
                    "lr_positive_range": row["lr_positive_range"],
                    "lr_negative_range": row["lr_negative_range"],
                    "why": _why(row),
                    "source": row["source"],
                }
            )
    return out


def _why(row: dict[str, Any]) -> str:
    parts = []
    lp = row["lr_positive"] if row["lr_positive"] is not None else (row["lr_positive_range"] or [None, None])[1]
    ln = row["lr_negative"] if row["lr_negative"] is not None else (row["lr_negative_range"] or [None, None])[0]
    if lp is not None:
        parts.append("a positive result raises the probability" + (" most" if lp >= 10 or math.isinf(lp) else ""))
    if ln is not None:
        parts.append("a negative result lowers it" + (" most" if ln <= 0.1 else ""))
    return "; ".join(parts)


def findings_vocabulary(kind: Optional[str] = None) -> list[dict[str, Any]]:
    rows = []
    for f in loader.records("finding"):
        if kind and f["kind"] != kind:
            continue
        rows.append(
            {
                "id": f["id"],
                "name": f["name"],
                "kind": f["kind"],
                "description": f["description"],
                "supports": sorted({ln["condition"] for ln in f.get("links", []) if ln["effect"] == "supports"}),
                "against": sorted({ln["condition"] for ln in f.get("links", []) if ln["effect"] == "against"}),
                "maneuver": f.get("maneuver"),
                "test": f.get("test"),
                "result": f.get("result"),
                "red_flag": f.get("red_flag"),
            }
        )
    return rows


def finding_detail(name: str) -> dict[str, Any]:
    f = find_record("finding", name, "finding")
    row = next(r for r in findings_vocabulary() if r["id"] == f["id"])
    row["links"] = f.get("links", [])
    return row
