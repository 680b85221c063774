"""``dxcli help [TOPIC]``: guides longer than a command's --help (dxcli/help_topics.py)."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, terminal


def _complete(incomplete: str) -> list[str]:
    from dxcli.help_topics import TOPICS

    return [t for t in TOPICS if t.startswith(incomplete)]


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
            from dxcli.cli.app import app

            group = get_command(app)
            commands = [(n, group.get_command(ctx, n).get_short_help_str(limit=200)) for n in group.list_commands(ctx)]
            from dxcli.help_topics import man_page

            terminal(ctx).stdout.write(man_page(commands, __version__))
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
