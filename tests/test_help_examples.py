"""Help examples are never folded inside a word (issue 13): at 60 and 100 columns every
example of every command's help reads back as the command its author wrote, broken (if
at all) between shell words with a trailing backslash, so that it pastes as shown."""

from __future__ import annotations

import inspect
import re

import pytest

from conftest import sh
from dxcli.cli.app import COMMANDS, _load


def _examples() -> list[tuple[list[str], str]]:
    out = []
    for name in COMMANDS:
        cmd = _load(name)
        cmds = [([name], cmd)] + [([name, sub], c) for sub, c in getattr(cmd, "commands", {}).items()]
        for path, c in cmds:
            for line in inspect.cleandoc(c.epilog or "").splitlines():
                if re.match(r"[a-z]+ ", line) and "dxcli" in line:
                    out.append((path, " ".join(line.partition("  # ")[0].split())))
    return out


EXAMPLES = _examples()


def test_there_are_examples_to_check():
    assert len(EXAMPLES) > 40 and {p[0] for p, _ in EXAMPLES} >= {"posttest", "kerboul", "differential", "maneuver"}


@pytest.mark.parametrize("cols", [60, 100])
def test_every_help_example_reads_back_whole(cols):
    by_path: dict[tuple[str, ...], list[str]] = {}
    for path, ex in EXAMPLES:
        by_path.setdefault(tuple(path), []).append(ex)
    for path, examples in by_path.items():
        r = sh(*path, "--help", env={"COLUMNS": str(cols)})
        assert r.returncode == 0, r.stderr
        text = r.stdout.split("Examples:", 1)[-1]
        long = [x for x in r.stdout.splitlines() if len(x) > cols]
        assert not long, f"{path}: a line wider than {cols}: {long[0]!r}"
        joined = " ".join(re.sub(r" \\\n\s+", " ", text).split())
        for ex in examples:
            assert ex in joined, f"dxcli {' '.join(path)} --help at {cols} columns: {ex!r} does not read back whole"


@pytest.mark.parametrize("cols", [60, 100])
def test_help_topics_fit_the_terminal_and_keep_examples_whole(cols):
    from dxcli.help_topics import TOPICS, shown

    for name, text in TOPICS.items():
        out = shown(text, cols)
        long = [x for x in out.splitlines() if len(x) > cols]
        assert not long, f"help {name} at {cols}: {long[0]!r}"
        joined = " ".join(re.sub(r" \\\n\s+", " ", out).split())
        for line in text.splitlines():
            if re.match(r"\s+[a-z]+ ", line) and "dxcli" in line:
                ex = " ".join(line.partition("  # ")[0].split())
                assert ex in joined, f"help {name} at {cols}: {ex!r} does not read back whole"
        words = set(re.findall(r"[A-Za-z]{3,}", text))
        cut = {w for w in re.findall(r"[A-Za-z]{3,}", out) if w not in words}
        assert not cut, f"help {name} at {cols}: words cut {sorted(cut)[:5]}"
