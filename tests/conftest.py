"""Shared test helpers: run dxcli in-process with an injected terminal, or as a real process."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dxcli.cli.app import app
from dxcli.output.render import Terminal

ROOT = Path(__file__).resolve().parent.parent
REVIEW_FILE = "000_a8d6d6ff0cb5a81a.txt"


def _review_path() -> Path:
    """The review's text: $DXCLI_REVIEW (the file, or the folder that holds it), else
    ../shared/seed/ beside the checkout."""
    given = os.environ.get("DXCLI_REVIEW", "").strip()
    if given:
        p = Path(given).expanduser()
        return p / REVIEW_FILE if p.is_dir() else p
    return ROOT.parent / "shared" / "seed" / REVIEW_FILE


REVIEW = _review_path()

# A test that starts dxcli (or anything) as a process is marked slow: `python -m pytest -m "not slow"`
# is the quick subset. The mark is found, not typed: the test, one of its fixtures, or a function of
# its module that they call names sh, subprocess, pty or Popen. sh() refuses to run in a test that
# is not so marked, so none is missed.
_PROCESS_NAMES = {"sh", "subprocess", "pty", "Popen"}


def _names(code) -> set[str]:
    out = set(code.co_names)
    for c in code.co_consts:
        if hasattr(c, "co_names"):
            out |= _names(c)
    return out


def _calls_a_process(fn, seen: set) -> bool:
    import inspect

    if fn in seen or not hasattr(fn, "__code__"):
        return False
    seen.add(fn)
    names = _names(fn.__code__)
    if names & _PROCESS_NAMES:
        return True
    module = sys.modules.get(fn.__module__)
    for n in names:
        obj = getattr(module, n, None)
        if inspect.isfunction(obj) and obj.__module__ == fn.__module__ and _calls_a_process(obj, seen):
            return True
    return False


def _starts_process(item) -> bool:
    funcs = [getattr(item, "function", None)]
    info = getattr(item, "_fixtureinfo", None)
    for defs in (info.name2fixturedefs.values() if info is not None else []):
        funcs += [d.func for d in defs]
    seen: set = set()
    return any(f is not None and _calls_a_process(f, seen) for f in funcs)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _starts_process(item):
            item.add_marker(pytest.mark.slow)


_current: list = [None]


@pytest.fixture(autouse=True)
def _which_test(request):
    _current[0] = request.node
    yield
    _current[0] = None


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(*args: str, tty: bool = False, color: bool = False, width: int | None = None, stdin: str | None = None) -> Result:
    """dxcli in-process, with the terminal injected (TTY or not, colour, width)."""
    out, err = io.StringIO(), io.StringIO()
    term = Terminal(stdout=out, stderr=err, is_tty=tty, color=color, width=width)
    runner = CliRunner()
    r = runner.invoke(app, list(args), obj=term, input=stdin, catch_exceptions=False)
    # Click writes its own usage errors to the runner's streams; ours go to the injected ones.
    stdout = out.getvalue() + (r.stdout or "")
    stderr = err.getvalue() + (r.stderr if hasattr(r, "stderr") else "")
    return Result(r.exit_code, stdout, stderr)


def sh(*args: str, env: dict | None = None, stdin: str | None = None, timeout: int = 60) -> subprocess.CompletedProcess:
    """dxcli as a real process (``python -m dxcli``), from a neutral directory."""
    node = _current[0]
    if node is not None and node.get_closest_marker("slow") is None:  # pragma: no cover
        raise AssertionError(f"{node.nodeid} starts a process but is not marked slow (see _starts_process)")
    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG")}
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    if env:
        e.update(env)
    return subprocess.run(
        [sys.executable, "-m", "dxcli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=e,
        cwd="/",
        timeout=timeout,
    )


@pytest.fixture(scope="session")
def review_text() -> str:
    if not REVIEW.exists():
        pytest.skip(f"the review text is not at {REVIEW} (set DXCLI_REVIEW to the file or its folder)")
    return REVIEW.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_packs_left_behind():
    """A test that ran dxcli with --reference in-process leaves no pack in use for the next."""
    yield
    from dxcli.reference import loader

    loader.use_packs([])


def _drop_dac_capabilities() -> None:
    """In a child, before exec: root without the capabilities that let it pass any permission
    bits (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), dropped from the bounding set so the exec'd
    interpreter never has them. Files are then judged by their owner bits."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def without_dac_override(skip: bool = True):
    """A preexec function that makes a child an ordinary user for file permissions (root
    without the capabilities above), or None when the tests already run as one. Where the
    capabilities cannot be dropped: pytest.skip, or None with ``skip=False``."""
    import os
    import subprocess
    import sys
    import tempfile

    if os.geteuid() != 0:
        return None
    shut = Path(tempfile.mkdtemp(prefix="dx"))
    os.chmod(shut, 0)
    try:
        probe = subprocess.run([sys.executable, "-c", "import os, sys; os.listdir(sys.argv[1])", str(shut)],
                               preexec_fn=_drop_dac_capabilities, capture_output=True, timeout=60)
        if b"PermissionError" in probe.stderr:  # the bits count for the child
            return _drop_dac_capabilities
    except (OSError, subprocess.SubprocessError):
        pass
    finally:
        os.rmdir(shut)
    if skip:
        pytest.skip("running as root, and the capabilities to pass permission bits cannot be dropped here")
    return None


def run_caught(argv, stdin: str = ""):
    """``run(*argv)`` for the fuzz tests: (the result, where) with any exception that escapes
    the CLI turned into an AssertionError naming the argv and stdin that reproduce it."""
    where = f"argv={list(argv)!r} stdin={stdin[:200]!r}"
    try:
        return run(*argv, stdin=stdin), where
    except BaseException as e:  # noqa: BLE001 - any escape is a failure, with the argv to reproduce it
        if isinstance(e, KeyboardInterrupt):
            raise
        raise AssertionError(f"exception escaped the CLI: {type(e).__name__}: {e}\n{where}") from e


def leaves(value):
    """Every value inside nested dicts and lists (a result as JSON carries it), depth first."""
    if isinstance(value, dict):
        for v in value.values():
            yield from leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from leaves(v)
    else:
        yield value
