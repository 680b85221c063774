"""Docs that cannot drift: every command is in the README, and the README's examples run."""

from __future__ import annotations

import re
import shlex

import pytest

from conftest import ROOT, run
from dxcli.cli.app import COMMANDS, make_app

README = (ROOT / "README.md").read_text(encoding="utf-8")
EXAMPLES = re.findall(r"\| `(dxcli [^`]+)` \|\s*$", README, re.M)


def test_every_command_is_documented_with_an_example():
    for name in COMMANDS:
        assert f"`{name}" in README, f"{name} is not in the README's command table"
    assert len(EXAMPLES) >= len(COMMANDS) - 3  # some rows document two commands


@pytest.mark.parametrize("example", EXAMPLES)
def test_readme_examples_run(example):
    args = shlex.split(example)[1:]
    r = run(*args, "-f", "json") if "-f" not in args else run(*args)
    assert r.code == 0, (example, r.err)


def test_every_command_has_help_with_an_example():
    from typer.main import get_command

    group = get_command(make_app())
    for name in group.list_commands(None):
        cmd = group.get_command(None, name)
        if hasattr(cmd, "commands"):  # a group (reference, export): each of its commands
            for sub in cmd.commands.values():
                assert "Examples" in (sub.epilog or ""), f"{name} {sub.name}"
            continue
        assert "Examples" in (cmd.epilog or ""), name
        assert (cmd.help or "").strip(), name


def test_readme_opens_with_the_two_setup_commands():
    first_block = README.split("```")[1]
    lines = [ln.strip() for ln in first_block.splitlines() if ln.strip() and ln.strip() != "sh"]
    assert lines[0] == "pip install . && dxcli differential buttock"
    assert lines[1] == 'pip install ".[test]" && python -m pytest'
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert lines[1] in ci
