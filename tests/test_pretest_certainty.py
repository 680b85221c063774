"""A pre-test probability of exactly 0 or 1 is certainty, which no finding can move: it is
refused (exit 2, with a hint) wherever a pre-test probability is read: ``posttest -p``, a
range's end, batch lines, ``--pretest`` of maneuver and test, and the API."""

from __future__ import annotations

import json

import pytest

from conftest import run
from dxcli import api
from dxcli.errors import InvalidInput

CERTAIN = ["0", "1", "0%", "100%", "0.0", "1.000"]


@pytest.mark.parametrize("p", CERTAIN)
def test_posttest_refuses_certainty(p):
    r = run("posttest", "-p", p, "modified-bent-knee+", "-f", "json")
    assert r.code == 2 and r.out == "" and "certainty" in r.err and "hint:" in r.err


@pytest.mark.parametrize("p", ["0-40%", "20%-100%", "0-0.4", "0.6-1"])
def test_a_range_ending_in_certainty_is_refused(p):
    r = run("posttest", "-p", p, "modified-bent-knee+")
    assert r.code == 2 and "certainty" in r.err and "hint:" in r.err


@pytest.mark.parametrize("kind,name", [("test", "hip-mri"), ("maneuver", "faber")])
@pytest.mark.parametrize("p", ["0", "1"])
def test_maneuver_and_test_pretest_refuse_certainty(kind, name, p):
    r = run(kind, name, "--pretest", p, "-f", "json")
    assert r.code == 2 and r.out == "" and "certainty" in r.err and "hint:" in r.err


def test_a_batch_line_with_certainty_fails_and_others_stand():
    # line 1 is certainty: refused; line 2 (0.3, a real case) is answered
    r = run("posttest", "-", "-f", "ndjson", stdin="1 single-leg-stance-pain-\n0.3 single-leg-stance-pain-\n")
    assert r.code != 0 and "line 1" in r.err and "certainty" in r.err
    rows = [json.loads(x) for x in r.out.splitlines()]
    assert [row["line"] for row in rows] == [2]


def test_batch_pretest_option_refuses_certainty():
    r = run("posttest", "-", "-p", "0", stdin="modified-bent-knee+\n")
    assert r.code == 2 and "certainty" in r.err


@pytest.mark.parametrize("p", [0, 1, 0.0, 1.0, "0%", "100%"])
def test_api_refuses_certainty(p):
    with pytest.raises(InvalidInput, match="certainty"):
        api.posttest(p, ["modified-bent-knee+"])


def test_just_inside_certainty_is_answered():
    # 0.01 and 99% are answers, not refusals: odds 99 x 9.89 (LR+ of the modified bent-knee
    # test) = 979, p = 979/980 = 0.9990
    r = run("posttest", "-p", "99%", "modified-bent-knee+", "-f", "json")
    assert r.code == 0 and r.json()["posttest"] == pytest.approx(0.9990, abs=5e-5)
    assert run("posttest", "-p", "0.01", "modified-bent-knee+").code == 0
