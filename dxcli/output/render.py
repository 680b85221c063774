"""The one renderer: rows in, text out, in every format.

Commands hand over rows (``list[dict]``) or one record (``dict``); only this
module knows table, TSV, CSV, JSON, NDJSON and Markdown. Rich is imported
only when a table is drawn.
"""

from __future__ import annotations

import io
import math
import os
import re
import sys
from typing import Any, Callable, Iterable, Sequence, TextIO

# C0/C1 control characters (ESC among them) other than tab and newline, and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what a
# terminal shows ("Trojan Source"): shown as escapes, never acted on.
_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
# What JSON leaves raw but a terminal would act on: escaped as \\uXXXX in JSON text (JSON
# itself escapes U+0000-U+001F). Line and paragraph separators too, for JavaScript readers.
_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
# Cells a spreadsheet would read as a formula (--csv-safe), unless they are plain numbers.
_FORMULA = r"^[=+\-@\t\r]"
_CSV_QUOTED = re.compile(r'[,"\r\n]')  # a CSV cell with one of these is quoted
_PLAIN_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"
# (the patterns above are compiled on first use, by re's own cache: most runs never need them)
# Lone surrogates: bytes of the input that were not UTF-8 (Python's surrogateescape).
_SURROGATE = "[\ud800-\udfff]"


def valid_text(text: str) -> str:
    """Text that can be written as UTF-8: undecodable input bytes become U+FFFD."""
    if text.isascii():
        return text
    try:  # only a lone surrogate makes UTF-8 fail: the pattern is compiled only for one
        text.encode("utf-8")
    except UnicodeEncodeError:
        return re.sub(_SURROGATE, "\ufffd", text)
    return text


class Terminal:
    """What the output is going to: injected in tests, read from the process otherwise."""

    __slots__ = ("stdout", "stderr", "is_tty", "color", "width", "csv_safe")

    def __init__(
        self, stdout: TextIO, stderr: TextIO, is_tty: bool, color: bool, width: int | None = None, csv_safe: bool = False
    ) -> None:
        self.stdout, self.stderr, self.is_tty, self.color, self.width = stdout, stderr, is_tty, color, width
        self.csv_safe = csv_safe  # --csv-safe: text cells of CSV and TSV cannot start a formula

    @classmethod
    def from_env(cls) -> "Terminal":
        out = sys.stdout
        if out is None:  # started with stdout closed: nowhere to deliver, like a closed pipe
            out = open(os.devnull, "w")
        try:
            tty = out.isatty()
        except (AttributeError, ValueError):
            tty = False
        env = os.environ
        color = tty and "NO_COLOR" not in env and env.get("TERM") != "dumb"
        width = int(env["COLUMNS"]) if env.get("COLUMNS", "").isdigit() else None
        return cls(out, sys.stderr, tty, color, width)


class View:
    """How rows are shown to a person: which columns a table keeps, their headers, how a
    column's value is drawn in a table (machine formats always get the value itself)."""

    def __init__(
        self,
        columns: Sequence[str] | None = None,
        title: str | None = None,
        headers: dict[str, str] | None = None,
        shown: dict[str, Callable[[Any], str]] | None = None,
        caption: str | None = None,
        whole: Sequence[str] = (),
    ) -> None:
        self.columns, self.title, self.caption = columns, title, caption
        self.whole = tuple(whole)  # columns never folded (ids, numbers), besides id and rank
        self.headers = headers or {}
        self.shown = shown or {}

    def replace(self, **changes: Any) -> "View":
        return View(**{**vars(self), **changes})

    def table_cell(self, key: str, value: Any) -> str:
        if key in self.shown:
            return inert(self.shown[key](value))
        return cell(value, for_table=True)


def _shown(m: "re.Match[str]") -> str:
    o = ord(m.group())
    return f"\\x{o:02x}" if o < 0x100 else f"\\u{o:04x}"


def inert(text: str) -> str:
    """Neutralise control characters (ANSI escapes) and bidi overrides in data shown as text:
    the one neutraliser, ``dxcli.errors.inert``, which messages on stderr go through too."""
    if text.isascii() and text.isprintable():  # the common case, nothing to neutralise
        return text
    from dxcli.errors import inert as neutralise

    return neutralise(text)


def json_text(value: Any, indent: int | None = None, separators: tuple[str, str] | None = None) -> str:
    """JSON for output: UTF-8 text, with C1 controls and bidi overrides as \\u escapes."""
    import json  # (imported when JSON is written: CSV and TSV runs never need it)

    text = valid_text(json.dumps(_json_safe(value), ensure_ascii=False, indent=indent, separators=separators))
    if text.isascii() and "\x7f" not in text:  # the common case: nothing a terminal acts on
        return text
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


def csv_safe(text: str) -> str:
    """A text cell a spreadsheet would run as a formula, prefixed with ' (--csv-safe)."""
    if text and re.match(_FORMULA, text) and not re.match(_PLAIN_NUMBER, text):
        return "'" + text
    return text


def data_cell(value: Any) -> str:
    """One value as a CSV or TSV cell, the one encoding scripts rely on: text as it is, a
    number as a number, true/false, null (and an unbounded or undefined number) as an empty
    cell, and a list or an object as compact JSON."""
    kind = type(value)
    if kind is str:
        return inert(value)
    if kind is int:
        return str(value)
    if value is None:
        return ""
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return "" if math.isinf(value) or math.isnan(value) else format_number(value)
    if isinstance(value, (list, tuple, dict)):
        return json_text(value, separators=(",", ":"))
    return inert(str(value))


def cell(value: Any, *, for_table: bool = False) -> str:
    """One value as flat text for a person: Markdown and tables (CSV and TSV: ``data_cell``)."""
    kind = type(value)
    if kind is str:
        return inert(value)
    if kind is int:
        return str(value)
    if value is None:
        return "" if not for_table else "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        if math.isnan(value):
            return "—"
        return format_number(value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and len(value) == 2:
            return f"{cell(value[0], for_table=for_table)}–{cell(value[1], for_table=for_table)}"
        parts = [cell(v, for_table=for_table) for v in value]
        if not for_table:
            return "; ".join(parts)
        short = all(len(p) <= 32 for p in parts)  # codes, roots, ids: a list that wraps at its commas
        return (", " if short else "\n").join(parts)
    if isinstance(value, dict):
        if for_table and "text" in value:
            return inert(str(value["text"]))
        return json_text(value, separators=(",", ":"))
    return inert(str(value))


def format_number(x: float) -> str:
    """Shortest faithful text for a number: 0.89, 9.89, 0.1209 -> '0.121' is not done here."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(round(x, 6))


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _keys(rows: Sequence[dict[str, Any]], view: "View | None" = None) -> list[str]:
    if not rows and view is not None and view.columns:
        return list(view.columns)
    keys: list[str] = []
    for r in rows:
        for k in r:
            if k not in keys:
                keys.append(k)
    return keys


def _flat(text: str) -> str:
    return text.replace("\t", " ").replace("\r", " ").replace("\n", " ")


def render(
    data: list[dict[str, Any]] | dict[str, Any],
    fmt: str | None,
    term: Terminal,
    view: View | None = None,
) -> None:
    """Write ``data`` (rows, or one record) to ``term.stdout`` in ``fmt``."""
    fmt = fmt or ("table" if term.is_tty else "tsv")
    single = isinstance(data, dict)
    rows: list[dict[str, Any]] = [data] if single else list(data)  # type: ignore[list-item]
    out = term.stdout
    if fmt == "json":
        out.write(json_text(data, indent=2) + "\n")
    elif fmt == "ndjson":
        for r in rows:
            out.write(json_text(r) + "\n")
    elif fmt in ("tsv", "csv"):
        keys = _keys(rows, view)
        safe = term.csv_safe

        def text(v: Any) -> str:
            t = data_cell(v)
            return csv_safe(t) if safe and not isinstance(v, (int, float, bool)) and v is not None else t

        if fmt == "tsv":
            out.write("\t".join(keys) + "\n")
            for r in rows:
                out.write("\t".join(_flat(text(r.get(k))) for k in keys) + "\n")
        else:
            import csv

            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(keys)
            for r in rows:
                w.writerow([text(r.get(k)) for k in keys])
            out.write(buf.getvalue())
    elif fmt == "markdown":
        keys = _keys(rows, view)
        if view and view.columns and not single:
            keys = [k for k in view.columns if k in keys]

        def md(v: Any) -> str:
            return _flat(cell(v)).replace("|", "\\|")

        if single:
            out.write("| field | value |\n| --- | --- |\n")
            for k in keys:
                out.write(f"| {k} | {md(rows[0].get(k))} |\n")
        else:
            out.write("| " + " | ".join(keys) + " |\n")
            out.write("|" + " --- |" * len(keys) + "\n")
            for r in rows:
                out.write("| " + " | ".join(md(r.get(k)) for k in keys) + " |\n")
    elif fmt == "table":
        _rich_table(rows, single, term, view or View())
    else:  # pragma: no cover - the CLI validates the format first
        raise ValueError(fmt)


class Section:
    """One part of a report: its rows, and the ``kind`` its NDJSON lines carry."""

    def __init__(self, kind: str, rows: list[dict[str, Any]]) -> None:
        self.kind, self.rows = kind, rows


def page_width(term: Terminal) -> int:
    """The terminal's real width (not only ``COLUMNS``), or 100 when not a terminal."""
    if term.width:
        return term.width
    if term.is_tty:
        import shutil

        return shutil.get_terminal_size((100, 24)).columns
    return 100


def render_report(doc: dict[str, Any], sections: list[Section], flat: list[dict[str, Any]], fmt: str, term: Terminal) -> None:
    """A report of several parts: JSON gets ``doc`` whole; NDJSON one object a line with its
    section's ``kind``, in section order; CSV and TSV the ``flat`` rows, with list and object
    cells as JSON. (A person gets the report as a page: see output/pages.py.)"""
    out = term.stdout
    if fmt == "json":
        render(doc, fmt, term)
    elif fmt == "ndjson":
        for sec in sections:
            for r in sec.rows:
                out.write(json_text({"kind": sec.kind, **r}) + "\n")
    elif fmt in ("tsv", "csv"):
        render(flat, fmt, term)
    else:  # pragma: no cover - a person's formats (a table, Markdown) get the report as a page
        raise ValueError(fmt)


def _rich_table(rows: list[dict[str, Any]], single: bool, term: Terminal, view: View) -> None:
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # cells are Text: data is never parsed as markup

    console = Console(
        file=term.stdout,
        width=term.width or (None if term.is_tty else 100),
        no_color=not term.color,
        color_system="auto" if term.color else None,
        force_terminal=term.color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if single:
        t = Table(box=box.SIMPLE_HEAD, show_header=False, title=view.title)
        t.add_column("field", style="bold", no_wrap=True)
        t.add_column("value", overflow="fold")
        for k in view.columns or list(rows[0].keys()):
            v = rows[0].get(k)
            if v in (None, [], ""):
                continue
            text = view.table_cell(k, v)
            if isinstance(v, list) and k not in view.shown and (len(v) == 1 or "\n" in text) and isinstance(v[0], str) and len(v[0]) > 12:
                text = "\n".join("• " + line for line in text.split("\n"))
            t.add_row(Text(view.headers.get(k, k)), Text(text))
    else:
        keys = list(view.columns or _keys(rows))
        cells = [[view.table_cell(k, r.get(k)) for k in keys] for r in rows]
        t = Table(box=box.SIMPLE_HEAD, title=view.title, caption=view.caption)
        for i, k in enumerate(keys):  # ids are copied into the next command: never folded
            longest = max((len(w) for row in cells for w in row[i].split()), default=1)  # no word is split
            t.add_column(view.headers.get(k, k), overflow="fold", no_wrap=k in ("id", "rank") or k in view.whole,
                         min_width=min(longest, 40))
        for row in cells:
            t.add_row(*map(Text, row))
    console.print(t)


class StreamWriter:
    """Writes batch results line by line. Each result is a prefix (line number, kept input
    columns) and a tail (the input and the computed fields); the tail's text can be reused
    for a repeated input. On a terminal (``table``) results are drawn as the same table as
    everywhere, one table for the results that are ready each time the input pauses."""

    TABLE_ROWS = 1000  # rows of one table on a terminal

    def __init__(
        self, fmt: str, out: TextIO, keep: Sequence[str] = (), csv_safe: bool = False, term: "Terminal | None" = None
    ) -> None:
        self.fmt = "markdown" if fmt == "table" and term is None else fmt
        self.out = out
        self.term = term
        self.keep = list(keep)
        self.csv_safe = csv_safe and self.fmt in ("csv", "tsv")
        self.keys: list[str] | None = None
        self.count = 0
        self._buf: list[str] = []
        self._rows: list[dict[str, Any]] = []  # table: rows not yet drawn
        self._lead = {"ndjson": '{"line": ', "markdown": "| "}.get(self.fmt, "")
        self._sep = {"csv": ",", "tsv": "\t"}.get(self.fmt, " | ")
        self._end = " |\n" if self.fmt == "markdown" else "\n"
        self._pieces: dict[Any, str] = {}  # (type, value) -> its text in this format
        self._tails: dict[Any, str] = {}  # shape -> the text of its fields (see rest)
        self._simple = self.fmt in ("csv", "tsv") and not self.csv_safe  # (see rest)
        self._data = self.fmt in ("csv", "tsv")  # cells in the data encoding (data_cell)

    def start(self, keys: list[str]) -> None:
        clash = [k for k in self.keep if k in ("line", "input", *keys)]
        if clash:
            from dxcli.errors import InvalidInput

            raise InvalidInput(f"--keep {clash[0]!r}: the output already has a field of that name", hint="keep other columns, or rename it in the CSV")
        self.keys = keys
        head = ["line", *self.keep, "input", *keys]
        if self.fmt == "csv":
            self._buf.append(_csv_line(head))
        elif self.fmt == "tsv":
            self._buf.append("\t".join(head) + "\n")
        elif self.fmt == "markdown":
            self._buf.append("| " + " | ".join(head) + " |\n|" + " --- |" * len(head) + "\n")
        elif self.fmt == "json":
            self._buf.append("[")

    def _text(self, value: Any) -> str:
        text = data_cell(value) if self.fmt in ("csv", "tsv") else cell(value)
        return csv_safe(text) if self.csv_safe and isinstance(value, str) else text

    def kept(self, cells: list[str]) -> Any:
        """The prefix of a line's kept input columns (after its line number)."""
        if self.fmt == "table":
            return dict(zip(self.keep, cells))
        if self.fmt in ("json", "ndjson"):
            return ", " + json_text(dict(zip(self.keep, cells)))[1:-1]
        vals = [self._text(c) for c in cells]
        if self.fmt == "csv":
            return "," + _csv_line(vals)[:-1]
        if self.fmt == "tsv":
            return "\t" + "\t".join(_flat(v) for v in vals)
        return " | " + " | ".join(_flat(v).replace("|", "\\|") for v in vals)

    def rest(self, text: str, row: dict[str, Any], shape: Any = None) -> Any:
        """Everything of a result's line after its line number: the input and the fields.
        ``shape``, when given, names the fields' values: their text is kept for the next
        result of that shape (see batch.run)."""
        keys = self.keys or list(row)
        if self.fmt == "table":
            return {"input": text, **{k: row.get(k) for k in keys}}
        if self.fmt in ("json", "ndjson"):
            body = json_text({"input": text, **{k: row.get(k) for k in keys}})
            return ", " + body[1:] + ("\n" if self.fmt == "ndjson" else "")
        pieces, piece, sep = self._pieces, self._piece, self._sep
        if self._simple and text.isascii() and text.isprintable() and "," not in text and '"' not in text:
            head = sep + text  # nothing to neutralise, quote or flatten: the input as it is
        else:
            head = sep + piece(text)
        if shape is not None:
            tail = self._tails.get(shape)
            if tail is not None:
                return head + tail
        line = ""
        for k in keys:  # a value's text is worked out once: most repeat from line to line
            v = row.get(k)
            t = type(v)
            if t is float:  # a measurement: seldom repeated (a repeated input is remembered whole)
                line += sep + piece(v)
                continue
            try:  # a list or an object by its items and their types (0 and 0.0 are written apart)
                if t is list:
                    key = (t, tuple(v), tuple(map(type, v)))
                elif t is dict:
                    key = (t, tuple(v.items()), tuple(map(type, v.values())))
                else:
                    key = (t, v)
                p = pieces[key]
            except KeyError:
                p = piece(v)
                if len(pieces) >= 4096:
                    pieces.clear()
                pieces[key] = p
            except TypeError:  # not hashable (a dict, a list of lists)
                p = piece(v)
            line += sep + p
        line += self._end
        if shape is not None:
            if len(self._tails) >= 4096:
                self._tails.clear()
            self._tails[shape] = line
        return head + line

    def _piece(self, value: Any) -> str:
        """One value as it appears between the separators of a line."""
        text = data_cell(value) if self._data else cell(value)
        if self.csv_safe and isinstance(value, str):
            text = csv_safe(text)
        if self.fmt == "csv":  # minimal quoting, as the csv module does it
            return '"' + text.replace('"', '""') + '"' if _CSV_QUOTED.search(text) else text
        if self.fmt == "tsv":
            return _flat(text)
        return _flat(text).replace("|", "\\|")

    def write(self, n: int, rest: Any, kept: Any = "") -> None:
        if self.fmt == "table":
            self._rows.append({"line": n, **(kept or {}), **rest})
            self.count += 1
            if len(self._rows) >= self.TABLE_ROWS:
                self.flush()
            return
        if self.fmt == "json":
            self._buf.append(("\n  " if self.count == 0 else ",\n  ") + '{"line": ' + str(n) + kept + rest)
        else:
            self._buf.append(self._lead + str(n) + kept + rest)
        self.count += 1
        if len(self._buf) >= 4096:
            self.flush()

    def write_many(self, numbers: Iterable[int], rests: list[Any]) -> None:
        """Many lines at once: the numbers, each followed by its remembered text."""
        if self.fmt == "table":
            for n, rest in zip(numbers, rests):
                self.write(n, rest)
            return
        if self.fmt == "json":
            sep = ",\n  " + '{"line": '
            lead = ("\n  " if self.count == 0 else ",\n  ") + '{"line": '
            self._buf.append(lead + sep.join(map(str.__add__, map(str, numbers), rests)))
        else:
            lead = self._lead
            if lead:
                self._buf.append(lead + lead.join(map(str.__add__, map(str, numbers), rests)))
            else:  # interleave by slice assignment, without building each line first
                parts: list[str] = [""] * (2 * len(rests))
                parts[::2] = list(map(str, numbers))
                parts[1::2] = rests
                self._buf.append("".join(parts))
        self.count += len(rests)
        self.flush()

    def flush(self) -> None:
        if self._rows:
            rows, self._rows = self._rows, []
            keys = ["line", *self.keep, "input", *(self.keys or [])]
            _rich_table(rows, False, self.term, View(columns=keys))  # type: ignore[arg-type]
        if self._buf:
            self.out.write("".join(self._buf))
            self._buf.clear()

    def close(self) -> None:
        if self.fmt == "json":
            if self.keys is None:
                self._buf.append("[")
            self._buf.append("\n]\n" if self.count else "]\n")
        self.flush()


def _csv_line(values: list[str]) -> str:
    """One CSV row as the csv module writes it (minimal quoting)."""
    if len(values) > 1 and not any(map(_CSV_QUOTED.search, values)):  # nothing to quote
        return ",".join(values) + "\n"
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()
