"""Commands over the conditions: the differential and one condition in full."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FormatOpt, emit
from dxcli.output.render import View


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n  dxcli differential                 # the presenting complaints\n\n"
        "  dxcli differential buttock         # the 13 conditions of the review's Table 2\n\n"
        "  dxcli differential buttock -f json | jq -r '.[].name'"
    )
    def differential(
        ctx: typer.Context,
        complaint: Annotated[Optional[str], typer.Argument(help="A presenting complaint, e.g. 'buttock'.")] = None,
        fmt: FormatOpt = None,
    ) -> None:
        """List the differential diagnosis for a presenting complaint."""
        from dxcli.query import conditions

        if complaint is None:
            emit(ctx, conditions.complaints(), fmt, View(columns=["id", "name", "conditions"]))
            return
        rows = conditions.differential(complaint)
        emit(
            ctx,
            rows,
            fmt,
            View(columns=["rank", "id", "name", "presentation", "icd10cm"], title=f"Differential: {complaint}"),
        )

    @app.command(
        epilog="Examples:\n\n  dxcli condition \"gluteus medius tendinopathy\"\n\n"
        "  dxcli condition avn -f json | jq '.figures'"
    )
    def condition(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="A condition id, name or alias.")],
        fmt: FormatOpt = None,
    ) -> None:
        """Show one condition in full: presentation, diagnosis, pearls, deep dive, figures, links."""
        from dxcli.query import conditions

        emit(ctx, conditions.detail(name), fmt)
