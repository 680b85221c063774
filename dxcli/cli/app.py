"""The Typer application: the root group, global options and error handling.

Commands live in one module per group and stay thin: parse arguments, call one
library function, hand the rows to the renderer. Domain errors become exit codes here.
"""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

import os
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from typer.core import TyperGroup

from dxcli import __version__
from dxcli.errors import EXIT_INTERNAL, DxError
from dxcli.output.sink import StreamEnd

HELP = """dxcli: a command-line clinical reference and calculator for musculoskeletal and
rehabilitation medicine, built from cited reviews (bundled: a review of buttock pain; add
your own with --reference).

dxcli is a reference for trained clinicians and learners, not a diagnosis.

Examples:

  dxcli differential buttock

  dxcli condition "gluteus medius tendinopathy"

  dxcli differential buttock --format json | jq '.[].id'
"""


def _say_error(message: str, hint: str | None) -> None:
    from dxcli.errors import shown, tell

    tell(shown(message), "dxcli: error: ", "  ")
    if hint:
        tell(shown(hint), "  hint: ", "        ")


def _click_error(e: BaseException) -> None:
    """A usage error of Click's own (a missing argument, an unknown command or option, a bad
    choice, a number out of range) said as every other error is, ``dxcli: error: ...`` with a
    hint, and the process ended with Click's exit status (2 for usage). Help shown for a bare
    group, and anything that is not Click's, are left alone."""
    try:  # Typer's own copy of Click (0.24 on), else Click itself
        from typer._click.exceptions import ClickException, NoArgsIsHelpError
    except ImportError:  # pragma: no cover
        from click.exceptions import ClickException, NoArgsIsHelpError

    if not isinstance(e, ClickException) or isinstance(e, NoArgsIsHelpError):
        return
    message = e.format_message().strip().rstrip(".")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    ctx = getattr(e, "ctx", None)
    hint = None
    if ctx is not None:
        root = ctx.find_root().info_name or "dxcli"  # the program's name as typed: dxcli
        path = "dxcli" + ctx.command_path[len(root):]
        usage = " ".join(ctx.get_usage().split())
        usage = usage[len("Usage: "):] if usage.startswith("Usage: ") else usage
        usage = path + usage[len(ctx.command_path):] if usage.startswith(ctx.command_path) else usage
        hint = f"usage: {usage}; see '{path} --help'"
    _say_error(message, hint)
    raise typer.Exit(e.exit_code) from None


class DxGroup(TyperGroup):
    """The root group: turns domain errors into messages and exit codes, and loads each
    command only when it is asked for (Click's lazy-group pattern): a run builds the one
    command it runs; help and completion list them all."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, name: str) -> Any:
        cmd = self.commands.get(name)
        if cmd is None and name in COMMANDS:
            cmd = _load(name)
            self.add_command(cmd, name)
        return cmd

    def resolve_command(self, ctx: Any, args: list[str]) -> Any:
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            from dxcli.errors import InvalidInput

            close = difflib.get_close_matches(name.lower(), list(COMMANDS), n=2, cutoff=0.6)
            also = f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
            raise InvalidInput(f"no such command {name!r}", hint=also + "the commands: 'dxcli --help'")
        return super().resolve_command(ctx, args)

    def parse_args(self, ctx: Any, args: list[str]) -> Any:
        try:
            return super().parse_args(ctx, args)
        except Exception as e:  # Click's usage errors on the root options: dxcli's one error style
            _click_error(e)
            raise

    def invoke(self, ctx: Any) -> Any:
        asked = (list(ctx._protected_args), list(ctx.args))  # the group consumes them; kept to ask again
        try:
            return super().invoke(ctx)
        except DxError as e:
            _say_error(e.message, e.hint)
            raise typer.Exit(e.code) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, StreamEnd):
            raise
        except Exception as e:
            _click_error(e)  # Click's usage errors (a missing argument, a bad choice): dxcli's style
            if type(e).__module__.startswith(("click", "typer")):
                raise
            if not ctx.meta.get("dxcli.asked_again") and _store_recovered():
                # a store damaged under the answer, now rebuilt: answer again (once)
                ctx.meta["dxcli.asked_again"] = True
                ctx._protected_args, ctx.args = asked
                return self.invoke(ctx)
            if os.environ.get("DXCLI_DEBUG"):
                raise
            _say_error(
                f"internal error: {type(e).__name__}: {e}",
                "this is a bug in dxcli; rerun with DXCLI_DEBUG=1 for the traceback and report it",
            )
            raise typer.Exit(EXIT_INTERNAL) from None


def _store_recovered() -> bool:
    """Whether an unexpected error met a store that was not whole, now rebuilt (once a run):
    an answer that met a link to a missing record is then asked again, never exit 4."""
    loader = sys.modules.get("dxcli.reference.loader")
    if loader is None:  # no data was read: the error is not the store's
        return False
    try:
        return bool(loader.recover())
    except DxError:
        return False


# Every command, with the module that defines it: the root group (DxGroup) loads a command's
# module and builds that one command only when it is asked for.
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
    "mcp": "mcp_cmd",
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
    "mcp": "Serve the lookups as MCP tools",
}


def _load(name: str) -> Any:
    """The Click command ``name``: its module registers its commands on a throwaway Typer
    (which only records them), and only this one is turned into a command."""
    import importlib

    import typer.main as tm

    collect = typer.Typer()
    importlib.import_module(f"dxcli.cli.{COMMANDS[name]}").register(collect)
    for info in collect.registered_commands:
        if (info.name or tm.get_command_name(info.callback.__name__)) == name:
            if info.short_help is None:
                info.short_help = SHORT_HELP.get(name)
            return _with_examples(tm.get_command_from_info(info, pretty_exceptions_short=True, rich_markup_mode=None))
    for group in collect.registered_groups:
        if group.name == name:
            group.short_help = SHORT_HELP.get(name, group.short_help)
            cmd = tm.get_group_from_info(group, pretty_exceptions_short=True, suggest_commands=True, rich_markup_mode=None)
            for sub in cmd.commands.values():
                _with_examples(sub)
            return _with_examples(cmd)
    raise LookupError(f"dxcli.cli.{COMMANDS[name]} registers no command {name!r}")  # pragma: no cover


def _with_examples(cmd: Any) -> Any:
    """``cmd`` with an epilog whose example commands are never folded inside a word: an
    example too long for the help's width is broken between shell words with a trailing
    backslash, so that it can still be pasted as it is shown."""
    import types

    cmd.format_epilog = types.MethodType(_format_epilog, cmd)
    for param in cmd.params:
        if getattr(param, "param_type_name", "") == "argument":
            param.make_metavar = types.MethodType(_argument_metavar, param)
            param.get_error_hint = types.MethodType(lambda self, ctx: repr(self.metavar or (self.name or "").upper()), param)
    return cmd


def _argument_metavar(self: Any, ctx: Any = None, *, usage: bool = False) -> str:
    """An argument as Click and man pages write it: ``TEXT...``, ``[NAME]``, ``FILE.apkg``
    (Typer 0.28 writes a required one as ``{text}``)."""
    var = self.metavar or (self.name or "").upper()
    if self.nargs != 1 and not var.endswith("..."):
        var += "..."
    return f"[{var}]" if usage and not self.required else var


def _format_epilog(self: Any, ctx: Any, formatter: Any) -> None:
    import inspect
    import re

    if not self.epilog:
        return
    width = max(formatter.width - formatter.current_indent - 2, 30)
    formatter.write_paragraph()
    with formatter.indentation():
        pad = " " * formatter.current_indent
        for para in inspect.cleandoc(self.epilog).split("\n\n"):
            for line in para.split("\n"):
                if not (re.match(r"[a-z]+ ", line) and "dxcli" in line):  # prose: wrapped as Click wraps it
                    formatter.write_text(line)
                    continue
                command, _, comment = line.strip().partition("  # ")
                if len(line) + 2 <= width:
                    formatter.write(pad + "  " + line + "\n")
                    continue
                from dxcli.help_topics import break_command

                if comment:
                    formatter.write(f"{pad}  # {comment.strip()}\n")
                for out in break_command(command, width + len(pad), pad + "  "):
                    formatter.write(out + "\n")
            formatter.write_paragraph()


def _version(value: bool) -> None:
    if value:
        from dxcli.query.sources import data_version

        sys.stdout.write(f"dxcli {__version__} (data {data_version()})\n")
        raise typer.Exit()


def root(
    ctx: typer.Context,
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
    csv_safe: Annotated[
        bool,
        typer.Option(
            "--csv-safe",
            help="CSV and TSV: prefix text cells that start with = + - or @ with ' so that a spreadsheet "
            "does not run them as formulas; numbers are never changed.",
        ),
    ] = False,
    no_pager: Annotated[
        bool,
        typer.Option("--no-pager", help="Never send output through a pager ($DXCLI_PAGER, $PAGER, less -FRX)."),
    ] = False,
) -> None:
    """dxcli: a clinical reference and calculator for musculoskeletal and rehabilitation medicine."""
    from dxcli.reference import loader

    if csv_safe:
        from dxcli.cli.common import terminal

        terminal(ctx).csv_safe = True
    if no_pager or "dxcli.output.pager" in sys.modules:  # set, or reset for the next in-process run
        from dxcli.output import pager

        pager.disabled = no_pager

    env = [Path(p) for p in os.environ.get("DXCLI_REFERENCE_PATH", "").split(os.pathsep) if p.strip()]
    loader.use_packs(env + list(reference or []))


def make_app() -> typer.Typer:
    """The application: the root options; its commands load when they are asked for."""
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
    return app


app = make_app()


def main() -> None:
    """The console script: every result goes through one checked writer (output.sink), and
    standard output is flushed and checked before the exit status is final."""
    from dxcli.output import sink

    sink.install()
    code: Any = 0
    try:
        app(prog_name="dxcli")
    except SystemExit as e:
        code = e.code
    except StreamEnd:  # the reader left (exit 0), or a write failed (sink.finish says so)
        code = 0
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): Python prints it and exits 1
        sink.say(str(code))
        code = 1
    sys.exit(sink.finish(code))
