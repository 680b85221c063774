"""Likelihood ratios and post-test probability: pure functions, no I/O.

LR+ = sens / (1 - spec); LR- = (1 - sens) / spec; post-test odds = pre-test odds x LR.
An unbounded ratio (specificity 1 for LR+, specificity 0 for LR-) is ``math.inf``;
an undefined one (0/0) is ``None``.
"""

from __future__ import annotations

import math
from typing import Optional

INF = math.inf


def _ratio(num: float, den: float) -> Optional[float]:
    if den == 0:
        return None if num == 0 else INF
    return num / den


def lr_positive(sens: float, spec: float) -> Optional[float]:
    return _ratio(sens, 1.0 - spec)


def lr_negative(sens: float, spec: float) -> Optional[float]:
    return _ratio(1.0 - sens, spec)


def lr_ranges(
    sens: tuple[float, float], spec: tuple[float, float]
) -> tuple[tuple[Optional[float], Optional[float]], tuple[Optional[float], Optional[float]]]:
    """(LR+ low, high), (LR- low, high) over the box sens x spec.

    LR+ rises with sensitivity and with specificity; LR- falls with both, so the
    extremes lie at opposite corners of the box.
    """
    (s_lo, s_hi), (p_lo, p_hi) = sens, spec
    pos = (lr_positive(s_lo, p_lo), lr_positive(s_hi, p_hi))
    neg = (lr_negative(s_hi, p_hi), lr_negative(s_lo, p_lo))
    return pos, neg


def posttest(pretest: float, lr: float) -> float:
    """Post-test probability from a pre-test probability and a likelihood ratio.

    A pre-test probability of 0 or 1 stays put (certainty does not move); an LR of
    infinity gives 1 and an LR of 0 gives 0 for any other pre-test probability.
    """
    if not 0.0 <= pretest <= 1.0:
        raise ValueError("pretest must lie in [0, 1]")
    if lr < 0 or math.isnan(lr):
        raise ValueError("a likelihood ratio is non-negative")
    if pretest in (0.0, 1.0):
        return pretest
    if math.isinf(lr):
        return 1.0
    weight = pretest * lr  # post-test odds x (1 - pretest), kept finite
    if math.isinf(weight):
        return 1.0
    return weight / ((1.0 - pretest) + weight)
