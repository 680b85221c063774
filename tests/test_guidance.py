"""Calculator guidance for Kerboul and Tönnis: from the review, Ha 2006 and the ledger only."""

from __future__ import annotations

import pytest

from conftest import run


def kerboul(*args: str) -> dict:
    r = run("kerboul", *args, "-f", "json")
    assert r.code == 0, r.err
    return r.json()


def test_kerboul_json_carries_the_guidance_fields_with_sources():
    d = kerboul("210")
    for key in ("when_to_use", "groups_meaning", "pitfalls", "next_steps"):
        assert d[key], key
    assert all(i["source"]["section"] for i in d["when_to_use"] + d["groups_meaning"] + d["pitfalls"])
    pitfalls = " ".join(i["text"] for i in d["pitfalls"])
    assert '"<190"' in pitfalls and "190 degrees or less" in pitfalls  # the review's wording vs Ha's
    assert "core decompression" in pitfalls
    # the review states no next step for a risk group
    assert [i["text"] for i in d["next_steps"]] == ["none stated: no source states a next step"]


@pytest.mark.parametrize(
    "angle,hips,collapsed,ci",
    [
        # 0 of 4: 0 to z^2/(n + z^2) = 3.841459 / 7.841459 = 0.489891
        ("150", 4, 0, [0.0, 0.489891]),
        # 4 of 8: centre 0.5, half-width 1.959964 x sqrt(0.03125 + 0.015006) / 1.480182 = 0.284786
        ("210", 8, 4, [0.215214, 0.784786]),
        # 25 of 25: 25 / (25 + 3.841459) = 0.866807 to 1
        ("300", 25, 25, [0.866807, 1.0]),
    ],
)
def test_kerboul_group_collapse_interval(angle, hips, collapsed, ci):
    d = kerboul(angle)
    assert (d["group_hips"], d["group_collapsed"]) == (hips, collapsed)
    got = d["group_collapse_ci"]  # one shape for every confidence interval (issue 20)
    assert [got["low"], got["high"]] == pytest.approx(ci, abs=1e-5)  # the hand arithmetic above, to 6 places
    assert (got["count"], got["of"]) == (collapsed, hips) and "Wilson" in got["method"]
    assert "collapse_ci_method" not in d


def test_kerboul_grade_interval_only_where_the_hips_are_stated():
    # grade 2, 6 of 9: centre 0.616808, half-width 0.262605 -> 0.354203 to 0.879413
    got = kerboul("210")["grade_collapse_ci"]
    assert [got["low"], got["high"]] == pytest.approx([0.354203, 0.879413], abs=1e-5)
    # grades 3 and 4: Ha 2006 does not state their hip counts
    assert kerboul("260")["grade_collapse_ci"] is None


def test_kerboul_batch_keeps_its_columns_and_carries_no_guidance():
    r = run("kerboul", "-", "-f", "ndjson", stdin="150\n")
    row = r.json() if r.out.count("\n") == 1 and r.out.startswith("{") else None
    assert row is not None and "group_collapse_ci" in row and "pitfalls" not in row


def test_tonnis_json_carries_guidance_with_the_unverified_wording_lead():
    r = run("tonnis", "small-cysts", "-f", "json")
    assert r.code == 0
    d = r.json()
    assert d["grade"] == 2
    unverified = [i for i in d["pitfalls"] if i["kind"] == "unverified"]
    assert unverified and "obliteration" in unverified[0]["text"]
    assert unverified[0]["source"]["citations"] == ["kovalenko-2018"]
    assert "MRI and/or CT may be used" in d["next_steps"][0]["text"]
    assert d["when_to_use"][0]["source"]["table"] == "Table 2"


def test_guidance_quotes_are_the_reviews_words(review_text):
    import re

    from dxcli.reference import loader

    flat = re.sub(r"\s+", " ", review_text)
    items = []
    for g in (loader.by_id("scale")["kerboul"]["guidance"], loader.by_id("grading")["tonnis"]["guidance"]):
        items += [i for part in g.values() for i in part]
    checked = 0
    for i in items:
        src = i["source"]
        if src.get("citations") or not src.get("quote"):
            continue  # a primary source's words, or the ledger's
        for piece in src["quote"].split(" ... "):
            assert piece in flat, piece
            checked += 1
    assert checked >= 4


def test_kerboul_names_its_study():
    st = kerboul("210")["study"]
    assert st["id"] == "ha-2006-study" and st["pmid"] == "17079365"
    assert st["n"] == 37 and st["design"] == "cohort" and st["read"] == "abstract"
