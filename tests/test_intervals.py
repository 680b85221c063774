"""Interval arithmetic, against values worked by hand (in the comments) and a published example.

z = 1.959964 (the 97.5th percentile of the standard normal), z^2 = 3.841459.

Wilson (1927) score interval for k of n, p = k/n:
    centre = (p + z^2/2n) / (1 + z^2/n)
    half   = z sqrt(p(1-p)/n + z^2/4n^2) / (1 + z^2/n)
Simel, Samsa and Matchar (1991) log method for LR = (x1/n1) / (x2/n2):
    SE(ln LR) = sqrt(1/x1 - 1/n1 + 1/x2 - 1/n2);  CI = exp(ln LR -/+ z SE)

The published worked example of Simel 1991 was not found in public sources (its abstract
was read); the log method is checked here against the hand-worked tables below.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxcli.calc.intervals import (
    attainable,
    derive_count,
    lr_intervals,
    one_arm_lr_bounds,
    parse_stated,
    posttest_interval,
    wilson,
)


def test_wilson_newcombe_example():
    # Newcombe 1998, Table II, example (a): 81/263 -> 0.2553 to 0.3662 (the figure as quoted
    # in the task brief; the paper's table itself was not read). By hand:
    # p = 0.307985; z^2/n = 0.014606; denominator 1.014606;
    # centre = (0.307985 + 0.007303) / 1.014606 = 0.310750;
    # p(1-p)/n = 0.00081038, z^2/4n^2 = 0.00001388, sqrt(sum) = 0.028710, x z = 0.056271,
    # / 1.014606 = 0.055461 -> 0.255289 to 0.366211.
    lo, hi = wilson(81, 263)
    assert round(lo, 4) == 0.2553 and round(hi, 4) == 0.3662


def test_wilson_41_of_46():
    # p = 0.891304; z^2/n = 0.083510; denominator 1.083510;
    # centre = (0.891304 + 0.041755) / 1.083510 = 0.861145;
    # p(1-p)/n = 0.0021061, z^2/4n^2 = 0.00045386, sqrt(sum) = 0.050596, x z = 0.099166,
    # / 1.083510 = 0.091523 -> 0.769622 to 0.952668.
    lo, hi = wilson(41, 46)
    assert lo == pytest.approx(0.769622, abs=2e-6)
    assert hi == pytest.approx(0.952668, abs=2e-6)


def test_wilson_all_and_none():
    # k = n: upper limit 1; lower limit n / (n + z^2) = 17 / 20.841459 = 0.815682.
    assert wilson(17, 17) == (pytest.approx(0.815682, abs=2e-6), 1.0)
    # k = 0: lower limit 0; upper limit z^2 / (n + z^2) = 3.841459 / 7.841459 = 0.489891.
    assert wilson(0, 4) == (0.0, pytest.approx(0.489891, abs=2e-6))


def test_wilson_rejects_impossible_counts():
    with pytest.raises(ValueError):
        wilson(5, 4)
    with pytest.raises(ValueError):
        wilson(0, 0)


def test_simel_log_method_41_46_and_42_46():
    # Modified bent knee: TP 41, FN 5 of 46 cases; FP 4, TN 42 of 46 controls.
    # LR+ = (41/46) / (4/46) = 10.25; SE^2 = 1/41 - 1/46 + 1/4 - 1/46
    #     = 0.024390 - 0.021739 + 0.25 - 0.021739 = 0.230912; SE = 0.480533; z SE = 0.941826;
    #     ln 10.25 = 2.327278 -> exp(1.385452) = 3.9966 to exp(3.269104) = 26.288.
    # LR- = (5/46) / (42/46) = 0.119048; SE^2 = 1/5 - 1/46 + 1/42 - 1/46 = 0.180331;
    #     SE = 0.424654; z SE = 0.832307; ln 0.119048 = -2.128232
    #     -> exp(-2.960539) = 0.05179 to exp(-1.295925) = 0.27364.
    r = lr_intervals(41, 5, 4, 42)
    assert r["zero_cell_correction"] is False
    pos, neg = r["lr_positive"], r["lr_negative"]
    assert pos["estimate"] == pytest.approx(10.25)
    assert pos["low"] == pytest.approx(3.9966, abs=1e-3) and pos["high"] == pytest.approx(26.288, abs=2e-3)
    assert neg["estimate"] == pytest.approx(0.119048, abs=1e-6)
    assert neg["low"] == pytest.approx(0.05179, abs=1e-4) and neg["high"] == pytest.approx(0.27364, abs=1e-4)
    assert "Simel" in pos["method"]


def test_zero_cell_adds_one_half_to_every_cell():
    # TP 17, FN 0, FP 1, TN 36: a zero cell, so every cell + 0.5: 17.5, 0.5, 1.5, 36.5
    # (n1 = 18, n2 = 38). LR+ on the corrected table = (17.5/18) / (1.5/38) = 24.6296;
    # SE^2 = 1/17.5 - 1/18 + 1/1.5 - 1/38 = 0.641938; SE = 0.801210; z SE = 1.570343
    # -> 24.6296 x 0.207990 = 5.1227 to 24.6296 x 4.80837 = 118.43.
    # LR- = (0.5/18) / (36.5/38) = 0.028919; SE^2 = 2 - 1/18 + 1/36.5 - 1/38 = 1.945526;
    # SE = 1.394821; z SE = 2.733800 -> 0.0018791 to 0.44505.
    # The point estimates stay those of the counts: LR+ = 1 / (1/37) = 37, LR- = 0.
    r = lr_intervals(17, 0, 1, 36)
    assert r["zero_cell_correction"] is True
    pos, neg = r["lr_positive"], r["lr_negative"]
    assert pos["estimate"] == pytest.approx(37.0) and neg["estimate"] == 0.0
    assert pos["low"] == pytest.approx(5.1227, abs=2e-3) and pos["high"] == pytest.approx(118.43, abs=0.05)
    assert neg["low"] == pytest.approx(0.0018791, abs=1e-6) and neg["high"] == pytest.approx(0.44505, abs=1e-4)
    assert "0.5 was added to every cell" in pos["note"] and "0.5 was added to every cell" in neg["note"]


def test_zero_false_positives_give_a_finite_interval_but_an_unbounded_point():
    r = lr_intervals(10, 2, 0, 20)
    assert math.isinf(r["lr_positive"]["estimate"])
    assert math.isfinite(r["lr_positive"]["high"]) and r["zero_cell_correction"]


def test_one_known_arm_lequesne_single_leg_stance():
    # 17 of 17 cases positive; specificity stated as 0.973, control count not stated.
    # Sensitivity: 0.815682 to 1 (Wilson, above).
    # LR- = (1 - sens) / 0.973: from (1 - 1) / 0.973 = 0 to (1 - 0.815682) / 0.973 = 0.189432.
    # LR+ = sens / (1 - 0.973) = sens / 0.027: from 30.2105 to 37.0370.
    r = one_arm_lr_bounds("sensitivity", 17, 17, 0.973)
    assert r["sensitivity"]["low"] == pytest.approx(0.815682, abs=2e-6) and r["sensitivity"]["high"] == 1.0
    assert r["lr_negative"]["low"] == 0.0
    assert r["lr_negative"]["high"] == pytest.approx(0.189432, abs=2e-6)
    assert r["lr_positive"]["low"] == pytest.approx(30.2105, abs=1e-3)
    assert r["lr_positive"]["high"] == pytest.approx(37.0370, abs=1e-3)
    for k in ("lr_positive", "lr_negative"):
        assert r[k]["method"].startswith("one known arm")
        assert "not a 95% confidence interval" in r[k]["note"]


def test_one_known_arm_specificity():
    # 42 of 46 controls negative, sensitivity stated 0.9: spec 0.796753 to 0.965664.
    # LR+ = 0.9 / (1 - spec): 0.9 / 0.203247 = 4.4281 to 0.9 / 0.034336 = 26.212.
    # LR- = 0.1 / spec: 0.1 / 0.965664 = 0.103556 to 0.1 / 0.796753 = 0.125509.
    r = one_arm_lr_bounds("specificity", 42, 46, 0.9)
    assert r["lr_positive"]["low"] == pytest.approx(4.4281, abs=1e-3)
    assert r["lr_positive"]["high"] == pytest.approx(26.212, abs=0.01)
    assert r["lr_negative"]["low"] == pytest.approx(0.103556, abs=1e-5)
    assert r["lr_negative"]["high"] == pytest.approx(0.125509, abs=1e-5)


def test_one_known_arm_at_specificity_one_is_unbounded():
    r = one_arm_lr_bounds("sensitivity", 8, 10, 1.0)
    assert math.isinf(r["lr_positive"]["low"]) and math.isinf(r["lr_positive"]["high"])


def test_posttest_interval_through_bayes():
    # Pre-test 0.3: odds 0.428571. x 3.9966 = 1.712829 -> 1.712829 / 2.712829 = 0.63138;
    # x 26.288 = 11.26629 -> 11.26629 / 12.26629 = 0.91848.
    lo, hi = posttest_interval(0.3, 3.9966, 26.288)
    assert lo == pytest.approx(0.63138, abs=1e-4) and hi == pytest.approx(0.91848, abs=1e-4)


@pytest.mark.parametrize(
    "stated,n,count",
    [
        ("0.89", 46, 41),  # 41/46 = 0.8913; 40/46 = 0.870, 42/46 = 0.913
        ("0.91", 46, 42),  # 42/46 = 0.9130; 41/46 = 0.891, 43/46 = 0.935
        ("0.76", 46, 35),  # 35/46 = 0.7609; 34/46 = 0.739, 36/46 = 0.783
        ("0.82", 46, None),  # 37/46 = 0.804, 38/46 = 0.826: no count of 46 gives 0.82
        ("100%", 17, 17),  # 17/17 = 1; 16/17 = 0.941
        ("88%", 17, 15),  # 15/17 = 0.8824; 14/17 = 0.824, 16/17 = 0.941
        ("0.92", 17, None),  # 15/17 = 0.882, 16/17 = 0.941: not attainable
        ("0.5", 3, None),  # 1/3 = 0.333, 2/3 = 0.667: none
        ("50%", 4, 2),  # 2/4
    ],
)
def test_derive_count_only_when_one_integer_reproduces_the_figure(stated, n, count):
    got = derive_count(stated, n)
    if count is None:
        assert got is None
        assert attainable(stated, n) == []
    else:
        assert got["count"] == count and got["of"] == n and got["status"] == "derived"
        assert f"{count}/{n}" in got["arithmetic"]


def test_derive_count_refuses_an_ambiguous_figure():
    # "90%" of 100 is 90/100 only, but "1.0" stated to one decimal of 30 matches 29/30 = 0.967
    # (rounds to 1.0) and 30/30: two integers, so no count.
    assert derive_count("90%", 100)["count"] == 90
    assert derive_count("1.0", 30) is None


def test_parse_stated_keeps_the_precision():
    from fractions import Fraction

    assert parse_stated("88%") == (Fraction(22, 25), Fraction(1, 200))
    assert parse_stated("97.3%") == (Fraction(973, 1000), Fraction(1, 2000))
    assert parse_stated("0.89") == (Fraction(89, 100), Fraction(1, 200))
    with pytest.raises(ValueError):
        parse_stated("many")


@given(st.integers(min_value=1, max_value=500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_estimate_within_unit_interval(kn):
    k, n = kn
    lo, hi = wilson(k, n)
    assert 0.0 <= lo <= k / n <= hi <= 1.0


@given(st.integers(1, 200), st.integers(1, 200), st.integers(1, 200), st.integers(1, 200))
def test_log_interval_contains_the_estimate_without_zero_cells(tp, fn, fp, tn):
    r = lr_intervals(tp, fn, fp, tn)
    for k in ("lr_positive", "lr_negative"):
        assert r[k]["low"] <= r[k]["estimate"] * (1 + 1e-12) and r[k]["estimate"] <= r[k]["high"] * (1 + 1e-12)


@given(
    st.integers(0, 1000),
    st.sampled_from(["{:d}%", "{:.1f}%", "0.{:03d}", "{:d} %"]),
    st.integers(1, 300),
)
def test_attainable_in_whole_numbers_matches_exact_fractions(num: int, shape: str, n: int) -> None:
    """The whole-number reading of a stated figure gives the counts the exact definition
    gives: every k with |k/n - value| <= half its last digit, in Fractions."""
    from fractions import Fraction

    from dxcli.calc.intervals import parse_stated

    stated = shape.format(num / 10 if ".1f" in shape else num if "0." in shape else num // 10)
    value, half = parse_stated(stated)
    if value > 1:
        with pytest.raises(ValueError):
            attainable(stated, n)
        return
    assert attainable(stated, n) == [k for k in range(n + 1) if abs(Fraction(k, n) - value) <= half]


def test_attainable_by_hand() -> None:
    # "88%" of 17: 15/17 = 0.8824 is within 0.005 of 0.88; 14/17 = 0.8235 and 16/17 = 0.9412 are not
    assert attainable("88%", 17) == [15]
    # "0.82" of 46: 37/46 = 0.8043 and 38/46 = 0.8261 are both more than 0.005 from 0.82
    assert attainable("0.82", 46) == []
    # "50%" of 3 at whole per cent: 1/3 = 0.333, 2/3 = 0.667: none within 0.005 of 0.5
    assert attainable("50%", 3) == []
