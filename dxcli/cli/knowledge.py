"""Commands over the conditions: the differential (with reasoning), one condition, findings, cases."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dxcli.cli.common import FormatOpt, emit, emit_document, terminal
from dxcli.cli.complete import names
from dxcli.output.render import View


def _items(items: list[dict[str, Any]]) -> str:
    return "\n".join(f"{i['finding']}" + (f" (LR {i['lr']:g})" if i.get("lr") is not None else "") + f": “{i['statement']}”" for i in items)


RANKING_VIEW = View(
    columns=["rank", "name", "score", "supporting", "against", "lr"],
    shown={"supporting": _items, "against": _items},
)


def _show_red_flags(ctx: typer.Context, flags: list[dict[str, Any]], fmt) -> None:
    """A red flag is reported first: on a table, above it; otherwise as a message on stderr."""
    if not flags:
        return
    term = terminal(ctx)
    table = (fmt is None and term.is_tty) or (fmt is not None and fmt.value == "table")
    if table:
        emit(ctx, flags, fmt, View(columns=["name", "finding", "action"], title="RED FLAGS: act on these first"))
    for fl in flags:
        if not table:
            term.stderr.write(f"dxcli: RED FLAG: {fl['name']} ({fl['finding']}): {fl['action']}\n")


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
        fmt: FormatOpt = None,
    ) -> None:
        """List the differential for a complaint; with findings, rank it and show the reasoning.

        A finding not given is unknown and counts neither way. The ranking is ordinal
        (statements for minus statements against); likelihood ratios are shown where a
        maneuver has stated accuracy. dxcli is a reference, not a diagnosis.
        """
        from dxcli.query import conditions

        if complaint is None:
            if finding or absent or next_:
                from dxcli.errors import InvalidInput

                raise InvalidInput("findings need a complaint", hint="e.g. dxcli differential buttock --finding neurologic-deficit")
            emit(ctx, conditions.complaints(), fmt, View(columns=["id", "name", "conditions"]))
            return
        if not (finding or absent or next_):
            emit(ctx, conditions.differential(complaint), fmt, View(columns=["rank", "name", "icd10cm"], headers={"icd10cm": "ICD-10-CM"}, title=f"Differential: {complaint}"))
            return
        from dxcli.query import reasoning

        result = reasoning.rank(complaint, finding or [], absent or [])
        _show_red_flags(ctx, result["red_flags"], fmt)
        if next_:
            emit(ctx, reasoning.next_steps(result), fmt, View(columns=["for_condition", "id", "lr_positive", "lr_negative", "why"]))
            return
        rows = [dict(r, basis=result["basis"]) for r in result["ranking"]]
        emit(ctx, rows, fmt, RANKING_VIEW.replace(caption="Ranking: " + result["basis"]))

    @app.command(
        epilog="Examples:\n\n  dxcli condition \"gluteus medius tendinopathy\"\n\n"
        "  dxcli condition lumbosacral-radiculopathy -f json | jq '.figures'"
    )
    def condition(
        ctx: typer.Context,
        name: Annotated[str, typer.Argument(help="A condition id, name or alias.", autocompletion=names("condition"))],
        fmt: FormatOpt = None,
    ) -> None:
        """Show one condition in full: presentation, diagnosis, pearls, deep dive, figures, links."""
        from dxcli.query import conditions

        emit(ctx, conditions.detail(name), fmt, View(shown={"figures": _figures, "notes": _notes, "source": _source, "deep_dive_source": _source}))

    @app.command(
        epilog="Examples:\n\n  dxcli finding                    # the findings vocabulary\n\n"
        "  dxcli finding --kind red-flag\n\n  dxcli finding neurologic-deficit -f json"
    )
    def finding(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A finding id or name.", autocompletion=names("finding"))] = None,
        kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="history, examination, demographic, red-flag, maneuver or imaging.")] = None,
        fmt: FormatOpt = None,
    ) -> None:
        """The findings vocabulary used by 'differential --finding' and case files."""
        from dxcli.query import reasoning

        if name is not None:
            emit(ctx, reasoning.finding_detail(name), fmt)
            return
        kinds = ("history", "examination", "demographic", "red-flag", "maneuver", "imaging")
        if kind is not None and kind not in kinds:
            from dxcli.errors import InvalidInput

            raise InvalidInput(f"unknown finding kind {kind!r}", hint="one of: " + ", ".join(kinds))
        emit(ctx, reasoning.findings_vocabulary(kind), fmt, View(columns=["id", "kind", "supports", "against"]))

    @app.command(
        epilog="Examples:\n\n  dxcli case                       # the review's vignette, step by step\n\n"
        "  dxcli case my-patient.toml       # your own case file (see README)\n\n"
        "  dxcli case --schema              # the case file's JSON Schema\n\n"
        "  dxcli case -f json | jq '.stages[-1].ranking[0].id'"
    )
    def case(
        ctx: typer.Context,
        file: Annotated[Optional[Path], typer.Argument(help="A case file (TOML); default: the review's vignette.")] = None,
        schema: Annotated[bool, typer.Option("--schema", help="Print the case file's JSON Schema and exit.")] = False,
        fmt: FormatOpt = None,
    ) -> None:
        """Walk through a case: the history and its ranking, the examination and the new ranking,
        then what was done and the outcome."""

        from dxcli.query import cases

        if schema:
            emit_document(ctx, cases.schema(), fmt)
            return
        report = cases.from_file(file) if file is not None else cases.bundled()
        term = terminal(ctx)
        table = (fmt is None and term.is_tty) or (fmt is not None and fmt.value == "table")
        if not table:
            emit(ctx, report, fmt)
            return
        import textwrap

        out = term.stdout
        width = min(term.width or 100, 100)
        out.write(f"{report['title']}\n\n")
        for st in report["stages"]:
            out.write(f"== {st['title']} ==\n{textwrap.fill(st['narrative'], width)}\n\n")
            _show_red_flags(ctx, st["red_flags"], fmt)
            shown = [r for r in st["ranking"] if r["supporting"] or r["against"]]
            emit(ctx, shown, fmt, RANKING_VIEW.replace(title=f"Ranking after: {st['title']}"))
            if st["next"]:
                emit(ctx, st["next"], fmt, View(columns=["for_condition", "id", "lr_positive", "lr_negative"], title="What would separate the leaders"))
        for title, key in (("Work-up", "workup"), ("Outcome", "outcome")):
            if report[key]:
                items = (textwrap.fill(s, width, initial_indent="- ", subsequent_indent="  ") for s in report[key])
                out.write(f"== {title} ==\n" + "\n".join(items) + "\n\n")
        out.write(textwrap.fill(f"Ranking basis: {report['basis']}", width) + "\n")


def _figures(figs: list[dict[str, Any]]) -> str:
    def val(f: dict[str, Any]) -> str:
        if f.get("range"):
            lo, hi = f["range"]
        else:
            lo = hi = f["value"]
        pct = f.get("unit") == "proportion"
        show = (lambda x: f"{x * 100:g}%") if pct else (lambda x: f"{x:g} {f.get('unit')}")
        return show(lo) if lo == hi else f"{show(lo)}–{show(hi)}"

    return "\n".join(f"• {f['description']}: {val(f)}" + (f" ({f['timepoint']})" if f.get("timepoint") else "") + (" [see notes]" if f.get("notes") else "") for f in figs)


def _notes(notes: list[dict[str, Any]]) -> str:
    return "\n".join(f"• {n['kind']}: {n['text']}" for n in notes)


def _source(src: dict[str, Any]) -> str:
    parts = [src.get("section", "")]
    if src.get("table"):
        parts.append(src["table"])
    if src.get("refs"):
        parts.append("ref " + ", ".join(str(r) for r in src["refs"]))
    if src.get("citations"):
        parts.append(", ".join(src["citations"]))
    return "; ".join(p for p in parts if p)
