"""Post-test probability from a pre-test probability and findings (maneuvers, tests, raw LRs).

Each finding's likelihood ratio comes from the stated sensitivity and specificity of a
maneuver or test for one condition (computed, never stored), or is given raw (``lr=8.4``).
Several findings are combined by multiplying their LRs, which assumes conditional
independence; the result says so.
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

from dxcli.calc.likelihood import lr_negative, lr_positive, lr_ranges, posttest
from dxcli.calc.numbers import parse_number
from dxcli.errors import InvalidInput, NotFound
from dxcli.query.accuracy import P_DIGITS, _box, _r, alternatives, extreme, finite_sample_note, record_notes, same_study_notes
from dxcli.query.lookup import find, find_record, suggest
from dxcli.reference import loader

_RAW = re.compile(r"^\s*lr\s*=\s*(.*)$", re.IGNORECASE)
INDEPENDENCE = (
    "several findings are combined by multiplying their likelihood ratios, which assumes they are "
    "conditionally independent given the condition; correlated findings overstate the change"
)
LR_MAX = 1e6


def parse_raw_lr(text: str) -> float:
    """A typed likelihood ratio: 0 is accepted, as an LR of 0 derived from a 100% figure is,
    and carries the same finite-sample note."""
    x = parse_number(text, "likelihood ratio")
    if x < 0 or x > LR_MAX:
        raise InvalidInput(
            f"likelihood ratio {text.strip()!r} is outside the accepted range [0, {LR_MAX:g}]",
            hint="a likelihood ratio is a non-negative number, e.g. lr=8.4 or lr=0.12",
        )
    return x


def _resolve(name: str) -> tuple[str, dict[str, Any]]:
    pool = [("maneuver", r) for r in loader.records("maneuver")] + [("test", r) for r in loader.records("test")]
    for kind in ("maneuver", "test"):
        try:
            return kind, find([r for k, r in pool if k == kind], name, kind)
        except NotFound:
            continue
    raise NotFound(
        f"no maneuver or test matches {name!r}",
        hint=suggest([r for _, r in pool], name, "maneuver"),
    )


def finding_lr(text: str, condition: Optional[str]) -> dict[str, Any]:
    """One finding's step: its LR (point or range) and what it came from."""
    t = text.strip()
    m = _RAW.match(t)
    if m:
        lr = parse_raw_lr(m.group(1))
        notes = [finite_sample_note(lr)] if extreme(lr) else []
        return {"finding": t, "kind": "raw", "condition": None, "lr": lr, "lr_range": None, "source": None, "notes": notes, "alternatives": []}
    if len(t) < 2 or t[-1] not in "+-":
        raise InvalidInput(
            f"finding {text!r} has no result",
            hint="end a maneuver or test with + or - (faber+, modified-bent-knee-), or give lr=NUMBER",
        )
    name, sign = t[:-1].strip(), t[-1]
    kind, rec = _resolve(name)
    evs = rec["evidence"]
    if condition is not None:
        cid = find_record("condition", condition, "condition")["id"]
        evs = [e for e in evs if e["condition"] == cid]
        if not evs:
            raise InvalidInput(
                f"{rec['id']} has no evidence for {cid}",
                hint="its conditions: " + ", ".join(_conditions(rec["evidence"])),
            )
    elif len(_conditions(evs)) > 1:
        raise InvalidInput(
            f"{rec['id']} has evidence for several conditions; choose one with --condition",
            hint="choices: " + ", ".join(_conditions(evs)),
        )
    with_lr = [e for e in evs if _box(e, "sensitivity") and _box(e, "specificity")]
    if not with_lr:
        ev = evs[0]
        ppv = next((e["ppv_range"] for e in evs if e.get("ppv_range")), None)
        what = f"a PPV ({ppv[0]:g}-{ppv[1]:g}) only, which depends on prevalence" if ppv else "no sensitivity and specificity"
        raise InvalidInput(
            f"{rec['id']} for {ev['condition']} has {what}: it gives no likelihood ratio",
            hint=f"see 'dxcli {kind} {rec['id']}'; or give a likelihood ratio from another source as lr=NUMBER",
        )
    if len(with_lr) > 1:
        raise InvalidInput(
            f"{rec['id']} has several accuracy figures for {with_lr[0]['condition']}",
            hint="give the likelihood ratio you mean as lr=NUMBER",
        )
    ev = with_lr[0]
    sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
    pos, neg = lr_ranges(sens, spec)
    lr_pair = pos if sign == "+" else neg
    point = sens[0] == sens[1] and spec[0] == spec[1]
    notes = record_notes(rec, ev)
    for x in lr_pair:
        if extreme(x) and finite_sample_note(x) not in notes:
            notes.append(finite_sample_note(x))
    alts = [
        {"citation": a["citation"], "sensitivity": a["sensitivity"], "specificity": a["specificity"],
         "lr": a["lr_positive_exact"] if sign == "+" else a["lr_negative_exact"]}
        for a in alternatives(ev)
    ]
    step = {
        "finding": t,
        "kind": kind,
        kind: rec["id"],
        "condition": ev["condition"],
        "result": "positive" if sign == "+" else "negative",
        "lr": (lr_positive if sign == "+" else lr_negative)(sens[0], spec[0]) if point else None,
        "lr_range": None if point else list(lr_pair),
        "source": ev["source"],
        "notes": notes,
        "alternatives": alts,
    }
    return step


def _conditions(evs: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(e["condition"] for e in evs))


def run(pretest: float, findings: list[str], condition: Optional[str] = None) -> dict[str, Any]:
    if not findings:
        raise InvalidInput("no findings given", hint="e.g. dxcli posttest --pretest 0.3 faber+ lr=2")
    steps = [finding_lr(f, condition) for f in findings]
    conds = {s["condition"] for s in steps if s["condition"]}
    if len(conds) > 1:
        raise InvalidInput(
            "the findings are evidence for different conditions: " + ", ".join(sorted(conds)),
            hint="a post-test probability is for one condition; choose it with --condition",
        )
    p, lo, hi = pretest, pretest, pretest
    lr_total, lr_lo, lr_hi = 1.0, 1.0, 1.0
    ranged = False
    out_steps = []
    for s in steps:
        if s["lr"] is not None:
            a = b = s["lr"]
        else:
            ranged = True
            a, b = s["lr_range"]
        p = posttest(p, a) if s["lr"] is not None else p
        lo, hi = posttest(lo, a), posttest(hi, b)
        lr_lo, lr_hi = _mul(lr_lo, a), _mul(lr_hi, b)
        if s["lr"] is not None:
            lr_total = _mul(lr_total, s["lr"])
        out_steps.append(
            {
                "finding": s["finding"],
                "condition": s["condition"],
                "lr": _r(s["lr"]),
                "lr_range": [_r(x) for x in s["lr_range"]] if s["lr_range"] else None,
                "probability": None if ranged else round(p, P_DIGITS),
                "probability_range": [round(lo, P_DIGITS), round(hi, P_DIGITS)] if ranged else None,
                "notes": s["notes"],
                "with_primary_figures": [
                    {**{k: v for k, v in a.items() if k != "lr"}, "lr": _r(a["lr"]),
                     "probability_if_alone": None if a["lr"] is None else round(posttest(pretest, a["lr"]), P_DIGITS)}
                    for a in s["alternatives"]
                ],
                "source": s["source"],
            }
        )
    notes = []
    if len(steps) > 1:
        notes.append({"kind": "caveat", "text": INDEPENDENCE, "citation": None})
        notes += same_study_notes([(s["finding"], s["source"]) for s in steps if s["source"]])
    if ranged:
        notes.append({"kind": "arithmetic", "text": "a finding's accuracy is stated as a range: the post-test probability is the range over the extremes, and no single value is given", "citation": None})
    for st in out_steps:
        notes += [n for n in st["notes"] if n not in notes]
    p_alt = pretest
    alt_used = False
    for s in steps:
        alt = s["alternatives"][0] if s["alternatives"] else None
        a = alt["lr"] if alt is not None else s["lr"]
        alt_used = alt_used or alt is not None
        p_alt = posttest(p_alt, a) if a is not None and not ranged else p_alt
    cond = next(iter(conds)) if conds else (find_record("condition", condition, "condition")["id"] if condition else None)
    return {
        "condition": cond,
        "pretest": pretest,
        "posttest": None if ranged else round(p, P_DIGITS),
        "posttest_range": [round(lo, P_DIGITS), round(hi, P_DIGITS)] if ranged else None,
        "lr": None if ranged else _r(lr_total),
        "lr_range": [_r(lr_lo), _r(lr_hi)] if ranged else None,
        "posttest_with_primary_figures": round(p_alt, P_DIGITS) if alt_used and not ranged else None,
        "steps": out_steps,
        "notes": notes,
        "_lr_exact": None if ranged else lr_total,
    }


def _mul(a: float, b: float) -> float:
    if (a == 0 and math.isinf(b)) or (b == 0 and math.isinf(a)):
        return math.nan
    return a * b
