"""A post-test chain counts each maneuver or test once (audit, 0.3.0): a finding given twice
would have its likelihood ratio multiplied in twice, and one given as both + and - contradicts
itself; both were answered with exit 0 before. A chain is bounded in length, and a product
that leaves the floating-point range is refused, never read as certainty."""

import pytest

from conftest import run
from dxcli import api


@pytest.mark.parametrize("findings, said", [
    (["modified-bent-knee+", "modified-bent-knee+"], "is given twice"),  # was 0.977 (LR 9.89 squared), exit 0
    (["modified-bent-knee+", "modified-bent-knee-"], "both positive and negative"),  # was 0.339, exit 0
    (["faber+", "FABER-"], "both positive and negative"),  # one record by any of its names
])
def test_one_maneuver_twice_in_a_chain_is_refused(findings, said):
    r = run("posttest", "-p", "0.3", *findings, "-f", "json")
    assert r.code == 2 and said in r.err and "hint:" in r.err and r.out == "", r.err
    with pytest.raises(api.InvalidInput, match=said):
        api.posttest(0.3, findings)


def test_a_typed_ratio_may_repeat():
    # two typed ratios of 2 are the user's own numbers: odds 0.3/0.7 x 4 = 1.714..., p = 1.714/2.714 = 0.6316
    assert api.posttest(0.3, ["lr=2", "lr=2"])["posttest"] == pytest.approx(12 / 19)


def test_a_chain_is_bounded():
    with pytest.raises(api.InvalidInput, match="at most 50"):
        api.posttest(0.3, ["lr=1.01"] * 51)


def test_batch_lines_get_the_same_refusal():
    r = run("posttest", "-", "-f", "csv", stdin="0.3 faber+ faber+\n0.3 faber+\n")
    assert r.code == 2 and "line 1" in r.err and "given twice" in r.err
    assert r.out.count("\n") == 2  # the header and the good line
