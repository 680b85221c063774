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


def emit(ctx: typer.Context, data: Any, fmt: Optional[Fmt], view: View | None = None) -> None:
    render(data, fmt.value if fmt else None, terminal(ctx), view)


def emit_document(ctx: typer.Context, doc: Any, fmt: Optional[Fmt]) -> None:
    """A JSON document (a schema): pretty JSON, or one line with --format ndjson."""
    from dxcli.output.render import json_text

    compact = fmt is not None and fmt.value == "ndjson"
    text = json_text(doc, indent=None if compact else 2)
    terminal(ctx).stdout.write(text + "\n")


def warn(ctx: typer.Context, message: str) -> None:
    terminal(ctx).stderr.write(f"dxcli: warning: {message}\n")
