"""Values as text: the cell encodings every format shares (a person's cell, the data cell of
CSV and TSV, JSON text), the terminal the output goes to, and a table's view of rows.

The formats themselves are in output/formats.py; what a person sees, output/present.py.
"""

from __future__ import annotations

import math
import os
import re
import sys
from typing import Any, Callable, Optional, Sequence, TextIO

# C0/C1 control characters (ESC among them) other than tab and newline, and the bidirectional
# embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), which reorder what a
# terminal shows ("Trojan Source"): shown as escapes, never acted on.
# What JSON leaves raw but a terminal would act on: escaped as \\uXXXX in JSON text (JSON
# itself escapes U+0000-U+001F). Line and paragraph separators too, for JavaScript readers.
_JSON_UNSAFE = "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
# Cells a spreadsheet would read as a formula (--csv-safe), unless they are plain numbers.
_FORMULA = r"^[=+\-@\t\r]"
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

    if indent is not None and separators is None:
        return valid_text(indented_json(value, indent, inert=True))
    return _inert_json(valid_text(json.dumps(json_safe(value), ensure_ascii=False, indent=indent, separators=separators)))


def _inert_json(text: str) -> str:
    """JSON text with what a terminal acts on (``_JSON_UNSAFE``) as \\u escapes."""
    if text.isascii() and "\x7f" not in text:  # the common case: nothing a terminal acts on
        return text
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", text)


def indented_json(value: Any, indent: int, inert: bool = False) -> str:
    """``json.dumps(json_safe(value), ensure_ascii=False, indent=indent)``, the same text, in one
    walk: json.dumps with an indent runs its pure-Python encoder, a generator per container
    (about twice as slow on the 115 KB of a case), after ``json_safe`` has copied the value.
    Strings go through json's own C string encoder; an unbounded or undefined number is null
    (``json_safe``); keys are spelled as json spells them; anything else is json's TypeError.
    ``inert``: each string as ``_inert_json`` makes it (what a terminal acts on can only be
    inside a string; looked for there, the few strings not plain ASCII are searched, not the
    whole text)."""
    from json.encoder import encode_basestring as plain  # the C function json.dumps(ensure_ascii=False) uses

    def inert_string(s: str) -> str:
        t = plain(s)
        return t if t.isascii() and "\x7f" not in t else _inert_json(t)

    encode_basestring = inert_string if inert else plain

    parts: list[str] = []
    add = parts.append
    isinf, isnan = math.isinf, math.isnan
    step = " " * indent

    def key_text(k: Any) -> str:
        if isinstance(k, str):
            return encode_basestring(k)
        if isinstance(k, float):  # json_safe leaves keys alone: json's own spelling of them
            return encode_basestring("NaN" if k != k else "Infinity" if k == math.inf else "-Infinity" if k == -math.inf else float.__repr__(k))
        if k is True:
            return '"true"'
        if k is False:
            return '"false"'
        if k is None:
            return '"null"'
        if isinstance(k, int):
            return encode_basestring(int.__repr__(k))
        raise TypeError(f"keys must be str, int, float, bool or None, not {k.__class__.__name__}")

    def leaf(o: Any) -> Optional[str]:
        """The text of a plain str, None, bool, int or float; None for anything else."""
        t = type(o)
        if t is str:
            return encode_basestring(o)
        if o is None:
            return "null"
        if o is True:
            return "true"
        if o is False:
            return "false"
        if t is int:
            return int.__repr__(o)
        if t is float:
            return "null" if isinf(o) or isnan(o) else float.__repr__(o)
        return None

    def enc(o: Any, pad: str) -> None:
        text = leaf(o)
        if text is not None:
            add(text)
        elif isinstance(o, float):
            add("null" if isinf(o) or isnan(o) else float.__repr__(o))
        elif isinstance(o, str):
            add(encode_basestring(o))
        elif isinstance(o, int):
            add(int.__repr__(o))
        elif isinstance(o, (list, tuple)):
            if not o:
                add("[]")
                return
            inner = pad + step
            sep = "[\n" + inner
            for v in o:
                text = leaf(v)
                if text is not None:
                    add(sep + text)
                else:
                    add(sep)
                    enc(v, inner)
                sep = ",\n" + inner
            add("\n" + pad + "]")
        elif isinstance(o, dict):
            if not o:
                add("{}")
                return
            inner = pad + step
            sep = "{\n" + inner
            for k, v in o.items():
                key = encode_basestring(k) if type(k) is str else key_text(k)
                text = leaf(v)
                if text is not None:
                    add(f"{sep}{key}: {text}")
                else:
                    add(f"{sep}{key}: ")
                    enc(v, inner)
                sep = ",\n" + inner
            add("\n" + pad + "}")
        else:
            raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")

    enc(value, "")
    return "".join(parts)


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
    """One value as flat text for a person: Markdown and tables. Text, whole numbers and
    true/false as in CSV and TSV (``data_cell``); a missing value a dash in a table, an
    unbounded number ∞."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:
        return data_cell(value)
    if value is None:
        return "" if not for_table else "—"
    if kind is float:
        if math.isinf(value):
            return "∞" if value > 0 else "-∞"
        return "—" if math.isnan(value) else format_number(value)
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


def json_safe(value: Any) -> Any:
    """A value as JSON carries it: an unbounded or undefined number becomes null."""
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def page_width(term: Terminal) -> int:
    """The terminal's real width (not only ``COLUMNS``), or 100 when not a terminal."""
    if term.width:
        return term.width
    if term.is_tty:
        import shutil

        return shutil.get_terminal_size((100, 24)).columns
    return 100
