"""Kerboul, Tönnis and post-test probability: boundaries, properties, batch mode."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import run
from dxcli.calc.bands import band_for, contains
from dxcli.calc.kerboul import classify
from dxcli.calc.likelihood import lr_negative, lr_positive, posttest
from dxcli.reference import loader

KERBOUL = loader.by_id("scale")["kerboul"]
LR_BANDS = loader.by_id("scale")["lr-bands"]["band_sets"][0]["bands"]


def k(*args):
    return run("kerboul", *args, "-f", "json")


# -- Kerboul: every boundary (Ha 2006: low <=190, moderate 190-240, high >=240) ---------


@pytest.mark.parametrize(
    "angle,group,grade",
    [
        ("0", "low", 1),
        ("150", "low", 1),
        ("189.999", "low", 1),
        ("190", "low", 1),
        ("190.001", "moderate", 1),
        ("199.9", "moderate", 1),
        ("200", "moderate", 2),
        ("210", "moderate", 2),
        ("239.999", "moderate", 2),
        ("240", "high", 2),
        ("249.99", "high", 2),
        ("250", "high", 3),
        ("299.99", "high", 3),
        ("300", "high", 4),
        ("360", "high", 4),
    ],
)
def test_kerboul_boundaries(angle, group, grade):
    r = k(angle)
    assert r.code == 0, r.err
    d = r.json()
    assert (d["risk_group"], d["grade"]) == (group, grade)
    assert d["sagittal_angle"] is None and d["coronal_angle"] is None


@pytest.mark.parametrize("angle,moved", [("190", "moderate"), ("240", "moderate")])
def test_kerboul_boundary_notes_the_reviews_wording(angle, moved):
    d = k(angle).json()
    assert d["notes"] and all(moved in n for n in d["notes"])
    assert "<190" in d["notes"][0] or ">240" in d["notes"][0]


def test_kerboul_interior_values_have_no_boundary_note():
    assert k("210").json()["notes"] == []


def test_kerboul_reports_ha_2006_collapse_figures():
    d = k("210").json()
    assert (d["group_hips"], d["group_collapsed"]) == (8, 4)
    assert (k("100").json()["group_hips"], k("100").json()["group_collapsed"]) == (4, 0)
    assert (k("300").json()["group_hips"], k("300").json()["group_collapsed"]) == (25, 25)
    assert "ha-2006" in d["source"]["citations"]


def test_kerboul_two_arcs_are_summed():
    d = k("100", "110").json()
    assert (d["combined_angle"], d["coronal_angle"], d["sagittal_angle"], d["risk_group"]) == (210, 100, 110, "moderate")


@pytest.mark.parametrize("text", ["210°", "210deg", "210 deg", " 210 "])
def test_kerboul_accepts_units(text):
    assert k(text).json()["combined_angle"] == 210


@pytest.mark.parametrize("bad", ["-5", "361", "nan", "abc", "inf", "1e309", "", "٣٠٠", "210%", "-0.1", "200 170"])
def test_kerboul_rejects_invalid_angles_with_exit_2(bad):
    args = bad.split(" ") if " " in bad else [bad]
    r = k(*args)
    if bad == "200 170":  # two arcs whose sum, 370, is above 360
        assert r.code == 2 and "above 360" in r.err
        return
    assert r.code == 2, (bad, r.out)
    assert "dxcli: error:" in r.err and ("0-360" in r.err or "not a number" in r.err or "finite" in r.err)


def test_kerboul_arc_above_180_is_computed_with_a_warning():
    r = run("kerboul", "185", "20", "-f", "json")
    assert r.code == 0 and r.json()["combined_angle"] == 205
    assert "warning" in r.err and "185" in r.err
    assert run("kerboul", "190", "190").code == 2  # 380 is above 360


def test_kerboul_negative_zero_is_zero():
    assert k("-0").json()["combined_angle"] == 0


@given(st.floats(min_value=0, max_value=360, allow_nan=False))
def test_every_angle_falls_in_exactly_one_band_of_each_set(x):
    for bs in KERBOUL["band_sets"]:
        assert sum(contains(b, x) for b in bs["bands"]) == 1


@given(st.floats(min_value=0, max_value=360), st.floats(min_value=0, max_value=360))
def test_kerboul_is_monotonic_in_the_angle(a, b):
    lo, hi = sorted((a, b))
    order = {"low": 0, "moderate": 1, "high": 2}
    ra, rb = classify(KERBOUL, lo), classify(KERBOUL, hi)
    assert order[ra["risk_group"]] <= order[rb["risk_group"]]
    assert ra["grade"] <= rb["grade"]


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_every_lr_falls_in_exactly_one_interpretation_band(x):
    assert sum(contains(b, x) for b in LR_BANDS) == 1


@pytest.mark.parametrize(
    "lr,band",
    [(0, "large-decrease"), (0.1, "large-decrease"), (0.1000001, "moderate-decrease"), (0.2, "moderate-decrease"),
     (0.5, "small-decrease"), (0.99, "minimal-decrease"), (1, "no-change"), (1.5, "minimal-increase"),
     (2, "small-increase"), (5, "moderate-increase"), (9.99, "moderate-increase"), (10, "large-increase")],
)
def test_lr_band_boundaries(lr, band):
    assert band_for(LR_BANDS, lr)["id"] == band


# -- likelihood ratios and post-test probability ------------------------------------------


def test_lr_hand_values():
    # sens 0.89, spec 0.91: LR+ = 0.89/0.09 = 9.888..., LR- = 0.11/0.91 = 0.1208...
    assert lr_positive(0.89, 0.91) == pytest.approx(9.8889, abs=1e-4)
    assert lr_negative(0.89, 0.91) == pytest.approx(0.12088, abs=1e-4)
    assert lr_positive(0.5, 1.0) == math.inf
    assert lr_positive(0.0, 1.0) is None


def test_posttest_hand_value():
    # odds 0.3/0.7 = 0.428571 x 8.43 = 3.612857 -> 3.612857/4.612857 = 0.78322
    d = run("posttest", "--pretest", "0.3", "lr=8.43", "-f", "json").json()
    assert d["posttest"] == pytest.approx(0.78322, abs=1e-5) and d["lr"] == 8.43 and d["pretest"] == 0.3
    assert d["steps"][0]["probability"] == pytest.approx(0.78322, abs=1e-5)
    assert run("posttest", "--pretest", "30%", "lr=8.43", "-f", "json").json()["posttest"] == pytest.approx(0.78322, abs=1e-5)


def test_posttest_from_maneuvers_and_independence_note():
    d = run("posttest", "-p", "0.2", "modified-bent-knee+", "puranen-orava+", "-f", "json").json()
    # LR+ 0.89/0.09 = 9.8889 and 0.76/0.18 = 4.2222; product 41.753
    # odds 0.25 x 41.753 = 10.438 -> 10.438/11.438 = 0.9126
    assert d["lr"] == pytest.approx(41.75, abs=0.01)
    assert d["posttest"] == pytest.approx(0.913, abs=0.001)
    assert any("independen" in n["text"] for n in d["notes"])
    assert any("come from one study:" in n["text"] and n["citation"] == "cacchio-2012" for n in d["notes"])  # both from Cacchio 2012 (named by the citation, once)
    assert [s["condition"] for s in d["steps"]] == ["proximal-hamstring-tendinopathy"] * 2


def test_posttest_negative_result():
    d = run("posttest", "-p", "0.5", "modified-bent-knee-", "-f", "json").json()
    # LR- = 0.11/0.91 = 0.12088; odds 1 x 0.12088 -> 0.12088/1.12088 = 0.1078
    assert d["posttest"] == pytest.approx(0.108, abs=0.001)


def test_faber_takes_the_one_condition_with_a_likelihood_ratio():
    # FABER has evidence for gluteus medius tendinopathy (sensitivity 42%, specificity 80%) and for
    # sacroiliitis (no sensitivity or specificity): only the first gives an LR, so it is taken.
    r = run("posttest", "-p", "0.3", "faber+", "-f", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["condition"] == "gluteus-medius-tendinopathy"
    # LR+ 0.42/0.20 = 2.1; odds 0.428571 x 2.1 = 0.9 -> 0.9/1.9 = 0.47368
    assert d["posttest"] == pytest.approx(0.474, abs=0.001)
    assert "taken as gluteus-medius-tendinopathy" in r.err and "faber+" in r.err  # said on stderr
    d = run("posttest", "-p", "0.3", "faber+", "--condition", "gluteus medius tendinopathy", "-f", "json").json()
    assert d["posttest"] == pytest.approx(0.474, abs=0.001)
    assert run("posttest", "-p", "0.3", "faber+", "--condition", "sacroiliitis").code == 2


def test_two_findings_take_the_one_condition_with_an_lr_for_both():
    r = run("posttest", "-p", "0.2", "faber+", "resisted-hip-abduction+", "-f", "json")
    assert r.code == 0, r.err
    d = r.json()
    assert d["condition"] == "gluteus-medius-tendinopathy"
    # FABER LR+ 0.42/0.20 = 2.1; resisted hip abduction LR+ 0.59/0.07 = 8.4286; product 17.7;
    # odds 0.25 x 17.7 = 4.425 -> 4.425/5.425 = 0.8157
    assert d["posttest"] == pytest.approx(0.816, abs=0.001)
    assert "taken as gluteus-medius-tendinopathy" in r.err


def test_hip_mri_takes_avascular_necrosis_its_one_condition_with_an_lr():
    r = run("posttest", "-p", "0.3", "hip-mri+", "-f", "json")
    assert r.code == 0, r.err
    assert r.json()["condition"] == "avascular-necrosis-hip" and "taken as avascular-necrosis-hip" in r.err


def test_no_common_condition_offers_no_condition_that_fails():
    # FABER's LR is for gluteus medius tendinopathy, the modified bent knee test's for proximal
    # hamstring tendinopathy: no condition has an LR for both
    r = run("posttest", "-p", "0.3", "faber+", "modified-bent-knee+")
    assert r.code == 2
    assert "sacroiliitis" not in r.err
    assert "no condition has a likelihood ratio for every finding" in r.err
    # two findings, each for its one condition, the two different: no "choose it with --condition"
    # (either choice fails the other finding)
    r = run("posttest", "-p", "0.3", "modified-bent-knee+", "resisted-hip-abduction+")
    assert r.code == 2 and "no condition has a likelihood ratio for every finding" in r.err
    assert "--condition" not in r.err
    r = run("posttest", "-p", "0.3", "hip-radiograph+")  # evidence for two conditions, an LR for neither
    assert r.code == 2 and "avascular" not in r.err and "gives no likelihood ratio" in r.err


def test_several_conditions_with_an_lr_are_offered_as_commands():
    """FABER given (in this test only) a second condition with its LR: both are offered, each as
    a full command that runs, and sacroiliitis (no LR) is not."""
    import re
    import shlex

    from dxcli.reference import loader

    base = loader.by_ids("maneuver", ["faber"])["faber"]
    from dxcli.query import bayes

    ev = dict(base["evidence"][0], condition="piriformis-syndrome")
    patched = dict(base, evidence=[*base["evidence"], ev])
    real = bayes._resolve
    bayes._resolve = lambda name: ("maneuver", patched) if name == "faber" else real(name)
    try:
        r = run("posttest", "-p", "0.3", "faber+")
    finally:
        bayes._resolve = real
    assert r.code == 2
    commands = re.findall(r"'(dxcli [^']*)'", r.err)
    assert commands == [
        "dxcli posttest -p 0.3 faber+ --condition gluteus-medius-tendinopathy",
        "dxcli posttest -p 0.3 faber+ --condition piriformis-syndrome",
    ], r.err
    assert "sacroiliitis" not in r.err
    assert run(*shlex.split(commands[0])[1:]).code == 0


def test_posttest_range_input():
    d = run("posttest", "-p", "0.2", "needle-emg+", "-f", "json").json()
    # LR+ from 0.49/0.13 = 3.769 (odds 0.25 x 3.769 = 0.942 -> 0.485) to unbounded (-> 1)
    assert d["posttest"] is None
    assert d["posttest_range"] == [pytest.approx(0.485, abs=0.001), 1.0]


@pytest.mark.parametrize("bad", [["-p", "1.5", "lr=2"], ["-p", "abc", "lr=2"], ["-p", "0.3", "lr=-0.5"], ["-p", "0.3", "lr=-1"],
                                 ["-p", "0.3", "lr=nan"], ["-p", "0.3", "straight-leg-raise+"], ["-p", "0.3", "nothing+"]])
def test_posttest_invalid(bad):
    r = run("posttest", *bad)
    assert r.code in (1, 2) and r.err.startswith("dxcli: error:")


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=1e-6, max_value=1e6))
def test_posttest_properties(p, lr):
    q = posttest(p, lr)
    assert 0 <= q <= 1
    if p in (0.0, 1.0):
        assert q == p
    if lr > 1:
        assert q >= p * (1 - 1e-12)
    if lr < 1:
        assert q <= p * (1 + 1e-12)


@given(st.floats(min_value=0, max_value=1))
def test_lr_one_leaves_probability_unchanged(p):
    assert posttest(p, 1.0) == pytest.approx(p, abs=1e-12)


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1), st.floats(min_value=1e-6, max_value=1e6))
def test_posttest_is_monotonic_in_pretest(a, b, lr):
    lo, hi = sorted((a, b))
    assert posttest(lo, lr) <= posttest(hi, lr) + 1e-12


def test_maneuver_with_pretest_adds_posttests():
    (r,) = run("maneuver", "modified bent knee", "--pretest", "0.3", "-f", "json").json()
    # + : odds 0.428571 x 9.8889 = 4.2381 -> 0.8091 ; - : 0.428571 x 0.12088 = 0.051805 -> 0.04925
    assert r["posttest_positive"] == pytest.approx(0.809, abs=0.001)
    assert r["posttest_negative"] == pytest.approx(0.049, abs=0.001)


# -- Tönnis ---------------------------------------------------------------------------


def test_tonnis_lists_grades_with_finding_ids():
    rows = run("tonnis", "-f", "json").json()
    assert [r["grade"] for r in rows] == [0, 1, 2, 3]
    for r in rows:
        assert r["findings"] and all({"id", "description"} <= f.keys() for f in r["findings"])


def test_tonnis_highest_grade_wins_and_notes_differences():
    d = run("tonnis", "slight-sclerosis", "small-cysts", "-f", "json").json()
    assert d["grade"] == 2
    assert {f["id"] for f in d["findings"]} == {"slight-sclerosis", "small-cysts"}
    d3 = run("tonnis", "avascular-necrosis", "-f", "json").json()
    assert d3["grade"] == 3
    assert any("avascular necrosis" in n.lower() for n in d3["notes"])


def test_tonnis_unknown_finding():
    r = run("tonnis", "small cyst")
    assert r.code == 1 and "small-cysts" in r.err


# -- batch mode -------------------------------------------------------------------------


def test_kerboul_batch_csv():
    r = run("kerboul", "-", "-f", "csv", stdin="150\n210\n300\n")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == 4
    assert [line.split(",")[5] for line in lines[1:]] == ["low", "moderate", "high"]


def test_kerboul_batch_keeps_going_and_fails_at_the_end():
    r = run("kerboul", "-", "-f", "ndjson", stdin="150\nabc\n\n# comment\n400\n300\n")
    assert r.code == 2
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert [x["line"] for x in rows] == [1, 6]
    assert "line 2:" in r.err and "line 5:" in r.err


def test_kerboul_batch_csv_column():
    r = run("kerboul", "-", "--column", "angle", "-f", "json", stdin="id,angle\na,190\nb,240\n")
    assert r.code == 0, r.err
    assert [x["risk_group"] for x in r.json()] == ["low", "high"]
    assert run("kerboul", "-", "--column", "nope", stdin="id,angle\na,1\n").code == 2


def test_tonnis_and_posttest_batch():
    r = run("tonnis", "-", "-f", "ndjson", stdin="small-cysts\nlarge-cysts slight-sclerosis\nbogus\n")
    assert r.code == 2
    assert [json.loads(x)["grade"] for x in r.out.splitlines()] == [2, 3]
    r = run("posttest", "-", "-f", "ndjson", stdin="0.3 lr=8.43\n0.5 modified-bent-knee-\n")
    assert r.code == 0, r.err
    # 0.78322 (above); LR- 0.11/0.91 = 0.120879 at odds 1: 0.120879 / 1.120879 = 0.107843
    assert [json.loads(x)["posttest"] for x in r.out.splitlines()] == [pytest.approx(0.78322, abs=1e-5), pytest.approx(0.107843, abs=1e-6)]


# -- Fagan nomogram through the CLI -----------------------------------------------------


def test_posttest_svg_and_terminal_drawing(tmp_path):
    out = tmp_path / "f.svg"
    r = run("posttest", "-p", "0.3", "lr=8.43", "--svg", str(out), "--draw", "-f", "json")
    assert r.code == 0, r.err
    assert out.read_text().startswith("<") and "fagan-line" in out.read_text()
    assert "78.3%" in r.err
    assert json.loads(r.out)["posttest"] == pytest.approx(0.78322, abs=1e-5)


def test_batch_repeated_inputs_keep_their_own_line_numbers_errors_and_warnings():
    stdin = "210\nabc\n210\n185 20\nabc\n185 20\n\n210\n"
    r = run("kerboul", "-", "-f", "csv", "--fields", "risk_group", stdin=stdin)
    assert r.code == 2
    assert r.out.splitlines() == ["line,input,risk_group", "1,210,moderate", "3,210,moderate",
                                  "4,185 20,moderate", "6,185 20,moderate", "8,210,moderate"]
    assert [ln.split(":")[1].strip() for ln in r.err.splitlines() if "line" in ln and "failed" not in ln] == ["line 2", "line 4", "line 5", "line 6"]
    assert r.err.count("warning") == 2 and "2 line(s) failed" in r.err


def test_batch_long_input_matches_line_by_line_results():
    import random

    rng = random.Random(7)
    values = [str(rng.choice([rng.randint(0, 360), rng.randint(0, 400)])) for _ in range(5000)]
    r = run("kerboul", "-", "-f", "tsv", "--fields", "combined_angle,risk_group,grade", stdin="\n".join(values) + "\n")
    rows = [ln.split("\t") for ln in r.out.splitlines()[1:]]
    expected = []
    for n, v in enumerate(values, 1):
        x = int(v)
        if x <= 360:
            group = "low" if x <= 190 else "moderate" if x < 240 else "high"
            grade = 1 if x < 200 else 2 if x < 250 else 3 if x < 300 else 4
            expected.append([str(n), v, v, group, str(grade)])
    assert rows == expected


def test_fields_select_and_order_output():
    d = run("kerboul", "210", "--fields", "grade,risk_group", "-f", "json").json()
    assert list(d) == ["grade", "risk_group"] and d == {"grade": 2, "risk_group": "moderate"}
    r = run("kerboul", "210", "--fields", "nope")
    assert r.code == 2 and "risk_group" in r.err
    assert run("kerboul", "-", "--fields", "nope", stdin="210\n").code == 2


def test_posttest_svg_shades_a_single_findings_interval_and_a_chains_simulation_interval(tmp_path):
    import xml.etree.ElementTree as ET

    one = tmp_path / "one.svg"
    r = run("posttest", "-p", "0.3", "modified-bent-knee+", "--svg", str(one), "--draw", "-f", "json")
    assert r.code == 0, r.err
    poly = [el for el in ET.parse(one).getroot().iter() if el.get("id") == "fagan-band"]
    assert len(poly) == 1
    assert "# on the post-test axis: post-test 63.1% to 91.8%" in r.err.replace("\n", " ")
    two = tmp_path / "two.svg"
    r = run("posttest", "-p", "0.2", "faber+", "resisted-hip-external-rotation+", "-c", "gluteus-medius-tendinopathy", "--svg", str(two), "-f", "json")
    assert r.code == 0, r.err
    # several findings: never the product of the steps' intervals (not a 95% interval), but the
    # chain's simulation interval (issue 24), labelled as such and naming what is held fixed
    text = two.read_text()
    assert "fagan-band" in text and "95% simulation interval (Jeffreys priors" in text
    assert "faber+" in text and "held fixed" in text


def test_posttest_pictures_name_the_condition_and_the_findings(tmp_path):
    import xml.etree.ElementTree as ET

    out = tmp_path / "f.svg"
    r = run("posttest", "-p", "0.3", "modified-bent-knee+", "--svg", str(out), "--draw", "-f", "json")
    assert r.code == 0, r.err
    texts = ["".join(el.itertext()) for el in ET.parse(out).getroot().iter("{http://www.w3.org/2000/svg}text")]
    # the condition's name, not its id; the maneuver's name and result with its LR (0.89 / 0.09 = 9.89)
    assert "Fagan nomogram: Proximal hamstring tendinopathy" in texts
    assert "Modified bent knee test positive: LR 9.89" in texts
    assert "30%" in texts and "80.9%" in texts
    assert "proximal-hamstring-tendinopathy" not in out.read_text()
    assert r.err.startswith("Fagan nomogram: Proximal hamstring tendinopathy\n  Modified bent knee test positive: LR 9.89\n")
    two = run("posttest", "-p", "0.2", "faber+", "resisted-hip-external-rotation+", "-c", "gluteus-medius-tendinopathy", "--draw", "-f", "json")
    assert "FABER (Patrick's test) positive: LR 2.1" in two.err
    assert "Combined: LR 68.4, assuming the findings are independent" in two.err
    raw = run("posttest", "-p", "0.3", "lr=8.43", "--draw", "-f", "json")
    assert raw.err.startswith("Fagan nomogram\n  A likelihood ratio given as lr=8.43\n")


def test_bare_kerboul_is_the_scale_with_ha_2006_bounds_and_the_reviews_words():
    r = run("kerboul", "-f", "json")
    assert r.code == 0, r.err
    rows = {x["id"]: x for x in r.json()}
    # Ha 2006: low <= 190 (closed), moderate 190-240 open at both ends, high >= 240 (closed)
    assert rows["low"]["interval"] == {"low": 0, "high": 190, "low_closed": True, "high_closed": True}
    assert rows["moderate"]["interval"] == {"low": 190, "high": 240, "low_closed": False, "high_closed": False}
    assert rows["high"]["interval"] == {"low": 240, "high": 360, "low_closed": True, "high_closed": True}
    assert (rows["low"]["hips"], rows["low"]["collapsed"]) == (4, 0) and (rows["high"]["hips"], rows["high"]["collapsed"]) == (25, 25)
    # the review's "<190" travels with the band whose bound it disagrees with
    assert rows["low"]["review"] == "Low risk: combined necrotic angle <190"
    assert any(n["kind"] == "disagreement" and n.get("review_value") == "<190" for n in rows["low"]["notes"])
    assert [x["id"] for x in r.json()] == ["low", "moderate", "high", "grade-1", "grade-2", "grade-3", "grade-4"]
    page = run("kerboul", tty=True, width=100).out
    assert page.startswith("Modified Kerboul combined necrotic angle\n")
    assert "Combined necrotic angle (190, 240) degrees" in page and "Combined necrotic angle [0, 200) degrees" in page
