"""A batch line that fails says the same error and hint the same input gets as an argument:
'dxcli: line N: <error>' then '  hint: <hint>'. A pre-test range on a batch line is answered as
the single command answers it, in a row of the same shape as every other."""

from __future__ import annotations

import json

import pytest

from conftest import run


def _said(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith(("dxcli: ", "  hint:"))]


def test_a_kerboul_line_gets_the_hint_of_the_argument():
    r = run("kerboul", "-", stdin="abc\n210\n")
    assert r.code == 2
    assert _said(r.err) == [
        "dxcli: line 1: combined angle 'abc' is not a number",
        "  hint: give the combined angle as a plain decimal number, e.g. 210",
        "dxcli: 1 line(s) failed",
    ]
    one = run("kerboul", "abc")
    assert _said(one.err)[1] == "  hint: give the combined angle as a plain decimal number, e.g. 210"


@pytest.mark.parametrize("command,line,argv", [
    ("kerboul", "400", ["kerboul", "400"]),
    ("posttest", "0.3 no-such-maneuver+", ["posttest", "-p", "0.3", "no-such-maneuver+"]),
    ("posttest", "1.5 lr=2", ["posttest", "-p", "1.5", "lr=2"]),
])
def test_every_batch_error_carries_the_arguments_hint(command, line, argv):
    r = run(command, "-", stdin=line + "\n")
    one = run(*argv)
    error, hint = _said(one.err)[:2]
    assert error.startswith("dxcli: error: ") and hint.startswith("  hint: ")
    assert _said(r.err)[:2] == ["dxcli: line 1: " + error[len("dxcli: error: "):], hint]


def test_a_pretest_range_on_a_batch_line_is_answered_as_the_single_command_answers_it():
    # modified bent-knee LR+ = 0.89 / (1 - 0.91) = 9.8889; at 20%: odds 0.25 x 9.8889 = 2.4722,
    # p = 2.4722 / 3.4722 = 0.7120; at 40%: odds 0.6667 x 9.8889 = 6.5926, p = 6.5926 / 7.5926 = 0.8683
    r = run("posttest", "-", "-f", "ndjson", stdin="20%-40% modified-bent-knee+\n0.3 modified-bent-knee+\n")
    assert r.code == 0, r.err
    ranged, single = [json.loads(x) for x in r.out.splitlines()]
    assert list(ranged) == list(single)  # one shape for every row
    assert ranged["pretest"] is None and ranged["posttest"] is None
    assert ranged["posttest_range"] == pytest.approx([0.7120, 0.8683], abs=5e-5)
    assert "batch line gets no simulation interval" in ranged["posttest_ci_note"]
    # 0.3: odds 0.4286 x 9.8889 = 4.2381, p = 4.2381 / 5.2381 = 0.8091
    assert single["posttest"] == pytest.approx(0.8091, abs=5e-5) and single["posttest_range"] is None
    one = run("posttest", "-p", "20%-40%", "modified-bent-knee+", "-f", "json").json()
    assert one["posttest_range"] == pytest.approx(ranged["posttest_range"], abs=1e-12)


def test_a_pretest_range_given_with_pretest_applies_to_every_line():
    r = run("posttest", "-", "-p", "20%-40%", "-f", "ndjson", stdin="modified-bent-knee+\n")
    assert r.code == 0, r.err
    assert json.loads(r.out)["posttest_range"] == pytest.approx([0.7120, 0.8683], abs=5e-5)
