"""Standard output as dxcli writes it: the one place every byte of a result goes through.

``install()`` puts a ``Sink`` in place of ``sys.stdout`` (Typer's help, ``--version``, Rich
tables and every format write to it). The sink buffers text, encodes it, and writes it to the
file descriptor with ``os.write`` until every byte is taken, so a short write (a file-size
limit, a full disk) is never silently dropped:

* the reader closed the pipe (EPIPE): ``ReaderGone``; the rest of the output is discarded and
  dxcli ends quietly with exit 0, as before;
* any other write error (ENOSPC, EFBIG, EIO, a standard output closed with ``>&-``...):
  ``WriteFailed``, exit 74 (EX_IOERR in
  sysexits.h) with ``dxcli: cannot write output: <reason>`` on stderr;
* a character the output encoding cannot carry (``PYTHONIOENCODING=ascii``): written as a
  ``\\uXXXX`` escape (valid inside JSON strings too), with one warning on stderr that names the
  fix.

``finish()`` flushes and checks before the process exits.
"""

from __future__ import annotations

import codecs
import errno
import os
import sys
from typing import Any

from dxcli.errors import EXIT_IOERR

BUFFER = 1 << 16  # characters held before they are written


class StreamEnd(Exception):
    """The output cannot take more: stop the work (not a bug, not bad input)."""


class ReaderGone(StreamEnd):
    """The reader closed the pipe: a quiet end, exit 0."""


class WriteFailed(StreamEnd):
    """A write failed for another reason than a closed pipe: exit 74."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_escaped = 0


def _escape(exc: UnicodeError) -> tuple[str, int]:
    """Error handler for the output encoding: \\uXXXX escapes, and one warning on stderr."""
    global _escaped
    if not isinstance(exc, UnicodeEncodeError):  # pragma: no cover - only used for encoding
        raise exc
    if not _escaped:
        if codecs.lookup(exc.encoding).name.startswith("utf"):  # only a lone surrogate fails: not text
            say("dxcli: warning: some characters are not valid Unicode (bytes that were not UTF-8); "
                "they are written as \\u escapes")
        else:
            say(
                f"dxcli: warning: the output encoding ({exc.encoding}) cannot carry some characters; "
                "they are written as \\u escapes (set PYTHONIOENCODING=utf-8 to write them as they are)"
            )
    _escaped += 1
    out = []
    for ch in exc.object[exc.start : exc.end]:
        o = ord(ch)
        if o > 0xFFFF:  # a UTF-16 surrogate pair, as JSON writes it
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(f"\\u{o:04x}")
    return "".join(out), exc.end


codecs.register_error("dxcli-escape", _escape)


def say(line: str) -> None:
    """One line on stderr, whatever state stderr is in."""
    err = sys.stderr
    try:
        if err is None:
            raise OSError
        err.write(line + "\n")
        err.flush()
    except (OSError, ValueError, UnicodeError):
        try:
            os.write(2, (line + "\n").encode("ascii", "backslashreplace"))
        except OSError:
            pass


class Sink:
    """A text stream over a file descriptor whose every write is checked (see the module)."""

    errors = "dxcli-escape"

    def __init__(self, fd: int | None, encoding: str = "utf-8", tty: bool = False) -> None:
        self._fd = fd  # None: stdout was closed at start: a write fails (EBADF), exit 74
        self.encoding = codecs.lookup(encoding).name
        self._tty = tty
        self._parts: list[str] = []
        self._size = 0
        self.gone = False
        self.failed: str | None = None

    # -- the text-stream surface Typer, Rich and the renderer use ------------------------
    def write(self, text: str) -> int:
        if not isinstance(text, str):  # Click probes with b"" to tell text from binary streams
            raise TypeError("write() argument must be str")
        if self.gone:
            raise WriteFailed(self.failed) if self.failed is not None else ReaderGone()
        self._parts.append(text)
        self._size += len(text)
        if self._size >= BUFFER:
            self.flush()
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        if not self._parts:
            return
        text = "".join(self._parts) if len(self._parts) > 1 else self._parts[0]
        self._parts.clear()
        self._size = 0
        self._write_all(text.encode(self.encoding, self.errors))

    @property
    def pending(self) -> bool:
        return bool(self._parts)

    def isatty(self) -> bool:
        return self._tty

    def fileno(self) -> int:
        if self._fd is None:
            raise OSError(errno.EBADF, "standard output is closed")
        return self._fd

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    def close(self) -> None:
        self.flush()

    # -- the one checked write -------------------------------------------------------
    def _write_all(self, data: bytes) -> None:
        if self.gone:
            return
        if self._fd is None:  # standard output was closed (``>&-``): the answer goes nowhere
            self.failed = "standard output is closed"
            self.gone = True
            raise WriteFailed(self.failed)
        view = memoryview(data)
        while view:
            try:
                n = os.write(self._fd, view)
            except BlockingIOError:  # a non-blocking descriptor: wait until it takes more
                import select

                select.select([], [self._fd], [])
                continue
            except OSError as e:
                if e.errno == errno.EPIPE:
                    self.gone = True
                    raise ReaderGone() from None
                self.failed = e.strerror or str(e)
                self.gone = True  # nothing more is written after a failure
                raise WriteFailed(self.failed) from None
            view = view[n:]


def install() -> Sink:
    """Put a checked ``Sink`` in place of ``sys.stdout`` (idempotent)."""
    out = sys.stdout
    if isinstance(out, Sink):
        return out
    fd: int | None
    encoding = getattr(out, "encoding", None) or "utf-8"
    try:
        fd = out.fileno() if out is not None else None
        if fd is not None:
            os.fstat(fd)
    except (OSError, ValueError, AttributeError):
        fd = None
    try:
        tty = bool(out is not None and out.isatty())
    except (OSError, ValueError, AttributeError):
        tty = False
    try:
        if out is not None:
            out.flush()
    except (OSError, ValueError):
        pass
    sink = Sink(fd, encoding, tty)
    sys.stdout = sink  # type: ignore[assignment]
    return sink


def finish(code: int) -> int:
    """Flush standard output and check it: the exit status to end with."""
    out = sys.stdout
    if not isinstance(out, Sink):
        return code
    try:
        out.flush()
    except StreamEnd:
        pass
    if out.failed is not None:  # reported here, once, however the failure ended the work
        say(f"dxcli: cannot write output: {out.failed}")
        return EXIT_IOERR
    return code
