"""95% confidence intervals for accuracy figures: pure functions, no I/O.

- A proportion (sensitivity, specificity, a collapse rate) from k of n: the Wilson score
  interval (Wilson 1927; method 3 of Newcombe 1998).
- A likelihood ratio from a 2x2 table: the log method of Simel, Samsa and Matchar (1991).
  LR+ = (TP/cases) / (FP/controls) and LR- = (FN/cases) / (TN/controls); the standard error
  of ln LR is sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2), and the interval is exp(ln LR -/+ z SE).
- Zero cells: when any cell of the table is 0 the log method is undefined, so 0.5 is added
  to every cell (all four, for both LRs) before the interval is computed, and the result
  says so. The point LRs stay those of the counts as observed.
- One known arm: when only the cases' counts (or only the controls') are known and the
  other arm is a stated proportion without counts, the known arm's Wilson interval is
  carried into the LR at the stated figure of the other arm. That range leaves out the
  other arm's own uncertainty: it is labelled as such and is not a 95% CI for the LR.
- A stated percentage gives a count only when exactly one integer numerator reproduces it
  with a stated denominator (``derive_count``); otherwise there is no count.

Every interval is a dict ``{"low", "high", "method"}`` (plus ``"note"`` where the method
needs one), ready for JSON.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:
    from fractions import Fraction

# The 97.5th percentile of the standard normal distribution (a two-sided 95% interval).
Z95 = 1.959963984540054

WILSON = "Wilson score 95% interval (Wilson 1927; Newcombe 1998)"
SIMEL = "log method 95% interval (Simel, Samsa and Matchar 1991)"
ZERO_CELL = (
    "a cell of the 2x2 table is 0, so the log method is undefined: 0.5 was added to every cell "
    "before the interval was computed (the point estimate uses the counts as observed)"
)
ONE_ARM = "one known arm: the {arm}'s Wilson 95% interval at the stated {other} of {value:g} ({why})"
ONE_ARM_NOTE = (
    "only the {arm}'s counts are known; this range carries the {arm}'s interval through the "
    "stated {other} and leaves out the {other}'s own uncertainty, so it is not a 95% "
    "confidence interval for the likelihood ratio"
)


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for the proportion k/n: (low, high), both in [0, 1].

    centre = (p + z^2/2n) / (1 + z^2/n); half-width = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n).
    At k = 0 the lower limit is exactly 0, and at k = n the upper limit is exactly 1.
    """
    if n <= 0:
        raise ValueError("a proportion needs a denominator of at least 1")
    if not 0 <= k <= n:
        raise ValueError(f"a count of {k} is outside 0-{n}")
    p = k / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high


def proportion_interval(k: int, n: int) -> dict[str, Any]:
    lo, hi = wilson(k, n)
    return {"low": lo, "high": hi, "method": WILSON, "count": k, "of": n}


def _log_ratio(x1: float, n1: float, x2: float, n2: float, z: float) -> tuple[float, float]:
    """exp(ln((x1/n1)/(x2/n2)) -/+ z sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2)); all of x1, x2 > 0."""
    ratio = (x1 / n1) / (x2 / n2)
    se = math.sqrt(1 / x1 - 1 / n1 + 1 / x2 - 1 / n2)
    return math.exp(math.log(ratio) - z * se), math.exp(math.log(ratio) + z * se)


def _ratio(x1: int, n1: int, x2: int, n2: int) -> Optional[float]:
    num, den = x1 / n1, x2 / n2
    if den == 0:
        return None if num == 0 else math.inf
    return num / den


def lr_intervals(tp: int, fn: int, fp: int, tn: int, z: float = Z95) -> dict[str, Any]:
    """LR+ and LR- with their log-method 95% intervals from a 2x2 table.

    Returns ``{"lr_positive": {...}, "lr_negative": {...}, "zero_cell_correction": bool}``;
    each LR is ``{"estimate", "low", "high", "method"[, "note"]}``.
    """
    for name, v in (("tp", tp), ("fn", fn), ("fp", fp), ("tn", tn)):
        if v < 0:
            raise ValueError(f"{name} is negative")
    cases, controls = tp + fn, fp + tn
    if cases == 0 or controls == 0:
        raise ValueError("a likelihood ratio needs at least one case and one control")
    corrected = 0 in (tp, fn, fp, tn)
    a, c, b, d = (x + 0.5 if corrected else float(x) for x in (tp, fn, fp, tn))
    n1, n2 = a + c, b + d
    pos_lo, pos_hi = _log_ratio(a, n1, b, n2, z)
    neg_lo, neg_hi = _log_ratio(c, n1, d, n2, z)
    out: dict[str, Any] = {"zero_cell_correction": corrected}
    for key, est, lo, hi in (
        ("lr_positive", _ratio(tp, cases, fp, controls), pos_lo, pos_hi),
        ("lr_negative", _ratio(fn, cases, tn, controls), neg_lo, neg_hi),
    ):
        item: dict[str, Any] = {"estimate": est, "low": lo, "high": hi, "method": SIMEL}
        if corrected:
            item["note"] = ZERO_CELL
        out[key] = item
    return out


def one_arm_lr_bounds(arm: str, k: int, n: int, other: float) -> dict[str, Any]:
    """The known arm's Wilson interval carried into LR+ and LR- at the other arm's stated figure.

    ``arm`` is "sensitivity" (k of n cases positive) or "specificity" (k of n controls
    negative); ``other`` is the other arm's stated proportion. LR+ = sens / (1 - spec) and
    LR- = (1 - sens) / spec are monotone in the known arm, so the range's ends are the
    interval's ends. An LR with a zero denominator is ``math.inf``.
    """
    if arm not in ("sensitivity", "specificity"):
        raise ValueError("arm is sensitivity or specificity")
    if not 0.0 <= other <= 1.0:
        raise ValueError("the stated figure of the other arm is a proportion")
    lo, hi = wilson(k, n)
    other_name = "specificity" if arm == "sensitivity" else "sensitivity"

    def lr_pos(sens: float, spec: float) -> float:
        return math.inf if spec == 1.0 else sens / (1.0 - spec)

    def lr_neg(sens: float, spec: float) -> float:
        return math.inf if spec == 0.0 else (1.0 - sens) / spec

    if arm == "sensitivity":
        pos = (lr_pos(lo, other), lr_pos(hi, other))
        neg = (lr_neg(hi, other), lr_neg(lo, other))
    else:
        pos = (lr_pos(other, lo), lr_pos(other, hi))
        pos = (min(pos), max(pos))
        neg = (lr_neg(other, hi), lr_neg(other, lo))
    why = f"{other_name} counts not stated"
    label = ONE_ARM.format(arm=arm, other=other_name, value=other, why=why)
    note = ONE_ARM_NOTE.format(arm=arm, other=other_name)
    return {
        arm: {"low": lo, "high": hi, "method": WILSON, "count": k, "of": n},
        "lr_positive": {"low": pos[0], "high": pos[1], "method": label, "note": note},
        "lr_negative": {"low": neg[0], "high": neg[1], "method": label, "note": note},
    }


def posttest_interval(pretest: float, low: float, high: float) -> tuple[float, float]:
    """The post-test probabilities at the two ends of an LR interval (Bayes is monotone in LR)."""
    from dxcli.calc.likelihood import posttest

    return posttest(pretest, low), posttest(pretest, high)


def parse_stated(text: str) -> "tuple[Fraction, Fraction]":
    """A figure as a source writes it ("88%", "97.3%", "0.89", "100%") as an exact proportion
    and the half-width of its last stated digit: "88%" -> (22/25, 1/200)."""
    from decimal import Decimal, InvalidOperation
    from fractions import Fraction

    t = text.strip()
    percent = t.endswith("%")
    try:
        d = Decimal(t.rstrip("%").strip())
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a stated proportion or percentage") from None
    exponent = d.as_tuple().exponent
    if not isinstance(exponent, int):
        raise ValueError(f"{text!r} is not a number")
    value = Fraction(d)
    half = Fraction(1, 2) * Fraction(10) ** exponent
    if percent:
        value, half = value / 100, half / 100
    if not 0 <= value <= 1:
        raise ValueError(f"{text!r} is not a proportion")
    return value, half


def _stated_ints(text: str) -> tuple[int, int, int]:
    """``parse_stated`` in whole numbers over one denominator: (a, h, d) with the proportion
    a/d and the half-width h/d, exactly. A figure written as digits with an optional point and
    per cent is read without ``decimal`` and ``fractions`` (their import and arithmetic cost
    more than the answer): "88%" is 88/100, so d = 2 x 100 = 200, a = 2 x 88 = 176 and h = 1
    (half of the last digit, 1/200); "0.82" is 82/100: d = 200, a = 164, h = 1. Anything else
    goes through ``parse_stated``."""
    t = text.strip()
    body = t.rstrip("%").strip()
    whole, point, frac = body.partition(".")
    if _digits(whole) and (not point or _digits(frac)):  # as the data writes a figure: 88, 97.3, 0.82
        d = 2 * 10 ** len(frac) * (100 if t.endswith("%") else 1)
        a = 2 * int(whole + frac)
        if a > d:
            raise ValueError(f"{text!r} is not a proportion")
        return a, 1, d
    value, half = parse_stated(text)
    d = value.denominator * half.denominator
    return value.numerator * half.denominator, half.numerator * value.denominator, d


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()  # (isdigit alone takes '²', which int() refuses)


def _hits(stated: str, n: int) -> list[int]:
    """Every k of 0..n with |k/n - stated| <= half its last digit: |k d - a n| <= h n."""
    if n == 0:  # as k/0 always was
        raise ZeroDivisionError(f"a count of {stated!r} of 0")
    a, h, d = _stated_ints(stated)
    return [k for k in range(n + 1) if abs(k * d - a * n) <= h * n]


def derive_count(stated: str, n: int) -> Optional[dict[str, Any]]:
    """The one numerator k with k/n equal to ``stated`` at its stated precision, or None.

    "88%" of 17: 15/17 = 0.882 rounds to 88% and no other k does, so k = 15. "0.82" of 46:
    37/46 = 0.804 and 38/46 = 0.826, so no k gives 0.82 and there is no count. A tie on a
    rounding boundary counts as a match, so an ambiguous figure gives no count either.
    """
    if n <= 0:
        return None
    hits = _hits(stated, n)
    if len(hits) != 1:
        return None
    k = hits[0]
    near = [x for x in (k - 1, k + 1) if 0 <= x <= n]
    others = ", ".join(f"{x}/{n} = {x / n:.3f}" for x in near)
    arithmetic = (
        f"{k}/{n} = {k / n:.4f} rounds to the stated {stated.strip()}; no other count of {n} does "
        f"({others})"
    )
    return {"count": k, "of": n, "status": "derived", "arithmetic": arithmetic}


def attainable(stated: str, n: int) -> list[int]:
    """Every numerator k of n that reproduces ``stated`` at its precision (possibly none)."""
    return _hits(stated, n)
