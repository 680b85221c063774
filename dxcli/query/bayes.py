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
from dxcli.query.accuracy import P_DIGITS, _box, _r
from dxcli.query.lookup import find, find_record, suggest
from dxcli.reference import loader

_RAW = re.compile(r"^\s*lr\s*=\s*(.*)$", re.IGNORECASE)
INDEPENDENCE = (
    "several findings are combined by multiplying their likelihood ratios, which assumes they are "
    "conditionally independent given the condition; correlated findings overstate the change"
)
LR_MAX = 1e6
LR_MIN = 1 / LR_MAX  # symmetric: a ratio and its inverse are equally far from 1
_RANGE = f"[{LR_MIN:g}, {LR_MAX:g}]"


def parse_raw_lr(text: str) -> float:
    x = parse_number(text, "likelihood ratio")
    if not LR_MIN <= x <= LR_MAX:  # 0, negatives, subnormals (1e-320) and the huge alike
        raise InvalidInput(
            f"likelihood ratio {text.strip()!r} is outside the accepted range {_RANGE}",
            hint="a likelihood ratio is a positive number, e.g. lr=8.4 or lr=0.12",
        )
    return x


def _check_derived(x: Optional[float], what: str) -> None:
    """A likelihood ratio computed from the data or a product of several gets the answer a
    typed one gets: one outside the accepted range is refused. Exactly 0 and unbounded
    (a stated sensitivity or specificity of 1) keep their own notes."""
    if x is None or x == 0 or math.isinf(x) or math.isnan(x):
        return
    if not LR_MIN <= x <= LR_MAX:
        raise InvalidInput(
            f"{what} {x:.3g} is outside the accepted range {_RANGE}",
            hint="combine fewer findings, or check the likelihood ratios given",
        )


def _shown(x: Optional[float]) -> Optional[float]:
    """An LR as reported: two decimals, or two significant digits below 0.1 (never 0 for a
    ratio that is not 0)."""
    if x is None or math.isinf(x) or math.isnan(x) or x == 0 or abs(x) >= 0.1:
        return _r(x)
    return float(f"{x:.2g}")


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
        return {"finding": t, "kind": "raw", "condition": None, "lr": lr, "lr_range": None, "source": None}
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
    step = {
        "finding": t,
        "kind": kind,
        kind: rec["id"],
        "condition": ev["condition"],
        "result": "positive" if sign == "+" else "negative",
        "lr": (lr_positive if sign == "+" else lr_negative)(sens[0], spec[0]) if point else None,
        "lr_range": None if point else list(lr_pair),
        "source": ev["source"],
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
        _check_derived(s["lr"], f"the likelihood ratio of {s['finding']}")
        for x in s["lr_range"] or []:
            _check_derived(x, f"the likelihood ratio of {s['finding']}")
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
                "lr": _shown(s["lr"]),
                "lr_range": [_shown(x) for x in s["lr_range"]] if s["lr_range"] else None,
                "probability": None if ranged else round(p, P_DIGITS),
                "probability_range": [round(lo, P_DIGITS), round(hi, P_DIGITS)] if ranged else None,
                "source": s["source"],
            }
        )
    for x in (lr_lo, lr_hi) if ranged else (lr_total,):
        _check_derived(x, "the combined likelihood ratio")
    notes = []
    if len(steps) > 1:
        notes.append(INDEPENDENCE)
    if ranged:
        notes.append("a finding's accuracy is stated as a range: the post-test probability is the range over the extremes, and no single value is given")
    if any(x is not None and math.isinf(x) for s in steps for x in [s["lr"], *(s["lr_range"] or [])]):
        notes.append("an unbounded likelihood ratio (specificity 1) makes a positive result certain in this arithmetic; the stated specificity comes from a finite sample")
    cond = next(iter(conds)) if conds else (find_record("condition", condition, "condition")["id"] if condition else None)
    return {
        "condition": cond,
        "pretest": pretest,
        "posttest": None if ranged else round(p, P_DIGITS),
        "posttest_range": [round(lo, P_DIGITS), round(hi, P_DIGITS)] if ranged else None,
        "lr": None if ranged else _shown(lr_total),
        "lr_range": [_shown(lr_lo), _shown(lr_hi)] if ranged else None,
        "steps": out_steps,
        "notes": notes,
        "_lr_exact": None if ranged else lr_total,
    }


def _mul(a: float, b: float) -> float:
    if (a == 0 and math.isinf(b)) or (b == 0 and math.isinf(a)):
        return math.nan
    return a * b
