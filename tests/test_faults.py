"""Faults (issue 23): nothing injected, nothing lost. Each case as a real process, bounded in time.

* one neutraliser (``dxcli.errors.inert``) for text bound for a terminal: a hostile pack on a
  pty, over every command and the quiz, with and without colour;
* files written only where they belong: ``export anki`` and ``posttest --svg`` over a FIFO, a
  directory, a socket, a device node and links to them;
* whole CSV batches: an open quote, an oversize record, a ragged row, a byte order mark;
* a closed stdout is exit 74; SIGINT after the entry point has run is exit 130 and one line.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

import pytest

from conftest import ROOT

TIMEOUT = 60


def _env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items()
         if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG", "DXCLI_REFERENCE_PATH", "PAGER", "DXCLI_PAGER")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra)
    return e


def dx(*args: str, stdin: bytes | None = None, env: dict | None = None, cwd: str = "/", **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "dxcli", *args], input=stdin, capture_output=True,
                          env=env or _env(), cwd=cwd, timeout=TIMEOUT, **kw)


def lines(p: subprocess.CompletedProcess) -> list[str]:
    return p.stderr.decode("utf-8", "replace").splitlines()


def no_bug(p: subprocess.CompletedProcess) -> None:
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "internal error" not in err, err[-2000:]


# -- one neutraliser ----------------------------------------------------------------------------

# An OSC 52 clipboard write, a screen clear, colour, a right-to-left override, CSI as one C1
# character, a left-to-right isolate and a bell: what a hostile pack would hide in its text.
HOSTILE = "\x1b]52;c;aGk=\x07\x1b[2J\x1b[31m\u202e\x9b1m\u2066\x07"
FREE = {"name", "description", "why", "action", "origin", "insertion", "course", "title", "statement", "reason",
        "text", "see_also_reason"}
KINDS = [("anatomy", "structure"), ("conditions", "condition"), ("redflags", "red_flag"), ("findings", "finding"),
         ("maneuvers", "maneuver"), ("muscles", "muscle"), ("nerves", "nerve"), ("tests", "test"), ("complaints", "complaint")]


def test_the_neutraliser_shows_what_a_terminal_would_act_on_and_leaves_text_alone():
    from dxcli.errors import inert
    from dxcli.output.render import inert as render_inert

    assert inert("a\x1b[31mb") == "a\\x1b[31mb"
    assert inert("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07"  # OSC 52: both ends shown
    assert inert("x\x9by\x9dz\x85") == "x\\x9by\\x9dz\\x85"  # C1: CSI, OSC, NEL
    assert inert("abc\u202efed\u2066i\u2069") == "abc\\u202efed\\u2066i\\u2069"
    assert inert("a\rb\x7f") == "a\\x0db\\x7f"
    assert inert("line one\n\tline two") == "line one\n\tline two"  # tab and newline are layout
    # joiners in scripts that need them are text: Devanagari conjunct (ZWJ), Persian (ZWNJ)
    for word in ("\u0915\u094d\u200d\u0937", "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", "\U0001F469\u200d\U0001F52C"):
        assert inert(word) == word
    assert inert("bad \udcff byte") == "bad \ufffd byte"
    for text in ("plain", "a\x1b[2Jb", "\u202e", "caf\u00e9\x9b"):
        assert render_inert(text) == inert(text)  # one neutraliser, not two


def _toml_value(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v)  # a JSON string (\\u escapes) is a TOML basic string


def _hostile(v, key=None):
    if isinstance(v, dict):
        return {k: _hostile(x, k) for k, x in v.items()}
    if isinstance(v, list):
        return [_hostile(x, key) for x in v]
    if isinstance(v, str) and key in FREE:
        return "Clip" + HOSTILE + v
    return v


@pytest.fixture(scope="module")
def hostile_pack(tmp_path_factory) -> Path:
    """A pack with one record of each kind, copied from the bundled data under a new id, every
    free text (names included, all beginning "Clip") carrying HOSTILE; a complaint that ranks
    the hostile condition. It passes the linter: a pack like it is accepted."""
    import tomllib

    d = tmp_path_factory.mktemp("hostile") / "pack"
    d.mkdir()
    ids = {}
    for fname, kind in KINDS:
        shipped = tomllib.loads((ROOT / "reference" / f"{fname}.toml").read_text(encoding="utf-8"))[kind]
        recs = [shipped[0]]
        if kind == "finding":  # and a red-flag finding, for the hostile red flag
            recs.append(next(r for r in shipped if r.get("red_flag")))
        text = ""
        for rec in recs:
            rec = _hostile(copy.deepcopy(rec))
            ids.setdefault(kind, rec["id"])
            rec["id"] = "x-" + rec["id"]
            if "aliases" in rec:
                rec["aliases"] = []
            if rec.get("red_flag"):
                rec["red_flag"] = ids["red_flag"]
            if kind == "complaint":
                rec["conditions"] = [ids["condition"]] + [c for c in rec["conditions"]]
            text += f"[[{kind}]]\n" + "".join(f"{k} = {_toml_value(x)}\n" for k, x in rec.items())
        ids[kind] = "x-" + ids[kind]
        (d / f"{fname}.toml").write_text(text, encoding="utf-8")
    p = dx("reference", "lint", str(d), env=_env(XDG_CACHE_HOME=str(d.parent / "cache")))
    assert p.returncode == 0, p.stderr
    return d


def _on_pty(args: list[str], env: dict, answers: bytes = b"", cols: int = 100) -> tuple[int, bytes]:
    """Run dxcli with stdin, stdout and stderr on one pseudo-terminal: (exit status, every byte
    the screen got)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO  # what is typed is the typist's; the screen checked is dxcli's
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    proc = subprocess.Popen([sys.executable, "-m", "dxcli", *args], stdin=slave, stdout=slave, stderr=slave,
                            env=env, cwd="/", start_new_session=True)
    os.close(slave)
    if answers:
        os.write(master, answers)
    out = bytearray()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer has closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    try:
        code = proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    return code, bytes(out)


# dxcli's own styling: SGR (ESC [ numbers m); the terminal's own line end on output (\r\n).
_SGR = re.compile(rb"\x1b\[[0-9;]*m")
# What must not reach the screen from data: any other ESC, a C1 control (as UTF-8), a bidi
# override, embedding or isolate (as UTF-8), or a C0 control other than tab, newline, return.
_FORBIDDEN = re.compile(rb"\x1b|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]|[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f\x7f]")


RED = "x-red-flag-progressive-weakness"  # the hostile red-flag finding
SHOWN = b"\\x1b]52;c;aGk=\\x07\\x1b[2J\\x1b[31m\\u202e\\x9b1m\\u2066\\x07"  # HOSTILE, inert
TAKEN = b"'clip' taken as condition x-ankylosing-spondylitis (Clip" + SHOWN
FLAG = b"dxcli: RED FLAG: Clip" + SHOWN


def _commands(pack: Path, tmp: Path) -> list[tuple[list[str], bytes, bytes | None]]:
    r = ["--reference", str(pack)]
    return [
        (r + ["differential", "x-buttock"], b"", None),
        (r + ["differential", "x-buttock", "-f", "json"], b"", None),
        (r + ["differential", "buttock", "--finding", "x-low-back-pain", "--finding", RED], b"", None),
        (r + ["differential", "x-buttock", "--finding", "x-low-back-pain", "--finding", RED, "-f", "json"], b"", FLAG),
        (r + ["condition", "x-ankylosing-spondylitis"], b"", None),
        (r + ["condition", "clip"], b"", TAKEN),  # the "taken as" notice
        (r + ["condition", "x-clip-nothing-\x1b[2J"], b"", None),  # an error that echoes its input
        (r + ["anatomy"], b"", None),
        (r + ["anatomy", "x-pelvis"], b"", None),
        (r + ["anatomy", "clip"], b"", None),
        (r + ["muscle"], b"", None),
        (r + ["muscle", "clip"], b"", None),
        (r + ["muscle", "x-gluteus-maximus", "-f", "markdown"], b"", None),
        (r + ["nerve", "clip"], b"", None),
        (r + ["nerve"], b"", None),
        (r + ["innervation"], b"", None),
        (r + ["maneuver"], b"", None),
        (r + ["maneuver", "clip"], b"", None),
        (r + ["test"], b"", None),
        (r + ["test", "clip"], b"", None),
        (r + ["redflags"], b"", None),
        (r + ["redflags", "clip"], b"", None),
        (r + ["search", "clip"], b"", None),
        (r + ["sources"], b"", None),
        (r + ["cite", "x-ankylosing-spondylitis"], b"", None),
        (r + ["info"], b"", None),
        (r + ["finding"], b"", None),
        (r + ["finding", "clip"], b"", None),
        (r + ["finding", "x-low-back-pain", "-f", "tsv"], b"", None),
        (r + ["case"], b"", None),
        (r + ["kerboul", "200"], b"", None),
        (r + ["tonnis", "0"], b"", None),
        (r + ["posttest", "-p", "0.3", "x-greater-trochanter-palpation+", "--draw", "-c", "x-ankylosing-spondylitis"], b"", None),
        (r + ["posttest", "-p", "0.3", "x-greater-trochanter-palpation+", "-c", "gluteus-medius-tendinopathy", "--draw"], b"", None),
        (r + ["posttest", "-p", "0.3", "lr=3", "--svg", "-"], b"", None),
        (r + ["reference", "lint", str(pack)], b"", None),
        (r + ["reference", "schema", "muscle"], b"", None),
        (r + ["export", "anki", str(tmp / "deck.apkg")], b"", None),
        (r + ["quiz", "muscles", "-n", "100", "--seed", "1"], b"a\n" * 120 + b"\x04", b"Clip" + SHOWN),
        (r + ["quiz", "--typed", "-n", "200", "--seed", "2"], b"clip\n" * 200 + b"\x04", None),
        (r + ["quiz", "-n", "300", "--seed", "3"], b"b\n" * 300 + b"\x04", None),
        (r + ["help", "packs"], b"", None),
        (["kerboul", "-"], b"1\x1b]52;c;aGk=\x07\n\x9b31m\n\x04", None),  # batch errors echo their input
        (["tonnis", "-"], b"\xe2\x80\xaesmall\n\x04", None),
    ]


@pytest.mark.parametrize("colour", [False, True], ids=["NO_COLOR", "colour"])
def test_a_hostile_pack_on_a_terminal_reaches_the_screen_inert(hostile_pack, tmp_path, colour):
    """Before, the "taken as" notice (an OSC 52 clipboard write), the RED FLAG lines with -f
    json and the quiz's questions and choices wrote the pack's escapes to the terminal."""
    extra = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "DXCLI_PAGER": "cat"}
    env = _env(TERM="xterm-256color", **extra) if colour else _env(NO_COLOR="1", TERM="xterm-256color", **extra)
    seen_pack = 0
    for args, answers, expect in _commands(hostile_pack, tmp_path):
        code, screen = _on_pty(args, env, answers)
        assert b"Traceback" not in screen and code in (0, 1, 2), (args, code, screen[-800:])
        left = _SGR.sub(b"", screen)
        bad = _FORBIDDEN.search(left)
        assert bad is None, (args, left[max(0, bad.start() - 200): bad.end() + 100])
        if b"Clip\\x1b]52" in screen:
            seen_pack += 1
        if expect is not None:  # a path that skipped the neutraliser before
            assert expect in re.sub(rb"\s+", b" ", left), (args, left[-1500:])  # (as wrapped on the screen)
    assert seen_pack >= 20  # the hostile text did reach the screen, shown as escapes
