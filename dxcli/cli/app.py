"""The Typer application: the root group, global options and error handling.

Commands live in one module per group and stay thin: parse arguments, call one
library function, hand the rows to the renderer. Domain errors become exit codes here.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from dxcli import __version__
from dxcli.errors import EXIT_INTERNAL, DxError

HELP = """dxcli: a command-line clinical reference and calculator for buttock pain
(musculoskeletal and rehabilitation medicine), built from a cited review.

dxcli is a reference for trained clinicians and learners, not a diagnosis.

Examples:

  dxcli differential buttock

  dxcli condition "gluteus medius tendinopathy"

  dxcli differential buttock --format json | jq '.[].id'
"""


def _say_error(message: str, hint: str | None) -> None:
    sys.stderr.write(f"dxcli: error: {message}\n")
    if hint:
        sys.stderr.write(f"  hint: {hint}\n")


def _quiet_stdout() -> None:
    """The reader closed the pipe: send the rest of our output nowhere, quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class DxGroup(TyperGroup):
    """The root group: turns domain errors into messages and exit codes."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DxError as e:
            _say_error(e.message, e.hint)
            raise typer.Exit(e.code) from None
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as e:  # a bug: say so plainly, keep the traceback for debugging
            if os.environ.get("DXCLI_DEBUG"):
                raise
            if type(e).__module__.startswith(("click", "typer")):
                raise
            _say_error(
                f"internal error: {type(e).__name__}: {e}",
                "this is a bug in dxcli; rerun with DXCLI_DEBUG=1 for the traceback and report it",
            )
            raise typer.Exit(EXIT_INTERNAL) from None


app = typer.Typer(
    cls=DxGroup,
    help=HELP,
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        from dxcli.reference import loader

        sys.stdout.write(f"dxcli {__version__} (data {loader.meta()['data_version']})\n")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", "-V", help="Print the tool and data versions and exit.", callback=_version, is_eager=True),
    ] = None,
) -> None:
    """dxcli: a clinical reference and calculator for buttock pain."""


def _register() -> None:
    from dxcli.cli import calc_cmds, knowledge, lookup_cmds, reference_cmd

    knowledge.register(app)
    lookup_cmds.register(app)
    calc_cmds.register(app)
    app.add_typer(reference_cmd.app, name="reference")


_register()


def main() -> None:
    try:
        app(prog_name="dxcli")
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)
