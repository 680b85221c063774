"""Batch mode: one input per line from stdin (or one CSV column), one result per line out.

A bad line is reported on stderr with its line number and skipped; the exit status
at the end says whether any line failed.
"""

from __future__ import annotations

import csv
import sys
from typing import Any, Callable, Iterator, Optional, TextIO

from dxcli.errors import EXIT_USAGE, DxError, InvalidInput
from dxcli.output.render import Terminal, render_stream


def lines(stream: TextIO, column: Optional[str]) -> Iterator[tuple[int, str]]:
    """(line number, input text) pairs; blank lines and '#' comments are skipped."""
    if column is None:
        for n, line in enumerate(stream, 1):
            text = line.strip()
            if text and not text.startswith("#"):
                yield n, text
        return
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
    n = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as e:
            n = reader.line_num
            sys.stderr.write(f"dxcli: line {n}: not CSV: {e}\n")
            continue
        n = reader.line_num
        if not row or all(not c.strip() for c in row):
            continue
        yield n, row[idx].strip() if idx < len(row) else ""


def run(
    term: Terminal,
    fmt: Optional[str],
    compute: Callable[[str], dict[str, Any]],
    column: Optional[str] = None,
    stream: Optional[TextIO] = None,
) -> int:
    """Compute each input line, stream the results, and return the exit status."""
    failed = 0
    stream = stream if stream is not None else sys.stdin

    def results() -> Iterator[dict[str, Any]]:
        nonlocal failed
        for n, text in lines(stream, column):
            try:
                row = compute(text)
            except DxError as e:
                failed += 1
                term.stderr.write(f"dxcli: line {n}: {e.message}\n")
                continue
            row.pop("source", None)  # the same for every line: see "dxcli cite"
            yield {"line": n, "input": text, **row}

    render_stream(results(), fmt or ("table" if term.is_tty else "tsv"), term)
    if failed:
        term.stderr.write(f"dxcli: {failed} line(s) failed\n")
        return EXIT_USAGE
    return 0
