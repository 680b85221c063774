"""Post-test probability from a pre-test probability and findings (maneuvers, tests, raw LRs).

Each finding's likelihood ratio comes from the stated sensitivity and specificity of a
maneuver or test for one condition (computed, never stored), or is given raw (``lr=8.4``).
Several findings are combined by multiplying their LRs, which assumes conditional
independence; the result says so.

Intervals: a maneuver's or test's result carries its LR interval where its study's counts
allow one (``query.evidence.finding_interval``: the log-method 95% CI, or the range one
known arm implies, labelled as not a 95% CI), and a single finding carries it through Bayes
to ``posttest_ci``. With several findings each step has its own interval but no combined one
is given: the product of the steps' intervals is not a 95% interval. Where counts are
unknown there is no interval and the reason is given ("counts not stated").
"""

from __future__ import annotations

import math
import re
from typing import Any, Optional

from dxcli.calc import intervals as ci
from dxcli.calc.likelihood import lr_negative, lr_positive, lr_ranges, posttest
from dxcli.calc.numbers import parse_number
from dxcli.calc.precision import significant
from dxcli.errors import InvalidInput, NotFound
from dxcli.query.accuracy import P_DIGITS, _box, alternatives, extreme, finite_sample_note, record_notes, same_study_notes
from dxcli.query.evidence import finding_interval, short_name
from dxcli.query.lookup import NotExact, find, find_record, norm, suggest
from dxcli.reference import loader

_RAW = re.compile(r"^\s*lr\s*=\s*(.*)$", re.IGNORECASE)
INDEPENDENCE = (
    "several findings are combined by multiplying their likelihood ratios, which assumes they are "
    "conditionally independent given the condition; correlated findings overstate the change"
)
LR_MAX = 1e6
RAW_NO_CI = "counts not stated: a likelihood ratio typed as lr=NUMBER carries no counts"
NO_COMBINED = (
    "no combined interval: each finding's step carries its own LR interval and the "
    "post-test interval it allows from the probability before it, but the "
    "product of several intervals is not a 95% interval for the combined likelihood ratio, so "
    "no analytic interval is given (the simulation interval, where the studies' counts allow one, "
    "draws the whole chain)"
)
LR_MIN = 1 / LR_MAX  # symmetric: a ratio and its inverse are equally far from 1
_RANGE = f"0, or [{LR_MIN:g}, {LR_MAX:g}]"


def parse_raw_lr(text: str) -> float:
    """A typed likelihood ratio: 0 is accepted, as an LR of 0 derived from a 100% figure is,
    and carries the same finite-sample note."""
    x = parse_number(text, "likelihood ratio")
    if not (x == 0 or LR_MIN <= x <= LR_MAX):  # negatives, subnormals (1e-320) and the huge alike
        raise InvalidInput(
            f"likelihood ratio {text.strip()!r} is outside the accepted range {_RANGE}",
            hint="a likelihood ratio is 0 or a positive number, e.g. lr=8.4 or lr=0.12",
        )
    return x


MAX_FINDINGS = 50  # distinct findings in one chain: more than any condition has, far fewer than a typo loop


def _once(findings: list[str]) -> None:
    """Each maneuver or test once in a chain: given twice (or as both + and -) its likelihood
    ratio would be multiplied in twice, or a result would contradict itself. A typed lr= is the
    user's own number and may repeat."""
    seen: dict[str, str] = {}
    for f in findings:
        t = f.strip()
        if _RAW.match(t) or len(t) < 2 or t[-1] not in "+-":
            continue
        key = _resolve(t[:-1].strip())[1]["id"]  # one record by any of its names
        if key in seen:
            first = seen[key]
            if first == t:
                raise InvalidInput(f"{t!r} is given twice",
                                   hint="each finding counts once: give it once (its likelihood ratio would be multiplied in twice)")
            raise InvalidInput(f"{first!r} and {t!r} are one maneuver or test given as both positive and negative",
                               hint="give the one result that was found")
        seen[key] = t


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


def _check_defined(p: Optional[float], lo: float, hi: float, a: float, b: float, finding: str, pretest: float) -> None:
    """A probability of 1 times an LR of 0, or of 0 times an infinite LR, is 0 x infinity in odds:
    undefined, so refused rather than answered with the probability unchanged."""
    probs = [x for x in (p, lo, hi) if x is not None]
    for prob in probs:
        for lr in (a, b):
            if (prob == 1.0 and lr == 0) or (prob == 0.0 and math.isinf(lr)):
                before = "the pre-test probability" if prob == pretest else "the probability before it"
                raise InvalidInput(
                    f"{finding} has a likelihood ratio of {'0' if lr == 0 else 'infinity'} and {before} is "
                    f"{prob:g}: the post-test probability is undefined (odds of {'infinity x 0' if lr == 0 else '0 x infinity'})",
                    hint="a probability of 0 or 1 is certainty that no finding can move; give a pre-test probability "
                         "between 0 and 1, or a finite, non-zero likelihood ratio",
                )


def _resolve(name: str) -> tuple[str, dict[str, Any]]:
    # an exact id, name or alias through the store's index of names (one record decoded); the
    # whole vocabulary is read only to explain a miss
    for kind in ("maneuver", "test"):
        rec = loader.record_named(kind, name.strip(), norm(name))
        if rec is not None:
            return kind, rec
    pool = [("maneuver", r) for r in loader.records("maneuver")] + [("test", r) for r in loader.records("test")]
    near: list[NotExact] = []
    for kind in ("maneuver", "test"):
        try:
            return kind, find([r for k, r in pool if k == kind], name, kind, exact=True)
        except NotExact as e:  # a name that would complete: say that it must be exact
            near.append(e)
        except NotFound:
            continue
    if near:
        raise near[0]
    raise NotFound(
        f"no maneuver or test matches {name!r}",
        hint=suggest([r for _, r in pool], name, "maneuver"),
    )


def finding_words(step: dict[str, Any]) -> str:
    """A step of the result in words, for a picture: 'Modified bent knee test positive: LR 9.89'
    ('A likelihood ratio of 8.43' for lr=NUMBER). The finding as typed where it names no record."""
    t = step["finding"].strip()
    lr = "LR " + (significant(step["lr"]) if step.get("lr") is not None else
                  "–".join(significant(x) for x in step["lr_range"]) if step.get("lr_range") else "not stated")
    if _RAW.match(t):
        return f"A likelihood ratio given as {t}"
    try:
        _, rec = _resolve(t[:-1].strip())
    except NotFound:
        return f"{t}: {lr}"
    return f"{rec['name']} {'positive' if t.endswith('+') else 'negative'}: {lr}"


def finding_lr(text: str, condition: Optional[str]) -> dict[str, Any]:
    """One finding's step: its LR (point or range) and what it came from."""
    t = text.strip()
    m = _RAW.match(t)
    if m:
        lr = parse_raw_lr(m.group(1))
        notes = [finite_sample_note(lr, typed=True)] if extreme(lr) else []
        return {"finding": t, "kind": "raw", "condition": None, "lr": lr, "lr_uncorrected": None, "lr_correction": None, "lr_range": None, "source": None, "notes": notes,
                "alternatives": [], "lr_ci": None, "lr_ci_note": RAW_NO_CI, "published": []}
    if len(t) < 2 or t[-1] not in "+-":
        raise InvalidInput(
            f"finding {text!r} has no result",
            hint="end a maneuver or test with + or - (faber+, modified-bent-knee-), or give lr=NUMBER",
        )
    name, sign = t[:-1].strip(), t[-1]
    kind, rec = _resolve(name)
    evs = rec["evidence"]
    if condition is not None:
        cid = find_record("condition", condition, "condition", exact=True)["id"]
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
         "lr": a["lr_positive"] if sign == "+" else a["lr_negative"]}
        for a in alternatives(ev)
    ]
    lr = (lr_positive if sign == "+" else lr_negative)(sens[0], spec[0]) if point else None
    got = finding_interval(kind, rec, ev, positive=sign == "+")
    # a point LR of 0 or infinity from a zero cell: the corrected one is used, the stated one beside it
    fixed = got.get("corrected") if point else None
    if fixed is not None:
        lr = fixed["lr"]
        notes = [n for n in notes if n != finite_sample_note(fixed["uncorrected"])]
        notes.append({"kind": "arithmetic", "text": fixed["note"], "citation": fixed["citation"]})
    step = {
        "finding": t,
        "kind": kind,
        kind: rec["id"],
        "condition": ev["condition"],
        "result": "positive" if sign == "+" else "negative",
        "lr": lr,
        "lr_uncorrected": fixed["uncorrected"] if fixed else None,
        "lr_correction": fixed["method"] if fixed else None,
        "lr_range": None if point else list(lr_pair),
        "source": ev["source"],
        "notes": notes,
        "alternatives": alts,
        "lr_ci": got["interval"],
        "lr_ci_note": got["reason"],
        "published": got["published"],
    }
    if step["lr_ci"] is None and lr is not None:
        quoted = _published_for(lr, got["published"])
        if quoted is not None:
            step["lr_ci"], step["lr_ci_note"] = quoted, None
    return step


def _published_for(lr: float, published: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A published LR interval whose estimate is the LR used (to the precision it is quoted at),
    as an interval for that LR; a published interval about another estimate is not."""
    for p in published:
        if math.isfinite(lr) and abs(lr - p["value"]) <= 0.005 + 1e-9:
            return {
                "low": p["low"], "high": p["high"], "method": f"published 95% CI ({p['citation']})",
                "label": f"published 95% CI ({short_name(_study(p['study']))})",
            }
    return None


def _study(sid: str) -> dict[str, Any]:
    return next(st for st in loader.records("study") if st["id"] == sid)


def _published_rows(pretest: float, lr: Optional[float], published: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The intervals a source publishes for this LR, each with the post-test probability its
    estimate and interval give from the pre-test probability, for this finding alone."""
    out = []
    for p in published:
        name = short_name(_study(p["study"]))
        sign = "+" if p["measure"] == "lr_positive" else "-"
        about = "" if lr is None else f", not for the LR{sign} {significant(lr)} used here"
        lo, hi = ci.posttest_interval(pretest, p["low"], p["high"])
        out.append(
            {
                "measure": p["measure"], "index_test": p["index_test"], "value": p["value"],
                "low": p["low"], "high": p["high"], "citation": p["citation"], "quote": p["quote"],
                "label": f"{name}'s published 95% CI for its own estimate (LR{sign} {p['value']:g}){about}",
                "probability_if_alone": posttest(pretest, p["value"]),
                "probability_if_alone_ci": {"low": lo, "high": hi},
            }
        )
    return out


def _inferred_condition(pretest: float, findings: list[str]) -> Optional[str]:
    """The condition of a post-test probability where a finding has evidence for several and
    ``--condition`` is not given: the one condition with a likelihood ratio for every finding
    (said on stderr). None where no finding has evidence for more than one condition (each
    finding then names its own); InvalidInput where none or several conditions qualify, the
    hint offering, as commands to paste, only conditions with an LR for every finding."""
    import shlex

    named = []  # (finding, record, its conditions with an LR, all its conditions)
    for f in findings:
        t = f.strip()
        if _RAW.match(t) or len(t) < 2 or t[-1] not in "+-":
            continue  # a typed ratio is for any condition; a finding without a result fails later
        kind, rec = _resolve(t[:-1].strip())
        evs = rec["evidence"]
        with_lr = _conditions([e for e in evs if _box(e, "sensitivity") and _box(e, "specificity")])
        named.append((t, kind, rec, with_lr, _conditions(evs)))
    several = [n for n in named if len(n[4]) > 1]
    if not several and len({c for n in named for c in n[4]}) <= 1:
        return None  # each finding names its one condition, the same for all
    common = [c for c in named[0][3] if all(c in n[3] for n in named)]
    names = loader.by_ids("condition", list(dict.fromkeys([*common, *(c for n in named for c in n[4])])))
    if len(common) == 1:
        from dxcli.errors import tell

        cid = common[0]
        tell(f"condition taken as {cid} ({names[cid]['name'].lower()}), the one condition with a likelihood "
             f"ratio for {' and '.join(n[0] for n in named)}; choose another with --condition")
        return cid
    first = (several or named)[0]
    bare = next((n for n in named if not n[3]), None)
    if bare is not None:
        raise InvalidInput(
            f"{bare[2]['id']} has no sensitivity and specificity for any condition: it gives no likelihood ratio",
            hint=f"see 'dxcli {bare[1]} {bare[2]['id']}'; or give a likelihood ratio from another source as lr=NUMBER",
        )
    if not common:
        each = "; ".join(f"{n[0]}: {', '.join(n[3]) or 'none'}" for n in named)
        raise InvalidInput(
            "no condition has a likelihood ratio for every finding given "
            f"(the conditions with one, by finding: {each})",
            hint="a post-test probability is for one condition: give findings with a likelihood ratio for the same one; "
            f"each finding's conditions: 'dxcli {first[1]} {first[2]['id']}'",
        )
    base = "dxcli posttest -p " + f"{pretest:g} " + " ".join(shlex.quote(f) for f in findings)
    raise InvalidInput(
        f"{first[2]['id']} has evidence for several conditions, and {len(common)} of them have a likelihood ratio "
        "for every finding given; choose one with --condition",
        hint="one of: " + ", ".join(f"'{base} --condition {c}'" for c in common),
    )


def _conditions(evs: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(e["condition"] for e in evs))


def run(pretest: float, findings: list[str], condition: Optional[str] = None) -> dict[str, Any]:
    """The post-test probability of ``findings`` from ``pretest`` (see ``run_exact``)."""
    return run_exact(pretest, findings, condition)[0]


def run_exact(pretest: float, findings: list[str], condition: Optional[str] = None) -> tuple[dict[str, Any], Optional[float], Any]:
    """(the result, its unrounded combined LR, the unrounded LR interval of a single finding):
    the nomogram draws with the exact figures, the result shows them rounded."""
    if not findings:
        raise InvalidInput("no findings given", hint="e.g. dxcli posttest --pretest 0.3 modified-bent-knee+ lr=2")
    if len(findings) > MAX_FINDINGS:
        raise InvalidInput(f"{len(findings):,} findings given; at most {MAX_FINDINGS} are combined",
                           hint="a post-test probability multiplies the likelihood ratios of distinct findings: give each once")
    _once(findings)
    if condition is None:
        condition = _inferred_condition(pretest, findings)
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
        before = p
        _check_derived(s["lr"], f"the likelihood ratio of {s['finding']}")
        for x in s["lr_range"] or []:
            _check_derived(x, f"the likelihood ratio of {s['finding']}")
        if s["lr"] is not None:
            a = b = s["lr"]
        else:
            ranged = True
            a, b = s["lr_range"]
        _check_defined(p if not ranged else None, lo, hi, a, b, s["finding"], pretest)
        p = posttest(p, a) if s["lr"] is not None else p
        step_ci = None if ranged or s["lr_ci"] is None else _posttest_ci(before, s, alone=len(steps) == 1)
        lo, hi = posttest(lo, a), posttest(hi, b)
        lr_lo, lr_hi = _mul(lr_lo, a), _mul(lr_hi, b)
        if s["lr"] is not None:
            lr_total = _mul(lr_total, s["lr"])
        out_steps.append(
            {
                "finding": s["finding"],
                "condition": s["condition"],
                "lr": s["lr"],
                "lr_uncorrected": s["lr_uncorrected"],
                "lr_correction": s["lr_correction"],
                "lr_range": list(s["lr_range"]) if s["lr_range"] else None,
                "probability": None if ranged else p,
                "probability_range": [lo, hi] if ranged else None,
                "lr_ci": s["lr_ci"],
                "lr_ci_note": s["lr_ci_note"],
                "probability_ci": step_ci,
                "published_lr_ci": _published_rows(pretest, s["lr"], s["published"]),
                "notes": s["notes"],
                "with_primary_figures": [
                    {**{k: v for k, v in a.items() if k != "lr"}, "lr": a["lr"],
                     "probability_if_alone": None if a["lr"] is None else posttest(pretest, a["lr"])}
                    for a in s["alternatives"]
                ],
                "source": s["source"],
            }
        )
    bounded = all(s["lr"] is not None and 0 < s["lr"] < math.inf or s["lr"] is None and all(0 < x < math.inf for x in s["lr_range"])
                  for s in steps)
    for x in (lr_lo, lr_hi) if ranged else (lr_total,):
        if bounded and (x == 0 or math.isinf(x)):  # finite ratios whose product left the floats
            raise InvalidInput("the combined likelihood ratio is beyond the range of the arithmetic",
                               hint="combine fewer findings, or check the likelihood ratios given")
        _check_derived(x, "the combined likelihood ratio")
    notes = []
    if len(steps) > 1:
        notes.append({"kind": "caveat", "text": INDEPENDENCE, "citation": None})
        notes += same_study_notes([(s["finding"], s["source"]) for s in steps if s["source"]])
    if len(steps) > 1:
        notes.append({"kind": "arithmetic", "text": NO_COMBINED, "citation": None})
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
    single = steps[0] if len(steps) == 1 else None
    if single is None:
        ci_out, ci_note = None, NO_COMBINED
    elif ranged or single["lr_ci"] is None:
        ci_out, ci_note = None, single["lr_ci_note"]
    else:
        ci_out, ci_note = out_steps[0]["probability_ci"], None
    cond = next(iter(conds)) if conds else (find_record("condition", condition, "condition", exact=True)["id"] if condition else None)
    return {
        "condition": cond,
        "pretest": pretest,
        "posttest": None if ranged else p,
        "posttest_range": [lo, hi] if ranged else None,
        "posttest_ci": ci_out,
        "posttest_ci_note": ci_note,
        "lr": None if ranged else lr_total,
        "lr_range": [lr_lo, lr_hi] if ranged else None,
        "posttest_with_primary_figures": p_alt if alt_used and not ranged else None,
        "steps": out_steps,
        "notes": notes,
    }, (None if ranged else lr_total), (single["lr_ci"] if ci_out is not None and single is not None else None)


def _posttest_ci(before: float, step: dict[str, Any], alone: bool) -> dict[str, Any]:
    """The post-test probabilities at the ends of a step's LR interval, from the probability
    before the step (for a single finding, the pre-test probability)."""
    band = step["lr_ci"]
    lo, hi = ci.posttest_interval(before, band["low"], band["high"])
    sign = "+" if step.get("result") == "positive" else "-"
    method = f"the ends of the LR {sign} interval through Bayes' theorem ({band['method']})"
    if not alone:
        method += (
            f"; from the probability before this finding ({round(before, P_DIGITS):g}), the earlier "
            "findings taken at their point likelihood ratios"
        )
    out = {"low": lo, "high": hi, "method": method, "label": band["label"]}
    if band.get("note"):
        out["note"] = band["note"]
    return out


def _mul(a: float, b: float) -> float:
    if (a == 0 and math.isinf(b)) or (b == 0 and math.isinf(a)):
        return math.nan
    return a * b
