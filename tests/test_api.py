"""dxcli.api (issue 25): every function returns what its command prints with -f json, valid
against 'dxcli reference schema --output COMMAND'; errors are typed and carry the CLI's
message and hint; packs by argument or DXCLI_REFERENCE_PATH; calls from threads are safe;
importing it changes nothing in the host program."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import warnings
from pathlib import Path

import pytest

from conftest import ROOT, run

jsonschema = pytest.importorskip("jsonschema")

from dxcli import api  # noqa: E402

EXAMPLE = ROOT / "examples" / "packs" / "vignette-extras"
BROKEN = ROOT / "tests" / "data" / "broken-pack"

# (API function, its arguments, the command whose schema it follows, the same query on the command line)
CASES = [
    ("differential", {}, "differential", []),
    ("differential", {"complaint": "buttock"}, "differential", ["buttock"]),
    ("differential", {"complaint": "buttock", "present": ["neurologic-deficit", "pain-worse-with-sitting"], "next": True},
     "differential", ["buttock", "-F", "neurologic-deficit", "-F", "pain-worse-with-sitting", "--next"]),
    ("differential", {"complaint": "buttock", "present": ["red-flag-saddle-anesthesia"], "absent": ["pain-worse-with-sitting"]},
     "differential", ["buttock", "-F", "red-flag-saddle-anesthesia", "-A", "pain-worse-with-sitting"]),
    ("conditions", {}, "condition", []),
    ("condition", {}, "condition", []),
    ("condition", {"name": "gluteus medius tendinopathy"}, "condition", ["gluteus medius tendinopathy"]),
    ("condition", {"name": "avascular-necrosis-hip"}, "condition", ["avascular-necrosis-hip"]),
    ("finding", {}, "finding", []),
    ("finding", {"kind": "red-flag"}, "finding", ["--kind", "red-flag"]),
    ("finding", {"name": "neurologic-deficit"}, "finding", ["neurologic-deficit"]),
    ("finding", {"name": "neurologic-deficit", "kind": "smell"}, "finding", ["neurologic-deficit", "--kind", "smell"]),
    ("case", {}, "case", []),
    ("anatomy", {}, "anatomy", []),
    ("anatomy", {"name": "iliofemoral-ligament"}, "anatomy", ["iliofemoral-ligament"]),
    ("muscle", {}, "muscle", []),
    ("muscle", {"name": "piriformis"}, "muscle", ["piriformis"]),
    ("muscle", {"name": "hamstring"}, "muscle", ["hamstring"]),
    ("nerve", {}, "nerve", []),
    ("nerve", {"name": "sciatic"}, "nerve", ["sciatic"]),
    ("innervation", {}, "innervation", []),
    ("innervation", {"query": "L5"}, "innervation", ["L5"]),
    ("innervation", {"query": "superior gluteal nerve"}, "innervation", ["superior gluteal nerve"]),
    ("maneuver", {}, "maneuver", []),
    ("maneuver", {"name": "faber"}, "maneuver", ["faber"]),
    ("maneuver", {"condition": "gluteus-medius-tendinopathy", "pretest": 0.3}, "maneuver",
     ["--condition", "gluteus-medius-tendinopathy", "--pretest", "0.3"]),
    ("maneuver", {"name": "modified-bent-knee", "pretest": "30%"}, "maneuver", ["modified-bent-knee", "-p", "30%"]),
    ("maneuver", {"name": "faber", "condition": "gluteus-medius-tendinopathy"}, "maneuver",
     ["faber", "--condition", "gluteus-medius-tendinopathy"]),
    ("test", {}, "test", []),
    ("test", {"name": "needle-emg", "pretest": 0.2}, "test", ["needle-emg", "-p", "0.2"]),
    ("test", {"condition": "avn"}, "test", ["--condition", "avn"]),
    ("test", {"name": "needle-emg", "condition": "lumbosacral-radiculopathy", "pretest": "25%"}, "test",
     ["needle-emg", "-c", "lumbosacral-radiculopathy", "-p", "25%"]),
    ("redflags", {}, "redflags", []),
    ("redflags", {"condition": "lumbosacral-radiculopathy"}, "redflags", ["--condition", "lumbosacral-radiculopathy"]),
    ("redflags", {"name": "saddle-anesthesia"}, "redflags", ["saddle-anesthesia"]),
    ("search", {"text": "hamstring"}, "search", ["hamstring"]),
    ("search", {"text": "pain sitting", "limit": 3}, "search", ["pain", "sitting", "--limit", "3"]),
    ("sources", {}, "sources", []),
    ("cite", {"record_id": "faber"}, "cite", ["faber"]),
    ("cite", {"record_id": "avascular-necrosis-hip"}, "cite", ["avascular-necrosis-hip"]),
    ("info", {}, "info", []),
    ("kerboul", {}, "kerboul", []),
    ("kerboul", {"angle": 210}, "kerboul", ["210"]),
    ("kerboul", {"angle": "100°", "sagittal": 110}, "kerboul", ["100°", "110"]),
    ("tonnis", {}, "tonnis", []),
    ("tonnis", {"findings": ["small-cysts", "slight-sclerosis"]}, "tonnis", ["small-cysts", "slight-sclerosis"]),
    ("posttest", {"pretest": 0.3, "findings": ["lr=8.43"]}, "posttest", ["-p", "0.3", "lr=8.43"]),
    ("posttest", {"pretest": "20%", "findings": ["faber+", "resisted-hip-external-rotation+"], "condition": "gluteus-medius-tendinopathy"},
     "posttest", ["-p", "20%", "faber+", "resisted-hip-external-rotation+", "-c", "gluteus-medius-tendinopathy"]),
]


@pytest.fixture(autouse=True)
def _no_env_packs(monkeypatch):
    monkeypatch.delenv("DXCLI_REFERENCE_PATH", raising=False)


def test_every_function_is_covered():
    called = {c[0] for c in CASES}
    assert called == set(api.__all__) - {"API_VERSION", "Ambiguous", "DataError", "DxError", "DxWarning", "InvalidInput", "NotExact", "NotFound"}


@pytest.mark.parametrize("fn,kwargs,command,argv", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_result_is_the_cli_json_and_satisfies_the_schema(fn, kwargs, command, argv):
    from dxcli.output.schemas import output_schema

    got = getattr(api, fn)(**kwargs)
    cli = run(command, *argv, "-f", "json")
    assert cli.code == 0, cli.err
    assert got == cli.json()
    errors = list(jsonschema.Draft202012Validator(output_schema(command)).iter_errors(got))
    assert not errors, [e.message[:200] for e in errors[:3]]


def _seams() -> list[str]:
    """The query functions the API calls (its ``_call`` sites, read from its source): the one
    place each command's data is computed."""
    import re

    return sorted(set(re.findall(r'_call\(reference, "(\w+\.\w+)"', (ROOT / "dxcli" / "api.py").read_text(encoding="utf-8"))))


def _record_seams(monkeypatch) -> list:
    """Every seam replaced by a recorder of its calls (name, arguments) that returns what it returns."""
    import importlib

    calls: list = []
    for seam in _seams():
        module, _, name = seam.rpartition(".")
        mod = importlib.import_module(f"dxcli.query.{module}")

        def record(*args, _real=getattr(mod, name), _seam=seam, **kwargs):
            calls.append((_seam, args, kwargs))
            return _real(*args, **kwargs)

        monkeypatch.setattr(mod, name, record)
    return calls


def test_the_seams_are_the_commands_query_functions():
    # the functions each command's data comes from (issue 25: the CLI and the API share them)
    assert {"conditions.conditions", "conditions.detail", "reasoning.differential", "reasoning.findings", "cases.case",
            "accuracy.accuracy", "sources.redflags", "anatomy.anatomy", "anatomy.muscles", "anatomy.nerves",
            "anatomy.innervation", "sources.search", "sources.citation_rows", "sources.cite", "sources.info",
            "calculators.kerboul_from", "calculators.tonnis", "uncertainty.posttest"} == set(_seams())


@pytest.mark.parametrize("fn,kwargs,command,argv", CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_the_cli_and_the_api_compute_through_one_query_function(fn, kwargs, command, argv, monkeypatch):
    """The API and the command make the same calls, with the same arguments, to the query
    functions: a side that computed its data itself (a copy of the other's logic) would not."""
    calls = _record_seams(monkeypatch)
    getattr(api, fn)(**kwargs)
    by_api = list(calls)
    calls.clear()
    assert run(command, *argv, "-f", "json").code == 0
    assert by_api and by_api == calls


def test_the_seam_check_sees_a_side_that_computes_alone(monkeypatch):
    # the probe: an API whose maneuver() computed its rows without the query function is caught
    calls = _record_seams(monkeypatch)
    from dxcli.query import accuracy

    with api._store(None):
        accuracy.rows_for("maneuver", "faber")  # the rows, not through accuracy.accuracy
    by_api = list(calls)
    calls.clear()
    run("maneuver", "faber", "-f", "json")
    assert by_api != calls and calls == [("accuracy.accuracy", ("maneuver", "faber", None, None), {})]


def test_a_warm_result_is_a_fresh_copy():
    # the store's records are shared between calls: changing a result must not change the next
    first = api.maneuver("faber")
    first[0]["lr_positive"] = -1.0
    first[0]["notes"].clear()
    again = api.maneuver("faber")
    assert again[0]["lr_positive"] != -1.0 and again[0]["notes"]


def test_an_unbounded_number_is_none_as_in_the_json():
    # the JSON renderer's conversion: no float('inf') reaches the caller (one sweep over every result)
    import math

    from conftest import leaves

    for fn, kwargs, _, _ in CASES:
        assert all(math.isfinite(x) for x in leaves(getattr(api, fn)(**kwargs)) if isinstance(x, float)), fn


def _cli_error(*argv: str) -> tuple[int, list[str]]:
    r = run(*argv)
    return r.code, r.err.strip().splitlines()


def _said(e: api.DxError) -> list[str]:
    return [f"dxcli: error: {e.message}"] + ([f"  hint: {e.hint}"] if e.hint else [])


@pytest.mark.parametrize("call,argv,kind,code", [
    (lambda: api.condition("gluteus maximus bursitis xyz"), ["condition", "gluteus maximus bursitis xyz"], api.NotFound, 1),
    (lambda: api.maneuver("fabr"), ["maneuver", "fabr"], api.NotFound, 1),
    (lambda: api.maneuver("faber", condition="gluteus", pretest=0.3), ["maneuver", "faber", "-c", "gluteus", "-p", "0.3"], api.NotExact, 1),
    (lambda: api.kerboul(400), ["kerboul", "400"], api.InvalidInput, 2),
    (lambda: api.posttest(1.5, ["lr=2"]), ["posttest", "-p", "1.5", "lr=2"], api.InvalidInput, 2),
    (lambda: api.differential(present=["neurologic-deficit"]), ["differential", "-F", "neurologic-deficit"], api.InvalidInput, 2),
    (lambda: api.redflags("saddle-anesthesia", condition="lumbosacral-radiculopathy"),
     ["redflags", "saddle-anesthesia", "-c", "lumbosacral-radiculopathy"], api.InvalidInput, 2),
    (lambda: api.finding(kind="smell"), ["finding", "--kind", "smell"], api.InvalidInput, 2),
    (lambda: api.maneuver(pretest=0.3), ["maneuver", "-p", "0.3"], api.InvalidInput, 2),
    (lambda: api.test(pretest="30%"), ["test", "-p", "30%"], api.InvalidInput, 2),
    (lambda: api.maneuver("faber", condition="avascular-necrosis-hip"), ["maneuver", "faber", "-c", "avascular-necrosis-hip"], api.NotFound, 1),
    (lambda: api.redflags(condition="piriformis-syndrome"), ["redflags", "-c", "piriformis-syndrome"], api.NotFound, 1),
    (lambda: api.innervation("L"), ["innervation", "L"], api.InvalidInput, 2),
    (lambda: api.tonnis(["small-cysts", "large-cysts"]), ["tonnis", "small-cysts", "large-cysts"], api.InvalidInput, 2),
    (lambda: api.case("no-such-case.toml"), ["case", "no-such-case.toml"], api.InvalidInput, 2),
])
def test_errors_are_typed_and_say_what_the_cli_says(call, argv, kind, code):
    with pytest.raises(kind) as caught:
        call()
    e = caught.value
    assert isinstance(e, api.DxError) and e.code == code and e.hint
    cli_code, cli_lines = _cli_error(*argv)
    assert cli_code == code
    assert _said(e) == [ln for ln in cli_lines if ln.startswith(("dxcli: error:", "  hint:"))]


def test_a_name_that_begins_several_records_is_ambiguous():
    from dxcli.reference import loader

    # find a prefix that begins two condition names (from the data, not typed here)
    names = [c["name"].lower() for c in loader.records("condition")]
    first = sorted({n.split()[0] for n in names if sum(m.split()[0] == n.split()[0] for m in names) > 1})
    assert first, "the data has two conditions whose names share a first word"
    with pytest.raises(api.Ambiguous) as caught:
        api.condition(first[0])
    assert isinstance(caught.value, api.NotFound) and caught.value.code == 1
    assert "begins the names of" in caught.value.message and caught.value.hint


@pytest.mark.parametrize("call", [
    lambda: api.condition(42),
    lambda: api.maneuver(["faber"]),
    lambda: api.search("hamstring", limit=0),
    lambda: api.search("hamstring", limit="20"),
    lambda: api.kerboul(True),
    lambda: api.tonnis([1, 2]),
    lambda: api.differential("buttock", present="neurologic-deficit", next="yes"),
    lambda: api.posttest(None, ["lr=2"]),
    lambda: api.condition("x" * 100_000),
    lambda: api.condition(""),
])
def test_bad_input_is_invalid_input_with_a_hint(call):
    with pytest.raises(api.InvalidInput) as caught:
        call()
    assert caught.value.hint and caught.value.code == 2


def test_a_calculator_warning_is_a_python_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = api.kerboul(190, 10)  # a coronal arc above 180 degrees: the CLI warns on stderr
    assert r["combined_angle"] == 200  # 190 + 10
    assert [w.category for w in caught] == [api.DxWarning]
    assert "above 180" in str(caught[0].message)


def test_packs_by_argument_and_by_environment(monkeypatch):
    fid = "vignette-pain-turning-in-bed"  # a finding the example pack adds
    with pytest.raises(api.NotFound):
        api.finding(fid)
    assert api.finding(fid, reference=[EXAMPLE])["id"] == fid
    assert api.finding(fid, reference=str(EXAMPLE))["id"] == fid
    with pytest.raises(api.NotFound):  # the next call without packs: the bundled data alone
        api.finding(fid)
    monkeypatch.setenv("DXCLI_REFERENCE_PATH", str(EXAMPLE))
    assert api.finding(fid)["id"] == fid
    assert api.info()["counts"] == run("info", "-f", "json").json()["counts"]  # the CLI reads the same variable
    with pytest.raises(api.NotFound):
        api.finding(fid, reference=[])  # an explicit empty list: no packs, whatever the environment


def test_a_refused_pack_is_a_data_error_and_the_next_call_is_whole():
    with pytest.raises(api.DataError) as caught:
        api.maneuver("faber", reference=[BROKEN])
    assert caught.value.code == 3 and caught.value.hint
    assert api.maneuver("faber") == run("maneuver", "faber", "-f", "json").json()


def test_calls_from_threads_with_different_packs_each_get_their_own_data():
    fid = "vignette-pain-turning-in-bed"
    bundled = api.maneuver("faber")
    problems: list[str] = []

    def work(i: int) -> None:
        try:
            for _ in range(15):
                if i % 2:
                    if api.finding(fid, reference=[EXAMPLE])["id"] != fid:
                        problems.append("pack")
                else:
                    if api.maneuver("faber") != bundled:
                        problems.append("bundled")
                    try:
                        api.finding(fid)
                        problems.append("pack leaked into a bundled call")
                    except api.NotFound:
                        pass
        except Exception as e:  # pragma: no cover - the failure to report
            problems.append(repr(e))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not problems, problems[:5]


def test_every_function_has_a_docstring_that_help_shows():
    import pydoc

    for name in api.__all__:
        obj = getattr(api, name)
        if callable(obj) and not isinstance(obj, type):
            assert (obj.__doc__ or "").strip(), name
            assert f"dxcli {name if name != 'conditions' else 'condition'}" in obj.__doc__, name
    text = pydoc.render_doc(api, renderer=pydoc.plaintext)
    assert "not a diagnosis" in text and "DXCLI_REFERENCE_PATH" in text and "posttest(" in text


HOST = """
import signal, sys
def mine(signum, frame):
    pass
signal.signal(signal.SIGINT, mine)
before_default = signal.default_int_handler
import dxcli.api, dxcli
dxcli.api.kerboul(210)
assert signal.getsignal(signal.SIGINT) is mine, signal.getsignal(signal.SIGINT)
signal.signal(signal.SIGINT, signal.default_int_handler)
import importlib; importlib.reload(dxcli)
assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
print(sorted(m for m in ("typer", "rich", "pydantic", "click") if m in sys.modules))
"""


def test_importing_the_api_leaves_the_host_alone(tmp_path):
    # a host program whose name starts with 'dxcli' (the old check took it for the CLI itself)
    script = tmp_path / "dxcli_notebook.py"
    script.write_text(HOST, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == "[]"  # no typer, rich, pydantic or click imported
    assert p.stderr == ""


def test_the_api_is_a_top_layer_that_imports_no_cli():
    import ast

    tree = ast.parse((ROOT / "dxcli" / "api.py").read_text(encoding="utf-8"))
    mods = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not {m for m in mods if m.startswith(("dxcli.cli", "typer", "rich", "pydantic", "click"))}, mods
    assert Path(api.__file__).name == "api.py"


def test_the_readme_notebook_example_runs(monkeypatch):
    # the README's example, with a stand-in for pandas that checks the columns it selects exist
    import re
    import types

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme.split("### `dxcli.api`", 1)[1], re.S).group(1)

    class DataFrame:
        def __init__(self, rows):
            assert isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows)
            self.rows = rows

        def __getitem__(self, cols):
            missing = [c for c in cols if any(c not in r for r in self.rows)]
            assert not missing, missing
            return self

    monkeypatch.setitem(sys.modules, "pandas", types.SimpleNamespace(DataFrame=DataFrame))
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    assert scope["report"]["red_flags"] == []  # neither finding raises a red flag
    assert scope["api"].kerboul(210)["risk_group"] == "moderate"  # as the README's comment says (Ha 2006: 190-240)


def test_an_edited_pack_is_read_again(tmp_path):
    """A long-lived program (a notebook, the MCP server's host) that edits a pack between two
    calls gets the edited data, never the answers of the pack as it was."""
    pack = tmp_path / "pack"
    pack.mkdir()
    body = ('[[muscle]]\nid = "zz-pack-muscle"\nname = "Zz pack muscle"\ngroup = "zz group"\n'
            'origin = "ORIGIN"\ninsertion = "i"\nactions = ["moves"]\nroots = ["C6"]\nsource = { section = "a pack" }\n')
    (pack / "muscles.toml").write_text(body.replace("ORIGIN", "first"), encoding="utf-8")
    assert api.muscle("zz-pack-muscle", reference=[pack])["origin"] == "first"
    (pack / "muscles.toml").write_text(body.replace("ORIGIN", "edited"), encoding="utf-8")
    assert api.muscle("zz-pack-muscle", reference=[pack])["origin"] == "edited"


def test_a_notice_is_a_python_warning_not_stderr(capfd):
    """The CLI says on stderr which record a name's first words took; a program gets it as a
    DxWarning it can catch or silence, and nothing on its stderr."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = api.condition("gluteus medius")
    assert got["id"] == "gluteus-medius-tendinopathy"
    assert [str(w.message) for w in caught if w.category is api.DxWarning] == [
        "'gluteus medius' taken as condition gluteus-medius-tendinopathy, the one condition whose name it begins"]
    assert capfd.readouterr().err == ""
