"""Post-test intervals: a finding's LR interval carried through Bayes by ``posttest``.

Every expected number is worked by hand here from the study's counts (Wilson and the Simel
log method, z = 1.959964), not read from the code under test.
"""

from __future__ import annotations

import csv
import io

import pytest

from conftest import run


def posttest(*args: str) -> dict:
    r = run("posttest", *args, "-f", "json")
    assert r.code == 0, r.err
    return r.json()


def test_single_finding_two_known_arms_gives_a_95_ci_for_the_posttest():
    # Cacchio 2012: 41/46 cases positive (0.89 of 46), 42/46 controls negative (0.91 of 46),
    # so 4/46 false positives. LR+ from the counts = (41/46) / (4/46) = 10.25.
    # SE(ln LR+) = sqrt(1/41 - 1/46 + 1/4 - 1/46) = sqrt(0.024390 - 0.021739 + 0.25 - 0.021739)
    #            = sqrt(0.230912) = 0.480533; 1.959964 * 0.480533 = 0.941829.
    # ln 10.25 = 2.327278: exp(1.385449) = 3.9966 and exp(3.269107) = 26.288.
    # Pre-test 0.3: odds 3/7 = 0.428571; x 3.9966 = 1.712829 -> 1.712829 / 2.712829 = 0.6314;
    # x 26.288 = 11.26629 -> 11.26629 / 12.26629 = 0.9185.
    d = posttest("-p", "0.3", "modified-bent-knee+")
    ci = d["posttest_ci"]
    assert (ci["low"], ci["high"]) == (pytest.approx(0.6314, abs=1e-4), pytest.approx(0.9185, abs=1e-4))
    assert ci["label"] == "95% CI, log method (Simel 1991), from 41/46 and 42/46"
    assert "Simel" in ci["method"] and "10.25" in ci["note"]
    assert d["posttest_ci_note"] is None
    step = d["steps"][0]
    assert (step["lr_ci"]["low"], step["lr_ci"]["high"]) == (pytest.approx(3.9966, abs=1e-4), pytest.approx(26.288, abs=1e-3))  # unrounded (machine formats): ln 10.25 ± 1.96 × √(1/41 − 1/46 + 1/4 − 1/46) = 2.3273 ± 0.9418 → e^ = 3.9966, 26.288
    assert step["probability_ci"] == ci
    # the point post-test stays the review's: 0.89 / 0.09 = 9.889; 0.428571 x 9.889 = 4.2381
    # -> 4.2381 / 5.2381 = 0.809, inside the interval
    assert d["posttest"] == pytest.approx(0.8091, abs=1e-4) and ci["low"] < d["posttest"] < ci["high"]


def test_posttest_gives_the_same_interval_as_the_maneuver_row():
    d = posttest("-p", "0.3", "modified-bent-knee+")
    row = run("maneuver", "modified-bent-knee", "--pretest", "0.3", "-f", "json").json()[0]
    for k in ("low", "high", "method"):
        assert d["posttest_ci"][k] == row["posttest_positive_ci"][k]


def test_negative_result_of_the_same_maneuver():
    # LR- from the counts = (5/46) / (42/46) = 0.119048; SE = sqrt(1/5 - 1/46 + 1/42 - 1/46)
    # = sqrt(0.2 - 0.021739 + 0.023810 - 0.021739) = sqrt(0.180332) = 0.424655; x 1.959964 = 0.832308.
    # ln 0.119048 = -2.128232: exp(-2.960540) = 0.051791, exp(-1.295924) = 0.273645.
    # Pre-test 0.3: 0.428571 x 0.051791 = 0.022196 -> 0.0217; x 0.273645 = 0.117276 -> 0.1050.
    d = posttest("-p", "0.3", "modified-bent-knee-")
    assert (d["posttest_ci"]["low"], d["posttest_ci"]["high"]) == (pytest.approx(0.0217, abs=1e-4), pytest.approx(0.1050, abs=1e-4))
    assert (d["steps"][0]["lr_ci"]["low"], d["steps"][0]["lr_ci"]["high"]) == (pytest.approx(0.05179, abs=1e-5), pytest.approx(0.27364, abs=1e-4))  # unrounded: ln(5/42) ± 1.96 × √(1/5 − 1/46 + 1/42 − 1/46) = −2.1282 ± 0.8323 → e^ = 0.05179, 0.2736


def test_one_known_arm_gives_the_range_it_allows_with_its_label_not_a_bare_zero():
    # Lequesne 2008: 17 of 17 cases; controls' count not stated (specificity 0.973).
    # Wilson 17/17: z^2 = 3.841459, denominator 1 + 3.841459/17 = 1.225968,
    # centre (1 + 3.841459/34) / 1.225968 = 0.907841, half-width
    # 1.959964 x sqrt(3.841459 / 1156) / 1.225968 = 0.092159: 0.815682 to 1.
    # LR- = (1 - sens) / 0.973: 0 to 0.184318 / 0.973 = 0.189433.
    # Pre-test 0.5 (odds 1): 0 to 0.189433 / 1.189433 = 0.1593. The point LR used is the
    # zero-cell corrected one, (1 - 17.5/18) / 0.973 = 0.028549: 0.028549 / 1.028549 = 0.027756.
    d = posttest("-p", "0.5", "single-leg-stance-pain-")
    assert d["posttest"] == pytest.approx(0.027756, abs=1e-6)
    ci = d["posttest_ci"]
    assert ci["low"] == 0 and ci["high"] == pytest.approx(0.1593, abs=1e-4)
    assert ci["label"].startswith("one known arm: sensitivity 17/17") and ci["label"].endswith("not a 95% CI")
    assert "not a 95% confidence interval" in ci["note"]
    assert d["steps"][0]["lr_ci"]["high"] == pytest.approx(0.18943, abs=1e-5)  # (1 - 0.815682) / 0.973, unrounded


def test_unknown_counts_give_no_interval_and_say_why():
    # FABER 0.42 / 0.80 (review ref 15): no study with group sizes is recorded.
    d = posttest("-p", "0.2", "faber+", "-c", "gluteus-medius-tendinopathy")
    assert d["posttest"] == pytest.approx(0.3443, abs=1e-4)  # 0.25 x 0.42 / 0.2 = 0.525 -> 0.525 / 1.525 = 0.3443
    assert d["posttest_ci"] is None
    assert d["posttest_ci_note"].startswith("counts not stated")
    assert d["steps"][0]["lr_ci"] is None and d["steps"][0]["probability_ci"] is None
    assert d["steps"][0]["lr_ci_note"].startswith("counts not stated")


def test_a_typed_lr_has_no_counts():
    d = posttest("-p", "0.3", "lr=8.43")
    assert d["posttest_ci"] is None and d["posttest_ci_note"].startswith("counts not stated")


def test_several_findings_each_step_has_its_interval_but_no_combined_one():
    # faber+ then resisted-hip-external-rotation+, pre-test 0.2 (odds 0.25).
    # faber+: LR 2.1, odds 0.525, p 0.3443; no counts, no interval.
    # resisted ER: Lequesne 15/17 cases (88% of 17), specificity 0.973 without counts.
    # Wilson 15/17: p = 0.882353, centre (0.882353 + 0.112984) / 1.225968 = 0.811879,
    # half 1.959964 x sqrt(0.882353 x 0.117647 / 17 + 0.0033231) / 1.225968
    #    = 1.959964 x sqrt(0.0094294) / 1.225968 = 0.155242: 0.656637 to 0.967121.
    # LR+ = sens / 0.027: 24.3199 to 35.8193.
    # From odds 0.525: x 24.3199 = 12.7679 -> 0.9274; x 35.8193 = 18.8051 -> 0.9495.
    d = posttest("-p", "0.2", "faber+", "resisted-hip-external-rotation+", "-c", "gluteus-medius-tendinopathy")
    assert d["posttest_ci"] is None
    assert d["posttest_ci_note"].startswith("no combined interval")
    assert any(n["text"].startswith("no combined interval") and "not a 95% interval" in n["text"] for n in d["notes"])
    faber, rer = d["steps"]
    assert faber["lr_ci"] is None and faber["lr_ci_note"].startswith("counts not stated")
    assert (rer["lr_ci"]["low"], rer["lr_ci"]["high"]) == (pytest.approx(24.32, abs=0.005), pytest.approx(35.82, abs=0.005))  # unrounded now: the 2-decimal figures within half a unit
    assert (rer["probability_ci"]["low"], rer["probability_ci"]["high"]) == (pytest.approx(0.9274, abs=1e-4), pytest.approx(0.9495, abs=1e-4))
    assert "probability before this finding (0.344)" in rer["probability_ci"]["method"]
    assert rer["probability_ci"]["label"].startswith("one known arm")


def test_a_published_interval_about_another_estimate_is_quoted_not_used():
    # Hip MRI: the review's 0.98 / 0.98 give LR+ 49; Zhang 2018 publishes LR+ 2.74 (1.98-3.79)
    # for its own pooled estimate. At pre-test 0.3: 0.428571 x 2.74 = 1.174286 -> 0.5401;
    # x 1.98 = 0.848571 -> 0.4590; x 3.79 = 1.624286 -> 0.6189.
    d = posttest("-p", "0.3", "hip-mri+", "-c", "avascular-necrosis-hip")
    assert d["posttest_ci"] is None and d["posttest_ci_note"].startswith("counts not stated")
    (pub,) = d["steps"][0]["published_lr_ci"]
    assert (pub["value"], pub["low"], pub["high"], pub["citation"]) == (2.74, 1.98, 3.79, "zhang-2018")
    assert "not for the LR+ 49 used here" in pub["label"]
    assert pub["probability_if_alone"] == pytest.approx(0.5401, abs=1e-4)
    assert pub["probability_if_alone_ci"] == {"low": pytest.approx(0.4590, abs=1e-4), "high": pytest.approx(0.6189, abs=1e-4)}


def test_table_shows_the_interval_with_its_label():
    r = run("posttest", "-p", "0.5", "single-leg-stance-pain-", "-f", "table", tty=True, width=160)
    assert r.code == 0, r.err
    # LR- corrected for the zero cell: (1 - 17.5/18) / 0.973 = 0.02855; 0.5 -> 0.02855/1.02855 = 2.8%
    assert "post-test probability 2.8% (" in " ".join(r.out.split())
    assert "15.9%, one known arm: sensitivity 17/17" in " ".join(r.out.split())


def test_csv_carries_the_interval_as_json_and_markdown_as_text():
    import json

    r = run("posttest", "-p", "0.3", "modified-bent-knee+", "-f", "csv")
    row = next(csv.DictReader(io.StringIO(r.out)))
    got = json.loads(row["posttest_ci"])
    assert (got["low"], got["high"]) == (pytest.approx(0.6314, abs=1e-4), pytest.approx(0.9185, abs=1e-4))
    md = run("posttest", "-p", "0.3", "modified-bent-knee+", "-f", "markdown").out  # a page: no raw JSON
    assert "post-test probability 80.9% (63.1%–91.8%, 95% CI, log method (Simel 1991), from 41/46 and 42/46)" in md
    assert '{"' not in md


def test_batch_lines_carry_the_interval_and_no_private_fields():
    import json

    r = run("posttest", "-", "-f", "ndjson", stdin="0.3 modified-bent-knee+\n0.3 lr=8.43\n")
    a, b = (json.loads(x) for x in r.out.splitlines())
    assert (a["posttest_ci"]["low"], a["posttest_ci"]["high"]) == (pytest.approx(0.6314, abs=1e-4), pytest.approx(0.9185, abs=1e-4))
    assert b["posttest_ci"] is None
    assert not any(k.startswith("_") for k in a)


def test_fields_can_select_the_interval():
    r = run("posttest", "-p", "0.3", "modified-bent-knee+", "--fields", "posttest,posttest_ci", "-f", "json")
    assert r.code == 0, r.err
    assert set(r.json()) == {"posttest", "posttest_ci"}


@pytest.mark.parametrize("finding", ["modified-bent-knee+", "single-leg-stance-pain-", "faber+"])
def test_point_posttest_lies_within_its_interval(finding):
    extra = ("-c", "gluteus-medius-tendinopathy") if "faber" in finding else ()
    d = posttest("-p", "0.4", finding, *extra)
    ci = d["posttest_ci"]
    if ci is not None:
        assert ci["low"] <= d["posttest"] <= ci["high"]


def test_a_published_interval_for_the_lr_in_use_is_used_as_its_interval():
    # the rule, on Zhang 2018's own figure: an LR of 2.74 is the published estimate (to its two
    # decimals), so 1.98-3.79 is its interval; the review's 49 is not, so there is none.
    from dxcli.query.bayes import _published_for

    pub = [{"measure": "lr_positive", "value": 2.74, "low": 1.98, "high": 3.79, "citation": "zhang-2018", "study": "zhang-2018-study"}]
    got = _published_for(2.7412, pub)
    assert (got["low"], got["high"]) == (1.98, 3.79) and got["label"] == "published 95% CI (Zhang 2018)"
    assert _published_for(49.0, pub) is None
