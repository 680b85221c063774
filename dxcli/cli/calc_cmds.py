"""Calculators: Kerboul, Tönnis and post-test probability, each with a batch mode."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from pathlib import Path
from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, terminal, warn
from dxcli.cli.complete import names

ColumnOpt = Annotated[
    Optional[str],
    typer.Option("--column", help="Batch input is a CSV with a header: read this column."),
]
KeepOpt = Annotated[
    Optional[str],
    typer.Option("--keep", help="Batch from a CSV (--column): carry these input columns (comma-separated) into each result."),
]
CsvSafeOpt = Annotated[
    bool,
    typer.Option("--csv-safe", help="CSV and TSV: prefix text cells that start with = + - or @ with ' so that a spreadsheet does not run them; numbers are never changed."),
]
AnglesArg = Annotated[
    Optional[list[str]],
    typer.Argument(help="ANGLE, or CORONAL SAGITTAL, in degrees ('°' or 'deg' allowed); '-' reads stdin; none: the scale's groups and grades."),
]


def _tonnis_ids(incomplete: str) -> list[str]:
    from dxcli.reference import loader

    try:
        g = loader.by_id("grading")["tonnis"]
    except Exception:
        return []
    return [f["id"] for gr in g["grades"] for f in gr["findings"] if f["id"].startswith(incomplete)]


TonnisArg = Annotated[
    Optional[list[str]],
    typer.Argument(help="Radiographic finding ids or descriptions; '-' reads stdin.", autocompletion=_tonnis_ids),
]
LOOSE = {"ignore_unknown_options": True}  # so that '-5' reaches the parser and gets a clear message


def _fields(fields: Optional[str]) -> Optional[list[str]]:
    from dxcli.output.fields import parse

    return parse(fields)


def _batch(ctx: typer.Context, fmt, compute, column, fields: Optional[str] = None, *, what: str,
           keep: Optional[str] = None, pretest_column: Optional[str] = None) -> None:
    from dxcli.cli import batch

    code = batch.run(terminal(ctx), fmt, compute, column, fields=_fields(fields), what=what,
                     keep=[f.strip() for f in keep.split(",") if f.strip()] if keep else None,
                     pretest_column=pretest_column)
    if code:
        raise typer.Exit(code)


def _safe(ctx: typer.Context, csv_safe: bool) -> None:
    if csv_safe:
        terminal(ctx).csv_safe = True


def register(app: typer.Typer) -> None:
    @app.command(
        context_settings=LOOSE,
        epilog="Examples:\n\n  dxcli kerboul 210              # combined necrotic angle\n\n"
        "  dxcli kerboul 100 110          # coronal and sagittal arcs, summed\n\n"
        "  printf '150\\n210\\n300\\n' | dxcli kerboul - -f csv\n\n"
        "  dxcli kerboul - --fields combined_angle,risk_group,grade -f csv < angles.txt\n\n"
        "  dxcli kerboul - --column angle --keep id -f csv < cohort.csv",
    )
    def kerboul(ctx: typer.Context, angles: AnglesArg = None, column: ColumnOpt = None, keep: KeepOpt = None,
                fields: FieldsOpt = None, csv_safe: CsvSafeOpt = False, fmt: FormatOpt = None) -> None:
        """Modified Kerboul necrotic angle: risk of femoral head collapse (Ha 2006) and grade 1-4."""
        from dxcli.query import calculators as q

        _safe(ctx, csv_safe)
        if angles == ["-"]:
            from dxcli.calc import kerboul as k

            compute = k.batch_line(q.kerboul_scale(), _fields(fields))
            _batch(ctx, fmt, compute, column, fields, what="angles", keep=keep)
            return
        result, warnings = q.kerboul_from(angles or [])
        for w in warnings:
            warn(ctx, w)
        if not angles:  # the scale itself: its risk groups and grades
            present(ctx, result, fmt, "kerboul_scale", scale=q.kerboul_scale)
        else:
            present(ctx, result, fmt, "kerboul")

    @app.command(
        epilog="Examples:\n\n  dxcli tonnis                          # grades 0-3 and their finding ids\n\n"
        "  dxcli tonnis small-cysts slight-sclerosis\n\n"
        "  echo 'large-cysts' | dxcli tonnis - -f json"
    )
    def tonnis(ctx: typer.Context, findings: TonnisArg = None, column: ColumnOpt = None, keep: KeepOpt = None,
               fields: FieldsOpt = None, csv_safe: CsvSafeOpt = False, fmt: FormatOpt = None) -> None:
        """Tönnis radiographic grade of hip osteoarthritis (review Table 2) from its findings."""
        from dxcli.query import calculators as q

        _safe(ctx, csv_safe)
        if findings == ["-"]:
            from dxcli.calc import tonnis as t

            grading = q.tonnis_grading()
            _batch(ctx, fmt, lambda text: t.grade(grading, [x for x in text.replace(",", " ").split()]), column, fields,
                   what="radiographic findings", keep=keep)
            return
        present(ctx, q.tonnis(findings or []), fmt, "tonnis" if findings else "tonnis_grades")

    @app.command(
        context_settings=LOOSE,
        epilog="Examples:\n\n  dxcli posttest --pretest 0.3 lr=8.43\n\n"
        "  dxcli posttest -p 30% modified-bent-knee+ \n\n"
        "  dxcli posttest -p 0.2 faber+ resisted-hip-external-rotation+ --condition gluteus-medius-tendinopathy\n\n"
        "  dxcli posttest -p 0.3 lr=8.43 --svg fagan.svg      # draw the Fagan nomogram\n\n"
        "  printf '0.3 lr=8.43\\n0.1 puranen-orava-\\n' | dxcli posttest - -f ndjson\n\n"
        "  dxcli posttest - --pretest-column p --column findings --keep id -f csv < cases.csv",
    )
    def posttest(
        ctx: typer.Context,
        findings: Annotated[list[str], typer.Argument(help="Findings: NAME+ or NAME- (a maneuver or test), or lr=NUMBER; '-' reads 'PRETEST FINDING...' lines from stdin.")],
        pretest: Annotated[Optional[str], typer.Option("--pretest", "-p", help="Pre-test probability: 0.3 or 30%, or a range, 20%-40% (drawn uniformly over it in the simulation).")] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="The condition, for findings with evidence for several.", autocompletion=names("condition"))] = None,
        draw: Annotated[bool, typer.Option("--draw", help="Also draw the Fagan nomogram on stderr.")] = False,
        svg: Annotated[Optional[Path], typer.Option("--svg", help="Write the Fagan nomogram to this SVG file ('-': to stdout, in place of the result).")] = None,
        column: ColumnOpt = None,
        pretest_column: Annotated[Optional[str], typer.Option("--pretest-column", help="Batch from a CSV: read each pre-test probability from this column (and the findings from --column).")] = None,
        keep: KeepOpt = None,
        fields: FieldsOpt = None,
        csv_safe: CsvSafeOpt = False,
        fmt: FormatOpt = None,
        draws: Annotated[Optional[int], typer.Option("--draws", help="Draws for the 95% simulation interval of measured findings (1-100,000; default 2,000, or 10,000 for a pre-test range).")] = None,
        seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the simulation's draws (default fixed, so the same command prints the same interval).")] = None,
    ) -> None:
        """Post-test probability from a pre-test probability and findings (likelihood ratios)."""
        from dxcli.calc.probability import parse_pretest
        from dxcli.errors import InvalidInput
        from dxcli.query import uncertainty

        _safe(ctx, csv_safe)
        if findings == ["-"]:
            if draws is not None or seed is not None:
                raise InvalidInput("--draws and --seed are for one post-test probability: batch lines get no simulation interval",
                                   hint="one case at a time, e.g. 'dxcli posttest -p 0.3 modified-bent-knee+ --draws 5000'")
            if pretest is not None and pretest_column is not None:
                raise InvalidInput("give --pretest or --pretest-column, not both", hint="--pretest for one pre-test probability for every line")
            p0 = parse_pretest(pretest) if pretest is not None else None

            def compute(text: str) -> dict:
                parts = text.replace(",", " ").split()
                if p0 is not None:
                    return uncertainty.point(p0, parts, condition)
                if not parts:
                    raise InvalidInput("no pre-test probability", hint="each line: PRETEST FINDING...")
                return uncertainty.point(parse_pretest(parts[0]), parts[1:], condition)

            _batch(ctx, fmt, compute, column, fields, what="cases (PRETEST FINDING...)", keep=keep,
                   pretest_column=pretest_column)
            return
        if pretest is None:
            raise InvalidInput("--pretest is required", hint="e.g. dxcli posttest --pretest 0.3 modified-bent-knee+")

        result, lr, band = uncertainty.posttest(parse_pretest(pretest), findings, condition, draws, seed)
        if draw or svg is not None:
            _draw(ctx, result, lr, band, draw, svg)
            if svg is not None and str(svg) == "-":  # the SVG is the output: stdout holds one document
                return
        from dxcli.query.conditions import condition_name

        present(ctx, result, fmt, "posttest", condition_name=condition_name)


def _draw(ctx: typer.Context, result: dict, lr, band, draw: bool, svg: Optional[Path]) -> None:
    from dxcli.output import fagan
    from dxcli.errors import InvalidInput

    if result.get("pretest") is None:
        raise InvalidInput("a nomogram needs a single pre-test probability; --pretest is a range", hint="give one value, e.g. -p 30%")
    if lr is None:
        raise InvalidInput("a nomogram needs a single likelihood ratio; an input is a range", hint="give point findings or lr=NUMBER")
    from dxcli.query.bayes import finding_words
    from dxcli.query.calculators import fagan_title

    shade = None if band is None else {"low": band["low"], "high": band["high"], "label": band["label"]}
    title = fagan_title(result.get("condition"))
    findings = [finding_words(s) for s in result["steps"]]
    if len(findings) > 1:
        findings.append(f"Combined: LR {fagan.fmt_lr(lr)}, assuming the findings are independent")
    if draw:
        err = terminal(ctx).stderr
        width = 60  # on a terminal: its width, between 40 and 80 columns
        try:
            if err.isatty():
                import os

                width = max(40, min(80, os.get_terminal_size(err.fileno()).columns))
        except (OSError, ValueError, AttributeError):
            pass
        from dxcli.errors import inert  # a condition's name and the findings come from data and packs

        err.write(inert(fagan.text(result["pretest"], lr, width=width, band=shade, title=title, findings=findings)) + "\n")
    if svg is not None:
        drawing = fagan.svg(result["pretest"], lr, title=title, band=shade, findings=findings)
        if str(svg) == "-":  # standard output: the drawing in place of the result
            terminal(ctx).stdout.write(drawing)
            return
        from dxcli.errors import tell
        from dxcli.output import files

        files.replace(svg, lambda tmp: tmp.write_text(drawing, encoding="utf-8"))
        tell(f"wrote {svg}", stream=terminal(ctx).stderr)
