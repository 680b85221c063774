"""Benchmark dxcli's start-up, output, batch mode and data scaling against fixed floors.

Run from the checkout (standard library only; dxcli's own dependencies must be importable):

    python benchmarks/run.py                     # 15 rounds, batch of 1,000,000 lines, 3 rounds
    python benchmarks/run.py --quick             # 9 rounds (batch cases 3)
    python benchmarks/run.py --huge              # also the pack of 1000x the shipped data
    python benchmarks/run.py --batch-lines 100000 --output /tmp/results.md

Every case is a child process of this interpreter (sys.executable), with cwd a temp dir,
PYTHONPATH the checkout and XDG_CACHE_HOME inside the temp dir. The cases run interleaved:
each round runs every case once, in an order shuffled with a fixed seed, so drift in machine
load touches every case alike; one untimed warm-up run of each comes first. For each case it
records the median wall time (time.perf_counter from the fork to the child's exit and the end
of its output) and the peak memory (the largest ru_maxrss from os.wait4 over the rounds).
Floors: `python -c pass`, a minimal Typer app (benchmarks/minimal_typer.py), a minimal Typer
app writing an Anki deck (benchmarks/minimal_anki.py), the batch floors, awk, tomllib alone
parsing a pack's files, and the same command on the shipped data for the packs of 10x and
100x (and, with --huge, 1000x) the shipped data, findings included. The first run on each
pack (parse, check, build the store) is timed on fresh caches, 3 samples each (at 1000x
--huge-first-runs, 1 to 3), interleaved with tomllib parsing the same files. Ratios to the
floors are checked against targets; the table goes to stdout and, as Markdown, is added at
the top of benchmarks/RESULTS.md (--output), which keeps every earlier run with its date and
machine load. A non-zero exit shows as "failed (exit N)"; a `--reference` option that dxcli
does not have shows as "not available".
"""

from __future__ import annotations

import argparse
import datetime
import json
import marshal
import os
import platform
import random
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
SEED = 20240601
AWK = '{ if ($1 <= 190) g="low"; else if ($1 < 240) g="moderate"; else g="high"; print $1 "," g }'
SMALL_BATCH = 100_000
PACK_FILES = ("maneuvers.toml", "tests.toml", "findings.toml", "conditions.toml")
SCALES = (10, 100)  # packs of these multiples of the shipped data (1000 too with --huge)
HUGE = 1000
CHUNK = 20  # copies per pack file
# The ranked differential of issue 22's targets: two present findings and one absent
RANKED = ("differential", "buttock", "-F", "ehl-weakness", "-F", "pain-worse-with-sitting", "--absent",
          "neurologic-deficit", "-f", "json")
# Ten words absent from the vocabulary (and one present): search finds nothing, exit 1
ABSENT_WORDS = ("hamstring", "blorft", "quizzeth", "xylomap", "frindle", "gorptash", "wumblek", "zentrix",
                "plovick", "snarvel", "trombux")


@dataclass
class Case:
    name: str
    argv: list[str]
    stdin: Path | None = None  # batch input file
    piped: bool = False  # stdin is a pipe filled by cat from the file, not the file itself
    tty: bool = False  # stdout is a pseudo-terminal
    batch: bool = False  # stdout to /dev/null, fewer rounds
    codes: tuple[int, ...] = (0,)  # the exit codes of a run that did its work
    times: list[float] = field(default_factory=list)
    peak_kib: int = 0
    status: str = ""  # "", "failed (exit N)" or "not available"
    detail: str = ""  # last stderr line of a failure

    @property
    def ok(self) -> bool:
        return not self.status and bool(self.times)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000


CHAIN3 = ("posttest", "-p", "0.3", "-c", "gluteus-medius-tendinopathy", "resisted-hip-external-rotation+",
          "single-leg-stance-pain+", "resisted-hip-abduction+", "-f", "json")


def dxcli(*args: str) -> list[str]:
    return [PY, "-m", "dxcli", *args]


# The children are started by a small helper process that forks and execs them and reports
# (seconds, ru_maxrss KiB, exit code) for each. subprocess.Popen starts children with vfork,
# and Linux then counts the parent's own peak RSS in the child's ru_maxrss; a fork from a lean
# process (no imports beyond os, sys, time, marshal) copies only its ~5 MiB, a floor below
# any Python child. The helper also times the child: fork to exit and end of its output.
SPAWNER = r"""
import marshal, os, sys, time
while True:
    try:
        argv, cwd, env, stdin, mode, errpath = marshal.load(sys.stdin.buffer)
    except EOFError:
        break
    if mode == "pty":
        master, out = os.openpty()
        env = dict(env, DXCLI_PAGER="")  # measure the table, not a pager waiting for a key
    elif mode == "pipe":
        master, out = os.pipe()
    else:
        master, out = None, os.open(os.devnull, os.O_WRONLY)
    feeder = None
    err = os.open(errpath, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    t0 = time.perf_counter()
    if stdin.startswith("|"):  # stdin is a pipe that cat fills from the file
        inp, feed = os.pipe()
        feeder = os.fork()
        if feeder == 0:
            try:
                os.dup2(feed, 1)
                os.execvp("cat", ["cat", stdin[1:]])
            finally:
                os._exit(127)
        os.close(feed)
    else:
        inp = os.open(stdin or os.devnull, os.O_RDONLY)
    pid = os.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            os.dup2(inp, 0); os.dup2(out, 1); os.dup2(err, 2)
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    for fd in (out, inp, err):
        os.close(fd)
    if master is not None:
        try:
            while os.read(master, 65536):  # read and discard the output
                pass
        except OSError:  # EIO from a pty once the child has closed it
            pass
        os.close(master)
    _, status, usage = os.wait4(pid, 0)
    if feeder is not None:
        os.waitpid(feeder, 0)
    secs = time.perf_counter() - t0
    marshal.dump((secs, usage.ru_maxrss, os.waitstatus_to_exitcode(status)), sys.stdout.buffer)
    sys.stdout.buffer.flush()
"""


class Spawner:
    def __init__(self) -> None:
        self.proc = subprocess.Popen([PY, "-I", "-S", "-c", SPAWNER], stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def run(self, case: Case, cwd: Path, env: dict[str, str]) -> tuple[float, int, int, str]:
        """Run one case; return (seconds, max RSS in KiB, exit code, stderr)."""
        mode = "pty" if case.tty else "null" if case.batch else "pipe"
        errpath = cwd / "stderr.txt"
        stdin = ("|" if case.piped else "") + str(case.stdin or "")
        marshal.dump((case.argv, str(cwd), env, stdin, mode, str(errpath)), self.proc.stdin)
        self.proc.stdin.flush()
        secs, kib, code = marshal.load(self.proc.stdout)
        return secs, kib, code, errpath.read_text(errors="replace")

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def record(sp: Spawner, case: Case, cwd: Path, env: dict[str, str], keep: bool = True) -> float:
    """Run a case once and keep its figures; return its wall time in seconds."""
    secs, kib, code, stderr = sp.run(case, cwd, env)
    if code == 2 and "No such option" in stderr:
        case.status = "not available"
    elif code not in case.codes:
        case.status = f"failed (exit {code})"
    if case.status:
        case.detail = (stderr.strip().splitlines() or [""])[-1][:160]
    elif keep:
        case.times.append(secs)
        case.peak_kib = max(case.peak_kib, kib)
    return secs


def write_angles(path: Path, n: int, decimals: int = 0) -> None:
    """n angles from 0 to 360 (fixed seed): whole degrees, or with one or two decimals."""
    rng = random.Random(SEED)
    with open(path, "w") as fh:
        if decimals:
            fh.write("".join(f"{rng.uniform(0, 360):.{decimals}f}\n" for _ in range(n)))
        else:
            fh.write("\n".join(str(rng.randint(0, 360)) for _ in range(n)) + "\n")


def json_count(env: dict[str, str], cwd: Path) -> int:
    """The notes dxcli's own `export anki` writes (the Anki floor writes as many)."""
    out = subprocess.run([*dxcli("export", "anki", str(cwd / "count.apkg"), "-f", "json")], env=env, cwd=cwd,
                         capture_output=True, text=True, check=True)
    return sum(d["notes"] for d in json.loads(out.stdout))


def bundled_dir(env: dict[str, str], cwd: Path) -> Path:
    code = "from dxcli.reference.loader import bundled_dir; print(bundled_dir())"
    out = subprocess.run([PY, "-c", code], env=env, cwd=cwd, capture_output=True, text=True, check=True)
    return Path(out.stdout.strip())


def build_pack(shipped: Path, dest: Path, scale: int) -> float:
    """Copies of the records of PACK_FILES (findings included) with ids, names and
    cross-references suffixed "-x{n}", enough to make about ``scale`` times the shipped bytes,
    CHUNK copies a file (dxcli refuses pack files above 8 MiB). Returns the pack's size over
    the shipped size."""
    shipped_bytes = sum(p.stat().st_size for p in shipped.glob("*.toml"))
    texts = {name: (shipped / name).read_text(encoding="utf-8") for name in PACK_FILES}
    copies = -(-scale * shipped_bytes // sum(len(t.encode()) for t in texts.values()))
    ref = re.compile(r'^((?:id|condition|maneuver|test|figure) = ")([^"]*)"', re.M)
    name = re.compile(r'^(name = ")([^"]*)"', re.M)
    aliases = re.compile(r"^aliases = \[.*\]$", re.M)
    dest.mkdir()
    for fname, text in texts.items():
        body = text.split("\n[[", 1)[1]  # drop the file's leading comments
        for n in range(1, copies + 1):
            part = ref.sub(lambda m: f'{m[1]}{m[2]}-x{n}"', "[[" + body)
            part = name.sub(lambda m: f'{m[1]}{m[2]} x{n}"', part)
            part = aliases.sub(lambda m: re.sub(r'"([^"]*)"', rf'"\1 x{n}"', m[0]), part)
            with open(dest / f"{fname[:-5]}-{(n - 1) // CHUNK:03d}.toml", "a", encoding="utf-8") as fh:
                fh.write(part + "\n")
    return sum(p.stat().st_size for p in dest.glob("*.toml")) / shipped_bytes


def evaluate(case: Case, base: Case | None, ratio_max: float | None, mem_max: float | None) -> list[str]:
    """One table row: case, median ms, every run's ms, peak MiB, baseline, ratio, target, met."""
    targets = ([f"≤{ratio_max:g}×"] if ratio_max else []) + ([f"≤{mem_max:.1f} MiB"] if mem_max else [])
    if not case.ok:
        return [case.name, case.status or "not run", "", "", base.name if base else "", "", "; ".join(targets), ""]
    mib = case.peak_kib / 1024
    ratio = case.median_ms / base.median_ms if base and base.ok else None
    misses = []
    if ratio_max and (ratio is None or ratio > ratio_max):
        misses.append("time")
    if mem_max and mib > mem_max:
        misses.append("memory")
    met = "" if not targets else f"no ({', '.join(misses)})" if misses else "yes"
    runs = " ".join(f"{t * 1000:.0f}" for t in case.times)
    return [case.name, f"{case.median_ms:.1f}", runs, f"{mib:.1f}", base.name if base else "",
            f"{ratio:.2f}" if ratio is not None else ("n/a" if base else ""), "; ".join(targets), met]


HEADER = ["case", "median ms", "runs (ms, in order)", "peak MiB", "baseline", "ratio", "target", "met"]


def text_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in [HEADER, *rows]) for i in range(len(HEADER))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [HEADER, *rows]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    return "\n".join(out + ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=15, help="rounds of the single-command cases (default 15)")
    ap.add_argument("--quick", action="store_true", help="9 rounds instead of 15 (the batch cases: 3 either way)")
    ap.add_argument("--batch-rounds", type=int, default=3, help="rounds of the batch cases (default 3)")
    ap.add_argument("--batch-lines", type=int, default=1_000_000, help="angles in the batch input")
    ap.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "RESULTS.md",
                    help="Markdown results (this run is added at the top; earlier runs are kept)")
    ap.add_argument("--huge", action="store_true", help="also the pack of 1000x the shipped data (minutes; never with --quick)")
    ap.add_argument("--huge-first-runs", type=int, default=1, choices=(1, 2, 3),
                    help="fresh-cache samples of the first run on the 1000x pack (default 1)")
    ap.add_argument("--first-runs", type=int, default=3, help="fresh-cache samples of the first run on the 10x and 100x packs (default 3)")
    args = ap.parse_args()
    if args.huge and args.quick:
        ap.error("--huge is left out of --quick: run it without --quick")
    load_start = os.getloadavg()
    rounds = 9 if args.quick else args.rounds
    batch_rounds = min(args.batch_rounds, rounds)
    lines = args.batch_lines

    # Byte-code as an installed package has it: PYTHONDONTWRITEBYTECODE would make every case
    # compile the modules changed since their last .pyc, and time that instead of dxcli.
    import compileall

    compileall.compile_dir(str(ROOT / "dxcli"), quiet=1)
    with tempfile.TemporaryDirectory(prefix="dxcli-bench-") as tmp:
        cwd = Path(tmp)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        env["XDG_CACHE_HOME"] = str(cwd / "cache")  # dxcli's store
        env.pop("DXCLI_REFERENCE_PATH", None)
        # dxcli runs from its byte-code cache, as an installed copy does (the floors are single
        # scripts, compiled on every run either way).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("COLUMNS", None)
        tty_env = {**env, "COLUMNS": "100", "TERM": "xterm-256color"}
        tty_env.pop("NO_COLOR", None)

        print(f"preparing inputs in {tmp} ...", file=sys.stderr)
        big = cwd / f"angles-{lines}.txt"
        write_angles(big, lines)
        small = cwd / f"angles-{SMALL_BATCH}.txt"
        if lines != SMALL_BATCH:
            write_angles(small, SMALL_BATCH)
        scales = [*SCALES, *([HUGE] if args.huge else [])]
        shipped = bundled_dir(env, cwd)
        packs = {n: cwd / f"pack-{n}x" for n in scales}
        size = {n: build_pack(shipped, packs[n], n) for n in scales}
        notes_count = json_count(env, cwd)
        dec = {d: cwd / f"angles-{lines}-{d}dp.txt" for d in (1, 2)}
        for d, path in dec.items():
            write_angles(path, lines, d)
        floor, floor_tsv = ROOT / "benchmarks" / "batch_floor.py", ROOT / "benchmarks" / "batch_floor_tsv.py"
        group = dxcli("kerboul", "-", "-f", "csv", "--fields", "risk_group")
        full = dxcli("kerboul", "-", "-f", "tsv")

        C = {
            "pass": Case("python -c pass", [PY, "-c", "pass"]),
            "typer": Case("minimal Typer app", [PY, str(ROOT / "benchmarks" / "minimal_typer.py")]),
            "typer_table": Case("minimal Typer app printing a Rich table (pty)",
                                [PY, str(ROOT / "benchmarks" / "minimal_typer_table.py")], tty=True),
            "kerboul": Case("kerboul 210 --format json", dxcli("kerboul", "210", "--format", "json")),
            "maneuver": Case("maneuver faber --format json", dxcli("maneuver", "faber", "--format", "json")),
            "innervation": Case("innervation L5 --format tsv", dxcli("innervation", "L5", "--format", "tsv")),
            "search": Case("search hamstring (piped, TSV)", dxcli("search", "hamstring")),
            "table": Case("muscle (Rich table, pty)", dxcli("muscle"), tty=True),
            "page": Case("differential buttock (a page, pty)", dxcli("differential", "buttock"), tty=True),
            "condition": Case("condition piriformis-syndrome --format json", dxcli("condition", "piriformis-syndrome", "--format", "json")),
            "differential": Case("differential buttock --format json", dxcli("differential", "buttock", "--format", "json")),
            "search_json": Case("search hamstring --format json", dxcli("search", "hamstring", "--format", "json")),
            # three distinct measured findings for one condition (gluteus medius tendinopathy, the
            # one condition with three; a finding counts once since 0.3.0), two arms drawn (the
            # sensitivities of external rotation and single leg stance; the rest are stated without
            # counts), at the default draws, and with one draw (what the rest costs)
            "posttest3": Case("posttest, 3 measured findings, default draws (-f json)", dxcli(*CHAIN3)),
            "ranked_sim": Case("differential buttock, two measured findings tied on score (-f json)",
                               dxcli("differential", "buttock", "-F", "modified-bent-knee-positive", "-F",
                                     "resisted-hip-external-rotation-positive", "-f", "json")),
            "ranked_nosim": Case("the same with --no-simulation",
                                 dxcli("differential", "buttock", "-F", "modified-bent-knee-positive", "-F",
                                       "resisted-hip-external-rotation-positive", "-f", "json", "--no-simulation")),
            "posttest3_one": Case("the same with --draws 1", dxcli(*CHAIN3, "--draws", "1")),
            "ranked": Case("differential, 2 present + 1 absent findings (-f json)", dxcli(*RANKED)),
            "ranked_next": Case("the same with --next", dxcli(*RANKED, "--next")),
            "case": Case("case -f json (the review's vignette)", dxcli("case", "-f", "json")),
            "search_absent": Case("search, 1 word + 10 absent from the vocabulary (-f json, exit 1)",
                                  dxcli("search", *ABSENT_WORDS, "-f", "json"), codes=(1,)),
            "anki_floor": Case(f"minimal Typer app writing {notes_count} notes with genanki",
                               [PY, str(ROOT / "benchmarks" / "minimal_anki.py"), "floor.apkg", "--notes", str(notes_count)]),
            "anki": Case("export anki out.apkg", dxcli("export", "anki", "out.apkg")),
            "batch": Case(f"kerboul - --format csv ({lines:,} lines)",
                          dxcli("kerboul", "-", "--format", "csv"), stdin=big, batch=True),
            "batch_fields": Case(f"kerboul - --fields risk_group --format csv ({lines:,} lines)",
                                 dxcli("kerboul", "-", "--fields", "risk_group", "--format", "csv"),
                                 stdin=big, batch=True),
            "awk": Case(f"awk classification ({lines:,} lines)", ["awk", AWK], stdin=big, batch=True),
        }
        for d, path in dec.items():
            C[f"floor{d}"] = Case(f"batch_floor.py ({lines:,} angles, {d} dp)", [PY, str(floor)], stdin=path, batch=True)
            C[f"group{d}"] = Case(f"kerboul - -f csv --fields risk_group ({d} dp)", group, stdin=path, batch=True)
            C[f"floor_tsv{d}"] = Case(f"batch_floor_tsv.py ({d} dp)", [PY, str(floor_tsv)], stdin=path, batch=True)
            C[f"tsv{d}"] = Case(f"kerboul - -f tsv, full rows ({d} dp)", full, stdin=path, batch=True)
        C["group2_pipe"] = Case("kerboul - -f csv --fields risk_group (2 dp), stdin a pipe (cat file |)", group,
                                stdin=dec[2], batch=True, piped=True)
        C["floor2_pipe"] = Case("batch_floor.py (2 dp), stdin a pipe (cat file |)", [PY, str(floor)], stdin=dec[2],
                                batch=True, piped=True)
        on_pack = {  # key: (name, the shipped-data case it is compared with, its arguments)
            "scale": ("maneuver faber --format json", "maneuver", ("maneuver", "faber", "--format", "json")),
            "scale_condition": ("condition piriformis-syndrome --format json", "condition",
                                ("condition", "piriformis-syndrome", "--format", "json")),
            "scale_search": ("search hamstring --format json", "search_json", ("search", "hamstring", "--format", "json")),
            "scale_search_absent": ("search, 10 absent words", "search_absent", (*C["search_absent"].argv[3:],)),
            "scale_differential": ("differential buttock --format json", "differential", ("differential", "buttock", "--format", "json")),
            "scale_ranked": ("differential, 2 present + 1 absent", "ranked", RANKED),
            "scale_next": ("the same with --next", "ranked_next", (*RANKED, "--next")),
            "scale_case": ("case -f json", "case", ("case", "-f", "json")),
        }
        for n in scales:
            for key, (name, base, argv) in on_pack.items():
                C[f"{key}@{n}"] = Case(f"{name}, {size[n]:.0f}x pack", dxcli("--reference", str(packs[n]), *argv),
                                       codes=C[base].codes)
        toml_code = ("import glob, sys\nif sys.version_info >= (3, 11):\n    import tomllib\nelse:\n    import tomli as tomllib\n"
                     "for f in sorted(glob.glob(sys.argv[1] + '/*.toml')):\n    with open(f, 'rb') as fh:\n        tomllib.load(fh)")
        first = {n: (Case(f"tomllib alone parses the {size[n]:.0f}x pack's files, one at a time", [PY, "-c", toml_code, str(packs[n])]),
                     Case(f"first run on the {size[n]:.0f}x pack, fresh cache (maneuver faber -f json)",
                          dxcli("--reference", str(packs[n]), "maneuver", "faber", "--format", "json")))
                 for n in scales}
        if lines != SMALL_BATCH:
            C["batch_small"] = Case(f"kerboul - --format csv ({SMALL_BATCH:,} lines)",
                                    dxcli("kerboul", "-", "--format", "csv"), stdin=small, batch=True)
        cases = list(C.values())

        def env_for(c: Case) -> dict[str, str]:
            return tty_env if c.tty else env

        sp = Spawner()
        floor_kib = sp.run(Case("true", ["true"]), cwd, env)[1]
        # The first run on each pack: on a fresh cache each time (a new XDG_CACHE_HOME), never
        # a warm-up; each sample next to tomllib parsing the same files, with the load then.
        samples: list[str] = []
        for n in scales:
            toml_case, first_case = first[n]
            for i in range(args.huge_first_runs if n == HUGE else max(1, args.first_runs)):
                fresh = cwd / f"fresh-{n}-{i}"
                t = record(sp, toml_case, cwd, env)
                f = record(sp, first_case, cwd, {**env, "XDG_CACHE_HOME": str(fresh)})
                shutil.rmtree(fresh, ignore_errors=True)
                samples.append(f"{datetime.datetime.now().astimezone().strftime('%H:%M:%S')} {size[n]:.0f}x pack, "
                               f"sample {i + 1}: first run {f:.2f} s, tomllib {t:.2f} s ({f / t:.2f}x), "
                               f"load {os.getloadavg()[0]:.2f}")
                print(samples[-1], file=sys.stderr)
        # One untimed warm-up of every single-command case: byte-code, disk and the packs' stores.
        for c in cases:
            if not c.batch:
                record(sp, c, cwd, env_for(c), keep=False)
        rng = random.Random(SEED)
        t_start = time.perf_counter()
        loads: list[float] = []
        for r in range(rounds):
            order = [c for c in cases if not c.status and (not c.batch or r < batch_rounds)]
            rng.shuffle(order)
            for c in order:
                record(sp, c, cwd, env_for(c))
            loads.append(os.getloadavg()[0])
            print(f"round {r + 1}/{rounds} done ({time.perf_counter() - t_start:.0f} s, load {loads[-1]:.2f})", file=sys.stderr)
        sp.close()

    lookup_mem = 30.0
    rows = [
        evaluate(C["pass"], None, None, None),
        evaluate(C["typer"], None, None, None),
        evaluate(C["kerboul"], C["typer"], 1.15, lookup_mem),
        evaluate(C["maneuver"], C["typer"], 1.15, lookup_mem),
        evaluate(C["innervation"], C["typer"], 1.15, lookup_mem),
        evaluate(C["search"], C["typer"], 1.15, lookup_mem),
        evaluate(C["typer_table"], C["typer"], None, None),  # what Rich's import and a table cost
        evaluate(C["table"], C["typer_table"], 1.05, lookup_mem),
        evaluate(C["page"], C["typer"], 1.15, lookup_mem),  # a page is text: no Rich
        evaluate(C["condition"], C["typer"], 1.15, lookup_mem),
        evaluate(C["differential"], C["typer"], 1.15, lookup_mem),
        evaluate(C["posttest3"], C["typer"], 1.5, lookup_mem),  # issue 24
        evaluate(C["posttest3_one"], C["typer"], None, None),  # the same without the draws' cost
        evaluate(C["ranked_nosim"], C["typer"], None, None),
        evaluate(C["ranked_sim"], C["ranked_nosim"], 1.3, lookup_mem),  # issue 24
        evaluate(C["case"], C["typer"], 1.15, lookup_mem),  # issue 22
        evaluate(C["anki_floor"], C["typer"], None, None),
        evaluate(C["anki"], C["anki_floor"], 1.2, None),  # issue 22
        evaluate(C["ranked"], C["typer"], None, None),
        evaluate(C["ranked_next"], C["typer"], None, None),
        evaluate(C["search_absent"], C["typer"], None, None),
    ]
    for n in scales:  # issue 22: warm, each ≤1.3x the same command on the shipped data, ≤40 MiB
        rows += [evaluate(C[f"{key}@{n}"], C[base], 1.3, 40.0) for key, (_, base, _) in on_pack.items()]
    for n in scales:  # issue 22: the first run ≤1.5x tomllib alone at 100x and 1000x; ≤128 MiB at 100x
        toml_case, first_case = first[n]
        rows.append(evaluate(toml_case, None, None, None))
        rows.append(evaluate(first_case, toml_case, 1.5 if n >= 100 else None, 128.0 if n == 100 else None))
    rows.append(evaluate(C["awk"], None, None, None))
    if "batch_small" in C:
        rows.append(evaluate(C["batch_small"], None, None, None))
    rows.append(evaluate(C["batch"], C["awk"], 2.0, 50.0 if lines >= 1_000_000 else None))
    # like for like: awk prints the angle and its group; so does this (line, input, risk_group)
    rows.append(evaluate(C["batch_fields"], C["awk"], 2.0, 50.0 if lines >= 1_000_000 else None))

    big_run = lines >= 1_000_000
    for d in (2, 1):
        rows.append(evaluate(C[f"floor{d}"], None, None, None))
        rows.append(evaluate(C[f"group{d}"], C[f"floor{d}"], 1.2, 30.0 if big_run else None))  # issue 22
        rows.append(evaluate(C[f"floor_tsv{d}"], None, None, None))
        # issue 22: ≤1.2x, peak ≤ the floor's own peak + 4 MiB
        tsv_mem = C[f"floor_tsv{d}"].peak_kib / 1024 + 4 if big_run and C[f"floor_tsv{d}"].ok else None
        rows.append(evaluate(C[f"tsv{d}"], C[f"floor_tsv{d}"], 1.2, tsv_mem))
    rows.append(evaluate(C["floor2_pipe"], C["floor2"], None, None))
    # Streaming (a flush whenever a read would wait) is active only when stdin is a pipe or a
    # terminal; a file never makes a read wait, so on a file it costs nothing by construction.
    # What it adds when active: the same command with stdin a pipe (filled by cat, which on two
    # cores competes for the CPU: the floor's own pipe/file ratio, above, shows that share).
    rows.append(evaluate(C["group2_pipe"], C["group2"], 1.05, None))

    notes = [f"Memory floor of the method (peak of `true`): {floor_kib / 1024:.1f} MiB."]
    notes += [f"First-run sample at {x}." for x in samples]
    if HUGE in scales and first[100][1].ok and first[HUGE][1].ok:
        a, b = first[100][1].peak_kib / 1024, first[HUGE][1].peak_kib / 1024
        notes.append(f"First-run peak memory, {size[100]:.0f}x → {size[HUGE]:.0f}x pack: {a:.1f} → {b:.1f} MiB "
                     f"({b - a:+.1f} MiB; target ≤ +64 MiB: {'met' if b - a <= 64 else 'NOT met'}).")
    elif not args.huge:
        notes.append("The 1000x pack was not run (--huge): its warm targets and the first run's memory growth from "
                     "100x to 1000x are not measured here.")
    if "batch_small" in C and C["batch_small"].ok and C["batch"].ok:
        a, b = C["batch_small"].peak_kib / 1024, C["batch"].peak_kib / 1024
        notes.append(f"Batch peak memory, {SMALL_BATCH:,} → {lines:,} lines: {a:.1f} → {b:.1f} MiB "
                     f"({'flat' if b - a < 5 else 'grows'}: {b - a:+.1f} MiB).")
    if lines < 1_000_000:
        notes.append(f"The ≤50 MiB batch memory target applies at 1,000,000 lines; this run used {lines:,}.")
    for c in cases:
        if c.status:
            notes.append(f"{c.name}: {c.status}" + (f" — {c.detail}" if c.detail else ""))

    load_end = os.getloadavg()
    command = "python benchmarks/run.py" + ("" if len(sys.argv) < 2 else " " + shlex.join(sys.argv[1:]))
    print(text_table(rows))
    for n in notes:
        print(n)
    info = [
        f"- date: {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}",
        f"- python: {platform.python_version()} ({platform.python_implementation()})",
        f"- machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cores",
        f"- command: `{command}`",
        f"- rounds: {rounds} (batch cases: {batch_rounds}), interleaved in a shuffled order (seed {SEED})",
        "- synthetic packs: " + ", ".join(f"{size[n]:.0f}x" for n in scales) + " the shipped data's bytes (findings included)",
        "- machine load (1, 5, 15 min): at the start " + ", ".join(f"{x:.2f}" for x in load_start)
        + "; at the end " + ", ".join(f"{x:.2f}" for x in load_end)
        + "; after each round " + " ".join(f"{x:.2f}" for x in loads),
    ]
    md = [f"## Run of {datetime.datetime.now().astimezone().isoformat(timespec='seconds')}", "", *info, "",
          markdown_table(rows), ""]
    md += [f"- {n}" for n in notes] + ([""] if notes else [])
    args.output.parent.mkdir(parents=True, exist_ok=True)
    title = "# dxcli benchmark results"
    intro = (f"{title}\n\nEvery run of `benchmarks/run.py`, newest first, each with its date, machine and load: "
             "compare ratios within one run, not times between runs.\n\n")
    earlier = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if earlier.startswith(intro):
        earlier = earlier[len(intro):]
    elif earlier.startswith(title):  # a file from before the runs were kept: its one run
        earlier = "## An earlier run" + earlier[len(title):]
    args.output.write_text(intro + "\n".join(md) + ("\n" + earlier if earlier else ""), encoding="utf-8")
    print(f"written to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
