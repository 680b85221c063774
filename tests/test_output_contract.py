"""The output contract every command shares: formats, keys, exit codes, streams, pipes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT, run, sh

CONTRACT_KEYS = {"id", "name", "presentation", "diagnosis", "pearls", "icd10cm", "source"}


def test_differential_json_has_13_conditions_with_contract_keys():
    r = run("differential", "buttock", "--format", "json")
    assert r.code == 0, r.err
    rows = r.json()
    assert isinstance(rows, list) and len(rows) == 13
    for row in rows:
        assert CONTRACT_KEYS <= row.keys()
        assert row["id"] == row["id"].lower() and " " not in row["id"]
        for k in ("presentation", "diagnosis", "pearls", "icd10cm"):
            assert isinstance(row[k], list) and all(isinstance(s, str) for s in row[k])
            # Table 2's Pearls cell is empty only for vascular claudication
            assert row[k] or (k == "pearls" and row["id"] == "peripheral-artery-disease"), (row["id"], k)


def test_differential_order_follows_table_2():
    ids = [r["id"] for r in run("differential", "buttock", "-f", "json").json()]
    # Table 2's rows, read from the review in order
    assert ids[0] == "ankylosing-spondylitis"
    assert ids[2] == "gluteus-medius-tendinopathy"
    assert ids[7] == "lumbosacral-radiculopathy"
    assert ids[-1] == "peripheral-artery-disease"


def test_differential_without_complaint_lists_complaints():
    rows = run("differential", "-f", "json").json()
    assert [r["id"] for r in rows] == ["buttock"]
    assert rows[0]["conditions"] == 13


@pytest.mark.parametrize("fmt", ["table", "tsv", "csv", "json", "ndjson", "markdown"])
def test_every_format(fmt):
    r = run("differential", "buttock", "-f", fmt)
    assert r.code == 0, r.err
    assert r.err == ""
    out = r.out
    if fmt == "json":
        assert len(json.loads(out)) == 13
    elif fmt == "ndjson":
        lines = out.splitlines()
        assert len(lines) == 13 and all(json.loads(x)["id"] for x in lines)
    elif fmt == "tsv":
        lines = out.splitlines()
        assert len(lines) == 14
        header = lines[0].split("\t")
        assert "id" in header and all(len(x.split("\t")) == len(header) for x in lines)
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert len(rows) == 13 and rows[0]["id"] == "ankylosing-spondylitis"
    elif fmt == "markdown":
        lines = out.splitlines()
        # a page in Markdown: the title, then one heading per condition of Table 2
        assert lines[0] == "# Differential diagnosis: Buttock pain"
        assert sum(1 for x in lines if x.startswith("### ")) == 13 and "### Sacroiliitis (sacroiliitis)" in lines
    else:
        assert "Gluteus medius tendinopathy" in out.replace("\n", " ") or "gluteus" in out.lower()


def test_default_is_tsv_when_piped_and_table_on_a_terminal():
    piped = run("differential", "buttock")
    assert piped.out.splitlines()[0].startswith("id\tname")
    tty = run("differential", "buttock", tty=True, width=80)
    assert "\t" not in tty.out
    assert "Gluteus medius" in tty.out and "gluteus-medius-tendinopathy" in tty.out


def test_table_fits_80_columns():
    r = run("differential", "buttock", tty=True, width=80)
    assert max(len(line) for line in r.out.splitlines()) <= 80


def test_no_escape_codes_without_color():
    r = run("differential", "buttock", tty=True, color=False, width=100)
    assert "\x1b" not in r.out


def test_condition_shows_deep_dive_sections():
    r = run("condition", "gluteus medius tendinopathy", "-f", "json")
    assert r.code == 0, r.err
    c = r.json()
    for sec in ("epidemiology", "pathophysiology", "clinical_findings", "diagnostic_testing", "treatment"):
        assert c[sec], sec
    assert "faber" in c["maneuvers"]


def test_not_found_exit_1_with_suggestion_on_stderr():
    r = run("condition", "gluteus medius tendinopathyy")
    assert r.code == 1
    assert r.out == ""
    assert "did you mean" in r.err and "gluteus-medius-tendinopathy" in r.err


def test_unknown_complaint_exit_1():
    r = run("differential", "knee")
    assert r.code == 1 and "no complaint" in r.err


def test_invalid_format_exit_2():
    r = run("differential", "buttock", "-f", "yaml")
    assert r.code == 2


def test_version_and_info():
    r = run("--version")
    assert r.code == 0 and r.out.startswith("dxcli ")
    info = run("info", "-f", "json").json()
    assert len(info["data_sha256"]) == 64
    assert info["counts"]["condition"] == 13


# -- as a real process ----------------------------------------------------------


def _pipeline(command: str) -> subprocess.CompletedProcess:
    """A shell pipeline with dxcli in it, as a script would run it."""
    return subprocess.run(
        command.replace("DXCLI", f"{sys.executable} -m dxcli"),
        shell=True,
        capture_output=True,
        text=True,
        cwd="/",
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )


def test_process_pipe_closed_early_is_quiet():
    p = _pipeline("DXCLI search pain -n 200 -f ndjson | head -1")
    assert p.stdout.count("\n") == 1
    assert p.stderr == ""


def test_process_closed_stdout_large_output_is_quiet():
    # a reader that leaves after the first line of a long stream
    p = _pipeline("yes 210 | head -n 200000 | DXCLI kerboul - -f csv | head -n 1")
    assert p.stdout.startswith("line,input,combined_angle")
    assert p.stderr == ""


def test_process_errors_go_to_stderr_only():
    p = sh("condition", "nonsense-condition")
    assert p.returncode == 1
    assert p.stdout == ""
    assert p.stderr.startswith("dxcli: error:")
    assert "Traceback" not in p.stderr


def test_process_no_color_and_dumb_terminal_have_no_escapes():
    for env in ({"NO_COLOR": "1"}, {"TERM": "dumb"}):
        p = sh("differential", "buttock", "-f", "table", env=env)
        assert p.returncode == 0 and "\x1b" not in p.stdout
