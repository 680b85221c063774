"""What every command shares: the --format option and the hand-over to the renderer."""

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


def emit(ctx: typer.Context, data: Any, fmt: Optional[Fmt], view: View | None = None, page: Any = None) -> None:
    """Hand ``data`` to the renderer. For a person (a table on a terminal, or Markdown) a
    one-record result with a ``page`` builder becomes a page; a table gets readable headers,
    nested values as text and ids kept whole, and a list of records at narrow widths. Output
    taller than the terminal goes through the pager."""
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

    if isinstance(data, list) and data and page_width(term) < NARROW:
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
    for k in dict.fromkeys(keys):
        vals = [r.get(k) for r in rows if r.get(k) not in (None, "", [])]
        if k not in shown and any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v)) for v in vals):
            shown[k] = value_text
        if vals and all(isinstance(v, (int, float)) or (isinstance(v, str) and len(v) <= 40 and idlike.match(v)) for v in vals):
            whole.append(k)
    return view.replace(headers=headers, shown=shown, whole=whole)


def emit_document(ctx: typer.Context, doc: Any, fmt: Optional[Fmt]) -> None:
    """A JSON document (a schema): pretty JSON, or one line with --format ndjson."""
    from dxcli.output.render import json_text

    compact = fmt is not None and fmt.value == "ndjson"
    text = json_text(doc, indent=None if compact else 2)
    terminal(ctx).stdout.write(text + "\n")


def warn(ctx: typer.Context, message: str) -> None:
    terminal(ctx).stderr.write(f"dxcli: warning: {message}\n")
