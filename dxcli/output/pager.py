"""The pager: output taller than the terminal goes through one, the way git and gh do it.

``$DXCLI_PAGER``, then ``$PAGER``, then ``less -FRX``; only when stdout is a real terminal
(never when piped or redirected), never with ``--no-pager``; an empty value means no pager.
If the pager cannot be started, the text is written directly. Pages and tables both come
here, so there is one place that decides.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from typing import Iterator

from dxcli.output.render import Terminal, page_width

disabled = False  # set by the root option --no-pager
DEFAULT = "less -FRX"


def command() -> list[str] | None:
    """The pager to run, as an argument list, or None for none."""
    for var in ("DXCLI_PAGER", "PAGER"):
        if var in os.environ:
            text = os.environ[var].strip()
            break
    else:
        text = DEFAULT
    if not text or text == "cat":
        return None
    import shlex  # (only once a pager is to run)

    try:
        argv = shlex.split(text)
    except ValueError:
        return None
    return argv or None


def _real_tty(term: Terminal) -> bool:
    try:
        return term.is_tty and os.isatty(term.stdout.fileno())
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return False


def wanted(term: Terminal) -> bool:
    """Whether output to this terminal may go through a pager at all."""
    return not disabled and "DXCLI_NO_PAGER" not in os.environ and _real_tty(term)


def show(text: str, term: Terminal) -> None:
    """Write ``text`` to the terminal, through the pager when it is taller than the screen."""
    if wanted(term) and text.count("\n") >= shutil.get_terminal_size((100, 24)).lines:
        argv = command()
        if argv is not None and _run(argv, text, term):
            return
    term.stdout.write(text)


def _run(argv: list[str], text: str, term: Terminal) -> bool:
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        term.stdout.flush()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, env=env)
    except OSError:
        return False  # no such pager: write directly
    try:
        assert proc.stdin is not None
        proc.stdin.write(text.encode("utf-8", "replace"))
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass  # the reader quit early (q in less): nothing more to show
    while True:
        try:
            proc.wait()
            break
        except KeyboardInterrupt:  # less handles Ctrl-C itself; wait for it to finish
            continue
    return True


@contextlib.contextmanager
def paged(term: Terminal) -> Iterator[Terminal]:
    """A terminal that collects what is drawn on it, then shows it through :func:`show`.
    Where no pager can apply (not a real terminal), the real terminal itself."""
    if not wanted(term):
        yield term
        return
    buf = io.StringIO()
    yield Terminal(buf, term.stderr, term.is_tty, term.color, term.width or page_width(term))
    show(buf.getvalue(), term)
