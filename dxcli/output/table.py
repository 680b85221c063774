"""A person's table, drawn with Rich (imported only here, when a table is drawn)."""

from __future__ import annotations

from typing import Any

from dxcli.output.render import Terminal, View


def draw(rows: list[dict[str, Any]], single: bool, term: Terminal, view: View) -> None:
    """``rows`` as a table on ``term`` (one record: a two-column table of its fields)."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # cells are Text: data is never parsed as markup

    console = Console(
        file=term.stdout,
        width=term.width or (None if term.is_tty else 100),
        no_color=not term.color,
        color_system="auto" if term.color else None,
        force_terminal=term.color,
        highlight=False,
        emoji=False,
        markup=False,
    )
    if single:
        t = Table(box=box.SIMPLE_HEAD, show_header=False, title=view.title)
        t.add_column("field", style="bold", no_wrap=True)
        t.add_column("value", overflow="fold")
        for k in view.columns or list(rows[0].keys()):
            v = rows[0].get(k)
            if v in (None, [], ""):
                continue
            text = view.table_cell(k, v)
            if isinstance(v, list) and k not in view.shown and (len(v) == 1 or "\n" in text) and isinstance(v[0], str) and len(v[0]) > 12:
                text = "\n".join("• " + line for line in text.split("\n"))
            t.add_row(Text(view.headers.get(k, k)), Text(text))
    else:
        keys = list(view.columns or dict.fromkeys(k for r in rows for k in r))
        cells = [[view.table_cell(k, r.get(k)) for k in keys] for r in rows]
        t = Table(box=box.SIMPLE_HEAD, title=view.title, caption=view.caption)
        for i, k in enumerate(keys):  # ids are copied into the next command: never folded
            longest = max((len(w) for row in cells for w in row[i].split()), default=1)  # no word is split
            t.add_column(view.headers.get(k, k), overflow="fold", no_wrap=k in ("id", "rank") or k in view.whole,
                         min_width=min(longest, 40))
        for row in cells:
            t.add_row(*map(Text, row))
    console.print(t)
