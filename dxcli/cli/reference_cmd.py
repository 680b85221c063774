"""``dxcli reference``: the data's schema and its validation."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from pathlib import Path
from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, terminal, warn
from dxcli.errors import DataError, InvalidInput, NotFound
from dxcli.output.present import Document

app = typer.Typer(help="The reference data: its JSON Schema, and a linter for packs of TOML files.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="reference")


@app.command(
    epilog="Examples:\n\n  dxcli reference schema             # the record kinds\n\n"
    "  dxcli reference schema maneuver > maneuver.schema.json\n\n"
    "  dxcli reference schema --output maneuver     # the JSON output of 'dxcli maneuver'\n\n"
    "  dxcli reference schema --output 'reference lint'"
)
def schema(
    ctx: typer.Context,
    kind: Annotated[Optional[str], typer.Argument(help="A record kind (the TOML table name), e.g. 'maneuver'.")] = None,
    output: Annotated[
        Optional[str],
        typer.Option("--output", metavar="COMMAND", help="Instead: the JSON Schema of COMMAND's JSON output (e.g. maneuver, 'reference lint').", show_default=False),
    ] = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Print the JSON Schema of a reference file's records (or list the kinds), or of a command's output."""
    if output is not None:
        if kind is not None:
            raise InvalidInput("give a record kind or --output COMMAND, not both", hint="e.g. dxcli reference schema --output maneuver")
        from dxcli.output import schemas

        name = " ".join(output.strip().lower().replace("-", " ").split())
        name = name[len("dxcli "):] if name.startswith("dxcli ") else name
        if name not in schemas.OUTPUTS:
            import difflib

            close = difflib.get_close_matches(name, schemas.command_names(), n=1)
            raise NotFound(f"no command {output!r} with a JSON output",
                           hint=f"did you mean {close[0]!r}?" if close else "commands: " + ", ".join(schemas.command_names()))
        present(ctx, Document(schemas.output_schema(name)), fmt)
        return
    from dxcli.query import packs

    if kind is None:
        present(ctx, packs.kinds(), fmt, "kinds")
        return
    present(ctx, Document(packs.kind_schema(kind)), fmt)


@app.command(
    epilog="Examples:\n\n  dxcli reference lint ./my-pack\n\n  dxcli reference lint ./my-pack -f json | jq '.[] | .file'"
)
def lint(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A directory of TOML files (or one TOML file).")],
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Validate a pack of reference TOML files: schema, unique ids, references, sources, bands.

    The pack is checked together with the bundled data: its ids must not collide with the
    bundled ones, and its references may point at bundled records.

    Exit 0 when clean, 3 when any problem is found (each listed with file, line, key and fix).
    """
    from dxcli.query.packs import lint as check_pack

    try:
        path.stat()
    except (OSError, ValueError) as e:
        raise InvalidInput(f"cannot read {str(path)!r}: {getattr(e, 'strerror', None) or e}", hint="give the path of a pack directory") from None
    problems, warnings = check_pack(path)
    term = terminal(ctx)
    for w in warnings:  # told, never a reason to refuse the pack
        where = f"{w.file}:{w.line}" if w.line else w.file
        warn(ctx, f"{where}: {w.key}: {w.message} (fix: {w.fix})")
    if problems or not (fmt is None and term.is_tty or fmt == "table"):
        present(ctx, [p.as_row() for p in problems], fmt, "lint")
    if problems:
        raise DataError(f"{len(problems)} problem(s) in {path}", hint="fix each listed problem and lint again")
    from dxcli.errors import tell

    tell(f"{path}: no problems", stream=terminal(ctx).stderr)
