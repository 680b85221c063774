"""Every hint dxcli can print names a command that works (issue 13): the hints are collected
from the source (each 'dxcli ...' inside a hint), their placeholders filled, and each run
must exit 0. Not-found messages suggest close names and 'dxcli search'."""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT, run
from dxcli.names import LIST_COMMANDS

# What each placeholder in a hint stands for: every value it can take that a test can give.
FILL = {
    "kind": ["maneuver", "test"],
    "what": ["condition", "anatomy", "muscle", "nerve", "maneuver", "test", "finding"],
    "name": ["faber"],  # with kind=test, hip-mri (below)
    "EXAMPLE": ["EXAMPLE"],  # EXAMPLE[kind]: filled per kind in _fixed
    "n": ["sciatic-nerve"],
    "rec": ["faber"],
    "_shell_word": ["hamstring"],
    "listing": sorted({v for v in LIST_COMMANDS.values() if v}),
}
WORDS = {"PATH": str(ROOT / "examples" / "packs" / "vignette-extras"), "TEXT": "hamstring", "ID": "faber"}
PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)[^{}]*(?:\{[^{}]*\}[^{}]*)*\}")
COMMAND = re.compile(r"'(dxcli [^']*)'|e\.g\. '?(dxcli [^\"']*)")


def _hint_lines() -> list[str]:
    lines = []
    for path in sorted((ROOT / "dxcli").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "hint" in line or path.name == "names.py":
                lines.append(line)
    return lines


def _commands() -> list[str]:
    found: set[str] = set()
    for line in _hint_lines():
        keys = PLACEHOLDER.findall(line)
        variants = [line]
        for key in dict.fromkeys(keys):
            if key not in FILL:
                continue
            variants = [PLACEHOLDER.sub(lambda m, k=key, v=v: v if m.group(1) == k else m.group(0), x, count=0)
                        for x in variants for v in FILL[key]]
        for v in variants:
            if PLACEHOLDER.search(v):
                continue
            for m in COMMAND.finditer(v.replace("\\'", "'")):
                cmd = (m.group(1) or m.group(2)).strip().rstrip(".")
                if cmd.startswith("dxcli ") and cmd != "dxcli ":
                    found.add(cmd)
    return sorted(found)


# The kind names that lookups pass as ``what`` ("red flag", "complaint", ...): read from the source,
# so that a hint built from any of them is run (issue 20: 'dxcli red flag' is not a command).
WHAT = re.compile(r'find_record\(\s*"[^"]*",\s*\w+,\s*"([^"]+)"|\bfind\([^()]*?,\s*\w+,\s*"([^"]+)"|suggest\((?:[^()]|\([^()]*\))*,\s*"([^"]*)"\)')


def _kind_names() -> set[str]:
    out: set[str] = set()
    for path in sorted((ROOT / "dxcli").rglob("*.py")):
        for m in WHAT.finditer(path.read_text(encoding="utf-8")):
            out.add(next(g for g in m.groups() if g is not None))
    return out


def test_kind_names_were_found():
    kinds = _kind_names()
    assert {"red flag", "condition", "muscle", "complaint", "finding", "innervation"} <= kinds, kinds


def _listing_commands() -> set[str]:
    """What a not-found message says when no name is close: run the suggester itself."""
    from dxcli.names import suggest

    out: set[str] = set()
    for what in [*FILL["what"], *LIST_COMMANDS, *_kind_names()]:
        for m in COMMAND.finditer(suggest([], "hamstring", what)):
            out.add(m.group(1) or m.group(2))
    return out


def _fixed(cmd: str) -> str:
    """A filled hint where a placeholder's value depends on another's (a test's name)."""
    cmd = cmd.replace("dxcli test faber", "dxcli test hip-mri")
    for kind, name in (("maneuver", "modified-bent-knee"), ("test", "needle-emg")):
        cmd = cmd.replace(f"dxcli {kind} EXAMPLE", f"dxcli {kind} {name}")
    return cmd


COMMANDS = sorted({_fixed(c) for c in _commands()} | _listing_commands())


def test_hints_were_found():
    assert len(COMMANDS) >= 15, COMMANDS
    assert "dxcli condition" in COMMANDS and "dxcli search hamstring" in COMMANDS


@pytest.mark.parametrize("command", COMMANDS)
def test_every_hint_names_a_command_that_works(command):
    args = [WORDS.get(a, a) for a in shlex.split(command)[1:]]
    stdin = None
    if "<" in args:  # a batch hint reads a file: give it one with the columns it names
        args = args[: args.index("<")]
        stdin = "id,angle\npatient-1,210\npatient-2,250\n"
    r = run(*args, stdin=stdin)
    assert r.code == 0, f"the hint {command!r} exits {r.code}: {r.err}"


@pytest.mark.parametrize("args", [["condition", "xyzzyq"], ["maneuver", "fabr"], ["cite", "zzzqq"], ["muscle", "pirformis"]])
def test_not_found_suggests_close_names_and_search(args):
    r = run(*args)
    assert r.code == 1
    assert f"dxcli search {args[1]}" in r.err, r.err


@pytest.mark.parametrize("command", ["condition", "innervation", "muscle", "nerve", "anatomy", "maneuver", "test", "finding", "differential", "tonnis", "sources", "redflags"])
def test_every_list_command_works_bare(command):
    assert run(command).code == 0
