"""Domain errors and the exit codes they map to (documented in the README)."""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_INTERNAL = 4
EXIT_IOERR = 74  # the output could not be written (sysexits.h EX_IOERR); see output/sink.py


class DxError(Exception):
    """An error for a person: a message, and a hint that suggests a fix."""

    code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class NotFound(DxError):
    code = EXIT_NOT_FOUND


class Ambiguous(NotFound):
    """A name that begins the names of several records: give more of it, or an id."""


class InvalidInput(DxError):
    code = EXIT_USAGE


class DataError(DxError):
    code = EXIT_DATA


def stderr_text(text: str, lead: str, hang: str) -> str:
    """``lead + text`` for stderr: on a terminal wrapped at its width between words (never
    inside one, so a command in the text stays whole on its line), lines after the first
    indented by ``hang``; unwrapped when stderr is a pipe or a file (one line a message)."""
    import os
    import sys

    err = sys.stderr
    try:
        width = os.get_terminal_size(err.fileno()).columns if err is not None and err.isatty() else 0
    except (OSError, ValueError, AttributeError):
        width = 0
    if width < 20 or len(lead) + len(text) <= width:
        return lead + text + "\n"
    import re
    import textwrap

    # a quoted command ('dxcli nerve sciatic-nerve') is one unit: it moves to the next line whole
    glued = re.sub(r"'dxcli [^']*'", lambda m: m.group().replace(" ", "\x00"), text)
    lines = textwrap.wrap(glued, width, initial_indent=lead, subsequent_indent=hang,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines).replace("\x00", " ") + "\n"
