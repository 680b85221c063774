"""The Typer application: the root group, global options and error handling.

Commands live in one module per group and stay thin: parse arguments, call one
library function, hand the rows to the renderer. Domain errors become exit codes here.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from dxcli import __version__
from dxcli.errors import EXIT_INTERNAL, DxError

HELP = """dxcli: a command-line clinical reference and calculator for musculoskeletal and
rehabilitation medicine, built from cited reviews (bundled: a review of buttock pain; add
your own with --reference).

dxcli is a reference for trained clinicians and learners, not a diagnosis.

Examples:

  dxcli differential buttock

  dxcli condition "gluteus medius tendinopathy"

  dxcli differential buttock --format json | jq '.[].id'
"""


MAX_MESSAGE = 400


def _say_error(message: str, hint: str | None) -> None:
    from dxcli.output.render import inert

    def short(text: str) -> str:  # a huge value is named, not echoed whole
        text = inert(text)
        return text if len(text) <= MAX_MESSAGE else f"{text[:MAX_MESSAGE]}… ({len(text)} characters)"

    err = sys.stderr or open(os.devnull, "w")
    err.write(f"dxcli: error: {short(message)}\n")
    if hint:
        err.write(f"  hint: {short(hint)}\n")


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


# Every command, with the module that defines it. The root group is built with only the
# command that is run (Typer turns each registered function into a command up front, so
# building all of them would cost every call); help and completion get them all.
COMMANDS: dict[str, str] = {
    "differential": "knowledge",
    "condition": "knowledge",
    "anatomy": "lookup_cmds",
    "muscle": "lookup_cmds",
    "nerve": "lookup_cmds",
    "innervation": "lookup_cmds",
    "maneuver": "lookup_cmds",
    "test": "lookup_cmds",
    "redflags": "lookup_cmds",
    "search": "lookup_cmds",
    "sources": "lookup_cmds",
    "cite": "lookup_cmds",
    "info": "lookup_cmds",
    "finding": "knowledge",
    "case": "knowledge",
    "kerboul": "calc_cmds",
    "tonnis": "calc_cmds",
    "posttest": "calc_cmds",
    "reference": "reference_cmd",
    "export": "learn_cmds",
    "quiz": "learn_cmds",
    "help": "help_cmd",
}
# The one-line summary of each command in the top-level help (Click cuts a docstring's
# first sentence with "..." to fit its column, 42 characters at 60 columns): each fits whole.
SHORT_HELP: dict[str, str] = {
    "differential": "A complaint's differential; ranked",
    "condition": "One condition in full, as a page",
    "finding": "The findings vocabulary",
    "case": "A case, step by step",
    "anatomy": "Bones, landmarks, joints, ligaments",
    "muscle": "Muscles: attachments, action, nerve",
    "nerve": "Nerves: roots, course, muscles",
    "innervation": "Root, nerve and muscle links",
    "maneuver": "Exam maneuvers: how, accuracy, LRs",
    "test": "Diagnostic tests: role, accuracy, LRs",
    "redflags": "Red flags and what to do",
    "search": "Search every kind of record",
    "sources": "Every citation",
    "cite": "Where a record's facts come from",
    "info": "Tool and data versions, counts",
    "kerboul": "Kerboul angle: collapse risk, grade",
    "tonnis": "Tönnis grade of hip osteoarthritis",
    "posttest": "Post-test probability from findings",
    "quiz": "A quiz at the terminal",
    "help": "Guides on a topic",
    "reference": "Data schema and a pack linter",
    "export": "Export study material (Anki)",
}
MODULE_ORDER = ("knowledge", "lookup_cmds", "calc_cmds", "reference_cmd", "learn_cmds", "help_cmd")


class _Only:
    """Stands in for the Typer app while a module registers: keeps one command, or all."""

    def __init__(self, app: typer.Typer, only: str | None) -> None:
        self.app, self.only = app, only

    def command(self, *args: Any, **kwargs: Any) -> Any:
        def deco(fn: Any) -> Any:
            name = kwargs.get("name") or fn.__name__.replace("_", "-")
            if self.only in (None, name):
                return self.app.command(*args, **kwargs)(fn)
            return fn

        return deco

    def add_typer(self, sub: typer.Typer, *, name: str, **kwargs: Any) -> None:
        if self.only in (None, name):
            self.app.add_typer(sub, name=name, **kwargs)


def _version(value: bool) -> None:
    if value:
        from dxcli.reference import loader

        sys.stdout.write(f"dxcli {__version__} (data {loader.meta()['data_version']})\n")
        raise typer.Exit()


def root(
    version: Annotated[
        Optional[bool],
        typer.Option("--version", "-V", help="Print the tool and data versions and exit.", callback=_version, is_eager=True),
    ] = None,
    reference: Annotated[
        Optional[list[Path]],
        typer.Option(
            "--reference",
            "-R",
            help="Add a pack of reference TOML files (a directory or a file); repeatable. "
            "Also DXCLI_REFERENCE_PATH (paths separated by ':'). The bundled data is never changed.",
            show_default=False,
        ),
    ] = None,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never send output through a pager ($DXCLI_PAGER, $PAGER, less -FRX)."),
    ] = False,
) -> None:
    """dxcli: a clinical reference and calculator for musculoskeletal and rehabilitation medicine."""
    from dxcli.reference import loader

    if no_pager:
        from dxcli.output import pager

        pager.disabled = True

    env = [Path(p) for p in os.environ.get("DXCLI_REFERENCE_PATH", "").split(os.pathsep) if p.strip()]
    loader.use_packs(env + list(reference or []))


def make_app(only: str | None = None) -> typer.Typer:
    """The application with every command, or with only the one named."""
    import importlib

    app = typer.Typer(
        cls=DxGroup,
        help=HELP,
        no_args_is_help=True,
        add_completion=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    if only not in COMMANDS:
        only = None
    for mod in MODULE_ORDER:
        if only is None or COMMANDS[only] == mod:
            importlib.import_module(f"dxcli.cli.{mod}").register(_Only(app, only))
    for info in app.registered_commands:
        name = info.name or (info.callback.__name__.replace("_", "-") if info.callback else None)
        if info.short_help is None and name in SHORT_HELP:
            info.short_help = SHORT_HELP[name]
    for group in app.registered_groups:
        if group.name in SHORT_HELP:
            group.short_help = SHORT_HELP[group.name]
    return app


def command_in(argv: list[str]) -> str | None:
    """The command a command line runs, or None (root help, version, completion...)."""
    if any(k.startswith("_DXCLI_COMPLETE") for k in os.environ):
        return None
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--reference", "-R"):
            skip = True
        elif arg == "--no-pager":
            continue
        elif arg.startswith("-"):
            if not arg.startswith("--reference="):
                return None
        else:
            return arg
    return None


def __getattr__(name: str) -> Any:
    """``from dxcli.cli.app import app``: the full application (tests, documentation)."""
    if name == "app":
        full = make_app()
        globals()["app"] = full
        return full
    raise AttributeError(name)


def main() -> None:
    try:
        make_app(command_in(sys.argv[1:]))(prog_name="dxcli")
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(0)
