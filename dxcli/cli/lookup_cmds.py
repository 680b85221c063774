"""Reference queries: anatomy, muscles, nerves, innervation, maneuvers, tests, red flags,
search, sources, citations and data-set information."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present
from dxcli.cli.complete import names


def _ex(*lines: str) -> str:
    return "Examples:\n\n" + "\n\n".join("  " + line for line in lines)


PretestOpt = Annotated[
    Optional[str],
    typer.Option("--pretest", "-p", help="Pre-test probability (0.3 or 30%): adds post-test probabilities."),
]


def register(app: typer.Typer) -> None:
    @app.command(epilog=_ex("dxcli anatomy", "dxcli anatomy iliofemoral-ligament", "dxcli anatomy -f json | jq '.[] | select(.kind==\"ligament\")'"))
    def anatomy(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A structure id or name.", autocompletion=names("structure"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Bones, landmarks, joints and ligaments (the bundled data: the buttock region)."""
        from dxcli.query import anatomy as q

        if name is None:
            present(ctx, q.structures(), fmt, "structures")
        else:
            present(ctx, q.structure(name), fmt, "structure")

    @app.command(epilog=_ex("dxcli muscle", "dxcli muscle \"gluteus medius\"", "dxcli muscle -f csv"))
    def muscle(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A muscle id, name or alias.", autocompletion=names("muscle"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Muscles: origin, insertion, action, nerve and root levels (Table 1 and the hamstrings)."""
        from dxcli.query import anatomy as q

        present(ctx, q.muscles(name), fmt, "muscle", asked=name is not None)

    @app.command(epilog=_ex("dxcli nerve", "dxcli nerve sciatic", "dxcli nerve -f json | jq '.[].roots'"))
    def nerve(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A nerve id, name or alias.", autocompletion=names("nerve"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Nerves with their roots, their plexus, and the muscles they supply."""
        from dxcli.query import anatomy as q

        data = q.nerves(name)
        present(ctx, data, fmt, "nerve" if isinstance(data, dict) else "nerves")

    @app.command(
        epilog=_ex(
            "dxcli innervation                          # every muscle, its nerve and roots",
            "dxcli innervation L5                       # every muscle L5 supplies, and through which nerve",
            "dxcli innervation \"superior gluteal nerve\"  # the muscles of a nerve",
            "dxcli innervation piriformis               # a muscle's nerve and roots",
        )
    )
    def innervation(
        ctx: typer.Context,
        query: Annotated[Optional[str], typer.Argument(help="A root (L4, L5, S1...), a nerve, or a muscle; none: every muscle.")] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Innervation in all three directions: root -> muscles, nerve -> muscles, muscle -> nerve."""
        from dxcli.query import anatomy as q

        if query is None:  # every muscle with its nerve and roots
            present(ctx, q.innervation_all(), fmt, "innervation", title="Innervation of every muscle")
            return
        present(ctx, q.innervation(query), fmt, "innervation")

    @app.command(
        epilog=_ex(
            "dxcli maneuver                              # every maneuver",
            "dxcli maneuver faber                        # Patrick's test: one row per target condition",
            "dxcli maneuver \"modified bent knee\" -f json",
            "dxcli maneuver --condition \"gluteus medius tendinopathy\"   # strongest first",
            "dxcli maneuver faber --condition gluteus-medius-tendinopathy --pretest 0.3",
        )
    )
    def maneuver(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A maneuver id, name or alias.", autocompletion=names("maneuver"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only evidence for this condition.", autocompletion=names("condition"))] = None,
        pretest: PretestOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Exam maneuvers: accuracy as stated, likelihood ratios computed, and what they mean."""
        _accuracy(ctx, "maneuver", name, condition, pretest, fmt)

    @app.command(
        epilog=_ex(
            "dxcli test                       # every diagnostic test",
            "dxcli test needle-emg -f json    # six-muscle EMG for radiculopathy",
            "dxcli test --condition avn",
        )
    )
    def test(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A test id, name or alias.", autocompletion=names("test"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only evidence for this condition.", autocompletion=names("condition"))] = None,
        pretest: PretestOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Diagnostic tests (imaging, EMG, blocks, laboratory): role, accuracy, likelihood ratios."""
        _accuracy(ctx, "test", name, condition, pretest, fmt)

    @app.command(epilog=_ex("dxcli redflags", "dxcli redflags saddle-anesthesia", "dxcli redflags --condition lumbosacral-radiculopathy -f json"))
    def redflags(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A red flag's id or name; none: every red flag.", autocompletion=names("red_flag"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only the red flags of this condition.", autocompletion=names("condition"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Red flags: each flag, why it matters, what the review says to do, and its source."""
        from dxcli.query import sources

        if name is not None:
            if condition is not None:
                from dxcli.errors import InvalidInput

                raise InvalidInput("give a red flag or --condition, not both", hint="e.g. dxcli redflags --condition lumbosacral-radiculopathy")
            present(ctx, sources.red_flag(name), fmt, "red_flags")
            return
        if condition is None:
            present(ctx, sources.red_flags(), fmt, "red_flags")
            return
        from dxcli.query.lookup import find_record

        cond = find_record("condition", condition, "condition")
        rows = sources.red_flags(cond["id"])  # the id: the lookup (and its notice) happens once
        present(ctx, rows, fmt, "red_flags", title=f"Red flags of {cond['name']}", shown_condition=cond["id"])

    @app.command(epilog=_ex("dxcli search hamstring", "dxcli search \"pain sitting\"", "dxcli search hamstrng -f json | jq '.[0]'"))
    def search(
        ctx: typer.Context,
        text: Annotated[list[str], typer.Argument(help="Words to look for (typos and word order tolerated); quoting them is optional.")],
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=500, help="At most this many results.")] = 20,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Search every kind of record, best matches first."""
        from dxcli.query import sources

        present(ctx, sources.search(" ".join(text), limit), fmt, "search")

    @app.command(epilog=_ex("dxcli sources", "dxcli sources -f csv > citations.csv"))
    def sources(ctx: typer.Context, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Every citation: the review, and each primary source that was read."""
        from dxcli.query import sources as q

        present(ctx, q.citation_rows(), fmt, "sources")

    @app.command(epilog=_ex("dxcli cite faber", "dxcli cite avascular-necrosis-hip -f json | jq '.[] | select(.type==\"note: disagreement\")'"))
    def cite(
        ctx: typer.Context,
        record_id: Annotated[str, typer.Argument(metavar="ID", help="Any record's id (or name).")],
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Where a record's facts come from, including recorded disagreements between sources."""
        from dxcli.query import sources

        present(ctx, sources.cite(record_id), fmt, "cite")

    @app.command(epilog=_ex("dxcli info", "dxcli info -f json | jq .data_sha256"))
    def info(ctx: typer.Context, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Tool version, data version with its content hash, and record counts."""
        from dxcli.query import sources

        present(ctx, sources.info(), fmt)


EXAMPLE = {"maneuver": "modified-bent-knee", "test": "needle-emg"}  # one condition each: --pretest applies


def _accuracy(ctx: typer.Context, kind: str, name, condition, pretest, fmt) -> None:
    from dxcli.query import accuracy as q

    p = None
    if pretest is not None:
        from dxcli.calc.probability import parse_probability

        p = parse_probability(pretest, "pre-test probability")
    if name is None and condition is None:
        if p is not None:
            from dxcli.errors import InvalidInput

            raise InvalidInput("--pretest needs a maneuver or test name", hint=f"e.g. dxcli {kind} {EXAMPLE[kind]} --pretest 0.3")
        present(ctx, q.list_records(kind), fmt, "accuracy_list")
        return
    if name is None:
        rows = q.rows_for_condition(kind, condition, p)
    else:
        rows = q.rows_for(kind, name, p)
        if condition is not None:
            from dxcli.errors import NotFound
            from dxcli.query.lookup import find_record

            cid = find_record("condition", condition, "condition", exact=p is not None)["id"]
            rows = [r for r in rows if r["condition"] == cid]
            if not rows:
                raise NotFound(f"{name!r} has no evidence for {cid}", hint=f"see 'dxcli {kind} {name}'")
    from dxcli.query.conditions import condition_record, names as names_of

    cid = rows[0]["condition"] if rows else None
    present(ctx, rows, fmt, "accuracy", kind=kind, asked=name is not None, pretest=p is not None,
            condition=lambda: condition_record(cid), names=names_of)
