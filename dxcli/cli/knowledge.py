"""Commands over the conditions: the differential (with reasoning), one condition, findings, cases."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from pathlib import Path
from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, record_arg
from dxcli.cli.complete import names

ConditionArg = record_arg("condition", "A condition id, name or alias; none: every condition.")
FindingArg = record_arg("finding", "A finding id or name.")
FindingKindOpt = Annotated[Optional[str], typer.Option("--kind", "-k", help="A kind of finding, e.g. history, examination, imaging (the data's own kinds).")]
CaseFileArg = Annotated[Optional[Path], typer.Argument(help="A case file (TOML); default: the review's vignette.")]


def register(app: typer.Typer) -> None:
    @app.command(
        epilog="Examples:\n\n  dxcli differential                 # the presenting complaints\n\n"
        "  dxcli differential buttock         # the 13 conditions of the review's Table 2\n\n"
        "  dxcli differential buttock --finding neurologic-deficit --finding pain-worse-with-sitting\n\n"
        "  dxcli differential buttock -F posterior-thigh-radiation --absent neurologic-deficit --next\n\n"
        "  dxcli differential buttock -f json | jq -r '.[].name'"
    )
    def differential(
        ctx: typer.Context,
        complaint: Annotated[Optional[str], typer.Argument(help="A presenting complaint, e.g. 'buttock'.")] = None,
        finding: Annotated[Optional[list[str]], typer.Option("--finding", "-F", help="A finding present (repeatable; ids from 'dxcli finding').", autocompletion=names("finding"))] = None,
        absent: Annotated[Optional[list[str]], typer.Option("--absent", "-A", help="A finding looked for and absent (repeatable).", autocompletion=names("finding"))] = None,
        next_: Annotated[bool, typer.Option("--next", help="Show what to examine next for the leading conditions.")] = False,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
        no_simulation: Annotated[bool, typer.Option("--no-simulation", help="Skip the simulation intervals of the combined LRs and how firm each LR-decided order is.")] = False,
        draws: Annotated[Optional[int], typer.Option("--draws", help="Draws for the simulation (1-100,000; default 2,000).")] = None,
        seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the simulation's draws (default fixed).")] = None,
    ) -> None:
        """List the differential for a complaint; with findings, rank it and show the reasoning.

        A finding not given is unknown and counts neither way. The ranking is ordinal
        (statements for minus statements against); likelihood ratios are shown where a
        maneuver has stated accuracy. dxcli is a reference, not a diagnosis.
        """
        from dxcli.query import reasoning

        result = reasoning.differential(complaint, finding or [], absent or [], next_, not no_simulation, draws, seed)
        if complaint is None:
            present(ctx, result, fmt, "complaints")
        elif isinstance(result, list):  # the review's table, in its order
            from dxcli.query.lookup import find_record

            present(ctx, result, fmt, "differential", complaint=find_record("complaint", complaint, "complaint"))
        else:
            from dxcli.output.reports import ranking

            present(ctx, ranking(result), fmt, "ranking", title=f"Ranked differential: {complaint}", finding_names=reasoning.finding_names)

    @app.command(
        epilog="Examples:\n\n  dxcli condition                  # every condition\n\n  dxcli condition \"gluteus medius tendinopathy\"\n\n"
        "  dxcli condition lumbosacral-radiculopathy -f json | jq '.figures'"
    )
    def condition(ctx: typer.Context, name: ConditionArg = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Show one condition in full: presentation, diagnosis, pearls, deep dive, figures, links."""
        from dxcli.query import conditions

        if name is None:  # every list command works bare: the conditions, in the data's order
            present(ctx, conditions.conditions(), fmt, "conditions")
            return
        present(ctx, conditions.detail(name), fmt, "condition", names=conditions.names)

    @app.command(
        epilog="Examples:\n\n  dxcli finding                    # the findings vocabulary\n\n"
        "  dxcli finding --kind red-flag\n\n  dxcli finding neurologic-deficit -f json"
    )
    def finding(ctx: typer.Context, name: FindingArg = None, kind: FindingKindOpt = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """The findings vocabulary used by 'differential --finding' and case files."""
        from dxcli.query import reasoning

        present(ctx, reasoning.findings(name, kind), fmt, "findings" if name is None else "finding")

    @app.command(
        epilog="Examples:\n\n  dxcli case                       # the review's vignette, step by step\n\n"
        "  dxcli case my-patient.toml       # your own case file (see README)\n\n"
        "  dxcli case --schema              # the case file's JSON Schema\n\n"
        "  dxcli case -f json | jq '.stages[-1].conditions[0].id'"
    )
    def case(
        ctx: typer.Context,
        file: CaseFileArg = None,
        schema: Annotated[bool, typer.Option("--schema", help="Print the case file's JSON Schema and exit.")] = False,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Walk through a case: the history and its ranking, the examination and the new ranking,
        then what was done and the outcome."""

        from dxcli.query import cases, reasoning

        if schema:
            from dxcli.output.present import Document

            present(ctx, Document(cases.schema()), fmt)
            return
        present(ctx, cases.case(file), fmt, "case", finding_names=reasoning.finding_names)
