"""The floor for `dxcli export anki FILE.apkg`: a minimal Typer app that writes an Anki package
of the same number of notes with genanki (one model of six fields, as dxcli's, notes spread
over the given number of decks), and prints one line. benchmarks/run.py passes the note and
deck counts of dxcli's own export; whatever Python, Typer and genanki cost, this pays too.
Use it as the baseline of the export benchmark; do not tune it.
"""

import typer

app = typer.Typer()


@app.command()
def deck(path: str, notes: int = 325, decks: int = 8) -> None:
    """Write PATH, an Anki package of NOTES notes in DECKS decks."""
    import genanki

    model = genanki.Model(
        1607392319, "floor",
        fields=[{"name": n} for n in ("Front", "Back", "Source", "Notes", "Record", "Field")],
        templates=[{"name": "Card", "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
    )
    made = [genanki.Deck(2059400110 + d, f"floor::deck {d}") for d in range(decks)]
    for i in range(notes):
        fields = [f"front {i}", f"back {i} " + "text " * 20, "source", "", f"record-{i}", "field"]
        made[i % decks].add_note(genanki.Note(model=model, fields=fields, guid=genanki.guid_for("floor", i)))
    genanki.Package(made).write_to_file(path)
    print(f"wrote {path} ({notes} notes in {decks} decks)")


if __name__ == "__main__":
    app()
