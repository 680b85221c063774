"""Batch mode: one input per line from stdin (or one CSV column), one result per line out.

A bad line is reported on stderr with its line number and skipped; the exit status
at the end says whether any line failed.
"""

from __future__ import annotations

import csv
import sys
from typing import Any, Callable, Iterator, Optional, TextIO

from dxcli.errors import EXIT_USAGE, DxError, InvalidInput
from dxcli.output.render import StreamWriter, Terminal


def select(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    """Only the named fields of a result, in the order named; an unknown name is an error."""
    unknown = [f for f in fields if f not in row]
    if unknown:
        raise InvalidInput(
            f"unknown field(s): {', '.join(unknown)}",
            hint="fields: " + ", ".join(k for k in row if not k.startswith("_")),
        )
    return {f: row[f] for f in fields}


def csv_column(stream: TextIO, column: str) -> Iterator[tuple[int, str]]:
    """(line number, cell) for one named column of a CSV with a header; blank rows skipped."""
    reader = csv.reader(stream)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as e:
        raise InvalidInput(f"line 1: not CSV: {e}") from None
    names = [h.strip().lower() for h in header]
    if column.strip().lower() not in names:
        raise InvalidInput(
            f"the CSV header has no column {column!r}",
            hint="columns: " + ", ".join(h.strip() for h in header),
        )
    idx = names.index(column.strip().lower())
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            sys.stderr.write(f"dxcli: line {reader.line_num}: not CSV: {e}\n")
            continue
        if row and any(c.strip() for c in row):
            cell = row[idx].strip() if idx < len(row) else ""
            yield reader.line_num, cell if cell else None  # None: the column is empty here


MEMO_MAX = 100_000  # distinct inputs remembered; memory stays bounded however long the input
CHUNK = 1 << 16  # bytes of input read at a time


def run(
    term: Terminal,
    fmt: Optional[str],
    compute: Callable[[str], dict[str, Any]],
    column: Optional[str] = None,
    stream: Optional[TextIO] = None,
    fields: Optional[list[str]] = None,
) -> int:
    """Compute each input line, stream the results, and return the exit status.

    ``compute`` is a pure function of the line's text, so its result for a text seen before is
    reused: a remembered result is the finished text of the output line after its number.
    Input is taken a chunk at a time; a chunk whose lines all have plain results is written
    in one piece, any other line by line (errors and warnings on stderr, with line numbers).
    """
    stream = stream if stream is not None else sys.stdin
    job = _Job(term, StreamWriter(fmt or ("table" if term.is_tty else "tsv"), term.stdout), compute, fields)
    if column is not None:
        for n, raw in csv_column(stream, column):
            if raw is None:
                job.failed += 1
                term.stderr.write(f"dxcli: line {n}: the column {column!r} is empty\n")
            else:
                job.one(n, raw)
    else:
        n = 1
        while True:
            chunk = stream.readlines(CHUNK)
            if not chunk:
                break
            job.chunk(n, chunk)
            n += len(chunk)
    job.writer.close()
    if job.failed:
        term.stderr.write(f"dxcli: {job.failed} line(s) failed\n")
        return EXIT_USAGE
    return 0


class _Job:
    """The state of one batch: remembered results, the writer, and the count of failures."""

    def __init__(
        self, term: Terminal, writer: StreamWriter, compute: Callable[[str], dict[str, Any]], fields: Optional[list[str]]
    ) -> None:
        self.term, self.writer, self.compute, self.fields = term, writer, compute, fields
        self.plain: dict[str, str] = {}  # raw line -> the rest of its output line
        # raw line -> (rest or None, error or None, warnings): results with warnings,
        # errors, and blank or comment lines (all None)
        self.other: dict[str, tuple[Optional[str], Optional[str], list[str]]] = {}
        self.failed = 0

    def _learn(self, raw: str) -> None:
        if len(self.plain) + len(self.other) >= MEMO_MAX:
            self.plain.clear()
            self.other.clear()
        text = raw.strip()
        if not text or text.startswith("#"):
            self.other[raw] = (None, None, [])
            return
        try:
            row = self.compute(text)
        except DxError as e:
            self.other[raw] = (None, e.message, [])
            return
        warnings = row.pop("_warnings", [])
        row.pop("source", None)  # the same for every line: see "dxcli cite"
        if self.fields:
            row = select(row, self.fields)
        if self.writer.keys is None:
            self.writer.start(list(row))
        rest = self.writer.rest(text, row)
        if warnings:
            self.other[raw] = (rest, None, warnings)
        else:
            self.plain[raw] = rest

    def one(self, n: int, raw: str) -> None:
        if raw not in self.plain and raw not in self.other:
            self._learn(raw)
        rest = self.plain.get(raw)
        if rest is not None:
            self.writer.write(n, rest)
            return
        rest, error, warnings = self.other[raw]
        if rest is not None:
            self.writer.write(n, rest)
        elif error is not None:
            self.failed += 1
            self.writer.flush()
            self.term.stderr.write(f"dxcli: line {n}: {error}\n")
        for w in warnings:
            self.term.stderr.write(f"dxcli: line {n}: warning: {w}\n")

    def chunk(self, first: int, lines: list[str]) -> None:
        for raw in set(lines).difference(self.plain).difference(self.other):
            self._learn(raw)
        if self.plain.keys() >= set(lines):  # every line has a plain result: one write
            self.writer.write_many(range(first, first + len(lines)), list(map(self.plain.__getitem__, lines)))
        else:
            for i, raw in enumerate(lines):
                self.one(first + i, raw)
