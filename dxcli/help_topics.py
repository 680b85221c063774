"""Help topics for ``dxcli help TOPIC``: a topic name and its text. Add a topic here.

A text is paragraphs separated by blank lines; a paragraph whose lines are indented is
shown as written (examples), the others are re-wrapped to the terminal's width.
"""

from __future__ import annotations

import textwrap

LEARNING = """\
Learning with dxcli: an Anki deck and a terminal quiz from the cited reference

Both are generated from the reference records, never typed, one deck per topic:
anatomy, muscles, innervation, maneuvers, tests, red-flags, scales, conditions.
Every card's back shows the record's own source (the review's section or table,
its reference numbers, the primary citation where one was read) and its notes.
Where a note records that sources disagree (the prevalence of IBD in ankylosing
spondylitis, hip MRI accuracy for avascular necrosis, the Kerboul cut-points),
the card shows both values with both citations, and the quiz never asks it as
if it had one right answer. 'dxcli cite ID' lists a record's sources and notes.

Anki:

  dxcli export anki buttock.apkg                  # every deck
  dxcli export anki nerves.apkg --topics innervation,muscles
  dxcli --reference ./my-pack export anki mine.apkg

Each note's GUID is derived from its record id and field, so importing an
updated deck into Anki updates its notes instead of adding copies. Tags:
dxcli::TOPIC, dxcli::condition::ID, dxcli::note::KIND.

Quiz:

  dxcli quiz                            # 10 questions, every topic
  dxcli quiz innervation -n 5 --seed 7  # same seed, same questions
  dxcli quiz muscles --typed            # no options: type answers
  printf 'b\\nL4 L5 S1\\n' | dxcli quiz innervation -n 2 --seed 1
  dxcli quiz --seed 1 -f json           # questions and answers

Answer with the letter of an option, or type the answer: an id, a name or an
alias, case and punctuation ignored. Answers are never matched by similarity
("inferior gluteal nerve" is not "superior gluteal nerve"; L4 is not L5); root
levels may be given in any order. Ctrl-D ends the quiz with the score so far.
With stdin a pipe the quiz reads one answer a line, so it can be scripted.
"""

TOPICS: dict[str, str] = {
    "learning": LEARNING,
}


def shown(text: str, width: int | None) -> str:
    """``text`` for a terminal ``width`` columns wide (None: as written)."""
    if not width:
        return text
    blocks = text.strip("\n").split("\n\n")
    out = []
    for block in blocks:
        lines = block.split("\n")
        if all(line.startswith(" ") for line in lines):  # examples: drop a comment that does not fit
            out.append("\n".join(line.split("  #")[0].rstrip() if len(line) > width else line for line in lines))
        else:
            out.append(textwrap.fill(" ".join(line.strip() for line in lines), width))
    return "\n\n".join(out) + "\n"
