"""Pages for people (issue 13), tested where a person sees them: a real pseudo-terminal at
60, 100 and 160 columns with COLUMNS unset, so the width comes from the terminal itself.

* every record id on a page appears whole on one line (never folded);
* no raw JSON (``{"``) and no snake_case label in any human view;
* every line fits the terminal's width;
* a tall page goes through the pager ($DXCLI_PAGER), a piped one never does, nor with
  --no-pager, and a pager that cannot start means the text is written directly;
* the top-level help names every command without '...';
* the pages hold their look (golden text files in tests/golden/pages/).
"""

from __future__ import annotations

import os
import re
import stat

import pytest

from conftest import ROOT, run, sh
from test_terminal import ANSI, _env, _no_traceback, _pty_run

WIDTHS = [60, 100, 160]
PAGES = [
    ["condition", "gluteus-medius-tendinopathy"],
    ["condition", "avascular-necrosis-hip"],
    ["maneuver", "faber"],
    ["maneuver", "modified-bent-knee", "--pretest", "0.3"],
    ["test", "hip-mri"],
    ["muscle", "piriformis"],
    ["nerve", "sciatic"],
    ["anatomy", "iliofemoral-ligament"],
    ["finding", "neurologic-deficit"],
    ["cite", "faber"],
    ["kerboul", "100", "110"],
    ["tonnis", "small-cysts"],
    ["posttest", "-p", "0.3", "modified-bent-knee+"],
    ["posttest", "-p", "0.2", "faber+", "resisted-hip-external-rotation+", "--condition", "gluteus-medius-tendinopathy"],
]
TABLES = [
    ["muscle"],
    ["maneuver"],
    ["differential", "buttock"],
    ["differential", "buttock", "-F", "ehl-weakness"],
    ["innervation", "L5"],
    ["search", "hamstring"],
    ["redflags"],
    ["tonnis"],
]
KINDS = ["condition", "maneuver", "test", "muscle", "nerve", "structure", "finding", "citation", "red_flag", "study"]
# A label is the start of a line ('Nerve: ...'), a heading, or a table header; a snake_case
# word there is a key shown to a person.
SNAKE_LABEL = re.compile(r"^\s*(?:[•!+-]\s*)?[a-z]+_[a-z_]+(?::|\s{2,}|\s*$)")


@pytest.fixture(scope="module")
def record_ids() -> set[str]:
    from dxcli.reference import loader

    ids: set[str] = set()
    for kind in KINDS:
        try:
            ids.update(r["id"] for r in loader.records(kind))
        except Exception:  # a kind this data does not have
            continue
    return {i for i in ids if "-" in i}  # one-word ids cannot fold at a hyphen, and match prose


def _folded(ids: set[str], lines: list[str]) -> list[str]:
    """Ids that appear on the page only when lines are joined: split across two lines."""
    whole = "\n".join(lines)
    joined = "".join(line.strip() for line in lines)
    bad = []
    for i in ids:
        pat = re.compile(rf"(?<![\w-]){re.escape(i)}(?![\w-])")
        if pat.search(joined) and not pat.search(whole):
            bad.append(i)
    return bad


def _check(args: list[str], cols: int, ids: set[str]) -> str:
    env = _env()
    env.pop("COLUMNS", None)
    code, out, err = _pty_run(args, env, cols=cols, rows=500)
    what = f"pty {cols} columns: dxcli {' '.join(args)}"
    assert code == 0, f"{what}: exit {code}\n{err}"
    _no_traceback(out + err, what)
    plain = ANSI.sub("", out).replace("\r\n", "\n")
    lines = plain.split("\n")
    assert '{"' not in plain, f"{what}: raw JSON on the page\n{plain[plain.index(chr(123)) - 200:][:400]}"
    long = [line for line in lines if len(line) > cols]
    assert not long, f"{what}: {len(long)} line(s) wider than {cols}: {long[0]!r}"
    snake = [line for line in lines if SNAKE_LABEL.match(line)]
    assert not snake, f"{what}: snake_case label: {snake[0]!r}"
    folded = _folded(ids, lines)
    assert not folded, f"{what}: ids folded across lines: {folded}"
    return plain


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("args", PAGES, ids=lambda a: " ".join(a))
def test_record_page_on_a_real_terminal(args, cols, record_ids):
    plain = _check(args, cols, record_ids)
    first = plain.lstrip().split("\n")[0]
    assert first and not first.startswith(("┏", "━", "─")), f"a page starts with its title, not a table: {first!r}"


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a))
def test_tables_and_lists_on_a_real_terminal(args, cols, record_ids):
    _check(args, cols, record_ids)


def test_maneuver_page_says_how_to_perform_it_and_what_it_means():
    r = run("maneuver", "faber", tty=True, width=100)
    assert r.code == 0
    out = r.out
    for text in ("HOW TO PERFORM", "With the patient supine", "Sensitivity 42%, specificity 80%",
                 "LR+ 2.1: small increase", "LR- 0.73: minimal decrease", "NOTES", "! unverified:",
                 "“FABER – With the patient supine", "For sacroiliitis"):
        assert text in out, f"{text!r} not on the FABER page\n{out}"
    assert "-f json" not in out  # the page itself says it: no pointer to another format


def test_condition_page_sections_refs_and_notes():
    out = " ".join(run("condition", "avascular-necrosis-hip", tty=True, width=100).out.split())  # across wrapped lines
    for text in ("Avascular necrosis of the hip", "PRESENTATION", "DIAGNOSIS", "PEARLS", "NOTES", "RELATED",
                 "! disagreement: Hip MRI sensitivity", "(source: zhang-2018)", "Tests: hip-radiograph, hip-mri"):
        assert text in out, text
    gm = run("condition", "gluteus-medius-tendinopathy", tty=True, width=100).out
    assert "[11, 12]" in gm and "[ref " not in gm  # references as [11, 12]
    for title in ("EPIDEMIOLOGY", "PATHOPHYSIOLOGY", "CLINICAL FINDINGS", "DIAGNOSTIC TESTING", "TREATMENT", "FIGURES"):
        assert title in gm


def test_nested_values_read_as_sentences():
    out = run("posttest", "-p", "0.3", "modified-bent-knee+", tty=True, width=100).out
    assert "modified-bent-knee+ LR 9.89 (95% CI 4–26.29) -> 80.9%" in out, out
    assert "Pre-test probability 30% -> post-test probability 80.9%" in out
    tonnis = run("tonnis", "small-cysts", tty=True, width=100).out
    assert "small-cysts: Small cysts in femoral head or acetabulum (grade 2)" in tonnis


def test_markdown_page():
    r = run("condition", "avascular-necrosis-hip", "-f", "markdown")
    assert r.code == 0
    assert r.out.startswith("# Avascular necrosis of the hip\n")
    assert "\n## Presentation\n" in r.out and "\n## Notes\n" in r.out
    assert '{"' not in r.out


def test_machine_formats_unchanged_by_pages():
    import json

    rows = json.loads(run("maneuver", "faber", "-f", "json").out)
    assert rows[0]["id"] == "faber" and "description" in rows[0]
    assert run("condition", "avascular-necrosis-hip").out.startswith("id\t")  # piped: TSV


# --------------------------------------------------------------------------- the pager


def _recording_pager(tmp_path) -> tuple[str, str]:
    mark = tmp_path / "pager-ran"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\necho ran > {mark}\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), str(mark)


def test_pager_runs_for_a_tall_page_on_a_terminal(tmp_path):
    script, mark = _recording_pager(tmp_path)
    env = _env(DXCLI_PAGER=script)
    env.pop("COLUMNS", None)
    code, out, err = _pty_run(["condition", "gluteus-medius-tendinopathy"], env, cols=100, rows=24)
    assert code == 0, err
    assert os.path.exists(mark), "the pager did not run for a page taller than the terminal"
    assert "PRESENTATION" in ANSI.sub("", out)  # the pager's output reached the terminal


def test_pager_for_a_tall_table_too(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, _, err = _pty_run(["maneuver"], _env(DXCLI_PAGER=script), cols=100, rows=10)
    assert code == 0, err
    assert os.path.exists(mark)


def test_no_pager_for_a_short_page(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, out, err = _pty_run(["muscle", "piriformis"], _env(DXCLI_PAGER=script), cols=160, rows=200)
    assert code == 0, err
    assert not os.path.exists(mark)
    assert "Piriformis" in out


def test_no_pager_when_piped(tmp_path):
    script, mark = _recording_pager(tmp_path)
    r = sh("condition", "gluteus-medius-tendinopathy", "-f", "table", env={"DXCLI_PAGER": script})
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(mark), "a pager ran with stdout a pipe"
    assert "PRESENTATION" in r.stdout


def test_no_pager_option(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, out, err = _pty_run(["--no-pager", "condition", "gluteus-medius-tendinopathy"], _env(DXCLI_PAGER=script), cols=100, rows=24)
    assert code == 0, err
    assert not os.path.exists(mark)
    assert "PRESENTATION" in ANSI.sub("", out)


def test_pager_that_cannot_start_means_a_direct_write(tmp_path):
    code, out, err = _pty_run(["condition", "gluteus-medius-tendinopathy"], _env(DXCLI_PAGER=str(tmp_path / "no-such-pager")), cols=100, rows=24)
    assert code == 0, err
    assert "PRESENTATION" in ANSI.sub("", out) and "TREATMENT" in ANSI.sub("", out)


def test_pager_choice(monkeypatch):
    from dxcli.output import pager

    monkeypatch.delenv("DXCLI_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    assert pager.command() == ["less", "-FRX"]
    monkeypatch.setenv("PAGER", "more")
    assert pager.command() == ["more"]
    monkeypatch.setenv("DXCLI_PAGER", "most -s")
    assert pager.command() == ["most", "-s"]
    monkeypatch.setenv("DXCLI_PAGER", "")
    assert pager.command() is None


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("cols", [60, 100])
def test_top_level_help_names_each_command_whole(cols):
    r = sh("--help", env={"COLUMNS": str(cols)})
    assert r.returncode == 0
    commands = r.stdout.split("Commands:", 1)[1]
    cut = [line for line in commands.splitlines() if line.rstrip().endswith("...")]
    assert not cut, f"summaries cut at {cols} columns: {cut}"


# --------------------------------------------------------------------------- golden pages

GOLDEN = ROOT / "tests" / "golden" / "pages"
SNAPSHOTS = {
    "maneuver-faber-80.txt": ["maneuver", "faber"],
    "condition-avascular-necrosis-hip-80.txt": ["condition", "avascular-necrosis-hip"],
    "kerboul-210-80.txt": ["kerboul", "210"],
}


@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_page_snapshot(name):
    """A change to a main page is a reviewed diff: regenerate with DXCLI_UPDATE_GOLDEN=1."""
    out = run(*SNAPSHOTS[name], tty=True, width=80).out
    path = GOLDEN / name
    if os.environ.get("DXCLI_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8"), f"{name} changed: review it, then DXCLI_UPDATE_GOLDEN=1"
