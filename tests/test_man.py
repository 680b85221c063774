"""The man page (issue 20): NAME to SEE ALSO, made from the same declarations as --help (the
Click command tree and the help topics), every global option and environment variable, and no
groff warnings."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run

SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "EXIT STATUS", "ENVIRONMENT", "FILES", "SEE ALSO"]


@pytest.fixture(scope="module")
def man() -> str:
    r = run("help", "--man")
    assert r.code == 0, r.err
    return r.out


def _plain(roff: str) -> str:
    """The page's words without roff: escapes undone enough to compare names."""
    text = re.sub(r"\\f[BIRP]", "", roff).replace("\\-", "-").replace("\\&", "").replace("\\e", "\\")
    return re.sub(r"\\\[u([0-9A-F]{4})\]", lambda m: chr(int(m.group(1), 16)), text)


def _section(roff: str, name: str) -> str:
    m = re.search(rf"^\.SH {name}\n(.*?)(?=^\.SH |\Z)", roff, re.M | re.S)
    assert m, name
    return _plain(m.group(1))


def test_the_sections_in_order(man):
    found = re.findall(r"^\.SH (.+)$", man, re.M)
    assert [s for s in found if s in SECTIONS] == SECTIONS, found
    assert found[-1] == "SEE ALSO"


def test_options_are_clicks_own(man):
    from typer.main import get_command

    from dxcli.cli.app import app

    group = get_command(app)
    options = _section(man, "OPTIONS")
    for p in group.params:
        if p.param_type_name == "option" and not p.hidden:
            for opt in p.opts:
                assert opt in options, opt
    for opt in ("--no-pager", "--reference", "--csv-safe", "--format", "--fields"):
        assert opt in options


def test_every_command_and_its_options(man):
    from typer.main import get_command

    from dxcli.cli.app import app

    group = get_command(app)
    commands = _section(man, "COMMANDS")
    ctx = None
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        assert f"dxcli {name} " in commands, name
        for sub in getattr(cmd, "commands", {}):
            assert f"dxcli {name} {sub} " in commands, (name, sub)
        for p in cmd.params:
            if p.param_type_name == "option" and not p.hidden and not set(p.opts) & {"--format", "--fields", "--help"}:
                assert p.opts[-1] in commands, (name, p.opts)
    assert "dxcli search [OPTIONS] TEXT..." in commands and "{" not in commands


READS = re.compile(
    r'(?:environ|\benv)(?:\.get|\.setdefault)?\s*[\[(]\s*"([A-Z][A-Z0-9_]*)"'  # os.environ.get("X"), env["X"]
    r'|"([A-Z][A-Z0-9_]*)"\s+(?:not\s+)?in\s+(?:os\.)?(?:environ|env)\b'  # "X" in os.environ
    r'|for\s+\w+\s+in\s+\(((?:"[A-Z][A-Z0-9_]*",?\s*)+)\):\s*\n\s*if\s+\w+\s+in\s+os\.environ'  # for var in ("A", "B"):
)


def _variables_read() -> set[str]:
    """Every environment variable the source reads, found where it reads it."""
    out = set()
    for path in (ROOT / "dxcli").rglob("*.py"):
        for m in READS.finditer(path.read_text(encoding="utf-8")):
            for g in m.groups():
                if g:
                    out |= set(re.findall(r"[A-Z][A-Z0-9_]*", g))
    return out


def test_environment_names_every_variable_read(man):
    env = _section(man, "ENVIRONMENT")
    wanted = _variables_read() | {"DXCLI_PAGER", "DXCLI_REFERENCE_PATH", "DXCLI_DEBUG", "NO_COLOR", "XDG_CACHE_HOME"}
    assert len(wanted) >= 8, wanted
    for var in sorted(wanted):
        assert re.search(rf"^{var}$", env, re.M), var  # each its own item


def test_files_and_exit_status(man):
    files = _section(man, "FILES")
    assert "dxcli/store/" in files and "XDG_CACHE_HOME" in files
    status = _section(man, "EXIT STATUS")
    for code in ("0", "1", "2", "3", "4", "74", "130"):  # the exit codes of dxcli/errors.py and the README
        assert re.search(rf"^{code}$", status, re.M), code


def test_environment_and_files_are_help_topics_too():
    assert "DXCLI_REFERENCE_PATH" in run("help", "environment").out
    assert "dxcli/store" in run("help", "files").out


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff is not installed")
def test_groff_warns_about_nothing(man):
    p = subprocess.run(["groff", "-man", "-ww", "-z"], input=man, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and p.stderr == "", p.stderr


@pytest.mark.skipif(shutil.which("man") is None, reason="man is not installed")
def test_man_warns_about_nothing(man, tmp_path):
    page = tmp_path / "dxcli.1"
    page.write_text(man, encoding="utf-8")
    p = subprocess.run(["man", "--warnings", "-l", str(page)], capture_output=True, text=True, timeout=60,
                       env={"LC_ALL": "C.UTF-8", "MANWIDTH": "80", "PATH": "/usr/bin:/bin", "MANPAGER": "cat", "PAGER": "cat"})
    assert p.returncode == 0 and p.stderr == "", p.stderr
    for section in SECTIONS:
        assert f"\n{section}\n" in p.stdout, section
