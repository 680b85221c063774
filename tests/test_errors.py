"""Every error in one style (issue 20): Click's own usage errors too, a quoted argument cut to
about 80 characters, suggestions from the kind looked up, prefixes of at least three letters,
and hints whose commands are never split when wrapped."""

from __future__ import annotations

import re
import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run

USAGE_ERRORS = [
    ["search"],  # a missing argument
    ["cite"],
    ["export", "anki"],
    ["nope"],  # an unknown command
    ["reference", "zz"],  # an unknown subcommand
    ["maneuver", "--bogus"],  # an unknown option
    ["-f", "json", "maneuver"],  # an option of a command given before it
    ["maneuver", "-f", "xml"],  # a bad choice
    ["quiz", "-n", "0"],  # out of range
    ["info", "extra"],  # an unexpected extra argument
]


@pytest.mark.parametrize("args", USAGE_ERRORS, ids=" ".join)
def test_click_usage_errors_say_error_and_hint_with_exit_2(args):
    r = run(*args)
    assert r.code == 2, r.err
    lines = r.err.splitlines()
    assert lines[0].startswith("dxcli: error: "), r.err
    assert lines[1].startswith("  hint: "), r.err
    assert len(lines) == 2, r.err  # no Click block: "Usage: ...", "Try ...", "Error: ..."
    assert not re.search(r"^(Usage|Error|Try)\b", r.err, re.M), r.err
    for command in re.findall(r"'(dxcli [^']*)'", lines[1]):  # the hint's command runs
        assert run(*shlex.split(command)[1:]).code == 0, command


def test_a_missing_argument_names_it_as_the_usage_does():
    r = run("search")
    assert "missing argument 'TEXT'" in r.err
    assert "dxcli search [OPTIONS] TEXT..." in r.err and "{" not in r.err
    assert "search [OPTIONS] TEXT..." in run("search", "--help").out
    assert "cite [OPTIONS] ID\n" in run("cite", "--help").out
    assert "maneuver [OPTIONS] [NAME]" in run("maneuver", "--help").out


def test_a_huge_argument_is_cut_to_about_80_characters():
    huge = "a" * 131_000
    for args in (["kerboul", huge], [f"nope{huge}"], ["maneuver", "-f", huge]):
        r = run(*args)
        assert r.code == 2
        assert len(r.err) < 500, len(r.err)
        assert re.search(r"'(nope)?a{70,80}…' \(131,00[04] characters\)", r.err), r.err[:300]


def test_a_short_quoted_argument_is_kept_whole():
    r = run("kerboul", "x" * 80)
    assert f"'{'x' * 80}'" in r.err


def test_cite_suggests_only_ids_it_takes():
    r = run("cite", "nonexistent")
    assert r.code == 1 and "adolescent-athlete" not in r.err, r.err
    assert "'hip-mri'" in run("cite", "hip-mr").err
    assert "'ha-2006'" in run("cite", "ha-200").err  # a citation's id


def test_redflags_hint_names_the_command():
    r = run("redflags", "foo")
    assert r.code == 1
    assert "'dxcli redflags'" in r.err and "dxcli red flag" not in r.err


@pytest.mark.parametrize("query,roots", [("L", ["L4", "L5"]), ("S", ["S1", "S2"]), ("s", ["S1", "S2"])])
def test_a_root_without_its_number_lists_the_roots(query, roots):
    # Table 1 of the review: the buttock muscles' roots run L4 to S2 (e.g. gluteus maximus L5, S1, S2;
    # gluteus medius L4, L5, S1)
    r = run("innervation", query)
    assert r.code == 2, r.err
    assert "biceps" not in r.err and "biceps" not in r.out
    assert "without its number" in r.err
    for root in roots:
        assert root in r.err
    for command in re.findall(r"'(dxcli [^']*)'", r.err):  # the example runs
        assert run(*shlex.split(command)[1:]).code == 0, command


@pytest.mark.parametrize("args", [["condition", "gl"], ["muscle", "b"], ["nerve", "s"], ["maneuver", "fa"]])
def test_a_prefix_of_one_or_two_letters_completes_nothing(args):
    r = run(*args)
    assert r.code == 1, (r.code, r.err)
    assert "taken as" not in r.err


@pytest.mark.parametrize("args,rec", [(["condition", "glut med"], "gluteus-medius"), (["muscle", "pir"], "piriformis"),
                                      (["maneuver", "fab"], "faber")])
def test_a_prefix_of_three_letters_or_a_whole_word_completes(args, rec):
    r = run(*args)
    assert r.code == 0 and "taken as" in r.err and rec in r.err.lower()


# --------------------------------------------------------------------------- wrapping

HINT = ("faber has evidence for several conditions; choose one: 'dxcli posttest -p 0.3 faber+ --condition "
        "gluteus-medius-tendinopathy' or 'dxcli posttest -p 0.3 faber+ --condition sacroiliitis'; see [11, 12] and [3]")


def _pasted(lines: list[str]) -> list[str]:
    """The commands a person copies from wrapped lines: quoted ones, and those on lines of their
    own (continued with a backslash)."""
    text = "\n".join(lines)
    text = re.sub(r" \\\n\s*", " ", text)
    out = re.findall(r"'(dxcli [^'\n]*)'", text)
    out += [m.strip() for m in re.findall(r"^\s*(dxcli [^'\n]*)$", text, re.M)]
    return out


@pytest.mark.parametrize("width", [40, 60, 100, 160])
def test_wrapped_commands_and_references_stay_whole(width):
    from dxcli.errors import wrap_words

    lines = wrap_words(HINT, width, "  hint: ", "        ")
    assert all(len(x) <= width for x in lines), lines
    for line in lines:
        assert line.count("'") % 2 == 0, lines  # a quote never opens on one line and closes on another
        assert line.count("[") == line.count("]"), lines  # [11, 12] never split
    assert sorted(_pasted(lines)) == sorted([
        "dxcli posttest -p 0.3 faber+ --condition gluteus-medius-tendinopathy",
        "dxcli posttest -p 0.3 faber+ --condition sacroiliitis",
    ]), lines
    words = " ".join(lines).replace("\\", " ").replace("'", " ").split()
    assert words == ("hint: " + HINT).replace("'", " ").split()  # nothing lost or reordered


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "bb", "ccc", "x-y", " ", "  ", "\t", "\n", "'dxcli kerboul 210'", "[1, 2]"]), max_size=12).map("".join),
       st.integers(1, 60), st.sampled_from(["", "  ", "- "]), st.sampled_from(["", "  "]))
def test_a_line_that_fits_wraps_as_textwrap_wraps_it(text, width, lead, hang):
    """The short cut for a line that fits gives what textwrap gives (its units glued, its
    whitespace made spaces, trailing whitespace dropped, nothing for a blank line)."""
    import textwrap

    from dxcli.errors import wrap_words

    if len(lead) + len(text.rstrip()) <= width and not any(c in text for c in "\t\n"):
        assert wrap_words(text, width, lead, hang) == textwrap.wrap(
            text, width, initial_indent=lead, subsequent_indent=hang, break_long_words=False, break_on_hyphens=False)


def _pages() -> list[list[str]]:
    from dxcli.reference import loader

    out = [["condition", c["id"]] for c in loader.records("condition")]
    out += [["maneuver", m["id"]] for m in loader.records("maneuver")]
    out += [["test", t["id"]] for t in loader.records("test")]
    return out + [["differential", "buttock"], ["case"], ["redflags"], ["kerboul", "190"], ["posttest", "-p", "0.3", "faber+"]]


@pytest.mark.parametrize("width", [60, 100])
def test_pages_never_split_a_command_or_a_reference(width):
    """On every condition, maneuver and test page (and the main others), at 60 and 100 columns,
    a quoted command and a run of references ([11, 12]) are each on one line."""
    bad = []
    for args in _pages():
        r = run(*args, tty=True, width=width)
        assert r.code == 0, (args, r.err)
        for line in r.out.splitlines():
            unquoted = re.sub(r"'dxcli [^']*'", "", line)
            if "'dxcli" in unquoted or re.search(r"\[[0-9][0-9, ]*$", line) or re.match(r"\s*[│ ]*[0-9]+(?:, [0-9]+)*\]", line):
                bad.append((args, line))
    assert not bad, bad[:5]
