"""Reference queries: anatomy, muscles, nerves, innervation, maneuvers, tests, red flags,
search, sources, citations and data-set information."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, condition_opt, present, record_arg


def _ex(*lines: str) -> str:
    return "Examples:\n\n" + "\n\n".join("  " + line for line in lines)


PretestOpt = Annotated[
    Optional[str],
    typer.Option("--pretest", "-p", help="Pre-test probability (0.3 or 30%): adds post-test probabilities."),
]
StructureArg = record_arg("structure", "A structure id or name.")
MuscleArg = record_arg("muscle", "A muscle id, name or alias.")
NerveArg = record_arg("nerve", "A nerve id, name or alias.")
InnervationArg = Annotated[Optional[str], typer.Argument(help="A root (L4, L5, S1...), a nerve, or a muscle; none: every muscle.")]
RedFlagArg = record_arg("red_flag", "A red flag's id or name; none: every red flag.")
EvidenceConditionOpt = condition_opt("Only evidence for this condition.")
RedFlagConditionOpt = condition_opt("Only the red flags of this condition.")

# maneuver and test: one command each, the same code (kind, help, its NAME's help, examples)
ACCURACY = (
    ("maneuver", "Exam maneuvers: accuracy as stated, likelihood ratios computed, and what they mean.",
     "A maneuver id, name or alias.",
     ("dxcli maneuver                              # every maneuver",
      "dxcli maneuver faber                        # Patrick's test: one row per target condition",
      "dxcli maneuver \"modified bent knee\" -f json",
      "dxcli maneuver --condition \"gluteus medius tendinopathy\"   # strongest first",
      "dxcli maneuver faber --condition gluteus-medius-tendinopathy --pretest 0.3")),
    ("test", "Diagnostic tests (imaging, EMG, blocks, laboratory): role, accuracy, likelihood ratios.",
     "A test id, name or alias.",
     ("dxcli test                       # every diagnostic test",
      "dxcli test needle-emg -f json    # six-muscle EMG for radiculopathy",
      "dxcli test --condition avn")),
)


def register(app: typer.Typer) -> None:
    @app.command(epilog=_ex("dxcli anatomy", "dxcli anatomy iliofemoral-ligament", "dxcli anatomy -f json | jq '.[] | select(.kind==\"ligament\")'"))
    def anatomy(ctx: typer.Context, name: StructureArg = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Bones, landmarks, joints and ligaments (the bundled data: the buttock region)."""
        from dxcli.query import anatomy as q

        present(ctx, q.anatomy(name), fmt, "structures" if name is None else "structure")

    @app.command(epilog=_ex("dxcli muscle", "dxcli muscle \"gluteus medius\"", "dxcli muscle -f csv"))
    def muscle(ctx: typer.Context, name: MuscleArg = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Muscles: origin, insertion, action, nerve and root levels (Table 1 and the hamstrings)."""
        from dxcli.query import anatomy as q

        present(ctx, q.muscles(name), fmt, "muscle", asked=name is not None)

    @app.command(epilog=_ex("dxcli nerve", "dxcli nerve sciatic", "dxcli nerve -f json | jq '.[].roots'"))
    def nerve(ctx: typer.Context, name: NerveArg = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
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
    def innervation(ctx: typer.Context, query: InnervationArg = None, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Innervation in all three directions: root -> muscles, nerve -> muscles, muscle -> nerve."""
        from dxcli.query import anatomy as q

        present(ctx, q.innervation(query), fmt, "innervation", title="Innervation of every muscle" if query is None else None)

    for kind, doc, arg_help, examples in ACCURACY:
        _accuracy_command(app, kind, doc, arg_help, examples)

    @app.command(epilog=_ex("dxcli redflags", "dxcli redflags saddle-anesthesia", "dxcli redflags --condition lumbosacral-radiculopathy -f json"))
    def redflags(
        ctx: typer.Context,
        name: RedFlagArg = None,
        condition: RedFlagConditionOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Red flags: each flag, why it matters, what the review says to do, and its source."""
        from dxcli.query import conditions, sources

        result, cond = sources.redflags(name, condition)
        if cond is None:
            present(ctx, result, fmt, "red_flags", names=conditions.names)
        else:
            present(ctx, result, fmt, "red_flags", title=f"Red flags of {cond['name']}", shown_condition=cond["id"], names=conditions.names)

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


def _accuracy_command(app: typer.Typer, kind: str, doc: str, arg_help: str, examples: tuple[str, ...]) -> None:
    @app.command(name=kind, help=doc, epilog=_ex(*examples))
    def command(
        ctx: typer.Context,
        name: record_arg(kind, arg_help) = None,  # type: ignore[valid-type]
        condition: EvidenceConditionOpt = None,
        pretest: PretestOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        from dxcli.query import accuracy as q
        from dxcli.query.conditions import condition_record, names as names_of

        p = None
        if pretest is not None:
            from dxcli.calc.probability import parse_pretest

            p = parse_pretest(pretest, ranges=False)
        rows = q.accuracy(kind, name, condition, p)
        if name is None and condition is None:
            present(ctx, rows, fmt, "accuracy_list")
            return
        cid = rows[0]["condition"] if rows else None
        present(ctx, rows, fmt, "accuracy", kind=kind, asked=name is not None, pretest=p is not None,
                condition=lambda: condition_record(cid), names=names_of)
