"""The format registry (issue 20): --format offers exactly the registered formats, and a new
format is one object and one registration that every command, batch mode included, writes
through."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import typer.main

from conftest import ROOT, run
from dxcli.cli.app import app
from dxcli.output import formats

def _commands():
    """Every leaf command of dxcli, by its words ('maneuver', 'reference lint')."""

    group = typer.main.get_command(app)
    ctx = group.make_context("dxcli", ["info"], resilient_parsing=True)
    out = {}
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if hasattr(cmd, "list_commands"):
            for sub in cmd.list_commands(ctx):
                out[f"{name} {sub}"] = cmd.get_command(ctx, sub)
        else:
            out[name] = cmd
    return out

def _format_choices(cmd) -> list[str] | None:
    for p in cmd.params:
        if "--format" in getattr(p, "opts", []):
            return list(p.type.choices)
    return None

def test_format_choices_are_the_registry(monkeypatch):
    names = formats.names()
    assert names == ["table", "tsv", "csv", "json", "ndjson", "markdown"]
    cmds = _commands()
    with_format = {n: _format_choices(c) for n, c in cmds.items() if _format_choices(c) is not None}
    assert len(with_format) >= 20
    assert all(ch == names for ch in with_format.values()), with_format

class Probe(formats.Format):
    """A throwaway format: each row as 'PROBE <json>' (a report: its flat rows)."""

    name = "probe"
    help = "a test's format"

    def rows(self, data, term, view=None):
        rows = [data] if isinstance(data, dict) else list(data)
        term.stdout.write("".join("PROBE " + json.dumps(formats.to_json(r), sort_keys=True, default=str) + "\n" for r in rows))

PACK = str(ROOT / "examples" / "packs" / "vignette-extras")
EVERY = {
    "differential": [["differential"], ["differential", "buttock"], ["differential", "buttock", "-F", "neurologic-deficit", "--next"]],
    "condition": [["condition"], ["condition", "sacroiliitis"]],
    "anatomy": [["anatomy"], ["anatomy", "iliofemoral-ligament"]],
    "muscle": [["muscle"], ["muscle", "piriformis"]],
    "nerve": [["nerve"], ["nerve", "sciatic"]],
    "innervation": [["innervation"], ["innervation", "L5"]],
    "maneuver": [["maneuver"], ["maneuver", "faber"], ["maneuver", "--condition", "gluteus-medius-tendinopathy"]],
    "test": [["test"], ["test", "needle-emg", "--pretest", "0.3"]],
    "redflags": [["redflags"], ["redflags", "saddle-anesthesia"]],
    "search": [["search", "hamstring"]],
    "sources": [["sources"]],
    "cite": [["cite", "faber"]],
    "info": [["info"]],
    "finding": [["finding"], ["finding", "neurologic-deficit"]],
    "case": [["case"]],
    "kerboul": [["kerboul"], ["kerboul", "210"]],
    "tonnis": [["tonnis"], ["tonnis", "small-cysts"]],
    "posttest": [["posttest", "-p", "0.3", "lr=8.43"]],
    "reference lint": [["reference", "lint", PACK]],
    "quiz": [["quiz", "--seed", "1", "-n", "2"]],
    "help": [["help"]],
}
BATCH = [(["kerboul", "-"], "210\n150\n"), (["tonnis", "-"], "small-cysts\n"), (["posttest", "-"], "0.3 lr=8.43\n")]
DOCUMENTS = {"reference schema", "export anki", "mcp"}  # a JSON Schema, an Anki package, an MCP server: not rows

@pytest.fixture
def probe():
    formats.register(Probe())
    try:
        yield
    finally:
        del formats.REGISTRY["probe"]

def test_every_command_is_exercised():
    assert set(_commands()) == set(EVERY) | DOCUMENTS

@pytest.mark.parametrize("args", [a for runs in EVERY.values() for a in runs], ids=" ".join)
def test_a_registered_format_serves_every_command(probe, args):
    r = run(*args, "-f", "probe")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines or args[:2] == ["reference", "lint"], "a clean pack has no rows"
    assert all(line.startswith("PROBE {") for line in lines), r.out[:300]

@pytest.mark.parametrize("args,stdin", BATCH, ids=lambda a: " ".join(a) if isinstance(a, list) else "")
def test_a_registered_format_serves_batch_mode(probe, args, stdin):
    r = run(*args, "-f", "probe", stdin=stdin)
    assert r.code == 0, r.err
    rows = [json.loads(line[len("PROBE "):]) for line in r.out.splitlines()]
    assert [row["line"] for row in rows] == list(range(1, stdin.count("\n") + 1))
    assert {"line", "input"} <= set(rows[0])  # each result row says where it came from

def test_an_unregistered_format_is_a_usage_error():
    r = run("info", "-f", "probe")
    assert r.code == 2


@pytest.mark.parametrize("args", [["search", "hamstring"], ["cite", "faber"], ["quiz", "--seed", "1", "-n", "2"], ["sources"],
                                  ["maneuver", "faber"], ["muscle"], ["redflags"], ["condition"]], ids=" ".join)
def test_id_leads_every_row(args):
    """A script reads a row's id first (issue 20: search, cite and quiz rows led with kind or number)."""
    for fmt in ("csv", "json"):
        r = run(*args, "-f", fmt)
        assert r.code == 0, r.err
        first = r.out.split("\n", 1)[0].split(",")[0] if fmt == "csv" else next(iter(r.json()[0]))
        assert first == "id", (fmt, r.out[:200])


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_a_schema_document_is_not_written_as_rows(fmt):
    # one JSON document has no rows: CSV or TSV of it was ragged text with exit 0
    r = run("reference", "schema", "maneuver", "-f", fmt)
    assert r.code == 2 and r.out == "" and "no rows" in r.err and "hint:" in r.err


_leaf = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=12)
)
_key = st.text(max_size=6) | st.integers(-5, 5) | st.floats(allow_nan=True, allow_infinity=True) | st.booleans() | st.none()
_value = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(_key, inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_value, st.sampled_from([1, 2, 4]))
def test_indented_json_is_json_dumps_to_the_byte(value, indent):
    """The one-walk encoder of indented JSON writes exactly what json.dumps wrote before it
    (after json_safe: an unbounded or undefined number as null, keys as json spells them)."""
    from dxcli.output.render import indented_json, json_safe

    assert indented_json(value, indent) == json.dumps(json_safe(value), ensure_ascii=False, indent=indent)


_acted_on = st.text(alphabet=st.sampled_from(list("ab \"\\\n\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069\ud800é“")), max_size=8)
_unsafe_value = st.recursive(
    st.none() | st.integers(-5, 5) | st.floats(allow_nan=True) | _acted_on,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_acted_on | st.integers(-3, 3), inner, max_size=3),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(_unsafe_value, st.sampled_from([None, 2]))
def test_json_text_escapes_what_a_terminal_acts_on_wherever_it_stands(value, indent):
    """JSON output escapes C1 controls, DEL, line separators and bidi overrides as \\u, in keys
    and values (indented JSON looks for them string by string): the text is json.dumps's,
    lone surrogates made U+FFFD, then every such character escaped, as one pass over the whole
    text did it."""
    import re

    from dxcli.output.render import _JSON_UNSAFE, json_safe, json_text, valid_text

    whole = valid_text(json.dumps(json_safe(value), ensure_ascii=False, indent=indent))
    want = re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", whole)
    got = json_text(value, indent=indent)
    assert got == want
    assert not re.search(_JSON_UNSAFE, got)


def test_indented_json_refuses_what_json_refuses():
    from dxcli.output.render import indented_json

    with pytest.raises(TypeError):
        indented_json({"a": object()}, 2)
    with pytest.raises(TypeError):
        indented_json({(1, 2): 1}, 2)
