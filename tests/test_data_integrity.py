"""The bundled reference data: schema, integrity rules, codes, provenance, bands."""

from __future__ import annotations

import math

import pytest
import simple_icd_10_cm as icd

from dxcli.reference import loader
from dxcli.reference.integrity import check_dir
from dxcli.reference.models import FILE_KINDS, Band, band_coverage_problems


def test_bundled_data_has_no_problems():
    problems = check_dir(loader.bundled_dir())
    assert problems == [], "\n".join(f"{p.file}:{p.line} {p.key}: {p.message}" for p in problems)


def test_every_kind_has_records():
    for kind in FILE_KINDS:
        assert loader.records(kind), kind


def test_ids_unique_across_all_kinds():
    seen = {}
    for kind in FILE_KINDS:
        for r in loader.records(kind):
            assert r["id"] not in seen, f"{r['id']} is both a {seen.get(r['id'])} and a {kind}"
            seen[r["id"]] = kind


def test_thirteen_conditions_in_table_2():
    assert len(loader.records("condition")) == 13
    comp = loader.by_id("complaint")["buttock"]
    assert comp["conditions"] == [c["id"] for c in loader.records("condition")]


def test_deep_dives_are_the_three_the_review_details():
    deep = {c["id"] for c in loader.records("condition") if c.get("deep_dive")}
    assert deep == {"lumbosacral-radiculopathy", "gluteus-medius-tendinopathy", "proximal-hamstring-tendinopathy"}


@pytest.mark.parametrize("cond", [c["id"] for c in loader.records("condition")])
def test_icd10cm_codes_are_billable_codes(cond):
    codes = loader.by_id("condition")[cond]["icd10cm"]
    assert codes
    for code in codes:
        assert icd.is_valid_item(code), f"{cond}: {code} is not an ICD-10-CM code"
        assert icd.is_leaf(code), f"{cond}: {code} is a category, not a billable code"


def _walk(obj, path=""):
    if isinstance(obj, dict):
        yield path, obj
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")


PROPORTION_KEYS = ("sensitivity", "specificity", "false_positive_rate")
RANGE_KEYS = ("sensitivity_range", "specificity_range", "ppv_range", "false_positive_rate_range")


def test_proportions_in_unit_interval_and_ranges_ordered():
    checked = 0
    for kind in ("maneuver", "test", "condition"):
        for rec in loader.records(kind):
            for path, node in _walk(rec, rec["id"]):
                for k in PROPORTION_KEYS:
                    if node.get(k) is not None:
                        assert 0 <= node[k] <= 1, f"{path}.{k}"
                        checked += 1
                for k in RANGE_KEYS:
                    if node.get(k) is not None:
                        lo, hi = node[k]
                        assert 0 <= lo <= hi <= 1, f"{path}.{k}"
                        checked += 1
                if node.get("unit") == "proportion":
                    v = node.get("value")
                    rng = node.get("range")
                    assert (v is None) != (rng is None)
                    if v is not None:
                        assert 0 <= v <= 1, path
                    else:
                        assert 0 <= rng[0] <= rng[1] <= 1, path
                    checked += 1
    assert checked >= 25  # the review states this many proportions and ranges


def test_every_clinical_record_has_a_source():
    for kind in ("structure", "muscle", "nerve", "condition", "maneuver", "test", "red_flag", "scale", "grading", "complaint", "case"):
        for rec in loader.records(kind):
            assert rec.get("source", {}).get("section"), f"{kind} {rec['id']} has no source"
    for rec in loader.records("maneuver") + loader.records("test"):
        for ev in rec["evidence"]:
            assert ev["source"]["section"], rec["id"]
    for f in loader.records("finding"):
        for ln in f.get("links", []):
            assert ln["source"]["section"] and ln["statement"], f["id"]


def test_no_likelihood_ratio_or_posttest_is_typed_into_the_data():
    import re

    text = "".join(p.read_text(encoding="utf-8") for p in loader.bundled_dir().glob("*.toml"))
    assert not re.search(r"^\s*(lr_positive|lr_negative|posttest)\w*\s*=", text, re.M)


def _all_scales():
    for s in loader.records("scale"):
        for bs in s["band_sets"]:
            yield s, bs


@pytest.mark.parametrize("scale,bandset", list(_all_scales()), ids=lambda x: x["id"])
def test_bands_tile_their_domain(scale, bandset):
    bands = [Band.model_validate(b) for b in bandset["bands"]]
    assert band_coverage_problems(
        bands, scale["domain_min"], scale["domain_min_inclusive"], scale["domain_max"], scale["domain_max_inclusive"]
    ) == []


def test_coverage_checker_catches_gaps_and_overlaps():
    src = {"section": "test"}

    def b(i, lo, li, hi, hi_inc):
        return Band(id=i, label=i, lower=lo, lower_inclusive=li, upper=hi, upper_inclusive=hi_inc, source=src)

    ok = [b("a", 0, True, 10, True), b("b", 10, False, 20, True)]
    assert band_coverage_problems(ok, 0, True, 20, True) == []
    gap = [b("a", 0, True, 10, False), b("b", 10, False, 20, True)]
    assert any("gap" in p for p in band_coverage_problems(gap, 0, True, 20, True))
    overlap = [b("a", 0, True, 10, True), b("b", 10, True, 20, True)]
    assert any("overlap" in p for p in band_coverage_problems(overlap, 0, True, 20, True))
    short = [b("a", 0, True, 10, True)]
    assert band_coverage_problems(short, 0, True, 20, True)


def _notes(rec):
    return [n for _, node in _walk(rec) for n in ([node] if node.get("kind") in ("disagreement", "caveat", "unverified", "terminology", "arithmetic") and "text" in node else [])]


@pytest.mark.parametrize(
    "kind,rid,citation",
    [
        # every disagreement in ../shared/evidence.md is carried by its record, with both values
        ("scale", "kerboul", "ha-2006"),
        ("test", "hip-mri", "zhang-2018"),
        ("condition", "ankylosing-spondylitis", "stolwijk-2015"),
        ("condition", "ankylosing-spondylitis", "braun-1998"),
        ("maneuver", "straight-leg-raise", "van-der-windt-2010"),
        ("maneuver", "straight-leg-raise", "deville-2000"),
        ("maneuver", "single-leg-stance-pain", "grimaldi-2017"),
        ("test", "needle-emg", "dillingham-2000"),
        ("test", "facet-block", "schwarzer-1994"),
    ],
)
def test_evidence_ledger_disagreements_are_notes(kind, rid, citation):
    rec = loader.by_id(kind)[rid]
    notes = [n for n in _notes(rec) if n.get("citation") == citation]
    assert notes, f"{rid} has no note citing {citation}"
    assert any(n.get("primary_value") is not None for n in notes)


def test_disagreement_notes_carry_both_values():
    count = 0
    for kind in FILE_KINDS:
        for rec in loader.records(kind):
            for n in _notes(rec):
                if n["kind"] == "disagreement":
                    assert n.get("review_value") is not None and n.get("primary_value") is not None and n.get("citation")
                    count += 1
    assert count >= 8


def test_lr_bands_cover_zero_to_infinity():
    s = loader.by_id("scale")["lr-bands"]
    assert s["domain_min"] == 0 and math.isinf(s["domain_max"])


def test_unverified_leads_are_notes_marked_unverified_without_a_primary_value():
    """evidence.md lists the Tönnis wording and the ischiofemoral test figures as UNVERIFIED."""
    grading = loader.by_id("grading")["tonnis"]
    tonnis_notes = [n for g in grading["grades"] for n in g.get("notes", [])]
    assert tonnis_notes and all(n["kind"] == "unverified" and n.get("primary_value") is None for n in tonnis_notes)
    lswt = loader.by_id("maneuver")["long-stride-walking-test"]
    notes = [n for e in lswt["evidence"] for n in e.get("notes", [])] + lswt.get("notes", [])
    assert any(n["kind"] == "unverified" for n in notes)
    assert any(n["kind"] == "arithmetic" for n in notes)
