"""The output formats: one object each, in one registry.

A format writes rows (``list[dict]``) or one record (``dict``) with ``rows``, a report of
several parts with ``report``, and batch results line by line with ``stream``. ``--format``
offers the registry's names; ``present`` (output/present.py) picks the object and hands it
the result; batch mode (cli/batch.py) streams through the same object. A new format is one
class and one ``register`` call. Only the table imports Rich, when it draws.
"""

from __future__ import annotations

import re
from typing import Any, Sequence

from dxcli.output.render import Terminal, View, cell, csv_safe, data_cell, json_text


class Section:
    """One part of a report: its rows, and the ``kind`` its NDJSON lines carry."""

    def __init__(self, kind: str, rows: list[dict[str, Any]]) -> None:
        self.kind, self.rows = kind, rows


class Report:
    """A result of several parts: ``doc`` whole (JSON), its ``sections`` (NDJSON, one object
    a line with its section's kind) and ``flat`` rows (CSV, TSV and any format of rows);
    ``alerts``, red flags that also go to stderr (after "dxcli: RED FLAG: ") whatever stdout
    is redirected to."""

    def __init__(self, doc: dict[str, Any], sections: list[Section], flat: list[dict[str, Any]], alerts: Sequence[str] = ()) -> None:
        self.doc, self.sections, self.flat, self.alerts = doc, sections, flat, list(alerts)


def to_json(value: Any) -> Any:
    """The JSON structure of a result, exactly as ``-f json`` prints it: the query's value,
    with an unbounded or undefined number as null. (JSON text: ``render.json_text``.)"""
    from dxcli.output.render import json_safe

    return json_safe(value)


# -- the formats ------------------------------------------------------------------------


class Format:
    """One output format. ``rows`` is all a format must write; ``report`` defaults to the
    report's flat rows and ``stream`` to the rows in pieces (a ``RowStream``)."""

    name = ""
    help = ""
    for_people = False  # a page, a table or Markdown: person views apply

    def rows(self, data: list[dict[str, Any]] | dict[str, Any], term: Terminal, view: View | None = None) -> None:
        raise NotImplementedError

    def report(self, report: Report, term: Terminal) -> None:
        self.rows(report.flat, term)

    def stream(self, term: Terminal, keep: Sequence[str] = ()) -> "Stream":
        return RowStream(self, term, keep)


REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format (or replace one of the same name): ``--format`` offers it from then on."""
    REGISTRY[fmt.name] = fmt
    return fmt


def get(name: str) -> Format:
    return REGISTRY[name]


def names() -> list[str]:
    """The ``--format`` choices, in the registry's order."""
    return list(REGISTRY)


def default_name(term: Terminal) -> str:
    """The format when none is given, decided here only: a table (or page) on a terminal, TSV
    with a header when piped."""
    return "table" if term.is_tty else "tsv"


def _rows_of(data: Any) -> list[dict[str, Any]]:
    return [data] if isinstance(data, dict) else list(data)


def keys_of(rows: Sequence[dict[str, Any]], view: View | None = None) -> list[str]:
    if not rows and view is not None and view.columns:
        return list(view.columns)
    return list(dict.fromkeys(k for r in rows for k in r))


def flat(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


_CSV_QUOTED = re.compile(r'[,"\r\n]')  # a CSV cell with one of these is quoted


def csv_cell(text: str) -> str:
    """One CSV cell with minimal quoting, as the csv module writes it: the one CSV quoting."""
    return '"' + text.replace('"', '""') + '"' if _CSV_QUOTED.search(text) else text


def csv_line(values: list[str]) -> str:
    """One CSV row (a row of one empty cell is '""', so that it is not a blank line)."""
    if values == [""]:
        return '""\n'
    return ",".join(map(csv_cell, values)) + "\n"


class Delimited(Format):
    """CSV and TSV: a header, then one line a row; every value in the data encoding
    (``data_cell``), text cells guarded by --csv-safe."""

    def __init__(self, name: str, help: str) -> None:
        self.name, self.help = name, help

    def text(self, value: Any, safe: bool) -> str:
        t = data_cell(value)
        if safe and isinstance(value, str):
            t = csv_safe(t)
        return csv_cell(t) if self.name == "csv" else flat(t)

    def line(self, texts: list[str]) -> str:
        return csv_line(texts) if self.name == "csv" else "\t".join(map(flat, texts)) + "\n"

    def rows(self, data: Any, term: Terminal, view: View | None = None) -> None:
        rows = _rows_of(data)
        keys = keys_of(rows, view)
        safe = term.csv_safe
        sep = "," if self.name == "csv" else "\t"
        parts = [self.line(keys)]
        text = self.text
        lone = '""' if self.name == "csv" and len(keys) == 1 else ""  # a lone empty CSV cell is not a blank line
        for r in rows:
            parts.append((sep.join([text(r.get(k), safe) for k in keys]) or lone) + "\n")
        term.stdout.write("".join(parts))

    def stream(self, term: Terminal, keep: Sequence[str] = ()) -> "Stream":
        return LineStream(self, term, keep, sep="," if self.name == "csv" else "\t")


class Markdown(Format):
    name = "markdown"
    help = "a Markdown table (a record's page as Markdown)"
    for_people = True

    @staticmethod
    def text(value: Any, safe: bool = False) -> str:
        return flat(cell(value)).replace("|", "\\|")

    def line(self, texts: list[str]) -> str:
        return "| " + " | ".join(texts) + " |\n|" + " --- |" * len(texts) + "\n"

    def rows(self, data: Any, term: Terminal, view: View | None = None) -> None:
        single = isinstance(data, dict)
        rows = _rows_of(data)
        keys = keys_of(rows, view)
        if view and view.columns and not single:
            keys = [k for k in view.columns if k in keys]
        md, out = self.text, term.stdout
        if single:
            out.write("| field | value |\n| --- | --- |\n")
            for k in keys:
                out.write(f"| {k} | {md(rows[0].get(k))} |\n")
            return
        out.write(self.line(keys))
        for r in rows:
            out.write("| " + " | ".join(md(r.get(k)) for k in keys) + " |\n")

    def stream(self, term: Terminal, keep: Sequence[str] = ()) -> "Stream":
        return LineStream(self, term, keep, sep=" | ", lead="| ", end=" |\n")


class Json(Format):
    name = "json"
    help = "one JSON document (an array of rows, or one object)"

    def rows(self, data: Any, term: Terminal, view: View | None = None) -> None:
        term.stdout.write(json_text(data, indent=2) + "\n")

    def report(self, report: Report, term: Terminal) -> None:
        self.rows(report.doc, term)

    def stream(self, term: Terminal, keep: Sequence[str] = ()) -> "Stream":
        return JsonStream(term, keep, lines=False)


class Ndjson(Format):
    name = "ndjson"
    help = "one JSON object a line"

    def rows(self, data: Any, term: Terminal, view: View | None = None) -> None:
        term.stdout.write("".join(json_text(r) + "\n" for r in _rows_of(data)))

    def report(self, report: Report, term: Terminal) -> None:
        term.stdout.write("".join(json_text({"kind": s.kind, **r}) + "\n" for s in report.sections for r in s.rows))

    def stream(self, term: Terminal, keep: Sequence[str] = ()) -> "Stream":
        return JsonStream(term, keep, lines=True)


class Table(Format):
    """A person's table (Rich), a record's page, or a list of records at narrow widths
    (which of them: output/present.py)."""

    name = "table"
    help = "a table or a page on a terminal"
    for_people = True

    def rows(self, data: Any, term: Terminal, view: View | None = None) -> None:
        from dxcli.output.table import draw

        draw(_rows_of(data), isinstance(data, dict), term, view or View())


register(Table())
register(Delimited("tsv", "tab-separated values with a header"))
register(Delimited("csv", "comma-separated values with a header"))
register(Json())
register(Ndjson())
register(Markdown())


# -- streams: batch results, line by line ----------------------------------------------------


class Stream:
    """Writes batch results as they come. Each result is a prefix (its line number, the kept
    input columns) and a tail (the input and the computed fields), made by ``kept`` and
    ``rest``; the text of a result's fields made with a ``shape`` is reused for the next
    result of that shape (all but the fields in ``varies``, which are written anew)."""

    keys: list[str] | None = None
    count = 0

    def __init__(self, term: Terminal, keep: Sequence[str] = ()) -> None:
        self.term, self.out, self.keep = term, term.stdout, list(keep)

    def start(self, keys: list[str]) -> None:
        clash = [k for k in self.keep if k in ("line", "input", *keys)]
        if clash:
            from dxcli.errors import InvalidInput

            raise InvalidInput(f"--keep {clash[0]!r}: the output already has a field of that name", hint="keep other columns, or rename it in the CSV")
        self.keys = keys

    def kept(self, cells: list[str]) -> Any:
        raise NotImplementedError

    def rest(self, text: str, row: dict[str, Any], shape: Any = None, varies: Sequence[str] = ()) -> Any:
        """A result's remembered form, never empty or false (a batch tells a remembered
        result from an input not yet seen, None, by its truth)."""
        raise NotImplementedError

    def write(self, n: int, rest: Any, kept: Any = "") -> None:
        raise NotImplementedError

    def write_many(self, first: int, rests: list[Any]) -> None:
        for n, rest in enumerate(rests, first):
            self.write(n, rest)
        self.flush()

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.flush()


class RowStream(Stream):
    """Any format's stream: the results as rows, handed to the format's ``rows`` a batch at a
    time (on a terminal, one table for the results ready each time the input pauses)."""

    ROWS = 1000  # rows handed over at most at once

    def __init__(self, fmt: Format, term: Terminal, keep: Sequence[str] = ()) -> None:
        super().__init__(term, keep)
        self.fmt = fmt
        self._rows: list[dict[str, Any]] = []

    def kept(self, cells: list[str]) -> Any:
        return dict(zip(self.keep, cells))

    def rest(self, text: str, row: dict[str, Any], shape: Any = None, varies: Sequence[str] = ()) -> Any:
        return {"input": text, **{k: row.get(k) for k in (self.keys or list(row))}}

    def write(self, n: int, rest: Any, kept: Any = "") -> None:
        self._rows.append({"line": n, **(kept or {}), **rest})
        self.count += 1
        if len(self._rows) >= self.ROWS:
            self.flush()

    def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            self.fmt.rows(rows, self.term, View(columns=["line", *self.keep, "input", *(self.keys or [])]))


class _Buffered(Stream):
    """A stream of finished text, written in large pieces."""

    def __init__(self, term: Terminal, keep: Sequence[str] = ()) -> None:
        super().__init__(term, keep)
        self._buf: list[str] = []

    def flush(self) -> None:
        if self._buf:
            self.out.write("".join(self._buf))
            self._buf.clear()

    def _wrote(self) -> None:
        """One more result in the buffer, which is written out every 4096 of them."""
        self.count += 1
        if len(self._buf) >= 4096:
            self.flush()


class LineStream(_Buffered):
    """CSV, TSV and Markdown: separated cells, each value's text worked out once (most repeat
    from line to line), with the format's own cell text (``fmt.text``) and header (``fmt.line``)."""

    def __init__(self, fmt: Any, term: Terminal, keep: Sequence[str] = (), *, sep: str, lead: str = "", end: str = "\n") -> None:
        super().__init__(term, keep)
        self.fmt, self._sep, self._lead, self._end = fmt, sep, lead, end
        self.safe = bool(getattr(term, "csv_safe", False)) and isinstance(fmt, Delimited)
        self._pieces: dict[Any, str] = {}  # (type, value) -> its text in this format
        self._tails: dict[Any, Any] = {}  # (shape, varies) -> the text of its fields (see rest)
        self._split: bool | None = None  # rests are pairs of strings (see rest); None until the first
        self._simple = isinstance(fmt, Delimited) and not self.safe

    def start(self, keys: list[str]) -> None:
        super().start(keys)
        self._buf.append(self.fmt.line(["line", *self.keep, "input", *keys]))

    def _piece(self, value: Any) -> str:
        return self.fmt.text(value, self.safe)

    def kept(self, cells: list[str]) -> Any:
        return self._sep + self._sep.join(map(self._piece, cells))

    def _text(self, v: Any) -> str:
        """A value's text, from the cache of repeated values (not a float: a measurement,
        seldom repeated, and a repeated input is remembered whole)."""
        t = type(v)
        if t is float:
            return self._piece(v)
        pieces = self._pieces
        try:  # a list or an object by its items and their types (0 and 0.0 are written apart)
            if t is list:
                key: Any = (t, tuple(v), tuple(map(type, v)))
            elif t is dict:
                key = (t, tuple(v.items()), tuple(map(type, v.values())))
            else:
                key = (t, v)
            return pieces[key]
        except KeyError:
            p = self._piece(v)
            if len(pieces) >= 4096:
                pieces.clear()
            pieces[key] = p
            return p
        except TypeError:  # not hashable (a dict, a list of lists)
            return self._piece(v)

    def rest(self, text: str, row: dict[str, Any], shape: Any = None, varies: Sequence[str] = ()) -> Any:
        """The text of a result after its line number: a string, or (once a result has come
        with a shape and fields that vary within it) a pair of strings, the result's own
        text and the text its shape shares with every result of that shape, so that a long
        row's shared part is held once however many distinct inputs fall in its interval.
        A stream keeps to one kind from its first result on (``write_many`` joins them)."""
        keys = self.keys or list(row)
        sep = self._sep
        if self._simple and text.isascii() and text.isprintable() and "," not in text and '"' not in text:
            head = sep + text  # nothing to neutralise, quote or flatten: the input as it is
        else:
            head = sep + self._piece(text)
        if self._split is None:  # the first result decides
            self._split = shape is not None and bool(varies)
        if shape is None:
            line = head + "".join([sep + self._text(row.get(k)) for k in keys]) + self._end
            return (line, "") if self._split else line
        tails = self._tails
        made = tails.get((shape, varies))
        if made is None:  # the shape's text: runs of fixed fields between the varying ones
            runs, run = [], ""
            for k in keys:
                if k in varies:
                    runs.append(run)
                    run = ""
                else:
                    run += sep + self._text(row.get(k))
            made = (runs, [k for k in keys if k in varies], run + self._end)
            if len(tails) >= 4096:
                tails.clear()
            tails[(shape, varies)] = made
        runs, vary, tail = made
        for fixed, k in zip(runs, vary):
            head += fixed + sep + self._text(row.get(k))
        return (head, tail) if self._split else head + tail

    def write(self, n: int, rest: Any, kept: Any = "") -> None:
        if self._split:
            rest = rest[0] + rest[1]
        self._buf.append(self._lead + str(n) + kept + rest)
        self._wrote()

    def write_many(self, first: int, rests: list[Any]) -> None:
        if not rests:
            return
        if self._split:  # number, own text, shared text
            parts = numbered(first, len(rests), 4, self._lead)
            parts[2::4], parts[3::4] = zip(*rests)
        else:
            parts = numbered(first, len(rests), 3, self._lead)
            parts[2::3] = rests
        self._buf.append("".join(parts))
        self.count += len(rests)
        self.flush()


_DIGITS: list[list[str]] = []  # str(i) and its three digits for i < 1000, made on first use


def numbered(first: int, count: int, stride: int, lead: str = "") -> list[str]:
    """Pieces of ``count`` lines numbered from ``first``, ``stride`` pieces a line: ``lead`` and
    the number in its first two, "" in the others (the caller's to fill). A number is its
    thousands and its last three digits from a table, not ``str(n)`` a line (which cost a batch
    of a million lines about a fifth of its time)."""
    if not _DIGITS:
        _DIGITS.extend(([str(i) for i in range(1000)], [f"{i:03d}" for i in range(1000)]))
    parts = [""] * (stride * count)
    n, end, at = first, first + count, 0
    while n < end:
        high, low = divmod(n, 1000)
        m = min(end - n, 1000 - low)  # lines up to the next thousand
        stop = at + stride * m
        if high or lead:
            parts[at:stop:stride] = [lead + str(high) if high else lead] * m
        parts[at + 1 : stop : stride] = _DIGITS[1 if high else 0][low : low + m]
        n, at = n + m, stop
    return parts


class JsonStream(_Buffered):
    """JSON (one array, written as it grows) and NDJSON (one object a line)."""

    def __init__(self, term: Terminal, keep: Sequence[str] = (), *, lines: bool) -> None:
        super().__init__(term, keep)
        self.lines = lines

    def start(self, keys: list[str]) -> None:
        super().start(keys)
        if not self.lines:
            self._buf.append("[")

    def kept(self, cells: list[str]) -> Any:
        return ", " + json_text(dict(zip(self.keep, cells)))[1:-1]

    def rest(self, text: str, row: dict[str, Any], shape: Any = None, varies: Sequence[str] = ()) -> Any:
        body = json_text({"input": text, **{k: row.get(k) for k in (self.keys or list(row))}})
        return ", " + body[1:] + ("\n" if self.lines else "")

    def write(self, n: int, rest: Any, kept: Any = "") -> None:
        if self.lines:
            self._buf.append('{"line": ' + str(n) + kept + rest)
        else:
            self._buf.append(("\n  " if self.count == 0 else ",\n  ") + '{"line": ' + str(n) + kept + rest)
        self._wrote()

    def write_many(self, first: int, rests: list[Any]) -> None:
        if not rests:
            return
        parts = numbered(first, len(rests), 3, '{"line": ' if self.lines else ',\n  {"line": ')
        parts[2::3] = rests
        if not self.lines and self.count == 0:
            parts[0] = parts[0][1:]  # the array's first object: no comma before it
        self._buf.append("".join(parts))
        self.count += len(rests)
        self.flush()

    def close(self) -> None:
        if not self.lines:
            if self.keys is None:
                self._buf.append("[")
            self._buf.append("\n]\n" if self.count else "]\n")
        self.flush()
