"""Study records and the intervals shown on maneuver and test rows.

Expected numbers are worked by hand in tests/test_intervals.py; here they are checked as
a clinician sees them (JSON and the table), with the counts each depends on.
"""

from __future__ import annotations

import shutil
from fractions import Fraction

import pytest

from conftest import run
from dxcli.calc.intervals import parse_stated
from dxcli.reference import loader
from dxcli.reference.integrity import check_dir


def row(kind: str, name: str, *extra: str) -> dict:
    r = run(kind, name, "-f", "json", *extra)
    assert r.code == 0, r.err
    return r.json()[0]


def test_modified_bent_knee_shows_its_study_counts_and_both_cis():
    r = row("maneuver", "modified-bent-knee")
    st = r["study"]
    assert st["id"] == "cacchio-2012-study" and st["pmid"] == "22219215"
    assert st["design"] == "case-control"
    assert st["cases"]["count"] == 46 and st["controls"]["count"] == 46 and st["n"] == 92
    assert "MRI" in st["reference_standard"] and st["reference_standard_read"] == "secondary"
    assert st["read"] == "abstract"
    # 0.89 of 46 is 41/46 and nothing else; 0.91 of 46 is 42/46 (derived, with the arithmetic)
    assert r["sensitivity_count"]["count"] == 41 and r["sensitivity_count"]["status"] == "derived"
    assert r["specificity_count"]["count"] == 42 and "42/46" in r["specificity_count"]["arithmetic"]
    # LR+ 10.25 from the counts: 3.9966 to 26.288; LR- 0.119: 0.0518 to 0.2736 (rounded to 2 places)
    assert r["lr_positive_ci"]["low"] == pytest.approx(3.9966, abs=1e-4) and r["lr_positive_ci"]["high"] == pytest.approx(26.288, abs=1e-3)  # unrounded (machine formats): ln 10.25 ± 1.96 × √(1/41 − 1/46 + 1/4 − 1/46) = 2.3273 ± 0.9418 → e^ = 3.9966, 26.288
    assert r["lr_negative_ci"]["low"] == pytest.approx(0.05179, abs=1e-5) and r["lr_negative_ci"]["high"] == pytest.approx(0.27364, abs=1e-4)  # unrounded: ln(5/42) ± 0.8323
    assert "Simel" in r["lr_positive_ci"]["method"]
    # Wilson 41/46: 0.769622 to 0.952668; 42/46: 0.796753 to 0.965664
    assert (r["sensitivity_ci"]["low"], r["sensitivity_ci"]["high"]) == (pytest.approx(0.769622, abs=1e-6), pytest.approx(0.952668, abs=1e-6))
    assert (r["specificity_ci"]["low"], r["specificity_ci"]["high"]) == (pytest.approx(0.796753, abs=1e-6), pytest.approx(0.965664, abs=1e-6))
    assert r["evidence_strength"] == "n=46 cases, 46 controls; case-control (Cacchio 2012)"
    # the LR itself is still computed from the review's stated figures, not from the counts
    assert r["lr_positive"] == pytest.approx(9.8889, abs=1e-4)


def test_single_leg_stance_gives_the_interval_its_known_arm_allows():
    r = row("maneuver", "single-leg-stance-pain")
    # sensitivity 100% of 17 cases: the zero cell corrected, (1 - 17.5/18) / 0.973 = 0.028549, the stated 0 beside it
    assert r["lr_negative"] == pytest.approx(0.028549, abs=1e-6) and r["lr_negative_uncorrected"] == 0
    assert "17 + 0.5" in r["lr_negative_correction"]
    assert r["sensitivity_count"]["count"] == 17 and r["sensitivity_count"]["stated_by"] == "abstract"
    assert r["specificity_count"] is None and r["specificity_ci"] is None
    assert r["ci_notes"]["specificity"].startswith("counts not stated")
    neg = r["lr_negative_ci"]
    assert neg["low"] == 0 and neg["high"] == pytest.approx(0.18943, abs=1e-5)  # (1 - 0.815682) / 0.973 = 0.18943, unrounded
    assert neg["method"].startswith("one known arm") and "not a 95% confidence interval" in neg["note"]
    assert r["evidence_strength"] == "n=17 cases, pain-free controls; case-control (Lequesne 2008)"
    assert any(s["relation"] == "contrary" and s["citation"] == "grimaldi-2017" for s in r["related_studies"])


def test_maneuver_pretest_carries_the_interval_to_a_posttest_interval():
    r = row("maneuver", "modified-bent-knee", "--pretest", "0.3")
    # odds 0.428571 x 3.9966 -> 0.6314; x 26.288 -> 0.9185 (tests/test_intervals.py)
    assert r["posttest_positive_ci"]["low"] == pytest.approx(0.631, abs=1e-3)
    assert r["posttest_positive_ci"]["high"] == pytest.approx(0.918, abs=1e-3)
    s = row("maneuver", "single-leg-stance-pain", "--pretest", "0.5")
    # LR- from 0 to 0.189432 at pre-test 0.5: 0.189432 / 1.189432 = 0.159
    assert s["posttest_negative"] == pytest.approx(0.027756, abs=1e-6)  # 0.028549 / 1.028549
    assert s["posttest_negative_ci"]["low"] == 0 and s["posttest_negative_ci"]["high"] == pytest.approx(0.159, abs=1e-3)
    assert "not a 95% confidence interval" in s["posttest_negative_ci"]["note"]


def test_puranen_orava_specificity_is_not_a_proportion_of_46():
    r = row("maneuver", "puranen-orava")
    assert r["sensitivity_count"]["count"] == 35  # 35/46 = 0.761
    assert r["specificity_count"] is None
    assert "no count of 46 controls gives the stated specificity 0.82" in r["ci_notes"]["specificity"]
    assert r["lr_positive_ci"]["method"].startswith("one known arm")


def test_figures_without_a_source_study_get_no_interval_and_say_why():
    r = row("maneuver", "faber", "--condition", "gluteus-medius-tendinopathy")
    for k in ("sensitivity_ci", "specificity_ci", "lr_positive_ci", "lr_negative_ci"):
        assert r[k] is None
    assert all(v.startswith("counts not stated") for v in r["ci_notes"].values())
    assert r["evidence_strength"].startswith("source study not identified")
    assert "Grimaldi 2017" in r["evidence_strength"]
    emg = row("test", "needle-emg")
    assert emg["lr_positive_ci"] is None and "ranges" in emg["ci_notes"]["lr_positive"]


def test_published_cis_are_quoted_with_their_citation():
    r = row("test", "hip-mri", "--condition", "avascular-necrosis-hip")
    pub = {(p["measure"], p["index_test"]): p for p in r["published_ci"]}
    sens = pub[("sensitivity", "MRI")]
    assert (sens["value"], sens["low"], sens["high"]) == (0.93, 0.92, 0.94)
    assert sens["status"] == "published" and sens["citation"] == "zhang-2018"
    assert "93.0% (95% CI 92.0–94.0%)" in sens["quote"]
    slr = row("maneuver", "straight-leg-raise")
    cites = {p["citation"] for p in slr["published_ci"]}
    assert cites == {"van-der-windt-2010", "deville-2000"}
    # the disagreement notes of the ledger are still shown
    assert any(n["kind"] == "disagreement" for n in slr["notes"])


def test_table_shows_the_ci_and_the_evidence_next_to_the_lr():
    r = run("maneuver", "modified-bent-knee", tty=True, width=160)
    assert r.code == 0
    assert "95% CI" in r.out and "4–26.3" in r.out and "n=46 cases, 46 controls" in r.out
    assert "Reference standard:" in r.out
    s = run("maneuver", "single-leg-stance-pain", tty=True, width=160)
    assert "one known arm: range 0–0.189, not a 95% CI" in s.out  # 0.18943 to 3 significant figures


def _stated_matches(stated: str, value: float) -> bool:
    v, half = parse_stated(stated)
    return abs(Fraction(value).limit_denominator(10**6) - v) <= half


def test_each_source_study_states_the_records_figures():
    """A source study's figure is the evidence item's figure (or it would be a disagreement)."""
    checked = 0
    for st in loader.records("study"):
        for f in st["findings"]:
            if f["relation"] != "source" or f.get("scale"):
                continue
            kind = "maneuver" if f.get("maneuver") else "test"
            rec = loader.by_id(kind)[f[kind]]
            ev = next(e for e in rec["evidence"] if e["condition"] == f["condition"] and e.get("sensitivity") is not None)
            for arm in ("sensitivity", "specificity"):
                if f.get(arm):
                    assert _stated_matches(f[arm]["stated"], ev[arm]), (st["id"], f[kind], arm)
                    checked += 1
    assert checked >= 8


def test_study_facts_carry_citation_quote_and_read_level():
    cits = loader.by_id("citation")
    for st in loader.records("study"):
        assert st["citation"] in cits and st["read"] in ("abstract", "secondary", "full text")
        assert st["read_at"]
        for key in ("cases", "controls", "total"):
            g = st.get(key)
            if g and g.get("count") is not None:
                assert g["quote"], (st["id"], key)


def test_integrity_catches_a_study_that_backs_nothing(tmp_path):
    data = tmp_path / "ref"
    shutil.copytree(loader.bundled_dir(), data)
    text = (data / "studies.toml").read_text(encoding="utf-8")
    text = text.replace('maneuver = "modified-bent-knee"', 'maneuver = "modified-bent-kneee"', 1)
    text = text.replace('citation = "ha-2006"', 'citation = "ha-2007"', 1)
    text = text.replace('condition = "ischiofemoral-impingement"', 'condition = "sacroiliitis"', 1)
    (data / "studies.toml").write_text(text, encoding="utf-8")
    problems = [p for p in check_dir(data) if p.file == "studies.toml"]
    messages = " | ".join(p.message for p in problems)
    assert "'modified-bent-kneee' does not exist" in messages
    assert "unknown citation 'ha-2007'" in messages
    assert "has no evidence for 'sacroiliitis'" in messages
    assert all(p.line for p in problems)


def test_lr_interval_for_posttest_wiring_is_unrounded():
    from dxcli.query.evidence import lr_interval

    rec = loader.by_id("maneuver")["modified-bent-knee"]
    band = lr_interval("maneuver", rec, rec["evidence"][0], positive=True)
    assert band["low"] == pytest.approx(3.9966, abs=1e-3) and band["high"] == pytest.approx(26.288, abs=2e-3)
    faber = loader.by_id("maneuver")["faber"]
    assert lr_interval("maneuver", faber, faber["evidence"][0], positive=True) is None


def test_cite_lists_the_studies_behind_a_record():
    r = run("cite", "single-leg-stance-pain", "-f", "json")
    rows = [x for x in r.json() if x["type"].startswith("study")]
    assert {x["type"] for x in rows} == {"study: source", "study: contrary"}
    assert any("PMID 18240186" in c for x in rows for c in x["citations"])


def test_a_pack_can_add_a_study_with_stated_counts(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "citations.toml").write_text(
        '[[citation]]\nid = "pack-abduction-2030"\nauthors = "Doe J"\nyear = 2030\nread = "abstract"\n', encoding="utf-8"
    )
    (pack / "studies.toml").write_text(
        """[[study]]
id = "pack-abduction-2030-study"
citation = "pack-abduction-2030"
design = "cross-sectional"
direction = "prospective"
population = "Adults with lateral hip pain."
read = "abstract"
read_at = ["https://example.org/abstract"]
cases = { count = 100, description = "with tendinopathy", quote = "One hundred had tendinopathy." }
controls = { count = 100, description = "without", quote = "One hundred did not." }

[[study.findings]]
maneuver = "resisted-hip-abduction"
condition = "gluteus-medius-tendinopathy"
relation = "source"
sensitivity = { group = "cases", stated = "0.59", stated_by = "review" }
specificity = { group = "controls", stated = "0.93", stated_by = "review" }
""",
        encoding="utf-8",
    )
    r = run("--reference", str(pack), "maneuver", "resisted-hip-abduction", "-f", "json")
    assert r.code == 0, r.err
    row = r.json()[0]
    # 59/100 and 93/100: LR+ = 0.59 / 0.07 = 8.43; SE^2 = 1/59 - 1/100 + 1/7 - 1/100 = 0.139807,
    # SE = 0.373908, z SE = 0.732846 -> 8.4286 x 0.480540 = 4.05 to 8.4286 x 2.080999 = 17.54
    assert row["study"]["id"] == "pack-abduction-2030-study"
    assert row["lr_positive_ci"]["low"] == pytest.approx(4.05, abs=0.01)
    assert row["lr_positive_ci"]["high"] == pytest.approx(17.54, abs=0.01)
    # and without the pack the bundled data has no study for it
    assert run("maneuver", "resisted-hip-abduction", "-f", "json").json()[0]["study"] is None


def test_interval_notes_say_the_interval_comes_from_the_counts():
    r = row("maneuver", "modified-bent-knee")
    # (41/46) / (4/46) = 10.25 and (5/46) / (42/46) = 0.12, against 9.89 and 0.12 from 0.89 and 0.91
    assert "(41/46) / (4/46) = 10.25" in r["ci_notes"]["lr_positive"]
    assert "(5/46) / (42/46) = 0.119" in r["ci_notes"]["lr_negative"]  # 5/42 = 0.11905: 0.1190 to 4 significant figures, trailing zero dropped
