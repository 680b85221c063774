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
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT, without_dac_override

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


# -- files written only where they belong -------------------------------------------------------


def _specials(d: Path) -> dict[str, Path]:
    """A FIFO, a directory, a socket, a device node where the machine allows one, and a
    symbolic link to each, in ``d`` (short: a socket's path has a length limit)."""
    out = {"fifo": d / "fifo", "dir": d / "dir"}
    os.mkfifo(out["fifo"])
    out["dir"].mkdir()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(d / "sock"))
    sock.close()  # the socket file stays
    out["socket"] = d / "sock"
    try:
        os.mknod(d / "dev", 0o600 | stat.S_IFCHR, os.makedev(1, 3))  # the numbers of /dev/null
        out["device"] = d / "dev"
    except (PermissionError, OSError):
        pass
    for name in list(out):
        (d / f"to-{name}").symlink_to(out[name].name)
        out[f"link to {name}"] = d / f"to-{name}"
    return out


def _snapshot(p: Path) -> tuple:
    st = os.lstat(p)
    return (st.st_mode, st.st_ino, st.st_rdev, os.readlink(p) if stat.S_ISLNK(st.st_mode) else None)


OUTPUTS = {
    "export anki": lambda path: ["export", "anki", str(path)],
    "posttest --svg": lambda path: ["posttest", "-p", "0.3", "lr=3", "--svg", str(path)],
}


@pytest.mark.parametrize("command", list(OUTPUTS))
def test_a_special_file_is_never_replaced_and_is_exit_74(command):
    """Before, export anki renamed its file over a device node made with mknod (a regular file
    left in its place, "wrote", exit 0)."""
    d = Path(tempfile.mkdtemp(prefix="dx"))
    try:
        targets = _specials(d)
        for name, path in targets.items():
            before = {p.name: _snapshot(p) for p in d.iterdir()}
            p = dx(*OUTPUTS[command](path), env=_env(XDG_CACHE_HOME=str(d / "dir" / "cache")), stdin=b"")
            no_bug(p)
            assert p.returncode == 74, (name, p.returncode, p.stderr)
            assert f"cannot write {path}: it is " in lines(p)[0] and "nothing was replaced" in lines(p)[0], lines(p)
            after = {q.name: _snapshot(q) for q in d.iterdir() if q.name != "dir"}
            assert after == {k: v for k, v in before.items() if k != "dir"}, name  # nothing replaced, nothing left
            assert not [q for q in d.iterdir() if q.name.endswith(".tmp")]
        if "device" not in targets:
            pytest.skip("mknod is not allowed here (no CAP_MKNOD): the device node case was not run")
    finally:
        shutil.rmtree(d, ignore_errors=True)


@pytest.mark.parametrize("command", list(OUTPUTS))
def test_a_regular_file_is_replaced_whole_and_a_link_to_one_is_followed(command, tmp_path):
    env = _env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    old = tmp_path / "old.out"
    old.write_bytes(b"old contents\n")
    os.chmod(old, 0o640)
    link = tmp_path / "link.out"
    link.symlink_to(old.name)
    new = tmp_path / "new.out"
    for path in (old, link, new):
        p = dx(*OUTPUTS[command](path), env=env)
        assert p.returncode == 0, p.stderr
        assert lines(p)[-1].startswith(f"dxcli: wrote {path}")
    assert os.path.islink(link) and os.readlink(link) == old.name  # the link stays; its file is new
    assert stat.S_IMODE(os.stat(old).st_mode) == 0o640  # the replaced file keeps its mode
    assert old.read_bytes() != b"old contents\n"
    assert old.stat().st_size == new.stat().st_size and old.read_bytes()[:5] == new.read_bytes()[:5]  # (a zip's times differ)
    assert sorted(q.name for q in tmp_path.iterdir()) == ["cache", "link.out", "new.out", "old.out"]


def test_svg_dash_is_standard_output_never_a_file_named_dash(tmp_path):
    p = dx("posttest", "-p", "0.3", "lr=3", "--svg", "-", cwd=str(tmp_path), env=_env(XDG_CACHE_HOME=str(tmp_path / "c")))
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"<?xml") and p.stdout.rstrip().endswith(b"</svg>")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", list(OUTPUTS))
def test_errors_of_the_file_system_are_exit_74_with_the_reason(command, tmp_path):
    """Before, an SVG write failure was exit 2, and a name over 255 bytes exit 4."""
    env = _env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    cases = {
        "a name of 256 bytes": (tmp_path / ("n" * 252 + ".svg"), "File name too long"),
        "no such directory": (tmp_path / "none" / "x.apkg", "No such file or directory"),
        "a file as its directory": (tmp_path / "file" / "x.apkg", "Not a directory"),
    }
    (tmp_path / "file").write_text("x")
    for what, (path, reason) in cases.items():
        p = dx(*OUTPUTS[command](path), env=env)
        no_bug(p)
        assert p.returncode == 74 and reason in lines(p)[0], (what, p.returncode, p.stderr)


@pytest.mark.parametrize("command", list(OUTPUTS))
def test_a_directory_the_user_cannot_search_or_write_is_exit_74(command, tmp_path):
    """As a user for whom permission bits count (root passes them): where the test runs as
    root, root without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH."""
    base = Path(tempfile.mkdtemp(prefix="dx"))
    try:
        os.chmod(base, 0o755)
        locked, readonly = base / "locked", base / "readonly"
        locked.mkdir(mode=0o700)
        readonly.mkdir(mode=0o555)
        os.chmod(locked, 0o600)  # no search (x) for anyone but root
        cache = base / "cache"
        cache.mkdir(mode=0o777)
        os.chmod(cache, 0o777)
        preexec = without_dac_override()
        for path, reason in ((locked / "x.apkg", "Permission denied"), (readonly / "x.apkg", "Permission denied")):
            p = dx(*OUTPUTS[command](path), env=_env(XDG_CACHE_HOME=str(cache)), preexec_fn=preexec)
            no_bug(p)
            assert p.returncode == 74 and reason in lines(p)[0], (path, p.returncode, p.stderr)
        assert os.listdir(readonly) == []
    finally:
        os.chmod(base / "locked", 0o700)
        shutil.rmtree(base, ignore_errors=True)


# -- whole batches ----------------------------------------------------------------------------


def _batch(text: bytes, *extra: str) -> subprocess.CompletedProcess:
    return dx("kerboul", "-", "--column", "angle", "--keep", "id", "-f", "csv", *extra, stdin=text)


def _ids(p: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(p.stdout.decode("utf-8"))))
    return [(r["line"], r["id"]) for r in rows]


def test_an_open_quote_at_the_end_is_a_failed_record_naming_the_lines_it_swallowed():
    """The issue's case: before, one row and exit 0 (the quote swallowed lines 3 and 4)."""
    p = _batch(b'angle,id\n150,"abc\n210,x\n300,y\n')
    no_bug(p)
    assert p.returncode == 2 and _ids(p) == []
    assert lines(p) == ["dxcli: line 2: a quoted field opened on line 2 is never closed: lines 2-4 were read as part "
                        "of it and are lost (a missing \")", "dxcli: 1 line(s) failed"]


def test_a_quoted_record_over_lines_is_labelled_with_its_first_line():
    p = _batch(b'angle,id\n150,"two\nlines"\n210,"say ""hi"""\n220,x\n')
    assert p.returncode == 0, p.stderr
    assert _ids(p) == [("2", "two\nlines"), ("4", 'say "hi"'), ("5", "x")]


def test_an_oversize_record_fails_alone_and_the_records_after_it_read_as_usual():
    """Before, a field over the CSV limit was reported, not counted, and the rows after it ran
    together. 70 lines of 1,000 characters in one quoted field: 70,070 characters with their
    line ends, over the 65,536 a record may hold."""
    big = b'150,"' + b"x" * 1000 + b"\n" + (b"x" * 1000 + b"\n") * 69 + b'end"\n'
    p = _batch(b"angle,id\n" + big + b"210,after\n220,next\n")
    no_bug(p)
    assert p.returncode == 2
    assert _ids(p) == [("73", "after"), ("74", "next")]  # the big record is lines 2-72 (71 lines)
    assert lines(p) == ["dxcli: line 2: the record from line 2 to line 72 is longer than 65,536 characters "
                        "(a quoted field with line breaks in it); skipped", "dxcli: 1 line(s) failed"]


def test_a_ragged_row_is_a_failed_record():
    p = _batch(b"angle,id\n150,a\n160,b,extra\n170\n180,c\n")
    no_bug(p)
    assert p.returncode == 2 and _ids(p) == [("2", "a"), ("5", "c")]
    assert lines(p) == ["dxcli: line 3: 3 cells where the header has 2", "dxcli: line 4: 1 cell where the header has 2",
                        "dxcli: 2 line(s) failed"]


def test_a_byte_order_mark_before_the_first_line_is_read_past():
    """Before: "the CSV header has no column 'angle'" (the header's first cell was '\\ufeffangle')."""
    p = _batch(b"\xef\xbb\xbfangle,id\n150,a\n")
    assert p.returncode == 0, p.stderr
    assert _ids(p) == [("2", "a")]
    p = dx("kerboul", "-", "-f", "csv", stdin=b"\xef\xbb\xbf150\n160\n")  # a plain batch too
    assert p.returncode == 0 and p.stdout.count(b"\n") == 3, p.stderr


def test_a_byte_order_mark_at_the_start_of_a_pack_file_is_accepted(tmp_path):
    d = tmp_path / "pack"
    d.mkdir()
    (d / "findings.toml").write_bytes(b'\xef\xbb\xbf[[finding]]\nid = "x-bom"\nname = "Bom finding"\nkind = "history"\n'
                                      b'description = "A finding in a file saved with a byte order mark."\n')
    env = _env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    p = dx("reference", "lint", str(d), env=env)
    assert p.returncode == 0, p.stderr
    p = dx("--reference", str(d), "finding", "x-bom", "-f", "json", env=env)
    assert p.returncode == 0 and json.loads(p.stdout)["name"] == "Bom finding", p.stderr


def test_the_encoding_warning_never_advises_the_encoding_already_set(capfd):
    """A lone surrogate (bytes that were not UTF-8) fails to encode in UTF-8 too: before, the
    warning then advised setting PYTHONIOENCODING=utf-8, the encoding in use."""
    from dxcli.output import sink

    sink._escaped = 0
    assert "a\udcffb".encode("utf-8", "dxcli-escape") == b"a\\udcffb"
    err = capfd.readouterr().err
    assert "PYTHONIOENCODING" not in err and "not valid Unicode" in err
    sink._escaped = 0
    assert "caf\u00e9".encode("ascii", "dxcli-escape") == b"caf\\u00e9"
    assert "set PYTHONIOENCODING=utf-8" in capfd.readouterr().err  # where it is the fix
    sink._escaped = 0


# -- closed streams and early signals -----------------------------------------------------------


@pytest.mark.parametrize("args,stdin", [(["kerboul", "200"], None), (["kerboul", "-"], b"200\n" * 1000),
                                        (["condition", "piriformis-syndrome", "-f", "json"], None), (["--version"], None)])
def test_a_closed_stdout_is_exit_74_with_a_message(args, stdin):
    """``dxcli kerboul 200 >&-``: before, the answer was thrown away with exit 0."""
    p = subprocess.run([sys.executable, "-m", "dxcli", *args], input=stdin, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=_env(), cwd="/", timeout=TIMEOUT,
                       preexec_fn=lambda: os.close(1))
    assert p.returncode == 74, p.stderr
    assert lines(p) == ["dxcli: cannot write output: standard output is closed"]


def test_a_reader_that_leaves_early_is_still_a_quiet_exit_0():
    proc = subprocess.Popen([sys.executable, "-m", "dxcli", "kerboul", "-"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd="/")
    proc.stdin.write(b"200\n" * 10)
    proc.stdin.flush()
    proc.stdout.read(10)
    proc.stdout.close()
    try:
        proc.stdin.write(b"200\n" * 200_000)
        proc.stdin.close()
    except BrokenPipeError:
        pass
    err = proc.stderr.read()
    assert proc.wait(timeout=TIMEOUT) == 0 and err == b""


def test_sigint_after_the_entry_point_is_exit_130_with_one_line():
    """SIGINT at 5 ms steps from start to 150 ms. Once the entry point has installed its handler
    (it says so on a test hook's descriptor), the end is exit 130 and "dxcli: interrupted",
    never a traceback. Before it, the interpreter's own start-up: whatever Python does."""
    handled = 0
    for step in range(0, 31):
        r, w = os.pipe()
        proc = subprocess.Popen([sys.executable, "-m", "dxcli", "kerboul", "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd="/", pass_fds=(w,),
                                env=_env(DXCLI_TEST_READY_FD=str(w)))
        os.close(w)
        time.sleep(step * 0.005)
        ready = bool(select.select([r], [], [], 0)[0])  # the handler is in place before the signal is sent
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
        os.close(r)
        if ready:
            handled += 1
            assert proc.returncode == 130 and err == b"dxcli: interrupted\n", (step * 5, proc.returncode, err[-1500:])
    # the last steps land after the entry point on any machine that runs the suite in time
    assert handled >= 1


# -- fuzzing with a hostile pack ------------------------------------------------------------------


# The documented exit statuses (README): 0, 1 not found, 2 usage, 3 data, 74 output, 130 Ctrl-C.
# 4 (internal error) is a bug.
DOCUMENTED = {0, 1, 2, 3, 74, 130}
_COMMAND_NAMES = ["differential", "condition", "anatomy", "muscle", "nerve", "innervation", "maneuver", "test",
                  "redflags", "search", "sources", "cite", "info", "finding", "case", "kerboul", "tonnis", "posttest",
                  "reference", "quiz", "help"]
_TOKENS = st.one_of(
    st.sampled_from(["clip", "Clip", "x-buttock", "x-ankylosing-spondylitis", "x-pelvis", "x-gluteus-maximus",
                     "x-sciatic-nerve", "x-greater-trochanter-palpation", "x-greater-trochanter-palpation+",
                     "x-hip-radiograph-", "x-low-back-pain", RED, "x-progressive-weakness", "buttock", "-", "lr=3",
                     "-f", "json", "ndjson", "csv", "tsv", "table", "markdown", "-p", "0.3", "-c", "--finding",
                     "--absent", "--next", "--draw", "--column", "angle", "--keep", "--fields", "name,id", "--seed",
                     "1", "-n", "3", "--typed", "--kind", "schema", "lint", "muscles", "200", "0"]),
    st.sampled_from(["clip\x1b[2J", "\x1b]52;c;aGk=\x07", "x-\u202eevil", "\x9b31m", "a\x07b", "\x1b"]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
)
_STDIN = st.sampled_from(["", "200\n", "clip\n", "a\nb\nc\n", "1\x1b]52;c;aGk=\x07\n\x9b31m\n",
                          "angle,id\n150,\"open\n", "\u202esmall\n", "0.3 x-greater-trochanter-palpation+\n"])
_TERMINAL_ACTS_ON = re.compile("[\x1b\x80-\x9f\u202a-\u202e\u2066-\u2069]")


@settings(derandomize=True, database=None, deadline=None, print_blob=False, phases=(Phase.explicit, Phase.generate),
          max_examples=max(1, int(400 * float(os.environ.get("DXCLI_FUZZ_SCALE", "1")))),
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])
@given(st.sampled_from(_COMMAND_NAMES), st.lists(_TOKENS, max_size=6), _STDIN)
def test_fuzz_with_a_hostile_pack_no_traceback_no_undocumented_exit_no_escape_on_stderr(
        hostile_pack, tmp_path_factory, monkeypatch, command, tokens, stdin):
    """Any command with any tokens over a hostile pack, in-process: a documented exit, never
    a traceback, and nothing on stderr a terminal would act on (from the pack, the command
    line or the input). 400 examples, about 12 s here; DXCLI_FUZZ_SCALE scales it."""
    from conftest import run_caught

    monkeypatch.setenv("XDG_CACHE_HOME", str(hostile_pack.parent / "cache"))
    r, where = run_caught(["--reference", str(hostile_pack), command, *tokens], stdin)
    assert "Traceback" not in r.out + r.err, f"{where}\n{r.err[-2000:]}"
    assert r.code in DOCUMENTED, f"exit {r.code}\n{where}\n{r.err[-2000:]}"
    bad = _TERMINAL_ACTS_ON.search(r.err)
    assert bad is None, f"{bad.group()!r} on stderr\n{where}\n{r.err[max(0, bad.start() - 300): bad.end() + 100]!r}"


@settings(derandomize=True, database=None, deadline=None, max_examples=400)
@given(st.text(alphabet='a",\n', max_size=40))
def test_csv_records_are_split_where_the_csv_reader_splits_them(text):
    """The record splitter (which finds where a quoted field with line breaks ends, to name a
    record by its first line) agrees with Python's csv reader on every input whose quotes close."""
    import csv
    import io

    from dxcli.cli.batch import _records

    lines = text.split("\n")
    got = list(_records([lines]))
    if got and got[-1][2] is not None:  # a quote still open at the end: csv would read the rest as one field
        assert "never closed" in got[-1][2]
        return
    ours = [next(csv.reader([rec + "\n"]), []) for _, rec, _ in got]
    theirs = list(csv.reader(io.StringIO(text + "\n")))
    assert ours == theirs
    assert [n for n, _, _ in got] == sorted({n for n, _, _ in got})  # first lines, in order
