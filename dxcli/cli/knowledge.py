"""Commands over the conditions: the differential (with reasoning), one condition, findings, cases."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, emit, emit_document, given_fields, pages, terminal
from dxcli.cli.complete import names
from dxcli.output.render import Section, View


def report_sections(result: dict[str, Any]) -> list[Section]:
    """The report's parts for NDJSON: red flags, the ranking, what to examine next."""
    return [
        Section("red_flag", result["red_flags"]),
        Section("condition", result["conditions"]),
        Section("next", result["next"] or []),
    ]


def finding_names() -> dict[str, str]:
    """Each finding's name by its id: pages say findings in words."""
    from dxcli.reference import loader

    return {i: f["name"] for i, f in loader.by_id("finding").items()}


def flat_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row a condition for CSV and TSV, with its red flags (and their action text) and
    the next steps for it in cells of their own."""
    flags = {f["id"]: f for f in result["red_flags"]}
    nxt = result["next"]
    return [
        dict(
            r,
            red_flags=[{k: flags[f][k] for k in ("id", "name", "action", "finding")} for f in r["red_flags"]],
            next=None if nxt is None else [x for x in nxt if x["for_condition"] == r["id"]],
            basis=result["basis"],
        )
        for r in result["conditions"]
    ]


def emit_report(ctx: typer.Context, result: dict[str, Any], fmt, title: str) -> None:
    """The ranked differential as a report. Every red flag also goes to stderr, so a person
    sees it whatever stdout is redirected to; the report carries it on stdout too."""
    from dxcli.errors import tell
    from dxcli.output.render import render_report

    term = terminal(ctx)
    kind = fmt.value if fmt else ("table" if term.is_tty else "tsv")
    if kind != "table" or given_fields(ctx) is not None:  # (a table of some fields may leave them out)
        for fl in result["red_flags"]:
            tell(f"{fl['name']} ({fl['finding']}): {fl['action']}", "dxcli: RED FLAG: ", "  ", term.stderr)
    if given_fields(ctx) is not None:  # the fields of its rows (one a condition, as in CSV), in every format
        emit(ctx, flat_rows(result), fmt)
        return
    if kind not in ("table", "markdown"):
        render_report(result, report_sections(result), flat_rows(result), kind, term)
        return
    from dxcli.output import pager
    from dxcli.output.pages import doc_text, report_doc

    text = doc_text(report_doc(result, title, finding_names()), kind, term)
    if kind == "table":
        pager.show(text, term)
    else:
        term.stdout.write(text)


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
            from dxcli.query.lookup import find_record

            comp = find_record("complaint", complaint, "complaint")
            emit(ctx, conditions.differential(comp["id"]), fmt,
                 View(columns=["id", "name", "icd10cm"], headers={"icd10cm": "ICD-10-CM"}, title=f"Differential: {comp['name']} (the review's table order, not a ranking)"),
                 page=lambda rows: pages().differential_doc(rows, comp))
            return
        from dxcli.query import reasoning

        result = reasoning.rank(complaint, finding or [], absent or [])
        if next_:
            result["next"] = reasoning.next_steps(result)
        emit_report(ctx, result, fmt, f"Ranked differential: {complaint}")

    @app.command(
        epilog="Examples:\n\n  dxcli condition                  # every condition\n\n  dxcli condition \"gluteus medius tendinopathy\"\n\n"
        "  dxcli condition lumbosacral-radiculopathy -f json | jq '.figures'"
    )
    def condition(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A condition id, name or alias; none: every condition.", autocompletion=names("condition"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Show one condition in full: presentation, diagnosis, pearls, deep dive, figures, links."""
        from dxcli.query import conditions

        if name is None:  # every list command works bare: the conditions, in the data's order
            from dxcli.reference import loader

            rows = [{"id": c["id"], "name": c["name"], "icd10cm": c.get("icd10cm", [])} for c in loader.records("condition")]
            emit(ctx, rows, fmt, View(columns=["id", "name", "icd10cm"], headers={"icd10cm": "ICD-10-CM"}))
            return

        emit(ctx, conditions.detail(name), fmt, View(shown={"figures": _figures, "notes": _notes, "source": _source, "deep_dive_source": _source}),
             page=lambda c: pages().condition_doc(c))

    @app.command(
        epilog="Examples:\n\n  dxcli finding                    # the findings vocabulary\n\n"
        "  dxcli finding --kind red-flag\n\n  dxcli finding neurologic-deficit -f json"
    )
    def finding(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A finding id or name.", autocompletion=names("finding"))] = None,
        kind: Annotated[Optional[str], typer.Option("--kind", "-k", help="A kind of finding, e.g. history, examination, imaging (the data's own kinds).")] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """The findings vocabulary used by 'differential --finding' and case files."""
        from dxcli.query import reasoning

        if name is not None:
            emit(ctx, reasoning.finding_detail(name), fmt, page=lambda r: pages().record_doc(r, "finding", pages().FINDING_FIELDS))
            return
        kinds = sorted({f["kind"] for f in reasoning.loader.records("finding")})
        if kind is not None and kind not in kinds:
            from dxcli.errors import InvalidInput

            raise InvalidInput(f"unknown finding kind {kind!r}", hint="one of: " + ", ".join(kinds))
        emit(ctx, reasoning.findings_vocabulary(kind), fmt, View(columns=["id", "kind", "supports", "against"]))

    @app.command(
        epilog="Examples:\n\n  dxcli case                       # the review's vignette, step by step\n\n"
        "  dxcli case my-patient.toml       # your own case file (see README)\n\n"
        "  dxcli case --schema              # the case file's JSON Schema\n\n"
        "  dxcli case -f json | jq '.stages[-1].conditions[0].id'"
    )
    def case(
        ctx: typer.Context,
        file: Annotated[Optional[Path], typer.Argument(help="A case file (TOML); default: the review's vignette.")] = None,
        schema: Annotated[bool, typer.Option("--schema", help="Print the case file's JSON Schema and exit.")] = False,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Walk through a case: the history and its ranking, the examination and the new ranking,
        then what was done and the outcome."""

        from dxcli.query import cases

        if schema:
            emit_document(ctx, cases.schema(), fmt)
            return
        report = cases.from_file(file) if file is not None else cases.bundled()
        emit(ctx, report, fmt, page=lambda r: pages().case_doc(r, finding_names()))


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
