"""Robustness: Hypothesis fuzzing of the whole command line, in-process.

Every generated call, for every command, must end with a documented exit status and a
message, never with a traceback:

* no "Traceback" in stdout or stderr, and no exception escapes the CLI;
* the exit status is 0, 1, 2 or 3 (4 is "internal error", i.e. a bug);
* a non-zero exit always says why on stderr;
* a successful ``--format json`` call prints JSON (``ndjson``: one JSON value per line).

Arguments mix real ids and names from the bundled data, near-misses (typos), every option
with valid and invalid values, and hostile values (NaN, infinities, huge numbers, Unicode
digits, escape codes, Rich markup, paths, empty strings, '--', '-').  No test writes a
file (no --svg) and batch commands ('-') always get their stdin from the test.

The runs are deterministic (``derandomize=True``, no example database).  A few plain
subprocess tests at the end cover what only a real process can see: argv that is not
UTF-8, a 100 KB argument, an unknown option.
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys

import pytest
import typer
import typer.testing
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from conftest import ROOT, run, run_caught
from dxcli.cli.app import app
from dxcli.reference import loader

# --------------------------------------------------------------------------- settings

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    # No shrinking: a failure is reported with the argv that found it (already a repro), and
    # a failing run stays as fast as a passing one.
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def examples(n: int) -> settings:
    """n examples; DXCLI_FUZZ_SCALE (a float, default 1) scales every test up or down."""
    scale = float(os.environ.get("DXCLI_FUZZ_SCALE", "1"))
    return settings(FUZZ, max_examples=max(1, int(n * scale)))




@pytest.fixture(autouse=True, scope="module")
def _click_app_built_once():
    """CliRunner rebuilds the Click app from the Typer one on every call (~12 ms, most of a
    call's cost); build it once, so that the fuzzing spends its time in dxcli."""
    built: dict[int, object] = {}
    real = typer.testing._get_command

    def once(typer_app):
        if id(typer_app) not in built:
            built[id(typer_app)] = (typer_app, real(typer_app))
        return built[id(typer_app)][1]

    mp = pytest.MonkeyPatch()
    mp.setattr(typer.testing, "_get_command", once)
    yield
    mp.undo()


# --------------------------------------------------------------------------- vocabulary


def _names(kind: str) -> list[str]:
    out: list[str] = []
    for r in loader.records(kind):
        out.append(r["id"])
        if r.get("name"):
            out.append(r["name"])
        out += list(r.get("aliases") or [])
    return out


KINDS = ("condition", "maneuver", "test", "muscle", "nerve", "finding", "structure")
REAL: dict[str, list[str]] = {k: _names(k) for k in KINDS}
IDS: dict[str, list[str]] = {k: [r["id"] for r in loader.records(k)] for k in KINDS}
COMPLAINTS = _names("complaint")
TONNIS_IDS = [f["id"] for gr in loader.by_id("grading")["tonnis"]["grades"] for f in gr["findings"]]
ROOTS = ["L4", "L5", "S1", "S2", "S3", "l5", "L5-S1", "S1 S2", "T12", "C5"]
FINDING_KINDS = ["history", "examination", "demographic", "red-flag", "maneuver", "imaging"]
SCHEMA_KINDS = list(loader.KIND_FILES) + ["red-flag", "MANEUVER", " maneuver "]
ALL_REAL = sorted({x for v in REAL.values() for x in v} | set(COMPLAINTS) | set(TONNIS_IDS))

HOSTILE = [
    "nan", "NaN", "inf", "-inf", "+inf", "Infinity", "-0", "0", "-1", "1e309", "-1e309", "1e-400",
    "9" * 400, "٣٠٠", "３０", "²", "½", "", " ", "\t", "\n", "\x1b[31m", "\x1b[2J\x1b[H", "\x7f",  # no NUL: argv cannot carry one
    "[bold]x[/bold]", "[/]", "[link=file:///etc/passwd]x[/link]", "../../etc/passwd", "%", "30%",
    "300%", "-30%", "0.3%", "lr=", "lr=nan", "lr=inf", "lr=1e400", "lr=-1", "lr=0", "lr=8.43",
    "LR=8.4", "lr=٣", "faber+", "faber-", "faber", "faber++", "+", "+-", "--", "-", "'", '"',
    "\\", "{}", "[]", "null", "true", "$(id)", "`id`", "; rm -rf /", "*", "?", "a" * 5000,
    "\u202e", "\ufeff", "\u200b", "\udcff",  # \udcff: a non-UTF-8 byte of argv, as Python sees it
    "é" * 50, "😀", "0x10", "1_000", "1,5", "210°",
    "210deg", "210 deg", "100 110", "0.3 lr=8.43", "-5", "-n", "-f",
]
NUMBERS = ["0", "1", "90", "150", "180", "190", "209.5", "210", "240", "300", "360", "361",
           "0.0", "0.3", "0.5", "0.999", "1.0", "1e2", "2E2", "0.1e3", " 210 ", "210°", "210deg",
           "1e-5", "100", "110"]
FORMATS = ["table", "tsv", "csv", "json", "ndjson", "markdown"]
BAD_FORMATS = ["JSON", "xml", "yaml", "", " ", "tabl", "jsonl", "js", "-", "--", "\x1b[31m", "html"]

# Paths for 'case' and 'reference lint': absolute, so that the cwd does not matter.
PATHS = [str(p) for p in (
    ROOT / "reference",
    ROOT / "reference" / "conditions.toml",
    ROOT / "reference" / "cases.toml",
    ROOT / "reference" / "meta.toml",
    ROOT / "pyproject.toml",
    ROOT / "README.md",
    ROOT / "tests",
    ROOT / "tests" / "data" / "broken-pack",
    ROOT / "tests" / "data" / "broken-pack" / "latin1.toml",
    ROOT / "tests" / "data" / "broken-pack" / "malformed.toml",
    ROOT / "tests" / "data" / "broken-pack" / "types.toml",
    ROOT / "does-not-exist.toml",
)] + ["/", "/etc/passwd", "/nonexistent/x.toml", "/proc/self/status", "", ".", "-", "x" * 300,
      "a/" * 2000, "../../etc/passwd", "\udcff.toml"]


def _typo(word: str) -> st.SearchStrategy[str]:
    """Near-misses of a word: one character dropped, doubled, swapped or replaced; case; spaces."""
    n = len(word)
    if n == 0:
        return st.just(word)

    def edit(args: tuple[int, int, str]) -> str:
        op, i, ch = args
        i %= n
        if op == 0:
            return word[:i] + word[i + 1:]
        if op == 1:
            return word[:i] + word[i] + word[i:]
        if op == 2 and n > 1:
            j = min(i + 1, n - 1)
            lst = list(word)
            lst[i], lst[j] = lst[j], lst[i]
            return "".join(lst)
        if op == 3:
            return word[:i] + ch + word[i + 1:]
        if op == 4:
            return word.upper()
        if op == 5:
            return word.replace("-", " ")
        if op == 6:
            return " " + word + " "
        return word + ch

    return st.tuples(st.integers(0, 7), st.integers(0, 10_000), st.sampled_from("aeiouxz-_ .é0+")).map(edit)


def name_of(pool: list[str]) -> st.SearchStrategy[str]:
    """A real name from the pool, a near-miss of one, a hostile value or random text."""
    real = st.sampled_from(pool)
    return st.one_of(
        real,
        real,
        real.flatmap(_typo),
        st.sampled_from(HOSTILE),
        st.sampled_from(ALL_REAL),
        st.text(max_size=12),
    )


def number_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERS),
        st.sampled_from(HOSTILE),
        st.integers(-1000, 1000).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.floats(-400, 400).map(lambda x: f"{x:g}"),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.fractions(max_denominator=20).map(str),
        st.sampled_from(NUMBERS).flatmap(_typo),
    )


def probability_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["0.3", "0.2", "0.5", "30%", "0.01", "0.99", "1", "0", "100%", "0%", "1e-9", ".3", "3%", "50 %"]),
        st.floats(-2, 2).map(repr),
        st.integers(-5, 150).map(lambda i: f"{i}%"),
        number_text(),
    )


FORMAT_OPT = st.one_of(
    st.just([]),
    st.sampled_from(FORMATS).map(lambda f: ["-f", f]),
    st.sampled_from(FORMATS).map(lambda f: ["--format", f]),
    st.sampled_from(FORMATS).map(lambda f: [f"--format={f}"]),
    st.sampled_from(["json", "ndjson"]).map(lambda f: ["-f", f]),  # the checked ones, more often
    st.sampled_from(BAD_FORMATS + HOSTILE[:10]).map(lambda f: ["-f", f]),
    st.just(["-f"]),  # a missing value
)
STRAY = st.sampled_from(["--", "-", "-x", "--bogus", "--format", "-n", "--help", "-h", "--next", "--draw",
                          "--schema", "--column", "-p", "-c", "-F", "-A", "-k", "--limit=0", "--pretest=",
                          "extra", "\x1b[31m", "9" * 400])


def opt(flag: str, values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """An option with a value: absent, '--flag VALUE', or '--flag=VALUE'."""
    return st.one_of(
        st.just([]),
        values.map(lambda v: [flag, v]),
        values.map(lambda v: [f"{flag}={v}"]) if flag.startswith("--") else values.map(lambda v: [flag, v]),
    )


def maybe(s: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.one_of(st.just([]), s)


@st.composite
def assemble(draw, head: list[str], *parts: st.SearchStrategy[list[str]]) -> list[str]:
    """head + parts, in a shuffled order now and then, with a stray token now and then."""
    chunks = [draw(p) for p in parts] + [draw(FORMAT_OPT)]
    if draw(st.integers(0, 3)) == 0:
        chunks = draw(st.permutations(chunks))
    argv = list(head) + [x for c in chunks for x in c]
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(len(head), len(argv))), draw(STRAY))
    return argv


# --------------------------------------------------------------------------- the oracle


@functools.lru_cache(maxsize=None)
def _click_app():
    return typer.main.get_command(app)


def _click_command(path: list[str]):
    """The Click command (Typer vendors Click, so this goes by duck typing) that argv runs."""
    cmd = _click_app()
    for name in path:
        sub = getattr(cmd, "commands", None)
        if not sub or name not in sub:
            return None
        cmd = sub[name]
    return cmd


def _value_opts(cmd) -> set[str]:
    """The options of a command that take a value (so the next token is theirs)."""
    return {
        o
        for p in cmd.params
        if getattr(p, "param_type_name", "") == "option" and not getattr(p, "is_flag", False) and not getattr(p, "count", False)
        for o in list(p.opts) + list(p.secondary_opts)
    }


def effective(argv: list[str]) -> tuple[str | None, bool]:
    """(the --format value Click will see, whether help is asked for), as Click parses argv."""
    path = argv[:2] if argv[:1] == ["reference"] else argv[:1]
    cmd = _click_command(path)
    if cmd is None:
        return None, False
    takes = _value_opts(cmd)
    fmt, helped = None, False
    i = len(path)
    while i < len(argv):
        tok = argv[i]
        if tok == "--":
            break
        if tok in ("-h", "--help"):
            helped = True
        if tok.startswith("--format="):
            fmt = tok.split("=", 1)[1]
        elif tok in ("-f", "--format"):
            fmt = argv[i + 1] if i + 1 < len(argv) else None
            i += 1
        elif tok in takes:
            i += 1
        i += 1
    return fmt, helped


def _prints_a_schema(argv: list[str]) -> bool:
    """'case --schema' and 'reference schema KIND' print one pretty JSON Schema document."""
    return "--schema" in argv or argv[:2] == ["reference", "schema"]


def check(argv: list[str], stdin: str = "") -> None:
    """Run one command line and assert the robustness contract."""
    # CliRunner encodes stdin strictly, which a lone surrogate (a non-UTF-8 byte as Python
    # shows it) fails in the runner, not in dxcli: test_non_utf8_stdin covers real bytes.
    stdin = stdin.encode("utf-8", "replace").decode("utf-8")
    r, where = run_caught(argv, stdin)
    assert "Traceback" not in r.out, f"traceback on stdout\n{where}\n{r.out[-2000:]}"
    assert "Traceback" not in r.err, f"traceback on stderr\n{where}\n{r.err[-2000:]}"
    assert r.code in (0, 1, 2, 3), f"exit {r.code}\n{where}\nstderr: {r.err[-2000:]}"
    if r.code != 0:
        assert r.err.strip(), f"exit {r.code} without a message on stderr\n{where}\nstdout: {r.out[-500:]!r}"
        return
    fmt, helped = effective(argv)
    if helped:
        return
    if fmt == "json":
        try:
            json.loads(r.out)
        except ValueError as e:
            raise AssertionError(f"-f json exited 0 but stdout is not JSON ({e})\n{where}\nstdout: {r.out[:500]!r}") from None
    elif fmt == "ndjson":
        try:
            for line in r.out.splitlines():
                json.loads(line)
        except ValueError as e:
            if _prints_a_schema(argv):
                # A JSON Schema is printed as one pretty document whatever the format (see
                # test_schema_commands_honour_ndjson); it must still be JSON.
                json.loads(r.out)
                return
            raise AssertionError(f"-f ndjson: a line is not JSON ({e})\n{where}\nline: {line[:300]!r}") from None


# --------------------------------------------------------------------------- the fuzz tests

CONDITION = name_of(REAL["condition"])
FINDING = name_of(REAL["finding"])


@examples(350)
@given(st.data())
def test_fuzz_differential_and_condition(data):
    which = data.draw(st.integers(0, 2))
    if which == 0:
        argv = data.draw(assemble(
            ["differential"],
            maybe(name_of(COMPLAINTS).map(lambda c: [c])),
            st.lists(opt("--finding", FINDING) | opt("-F", FINDING), max_size=3).map(lambda ls: [x for l in ls for x in l]),
            st.lists(opt("--absent", FINDING) | opt("-A", FINDING), max_size=2).map(lambda ls: [x for l in ls for x in l]),
            maybe(st.just(["--next"])),
        ))
    elif which == 1:
        argv = data.draw(assemble(["differential", "buttock"],
                                  st.lists(st.sampled_from(IDS["finding"]).flatmap(lambda f: st.sampled_from([["-F", f], ["-A", f]])), min_size=1, max_size=6).map(lambda ls: [x for l in ls for x in l]),
                                  maybe(st.just(["--next"]))))
    else:
        argv = data.draw(assemble(["condition"], name_of(REAL["condition"]).map(lambda c: [c])))
    check(argv)


@examples(400)
@given(st.data())
def test_fuzz_anatomy_muscle_nerve_innervation(data):
    cmd = data.draw(st.sampled_from(["anatomy", "muscle", "nerve", "innervation"]))
    pool = {
        "anatomy": REAL["structure"],
        "muscle": REAL["muscle"],
        "nerve": REAL["nerve"],
        "innervation": REAL["muscle"] + REAL["nerve"] + ROOTS,
    }[cmd]
    arg = name_of(pool).map(lambda x: [x])
    argv = data.draw(assemble([cmd], arg if cmd == "innervation" else maybe(arg)))
    check(argv)


@examples(450)
@given(st.data())
def test_fuzz_maneuver_test_redflags(data):
    cmd = data.draw(st.sampled_from(["maneuver", "test", "redflags"]))
    cond = opt(data.draw(st.sampled_from(["--condition", "-c"])), CONDITION)
    if cmd == "redflags":
        argv = data.draw(assemble([cmd], cond))
    else:
        argv = data.draw(assemble(
            [cmd],
            maybe(name_of(REAL[cmd]).map(lambda x: [x])),
            cond,
            opt(data.draw(st.sampled_from(["--pretest", "-p"])), probability_text()),
        ))
    check(argv)


@examples(350)
@given(st.data())
def test_fuzz_search_sources_cite_info(data):
    cmd = data.draw(st.sampled_from(["search", "search", "sources", "cite", "cite", "info"]))
    if cmd == "search":
        words = st.one_of(name_of(ALL_REAL), st.lists(name_of(ALL_REAL), min_size=1, max_size=3).map(" ".join), st.text(max_size=40))
        limit = opt(data.draw(st.sampled_from(["--limit", "-n"])), st.one_of(st.integers(-3, 600).map(str), number_text()))
        argv = data.draw(assemble([cmd], words.map(lambda w: [w]), limit))
    elif cmd == "cite":
        argv = data.draw(assemble([cmd], name_of(ALL_REAL + ["scale", "kerboul", "tonnis"]).map(lambda w: [w])))
    else:
        argv = data.draw(assemble([cmd]))
    check(argv)


@examples(300)
@given(st.data())
def test_fuzz_finding_case(data):
    if data.draw(st.booleans()):
        argv = data.draw(assemble(
            ["finding"],
            maybe(FINDING.map(lambda f: [f])),
            opt(data.draw(st.sampled_from(["--kind", "-k"])), st.one_of(st.sampled_from(FINDING_KINDS), name_of(FINDING_KINDS))),
        ))
    else:
        argv = data.draw(assemble(["case"], maybe(st.sampled_from(PATHS).map(lambda p: [p])), maybe(st.just(["--schema"]))))
    check(argv)


ANGLE = st.one_of(number_text(),
                  st.tuples(st.sampled_from(NUMBERS), st.sampled_from(["°", "deg", " deg", "degrees", "º", "°°", "rad"])).map("".join))


def batch_lines(line: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """A stdin for batch mode: lines (good, bad, blank, comments), maybe a CSV header."""
    body = st.lists(st.one_of(line, st.sampled_from(["", "#", "# comment", " ", "\t", ",", " , ", ",,", '","'])), max_size=8)
    return st.tuples(st.sampled_from(["", "angle\n", "pretest,finding\n", "a,b,c\n", "\ufeffangle\n"]), body,
                     st.sampled_from(["\n", "\r\n", ""])).map(lambda t: t[0] + "\n".join(t[1]) + t[2])


COLUMN = opt("--column", st.one_of(st.sampled_from(["angle", "Angle", " angle ", "finding", "pretest", "a", "b", "x", ""]), st.sampled_from(HOSTILE)))


@examples(450)
@given(st.data())
def test_fuzz_kerboul(data):
    if data.draw(st.integers(0, 2)) == 0:
        stdin = data.draw(batch_lines(st.one_of(ANGLE, st.tuples(ANGLE, ANGLE).map(lambda t: f"{t[0]},{t[1]}"))))
        argv = data.draw(assemble(["kerboul", "-"], COLUMN))
        check(argv, stdin)
    else:
        angles = st.lists(ANGLE, min_size=1, max_size=3)
        argv = data.draw(assemble(["kerboul"], angles, maybe(st.just(["--"]))))
        check(argv)


@examples(250)
@given(st.data())
def test_fuzz_tonnis(data):
    finding = name_of(TONNIS_IDS)
    if data.draw(st.integers(0, 2)) == 0:
        stdin = data.draw(batch_lines(st.lists(finding, min_size=1, max_size=3).map(" ".join)))
        argv = data.draw(assemble(["tonnis", "-"], COLUMN))
        check(argv, stdin)
    else:
        argv = data.draw(assemble(["tonnis"], st.lists(finding, max_size=4)))
        check(argv)


def lr_finding() -> st.SearchStrategy[str]:
    ids = IDS["maneuver"] + IDS["test"]
    return st.one_of(
        st.tuples(st.sampled_from(ids + REAL["maneuver"]), st.sampled_from(["+", "-", "", "++", " +", "±"])).map("".join),
        st.sampled_from(ids).flatmap(_typo).map(lambda x: x + "+"),
        number_text().map(lambda x: "lr=" + x),
        st.sampled_from(["lr=8.43", "lr=0.12", "lr=1", "LR=2", "lr=1e6", "lr=1e7", "lr=1e-7", "lr = 2"]),
        st.sampled_from(HOSTILE),
    )


@examples(500)
@given(st.data())
def test_fuzz_posttest(data):
    cond = opt(data.draw(st.sampled_from(["--condition", "-c"])), CONDITION)
    pre = opt(data.draw(st.sampled_from(["--pretest", "-p"])), probability_text())
    if data.draw(st.integers(0, 3)) == 0:
        line = st.tuples(probability_text(), st.lists(lr_finding(), max_size=3)).map(lambda t: " ".join([t[0], *t[1]]))
        stdin = data.draw(batch_lines(st.one_of(line, st.lists(lr_finding(), min_size=1, max_size=3).map(" ".join))))
        argv = data.draw(assemble(["posttest", "-"], pre, cond, COLUMN))
        check(argv, stdin)
    else:
        argv = data.draw(assemble(["posttest"], st.lists(lr_finding(), min_size=1, max_size=4), pre, cond, maybe(st.just(["--draw"]))))
        check(argv)


@examples(200)
@given(st.data())
def test_fuzz_reference_schema(data):
    argv = data.draw(assemble(["reference", "schema"], maybe(name_of(SCHEMA_KINDS).map(lambda k: [k]))))
    check(argv)


@examples(80)
@given(st.data())
def test_fuzz_reference_lint(data):
    argv = data.draw(assemble(["reference", "lint"], st.sampled_from(PATHS).map(lambda p: [p])))
    check(argv)


COMMANDS = ["differential", "condition", "anatomy", "muscle", "nerve", "innervation", "maneuver", "test",
            "redflags", "search", "sources", "cite", "info", "finding", "case", "kerboul", "tonnis",
            "posttest", "reference", "reference schema", "reference lint", "quiz", "help"]
ANY_TOKEN = st.one_of(
    st.sampled_from(ALL_REAL),
    st.sampled_from(ALL_REAL).flatmap(_typo),
    st.sampled_from(HOSTILE),
    st.sampled_from(["-f", "--format", "json", "ndjson", "csv", "tsv", "-c", "--condition", "-p", "--pretest",
                     "-F", "--finding", "-A", "--absent", "--next", "--column", "--limit", "-n", "-k", "--kind",
                     "--draw", "--schema", "--seed", "--count", "--typed", "learning", "innervation", "-V", "--version", "-h", "--help", "buttock", "L5", "210", "0.3", "lr=2"]),
    number_text(),
    st.text(max_size=8),
)


@examples(600)
@given(st.sampled_from(COMMANDS + ["", "--bogus", "differentail", "DIFFERENTIAL", "-"]), st.lists(ANY_TOKEN, max_size=7))
def test_fuzz_any_command_any_tokens(command, tokens):
    """Any command with any tokens in any order: usage errors must be messages, never crashes."""
    head = command.split() if command else []
    # '-' alone reads stdin in the batch commands; the runner gives them an empty one.
    check(head + tokens, stdin="")


# --------------------------------------------------------------------------- real processes


def _real(args: list, env: dict | None = None) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(env or {})
    return subprocess.run([sys.executable, "-m", "dxcli", *args], capture_output=True, env=e, cwd="/",
                          stdin=subprocess.DEVNULL, timeout=60)


def _assert_clean_failure(p: subprocess.CompletedProcess, what: str) -> None:
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err and "Traceback" not in out, f"{what}: traceback\n{err[-3000:]}"
    assert p.returncode in (1, 2), f"{what}: exit {p.returncode}\n{err[-3000:]}"
    assert err.strip(), f"{what}: no message on stderr"


@pytest.mark.parametrize("args", [
    ["--bogus"],
    ["differential", "--bogus"],
    ["search", "pain", "--nope=1"],
    ["reference", "schema", "--xyz"],
    ["differentail", "buttock"],
])
def test_unknown_option_or_command(args):
    _assert_clean_failure(_real(args), " ".join(args))


@pytest.mark.parametrize("cmd", [
    ["search"], ["condition"], ["cite"], ["innervation"], ["kerboul"], ["tonnis"], ["muscle"],
    ["posttest", "-p", "0.3"], ["differential"], ["finding"], ["reference", "schema"],
])
def test_huge_argument(cmd):
    big = "x" * 100_000
    p = _real([*cmd, big])
    _assert_clean_failure(p, f"{' '.join(cmd)} <100 KB>")


@pytest.mark.parametrize("args", [
    [b"search", b"\xff\xfe"],
    [b"condition", b"\xff\xfe"],
    [b"muscle", b"gluteus-\xe9"],
    [b"kerboul", b"21\xff"],
    [b"posttest", b"-p", b"0.3", b"lr=\xff"],
    [b"tonnis", b"\xc3"],
    [b"cite", b"\xff"],
    [b"differential", b"buttock", b"--finding", b"\xff\xfe"],
    [b"reference", b"schema", b"\xff"],
    [b"maneuver", b"\x80\x81"],
    [b"\xff\xfe"],
    [b"differential", b"buttock", b"-f", b"\xff"],
])
def test_non_utf8_argv(args):
    p = _real(args)
    _assert_clean_failure(p, repr(args))


@pytest.mark.parametrize("args", [
    [b"search", b"\xff\xfe"],
    [b"kerboul", b"21\xff"],
    [b"differential", b"buttock", b"-f", b"\xff"],
])
def test_non_utf8_argv_in_the_c_locale(args):
    p = _real(args, env={"LANG": "C", "LC_ALL": "C"})
    _assert_clean_failure(p, f"LC_ALL=C {args!r}")


@pytest.mark.parametrize("cmd", [["kerboul"], ["tonnis"], ["posttest", "-p", "0.3"], ["reference", "schema"], ["search"], ["cite"]])
def test_huge_argument_message_is_bounded(cmd):
    """A 100 KB argument is not echoed back whole: 'search' and 'cite' say 'too long'."""
    p = _real([*cmd, "x" * 100_000])
    assert p.returncode in (1, 2)
    assert len(p.stderr) < 2_000, f"{' '.join(cmd)} <100 KB>: a {len(p.stderr)}-byte message on stderr"


@pytest.mark.parametrize("args,stdin", [
    (["kerboul", "-"], b"210\n\xff\xfe\n21\xff0\n"),
    (["kerboul", "-", "-f", "json"], b"angle,x\n210,\xff\n\xff,1\n"),
    (["kerboul", "-", "--column", "angle", "-f", "csv"], b"angle,x\n210,\xff\n\xff,1\n"),
    (["tonnis", "-", "-f", "csv"], b"\xffsmall-cysts\nlarge-cysts \xc3\n"),
    (["tonnis", "-", "-f", "ndjson"], b"small-cysts,\xe9\n"),
    (["tonnis", "-", "-f", "json"], b"\xffsmall-cysts\n"),
    (["tonnis", "-", "-f", "ndjson"], b"\xffsmall-cysts\n"),
    (["posttest", "-", "-f", "json"], b"0.3 lr=8.43\n0.\xff lr=2\n0.2 faber\xff+\n"),
    (["posttest", "-", "-p", "0.3", "-f", "tsv"], b"lr=2\nlr=\xff\n"),
])
@pytest.mark.parametrize("locale", [{}, {"LANG": "C", "LC_ALL": "C"}], ids=["default locale", "C locale"])
def test_non_utf8_stdin(args, stdin, locale):
    """Batch input that is not UTF-8: each bad line is a message, the good ones are results."""
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.update(locale)
    p = subprocess.run([sys.executable, "-m", "dxcli", *args], input=stdin, capture_output=True, env=e, cwd="/", timeout=60)
    err = p.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err[-3000:]
    assert p.returncode in (0, 2), f"exit {p.returncode}: {err}"
    if p.returncode:
        assert "line " in err
    if "json" in args or "ndjson" in args:
        # JSON is UTF-8 (RFC 8259): an input byte that is not UTF-8 cannot be echoed raw
        try:
            out = p.stdout.decode("utf-8")
        except UnicodeDecodeError as e:
            raise AssertionError(f"{args} wrote bytes that are not UTF-8 as JSON: {e}: {p.stdout[:200]!r}") from None
        docs = [out] if "json" in args else out.splitlines()
        for d in docs:
            json.loads(d)


# --------------------------------------------------------------------------- found by fuzzing
# Each is a minimal reproduction of a failure the fuzzing above found.


@pytest.mark.parametrize("cmd", ["cite", "condition", "muscle", "nerve", "anatomy", "maneuver", "test", "finding", "innervation"])
@pytest.mark.parametrize("name", ["%", "!", "-", "+", "\\", "\udcff"])
def test_a_name_without_letters_matches_nothing(cmd, name):
    """A name with no letter or digit cannot name a record: exit 1 or 2, nothing on stdout."""
    r = run(cmd, "--", name)
    assert r.code in (1, 2), f"dxcli {cmd} -- {name!r}: exit {r.code}, stdout {r.out[:200]!r}"
    assert r.out == ""


@pytest.mark.parametrize("argv,stdin", [
    (["tonnis", "-"], ",\n"),
    (["tonnis", "-"], " , \n"),
    (["tonnis", "-", "--column", "finding"], 'finding\n","\n'),
    (["posttest", "-"], ",\n"),
    (["posttest", "-"], ",,\n"),
])
def test_batch_line_of_separators_only(argv, stdin):
    """A batch line that holds only separators is a bad line (exit 2), not an internal error."""
    r = run(*argv, stdin=stdin)
    assert r.code == 2, f"exit {r.code}: {r.err}"
    assert "line " in r.err


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "tsv"])
def test_clean_lint_prints_an_empty_list(fmt):
    """'reference lint' of a clean pack, in a machine format, prints an empty list (not nothing)."""
    r = run("reference", "lint", str(ROOT / "reference"), "-f", fmt)
    assert r.code == 0, r.err
    if fmt == "json":
        assert json.loads(r.out) == []


@pytest.mark.parametrize("path", ["x" * 300, "a" * 5000, ("d" * 200 + "/") * 30])
@pytest.mark.parametrize("cmd", [["reference", "lint"], ["case"]])
def test_overlong_path(cmd, path):
    """A file name too long for the system is an input error (exit 2), not an internal error."""
    r = run(*cmd, path)
    assert r.code == 2, f"exit {r.code}: {r.err[:300]}"


@pytest.mark.parametrize("argv", [["case", "--schema"], ["reference", "schema", "maneuver"]])
def test_schema_commands_honour_ndjson(argv):
    """-f ndjson gives one JSON value per line (a schema is one object: one line)."""
    r = run(*argv, "-f", "ndjson")
    assert r.code == 0
    lines = r.out.splitlines()
    for line in lines:
        json.loads(line)


@pytest.mark.parametrize("args", [
    [b"posttest", b"-p", b"0.3", b"modified-bent-knee\xff+", b"-f", b"json"],
    [b"search", b"hamstring\xff", b"-f", b"json"],
    [b"maneuver", b"\x80faber", b"-f", b"json"],
    [b"tonnis", b"small-cysts\xff", b"-f", b"json"],
    [b"differential", b"buttock\xff", b"-f", b"json"],
])
def test_non_utf8_argv_that_resolves_still_gives_utf8_json(args):
    """A name with a stray non-UTF-8 byte may still resolve; the JSON must stay UTF-8 JSON."""
    p = _real(args)
    assert "Traceback" not in p.stderr.decode("utf-8", "replace")
    assert p.returncode in (0, 1, 2)
    if p.returncode == 0:
        try:
            json.loads(p.stdout.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise AssertionError(f"{args}: JSON with bytes that are not UTF-8: {e}") from None
