"""Domain errors and the exit codes they map to (documented in the README)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import re
    from typing import TextIO

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


class InvalidInput(DxError):
    code = EXIT_USAGE


class DataError(DxError):
    code = EXIT_DATA


class CannotWrite(DxError):
    """An output file (or standard output) cannot be written: exit 74, with the reason."""

    code = EXIT_IOERR


# What a terminal would act on rather than show: the C0 and C1 control characters (ESC, which
# starts the CSI and OSC sequences, among them; also CSI and OSC as single C1 characters) other
# than tab and newline, DEL, and the bidirectional embeddings, overrides and isolates
# (U+202A-U+202E, U+2066-U+2069), which reorder what is shown ("Trojan Source"). The joiners
# (U+200C, U+200D) that Indic and Arabic scripts need are text, and are left alone.
_ACTED_ON = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_SURROGATE = "[\ud800-\udfff]"  # bytes of the input that were not UTF-8 (surrogateescape)


def _shown(m: "re.Match[str]") -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def inert(text: str) -> str:
    """``text`` (from data, a pack or the user) made safe to show on a terminal: every
    character a terminal would act on is written as a visible escape (ESC as ``\\x1b``, a
    right-to-left override as ``\\u202e``), and bytes that were not UTF-8 as U+FFFD. The one
    neutraliser: pages, tables, messages on stderr and the quiz all go through it."""
    if text.isascii() and text.isprintable():  # the common case, nothing to neutralise
        return text
    import re

    try:  # only a lone surrogate makes UTF-8 fail: the pattern is compiled only for one
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = re.sub(_SURROGATE, "\ufffd", text)
    return re.sub(_ACTED_ON, _shown, text)


def tell(text: str, lead: str = "dxcli: ", hang: str = "  ", stream: "TextIO | None" = None) -> None:
    """The one writer of messages on stderr: ``lead + text`` made inert and wrapped as
    ``stderr_text`` does. A stderr that cannot take it (closed, full) is written to once by
    its descriptor, and then given up: a message never turns into a second failure."""
    import os
    import sys

    err = stream if stream is not None else sys.stderr
    line = stderr_text(text, lead, hang, err)
    try:
        if err is None:
            raise OSError
        err.write(line)
        err.flush()
    except (OSError, ValueError, UnicodeError):
        try:
            os.write(2, line.encode("utf-8", "backslashreplace"))
        except OSError:
            pass


def stderr_text(text: str, lead: str, hang: str, stream: "TextIO | None" = None) -> str:
    """``lead + text`` for stderr, ``text`` made inert: on a terminal wrapped at its width
    between words (never inside one, so a command in the text stays whole on its line), lines
    after the first indented by ``hang``; unwrapped when stderr is a pipe or a file (one line a
    message)."""
    import os
    import sys

    text = inert(text)
    err = stream if stream is not None else sys.stderr
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
