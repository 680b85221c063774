"""Learning: ``dxcli export anki FILE.apkg`` and ``dxcli quiz [TOPIC]``, over dxcli.learn."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, present, terminal, warn
from dxcli.errors import tell

export_app = typer.Typer(help="Export the reference as study material.", no_args_is_help=True)


def _topics() -> list[str]:
    from dxcli.learn.cards import TOPICS

    return list(TOPICS)


def _topic(text: str) -> str:
    from dxcli.errors import NotFound
    from dxcli.learn.cards import topic_named
    from dxcli.query.lookup import check_query, suggest

    check_query(text, "topic")
    t = topic_named(text)
    if t is None:
        hint = suggest([{"id": x} for x in _topics()], text, "")
        raise NotFound(f"no topic {text!r}", hint=hint if hint.startswith("did you") else "topics: " + ", ".join(_topics()))
    return t


def _complete_topic(incomplete: str) -> list[str]:
    return [t for t in _topics() if t.startswith(incomplete)]


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")
    app.command(
        epilog="Examples:\n\n  dxcli quiz                                  # 10 questions from every topic\n\n"
        "  dxcli quiz innervation --count 5 --seed 7   # the same seed, the same questions\n\n"
        "  dxcli quiz scales --typed                   # type the answers, no options\n\n"
        "  printf 'b\\nL4 L5 S1\\n' | dxcli quiz innervation -n 2 --seed 1   # scripted: one answer a line\n\n"
        "  dxcli quiz --seed 1 -f json                 # the questions and answers as data\n\n"
        "See 'dxcli help learning'."
    )(quiz)


@export_app.command(
    epilog="Examples:\n\n  dxcli export anki buttock.apkg\n\n"
    "  dxcli export anki nerves.apkg --topics innervation,muscles\n\n"
    "  dxcli --reference ./my-pack export anki mine.apkg\n\n"
    "See 'dxcli help learning'."
)
def anki(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE.apkg", help="The Anki package to write (replaced if it exists).")],
    topics: Annotated[
        Optional[str],
        typer.Option("--topics", "-t", help="Only these decks, comma-separated: anatomy, muscles, innervation, maneuvers, tests, red-flags, scales, conditions."),
    ] = None,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Write an Anki deck per topic, every card generated from the cited reference with its source."""
    from dxcli.errors import InvalidInput
    from dxcli.learn import anki as writer
    from dxcli.learn.cards import cards
    from dxcli.query.sources import data_version

    chosen = None
    if topics is not None:
        chosen = [_topic(t) for t in topics.split(",") if t.strip()]
        if not chosen:
            raise InvalidInput("--topics names no topic", hint="topics: " + ", ".join(_topics()))
    if str(file) == "-":
        raise InvalidInput("an Anki package cannot be written to stdout", hint="give a file name such as buttock.apkg")
    from dxcli.output.files import check

    check(file)  # a directory, device, FIFO or socket is refused before the cards are made
    if file.suffix.lower() != ".apkg":
        warn(ctx, f"{file} does not end in .apkg; Anki imports packages by that extension")
    term = terminal(ctx)
    bar = Progress(term.stderr)
    try:
        rows = writer.write(cards(chosen), file, data_version(), progress=bar.update)
    finally:
        bar.close()
    present(ctx, rows, fmt, "decks")
    tell(f"wrote {file} ({sum(r['notes'] for r in rows)} notes in {len(rows)} decks)", stream=term.stderr)


class Progress:
    """A progress bar on stderr, only on a terminal and only once the work has taken a moment."""

    DELAY = 0.3  # seconds before the bar appears
    WIDTH = 24

    def __init__(self, stream) -> None:
        import time

        self.stream, self.clock = stream, time.monotonic
        self.start = self.clock()
        try:
            self.live = bool(stream.isatty())
        except (AttributeError, ValueError):
            self.live = False
        self.shown = 0

    def update(self, done: int, total: int) -> None:
        if not self.live or self.clock() - self.start < self.DELAY:
            return
        filled = self.WIDTH * done // max(total, 1)
        text = f"\rdxcli: exporting [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done}/{total}"
        self.shown = len(text) - 1
        self.stream.write(text)
        self.stream.flush()

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * self.shown + "\r")
            self.stream.flush()


def quiz(
    ctx: typer.Context,
    topic: Annotated[Optional[str], typer.Argument(help="One topic: anatomy, muscles, innervation, maneuvers, tests, red-flags, scales, conditions (default: all).", autocompletion=_complete_topic)] = None,
    count: Annotated[int, typer.Option("--count", "-n", min=1, max=1000, help="How many questions.")] = 10,
    seed: Annotated[Optional[int], typer.Option("--seed", min=0, max=2**63 - 1, help="Seed for a reproducible set of questions (default: a new one, shown).")] = None,
    typed: Annotated[bool, typer.Option("--typed", help="No options: type each answer (only questions whose answer is a name or root levels).")] = False,
    fields: FieldsOpt = None,
    fmt: FormatOpt = None,
) -> None:
    """Quiz at the terminal from the same cards as the Anki deck, with the cited answer after each question.

    Answer with the letter of an option or type the answer (an id, name or alias; case and
    punctuation ignored, never matched by similarity). Reads one answer a line, so stdin may
    be a pipe; Ctrl-D ends the quiz with the score so far. With --format or --fields, prints
    the questions and answers as data instead of asking.
    """
    from dxcli.errors import NotFound
    from dxcli.learn import quiz as q

    t = _topic(topic) if topic is not None else None
    if seed is None:
        import random

        seed = random.SystemRandom().randrange(1, 1_000_000)
    qs = q.questions(t, count, seed, typed)
    if not qs:
        raise NotFound(f"no questions for {t or 'any topic'}" + (" with --typed" if typed else ""), hint="try another topic, or without --typed")
    if fmt is not None or fields is not None:
        present(ctx, qs, fmt, "quiz")
        return
    term = terminal(ctx)
    out = term.stdout

    def write(text: str) -> None:
        out.write(text)
        out.flush()

    def read_line() -> Optional[str]:
        line = sys.stdin.readline() if sys.stdin is not None else ""
        return line if line else None

    try:
        echo = not sys.stdin.isatty()
    except (AttributeError, ValueError):
        echo = True
    width = None
    if term.is_tty:
        import shutil

        width = max(20, (term.width or shutil.get_terminal_size().columns) - 1)
    tally = [0, 0]  # right, asked: kept up to date, so that Ctrl-C can report the score so far
    try:
        q.run(qs, read_line, write, echo=echo, width=width, tally=tally, intro=q.intro_text(len(qs), seed))
    except KeyboardInterrupt:
        write("\n" + q.score_line(*tally, len(qs)) + "\n")
        raise typer.Exit(130) from None
    write("\n" + q.score_line(*tally, len(qs)) + "\n")
