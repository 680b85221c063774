"""What every command shares: the --format and --fields options and the hand-over to the renderer."""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Any, Optional

import typer

from dxcli.output.render import Terminal, View, render


class Fmt(str, Enum):
    table = "table"
    tsv = "tsv"
    csv = "csv"
    json = "json"
    ndjson = "ndjson"
    markdown = "markdown"


FormatOpt = Annotated[
    Optional[Fmt],
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: a table on a terminal, TSV with a header when piped.",
        show_default=False,
    ),
]

FieldsOpt = Annotated[
    Optional[str],
    typer.Option(
        "--fields",
        help="Only these fields, comma-separated and in this order (default: all); on a terminal, a table of them. "
        "The fields of a command's output: dxcli reference schema --output COMMAND.",
        show_default=False,
    ),
]


def terminal(ctx: typer.Context) -> Terminal:
    obj = ctx.find_root().obj
    if isinstance(obj, Terminal):
        return obj
    term = Terminal.from_env()
    ctx.find_root().obj = term
    return term


def pages() -> Any:
    """``dxcli.output.pages``, imported when a page is drawn: a command passes ``emit`` a
    builder that calls it, and the machine formats never import it."""
    from dxcli.output import pages as module

    return module


def emit(
    ctx: typer.Context, data: Any, fmt: Optional[Fmt], view: View | None = None, page: Any = None, fields: Optional[str] = None
) -> None:
    """Hand ``data`` to the renderer. For a person (a table on a terminal, or Markdown) a
    one-record result with a ``page`` builder becomes a page; a table gets readable headers,
    nested values as text and ids kept whole, and a list of records at narrow widths. Output
    taller than the terminal goes through the pager. With ``fields`` (--fields) only those
    fields are given, in every format; a person gets a table of them, not a page. ``fields``
    defaults to the command's own --fields."""
    if fields is None:
        fields = given_fields(ctx)
    if fields is not None:
        from dxcli.output.fields import parse, select

        names = parse(fields)
        data, page = select(data, names, command_name(ctx)), None
        view = (view or View()).replace(columns=names)
    term = terminal(ctx)
    kind = fmt.value if fmt else ("table" if term.is_tty else "tsv")
    if kind not in ("table", "markdown"):
        render(data, kind, term, view)
        return
    from dxcli.output import pager

    if page is not None and data:
        from dxcli.output.pages import doc_text

        text = doc_text(page(data), kind, term)
        if kind == "table":
            pager.show(text, term)
        else:
            term.stdout.write(text)
        return
    if kind == "markdown":
        render(data, kind, term, view)
        return
    view = _for_people(data, view or View())
    from dxcli.output.render import page_width

    if isinstance(data, list) and data and (page_width(term) < NARROW or not _fits(data, view, page_width(term))):
        from dxcli.output.pages import doc_text, records_doc

        pager.show(doc_text(records_doc(data, view), kind, term), term)
        return
    with pager.paged(term) as t:
        render(data, kind, t, view)


NARROW = 80  # below this many columns a list of records replaces a table


def _for_people(data: Any, view: View) -> View:
    """Headers in words (not snake_case keys), nested values as sentences, ids and numbers
    in columns that never fold."""
    import re

    from dxcli.output.pages import label, value_text

    rows = [data] if isinstance(data, dict) else list(data)
    keys = list(view.columns or [k for r in rows for k in r])
    headers = {k: label(k) for k in keys}
    headers.update(view.headers)
    shown = dict(view.shown)
    whole = list(view.whole)
    idlike = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+=]*(-[A-Za-z0-9.+=]+)*$")

    def token(v: Any) -> bool:
        return isinstance(v, (int, float)) or (isinstance(v, str) and len(v) <= 40 and bool(idlike.match(v)))

    for k in dict.fromkeys(keys):
        vals = [r.get(k) for r in rows if r.get(k) not in (None, "", [])]
        if k not in shown and any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v)) for v in vals):
            shown[k] = value_text
        if vals and all(map(token, vals)):
            whole.append(k)  # numbers and ids: copied into the next command whole
    return view.replace(headers=headers, shown=shown, whole=whole)


def _fits(data: Any, view: View, width: int) -> bool:
    """Whether a table of ``data`` fits ``width`` without folding a word: each whole column
    as wide as its widest line, each prose column as its longest word (and a column's
    padding), else the rows are shown as a list of records."""
    if not isinstance(data, list):
        return True
    need = 0
    for k in view.columns or list(dict.fromkeys(k for r in data for k in r)):
        texts = [view.table_cell(k, r.get(k)) for r in data] + [view.headers.get(k, k)]
        if k in view.whole or k in ("id", "rank"):
            need += max(len(line) for t in texts for line in t.split("\n")) + 2
        else:
            need += max((len(w) for t in texts for w in t.split()), default=1) + 2
    return need <= width


def command_name(ctx: typer.Context) -> str:
    """'maneuver', 'reference lint': the command as ``dxcli reference schema --output`` names it."""
    return " ".join(ctx.command_path.split()[1:]) or ctx.info_name or ""


def given_fields(ctx: typer.Context) -> Optional[str]:
    """The command's --fields, as given (every command that emits rows or records has it)."""
    return ctx.params.get("fields")


def emit_document(ctx: typer.Context, doc: Any, fmt: Optional[Fmt]) -> None:
    """A JSON document (a schema): pretty JSON, or one line with --format ndjson."""
    from dxcli.output.render import json_text

    if given_fields(ctx) is not None:
        from dxcli.errors import InvalidInput

        raise InvalidInput("--fields selects fields of rows; a schema is one document", hint="leave out --fields, or use jq on the document")
    compact = fmt is not None and fmt.value == "ndjson"
    text = json_text(doc, indent=None if compact else 2)
    terminal(ctx).stdout.write(text + "\n")


def warn(ctx: typer.Context, message: str) -> None:
    from dxcli.errors import tell

    tell(message, "dxcli: warning: ", "  ", terminal(ctx).stderr)
