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
REVIEW = (ROOT.parent / "shared" / "seed" / "000_a8d6d6ff0cb5a81a.txt")


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
        pytest.skip("the review text (../shared/seed) is not beside this checkout")
    return REVIEW.read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _no_packs_left_behind():
    """A test that ran dxcli with --reference in-process leaves no pack in use for the next."""
    yield
    from dxcli.reference import loader

    loader.use_packs([])
