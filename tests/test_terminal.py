"""Terminal and pipe behaviour of the real process (``python -m dxcli``).

* no escape codes with NO_COLOR, TERM=dumb, a narrow COLUMNS, the C locale, or no terminal;
* machine formats carry the full data whatever the width; TSV and CSV rows are rectangular;
* on a real pseudo-terminal the default is a table that fits its width, plain with NO_COLOR;
* a reader that leaves early, and a stdout closed before the start, end dxcli quietly;
* the output is the same from run to run (and across hash seeds and a cold or warm cache);
* messages go to stderr only.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import select
import shlex
import struct
import subprocess
import sys
import termios
import time

import pytest

from conftest import ROOT, sh

ESC = "\x1b"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
PY = shlex.quote(sys.executable)
BOX = "│┃┆┊║─━┄┈═┌┐└┘┏┓┗┛╭╮╯╰├┤┬┴┼┡┩╇╈╞╡╪"


def _env(**extra: str) -> dict[str, str]:
    """The environment sh() would give, as a dict for Popen and bash."""
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e["DXCLI_PAGER"] = ""  # the pager has its own tests (test_pages.py); here the text itself
    e.update(extra)
    return e


def _no_traceback(text: str, what: str) -> None:
    assert "Traceback" not in text, f"{what}: traceback\n{text[-3000:]}"
    assert "BrokenPipeError" not in text, f"{what}: BrokenPipeError\n{text[-3000:]}"
    assert "Exception ignored" not in text, f"{what}: 'Exception ignored'\n{text[-3000:]}"


# --------------------------------------------------------------------------- no escape codes

ENVS = {
    "NO_COLOR": {"NO_COLOR": "1"},
    "TERM=dumb": {"TERM": "dumb"},
    "COLUMNS=40": {"COLUMNS": "40"},
    "C locale": {"LANG": "C", "LC_ALL": "C"},
    "no terminal": {},
    "all at once": {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "40", "LANG": "C", "LC_ALL": "C"},
}
COMMANDS = [
    ["differential", "buttock"],
    ["differential", "buttock", "--finding", "pain-worse-with-sitting", "--finding", "neurologic-deficit"],
    ["condition", "avascular-necrosis-hip"],
    ["maneuver", "faber"],
    ["test", "needle-emg"],
    ["search", "hamstring"],
    ["kerboul", "210"],
    ["tonnis", "small-cysts"],
    ["posttest", "-p", "0.3", "lr=8.43", "--draw"],
    ["case"],
    ["info"],
    ["muscle"],
    ["redflags"],
]


@pytest.mark.parametrize("envname", list(ENVS))
@pytest.mark.parametrize("fmt", [None, "table"], ids=["default", "table"])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a))
def test_no_escape_codes(args, fmt, envname):
    argv = list(args) + (["-f", fmt] if fmt else [])
    p = sh(*argv, env=ENVS[envname])
    what = f"{envname}: dxcli {' '.join(argv)}"
    assert p.returncode == 0, f"{what}: exit {p.returncode}\n{p.stderr}"
    assert p.stdout.strip(), f"{what}: no output"
    assert ESC not in p.stdout, f"{what}: escape code on stdout: {p.stdout[p.stdout.index(ESC) - 40:][:80]!r}"
    assert ESC not in p.stderr, f"{what}: escape code on stderr: {p.stderr[:200]!r}"
    _no_traceback(p.stderr, what)


@pytest.mark.parametrize("envname", ["NO_COLOR", "TERM=dumb", "C locale", "no terminal"])
@pytest.mark.parametrize("args", [["condition", "nosuchthing"], ["kerboul", "999"], ["search", "\x1b[31mred"], ["muscle", "[bold]x[/bold]"]],
                         ids=lambda a: " ".join(a))
def test_no_escape_codes_in_messages(args, envname):
    p = sh(*args, env=ENVS[envname])
    assert p.returncode in (1, 2)
    assert ESC not in p.stderr and ESC not in p.stdout, f"{envname}: {args}: {p.stderr!r}"


# --------------------------------------------------------------------------- machine formats

MACHINE = [
    ["differential", "buttock"],
    ["condition", "gluteus-medius-tendinopathy"],
    ["maneuver"],
    ["maneuver", "faber"],
    ["test"],
    ["search", "pain", "-n", "100"],
    ["sources"],
    ["cite", "avascular-necrosis-hip"],
    ["finding"],
    ["redflags"],
    ["anatomy"],
    ["nerve"],
    ["innervation", "L5"],
    ["case"],
    ["info"],
    ["tonnis"],
    ["kerboul", "210"],
]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "tsv"])
@pytest.mark.parametrize("args", MACHINE, ids=lambda a: " ".join(a))
def test_machine_formats_ignore_the_width(args, fmt):
    narrow = sh(*args, "-f", fmt, env={"COLUMNS": "40"})
    wide = sh(*args, "-f", fmt, env={"COLUMNS": "200"})
    assert narrow.returncode == wide.returncode == 0, narrow.stderr + wide.stderr
    assert narrow.stdout == wide.stdout, f"dxcli {' '.join(args)} -f {fmt}: COLUMNS=40 and COLUMNS=200 differ"
    assert "…" not in narrow.stdout or "…" in sh(*args, "-f", fmt, env={"COLUMNS": "10000"}).stdout
    if fmt == "json":
        json.loads(narrow.stdout)
    elif fmt == "ndjson":
        for line in narrow.stdout.splitlines():
            json.loads(line)


@pytest.mark.parametrize("args", MACHINE + [["muscle"], ["reference", "schema"], ["differential", "buttock", "-F", "posterior-thigh-radiation", "--next"]],
                         ids=lambda a: " ".join(a))
def test_tsv_and_csv_are_rectangular(args):
    tsv = sh(*args, "-f", "tsv", env={"COLUMNS": "40"})
    assert tsv.returncode == 0, tsv.stderr
    lines = tsv.stdout.splitlines()
    assert lines, "no TSV output"
    width = len(lines[0].split("\t"))
    for n, line in enumerate(lines[1:], 2):
        assert len(line.split("\t")) == width, f"TSV line {n} has {len(line.split(chr(9)))} fields, the header {width}: {line[:200]!r}"
    c = sh(*args, "-f", "csv", env={"COLUMNS": "40"})
    assert c.returncode == 0, c.stderr
    rows = list(csv.reader(io.StringIO(c.stdout)))
    assert rows and all(len(r) == len(rows[0]) for r in rows), "CSV rows differ in length from the header"
    assert len(rows) == len(lines), f"CSV has {len(rows)} rows, TSV {len(lines)} lines"


def test_default_when_piped_is_tsv_with_a_header():
    p = sh("differential", "buttock", env={"COLUMNS": "40"})
    assert p.returncode == 0
    header = p.stdout.splitlines()[0].split("\t")
    assert "id" in header and "name" in header
    assert p.stdout == sh("differential", "buttock", "-f", "tsv", env={"COLUMNS": "200"}).stdout


# --------------------------------------------------------------------------- a real terminal


def _pty_run(args: list[str], env: dict[str, str], cols: int = 80, rows: int = 24, timeout: float = 30) -> tuple[int, str, str]:
    """Run dxcli with a pseudo-terminal as stdin and stdout; (exit, terminal text, stderr)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    proc = subprocess.Popen(
        [sys.executable, "-m", "dxcli", *args],
        stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=env, cwd="/", close_fds=True,
    )
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if not ready:
                if proc.poll() is not None:
                    # the process is gone; drain whatever is left
                    ready = [master]
                else:
                    continue
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: every slave end is closed
                break
            if not data:
                break
            chunks.append(data)
        else:
            proc.kill()
            pytest.fail(f"dxcli {' '.join(args)} did not finish on a pty in {timeout}s")
    finally:
        os.close(master)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    code = proc.wait(timeout=10)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n"), err


PTY_COMMANDS = [
    ["differential", "buttock"],
    ["maneuver", "faber"],
    ["condition", "avascular-necrosis-hip"],
    ["search", "hamstring"],
    ["case"],
    ["posttest", "-p", "0.3", "lr=8.43"],
]


@pytest.mark.parametrize("args", PTY_COMMANDS, ids=lambda a: " ".join(a))
@pytest.mark.parametrize("how", ["COLUMNS=80", "window size only"])
def test_pty_default_is_a_table_that_fits(args, how):
    env = _env(COLUMNS="80") if how == "COLUMNS=80" else _env()
    env.pop("COLUMNS", None) if how != "COLUMNS=80" else None
    code, out, err = _pty_run(args, env, cols=80)
    what = f"pty {how}: dxcli {' '.join(args)}"
    assert code == 0, f"{what}: exit {code}\n{err}"
    _no_traceback(out + err, what)
    assert "\t" not in out, f"{what}: a tab on a terminal (TSV instead of a table?)\n{out[:500]}"
    plain = ANSI.sub("", out)
    assert ESC not in plain, f"{what}: an escape sequence the pattern does not know: {plain[plain.index(ESC):][:40]!r}"
    lines = plain.splitlines()
    if args[0] == "case":  # its narrative is prose (the terminal wraps it); its tables must fit
        lines = [line for line in lines if any(ch in line for ch in BOX)]
    long = [line for line in lines if len(line) > 80]
    assert not long, f"{what}: {len(long)} line(s) wider than 80 columns, e.g. {len(long[0])}: {long[0]!r}"
    assert plain.strip()


def test_pty_default_is_for_a_person():
    # on a terminal a list is a drawn table; the differential is a page (issue 13)
    code, out, _ = _pty_run(["muscle"], _env(COLUMNS="100"))
    plain = ANSI.sub("", out)
    assert code == 0 and "\t" not in plain
    assert any(ch in plain for ch in BOX), plain[:400]
    assert "piriformis" in plain
    code, out, _ = _pty_run(["differential", "buttock"], _env(COLUMNS="80"), rows=500)
    plain = ANSI.sub("", out)
    assert code == 0 and "\t" not in plain
    assert plain.lstrip().startswith("Differential diagnosis: Buttock pain")
    assert "Piriformis syndrome (piriformis-syndrome)" in plain


@pytest.mark.parametrize("args", PTY_COMMANDS + [["differential", "buttock", "-F", "neurologic-deficit"], ["kerboul", "999"]],
                         ids=lambda a: " ".join(a))
@pytest.mark.parametrize("var", [{"NO_COLOR": "1"}, {"TERM": "dumb"}], ids=["NO_COLOR", "TERM=dumb"])
def test_pty_without_colour_has_no_escape_codes(args, var):
    code, out, err = _pty_run(args, _env(COLUMNS="80", **var))
    what = f"pty {var}: dxcli {' '.join(args)}"
    assert code in (0, 2), f"{what}: exit {code}\n{err}"
    assert ESC not in out, f"{what}: escape code on the terminal: {out[out.index(ESC) - 20:][:60]!r}"
    assert ESC not in err, f"{what}: escape code on stderr: {err[:200]!r}"


def test_pty_with_colour_does_colour():
    """The converse, so that the tests above would notice if colour never happened at all."""
    code, out, _ = _pty_run(["differential", "buttock"], _env(COLUMNS="80", TERM="xterm-256color"))
    assert code == 0
    assert ESC in out


# --------------------------------------------------------------------------- readers that leave


def _bash(script: str, tmp_path, timeout: int = 120) -> tuple[subprocess.CompletedProcess, str, int]:
    """Run a bash script; it writes dxcli's stderr to $ERR and its exit status to $RC."""
    err, rc = tmp_path / "err", tmp_path / "rc"
    env = _env(ERR=str(err), RC=str(rc), DX=f"{PY} -m dxcli")
    p = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, cwd="/", timeout=timeout)
    return p, err.read_text() if err.exists() else "", int(rc.read_text().strip())


def test_head_closes_an_ndjson_stream(tmp_path):
    p, err, rc = _bash('$DX search pain -n 200 -f ndjson 2>"$ERR" | head -1; echo "${PIPESTATUS[0]}" > "$RC"', tmp_path)
    assert p.stdout.count("\n") == 1
    json.loads(p.stdout)
    assert err == "", err
    assert rc == 0


def test_head_closes_a_batch(tmp_path):
    p, err, rc = _bash(
        'yes 210 | head -n 300000 | $DX kerboul - -f csv 2>"$ERR" | head -n 2; echo "${PIPESTATUS[2]}" > "$RC"', tmp_path
    )
    lines = p.stdout.splitlines()
    assert len(lines) == 2 and lines[0].startswith("line,") and lines[1].startswith("1,210,"), lines
    _no_traceback(err, "kerboul batch | head -n 2")
    assert err == "", err
    assert rc == 0


@pytest.mark.parametrize("args", [
    ["differential", "buttock"],
    ["differential", "buttock", "-f", "json"],
    ["search", "pain", "-n", "200", "-f", "ndjson"],
    ["sources", "-f", "csv"],
    ["case", "-f", "json"],
    ["case", "-f", "table"],
    ["posttest", "-p", "0.3", "lr=8.43", "--draw"],
], ids=lambda a: " ".join(a))
def test_reader_gone_before_the_first_write(args):
    """The read end of the pipe is closed before dxcli starts: its first write fails (EPIPE)."""
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([sys.executable, "-m", "dxcli", *args], stdout=w, stderr=subprocess.PIPE,
                           stdin=subprocess.DEVNULL, env=_env(), cwd="/", timeout=60)
    finally:
        os.close(w)
    err = p.stderr.decode("utf-8", "replace")
    _no_traceback(err, " ".join(args))
    assert p.returncode == 0, f"exit {p.returncode}: {err}"
    # a warning on stderr (the nomogram of --draw is stderr output) is fine; an error is not
    assert "error" not in err.lower(), err


def test_batch_reader_gone_before_the_first_write():
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run([sys.executable, "-m", "dxcli", "kerboul", "-", "-f", "csv"], input=b"210\n" * 50_000,
                           stdout=w, stderr=subprocess.PIPE, env=_env(), cwd="/", timeout=60)
    finally:
        os.close(w)
    err = p.stderr.decode("utf-8", "replace")
    _no_traceback(err, "kerboul - (reader gone)")
    assert p.returncode == 0 and err == "", f"exit {p.returncode}: {err}"


def test_stdout_devnull():
    p = subprocess.run([sys.executable, "-m", "dxcli", "differential", "buttock"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True, env=_env(), cwd="/", timeout=60)
    assert p.returncode == 0 and p.stderr == ""


@pytest.mark.parametrize("args", [["differential", "buttock"], ["info", "-f", "json"], ["kerboul", "210"]], ids=lambda a: " ".join(a))
def test_stdout_closed_before_start(tmp_path, args):
    """`dxcli ... >&-`: no traceback; the answer cannot be written, so exit 74 with the reason
    (issue 23: before, it was discarded with exit 0)."""
    cmd = " ".join(shlex.quote(a) for a in args)
    p, err, rc = _bash(f'$DX {cmd} >&- 2>"$ERR"; echo "$?" > "$RC"', tmp_path)
    _no_traceback(err, f"dxcli {cmd} >&-")
    assert rc == 74, rc
    assert err == "dxcli: cannot write output: standard output is closed\n", err


def test_stdout_closed_before_start_is_not_an_internal_error(tmp_path):
    """Nowhere to write is the environment's fault, not a bug: not exit 4 ('internal error')."""
    p, err, rc = _bash('$DX differential buttock >&- 2>"$ERR"; echo "$?" > "$RC"', tmp_path)
    assert rc != 4 and "internal error" not in err, f"exit {rc}: {err}"


# --------------------------------------------------------------------------- determinism

DETERMINISTIC = [
    ["differential", "buttock", "-f", "json"],
    ["case", "-f", "json"],
    ["search", "hamstring", "-f", "tsv"],
    ["info", "-f", "json"],
    ["maneuver", "faber", "-f", "csv"],
    ["differential", "buttock", "-F", "posterior-thigh-radiation", "-A", "neurologic-deficit", "--next", "-f", "json"],
    ["search", "pain", "-n", "500", "-f", "ndjson"],
]


@pytest.mark.parametrize("args", DETERMINISTIC, ids=lambda a: " ".join(a))
def test_same_output_every_time(args, tmp_path):
    cold = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    runs = {
        "first (cold cache)": sh(*args, env=cold),
        "second (warm cache)": sh(*args, env=cold),
        "default cache": sh(*args),
        "PYTHONHASHSEED=1": sh(*args, env={"PYTHONHASHSEED": "1"}),
        "PYTHONHASHSEED=2": sh(*args, env={"PYTHONHASHSEED": "2"}),
    }
    first = runs["first (cold cache)"]
    assert first.returncode == 0 and first.stdout, first.stderr
    for name, p in runs.items():
        assert p.returncode == 0, f"{name}: exit {p.returncode}\n{p.stderr}"
        assert p.stdout == first.stdout, f"dxcli {' '.join(args)}: {name} differs from the first run"


# --------------------------------------------------------------------------- stdout is for results


@pytest.mark.parametrize("args,code", [
    (["condition", "nosuchthing"], 1),
    (["condition", "nosuchthing", "-f", "json"], 1),
    (["cite", "nosuchthing"], 1),
    (["maneuver", "fabr", "-f", "json"], None),
    (["kerboul", "999"], 2),
    (["kerboul", "999", "-f", "json"], 2),
    (["posttest", "lr=2"], 2),
    (["posttest", "-p", "2", "lr=2", "-f", "json"], 2),
    (["search", "pain", "-n", "0"], 2),
    (["differential", "buttock", "-f", "xml"], 2),
    (["differential", "--finding", "neurologic-deficit"], 2),
    (["--bogus"], 2),
    (["finding", "--kind", "nope"], 2),
], ids=lambda a: " ".join(a) if isinstance(a, list) else str(a))
def test_messages_only_on_stderr(args, code):
    p = sh(*args)
    if code is None and p.returncode == 0:
        return  # a typo that resolves is a result, not a message
    assert p.returncode == (code if code is not None else 1), f"exit {p.returncode}: {p.stderr}"
    assert p.stdout == "", f"stdout on a failure: {p.stdout[:300]!r}"
    assert p.stderr.strip()
    _no_traceback(p.stderr, " ".join(args))


@pytest.mark.parametrize("args", [["condition", "nosuchthing"], ["kerboul", "999"]], ids=lambda a: " ".join(a))
def test_messages_only_on_stderr_on_a_pty(args):
    code, out, err = _pty_run(args, _env(COLUMNS="80"))
    assert code in (1, 2)
    assert ANSI.sub("", out).strip() == "", f"terminal (stdout) got: {out[:300]!r}"
    assert err.strip()
