"""What every command shares: the --format and --fields options and the hand-over to
output/present.py."""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer
from typer._types import TyperChoice

from dxcli.output import formats
from dxcli.output.render import Terminal


class FormatChoice(TyperChoice):
    """--format's choices: the format registry's names, read when they are needed (a format
    registered later is offered too)."""

    def __init__(self) -> None:
        super().__init__([], case_sensitive=True)

    @property  # type: ignore[override]
    def choices(self) -> Any:
        return tuple(formats.names())

    @choices.setter
    def choices(self, value: Any) -> None:
        pass


FormatOpt = Annotated[
    Optional[str],
    typer.Option(
        "--format",
        "-f",
        click_type=FormatChoice(),
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


def record_arg(kind: str, help: str) -> Any:
    """An optional NAME argument (``help``) that completes to the ids of ``kind``'s records."""
    from dxcli.cli.complete import names

    return Annotated[Optional[str], typer.Argument(help=help, autocompletion=names(kind))]


def condition_opt(help: str) -> Any:
    """``--condition``/``-c`` (``help``), completing to the conditions' ids."""
    from dxcli.cli.complete import names

    return Annotated[Optional[str], typer.Option("--condition", "-c", help=help, autocompletion=names("condition"))]


def terminal(ctx: typer.Context) -> Terminal:
    obj = ctx.find_root().obj
    if isinstance(obj, Terminal):
        return obj
    term = Terminal.from_env()
    ctx.find_root().obj = term
    return term


def present(ctx: typer.Context, result: Any, fmt: Optional[str], view: Optional[str] = None, **context: Any) -> None:
    """Hand ``result`` to output.present.present, with the terminal, --fields and the
    command's name from the Typer context."""
    from dxcli.output.present import present as hand

    hand(result, fmt, terminal(ctx), view=view, fields=given_fields(ctx), command=command_name(ctx), citations=_citation_names, **context)


def _citation_names() -> dict[str, str]:
    """Sources in words for a page (read only when a page names one)."""
    from dxcli.query.sources import citation_names

    return citation_names()


def command_name(ctx: typer.Context) -> str:
    """'maneuver', 'reference lint': the command as ``dxcli reference schema --output`` names it."""
    return " ".join(ctx.command_path.split()[1:]) or ctx.info_name or ""


def given_fields(ctx: typer.Context) -> Optional[str]:
    """The command's --fields, as given (every command that emits rows or records has it)."""
    return ctx.params.get("fields")


def warn(ctx: typer.Context, message: str) -> None:
    from dxcli.errors import tell

    tell(message, "dxcli: warning: ", "  ", terminal(ctx).stderr)
