"""Streams that never lie (issue 14): each case of the issue as a real process, asserting the
exit code and the stderr line.

* whole output or exit 74: a file-size limit, a full disk (/dev/full), --help and --version too;
* a closed, unreadable or directory stdin is exit 2 with a message;
* an output encoding that cannot carry a character escapes it and names the fix;
* bounded parsing: deep, wide and long TOML (exit 3, naming the limit) in linear time, a batch
  line over the limit (reported, skipped), LRs out of range typed or derived;
* live batch: results as lines arrive, the terminal hint, --keep, --pretest-column;
* safe cells: --csv-safe, bidi overrides and C1 controls, relative XDG_CACHE_HOME, linked packs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import resource
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, run, sh

TIMEOUT = 120


def _env(**extra: str) -> dict[str, str]:
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG", "DXCLI_REFERENCE_PATH")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(extra)
    return e


def dx(*args: str, stdin: bytes | None = None, stdout=subprocess.PIPE, env: dict | None = None, preexec=None,
       stdin_fd=None, timeout: int = TIMEOUT) -> subprocess.CompletedProcess:
    """dxcli as a real process; stdout and stderr as bytes."""
    return subprocess.run(
        [sys.executable, "-m", "dxcli", *args],
        input=stdin,
        stdin=stdin_fd if stdin is None else None,
        stdout=stdout,
        stderr=subprocess.PIPE,
        env=env or _env(),
        cwd="/",
        timeout=timeout,
        preexec_fn=preexec,
    )


def err_lines(p: subprocess.CompletedProcess) -> list[str]:
    return p.stderr.decode("utf-8", "replace").splitlines()


def assert_no_bug(p: subprocess.CompletedProcess) -> None:
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "this is a bug" not in err and "Exception ignored" not in err, err[-2000:]
    assert p.returncode != 4, err


# -- whole output or a failing exit ----------------------------------------------------------


def _file_limit(nbytes: int):
    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails (EFBIG), not kills
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))

    return limit


@pytest.mark.parametrize("unbuffered", ["1", ""], ids=["PYTHONUNBUFFERED=1", "buffered"])
@pytest.mark.parametrize("args", [["differential", "buttock", "-f", "json"], ["kerboul", "-", "-f", "csv"]], ids=" ".join)
def test_file_size_limit_is_exit_74_never_a_silent_truncation(tmp_path, unbuffered, args):
    """ulimit -f 1: 1,024 bytes of 13,148 and exit 0 (unbuffered) or exit 4 (buffered), before."""
    out = tmp_path / "out"
    env = _env(PYTHONUNBUFFERED=unbuffered) if unbuffered else {k: v for k, v in _env().items() if k != "PYTHONUNBUFFERED"}
    with open(out, "wb") as fh:
        p = dx(*args, stdin=b"210\n" * 20_000, stdout=fh, env=env, preexec=_file_limit(1024))
    assert p.returncode == 74, err_lines(p)
    assert err_lines(p)[-1] == "dxcli: cannot write output: File too large"
    assert_no_bug(p)


@pytest.mark.parametrize("args", [
    ["differential", "buttock"],
    ["differential", "buttock", "-f", "json"],
    ["maneuver", "faber"],
    ["kerboul", "210"],
    ["--version"],
    ["--help"],
    ["kerboul", "--help"],
    ["reference", "schema", "maneuver"],
], ids=" ".join)
def test_a_full_disk_is_exit_74_with_one_message(args):
    """> /dev/full: exit 4 'internal error' (differential, maneuver), a traceback (--version,
    --help) or 'Exception ignored' (exit 120), before."""
    with open("/dev/full", "wb") as full:
        p = dx(*args, stdout=full)
    assert p.returncode == 74, err_lines(p)
    assert err_lines(p) == ["dxcli: cannot write output: No space left on device"]


def test_a_full_disk_in_batch_mode():
    with open("/dev/full", "wb") as full:
        p = dx("kerboul", "-", "-f", "csv", stdin=b"210\n300\n" * 50_000, stdout=full)
    assert p.returncode == 74
    assert err_lines(p) == ["dxcli: cannot write output: No space left on device"]


def test_the_reader_leaving_stays_a_quiet_exit_0():
    r, w = os.pipe()
    os.close(r)
    try:
        p = dx("kerboul", "-", "-f", "csv", stdin=b"210\n" * 100_000, stdout=w)
    finally:
        os.close(w)
    assert p.returncode == 0 and p.stderr == b""


def test_stdin_closed_is_exit_2_with_a_message():
    """dxcli kerboul - <&- : exit 4 AttributeError, before."""
    p = dx("kerboul", "-", preexec=lambda: os.close(0))
    assert p.returncode == 2
    assert err_lines(p)[0] == "dxcli: error: standard input is closed: there is nothing to read"
    assert_no_bug(p)


def test_stdin_unreadable_is_exit_2_with_a_message():
    """stdin opened for writing only (0>/dev/null): every read fails with EBADF."""
    fd = os.open(os.devnull, os.O_WRONLY)
    try:
        p = dx("kerboul", "-", stdin_fd=fd)
    finally:
        os.close(fd)
    assert p.returncode == 2
    assert err_lines(p)[0] == "dxcli: error: cannot read standard input: Bad file descriptor"


def test_stdin_a_directory_is_refused_by_dxcli(tmp_path):
    """Python itself refuses a directory as stdin before any of dxcli runs (a fatal error at
    start-up); where an interpreter lets it through, dxcli says so (exit 2)."""
    from dxcli.cli.batch import Input
    from dxcli.errors import InvalidInput

    fd = os.open(tmp_path, os.O_RDONLY)

    class Stdin:
        encoding = "utf-8"

        def fileno(self) -> int:
            return fd

    try:
        with pytest.raises(InvalidInput, match="it is a directory"):
            Input(Stdin())
    finally:
        os.close(fd)


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("fmt", ["json", "tsv", "table"])
def test_an_output_encoding_without_a_character_escapes_it_and_names_the_fix(encoding, fmt):
    """PYTHONIOENCODING=ascii or latin-1: exit 4 UnicodeEncodeError with partial output, before."""
    utf8 = dx("maneuver", "faber", "-f", fmt)
    p = dx("maneuver", "faber", "-f", fmt, env=_env(PYTHONIOENCODING=encoding))
    assert p.returncode == 0, err_lines(p)
    assert err_lines(p) == [
        f"dxcli: warning: the output encoding ({encoding}) cannot carry some "
        "characters; they are written as \\u escapes (set PYTHONIOENCODING=utf-8 to write them as they are)"
    ]
    text = p.stdout.decode(encoding)
    assert "\\u" in text
    if fmt == "json":  # the escapes are JSON's own: the same document
        assert json.loads(text) == json.loads(utf8.stdout)


# SIGINT: tests/test_faults.py (at 5 ms steps, with the entry point's ready marker).


# -- bounded parsing --------------------------------------------------------------------------


def _pack(tmp_path: Path, text: str) -> Path:
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / "findings.toml").write_text(text, encoding="utf-8")
    return d


def _cache(tmp_path: Path) -> dict:
    return _env(XDG_CACHE_HOME=str(tmp_path / "cache"))


@pytest.mark.parametrize("args", [["reference", "lint", "PACK"], ["--reference", "PACK", "finding"]], ids=" ".join)
def test_a_pack_nested_3000_deep_is_exit_3_naming_the_limit(tmp_path, args):
    """RecursionError, exit 4 (lint too), before."""
    d = _pack(tmp_path, "a = " + "[" * 3000 + "]" * 3000 + "\n")
    p = dx(*[str(d) if a == "PACK" else a for a in args], env=_cache(tmp_path))
    assert p.returncode == 3
    assert "nested more than 32 levels deep, the limit" in p.stderr.decode() + p.stdout.decode()
    assert_no_bug(p)


@pytest.mark.parametrize("keys", [20_000, 400_000])
def test_a_record_with_many_keys_is_refused_in_linear_time(tmp_path, keys):
    """20,000 keys took 26 s to check (quadratic) and 400,000 ran for 10 minutes, before."""
    text = '[[finding]]\nid = "x-wide"\nlabel = "Wide"\nkind = "history"\n' + "".join(f"k{i} = 1\n" for i in range(keys))
    d = _pack(tmp_path, text)
    t = time.monotonic()
    p = dx("reference", "lint", str(d), "-f", "json", env=_cache(tmp_path), timeout=60)
    assert p.returncode == 3
    assert err_lines(p)[0] == f"dxcli: error: 1 problem(s) in {d}"
    [problem] = json.loads(p.stdout)
    assert problem["message"] == f"a table of {keys + 3:,} keys, above the limit of 256 keys per table"
    assert time.monotonic() - t < 30


def test_long_strings_and_lines_are_refused_naming_the_limit(tmp_path):
    d = _pack(tmp_path, '[[finding]]\nid = "x-long"\nlabel = "' + "x" * 30_000 + '"\nkind = "history"\n')
    p = dx("reference", "lint", str(d), "-f", "json", env=_cache(tmp_path))
    assert p.returncode == 3
    [problem] = json.loads(p.stdout)
    assert problem["line"] == 3 and problem["message"] == f"line of {30_010:,} characters, above the limit of 20,000"
    d = _pack(tmp_path, '[[finding]]\nid = "x-long"\nkind = "history"\nlabel = """' + ("y" * 9_000 + "\n") * 3 + '"""\n')
    p = dx("reference", "lint", str(d), "-f", "json", env=_cache(tmp_path))
    assert p.returncode == 3
    [problem] = json.loads(p.stdout)
    assert problem["key"] == "finding[0].label" and "above the limit of 16,384" in problem["message"]


def test_many_problems_find_their_lines_in_linear_time(tmp_path):
    """Each problem used to re-read the file for its line: 250 wrong keys in each of 400 records."""
    recs = "".join(f'[[finding]]\nid = "x-{r}"\nname = "L"\nkind = "history"\ndescription = "d"\n' + "".join(f"k{i} = 1\n" for i in range(250))
                   for r in range(400))
    d = _pack(tmp_path, recs)
    t = time.monotonic()
    p = dx("reference", "lint", str(d), "-f", "ndjson", env=_cache(tmp_path), timeout=60)
    assert p.returncode == 3
    problems = {(x["key"]): x for x in map(json.loads, p.stdout.splitlines())}
    assert len(problems) >= 100_000
    assert problems["finding[399].k249"]["line"] == 400 * 255  # k249 of the last record: its own line
    assert time.monotonic() - t < 45


def _memory_limit(nbytes: int):
    return lambda: resource.setrlimit(resource.RLIMIT_AS, (nbytes, nbytes))


def test_a_50_mb_line_is_reported_and_skipped_in_bounded_memory():
    """One 50 MB line on stdin: tonnis - used 2.18 GB, before. Here under a 1 GiB address-space limit."""
    stdin = b"small-cysts\n" + b"x" * 50_000_000 + b"\nlarge-cysts\n"
    p = dx("tonnis", "-", "-f", "csv", "--fields", "grade", stdin=stdin, preexec=_memory_limit(1 << 30))
    assert p.returncode == 2
    assert err_lines(p) == ["dxcli: line 2: the line is longer than 65,536 characters; skipped", "dxcli: 1 line(s) failed"]
    rows = list(csv.reader(io.StringIO(p.stdout.decode())))
    assert rows == [["line", "input", "grade"], ["1", "small-cysts", "2"], ["3", "large-cysts", "3"]]


def test_an_overlong_line_in_a_csv_keeps_the_line_numbers():
    stdin = b"angle\n210\n" + b"9" * 70_000 + b"\n300\n"
    r = dx("kerboul", "-", "--column", "angle", "--fields", "risk_group", "-f", "csv", stdin=stdin)
    assert r.returncode == 2
    assert err_lines(r)[0] == "dxcli: line 3: the line is longer than 65,536 characters; skipped"
    assert r.stdout.decode().splitlines()[1:] == ["2,210,moderate", "4,300,high"]


@pytest.mark.parametrize("findings,message", [
    (["lr=1e-320"], "likelihood ratio 'lr=1e-320' is outside"),
    (["lr=1e-7"], "likelihood ratio 'lr=1e-7' is outside"),
    (["lr=2e6"], "likelihood ratio 'lr=2e6' is outside"),
    (["lr=0.001", "lr=0.001", "lr=0.1"], "the combined likelihood ratio 1e-07 is outside"),
    (["lr=1000", "lr=1000", "lr=2"], "the combined likelihood ratio 2e+06 is outside"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_likelihood_ratios_out_of_range_typed_or_derived_get_the_same_answer(findings, message):
    """lr=1e-320 was accepted and shown as 0, before."""
    r = run("posttest", "-p", "0.3", *findings)
    assert r.code == 2
    first = r.err.splitlines()[0].replace("'lr=", "'").replace("ratio 'lr", "ratio 'lr")
    assert message.replace("'lr=", "'") in first and "[1e-06, 1e+06]" in first, r.err


def test_a_small_likelihood_ratio_is_not_shown_as_0():
    r = run("posttest", "-p", "0.3", "lr=0.0004", "-f", "json")
    assert r.code == 0 and r.json()["lr"] == 0.0004


# -- live batch -------------------------------------------------------------------------------


def _read_line(stream, timeout: float) -> bytes:
    deadline = time.monotonic() + timeout
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([stream], [], [], left)[0]:
            return buf
        chunk = os.read(stream.fileno(), 4096)
        if not chunk:
            return buf
        buf += chunk
    return buf


def test_batch_results_come_as_the_lines_arrive():
    """(echo 210; sleep 2; echo 300) | dxcli kerboul - showed nothing until EOF, before."""
    proc = subprocess.Popen([sys.executable, "-m", "dxcli", "kerboul", "-", "-f", "csv", "--fields", "risk_group"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd="/")
    try:
        proc.stdin.write(b"210\n")
        proc.stdin.flush()
        got = _read_line(proc.stdout, 60)
        while got.count(b"\n") < 2:
            more = _read_line(proc.stdout, 60)
            if not more:
                break
            got += more
        assert got == b"line,input,risk_group\n1,210,moderate\n", got  # while stdin is still open
        proc.stdin.write(b"300\n")
        proc.stdin.flush()
        assert _read_line(proc.stdout, 60) == b"2,300,high\n"
        proc.stdin.close()
        assert proc.wait(timeout=60) == 0
        assert proc.stderr.read() == b""
    finally:
        proc.kill()
        proc.wait()


def test_a_regular_file_is_read_without_waiting_for_input(tmp_path):
    from dxcli.cli.batch import Input

    f = tmp_path / "angles.txt"
    f.write_text("210\n300")
    with open(f) as fh:
        source = Input(fh)
        assert source.wait_fd is None  # a file never makes a read wait: no flush per read
        assert list(source.blocks()) == [["210"], ["300"]]


def test_the_memo_is_bounded(monkeypatch):
    from dxcli.cli import batch

    monkeypatch.setattr(batch, "MEMO_CHARS", 2_000)
    sizes = []
    real = batch._Job._learn

    def learn(self, raw):
        real(self, raw)
        sizes.append(self.chars)

    monkeypatch.setattr(batch._Job, "_learn", learn)
    r = run("kerboul", "-", "-f", "csv", "--fields", "grade", stdin="".join(f"{i / 100:.2f}\n" for i in range(20_000)))
    assert r.code == 0 and r.out.count("\n") == 20_001
    assert max(sizes) < 2_000 + 200


def test_on_a_terminal_a_hint_and_the_same_table_as_everywhere():
    """At a terminal kerboul - waited silently and then printed Markdown, before."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "dxcli", "kerboul", "-", "--fields", "risk_group,grade"],
                            stdin=slave, stdout=slave, stderr=subprocess.PIPE, env=_env(COLUMNS="80"), cwd="/")
    os.close(slave)
    try:
        hint = _read_line(proc.stderr, 60)
        assert hint == b"dxcli: reading angles, one a line; Ctrl-D to end\n"
        os.write(master, b"210\n")
        out = b""
        deadline = time.monotonic() + 60
        while b"moderate" not in out and time.monotonic() < deadline:
            if select.select([master], [], [], 1)[0]:
                out += os.read(master, 65536)
        text = out.decode("utf-8", "replace")
        assert "moderate" in text and "risk_group" in text  # the result, before the input ends
        assert "| ---" not in text and "---" not in text.replace("─", "")  # a table, not Markdown
        os.write(master, b"\x04")  # Ctrl-D
        assert proc.wait(timeout=60) == 0
    finally:
        proc.kill()
        proc.wait()
        os.close(master)


def test_keep_carries_csv_columns_into_every_format():
    stdin = "id,site,angle\na1,left,190\nb2,right,245\n"
    r = run("kerboul", "-", "--column", "angle", "--keep", "id,site", "--fields", "risk_group", "-f", "csv", stdin=stdin)
    assert r.code == 0, r.err
    assert r.out.splitlines() == ["line,id,site,input,risk_group", "2,a1,left,190,low", "3,b2,right,245,high"]
    r = run("kerboul", "-", "--column", "angle", "--keep", "id", "--fields", "grade", "-f", "ndjson", stdin=stdin)
    assert [json.loads(x) for x in r.out.splitlines()][0] == {"line": 2, "id": "a1", "input": "190", "grade": 1}
    r = run("kerboul", "-", "--column", "angle", "--keep", "id", "--fields", "grade", "-f", "tsv", stdin=stdin)
    assert r.out.splitlines()[1] == "2\ta1\t190\t1"
    r = run("kerboul", "-", "--column", "angle", "--keep", "nope", stdin=stdin)
    assert r.code == 2 and "no column 'nope' (--keep)" in r.err
    r = run("kerboul", "-", "--keep", "id", stdin="210\n")
    assert r.code == 2 and "--column" in r.err


def test_posttest_reads_the_pretest_from_one_column_and_the_findings_from_another():
    stdin = "id,p,findings\na,0.3,lr=8.43\nb,20%,lr=2 lr=0.5\nc,,lr=2\n"
    r = run("posttest", "-", "--pretest-column", "p", "--column", "findings", "--keep", "id", "--fields", "posttest",
            "-f", "csv", stdin=stdin)
    assert r.code == 2
    # 0.3 x 8.43 / (0.3 x 8.43 + 0.7) = 0.783215 (unrounded; CSV carries 6 significant figures); 0.2 x 2 x 0.5 -> 0.2
    assert r.out.splitlines() == ["line,id,input,posttest", "2,a,0.3 lr=8.43,0.783215", "3,b,20% lr=2 lr=0.5,0.2"]
    assert r.err.splitlines()[0] == "dxcli: line 4: the column 'p' is empty"
    r = run("posttest", "-", "--pretest", "0.3", "--pretest-column", "p", "--column", "findings", stdin=stdin)
    assert r.code == 2 and "not both" in r.err


# -- safe cells -------------------------------------------------------------------------------


def test_csv_safe_prefixes_formula_text_and_never_touches_a_number():
    from dxcli.output import formats
    from dxcli.output.render import Terminal

    def render(rows, fmt, term):
        formats.get(fmt).rows(rows, term)

    rows = [{"text": "=HYPERLINK(\"http://x\")", "plus": "+1+1", "minus": "-x", "at": "@SUM(A1)", "score": -2,
             "negative_text": "-2", "plain": "faber"}]
    for fmt in ("csv", "tsv"):
        out = io.StringIO()
        render(rows, fmt, Terminal(out, io.StringIO(), False, False, csv_safe=True))
        cells = list(csv.reader(io.StringIO(out.getvalue()), delimiter="," if fmt == "csv" else "\t"))[1]
        assert cells == ["'=HYPERLINK(\"http://x\")", "'+1+1", "'-x", "'@SUM(A1)", "-2", "-2", "faber"], fmt
        out = io.StringIO()
        render(rows, fmt, Terminal(out, io.StringIO(), False, False))
        assert list(csv.reader(io.StringIO(out.getvalue()), delimiter="," if fmt == "csv" else "\t"))[1][0] == '=HYPERLINK("http://x")'


def test_csv_safe_in_batch_and_before_a_command():
    stdin = "id,angle\n=cmd|' /C calc'!A0,190\n-5,245\n"
    for args in (["kerboul", "-", "--csv-safe"], ["--csv-safe", "kerboul", "-"]):
        r = run(*args, "--column", "angle", "--keep", "id", "--fields", "risk_group", "-f", "csv", stdin=stdin)
        assert r.code == 0, r.err
        rows = list(csv.reader(io.StringIO(r.out)))
        assert rows[1] == ["2", "'=cmd|' /C calc'!A0", "190", "low"] and rows[2] == ["3", "-5", "245", "high"]


BIDI = "\u202e"  # right-to-left override
C1 = "\x9b"  # CSI, a C1 control a terminal acts on


def test_bidi_overrides_and_c1_controls_are_inert_on_a_terminal_and_escaped_in_json(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    d = _pack(tmp_path, f'[[finding]]\nid = "x-bidi"\nname = "abc{BIDI}fed"\nkind = "history"\n'
                        f'description = "a{C1}31mred and \\u2066isolate\\u2069"\n')
    for fmt in ("table", "tsv", "csv", "markdown"):
        r = run("--reference", str(d), "finding", "x-bidi", "-f", fmt, tty=True, width=120)
        assert r.code == 0, r.err
        for ch in (BIDI, C1, "\u2066", "\u2069"):
            assert ch not in r.out, (fmt, ch)
        assert "\\u202e" in r.out and "\\x9b" in r.out, fmt
    for fmt in ("json", "ndjson"):
        r = run("--reference", str(d), "finding", "x-bidi", "-f", fmt)
        assert BIDI not in r.out and C1 not in r.out and "\\u202e" in r.out and "\\u009b" in r.out
        doc = json.loads(r.out)
        rec = doc[0] if isinstance(doc, list) else doc
        assert rec["name"] == f"abc{BIDI}fed"  # the data itself, once decoded


def test_batch_json_escapes_bidi_in_the_input():
    r = run("tonnis", "-", "-f", "ndjson", stdin=f"small-cysts{BIDI}\n")
    assert BIDI not in r.out + r.err


def test_a_relative_xdg_cache_home_is_ignored(monkeypatch):
    from dxcli.reference import loader

    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert loader.cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "dxcli"
    monkeypatch.setenv("XDG_CACHE_HOME", "/tmp/abs-cache")
    assert loader.cache_dir() == Path("/tmp/abs-cache/dxcli")


def test_a_linked_pack_path_is_refused_like_links_inside_packs(tmp_path):
    d = _pack(tmp_path, '[[finding]]\nid = "x-linked"\nname = "Linked"\nkind = "history"\ndescription = "d"\n')
    link = tmp_path / "link"
    link.symlink_to(d)
    p = dx("--reference", str(link), "finding", "x-linked", env=_cache(tmp_path))
    assert p.returncode == 3
    assert err_lines(p)[0] == (f"dxcli: error: the reference pack has 1 problem(s); the first: {link}: "
                               "is a link; packs do not follow links (give the path it points to)")
    assert dx("--reference", str(d), "finding", "x-linked", env=_cache(tmp_path)).returncode == 0


def test_the_tsv_floor_writes_the_bytes_dxcli_writes(tmp_path):
    """benchmarks/batch_floor_tsv.py is only a fair floor while it writes dxcli's own bytes."""
    import random

    rng = random.Random(3)
    angles = [f"{rng.uniform(0, 360):.2f}" for _ in range(2000)] + ["0", "190", "190.00", "200", "239.99", "240", "250", "300", "360"]
    src = tmp_path / "angles.txt"
    src.write_text("\n".join(angles) + "\n")
    floor = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "batch_floor_tsv.py")], stdin=src.open(), capture_output=True, timeout=60)
    ours = sh("kerboul", "-", "-f", "tsv", stdin=src.read_text())
    assert ours.returncode == 0 and floor.returncode == 0
    assert floor.stdout.decode("utf-8") == ours.stdout


@pytest.mark.parametrize("args", [
    ("-f", "tsv"), ("-f", "csv"), ("-f", "markdown"), ("-f", "csv", "--csv-safe"),
    ("-f", "csv", "--fields", "risk_group,combined_angle,grade_interval,sagittal_angle"), ("-f", "tsv", "--fields", "grade,notes"),
    ("-f", "csv", "--column", "angle", "--keep", "id"),
])
def test_rows_written_once_per_interval_are_the_rows_written_one_by_one(monkeypatch, args):
    """Full rows (and --fields rows) reuse the text of the fields their interval shares; the
    oracle is the same batch with no shapes, where every distinct input's row is written whole."""
    import random

    from dxcli.calc import kerboul

    rng = random.Random(7)
    angles = [f"{rng.uniform(0, 360):.2f}" for _ in range(600)] + [
        "0", "190", "190.0", "200", "239.99", "240", "250", "300", "360", "100 110", "185 10", "abc", "", "# c", "190"]
    if "--column" in args:
        stdin = "id,angle\n" + "".join(f'x{i},"{a}"\n' for i, a in enumerate(angles) if a and not a.startswith("#"))
    else:
        stdin = "\n".join(angles) + "\n"
    shaped = run("kerboul", "-", *args, stdin=stdin)
    real = kerboul.classifier

    def unshaped(scale, only=None):
        classify = real(scale, only)
        return lambda *a: (classify(*a)[0], None, ())

    monkeypatch.setattr(kerboul, "classifier", unshaped)
    plain = run("kerboul", "-", *args, stdin=stdin)
    assert shaped.code == plain.code == 2  # the line "abc" fails
    assert shaped.out == plain.out and shaped.err == plain.err
    assert shaped.out.count("\n") > 600


# -- line numbers written a block at a time ---------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_NEAR_A_THOUSAND = st.integers(0, 3000).flatmap(lambda k: st.integers(max(1, k * 1000 - 3), k * 1000 + 3))


@settings(max_examples=400, deadline=None)
@given(first=st.one_of(st.integers(1, 3_000_000), _NEAR_A_THOUSAND), count=st.integers(0, 2600),
       stride=st.integers(2, 5), lead=st.sampled_from(["", "| ", '{"line": ', ',\n  {"line": ']))
def test_numbered_pieces_are_the_lead_and_str_of_each_number(first, count, stride, lead):
    """A block's line numbers come from a table of three-digit pieces; each line's first two
    pieces are the lead and str(n), whatever thousand the block starts in or crosses."""
    from dxcli.output.formats import numbered

    parts = numbered(first, count, stride, lead)
    assert len(parts) == stride * count
    for i in range(count):
        line = parts[i * stride : (i + 1) * stride]
        assert line[0] + line[1] == lead + str(first + i)
        assert line[2:] == [""] * (stride - 2)


@pytest.mark.parametrize("bad", [False, True], ids=["every line an angle", "lines 1 and 5002 not angles"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "markdown", "json", "ndjson"])
def test_a_long_batch_numbers_every_line_in_every_format(fmt, bad):
    """12,345 lines, blocks crossing thousands and ten thousands; with ``bad``, the first line
    and one in the middle not angles (a block written line by line, then whole blocks): line k
    is numbered k, in the input's order, with the input's own result (Ha 2006's cut-points: low
    to 190, high from 240)."""
    angles = [str((k * 37) % 361) for k in range(12_345)]
    if bad:
        angles[0] = angles[5_001] = "abc"
    r = run("kerboul", "-", "-f", fmt, "--fields", "risk_group", stdin="\n".join(angles) + "\n")
    if bad:
        assert r.code == 2 and "line 1: " in r.err and "line 5002: " in r.err and "2 line(s) failed" in r.err, r.err
    else:
        assert r.code == 0 and r.err == "", r.err
    if fmt in ("json", "ndjson"):
        rows = json.loads(r.out) if fmt == "json" else [json.loads(x) for x in r.out.splitlines()]
        got = [(row["line"], row["input"], row["risk_group"]) for row in rows]
    else:
        lines = r.out.splitlines()[2:] if fmt == "markdown" else r.out.splitlines()[1:]
        if fmt == "markdown":
            cells = [[c.strip() for c in x.strip("| ").split("|")] for x in lines]
        else:
            cells = list(csv.reader(lines, delimiter="\t" if fmt == "tsv" else ","))
        got = [(int(c[0]), c[1], c[2]) for c in cells]
    groups = {a: "low" if int(a) <= 190 else "high" if int(a) >= 240 else "moderate" for a in set(angles) if a != "abc"}
    assert got == [(k, a, groups[a]) for k, a in enumerate(angles, 1) if a != "abc"]
