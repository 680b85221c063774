"""The one renderer: rows in, text out, in every format.

Commands hand over rows (``list[dict]``) or one record (``dict``); only this
module knows table, TSV, CSV, JSON, NDJSON and Markdown. Rich is imported
only when a table is drawn.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import sys
from itertools import chain
from typing import Any, Callable, Iterable, Sequence, TextIO

# C0/C1 control characters (ESC among them) other than tab and newline.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Lone surrogates: bytes of the input that were not UTF-8 (Python's surrogateescape).
_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """Text that can be written as UTF-8: undecodable input bytes become U+FFFD."""
    return _SURROGATE.sub("\ufffd", text)


class Terminal:
    """What the output is going to: injected in tests, read from the process otherwise."""

    __slots__ = ("stdout", "stderr", "is_tty", "color", "width")

    def __init__(self, stdout: TextIO, stderr: TextIO, is_tty: bool, color: bool, width: int | None = None) -> None:
        self.stdout, self.stderr, self.is_tty, self.color, self.width = stdout, stderr, is_tty, color, width

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
        title_style: str | None = None,
        whole: Sequence[str] = (),
    ) -> None:
        self.columns, self.title, self.caption, self.title_style = columns, title, caption, title_style
        self.whole = tuple(whole)  # columns never folded (ids, numbers), besides id and rank
        self.headers = headers or {}
        self.shown = shown or {}

    def replace(self, **changes: Any) -> "View":
        return View(**{**vars(self), **changes})

    def table_cell(self, key: str, value: Any) -> str:
        if key in self.shown:
            return inert(self.shown[key](value))
        return cell(value, for_table=True)


def inert(text: str) -> str:
    """Neutralise control characters (ANSI escapes) in data shown as text."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", valid_text(text))


def cell(value: Any, *, for_table: bool = False) -> str:
    """One value as flat text for TSV, CSV, Markdown and tables."""
    if value is None:
        return "" if not for_table else "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isinf(value):
            return "∞" if for_table else "inf"
        return format_number(value)
    if isinstance(value, (list, tuple)):
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value) and len(value) == 2:
            return f"{cell(value[0], for_table=for_table)}–{cell(value[1], for_table=for_table)}"
        parts = [cell(v, for_table=for_table) for v in value]
        if not for_table:
            return "; ".join(parts)
        short = all(len(p) <= 24 for p in parts) and sum(map(len, parts)) <= 80  # codes, roots, ids
        return (", " if short else "\n").join(parts)
    if isinstance(value, dict):
        if for_table and "text" in value:
            return inert(str(value["text"]))
        return json.dumps(_json_safe(value), ensure_ascii=False, separators=(",", ":"))
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
        out.write(valid_text(json.dumps(_json_safe(data), ensure_ascii=False, indent=2)) + "\n")
    elif fmt == "ndjson":
        for r in rows:
            out.write(valid_text(json.dumps(_json_safe(r), ensure_ascii=False)) + "\n")
    elif fmt in ("tsv", "csv"):
        keys = _keys(rows, view)
        if fmt == "tsv":
            out.write("\t".join(keys) + "\n")
            for r in rows:
                out.write("\t".join(_flat(cell(r.get(k))) for k in keys) + "\n")
        else:
            import csv

            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(keys)
            for r in rows:
                w.writerow([cell(r.get(k)) for k in keys])
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
    """One part of a report: its rows, the ``kind`` its NDJSON lines carry, how a person sees it."""

    def __init__(self, kind: str, rows: list[dict[str, Any]], view: "View") -> None:
        self.kind, self.rows, self.view = kind, rows, view


class Entry:
    """One record on a page: a heading line, then lines of text, each at an indent level."""

    def __init__(self, heading: str, lines: list[tuple[int, str]]) -> None:
        self.heading, self.lines = heading, lines


class Page:
    """A titled part of a page for a person: entries (records) or plain paragraphs."""

    def __init__(self, title: str, entries: list[Entry], note: str | None = None, alert: bool = False) -> None:
        self.title, self.entries, self.note, self.alert = title, entries, note, alert


def page_width(term: Terminal) -> int:
    """The terminal's real width (not only ``COLUMNS``), or 100 when not a terminal."""
    if term.width:
        return term.width
    if term.is_tty:
        import shutil

        return shutil.get_terminal_size((100, 24)).columns
    return 100


def render_pages(pages: list[Page], fmt: str, term: Terminal) -> None:
    """Pages as wrapped text on a terminal (words never split, ids never folded) or as Markdown."""
    import textwrap

    out = term.stdout
    width = max(page_width(term), 20)
    bold = (lambda t: f"\x1b[1m{t}\x1b[0m") if term.color else (lambda t: t)
    red = (lambda t: f"\x1b[1;31m{t}\x1b[0m") if term.color else (lambda t: t)
    for page in pages:
        if not page.entries:
            continue
        if fmt == "markdown":
            out.write(f"## {inert(page.title)}\n\n")
            for e in page.entries:
                out.write(f"- **{inert(e.heading)}**\n")
                for level, text in e.lines:
                    out.write("  " * (level + 1) + "- " + _flat(inert(text)) + "\n")
            if page.note:
                out.write(f"\n{inert(page.note)}\n")
            out.write("\n")
            continue
        out.write((red if page.alert else bold)(inert(page.title)) + "\n\n")
        for e in page.entries:
            for line in textwrap.wrap(inert(e.heading), width, break_long_words=False, break_on_hyphens=False) or [""]:
                out.write(bold(line) + "\n")
            for level, text in e.lines:
                pad = "  " * (level + 1)
                lines = textwrap.wrap(inert(text), width, initial_indent=pad, subsequent_indent=pad + "  ",
                                      break_long_words=False, break_on_hyphens=False)
                out.write("\n".join(lines) + "\n")
            out.write("\n")
        if page.note:
            out.write(textwrap.fill(inert(page.note), width, break_long_words=False, break_on_hyphens=False) + "\n\n")


def render_report(doc: dict[str, Any], sections: list[Section], flat: list[dict[str, Any]], fmt: str | None, term: Terminal, pages: "list[Page] | None" = None) -> None:
    """A report of several parts: JSON gets ``doc`` whole; NDJSON one object a line with its
    section's ``kind``, in section order; CSV and TSV the ``flat`` rows, with list and object
    cells as JSON; a table or Markdown the ``pages`` for a person, or else each non-empty
    section in order, under its title."""
    fmt = fmt or ("table" if term.is_tty else "tsv")
    out = term.stdout
    if fmt == "json":
        render(doc, fmt, term)
    elif fmt == "ndjson":
        for sec in sections:
            for r in sec.rows:
                out.write(valid_text(json.dumps(_json_safe({"kind": sec.kind, **r}), ensure_ascii=False)) + "\n")
    elif fmt in ("tsv", "csv"):
        def as_cell(v: Any) -> Any:
            if isinstance(v, (list, dict)):
                return json.dumps(_json_safe(v), ensure_ascii=False, separators=(",", ":"))
            return v

        render([{k: as_cell(v) for k, v in r.items()} for r in flat], fmt, term)
    elif pages is not None:
        render_pages(pages, fmt, term)
    else:
        for sec in sections:
            if not sec.rows:
                continue
            if fmt == "markdown" and sec.view.title:
                out.write(f"## {sec.view.title}\n\n")
            render(sec.rows, fmt, term, sec.view)
            if fmt == "markdown":
                if sec.view.caption:
                    out.write(f"\n{sec.view.caption}\n")
                out.write("\n")


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
        t = Table(box=box.SIMPLE_HEAD, title=view.title, caption=view.caption, **({"title_style": view.title_style} if view.title_style else {}))
        for k in keys:  # ids are copied into the next command: never folded
            t.add_column(view.headers.get(k, k), overflow="fold", no_wrap=k in ("id", "rank") or k in view.whole)
        for r in rows:
            t.add_row(*(Text(view.table_cell(k, r.get(k))) for k in keys))
    console.print(t)


class StreamWriter:
    """Writes batch results line by line. Each result is a prefix (line number and input) and
    a tail (the computed fields); the tail's text can be reused for a repeated input."""

    def __init__(self, fmt: str, out: TextIO) -> None:
        self.fmt = "markdown" if fmt == "table" else fmt
        self.out = out
        self.keys: list[str] | None = None
        self.count = 0
        self._buf: list[str] = []
        self._lead = {"ndjson": '{"line": ', "markdown": "| "}.get(self.fmt, "")

    def start(self, keys: list[str]) -> None:
        self.keys = keys
        head = ["line", "input", *keys]
        if self.fmt == "csv":
            self._buf.append(_csv_line(head))
        elif self.fmt == "tsv":
            self._buf.append("\t".join(head) + "\n")
        elif self.fmt == "markdown":
            self._buf.append("| " + " | ".join(head) + " |\n|" + " --- |" * len(head) + "\n")
        elif self.fmt == "json":
            self._buf.append("[")

    def rest(self, text: str, row: dict[str, Any]) -> str:
        """Everything of a result's line after its line number: the input and the fields."""
        keys = self.keys or list(row)
        if self.fmt in ("json", "ndjson"):
            body = valid_text(json.dumps(_json_safe({"input": text, **{k: row.get(k) for k in keys}}), ensure_ascii=False))
            return ", " + body[1:] + ("\n" if self.fmt == "ndjson" else "")
        vals = [inert(text), *(cell(row.get(k)) for k in keys)]
        if self.fmt == "csv":
            return "," + _csv_line(vals)
        if self.fmt == "tsv":
            return "\t" + "\t".join(_flat(v) for v in vals) + "\n"
        return " | " + " | ".join(_flat(v).replace("|", "\\|") for v in vals) + " |\n"

    def write(self, n: int, rest: str) -> None:
        if self.fmt == "json":
            self._buf.append(("\n  " if self.count == 0 else ",\n  ") + '{"line": ' + str(n) + rest)
        else:
            self._buf.append(self._lead + str(n) + rest)
        self.count += 1
        if len(self._buf) >= 4096:
            self.flush()

    def write_many(self, numbers: Iterable[int], rests: list[str]) -> None:
        """Many lines at once: the numbers, each followed by its remembered text."""
        if self.fmt == "json":
            sep = ",\n  " + '{"line": '
            lead = ("\n  " if self.count == 0 else ",\n  ") + '{"line": '
            self._buf.append(lead + sep.join(map(str.__add__, map(str, numbers), rests)))
        else:
            lead = self._lead
            if lead:
                self._buf.append(lead + lead.join(map(str.__add__, map(str, numbers), rests)))
            else:  # interleave without building each line first: one copy of the text
                self._buf.append("".join(chain.from_iterable(zip(map(str, numbers), rests))))
        self.count += len(rests)
        self.flush()

    def flush(self) -> None:
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
    import csv

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()
