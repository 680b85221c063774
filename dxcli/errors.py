"""Domain errors and the exit codes they map to (documented in the README)."""

from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Callable, Iterator

if TYPE_CHECKING:
    from typing import TextIO

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_USAGE = 2
EXIT_DATA = 3
EXIT_INTERNAL = 4
EXIT_IOERR = 74  # the output could not be written (sysexits.h EX_IOERR); see output/sink.py


MAX_MESSAGE = 400  # a message or hint: its first characters, then its length
MAX_QUOTED = 80  # a quoted value in a message: its first characters, then its length


def _cut_quoted(text: str) -> str:
    """Each quoted value in ``text`` ('...' or "...") longer than MAX_QUOTED characters cut to
    its first ones, with its length: a 131,000-character argument is named, not echoed."""

    def cut(m: "re.Match[str]") -> str:
        q, body = m.group(1), m.group(2)
        if len(body) <= MAX_QUOTED:
            return m.group()
        return f"{q}{body[:MAX_QUOTED - 3]}…{q} ({len(body):,} characters)"

    return re.sub(r"""(['"])((?:(?!\1).){%d,})\1""" % (MAX_QUOTED + 1), cut, text, flags=re.S)


def shorten(text: str) -> str:
    """The one cut of an error's message or hint, for the CLI, the API and the MCP server
    alike: each quoted value over MAX_QUOTED characters named by its start and length, and
    the whole over MAX_MESSAGE cut, with its length. A huge value is named, not echoed.
    Cutting again changes nothing."""
    if len(text) <= MAX_QUOTED:  # the common case: nothing quoted can be long
        return text
    text = _cut_quoted(text)
    if len(text) <= MAX_MESSAGE:
        return text
    tail = f"… ({len(text)} characters)"
    return text[:MAX_MESSAGE - len(tail)] + tail


def shown(text: str) -> str:
    """``text`` of an error as a person is shown it: made inert (``inert``), then shortened."""
    return shorten(inert(text))


class DxError(Exception):
    """An error for a person: a message, and a hint that suggests a fix; each shortened
    (``shorten``) when made, so whoever catches it, CLI, API or MCP, gets the same short text."""

    code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        message = shorten(message)
        hint = shorten(hint) if hint is not None else None
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


_receiver: "ContextVar[Callable[[str], None] | None]" = ContextVar("dxcli_notices", default=None)


@contextmanager
def notices_to(receiver: "Callable[[str], None]") -> "Iterator[None]":
    """Within the block (this thread or task only), what ``tell`` would write on stderr goes
    to ``receiver``: ``dxcli.api`` turns it into a Python warning, so a program can catch or
    silence a notice ("'gluteus' taken as ...") that the CLI prints on stderr."""
    token = _receiver.set(receiver)
    try:
        yield
    finally:
        _receiver.reset(token)


def tell(text: str, lead: str = "dxcli: ", hang: str = "  ", stream: "TextIO | None" = None) -> None:
    """The one writer of messages on stderr: ``lead + text`` made inert and wrapped as
    ``stderr_text`` does. A stderr that cannot take it (closed, full) is written to once by
    its descriptor, and then given up: a message never turns into a second failure. Inside
    ``notices_to`` (a library call), a notice goes to its receiver instead of stderr."""
    import os
    import sys

    receiver = _receiver.get() if stream is None else None
    if receiver is not None:
        receiver(inert(text))
        return
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
    return "\n".join(wrap_words(text, width, lead, hang)) + "\n"


# A unit that is never broken across lines: a quoted command, or a run of references ([11, 12]).
_COMMAND = re.compile(r"'dxcli [^']*'")
_UNIT = re.compile(r"'dxcli [^']*'|\[[0-9][0-9,\s\u2013-]*\]")


_ODD_SPACE = re.compile(r"[\t\n\x0b\x0c\r]")  # what textwrap turns into spaces


def wrap_words(text: str, width: int, lead: str = "", hang: str = "") -> list[str]:
    """``text`` wrapped at ``width`` between words, never inside one: a quoted command
    (``'dxcli posttest -p 0.3 faber+'``) and a run of references (``[11, 12]``) are each one
    unit. A command that does not fit on what is left of a line starts a line of its own;
    one longer than a whole line is written there without its quotes, broken between shell
    words with a trailing backslash (as the help's examples are), so that it pastes as shown."""
    if len(lead) + len(text.rstrip()) <= width and not _ODD_SPACE.search(text):  # one line: as textwrap would give it
        return [lead + text.rstrip()] if text.strip() else []
    import textwrap

    units: dict[str, str] = {}

    def glue(m: "re.Match[str]") -> str:
        key = f"\x01{len(units)}\x02"
        units[key] = m.group()
        return key + "\x00" * max(len(m.group()) - len(key), 0)  # the unit's own width

    glued = _UNIT.sub(glue, text)
    lines = textwrap.wrap(glued, width, initial_indent=lead, subsequent_indent=hang,
                          break_long_words=False, break_on_hyphens=False)
    out: list[str] = []
    for line in lines:
        line = re.sub(r"\x01\d+\x02\x00*", lambda m: units[m.group().rstrip("\x00")], line)
        if len(line) <= width or not _COMMAND.search(line):
            out.append(line)
            continue
        # a command too long for its line: the text before it, then the command alone
        pad = hang if out else lead
        rest = line
        while True:
            m = _COMMAND.search(rest)
            if m is None:
                if rest.strip():
                    out.append(rest if rest.startswith(pad) else pad + rest.strip())
                break
            before = rest[: m.start()].rstrip()
            if before.strip():
                out.append(before)
            command = m.group()
            if len(hang) + len(command) <= width:
                out.append(hang + command)
            else:
                out += break_shell_words(command[1:-1], width, hang)
            rest = hang + rest[m.end():].lstrip()
            if not rest.strip():
                break
    return out


def break_shell_words(command: str, width: int, pad: str) -> list[str]:
    """A shell command broken between words (quoted strings kept whole) with a trailing
    backslash, continuation lines indented four more columns, so it pastes as shown."""
    words = re.findall(r"(?:'[^']*'|\"[^\"]*\"|\S)+", command)
    out, line = [], pad
    for w in words:
        if line.strip() and len(line) + 1 + len(w) + 2 > width:
            out.append(line + " \\")
            line = pad + "    "
        line += ("" if not line.strip() else " ") + w
    return out + [line]
