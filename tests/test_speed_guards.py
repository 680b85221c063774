"""Guards for the fast paths (not timings): what a lookup imports, and what the root group builds."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

# dxcli ends its process once the answer is written (dxcli/__main__.py: atexit handlers, then
# os._exit), so a probe registers what it reports with atexit before it runs dxcli.
RUN = """
import atexit, sys, runpy
sys.argv = ["dxcli", *{args!r}]
atexit.register(lambda: report())
def report():
{report}
try:
    runpy.run_module("dxcli", run_name="__main__")
except SystemExit:
    pass
"""
PROBE = RUN.replace("{report}", """    heavy = sorted(m for m in ("pydantic", "rich", "typer.rich_utils", "csv", "difflib", "hypothesis", "genanki",
                                 "dxcli.output.pages", "dxcli.output.views", "dxcli.output.words", "dxcli.output.table",
                                 "shlex", "dxcli.calc.numbers") if m in sys.modules)
    print("IMPORTED=" + ",".join(heavy), file=sys.stderr)""")


def imported(*args: str) -> set[str]:
    """The modules a warm run imports: the command runs once first, so that a store another
    test's data state pruned from the shared cache is built (with pydantic) before the probe."""
    for _ in range(2):
        p = subprocess.run(
            [sys.executable, "-c", PROBE.format(args=list(args))],
            capture_output=True, text=True, cwd="/", env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        )
    line = [x for x in p.stderr.splitlines() if x.startswith("IMPORTED=")][-1]
    return set(filter(None, line.split("=", 1)[1].split(",")))


@pytest.mark.parametrize(
    "args",
    [
        ["kerboul", "210", "--format", "json"],
        ["maneuver", "faber", "--format", "json"],
        ["innervation", "L5", "--format", "tsv"],
        ["posttest", "-p", "0.3", "lr=8.43", "-f", "json"],
        ["tonnis", "small-cysts", "-f", "json"],
        ["condition", "sacroiliitis", "-f", "json"],
        ["quiz", "--seed", "1", "-f", "json"],
        ["help", "learning"],
    ],
)
def test_machine_format_lookups_import_neither_pydantic_nor_rich(args):
    assert imported(*args) & {"pydantic", "rich", "genanki"} == set()


@pytest.mark.parametrize(
    "args",
    [["maneuver", "faber", "-f", "json"], ["kerboul", "210", "-f", "csv"], ["posttest", "-p", "0.3", "lr=8.43", "-f", "ndjson"],
     ["condition", "sacroiliitis", "-f", "tsv"], ["differential", "buttock", "-F", "neurologic-deficit", "-f", "json"]],
    ids=" ".join,
)
def test_a_machine_format_builds_no_person_view(args):
    """The person views, pages, words and the table are built only for a person (issue 20)."""
    assert imported(*args) & {"dxcli.output.views", "dxcli.output.pages", "dxcli.output.words", "dxcli.output.table"} == set()


def test_a_page_does_build_its_view():
    """The converse: the probe sees the view modules when a page is drawn."""
    assert {"dxcli.output.views", "dxcli.output.pages"} <= imported("maneuver", "faber", "-f", "table")


@pytest.mark.parametrize(
    "args",
    [["kerboul", "210", "-f", "json"], ["differential", "buttock", "-f", "table"], ["muscle", "piriformis"], ["--help"]],
)
def test_only_the_anki_export_imports_genanki(args):
    assert "genanki" not in imported(*args)


def test_the_anki_export_does_import_genanki(tmp_path):
    """The converse, so that the guard above would notice if the probe could not see it."""
    assert "genanki" in imported("export", "anki", str(tmp_path / "d.apkg"), "--topics", "red-flags", "-f", "json")


def test_a_table_imports_rich_but_not_pydantic():
    got = imported("muscle", "-f", "table")
    assert "rich" in got and "pydantic" not in got


def test_a_page_imports_neither_rich_nor_pydantic():
    got = imported("differential", "buttock", "-f", "table")  # a page: text wrapped by textwrap
    assert "rich" not in got and "pydantic" not in got


LOADED = RUN.replace("{report}", """    from dxcli.cli.app import app
    import typer.main
    group = typer.main.get_command(app)
    print("MODULES=" + ",".join(sorted(m for m in sys.modules if m.startswith("dxcli.cli."))), file=sys.stderr)""")


def test_only_the_invoked_command_is_built():
    """The lazy group loads the module of the command that runs, and no other."""
    p = subprocess.run(
        [sys.executable, "-c", LOADED.format(args=["--reference", str(ROOT / "examples" / "packs" / "vignette-extras"), "kerboul", "210", "-f", "json"])],
        capture_output=True, text=True, cwd="/", env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    line = [x for x in p.stderr.splitlines() if x.startswith("MODULES=")][-1]
    mods = set(line.split("=", 1)[1].split(","))
    assert "dxcli.cli.calc_cmds" in mods
    assert not mods & {"dxcli.cli.knowledge", "dxcli.cli.lookup_cmds", "dxcli.cli.learn_cmds", "dxcli.cli.reference_cmd"}


def test_help_lists_every_command():
    from typer.main import get_command

    from dxcli.cli.app import COMMANDS, app

    group = get_command(app)
    assert group.list_commands(None) == list(COMMANDS)
    assert all(group.get_command(None, name) is not None for name in COMMANDS)


def test_lookup_by_name_through_the_index_agrees_with_a_full_scan():
    """find_record decodes one record through the name index; it must find what find() finds."""
    from dxcli.query.lookup import find, find_record
    from dxcli.reference import loader

    checked = 0
    for kind in ("condition", "maneuver", "test", "muscle", "nerve", "structure", "finding", "red_flag"):
        recs = loader.records(kind)
        for rec in recs:
            for name in [rec["id"], rec.get("name"), *rec.get("aliases", [])]:
                if name:
                    assert find_record(kind, name, kind) == find(recs, name, kind), (kind, name)
                    checked += 1
    assert checked > 300


@pytest.mark.parametrize(
    "args",
    [
        ["kerboul", "210", "--format", "json"],
        ["maneuver", "faber", "--format", "json"],
        ["innervation", "L5", "--format", "tsv"],
        ["search", "hamstring"],
        ["condition", "piriformis-syndrome", "--format", "json"],
        ["differential", "buttock", "--format", "json"],
        ["tonnis", "small-cysts", "-f", "json"],
        ["posttest", "-p", "0.3", "lr=8.43", "-f", "json"],
    ],
)
def test_machine_formats_do_not_import_the_page_builders(args):
    """A page is built for a person only: JSON and TSV never import dxcli.output.pages."""
    assert "dxcli.output.pages" not in imported(*args)


def test_a_page_does_import_the_page_builders():
    """The converse, so that the guard above would notice if the probe could not see it."""
    assert "dxcli.output.pages" in imported("condition", "piriformis-syndrome", "-f", "markdown")


def test_a_table_with_no_pager_to_run_does_not_import_shlex():
    """shlex splits the pager's command line: only a run that starts a pager needs it."""
    got = imported("muscle", "-f", "table")
    assert "rich" in got and "shlex" not in got


def test_the_number_parser_is_imported_only_for_a_number():
    assert "dxcli.calc.numbers" not in imported("maneuver", "faber", "-f", "json")
    assert "dxcli.calc.numbers" in imported("maneuver", "modified-bent-knee", "--pretest", "0.3", "-f", "json")


def test_typer_reads_real_annotations_not_strings():
    """Typer reads every command's signature on each run; a string annotation (from
    ``from __future__ import annotations``) costs it a compile and an eval each time."""
    import importlib

    import typer

    from dxcli.cli.app import COMMANDS, app

    callbacks = [app.registered_callback.callback]
    for module in dict.fromkeys(COMMANDS.values()):
        collect = typer.Typer()
        importlib.import_module(f"dxcli.cli.{module}").register(collect)
        callbacks += [c.callback for c in collect.registered_commands]
        callbacks += [c.callback for g in collect.registered_groups for c in g.typer_instance.registered_commands]
        callbacks += [g.typer_instance.registered_callback.callback for g in collect.registered_groups
                      if g.typer_instance.registered_callback]
    assert len(callbacks) > len(COMMANDS)
    strings = [(cb.__module__, cb.__name__, k) for cb in callbacks for k, v in cb.__annotations__.items() if isinstance(v, str)]
    assert strings == []


def _run_probe(args: list[str], report: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", RUN.replace("{report}", report).format(args=args)],
        capture_output=True, text=True, cwd="/", env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )


def test_the_early_exit_keeps_the_output_and_runs_atexit_handlers():
    """dxcli ends the process with os._exit once the answer is written: what it wrote is all
    there, its atexit handlers ran, and the status is the command's."""
    import json

    p = _run_probe(["kerboul", "210", "-f", "json"], '    print("ATEXIT-RAN", file=sys.stderr)')
    assert p.returncode == 0 and "ATEXIT-RAN" in p.stderr
    assert json.loads(p.stdout)["combined_angle"] == 210
    p = _run_probe(["condition", "no-such-condition", "-f", "json"], '    print("ATEXIT-RAN", file=sys.stderr)')
    assert p.returncode == 1 and "ATEXIT-RAN" in p.stderr and "no condition matches" in p.stderr


def test_start_up_leaves_the_cycle_collector_running():
    """Start-up pauses the collector for its imports only: the command runs with it on (a long
    batch or the MCP server collects its own cycles), and a host that had it off keeps it off."""
    import gc

    from dxcli.__main__ import _start

    try:
        assert gc.isenabled()
        assert callable(_start())
        assert gc.isenabled()
        gc.disable()
        _start()
        assert not gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
