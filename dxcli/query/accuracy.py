"""Maneuvers and diagnostic tests: accuracy as stated, likelihood ratios as computed.

One row per (maneuver or test, target condition). Likelihood ratios are derived
here from the stated sensitivity and specificity, never stored in the data.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from dxcli.calc.bands import band_for
from dxcli.calc.likelihood import lr_negative, lr_positive, lr_ranges, posttest
from dxcli.errors import InvalidInput, NotFound
from dxcli.query.evidence import evidence_fields, posttest_fields, zero_cell_lr
from dxcli.query.lookup import find_record
from dxcli.reference import loader

P_DIGITS = 3  # decimals of a probability quoted inside a sentence of the query layer


def _box(ev: dict[str, Any], key: str) -> Optional[tuple[float, float]]:
    if ev.get(key) is not None:
        return (ev[key], ev[key])
    if ev.get(key + "_range") is not None:
        lo, hi = ev[key + "_range"]
        return (lo, hi)
    return None


def _band_citation() -> str:
    ids = lr_scale()["source"].get("citations", [])
    cits = loader.by_ids("citation", ids)
    return ", ".join(f"{cits[c]['authors'].split(',')[0]} {cits[c].get('year', '')}".strip() for c in ids if c in cits)


_LR_SCALE: list[Any] = [None, None]  # [the store it was read from, the LR bands scale]


def lr_scale() -> dict[str, Any]:
    """The LR bands, read once per process while the store stays the same."""
    st = loader.store()
    if _LR_SCALE[0] is not st:
        _LR_SCALE[:] = [st, loader.by_ids("scale", ["lr-bands"])["lr-bands"]]
    return _LR_SCALE[1]


def _band(x: Optional[float]) -> Optional[dict[str, Any]]:
    if x is None:
        return None
    bands = lr_scale()["band_sets"][0]["bands"]
    if math.isinf(x):  # unbounded (specificity 1): the band that reaches infinity
        return next(b for b in bands if math.isinf(b["upper"]))
    return band_for(bands, x)


def _lr_words(kind: str, lo: Optional[float], hi: Optional[float], ci: Optional[dict[str, Any]] = None) -> str:
    """'positive (LR+ 9.89): moderate increase, moderate shifts in probability' from the data's
    bands; an LR of 0 or ∞ with an interval is never said bare ('LR- 0, range 0 to 0.19')."""

    def show(x: Optional[float]) -> str:  # a person's number: 3 significant figures, as on pages
        from dxcli.calc.precision import significant

        return "∞" if x is not None and math.isinf(x) else significant(x)  # the value the row carries

    b_lo, b_hi = _band(lo), _band(hi)
    if b_lo is b_hi:
        value = show(lo) if lo == hi else f"{show(lo)} to {show(hi)}"
        if lo == hi and lo is not None and (lo == 0 or math.isinf(lo)) and ci and ci.get("low") is not None and ci.get("high") is not None:
            what = "range" if str(ci.get("method", "")).startswith("one known arm") else "95% CI"
            value += f", {what} {show(ci['low'])} to {show(ci['high'])}"
        return f"{kind} {value}): {b_lo['label'].lower()}, {b_lo['description']}"  # type: ignore[index]
    return f"{kind} {show(lo)} to {show(hi)}): from {b_lo['label'].lower()} to {b_hi['label'].lower()}"  # type: ignore[index]


def _band_label(lo: Optional[float], hi: Optional[float]) -> Optional[str]:
    a, b = _band(lo), _band(hi)
    if a is None or b is None:
        return None
    return a["label"].lower() if a is b else f"{a['label'].lower()} to {b['label'].lower()}"


def _note(n: dict[str, Any]) -> dict[str, Any]:
    """A note as it travels with a derived answer: its kind, its own text, its citation."""
    return {"kind": n["kind"], "text": n["text"], "citation": n.get("citation")}


def record_notes(rec: dict[str, Any], ev: Optional[dict[str, Any]] = None) -> list[dict[str, Any]]:
    """The notes of a maneuver or test and of its evidence item, without repeats."""
    out: list[dict[str, Any]] = []
    for n in [*rec.get("notes", []), *((ev or {}).get("notes", []))]:
        note = _note(n)
        if note not in out:
            out.append(note)
    return out


SAME_STUDY = (
    "{a} and {b} come from one study{where}: their likelihood ratios share its patients, "
    "controls and biases, so their product is not independent evidence."
)


def study_of(source: dict[str, Any]) -> Optional[str]:
    """The study a figure comes from: its primary citation, else the review's reference number."""
    if source.get("citations"):
        return source["citations"][0]
    if source.get("refs"):
        return "review ref " + ", ".join(str(r) for r in source["refs"])
    return None


def same_study_notes(items: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """A note for each pair of (name, source) whose figures come from one study."""
    notes = []
    for i, (a, sa) in enumerate(items):
        for b, sb in items[i + 1 :]:
            study = study_of(sa)
            if study is not None and study == study_of(sb):
                review = study.startswith("review")  # a citation is named by the note's citation, not twice
                notes.append({"kind": "caveat", "text": SAME_STUDY.format(a=a, b=b, where=f" ({study})" if review else ""),
                              "citation": None if review else study})
    return notes


def finite_sample_note(lr: float, typed: bool = False) -> dict[str, Any]:
    """The note an LR of 0 or infinity always carries, typed or derived from a 100% figure."""
    if typed:
        what = "a negative result exclude" if lr == 0 else "a positive result make certain"
        text = (
            f"A likelihood ratio of {'0' if lr == 0 else 'infinity'} makes {what} the condition in this arithmetic; "
            "a measured one comes from a sensitivity or specificity of 100% in a finite sample, where the true "
            "figure may be lower."
        )
        return {"kind": "caveat", "text": text, "citation": None}
    if lr == 0:
        text = (
            "A likelihood ratio of 0 makes a negative result exclude the condition in this arithmetic; it "
            "comes from a sensitivity of 100% measured in a finite sample, and the true sensitivity may be lower."
        )
    else:
        text = (
            "An unbounded likelihood ratio makes a positive result certain in this arithmetic; it comes "
            "from a specificity of 100% measured in a finite sample, and the true specificity may be lower."
        )
    return {"kind": "caveat", "text": text, "citation": None}


def extreme(*lrs: Optional[float]) -> bool:
    return any(x is not None and (x == 0 or math.isinf(x)) for x in lrs)


def alternatives(ev: dict[str, Any]) -> list[dict[str, Any]]:
    """The same evidence with a recorded primary source's figures in place of the review's:
    one entry per citation whose disagreement notes give a number for sensitivity or
    specificity (the other figure stays the review's where the primary gives none)."""
    by_cit: dict[str, dict[str, float]] = {}
    for n in ev.get("notes", []):
        if n.get("kind") != "disagreement" or n.get("field") not in ("sensitivity", "specificity"):
            continue
        if isinstance(n.get("primary_value"), (int, float)) and not isinstance(n.get("primary_value"), bool):
            by_cit.setdefault(n["citation"], {})[n["field"]] = float(n["primary_value"])
    out = []
    for cit, figs in by_cit.items():
        sens = figs.get("sensitivity", ev.get("sensitivity"))
        spec = figs.get("specificity", ev.get("specificity"))
        if sens is None or spec is None:
            continue
        out.append(
            {
                "citation": cit,
                "sensitivity": sens,
                "specificity": spec,
                "lr_positive": lr_positive(sens, spec),
                "lr_negative": lr_negative(sens, spec),
            }
        )
    return out


def evidence_row(rec: dict[str, Any], ev: dict[str, Any], kind: str, pretest: Optional[float] = None) -> dict[str, Any]:
    sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
    notes: list[Any] = list(rec.get("notes", [])) + list(ev.get("notes", []))
    lrp = lrn = None
    lrp_range = lrn_range = None
    bands: dict[str, Optional[str]] = {"lr_positive_band": None, "lr_negative_band": None}
    interpretation: list[Any] = []
    study_fields, exact = evidence_fields(kind, rec, ev)
    uncorrected: dict[str, Any] = {"lr_positive_uncorrected": None, "lr_negative_uncorrected": None,
                                   "lr_positive_correction": None, "lr_negative_correction": None}
    if sens and spec:
        (p_lo, p_hi), (n_lo, n_hi) = lr_ranges(sens, spec)
        point = sens[0] == sens[1] and spec[0] == spec[1]
        if point:
            lrp, lrn = lr_positive(sens[0], spec[0]), lr_negative(sens[0], spec[0])
            # a point LR of 0 or infinity from a zero cell: the corrected LR first, the stated one beside it
            for key, positive in (("lr_positive", True), ("lr_negative", False)):
                fixed = zero_cell_lr(ev, study_fields, positive)
                if fixed is None:
                    continue
                uncorrected[key + "_uncorrected"] = fixed["uncorrected"]
                uncorrected[key + "_correction"] = fixed["method"]
                notes.append({"kind": "arithmetic", "text": fixed["note"], "citation": fixed["citation"]})
                if positive:
                    lrp = p_lo = p_hi = fixed["lr"]
                else:
                    lrn = n_lo = n_hi = fixed["lr"]
        else:
            lrp_range, lrn_range = [p_lo, p_hi], [n_lo, n_hi]
        _unbounded_notes(notes, p_lo, p_hi, n_lo, n_hi)
        interpretation.append(("positive (LR+", p_lo, p_hi, "lr_positive_ci"))  # words once the intervals are known
        interpretation.append(("negative (LR-", n_lo, n_hi, "lr_negative_ci"))
        bands["lr_positive_band"] = _band_label(p_lo, p_hi)
        bands["lr_negative_band"] = _band_label(n_lo, n_hi)
        interpretation.append(f"bands: {_band_citation()}")
    elif ev.get("ppv_range") is not None:
        lo, hi = ev["ppv_range"]
        interpretation.append(
            f"only a positive predictive value is stated ({lo:g}–{hi:g}); it depends on prevalence and gives no likelihood ratio"
        )
    else:
        interpretation.append("no sensitivity and specificity stated: no likelihood ratio")
    if ev.get("statement"):
        interpretation.append(f"the review: {ev['statement']}")
    interpretation = [_lr_words(x[0], x[1], x[2], study_fields.get(x[3])) if isinstance(x, tuple) else x for x in interpretation]
    row: dict[str, Any] = {
        "id": rec["id"],
        "name": rec["name"],
        "condition": ev["condition"],
        "positive": ev.get("positive"),
    }
    if kind == "test":
        row["kind"] = rec.get("kind")
        row["role"] = ev.get("role")
    row.update(
        {
            "sensitivity": ev.get("sensitivity"),
            "specificity": ev.get("specificity"),
            "lr_positive": lrp,
            "lr_negative": lrn,
            **uncorrected,
            "sensitivity_range": ev.get("sensitivity_range"),
            "specificity_range": ev.get("specificity_range"),
            "lr_positive_range": list(lrp_range) if lrp_range else None,
            "lr_negative_range": list(lrn_range) if lrn_range else None,
            "ppv_range": ev.get("ppv_range"),
            "false_positive_rate": ev.get("false_positive_rate"),
            "false_positive_rate_range": ev.get("false_positive_rate_range"),
            "statement": ev.get("statement"),
            **study_fields,
            "description": rec["description"],
            **bands,
            "interpretation": "; ".join(interpretation),
            "source": ev["source"],
            "notes": notes,
        }
    )
    alts = alternatives(ev)
    row["with_primary_figures"] = [
        a | ({"posttest_positive": _pt(pretest, a["lr_positive"]), "posttest_negative": _pt(pretest, a["lr_negative"])} if pretest is not None else {})
        for a in alts
    ]
    if pretest is not None:
        row.update(_posttests(pretest, lrp, lrn, lrp_range, lrn_range))
        if lrp is not None or lrn is not None:
            row.update(posttest_fields(pretest, study_fields, exact))
    return row


def _unbounded_notes(notes: list[Any], p_lo: Optional[float], p_hi: Optional[float], n_lo: Optional[float], n_hi: Optional[float]) -> None:
    """The notes an LR of 0 or infinity at an end of its range carries, added to ``notes``."""
    if any(x is not None and math.isinf(x) for x in (p_lo, p_hi)):
        notes.append(
            {
                "kind": "arithmetic",
                "text": "a specificity of 100% makes LR+ unbounded: the range has no finite upper end",
            }
        )
    for x in (p_lo, p_hi, n_lo, n_hi):
        if extreme(x) and finite_sample_note(x) not in notes:
            notes.append(finite_sample_note(x))


def listed_row(rec: dict[str, Any], ev: dict[str, Any], kind: str) -> dict[str, Any]:
    """The fields of ``evidence_row`` that what to examine next lists (the figures, the LRs,
    the role, the source and the notes), without the study, its intervals and the words it
    does not show; where a point LR is 0 or infinite, the whole row (its zero-cell correction
    comes from the study's counts)."""
    lrs = stated_lrs(ev)
    if lrs is None:
        return evidence_row(rec, ev, kind)
    notes: list[Any] = list(rec.get("notes", [])) + list(ev.get("notes", []))
    sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
    if sens and spec:
        (p_lo, p_hi), (n_lo, n_hi) = lr_ranges(sens, spec)
        _unbounded_notes(notes, p_lo, p_hi, n_lo, n_hi)
    row: dict[str, Any] = {"id": rec["id"], "name": rec["name"]}
    if kind == "test":
        row["role"] = ev.get("role")
    return row | {
        "sensitivity": ev.get("sensitivity"),
        "specificity": ev.get("specificity"),
        **lrs,
        "lr_positive_uncorrected": None,
        "lr_negative_uncorrected": None,
        "sensitivity_range": ev.get("sensitivity_range"),
        "specificity_range": ev.get("specificity_range"),
        "source": ev["source"],
        "notes": notes,
    }


def _pt(pretest: float, lr: Optional[float]) -> Optional[float]:
    return None if lr is None else posttest(pretest, lr)


def _posttests(pretest: float, lrp, lrn, lrp_range, lrn_range) -> dict[str, Any]:
    def pt(lr: Optional[float]) -> Optional[float]:
        return _pt(pretest, lr)

    out: dict[str, Any] = {"pretest": pretest}
    if lrp is not None or lrn is not None:
        out["posttest_positive"] = pt(lrp)
        out["posttest_negative"] = pt(lrn)
    elif lrp_range is not None:
        out["posttest_positive_range"] = [pt(lrp_range[0]), pt(lrp_range[1])]
        out["posttest_negative_range"] = [pt(lrn_range[0]), pt(lrn_range[1])]
    else:
        out["posttest_positive"] = out["posttest_negative"] = None
    return out


def stated_lrs(ev: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The LR fields of ``evidence_row`` that ``strength`` reads, from the stated figures
    alone, without the study, its counts and the words; None where a point LR is 0 or
    infinite, which ``evidence_row`` corrects from the study's counts (a zero cell)."""
    sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
    out: dict[str, Any] = {"lr_positive": None, "lr_negative": None, "lr_positive_range": None, "lr_negative_range": None}
    if sens and spec:
        if sens[0] == sens[1] and spec[0] == spec[1]:
            lrp, lrn = lr_positive(sens[0], spec[0]), lr_negative(sens[0], spec[0])
            if extreme(lrp, lrn):
                return None
            out["lr_positive"], out["lr_negative"] = lrp, lrn
        else:
            (p_lo, p_hi), (n_lo, n_hi) = lr_ranges(sens, spec)
            out["lr_positive_range"], out["lr_negative_range"] = [p_lo, p_hi], [n_lo, n_hi]
    return out


def strongest_rows(kind: str, condition: str, skip: set[Any], count: int) -> list[dict[str, Any]]:
    """The first ``count`` rows of ``rows_for_condition(kind, condition)`` (an id) whose id is
    not in ``skip`` and whose ``strength`` is above 0, strongest first, as ``listed_row`` gives
    them: only those are built (the others' strength is read from their stated figures)."""
    def row(rec: dict[str, Any], ev: dict[str, Any]) -> dict[str, Any]:  # once per answer (``loader.answering``)
        return loader.answer_memo(("listed_row", kind, id(ev)), lambda: listed_row(rec, ev, kind))

    def ranked() -> list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]:
        cands = []
        for rec in loader.referring(kind, "condition", condition):
            for ev in rec["evidence"]:
                if ev["condition"] == condition:
                    cands.append((rec, ev, stated_lrs(ev) or row(rec, ev)))  # (a zero cell: the whole row)
        cands.sort(key=lambda c: strength(c[2]), reverse=True)  # stable, as rows_for_condition's sort
        return cands

    chosen = [c for c in loader.answer_memo(("strongest_rows", kind, condition), ranked)
              if c[0]["id"] not in skip and strength(c[2]) > 0][:count]
    return [row(rec, ev) for rec, ev, _ in chosen]


def strength(row: dict[str, Any]) -> float:
    """How far a result can move probability: max of LR+ and 1/LR- (ranges: their best end)."""
    vals: list[float] = []
    for key, inv in (("lr_positive", False), ("lr_negative", True)):
        xs = [row.get(key)] + list(row.get(key + "_range") or [])
        for x in xs:
            if x is None:
                continue
            if inv:
                x = math.inf if x == 0 else 1.0 / x
            vals.append(x)
    return max(vals) if vals else -1.0


def list_records(kind: str) -> list[dict[str, Any]]:
    rows = []
    for r in loader.records(kind):
        row = {"id": r["id"], "name": r["name"]}
        if kind == "test":
            row["kind"] = r.get("kind")
        row["conditions"] = sorted({e["condition"] for e in r["evidence"]})
        row["figures"] = any(
            e.get(k) is not None
            for e in r["evidence"]
            for k in ("sensitivity", "sensitivity_range", "ppv_range", "false_positive_rate_range", "false_positive_rate")
        )
        row["aliases"] = r.get("aliases", [])
        rows.append(row)
    return rows


def rows_for(kind: str, name: str, pretest: Optional[float] = None) -> list[dict[str, Any]]:
    rec = find_record(kind, name, kind, exact=pretest is not None)
    return [evidence_row(rec, ev, kind, pretest) for ev in rec["evidence"]]


def rows_for_condition(kind: str, condition: str, pretest: Optional[float] = None) -> list[dict[str, Any]]:
    cond = find_record("condition", condition, "condition", exact=pretest is not None)
    rows = [
        evidence_row(rec, ev, kind, pretest)
        for rec in loader.referring(kind, "condition", cond["id"])
        for ev in rec["evidence"]
        if ev["condition"] == cond["id"]
    ]
    rows.sort(key=strength, reverse=True)
    return rows


EXAMPLE = {"maneuver": "modified-bent-knee", "test": "needle-emg"}  # one condition each: --pretest applies


def accuracy(kind: str, name: Optional[str] = None, condition: Optional[str] = None,
             pretest: Optional[float] = None) -> list[dict[str, Any]]:
    """``dxcli maneuver`` and ``dxcli test`` (``kind``) as one call, shared by the CLI and
    ``dxcli.api``: neither a name nor a condition, every record of the kind; a condition
    alone, each record's evidence for it, strongest first; a name, its evidence rows, only
    those for ``condition`` where one is given. ``pretest`` (a probability) adds post-test
    probabilities and then takes names exactly."""
    if name is None and condition is None:
        if pretest is not None:
            raise InvalidInput("--pretest needs a maneuver or test name", hint=f"e.g. dxcli {kind} {EXAMPLE[kind]} --pretest 0.3")
        return list_records(kind)
    if name is None:
        return rows_for_condition(kind, condition, pretest)  # type: ignore[arg-type]
    rows = rows_for(kind, name, pretest)
    if condition is None:
        return rows
    cid = find_record("condition", condition, "condition", exact=pretest is not None)["id"]
    rows = [r for r in rows if r["condition"] == cid]
    if not rows:
        raise NotFound(f"{name!r} has no evidence for {cid}", hint=f"see 'dxcli {kind} {name}'")
    return rows
