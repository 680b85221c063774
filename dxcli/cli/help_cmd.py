"""``dxcli help [TOPIC]``: guides longer than a command's --help (dxcli/help_topics.py)."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, terminal


def _complete(incomplete: str) -> list[str]:
    from dxcli.help_topics import TOPICS

    return [t for t in TOPICS if t.startswith(incomplete)]


COMMON = ("--format", "--fields", "--help")  # every command's: listed once in the man page


def _man_tree(ctx, group, text: str) -> dict:
    """The command tree as --help shows it, for the man page: the root's options, and each
    command (and subcommand) with its usage, summary and own options."""
    try:  # Typer's own copy of Click (0.24 on), else Click itself
        from typer._click.core import Context
    except ImportError:  # pragma: no cover
        from click import Context

    def options(cmd, c, skip=()) -> list:
        out = []
        for p in cmd.get_params(c):
            if getattr(p, "hidden", False) or p.param_type_name != "option" or any(o in skip for o in p.opts):
                continue
            rec = p.get_help_record(c)
            if rec:
                out.append((rec[0], rec[1]))
        return out

    root = Context(group, info_name="dxcli")
    commands, common = [], {}
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        subs = [(name, cmd)] + [(f"{name} {s}", sub) for s, sub in getattr(cmd, "commands", {}).items()]
        for label, c in subs:
            cc = Context(c, info_name=label, parent=root)
            for p in c.get_params(cc):
                if p.param_type_name == "option" and any(o in COMMON for o in p.opts):
                    rec = p.get_help_record(cc)
                    if rec and rec[0] not in common:
                        common[rec[0]] = rec[1]
            commands.append({"name": label, "usage": " ".join(c.collect_usage_pieces(cc)),
                             "summary": c.get_short_help_str(limit=200), "options": options(c, cc, COMMON)})
    paragraphs = text.strip().split("\n\n")
    return {"summary": paragraphs[0].replace("\n", " "), "description": "\n\n".join(p for p in paragraphs[1:] if not p.startswith(("Examples", "  "))),
            "options": options(group, root), "commands": commands, "common_options": list(common.items())}


def register(app: typer.Typer) -> None:
    @app.command(name="help", epilog="Examples:\n\n  dxcli help               # the topics\n\n  dxcli help ranking\n\n  dxcli help --man > dxcli.1")
    def help_(
        ctx: typer.Context,
        topic: Annotated[Optional[str], typer.Argument(help="A topic (see 'dxcli help').", autocompletion=_complete)] = None,
        man: Annotated[bool, typer.Option("--man", help="Print the man page (roff), made from the same topics: dxcli help --man > dxcli.1")] = False,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Guides on a topic (for a command's options and examples: dxcli COMMAND --help)."""
        from dxcli.errors import NotFound
        from dxcli.help_topics import TOPICS, shown
        from dxcli.query.lookup import check_query, norm, suggest

        if man:
            from typer.main import get_command

            from dxcli import __version__
            from dxcli.cli.app import HELP, app
            from dxcli.help_topics import man_page

            group = get_command(app)
            terminal(ctx).stdout.write(man_page(_man_tree(ctx, group, HELP), __version__))
            return
        if topic is None:
            present(ctx, [{"id": t, "summary": text.splitlines()[0]} for t, text in TOPICS.items()], fmt)
            return
        check_query(topic, "help topic")
        name = next((t for t in TOPICS if norm(t) == norm(topic)), None)
        if name is None:
            raise NotFound(f"no help topic {topic!r}", hint=suggest([{"id": t} for t in TOPICS], topic, "help"))
        if fmt is not None or fields is not None:
            present(ctx, {"id": name, "text": TOPICS[name]}, fmt)
            return
        term = terminal(ctx)
        width = None
        if term.is_tty:
            import shutil

            width = min(100, (term.width or shutil.get_terminal_size().columns) - 1)
        term.stdout.write(shown(TOPICS[name], width))
