"""The floor for dxcli's start-up: a minimal Typer app with one command that prints one line.

benchmarks/run.py times `python benchmarks/minimal_typer.py` next to the dxcli commands;
whatever Python and Typer cost to start, this pays too.
"""

import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    """Print one line."""
    print(f"hello {name}")


if __name__ == "__main__":
    app()
