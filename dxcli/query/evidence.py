"""The study behind each accuracy figure, and the 95% intervals its counts allow.

A maneuver's or test's evidence item is linked to studies by ``reference/studies.toml``
(each study lists the records it backs). For the study that is the *source* of a figure,
the counts come from the study's stated group sizes: a stated count is used as it is, and
the count behind a stated percentage is derived only when exactly one numerator
reproduces it (``calc.intervals.derive_count``). From the counts:

- both arms known: Wilson intervals for sensitivity and specificity, and the Simel log
  method for LR+ and LR- (0.5 added to every cell when a cell is 0, with a note);
- one arm known: that arm's Wilson interval, and the LR range it implies at the other
  arm's stated figure, labelled as such (it is not a 95% CI for the LR);
- neither: no interval, and the reason ("counts not stated").

Intervals a source publishes are quoted (``published_ci``), never recomputed.
"""

from __future__ import annotations

import math
from typing import Any, Optional

from dxcli.calc import intervals as ci
from dxcli.calc.precision import significant
from dxcli.reference import loader

FIGURE_KEYS = (
    "sensitivity", "specificity", "sensitivity_range", "specificity_range", "ppv_range",
    "false_positive_rate", "false_positive_rate_range",
)
NOT_STATED = "counts not stated"


def _index() -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    """(kind, record id, condition or '') -> [(study position, finding position)], made once
    per Reference (each set of packs has its own)."""
    return loader.derived("evidence.study_index", _make_index)


def _make_index() -> dict[tuple[str, str, str], list[tuple[int, int]]]:
    out: dict[tuple[str, str, str], list[tuple[int, int]]] = {}
    for i, st in enumerate(loader.records("study")):
        for j, f in enumerate(st.get("findings", [])):
            for kind in ("maneuver", "test", "scale"):
                if f.get(kind) is not None:
                    out.setdefault((kind, f[kind], f.get("condition") or ""), []).append((i, j))
    return out


def _has_figures(ev: dict[str, Any]) -> bool:
    return any(ev.get(k) is not None for k in FIGURE_KEYS)


def links(kind: str, rec: dict[str, Any], ev: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The (study, finding) pairs about this evidence item.

    A study finding names a record and a condition; where several evidence items share the
    condition, it applies to the ones that carry figures (or to all, when none does).
    """
    hits = _index().get((kind, rec["id"], ev["condition"]), [])
    if not hits:
        return []
    same = [e for e in rec.get("evidence", []) if e["condition"] == ev["condition"]]
    if any(_has_figures(e) for e in same) and not _has_figures(ev):
        return []
    studies = loader.records("study")
    return [(studies[i], studies[i]["findings"][j]) for i, j in hits]


def scale_studies(scale_id: str) -> list[dict[str, Any]]:
    studies = loader.records("study")
    return [studies[i] for i, _ in _index().get(("scale", scale_id, ""), [])]


def _citation(cid: str) -> dict[str, Any]:
    if loader.in_answer():  # the studies' citations in one read, kept for the answer (outside one: this one alone)
        loader.answer_memo("evidence.citations", lambda: loader.prefetch("citation", [s["citation"] for s in loader.records("study")]))
    return loader.by_ids("citation", [cid]).get(cid, {})


def short_name(study: dict[str, Any]) -> str:
    """'Cacchio 2012' from the study's citation."""
    c = _citation(study["citation"])
    words = (c.get("authors") or study["citation"]).split(",")[0].split()
    if len(words) > 1 and words[-1].isupper():  # drop the initials: "van der Windt DA"
        words = words[:-1]
    return f"{' '.join(words)} {c.get('year', '')}".strip()


def _group(g: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    if g is None:
        return None
    return {
        "count": g.get("count"),
        "description": g["description"],
        "quote": g.get("quote"),
        "read": g.get("read", "abstract"),
    }


def study_summary(study: dict[str, Any], relation: str) -> dict[str, Any]:
    c = _citation(study["citation"])
    total = study.get("total")
    return {
        "id": study["id"],
        "citation": study["citation"],
        "name": short_name(study),
        "relation": relation,
        "pmid": c.get("pmid"),
        "doi": c.get("doi"),
        "design": study["design"],
        "direction": study["direction"],
        "population": study["population"],
        "setting": study.get("setting"),
        "cases": _group(study.get("cases")),
        "controls": _group(study.get("controls")),
        "n": total.get("count") if total else None,
        "groups": _groups_text(study),
        "reference_standard": study.get("reference_standard"),
        "reference_standard_read": study.get("reference_standard_read"),
        "examiners": study.get("examiners"),
        "blinding": study.get("blinding"),
        "read": study["read"],
        "read_at": study["read_at"],
        "notes": [n["text"] for n in study.get("notes", [])],
    }


def _groups_text(study: dict[str, Any]) -> str:
    """'n=46 cases, 46 controls', or 'n=17 cases, pain-free controls' where the controls'
    number is not stated, or 'n=37 hips' where only a total is."""
    parts = []
    for key, word in (("cases", "cases"), ("controls", "controls")):
        g = study.get(key)
        if g is None:
            continue
        parts.append(f"{g['count']} {word}" if g.get("count") is not None else g["description"])
    if not any(study.get(k, {}).get("count") is not None for k in ("cases", "controls")) and study.get("total"):
        t = study["total"]
        parts = [f"{t['count']} {t['description']}" if t.get("count") is not None else t["description"]] + parts
    if not parts:
        return "group sizes not stated"
    return "n=" + ", ".join(parts) if parts[0][:1].isdigit() else ", ".join(parts)


def _design_text(study: dict[str, Any]) -> str:
    return study["design"] if study["design"] != "not stated" else "design not stated"


def strength_text(source: Optional[dict[str, Any]], related: list[tuple[dict[str, Any], dict[str, Any]]], figures: bool) -> Optional[str]:
    """The evidence at a glance: 'n=17 cases, pain-free controls; case-control (Lequesne 2008)'.
    A group whose number is not stated is named without a number."""
    if source is not None:
        text = f"{_groups_text(source)}; {_design_text(source)} ({short_name(source)})"
        if source["read"] != "abstract":
            text += f", read in {source['read']} sources"
        return text
    if not figures:
        return None
    text = "source study not identified"
    cands = [short_name(s) for s, f in related if f["relation"] == "candidate source"]
    if cands:
        text += "; candidate (unverified): " + ", ".join(cands)
    others = [f"{short_name(s)} ({f['relation']})" for s, f in related if f["relation"] in ("contrary", "context")]
    if others:
        text += "; see " + ", ".join(others)
    return text


def _arm_count(study: dict[str, Any], arm: Optional[dict[str, Any]], word: str) -> tuple[Optional[dict[str, Any]], Optional[str]]:
    """(count, None) or (None, reason) for one arm of a source study."""
    if arm is None:
        return None, f"{NOT_STATED}: the study record gives no {word} figure"
    group = study.get(arm["group"]) or {}
    n = group.get("count")
    if n is None:
        return None, f"{NOT_STATED}: the number of {arm['group']} is not stated"
    got = ci.derive_count(arm["stated"], n)
    if got is None:
        hits = ci.attainable(arm["stated"], n)
        why = "no" if not hits else "more than one"
        return None, f"{NOT_STATED}: {why} count of {n} {arm['group']} gives the stated {word} {arm['stated']}"
    got["stated"] = arm["stated"]
    got["stated_by"] = arm["stated_by"]
    got["group_quote"] = group.get("quote")
    return got, None


def _ci(d: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """An interval as machine formats carry it: its ends unrounded (pages round them in
    output/words.py), without the point estimate it was computed around."""
    if d is None:
        return None
    return {k: v for k, v in d.items() if k != "estimate"}


def _published(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
    out = []
    for st, f in pairs:
        for p in f.get("published", []):
            out.append(
                {
                    "measure": p["measure"],
                    "index_test": p["index_test"],
                    "value": p["value"],
                    "low": p["low"],
                    "high": p["high"],
                    "status": "published",
                    "citation": st["citation"],
                    "study": st["id"],
                    "quote": p["quote"],
                }
            )
    return out


Exact = Optional[dict[str, tuple[float, float]]]  # the unrounded LR interval ends, by LR


def evidence_fields(kind: str, rec: dict[str, Any], ev: dict[str, Any]) -> tuple[dict[str, Any], Exact]:
    """The study, counts, 95% intervals and strength text for one evidence item, and the
    unrounded ends of its LR intervals (None without counts) for post-test arithmetic."""
    pairs = links(kind, rec, ev)
    source = next(((s, f) for s, f in pairs if f["relation"] == "source"), None)
    related = [(s, f) for s, f in pairs if f["relation"] != "source"]
    out: dict[str, Any] = {
        "study": study_summary(source[0], "source") if source else None,
        "related_studies": [
            {**{k: v for k, v in study_summary(s, f["relation"]).items() if k in ("id", "citation", "name", "relation", "design", "read", "pmid", "doi")}, "note": f.get("note")}
            for s, f in related
        ],
        "sensitivity_count": None,
        "specificity_count": None,
        "sensitivity_ci": None,
        "specificity_ci": None,
        "lr_positive_ci": None,
        "lr_negative_ci": None,
        "ci_notes": {},
        "published_ci": _published(pairs),
    }
    figures = _has_figures(ev)
    exact: Exact = None
    out["evidence_strength"] = strength_text(source[0] if source else None, related, figures)
    point = ev.get("sensitivity") is not None and ev.get("specificity") is not None
    if not figures:
        return out, None
    if not point:
        reason = "the figures are stated as ranges or predictive values, not as counts"
        out["ci_notes"] = {k: f"{NOT_STATED}: {reason}" for k in ("sensitivity", "specificity", "lr_positive", "lr_negative")}
        return out, None
    if source is None:
        reason = f"{NOT_STATED}: no study with group sizes is recorded for these figures"
        out["ci_notes"] = {k: reason for k in ("sensitivity", "specificity", "lr_positive", "lr_negative")}
        return out, None
    study, finding = source
    sens, sens_why = _arm_count(study, finding.get("sensitivity"), "sensitivity")
    spec, spec_why = _arm_count(study, finding.get("specificity"), "specificity")
    out["sensitivity_count"], out["specificity_count"] = sens, spec
    notes: dict[str, str] = {}
    if sens and spec:
        tp, n1 = sens["count"], sens["of"]
        tn, n2 = spec["count"], spec["of"]
        out["sensitivity_ci"] = _ci(ci.proportion_interval(tp, n1))
        out["specificity_ci"] = _ci(ci.proportion_interval(tn, n2))
        lrs = ci.lr_intervals(tp, n1 - tp, n2 - tn, tn)
        out["lr_positive_ci"] = _ci(lrs["lr_positive"])
        out["lr_negative_ci"] = _ci(lrs["lr_negative"])
        exact = {k: (lrs[k]["low"], lrs[k]["high"]) for k in ("lr_positive", "lr_negative")}
        for key, sign, num, den in (("lr_positive", "+", f"{tp}/{n1}", f"{n2 - tn}/{n2}"), ("lr_negative", "-", f"{n1 - tp}/{n1}", f"{tn}/{n2}")):
            est = lrs[key]["estimate"]
            shown = "unbounded" if est is None or math.isinf(est) else significant(est, 4)  # the arithmetic as worked: (41/46) / (4/46) = 10.25
            notes[key] = (
                f"computed from the counts: LR{sign} = ({num}) / ({den}) = {shown}; the point LR{sign} "
                "shown is computed from the stated, rounded figures"
            )
            if lrs["zero_cell_correction"]:
                notes[key] += "; " + ci.ZERO_CELL
    elif sens or spec:
        arm, known, other_key = ("sensitivity", sens, "specificity") if sens else ("specificity", spec, "sensitivity")
        b = ci.one_arm_lr_bounds(arm, known["count"], known["of"], ev[other_key])
        out[f"{arm}_ci"] = _ci(b[arm])
        out["lr_positive_ci"] = _ci(b["lr_positive"])
        out["lr_negative_ci"] = _ci(b["lr_negative"])
        exact = {k: (b[k]["low"], b[k]["high"]) for k in ("lr_positive", "lr_negative")}
        notes[other_key] = sens_why or spec_why  # type: ignore[assignment]
        notes["lr_positive"] = notes["lr_negative"] = b["lr_positive"]["note"]
    else:
        notes = {"sensitivity": sens_why, "specificity": spec_why}  # type: ignore[dict-item]
        notes["lr_positive"] = notes["lr_negative"] = f"{NOT_STATED}: neither arm's counts are known"
    out["ci_notes"] = notes
    return out, exact


def posttest_fields(pretest: float, fields: dict[str, Any], exact: Optional[dict[str, tuple[float, float]]]) -> dict[str, Any]:
    """The post-test probability at each end of an LR interval, for this one finding
    (``exact`` holds the unrounded interval ends that ``evidence_fields`` computed)."""
    out: dict[str, Any] = {}
    for key in ("positive", "negative"):
        band = fields.get(f"lr_{key}_ci")
        if band is None or not exact:
            out[f"posttest_{key}_ci"] = None
            continue
        lo, hi = ci.posttest_interval(pretest, *exact[f"lr_{key}"])
        item = {
            "low": lo,
            "high": hi,
            "method": f"the ends of the LR {'+' if key == 'positive' else '-'} interval through Bayes' theorem ({band['method']})",
        }
        if band.get("note"):
            item["note"] = band["note"]
        out[f"posttest_{key}_ci"] = item
    return out


def lr_interval(kind: str, rec: dict[str, Any], ev: dict[str, Any], positive: bool) -> Optional[dict[str, Any]]:
    """One finding's LR interval, unrounded, for post-test arithmetic (``posttest``, the Fagan
    band): ``{"low", "high", "method", "label"[, "note"]}``, or None with no counts to give one."""
    return finding_interval(kind, rec, ev, positive)["interval"]


def finding_interval(kind: str, rec: dict[str, Any], ev: dict[str, Any], positive: bool) -> dict[str, Any]:
    """One result's LR interval for ``posttest``, and what stands in for it where there is none.

    Returns ``{"interval", "reason", "published"}``: ``interval`` is the unrounded
    ``{"low", "high", "method", "label"[, "note"]}`` computed from the study's counts (both
    arms: the log method; one arm: the range it implies, labelled as not a 95% CI), or None;
    ``reason`` says why there is none ("counts not stated: ..."); ``published`` lists the
    intervals a source publishes for this LR, quoted as they are (about the source's own
    estimate, which need not be the LR that is used). Answers are kept while the study
    records stay the same (a batch of post-test lines asks the same few questions); the
    answer is shared, so callers copy before they change it.
    """
    answers: dict[Any, Any] = loader.derived("evidence.intervals", dict)  # {key: (ev, answer)}, per Reference
    key = (kind, rec["id"], ev["condition"], positive)
    hit = answers.get(key)
    if hit is not None and hit[0] is ev:
        return hit[1]
    answer = _finding_interval(kind, rec, ev, positive)
    answers[key] = (ev, answer)
    return answer


def _finding_interval(kind: str, rec: dict[str, Any], ev: dict[str, Any], positive: bool) -> dict[str, Any]:
    fields, exact = evidence_fields(kind, rec, ev)
    key = "lr_positive" if positive else "lr_negative"
    published = [p for p in fields["published_ci"] if p["measure"] == key]
    band = fields.get(f"{key}_ci")
    corrected = zero_cell_lr(ev, fields, positive)
    if band is None or not exact:
        reason = fields["ci_notes"].get(key) or f"{NOT_STATED}: no study with group sizes is recorded for these figures"
        return {"interval": None, "reason": reason, "published": published, "corrected": corrected}
    lo, hi = exact[key]
    note = fields["ci_notes"].get(key) or band.get("note")
    sens, spec = fields["sensitivity_count"], fields["specificity_count"]
    if sens and spec:
        label = f"95% CI, log method (Simel 1991), from {sens['count']}/{sens['of']} and {spec['count']}/{spec['of']}"
        if band.get("note") == ci.ZERO_CELL:
            label += "; 0.5 added to every cell (a cell is 0)"
    else:
        arm, known, other = ("sensitivity", sens, "specificity") if sens else ("specificity", spec, "sensitivity")
        label = (
            f"one known arm: {arm} {known['count']}/{known['of']} at the stated {other} "
            f"{ev[other]:g} ({other} counts not stated); not a 95% CI"
        )
    interval = {**band, "low": lo, "high": hi, "label": label}
    if note:
        interval["note"] = note
    return {"interval": interval, "reason": None, "published": published, "corrected": corrected}


# The zero-cell convention and its caveat, as read (abstracts, and a library's documentation):
ZERO_CELL_CITATION = "zero-cell-corrections-2020"
CORRECTED_NOTE = (
    "A stated {figure} from {n} {group} gives a likelihood ratio of {shown} (certainty in this "
    "arithmetic), which a finite sample cannot give. The ratio used is {corrected:.4g}, from {how}: the "
    "common convention for a table with a zero cell. The correction biases the estimate towards no "
    "effect, which is why it is applied only where a cell is 0; the range beside it is the one the "
    "counts allow."
)


def zero_cell_lr(ev: dict[str, Any], fields: dict[str, Any], positive: bool) -> Optional[dict[str, Any]]:
    """The likelihood ratio to use where the stated point figures give 0 or infinity (a cell of
    the 2x2 table is 0) and the zero arm's size is known: ``{"lr", "uncorrected", "method",
    "note", "citation"}``; None where the point LR is finite or no count allows a correction.

    Both arms' counts known: 0.5 is added to every cell (TP, FN, FP, TN) and both figures are
    recomputed. Only the zero arm's count known: 0.5 is added to that arm's two cells alone
    (17 of 17 cases positive -> sensitivity (17 + 0.5)/(17 + 1)), and the other arm keeps its
    stated figure. A zero arm without a count is left as stated (the caller keeps the note
    that a 100% figure from a finite sample may be lower).
    """
    sens, spec = ev.get("sensitivity"), ev.get("specificity")
    if sens is None or spec is None:
        return None
    from dxcli.calc.likelihood import lr_negative, lr_positive

    fn = lr_positive if positive else lr_negative
    raw = fn(sens, spec)
    if raw is None or not (raw == 0 or math.isinf(raw)):
        return None
    sc, pc = fields.get("sensitivity_count"), fields.get("specificity_count")
    # LR+ = sens/(1 - spec) is 0 at sens 0 and infinite at spec 1; LR- = (1 - sens)/spec is 0 at
    # sens 1 and infinite at spec 0: the arm whose figure is at its bound has the zero cell
    zero_arm = "sensitivity" if sens == (0.0 if positive else 1.0) else "specificity"
    if sc and pc:
        tp, n1, tn, n2 = sc["count"], sc["of"], pc["count"], pc["of"]
        if 0 not in (tp, n1 - tp, tn, n2 - tn):
            return None
        s_c, p_c = (tp + 0.5) / (n1 + 1), (tn + 0.5) / (n2 + 1)
        how = f"0.5 added to every cell of the 2x2 table ({tp}/{n1} cases positive, {tn}/{n2} controls negative)"
    else:
        known = sc if zero_arm == "sensitivity" else pc
        if not known:
            return None
        k, n = known["count"], known["of"]
        corrected_arm = (k + 0.5) / (n + 1)
        s_c, p_c = (corrected_arm, spec) if zero_arm == "sensitivity" else (sens, corrected_arm)
        other = "specificity" if zero_arm == "sensitivity" else "sensitivity"
        how = (f"0.5 added to each cell of the {zero_arm} arm alone ({zero_arm} ({k} + 0.5)/({n} + 1)), "
               f"at the stated {other} of {ev[other]:g}, whose counts are not stated")
    lr = fn(s_c, p_c)
    if lr is None or lr == 0 or math.isinf(lr):
        return None
    count = sc if zero_arm == "sensitivity" else pc
    group = "cases" if zero_arm == "sensitivity" else "controls"
    bound = "100%" if (ev[zero_arm] == 1.0) else "0%"
    note = CORRECTED_NOTE.format(figure=f"{zero_arm} of {bound}", n=count["of"], group=group, shown="0" if raw == 0 else "infinity",
                                 corrected=lr, how=how)
    return {"lr": lr, "uncorrected": raw, "method": how, "note": note, "citation": ZERO_CELL_CITATION}
