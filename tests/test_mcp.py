"""'dxcli mcp' (issue 25) driven by the official SDK's own stdio client, as a real subprocess:
initialize, list the tools (each input schema valid JSON Schema), call every tool and compare
with the CLI's -f json, bad and hostile input as tool errors with the hint, clean shutdown.
One server is shared by the module's tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import pytest

from conftest import ROOT, run

pytest.importorskip("mcp")
jsonschema = pytest.importorskip("jsonschema")

from anyio.from_thread import start_blocking_portal  # noqa: E402
from mcp.client.session import ClientSession  # noqa: E402
from mcp.client.stdio import StdioServerParameters, stdio_client  # noqa: E402

from dxcli import api  # noqa: E402
from dxcli.mcp_server import DISCLAIMER, TOOLS  # noqa: E402

EXAMPLE = ROOT / "examples" / "packs" / "vignette-extras"


def _env(**more: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("DXCLI_REFERENCE_PATH", "DXCLI_DEBUG")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(more)
    return e


class Client:
    """The SDK's ClientSession on a portal's event loop: blocking calls from the tests."""

    def __init__(self, portal, session, errlog) -> None:
        self.portal, self.session, self.errlog = portal, session, errlog

    def call(self, name: str, args: dict):
        return self.portal.call(lambda: self.session.call_tool(name, args, read_timeout_seconds=30))

    def tools(self):
        return self.portal.call(self.session.list_tools).tools


@pytest.fixture(scope="module")
def client():
    errlog = tempfile.TemporaryFile("w+")
    params = StdioServerParameters(command=sys.executable, args=["-m", "dxcli", "mcp"], env=_env(), cwd="/")
    with start_blocking_portal() as portal:
        transport = portal.wrap_async_context_manager(stdio_client(params, errlog=errlog))
        read, write = transport.__enter__()
        session_cm = portal.wrap_async_context_manager(ClientSession(read, write, read_timeout_seconds=60))
        session = session_cm.__enter__()
        init = portal.call(session.initialize)
        c = Client(portal, session, errlog)
        c.init = init
        try:
            yield c
        finally:
            session_cm.__exit__(None, None, None)
            transport.__exit__(None, None, None)
    errlog.seek(0)
    text = errlog.read()
    assert "Traceback" not in text, text[-2000:]  # no tool crashed the server or was logged as a crash


def _text(result) -> str:
    assert result.content and result.content[0].type == "text"
    return result.content[0].text


def test_initialize_names_the_server_and_says_it_is_no_diagnosis(client):
    from dxcli import __version__

    info = client.init.server_info
    assert info.name == "dxcli" and info.version == __version__
    assert "not a diagnosis" in (client.init.instructions or "")


def test_every_tool_is_listed_with_a_valid_schema_and_one_disclaimer(client):
    tools = {t.name: t for t in client.tools()}
    assert set(tools) == set(TOOLS)
    assert set(TOOLS) <= set(api.__all__)
    for name, t in tools.items():
        jsonschema.Draft202012Validator.check_schema(t.input_schema)
        assert t.description.count(DISCLAIMER) == 1, name
        assert "reference" not in t.input_schema.get("properties", {}), name  # packs are the server's, as for the CLI
        assert t.annotations and t.annotations.read_only_hint, name
    # the schemas come from the API's signatures: the same arguments, the same required ones
    import inspect

    for name, t in tools.items():
        sig = inspect.signature(getattr(api, name))
        want = {p for p in sig.parameters if p not in ("reference", "file")}
        assert set(t.input_schema.get("properties", {})) == want, name
        required = {p.name for p in sig.parameters.values() if p.default is inspect.Parameter.empty}
        assert set(t.input_schema.get("required", [])) == required, name
        for prop in t.input_schema.get("properties", {}).values():
            assert prop.get("description"), (name, prop)
    search = tools["search"].input_schema["properties"]
    assert search["limit"]["type"] == "integer" and search["text"]["type"] == "string"


# one real query per tool, with the command line that asks the same
CALLS = [
    ("differential", {"complaint": "buttock", "present": ["red-flag-saddle-anesthesia", "pain-worse-with-sitting"], "next": True},
     ["differential", "buttock", "-F", "red-flag-saddle-anesthesia", "-F", "pain-worse-with-sitting", "--next"]),
    ("condition", {"name": "gluteus medius tendinopathy"}, ["condition", "gluteus medius tendinopathy"]),
    ("finding", {"name": "neurologic-deficit"}, ["finding", "neurologic-deficit"]),
    ("redflags", {"condition": "lumbosacral-radiculopathy"}, ["redflags", "--condition", "lumbosacral-radiculopathy"]),
    ("maneuver", {"name": "faber"}, ["maneuver", "faber"]),
    ("test", {"name": "needle-emg", "pretest": 0.2}, ["test", "needle-emg", "-p", "0.2"]),
    ("posttest", {"pretest": "30%", "findings": ["modified-bent-knee+"]}, ["posttest", "-p", "30%", "modified-bent-knee+"]),
    ("kerboul", {"angle": 210}, ["kerboul", "210"]),
    ("tonnis", {"findings": ["small-cysts", "slight-sclerosis"]}, ["tonnis", "small-cysts", "slight-sclerosis"]),
    ("anatomy", {"name": "iliofemoral-ligament"}, ["anatomy", "iliofemoral-ligament"]),
    ("muscle", {"name": "piriformis"}, ["muscle", "piriformis"]),
    ("nerve", {"name": "sciatic"}, ["nerve", "sciatic"]),
    ("innervation", {"query": "L5"}, ["innervation", "L5"]),
    ("search", {"text": "hamstrng", "limit": 5}, ["search", "hamstrng", "--limit", "5"]),
    ("cite", {"record_id": "avascular-necrosis-hip"}, ["cite", "avascular-necrosis-hip"]),
    ("sources", {}, ["sources"]),
    ("case", {}, ["case"]),
    ("info", {}, ["info"]),
]


def test_every_tool_is_called():
    assert {c[0] for c in CALLS} == set(TOOLS)


@pytest.mark.parametrize("name,args,argv", CALLS, ids=[c[0] for c in CALLS])
def test_each_tool_returns_the_cli_json(client, name, args, argv):
    r = client.call(name, args)
    assert not r.is_error, _text(r)
    got = json.loads(_text(r))
    cli = run(*argv, "-f", "json")
    assert cli.code == 0, cli.err
    assert got == cli.json()


def test_raised_red_flags_come_first_in_the_result(client):
    r = client.call("differential", {"complaint": "buttock", "present": ["red-flag-saddle-anesthesia"]})
    text = _text(r)
    doc = json.loads(text)
    assert list(doc)[0] == "red_flags" and doc["red_flags"][0]["finding"] == "red-flag-saddle-anesthesia"
    assert doc["red_flags"][0]["action"]  # what the review says to do travels with the flag
    assert text.index('"red_flags"') < text.index('"conditions"')


def test_notes_and_citations_are_kept(client):
    rows = json.loads(_text(client.call("maneuver", {"name": "faber"})))
    assert any(r.get("notes") for r in rows) and all(r.get("source") for r in rows)


def test_a_calculator_warning_comes_after_the_result(client):
    r = client.call("kerboul", {"angle": 190, "sagittal": 10})
    assert not r.is_error
    assert json.loads(r.content[0].text)["combined_angle"] == 200  # 190 + 10
    assert r.content[1].text.startswith("dxcli: warning: the coronal arc 190° is above 180°")


@pytest.mark.parametrize("name,args,argv", [
    ("maneuver", {"name": "fabr"}, ["maneuver", "fabr"]),
    ("condition", {"name": "no-such-condition"}, ["condition", "no-such-condition"]),
    ("kerboul", {"angle": 400}, ["kerboul", "400"]),
    ("posttest", {"pretest": 1.5, "findings": ["lr=2"]}, ["posttest", "-p", "1.5", "lr=2"]),
    ("finding", {"kind": "smell"}, ["finding", "--kind", "smell"]),
])
def test_not_found_and_bad_values_are_tool_errors_with_the_cli_message_and_hint(client, name, args, argv):
    r = client.call(name, args)
    assert r.is_error
    text = _text(r)
    cli = run(*argv)
    lines = [ln for ln in cli.err.splitlines() if ln.startswith(("dxcli: error:", "  hint:"))]
    assert len(lines) == 2, cli.err
    for ln in lines:
        assert ln in text, (ln, text)


@pytest.mark.parametrize("name,args", [
    ("condition", {"name": 42}),
    ("search", {"text": "hamstring", "limit": "twenty"}),
    ("search", {"text": ["hamstring"]}),
    ("differential", {"complaint": "buttock", "present": "neurologic-deficit", "next": "yes"}),
    ("tonnis", {"findings": [1, 2]}),
    ("posttest", {"findings": ["lr=2"]}),  # the required pre-test probability left out
    ("cite", {}),
    ("kerboul", {"angle": {"x": 1}}),
])
def test_wrong_types_are_tool_errors_with_a_hint(client, name, args):
    r = client.call(name, args)
    assert r.is_error
    text = _text(r)
    assert "dxcli: error:" in text and "\n  hint: " in text, text


def test_hostile_input_is_named_not_echoed_and_the_server_lives_on(client):
    huge = "a" * 1_000_000
    r = client.call("search", {"text": huge})
    assert r.is_error and "hint:" in _text(r) and len(_text(r)) < 2000
    r = client.call("condition", {"name": "\x1b[31mred\x1b]0;title\x07\u202e"})
    text = _text(r)
    assert r.is_error and "hint:" in text
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text  # shown as escapes, never acted on
    assert "\\x1b" in text
    r = client.call("no-such-tool", {})
    assert r.is_error
    assert not client.call("kerboul", {"angle": 210}).is_error  # still serving


def test_the_server_uses_the_packs_of_the_cli(tmp_path):
    fid = "vignette-pain-turning-in-bed"  # a finding the example pack adds
    init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}}
    call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "finding", "arguments": {"name": fid}}}
    for argv, env in ((["--reference", str(EXAMPLE), "mcp"], {}), (["mcp"], {"DXCLI_REFERENCE_PATH": str(EXAMPLE)}), (["mcp"], {})):
        p = subprocess.Popen([sys.executable, "-m", "dxcli", *argv], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_env(**env), cwd="/")
        try:
            for m in (init, {"jsonrpc": "2.0", "method": "notifications/initialized"}, call):
                p.stdin.write(json.dumps(m) + "\n")
                p.stdin.flush()
                if "id" in m:
                    answer = json.loads(p.stdout.readline())
                    assert answer["id"] == m["id"], answer
            p.stdin.close()  # the client's way to end the session
            assert p.wait(timeout=30) == 0  # a clean end
            err = p.stderr.read()
        finally:
            if p.poll() is None:  # pragma: no cover - only when the assertion above failed
                p.kill()
                p.wait()
        assert "Traceback" not in err, err
        result = answer["result"]
        if env or argv[0] == "--reference":
            assert not result.get("isError") and json.loads(result["content"][0]["text"])["id"] == fid
        else:
            assert result.get("isError") and "no finding matches" in result["content"][0]["text"]


def test_a_missing_sdk_is_a_clear_error(tmp_path):
    # a directory earlier on the path whose 'mcp' cannot be imported, as when the extra is not installed
    (tmp_path / "mcp").mkdir()
    (tmp_path / "mcp" / "__init__.py").write_text("raise ImportError('No module named mcp')\n", encoding="utf-8")
    env = _env()
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env["PYTHONPATH"]
    p = subprocess.run([sys.executable, "-m", "dxcli", "mcp"], input="", capture_output=True, text=True, env=env, cwd="/", timeout=60)
    assert p.returncode == 2
    assert p.stderr.splitlines()[-1] == '  hint: pip install "dxcli[mcp]"', p.stderr


def test_concurrent_calls_each_get_their_own_answer(client):
    # the SDK runs each call in a worker thread: answers must not mix (nor errors with results)
    import anyio

    asks = [("maneuver", {"name": "faber"}), ("kerboul", {"angle": 210}), ("condition", {"name": "nope-nope"}),
            ("innervation", {"query": "L5"}), ("search", {"text": "hamstring", "limit": 3})] * 4
    want = [client.call(n, a) for n, a in asks]

    async def together():
        got: dict[int, object] = {}

        async def one(i: int, name: str, args: dict) -> None:
            got[i] = await client.session.call_tool(name, args, read_timeout_seconds=60)

        async with anyio.create_task_group() as tg:
            for i, (name, args) in enumerate(asks):
                tg.start_soon(one, i, name, args)
        return got

    got = client.portal.call(together)
    for i, w in enumerate(want):
        assert got[i].is_error == w.is_error and _text(got[i]) == _text(w), asks[i]


@pytest.mark.parametrize("name, args, named", [
    ("maneuver", {"nme": "faber"}, "'nme'"),            # a misspelt name would list every maneuver
    ("kerboul", {"coronal": 190, "sagittal": 20}, "'coronal'"),  # would answer another question
    ("case", {"file": "/etc/passwd"}, "'file'"),         # the server's files are not read
])
def test_an_argument_the_tool_does_not_have_is_a_tool_error(client, name, args, named):
    r = client.call(name, args)
    text = _text(r)
    assert r.is_error and named in text and "\n  hint: its arguments: " in text, text


def test_every_schema_says_no_other_arguments(client):
    assert all(t.input_schema.get("additionalProperties") is False for t in client.tools()), "each tool's arguments are all it takes"


def test_a_notice_reaches_the_model_with_the_result(client):
    """'taken as' is said on stderr by the CLI; a model never sees stderr, so it comes as a
    second text beside the result."""
    r = client.call("condition", {"name": "gluteus medius"})
    assert not r.is_error
    texts = [c.text for c in r.content]
    assert json.loads(texts[0])["id"] == "gluteus-medius-tendinopathy"
    assert any("taken as condition gluteus-medius-tendinopathy" in t for t in texts[1:]), texts
