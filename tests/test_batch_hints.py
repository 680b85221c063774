"""A batch line that fails says the same error and hint the same input gets as an argument:
'dxcli: line N: <error>' then '  hint: <hint>'. A pre-test range on a batch line is refused
with a hint that ranges are for one case at a time."""

from __future__ import annotations

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


def test_a_pretest_range_on_a_batch_line_says_ranges_are_for_one_case():
    r = run("posttest", "-", stdin="20%-40% modified-bent-knee+\n")
    assert r.code == 2
    error, hint = _said(r.err)[:2]
    assert error == "dxcli: line 1: pre-test probability '20%-40%' is a range; here a pre-test probability is one value"
    assert "one case at a time" in hint and "dxcli posttest -p 20%-40% modified-bent-knee+" in hint
    assert run("posttest", "-p", "20%-40%", "modified-bent-knee+").code == 0  # as the hint says
