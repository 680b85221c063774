"""Batch mode: one input per line from stdin (or CSV columns), one result per line out.

A bad line is reported on stderr with its line number and skipped; the exit status
at the end says whether any line failed.

Input is read as bytes, a chunk at a time, straight from the descriptor, so that:

* a line is never longer than LINE_MAX characters in memory: a longer one is reported with
  its line number and skipped (memory stays bounded however long a line is);
* results are written as soon as no more input is waiting (``tail -f log | dxcli kerboul -``
  prints each result as its line arrives), while a regular file, which never makes a read
  wait, is written in large pieces, never line by line.
"""

from __future__ import annotations

import os
import stat
import sys
from typing import Any, Callable, Hashable, Iterable, Iterator, Optional, Sequence, TextIO, Union

from dxcli.errors import EXIT_USAGE, DxError, InvalidInput, tell
from dxcli.output.render import Terminal

LINE_MAX = 65_536  # characters in one input line; a longer line is reported and skipped
CHUNK = 16384  # bytes of input read at a time (at most LINE_MAX: see Input.blocks)
MEMO_MAX = 100_000  # distinct inputs remembered...
MEMO_CHARS = 14_000_000  # ...and characters of them: memory stays bounded however long the input
# (a full Kerboul row is about 300 characters since its intervals became JSON objects: 14M holds
# the ~45,000 distinct results that 8M held before, so two-decimal angles, 36,000 values, still fit)
TOO_LONG = None  # stands for a line over LINE_MAX in a block of lines
_BOM = b"\xef\xbb\xbf"  # the UTF-8 byte order mark


# What ``compute`` gives for one input line: the result, or, when a bare result is not all, a
# tuple (result, warnings, shape, varies): warnings about the input (shown on stderr with the
# line number), the result's ``shape``: None, or a hashable name of its field values, and
# ``varies``: the fields whose values differ between results of one shape. Results of one
# shape differ only in their input and in those fields, so the text of every other field is
# worked out once for the shape. (A plain tuple, not a named one: a batch makes one for each
# distinct input, and a named tuple cost three times as much to make.)
Line = tuple[dict[str, Any], Sequence[str], Optional[Hashable], tuple[str, ...]]
Computed = Union[dict[str, Any], Line]


# -- reading ----------------------------------------------------------------------------


class Input:
    """Standard input as blocks of lines (without their line ends), read as bytes."""

    def __init__(self, stream: Optional[TextIO]) -> None:
        if stream is None:
            raise InvalidInput(
                "standard input is closed: there is nothing to read",
                hint="give the input through a pipe or a file: dxcli kerboul - < angles.txt",
            )
        self.encoding = getattr(stream, "encoding", None) or "utf-8"
        self.wait_fd: Optional[int] = None  # a pipe or terminal: reads may wait for input
        self.tty = False
        try:
            fd = stream.fileno()
            st = os.fstat(fd)
        except (OSError, ValueError, AttributeError):
            fd = None
        except Exception:  # io.UnsupportedOperation from test streams
            fd = None
        if fd is not None:
            if stat.S_ISDIR(st.st_mode):
                raise InvalidInput("cannot read standard input: it is a directory", hint="give a file: dxcli kerboul - < angles.txt")
            if not stat.S_ISREG(st.st_mode):
                self.wait_fd = fd
            self.tty = os.isatty(fd)
            self._read: Callable[[int], bytes] = lambda n: os.read(fd, n)
        else:
            buf = getattr(stream, "buffer", None)
            if buf is not None:
                self._read = getattr(buf, "read1", None) or buf.read
            else:  # a text stream (tests)
                self._read = lambda n: stream.read(n).encode(self.encoding, "surrogateescape")
        self.before_wait: Callable[[], None] = lambda: None

    def read(self) -> bytes:
        if self.wait_fd is not None:
            import select

            if not select.select([self.wait_fd], [], [], 0)[0]:  # the read would wait
                self.before_wait()
        try:
            return self._read(CHUNK)
        except OSError as e:
            raise InvalidInput(
                f"cannot read standard input: {e.strerror or e}",
                hint="give the input through a pipe or a file: dxcli kerboul - < angles.txt",
            ) from None

    def blocks(self) -> Iterator[list[Optional[str]]]:
        """Blocks of lines; TOO_LONG in place of a line over LINE_MAX characters."""
        enc = self.encoding
        pending = b""
        skipping = False  # within a line already reported as too long: drop it to its end
        start = True  # before the first line
        while True:
            data = self.read()
            if not data:
                break
            if skipping:
                i = data.find(b"\n")
                if i < 0:
                    continue
                data, skipping = data[i + 1 :], False
            buf = pending + data if pending else data
            if start:  # a UTF-8 byte order mark before the first line (as spreadsheets save) is read past
                if len(buf) < 3 and _BOM.startswith(buf):
                    pending = buf
                    continue
                start = False
                if buf.startswith(_BOM):
                    buf = buf[3:]
            end = buf.rfind(b"\n")
            if end < 0:
                pending = buf
            else:
                lines = buf[:end].decode(enc, "surrogateescape").split("\n")
                pending = buf[end + 1 :]
                # Only the first line can be over the limit: the others lie within one read
                # (CHUNK bytes, at most LINE_MAX characters).
                if len(lines[0]) > LINE_MAX:
                    lines[0] = TOO_LONG
                yield lines
            if len(pending) > LINE_MAX:
                yield [TOO_LONG]
                pending, skipping = b"", True
        if pending:
            text = pending.decode(enc, "surrogateescape")
            yield [TOO_LONG if len(text) > LINE_MAX else text]


RECORD_MAX = LINE_MAX  # characters in one CSV record (its lines together); a longer one fails


# One CSV field as Python's csv reader reads it (its default dialect, not strict): quoted (""
# inside is a quote; after the closing quote, anything up to the comma but another quote), or
# bare (a quote inside is a quote), or empty.
_FIELD = r'(?:"(?:[^"]|"")*"(?:[^,"][^,]*)?|[^,"][^,]*)?'
_CLOSED = None  # compiled on first use: (a line that starts a record, a line inside a quoted field)


def _quote_state(line: str, quoted: bool) -> bool:
    """Whether a quoted field is still open at the end of ``line``, given whether one was
    open at its start: the line (or the rest of the quoted field, then the line) is whole
    CSV fields or not."""
    global _CLOSED
    if _CLOSED is None:
        import re

        _CLOSED = (re.compile(f"{_FIELD}(?:,{_FIELD})*"), re.compile(f'(?:[^"]|"")*"(?:[^,"][^,]*)?(?:,{_FIELD})*'))
    return _CLOSED[quoted].fullmatch(line) is None


def _records(blocks: Iterable[list[Optional[str]]]) -> Iterator[tuple[int, Optional[str], Optional[str]]]:
    """(first line, record text, error) for each CSV record of the input: a record is one
    line, or several when a quoted field holds line breaks. A record that cannot be read
    whole (a quoted field still open at the end of input, or longer than RECORD_MAX, or
    running into a line over LINE_MAX) is one error, labelled with the line it began on;
    the records after it are read as usual."""
    n = 0
    first = 0  # the line the open record began on (0: none open)
    parts: list[str] = []
    size = 0
    over = False  # the open record is already over RECORD_MAX: its text is not kept
    for block in blocks:
        for line in block:
            n += 1
            if line is TOO_LONG:
                if first:
                    yield first, None, f"a quoted field opened on line {first} runs into line {n}, which is longer than {LINE_MAX:,} characters; lines {first}-{n} skipped"
                    first, parts, size, over = 0, [], 0, False
                else:
                    yield n, None, f"the line is longer than {LINE_MAX:,} characters; skipped"
                continue
            if not first:
                if '"' not in line:  # the common case: one line, one record
                    yield n, line, None
                    continue
                if not _quote_state(line, False):
                    yield n, line, None
                    continue
                first, parts, size, over = n, [line], len(line), False
                continue
            size += len(line) + 1
            if not over:
                if size > RECORD_MAX:
                    over, parts = True, []
                else:
                    parts.append(line)
            if not _quote_state(line, True):
                if over:
                    yield first, None, (f"the record from line {first} to line {n} is longer than {RECORD_MAX:,} characters"
                                        " (a quoted field with line breaks in it); skipped")
                else:
                    yield first, "\n".join(parts), None
                first, parts, size, over = 0, [], 0, False
    if first:
        yield first, None, (f"a quoted field opened on line {first} is never closed: lines {first}-{n} were read as part "
                            "of it and are lost (a missing \")")


def csv_rows(
    blocks: Iterable[list[Optional[str]]], columns: list[str], keep: list[str]
) -> Iterator[tuple[int, Optional[str], list[str], Optional[str]]]:
    """(line number, input, kept cells, error) for records of a CSV with a header.

    The input joins the cells of ``columns`` with a space. A record that cannot be used is
    an error at the line it began on: one that is not CSV (a quoted field never closed, an
    over-long record or line), a ragged one (more or fewer cells than the header), or an
    empty column. Blank records are skipped.
    """
    import csv

    records = _records(blocks)

    def cells_of(text: str) -> list[str]:
        return next(csv.reader([text + "\n"]), [])

    header: list[str] = []
    for n, text, error in records:
        if error is not None:
            raise InvalidInput(f"line {n}: the CSV header cannot be read: {error}", hint="the first line of a CSV names its columns")
        try:
            header = cells_of(text)  # type: ignore[arg-type]
        except csv.Error as e:
            raise InvalidInput(f"line {n}: the CSV header is not CSV: {e}", hint="the first line of a CSV names its columns") from None
        if header and any(h.strip() for h in header):
            break
    else:
        return
    names = [h.strip().lower() for h in header]

    def index(col: str, what: str) -> int:
        if col.strip().lower() not in names:
            raise InvalidInput(
                f"the CSV header has no column {col!r} ({what})",
                hint="columns: " + ", ".join(h.strip() for h in header),
            )
        return names.index(col.strip().lower())

    idx = [index(c, "--pretest-column" if i == 0 and len(columns) > 1 else "--column") for i, c in enumerate(columns)]
    kidx = [index(c, "--keep") for c in keep]
    width = len(header)
    for n, text, error in records:
        if error is not None:
            yield n, None, [], error
            continue
        try:
            row = cells_of(text)  # type: ignore[arg-type]
        except csv.Error as e:
            yield n, None, [], f"not CSV: {e}"
            continue
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != width:
            yield n, None, [], f"{len(row)} cell{'s' if len(row) != 1 else ''} where the header has {width}"
            continue
        cells = [row[i].strip() for i in idx]
        kept = [row[i] for i in kidx]
        empty = [c for c, v in zip(columns, cells) if not v]
        if empty:
            yield n, None, kept, f"the column {empty[0]!r} is empty"
        else:
            yield n, " ".join(cells), kept, None


# -- the run ----------------------------------------------------------------------------


def run(
    term: Terminal,
    fmt: Optional[str],
    compute: Callable[[str], Computed],
    column: Optional[str] = None,
    stream: Optional[TextIO] = None,
    fields: Optional[list[str]] = None,
    *,
    what: str = "inputs",
    pretest_column: Optional[str] = None,
    keep: Optional[list[str]] = None,
) -> int:
    """Compute each input line, stream the results, and return the exit status.

    ``compute`` is a pure function of the line's text, so its result for a text seen before is
    reused: a remembered result is the finished text of the output line after its number.
    Input is taken a chunk at a time; a chunk whose lines all have plain results is written
    in one piece, any other line by line (errors and warnings on stderr, with line numbers).
    ``what`` names the input in the hint shown when stdin is a terminal. ``compute`` returns
    the result, or a ``Line``: the result with its warnings and shape.
    """
    if (keep or pretest_column) and column is None:
        raise InvalidInput(
            "--keep and --pretest-column read columns of a CSV: give the input column with --column",
            hint="e.g. dxcli kerboul - --column angle --keep id -f csv < cohort.csv",
        )
    source = Input(stream if stream is not None else sys.stdin)
    from dxcli.output import formats

    writer = formats.get(fmt or formats.default_name(term)).stream(term, keep or [])
    job = _Job(term, writer, compute, fields)

    def deliver() -> None:  # no more input is waiting: show what is done
        writer.flush()
        term.stdout.flush()

    source.before_wait = deliver
    if source.tty:
        tell(f"reading {what}, one a line; Ctrl-D to end", stream=term.stderr)
    if column is not None:
        columns = [pretest_column, column] if pretest_column else [column]
        for n, raw, kept, error in csv_rows(source.blocks(), columns, keep or []):
            if error is not None:
                job.fail(n, error)
            else:
                job.one(n, raw, writer.kept(kept) if keep else "")  # type: ignore[arg-type]
    else:
        n = 1
        for lines in source.blocks():
            job.chunk(n, lines)
            n += len(lines)
    writer.close()
    if job.failed:
        tell(f"{job.failed} line(s) failed", stream=term.stderr)
        return EXIT_USAGE
    return 0


def _nones(items: list[Any]) -> list[int]:
    """The places of None in ``items``, found by the list's own search (late in a batch a block
    has a new input or two among thousands of remembered ones)."""
    found: list[int] = []
    i = -1
    try:
        while True:
            i = items.index(None, i + 1)
            found.append(i)
    except ValueError:
        return found


class _Job:
    """The state of one batch: remembered results, the writer, and the count of failures."""

    def __init__(
        self, term: Terminal, writer: Any, compute: Callable[[str], Computed], fields: Optional[list[str]]
    ) -> None:
        self.term, self.writer, self.compute, self.fields = term, writer, compute, fields
        self.plain: dict[str, Any] = {}  # raw line -> the rest of its output line
        # raw line -> (rest or None, (error, hint or None) or None, warnings): results with
        # warnings, errors, and blank or comment lines (all None)
        self.other: dict[str, tuple[Any, Optional[tuple[str, Optional[str]]], list[str]]] = {}
        self.chars = 0  # characters held by the two memos
        self.failed = 0

    def _learn(self, raw: str) -> None:
        plain, other = self.plain, self.other
        if self.chars >= MEMO_CHARS or len(plain) + len(other) >= MEMO_MAX:
            plain.clear()
            other.clear()
            self.chars = 0
        text = raw.strip()
        if not text or text[0] == "#":
            other[raw] = (None, None, [])
            self.chars += len(raw)
            return
        try:
            got = self.compute(text)
        except DxError as e:
            other[raw] = (None, (e.message, e.hint), [])
            self.chars += len(raw) + len(e.message) + len(e.hint or "")
            return
        if type(got) is tuple:
            row, warnings, shape, varies = got
        else:
            row, warnings, shape, varies = got, None, None, ()  # type: ignore[assignment]
        writer = self.writer
        if writer.keys is None:  # the first result names the fields (the writer keeps to them)
            row = {k: v for k, v in row.items() if k != "source"}  # the same for every line: see "dxcli cite"
            if self.fields:
                from dxcli.output.fields import select

                row = select(row, self.fields)
            writer.start(list(row))
        rest = writer.rest(text, row, shape, varies)
        t = type(rest)  # a tuple: (its own text, the text shared by its shape), see formats.LineStream
        self.chars += len(raw) + (len(rest) if t is str else len(rest[0]) + 16 if t is tuple else 200)
        if warnings:
            other[raw] = (rest, None, warnings)
        else:
            plain[raw] = rest

    def fail(self, n: int, error: str, hint: Optional[str] = None) -> None:
        """Line ``n`` failed: its error on stderr, with the hint the same input gets as an
        argument."""
        self.failed += 1
        self.writer.flush()
        tell(f"line {n}: {error}", stream=self.term.stderr)
        if hint:
            tell(hint, "  hint: ", "        ", stream=self.term.stderr)

    def one(self, n: int, raw: Optional[str], kept: str = "") -> None:
        if raw is TOO_LONG:
            self.fail(n, f"the line is longer than {LINE_MAX:,} characters; skipped")
            return
        if raw not in self.plain and raw not in self.other:
            self._learn(raw)
        rest = self.plain.get(raw)
        if rest is not None:
            self.writer.write(n, rest, kept)
            return
        rest, error, warnings = self.other[raw]
        if rest is not None:
            self.writer.write(n, rest, kept)
        elif error is not None:
            self.fail(n, *error)
        for w in warnings:
            self.writer.flush()
            tell(f"line {n}: warning: {w}", stream=self.term.stderr)

    def chunk(self, first: int, lines: list[Optional[str]]) -> None:
        """A block of lines: one lookup each, and one write when all have plain results."""
        plain = self.plain
        rests = list(map(plain.get, lines))
        if not all(rests):  # new inputs (or errors, warnings, blank lines) in this block (see Stream.rest)
            gaps = _nones(rests)
            for raw in {lines[i] for i in gaps}.difference(self.other):
                if raw is not TOO_LONG:
                    self._learn(raw)
            for i in gaps:
                rest = plain.get(lines[i])  # type: ignore[arg-type]
                if rest is None:  # not a plain result: this block line by line
                    for j, raw in enumerate(lines):
                        self.one(first + j, raw)
                    return
                rests[i] = rest
        self.writer.write_many(first, rests)
