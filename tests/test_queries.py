"""Reference queries: values worked by hand from the review, every format, every exit code."""

from __future__ import annotations

import csv
import io
import json

import pytest

from conftest import run

FORMATS = ["table", "tsv", "csv", "json", "ndjson", "markdown"]


def test_innervation_l5_lists_every_muscle_through_its_nerve():
    rows = run("innervation", "L5", "-f", "json").json()
    got = {(r["id"], r["nerve"]) for r in rows}
    # Table 1 and the hamstring paragraph: every muscle whose roots include L5
    assert got == {
        ("gluteus-maximus", "inferior-gluteal-nerve"),
        ("gluteus-medius", "superior-gluteal-nerve"),
        ("gluteus-minimus", "superior-gluteal-nerve"),
        ("tensor-fascia-lata", "superior-gluteal-nerve"),
        ("piriformis", "nerve-to-piriformis"),
        ("quadratus-femoris", None),
        ("semitendinosus", "tibial-nerve"),
        ("semimembranosus", "tibial-nerve"),
        ("biceps-femoris-long-head", "tibial-nerve"),
        ("biceps-femoris-short-head", "common-fibular-nerve"),
    }
    assert all(isinstance(r["roots"], list) and "L5" in r["roots"] for r in rows)


def test_innervation_s2_excludes_l4_only_muscles():
    ids = {r["id"] for r in run("innervation", "s2", "-f", "json").json()}
    assert ids == {"gluteus-maximus", "piriformis", "semitendinosus", "semimembranosus", "biceps-femoris-long-head"}


def test_innervation_by_nerve_and_by_muscle():
    rows = run("innervation", "superior gluteal nerve", "-f", "json").json()
    assert {r["id"] for r in rows} == {"gluteus-medius", "gluteus-minimus", "tensor-fascia-lata"}
    one = run("innervation", "piriformis", "-f", "json").json()
    assert one == [dict(one[0], id="piriformis", nerve="nerve-to-piriformis", roots=["L5", "S1", "S2"])]


def test_innervation_not_found_and_invalid():
    assert run("innervation", "L1").code == 1
    r = run("innervation", "gluteus maximum")
    assert r.code == 1 and "gluteus-maximus" in r.err
    assert run("innervation", "").code == 2


def test_maneuver_faber_has_one_row_per_condition_with_lrs():
    rows = run("maneuver", "faber", "-f", "json").json()
    by = {r["condition"]: r for r in rows}
    assert set(by) == {"gluteus-medius-tendinopathy", "sacroiliitis"}
    g = by["gluteus-medius-tendinopathy"]
    # sens 0.42, spec 0.80: LR+ = 0.42 / 0.20 = 2.10; LR- = 0.58 / 0.80 = 0.725 -> 0.72 or 0.73
    assert g["lr_positive"] == pytest.approx(2.10, abs=0.005)
    assert g["lr_negative"] == pytest.approx(0.725, abs=0.006)
    assert by["sacroiliitis"]["lr_positive"] is None
    assert "low specificity" in by["sacroiliitis"]["interpretation"].lower()
    for key in ("id", "name", "condition", "sensitivity", "specificity", "lr_positive", "lr_negative",
                "sensitivity_range", "specificity_range", "lr_positive_range", "lr_negative_range", "ppv_range",
                "description", "interpretation", "source", "notes"):
        assert key in g


def test_maneuver_modified_bent_knee_lrs_from_the_review():
    (r,) = run("maneuver", "modified bent knee", "-f", "json").json()
    # sens 0.89, spec 0.91: LR+ = 0.89 / 0.09 = 9.888 -> 9.89; LR- = 0.11 / 0.91 = 0.1209 -> 0.12
    assert r["lr_positive"] == pytest.approx(9.8889, abs=1e-4)
    assert r["lr_negative"] == pytest.approx(0.120879, abs=1e-6)
    assert "moderate" in r["interpretation"]


def test_aliases_patrick_and_resisted_external_rotation():
    assert run("maneuver", "Patrick's test", "-f", "json").json()[0]["id"] == "faber"
    r = run("maneuver", "resisted hip external rotation", "-f", "json").json()
    assert r[0]["id"] == "resisted-hip-external-rotation"
    assert any("derotation" in n["text"].lower() for n in r[0]["notes"])


def test_specificity_one_gives_unbounded_lr_as_null_and_infinity():
    (emg,) = [r for r in run("test", "needle-emg", "-f", "json").json() if r["sensitivity_range"]]
    lo, hi = emg["lr_positive_range"]
    # LR+ low corner: 0.49 / (1 - 0.87) = 3.769 -> 3.77; high corner: spec 1 -> unbounded
    assert lo == pytest.approx(3.77, abs=0.005) and hi is None
    # LR- corners: (1 - 0.86) / 1.0 = 0.14 and (1 - 0.49) / 0.87 = 0.586 -> 0.59
    assert emg["lr_negative_range"] == [pytest.approx(0.14), pytest.approx(0.59, abs=0.005)]
    assert any("unbounded" in n["text"] for n in emg["notes"])
    table = run("test", "needle-emg", tty=True, width=200)
    assert "∞" in table.out


def test_ppv_only_gives_no_lr():
    (slr,) = run("maneuver", "straight leg raise", "-f", "json").json()
    assert slr["lr_positive"] is None and slr["lr_positive_range"] is None
    assert slr["ppv_range"] == [0.16, 0.31]
    assert "no likelihood ratio" in slr["interpretation"]


def test_maneuvers_for_a_condition_strongest_first():
    rows = run("maneuver", "--condition", "gluteus medius tendinopathy", "-f", "json").json()
    ids = [r["id"] for r in rows]
    # single leg stance: LR- 0 (sens 1.0) is the strongest; resisted derotation LR+ 0.88/0.027 = 32.6
    assert ids[0] == "single-leg-stance-pain"
    assert ids.index("resisted-hip-external-rotation") < ids.index("faber")


def test_maneuver_list_and_not_found():
    rows = run("maneuver", "-f", "json").json()
    assert len(rows) >= 20 and {"faber", "freiberg", "stork-test"} <= {r["id"] for r in rows}
    r = run("maneuver", "fabre")
    assert r.code == 1 and "faber" in r.err


def test_redflags_and_by_condition():
    rows = run("redflags", "-f", "json").json()
    assert {"saddle-anesthesia", "bowel-bladder-dysfunction"} <= {r["id"] for r in rows}
    for r in rows:
        assert r["why"] and r["action"] and r["source"]["section"]
    assert run("redflags", "--condition", "lumbosacral radiculopathy", "-f", "json").code == 0
    assert run("redflags", "--condition", "hip-osteoarthritis").code == 1
    assert run("redflags", "--condition", "nonsense").code == 1


def test_search_tolerates_typos_and_word_order():
    rows = run("search", "hamstrng", "-f", "json").json()
    assert "proximal-hamstring-tendinopathy" in [r["id"] for r in rows[:5]]
    assert all({"kind", "id", "snippet"} <= r.keys() for r in rows)
    rows2 = run("search", "tendinopathy hamstring", "-f", "json").json()
    assert rows2[0]["id"] == "proximal-hamstring-tendinopathy"
    assert run("search", "zzzzqqq").code == 1
    assert run("search", "   ").code == 2


def test_sources_and_cite_show_disagreements():
    ids = {r["id"] for r in run("sources", "-f", "json").json()}
    assert {"upmc-buttock-pain-review", "ha-2006", "cacchio-2012", "lequesne-2008"} <= ids
    rows = run("cite", "hip-mri", "-f", "json").json()
    dis = [r for r in rows if r["type"] == "note: disagreement"]
    assert dis and any("Zhang" in c for r in dis for c in r["citations"])
    assert run("cite", "no-such-record").code == 1


def test_anatomy_muscle_nerve_lists_and_one():
    assert len(run("anatomy", "-f", "json").json()) >= 20
    lig = run("anatomy", "iliofemoral ligament", "-f", "json").json()
    assert lig["kind"] == "ligament"
    m = run("muscle", "gluteus medius", "-f", "json").json()
    assert m["nerve"] == "superior-gluteal-nerve" and m["roots"] == ["L4", "L5", "S1"]
    n = run("nerve", "sciatic", "-f", "json").json()
    assert n["roots"] == ["L4", "L5", "S1", "S2", "S3"] and "piriformis" in n["course"]


COMMANDS = [
    ["differential"],
    ["differential", "buttock"],
    ["differential", "buttock", "--finding", "neurologic-deficit"],
    ["condition", "sacroiliitis"],
    ["anatomy"],
    ["muscle"],
    ["muscle", "piriformis"],
    ["nerve"],
    ["innervation", "L4"],
    ["maneuver"],
    ["maneuver", "faber"],
    ["test"],
    ["test", "facet block"],
    ["redflags"],
    ["search", "sitting"],
    ["sources"],
    ["cite", "faber"],
    ["info"],
    ["finding"],
    ["kerboul", "210"],
    ["tonnis"],
    ["tonnis", "small-cysts"],
    ["posttest", "--pretest", "0.3", "lr=2"],
    ["case"],
    ["reference", "schema"],
]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_every_command_in_every_format(args, fmt):
    r = run(*args, "-f", fmt, width=100)
    assert r.code == 0, r.err
    assert r.out.strip()
    if fmt == "json":
        json.loads(r.out)
    elif fmt == "ndjson":
        for line in r.out.splitlines():
            json.loads(line)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(r.out)))
        assert len({len(x) for x in rows}) == 1
    elif fmt == "tsv":
        lines = r.out.splitlines()
        assert len({line.count("\t") for line in lines}) == 1


NOT_FOUND = [
    ["differential", "elbow"],
    ["condition", "gout"],
    ["anatomy", "clavicle"],
    ["muscle", "deltoid"],
    ["nerve", "median"],
    ["innervation", "C5"],
    ["maneuver", "lachman"],
    ["test", "dexa"],
    ["redflags", "--condition", "gout"],
    ["search", "qqqqzzzz"],
    ["cite", "nothing-here"],
    ["finding", "nothing-here"],
    ["tonnis", "broken-femur"],
]


@pytest.mark.parametrize("args", NOT_FOUND, ids=lambda a: " ".join(a))
def test_not_found_exits_1_with_message(args):
    r = run(*args)
    assert r.code == 1, (r.code, r.err)
    assert r.out == "" and "dxcli: error:" in r.err


INVALID = [
    ["condition", ""],
    ["maneuver", "faber", "--pretest", "2"],
    ["maneuver", "--pretest", "0.3"],
    ["search", ""],
    ["kerboul", "abc"],
    ["kerboul", "1", "2", "3"],
    ["posttest", "lr=2"],
    ["posttest", "-p", "0.3", "faber"],
    ["differential", "buttock", "--finding", "no-such-finding"],
    ["finding", "--kind", "nonsense"],
    ["differential", "-f", "yaml"],
    ["nonsense-command"],
]


@pytest.mark.parametrize("args", INVALID, ids=lambda a: " ".join(a))
def test_invalid_input_exits_2_with_message(args):
    r = run(*args)
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.err.strip()
    assert "Traceback" not in r.err + r.out


def test_a_group_name_lists_its_muscles():
    rows = run("muscle", "hamstring", "-f", "json").json()
    assert [r["id"] for r in rows] == ["semitendinosus", "semimembranosus", "biceps-femoris-long-head", "biceps-femoris-short-head"]
    assert run("muscle", "hamstrings", "-f", "json").json() == rows
    assert run("muscle", "hamstrng").code == 1


def test_an_empty_innervation_answer_names_the_records_that_answer():
    r = run("innervation", "sciatic")
    assert r.code == 1
    assert "tibial nerve (L5, S1, S2" in r.err and "common fibular nerve (L5, S1" in r.err
    assert "does not say whether either is a branch" in r.err  # no branching is claimed
    assert "dxcli innervation tibial-nerve" in r.err
    assert run("innervation", "tibial-nerve").code == 0
