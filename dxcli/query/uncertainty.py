"""Simulation intervals for what ``posttest`` and the ranked differential resolve (issue 24).

The findings are resolved as ``query.bayes.finding_lr`` resolves them; their counts are read
from the study records as ``query.evidence.evidence_fields`` derives them; the draws are
``calc.simulation``'s. The results are plain dicts in the interval shape of the rest of the
output: ``{low, high, method, draws, seed, fixed, ...}``.

- ``posttest_interval(pretest, findings, condition)``: the 95% simulation interval of the
  post-test probability of a chain (a pre-test range ``(low, high)`` is drawn uniformly).
- ``record_finding(kind, rec, ev, positive)``: one measured result as a simulation finding.
- ``lr_interval(findings)`` and ``order_stability(a, b)``: for the ranked differential, a
  condition's combined LR interval and how often one condition's LR product exceeds another's.
"""

from __future__ import annotations

import math
from typing import Any, Optional, Sequence, Union

from dxcli.calc import simulation as sim
from dxcli.query.accuracy import _box, study_of
from dxcli.query.evidence import evidence_fields
from dxcli.reference import loader

SAME_STUDY = (
    "findings from one study are drawn independently: the correlation between them within the "
    "study is not reported, so it is not modelled"
)
INDEPENDENCE = (
    "the findings' likelihood ratios are multiplied in each draw, which assumes they are "
    "conditionally independent given the condition, as the point estimate does"
)
TOO_NARROW = "these findings are held fixed rather than drawn, so the interval is too narrow: {names}"
PRETEST_RANGE = "the pre-test probability is drawn uniformly between {low:g} and {high:g} in each draw"
FIRM = 0.95

Pretest = Union[float, tuple[float, float]]


def _sig(x: float) -> float:
    """Two significant digits (a Monte Carlo error is an estimate of an estimate's error)."""
    return x if x == 0.0 or math.isinf(x) else float(f"{x:.2g}")


def record_finding(kind: str, rec: dict[str, Any], ev: dict[str, Any], positive: bool,
                   name: Optional[str] = None, lr: Optional[float] = None) -> sim.Finding:
    """A maneuver's or test's result as a simulation finding: the counts its source study gives
    (both arms, one, or none), the stated figure of an arm without counts, and its point LR."""
    fields, _ = evidence_fields(kind, rec, ev)
    sens_c, spec_c = fields["sensitivity_count"], fields["specificity_count"]
    sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
    point = sens is not None and spec is not None and sens[0] == sens[1] and spec[0] == spec[1]
    if lr is None and point:
        from dxcli.calc.likelihood import lr_negative, lr_positive

        lr = (lr_positive if positive else lr_negative)(sens[0], spec[0])  # type: ignore[index]
    return sim.Finding(
        name=name or f"{rec['id']}{'+' if positive else '-'}",
        positive=positive,
        sensitivity=(sens_c["count"], sens_c["of"]) if sens_c else None,
        specificity=(spec_c["count"], spec_c["of"]) if spec_c else None,
        sensitivity_point=sens[0] if point else None,  # type: ignore[index]
        specificity_point=spec[0] if point else None,  # type: ignore[index]
        lr=lr,
    )


def _step_finding(step: dict[str, Any]) -> sim.Finding:
    """A resolved ``posttest`` step (``bayes.finding_lr``) as a simulation finding."""
    if step["kind"] == "raw":
        return sim.Finding(name=step["finding"], lr=step["lr"], kind="typed")
    kind = step["kind"]
    rec = loader.by_id(kind)[step[kind]]
    ev = next(e for e in rec["evidence"] if e["condition"] == step["condition"]
              and _box(e, "sensitivity") and _box(e, "specificity"))
    return record_finding(kind, rec, ev, step["result"] == "positive", name=step["finding"], lr=step["lr"])


def _notes(findings: Sequence[sim.Finding], got: dict[str, Any], sources: Sequence[Optional[str]]) -> list[str]:
    notes = []
    if len(findings) > 1:
        notes.append(INDEPENDENCE)
    drawn_sources = [study_of(s) if isinstance(s, dict) else s for f, s in zip(findings, sources) if s and f.drawn != "none"]
    drawn_sources = [s for s in drawn_sources if s]
    if len(drawn_sources) != len(set(drawn_sources)):
        notes.append(SAME_STUDY)
    if got["fixed"]:
        notes.append(TOO_NARROW.format(names=", ".join(x["finding"] for x in got["fixed"])))
    return notes


def _shape(got: dict[str, Any], ends: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """An interval for machine formats: its ends unrounded (pages round them in words, never a
    bare 0% or 100% from a finite sample), its Monte Carlo error to two significant digits."""
    return {
        "low": ends["low"],
        "high": ends["high"],
        "method": got["method"],
        "draws": got["draws"],
        "seed": got["seed"],
        "fixed": got["fixed"],
        "mc_error": {"low": _sig(ends["mc_error_low"]), "high": _sig(ends["mc_error_high"]), "method": sim.MC_METHOD},
        "notes": notes,
        "label": _label(got),
    }


def _label(got: dict[str, Any]) -> str:
    """The interval's name in a few words (a picture's legend), with what it leaves out."""
    text = f"95% simulation interval (Jeffreys priors, {got['draws']:,} draws, seed {got['seed']})"
    if got["fixed"]:
        text += "; too narrow: " + ", ".join(x["finding"] for x in got["fixed"]) + " held fixed"
    return text


def fagan_band(interval: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A chain's simulation interval as the LR band a Fagan nomogram shades from the pre-test
    probability (``{"low", "high", "label"}``), or None (no interval, or an unbounded end)."""
    lr = (interval or {}).get("lr")
    if not lr or lr["low"] is None or lr["high"] is None or math.isinf(lr["high"]):
        return None
    return {"low": lr["low"], "high": lr["high"], "label": interval["label"]}  # type: ignore[index]


def simulate(findings: Sequence[sim.Finding], pretest: Optional[Pretest] = None,
             draws: int = sim.DEFAULT_DRAWS, seed: int = sim.DEFAULT_SEED,
             sources: Sequence[Optional[str]] = ()) -> Optional[dict[str, Any]]:
    """The chain's interval: the post-test probability's with a pre-test, otherwise the combined
    LR's; ``lr`` holds the LR interval in both cases. None when nothing in the chain is drawn
    (every finding fixed: no interval, not a zero-width one)."""
    return _simulate(findings, pretest, draws, seed, sources)[0]


def _simulate(findings: Sequence[sim.Finding], pretest: Optional[Pretest], draws: int, seed: int,
              sources: Sequence[Optional[str]], stream: Optional[str] = None) -> tuple[Optional[dict[str, Any]], list[float]]:
    """(the interval, the combined LR of each draw); (None, the fixed product) when nothing is drawn."""
    if not any(f.drawn != "none" for f in findings):
        sim.check_draws(draws)
        sim.check_seed(seed)
        fixed = math.prod(f.lr for f in findings if f.lr is not None) if findings else 1.0
        return None, [fixed] * draws
    got = sim.simulate_chain(findings, pretest, draws, seed, stream=stream, keep_draws=True)
    notes = _notes(findings, got, list(sources) or [None] * len(findings))
    if isinstance(pretest, tuple):
        notes.append(PRETEST_RANGE.format(low=pretest[0], high=pretest[1]))
    lr = _shape(got, got["lr"], notes)
    if got["probability"] is None:
        return lr, got["lr_draws"]
    out = _shape(got, got["probability"], notes)
    out["lr"] = {k: lr[k] for k in ("low", "high")}
    return out, got["lr_draws"]


def posttest_interval(pretest: Pretest, findings: list[str], condition: Optional[str] = None,
                      draws: int = sim.DEFAULT_DRAWS, seed: int = sim.DEFAULT_SEED) -> dict[str, Any]:
    """The 95% simulation interval of ``posttest``'s answer, or why there is none.

    Returns ``{"interval": {low, high, method, draws, seed, fixed, mc_error, notes, lr} or None,
    "reason": None or str}``. A finding stated as a range of figures gives no interval (the
    point answer is itself a range).
    """
    from dxcli.query.bayes import finding_lr

    sim.check_draws(draws)
    sim.check_seed(seed)
    steps = [finding_lr(f, condition) for f in findings]
    return steps_interval(pretest, steps, draws, seed)


def steps_interval(pretest: Pretest, steps: list[dict[str, Any]], draws: int = sim.DEFAULT_DRAWS,
                   seed: int = sim.DEFAULT_SEED) -> dict[str, Any]:
    """``posttest_interval`` from steps ``bayes.finding_lr`` already resolved (one call site in
    ``bayes.run_exact`` can pass its own)."""
    ranged = [s["finding"] for s in steps if s.get("lr") is None]
    if ranged:
        return {"interval": None, "reason": "a finding's accuracy is stated as a range, not as counts: no simulation interval (" + ", ".join(ranged) + ")"}
    findings = [_step_finding(s) for s in steps]
    got = simulate(findings, pretest, draws, seed, sources=[s.get("source") for s in steps])
    if got is None:
        return {"interval": None, "reason": "no finding has counts to draw from: every likelihood ratio is fixed, so there is no simulation interval"}
    return {"interval": got, "reason": None}


def lr_interval(findings: Sequence[sim.Finding], draws: int = sim.DEFAULT_DRAWS, seed: int = sim.DEFAULT_SEED,
                sources: Sequence[Optional[str]] = ()) -> Optional[dict[str, Any]]:
    """A condition's combined LR from measured findings, with its 95% simulation interval."""
    return simulate(findings, None, draws, seed, sources)


def order_stability(a: Sequence[sim.Finding], b: Sequence[sim.Finding], draws: int = sim.DEFAULT_DRAWS,
                    seed: int = sim.DEFAULT_SEED) -> dict[str, Any]:
    """How firm "a above b by LR product" is: ``{share, draws, seed, firm, mc_error, text}``;
    ``firm`` is False where it holds in fewer than 95% of draws."""
    return _order_words(sim.order_holds(a, b, draws, seed))


def _order_words(got: dict[str, Any]) -> dict[str, Any]:
    share, draws = got["share"], got["draws"]
    shown = f"{math.floor(share * 100)}%" if share < 1 else "100%"
    if 0 < share < 0.01:
        shown = "under 1%"
    text = f"holds in {shown} of {draws:,} draws"
    if share < FIRM:
        text += ": the order is not firm"
    return {**got, "mc_error": _sig(got["mc_error"]), "firm": share >= FIRM, "text": text}


def with_simulation(result: dict[str, Any], pretest: Pretest, findings: list[str], condition: Optional[str] = None,
                    draws: int = sim.DEFAULT_DRAWS, seed: int = sim.DEFAULT_SEED) -> dict[str, Any]:
    """``posttest``'s result with ``posttest_simulation`` (the interval, or None) and
    ``posttest_simulation_note`` (why there is none, or None) added as its last keys, so the
    columns of CSV and TSV before them keep their places."""
    # the condition the chain was computed for (posttest may have worked it out from the findings)
    got = posttest_interval(pretest, findings, condition or result.get("condition"), draws, seed)
    return {**result, "posttest_simulation": got["interval"], "posttest_simulation_note": got["reason"]}


def _condition_chain(row: dict[str, Any]) -> tuple[list[sim.Finding], list[Any]]:
    """The measured results behind a ranked condition's LR product, as simulation findings."""
    from dxcli.query.reasoning import _measured

    # only this row's findings, through the store's index: the cost follows the answer, not the data
    by_id = loader.by_ids("finding", list(dict.fromkeys(fid for item in row.get("supporting", []) + row.get("against", [])
                                                        if item.get("lr") is not None for fid in item["findings"])))
    findings: list[sim.Finding] = []
    sources: list[Any] = []
    for item in row.get("supporting", []) + row.get("against", []):
        if item.get("lr") is None:
            continue
        for fid in item["findings"]:
            f = by_id.get(fid)
            m = _measured(f, row["id"]) if f is not None else None
            if m is None:
                continue
            kind = "maneuver" if f.get("maneuver") else "test"  # type: ignore[union-attr]
            findings.append(record_finding(kind, m[1], m[2], f["result"] == "positive", name=fid, lr=m[0]))  # type: ignore[index]
            sources.append(m[2]["source"])
    return findings, sources


def with_differential_simulation(result: dict[str, Any], draws: int = sim.DEFAULT_DRAWS,
                                 seed: int = sim.DEFAULT_SEED) -> dict[str, Any]:
    """The ranked differential with, on each condition, ``lr_simulation`` (the 95% simulation
    interval of its combined LR from measured findings, or None without any) and
    ``order_simulation`` where the condition is placed above the next one by LR product alone
    (equal scores, different products): ``{below, share, draws, seed, firm, mc_error, text,
    fixed}``, or None. Each condition's chain is drawn once, from its own stream of the seed
    (``calc.simulation.generator``), and the same draws give its interval and its orders. The
    score-based order is unchanged."""
    sim.check_draws(draws)
    sim.check_seed(seed)
    rows = result["conditions"]
    chains = [_condition_chain(r) for r in rows]
    products = []
    for r, (fs, srcs) in zip(rows, chains):
        # each condition's chain from its own stream: independent of the others, and the same
        # draws give its interval and every order it takes part in
        band, xs = _simulate(fs, None, draws, seed, srcs, stream=r["id"]) if fs else (None, [1.0] * draws)
        r["lr_simulation"] = band
        r["order_simulation"] = None
        products.append(xs)
    for i in range(len(rows) - 1):
        a, b = rows[i], rows[i + 1]
        both = chains[i][0] + chains[i + 1][0]
        if a["score"] != b["score"] or a["rank"] == b["rank"] or not any(f.drawn != "none" for f in both):
            continue  # not ordered by LR product, or nothing to draw (fixed against fixed)
        got = _order_words(sim.share_result(sim.share_above(products[i], products[i + 1]), draws, seed))
        fixed = [x for x in (sim.fixed_reason(f) for f in both) if x is not None]
        a["order_simulation"] = {"below": b["id"], **got, "fixed": fixed}
    return result


PRETEST_RANGE_NOTE = (
    "the pre-test probability is given as a range ({low}\u2013{high}): each post-test probability is the range "
    "from its two ends, with no single value"
)
PRETEST_RANGE_CI = (
    "no analytic interval for a pre-test range: the simulation interval draws the pre-test probability "
    "uniformly over it"
)


def posttest(pretest: Pretest, findings: list[str], condition: Optional[str] = None, draws: Optional[int] = None,
             seed: Optional[int] = None) -> tuple[dict[str, Any], Optional[float], Optional[dict[str, Any]]]:
    """``dxcli posttest`` for one case, shared by the CLI and ``dxcli.api``: (the result with
    its simulation interval, the unrounded combined LR the nomogram draws, the band it shades:
    one finding's 95% CI, or for several the chain's simulation interval). A pre-test range
    ``(low, high)`` gives ``pretest`` None, ``pretest_range`` [low, high] and the post-test
    range from its ends (``posttest_range``), as a finding stated as a range does."""
    from dxcli.query import bayes

    ranged = isinstance(pretest, tuple)
    n_draws = sim.check_draws((sim.RANGE_DRAWS if ranged else sim.DEFAULT_DRAWS) if draws is None else draws)
    n_seed = sim.check_seed(sim.DEFAULT_SEED if seed is None else seed)
    if ranged:
        result, lr, band = _range_result(pretest, findings, condition)
    else:
        result, lr, band = bayes.run_exact(pretest, findings, condition)
    result = with_simulation(result, pretest, findings, condition, n_draws, n_seed)
    result["pretest_range"] = list(pretest) if isinstance(pretest, tuple) else None
    if band is None:
        band = fagan_band(result["posttest_simulation"])
    return result, lr, band


BATCH_RANGE_CI = ("no analytic interval for a pre-test range, and a batch line gets no simulation interval: "
                  "give the case alone (posttest -p LOW-HIGH FINDING...) for one")


def point(pretest: Pretest, findings: list[str], condition: Optional[str] = None) -> dict[str, Any]:
    """``posttest``'s point answer without the simulation: a batch line's row. A pre-test range
    gives the same keys as one value (``pretest`` and ``posttest`` None, ``posttest_range`` from
    its two ends), so every row of a batch has one shape."""
    from dxcli.query import bayes

    if isinstance(pretest, tuple):
        out = _range_result(pretest, findings, condition)[0]
        out["posttest_ci_note"] = BATCH_RANGE_CI
        return out
    return bayes.run(pretest, findings, condition)


def _range_result(pretest: tuple[float, float], findings: list[str],
                  condition: Optional[str]) -> tuple[dict[str, Any], Optional[float], Optional[dict[str, Any]]]:
    """posttest's point answer for a pre-test range: the answers at its two ends, merged. Every
    probability that follows from the pre-test becomes the range between them (the post-test
    probability increases with the pre-test at any LR), and what is worked from one pre-test
    probability alone (the analytic interval, a published interval's post-test, the answer
    with the primary source's figures) is left out, and the note says so."""
    from dxcli.query import bayes

    low, high = pretest
    r_lo, lr, band = bayes.run_exact(low, findings, condition)
    r_hi = bayes.run_exact(high, findings, r_lo["condition"] or condition)[0]

    def ends(a: dict[str, Any], b: dict[str, Any], key: str) -> Optional[list[float]]:
        lo = a[key] if a[key] is not None else (a[key + "_range"] or [None])[0]
        hi = b[key] if b[key] is not None else (b[key + "_range"] or [None, None])[1]
        return None if lo is None or hi is None else [lo, hi]

    out = dict(r_lo)
    out["pretest"] = None
    out["posttest"] = None
    out["posttest_range"] = ends(r_lo, r_hi, "posttest")
    out["posttest_ci"] = None
    out["posttest_ci_note"] = PRETEST_RANGE_CI
    out["posttest_with_primary_figures"] = None
    steps = []
    for a, b in zip(r_lo["steps"], r_hi["steps"]):
        step = dict(a)
        step["probability"] = None
        step["probability_range"] = ends(a, b, "probability")
        step["probability_ci"] = None
        step["published_lr_ci"] = [{**row, "probability_if_alone": None, "probability_if_alone_ci": None}
                                   for row in a["published_lr_ci"]]
        step["with_primary_figures"] = [{**row, "probability_if_alone": None} for row in a["with_primary_figures"]]
        steps.append(step)
    out["steps"] = steps
    note = PRETEST_RANGE_NOTE.format(low=f"{low:g}", high=f"{high:g}")
    out["notes"] = [{"kind": "arithmetic", "text": note, "citation": None}, *r_lo["notes"]]
    return out, lr, None
