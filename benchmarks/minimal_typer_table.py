"""The floor for dxcli's Rich tables: a minimal Typer app with one command that prints a small
Rich table.

benchmarks/run.py runs it on a pseudo-terminal (COLUMNS=100, TERM=xterm-256color), the way it
runs `dxcli differential buttock`: whatever Python, Typer and Rich cost to start and to draw
a table, this pays too. The table has the shape of that answer (a title, three columns, 13
rows of short text), with fixed text, so the floor depends on no data.
"""

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()


@app.command()
def table(rows: int = 13) -> None:
    """Print a small Rich table."""
    t = Table(title="A minimal table")
    for name in ("id", "name", "code"):
        t.add_column(name)
    for i in range(rows):
        t.add_row(f"record-{i}", f"Record number {i}", f"X{i:02d}.{i}")
    Console().print(t)


if __name__ == "__main__":
    app()
