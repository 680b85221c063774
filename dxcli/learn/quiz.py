"""A terminal quiz drawn from the study cards (dxcli.learn.cards).

Questions come only from cards that carry a ``quiz`` and record no disagreement between
sources: a fact two sources give differently is shown on its card with both values, never
asked as if it had one right answer.

A typed answer is right when, after normalising case, accents and punctuation
(``dxcli.query.lookup.norm``), it equals one of the forms the card accepts (an id, a name, an
alias), or, for root levels, the same set of roots. Nothing is matched by similarity:
"inferior gluteal nerve" is not "superior gluteal nerve", and L4 is not L5. In a multiple-choice
question a letter (a, b, c...) picks an option.
"""

from __future__ import annotations

import random
from typing import Any, Callable, Optional

from dxcli.errors import inert, wrap_words
from dxcli.learn.cards import cards, note_line
from dxcli.query.lookup import norm

LETTERS = "abcdefgh"
DISTRACTORS = 3


def eligible(topic: Optional[str] = None, typed: bool = False) -> list[dict[str, Any]]:
    """The cards that can be asked: with a quiz, without a recorded disagreement; typed
    questions need an answer that can be typed (a name or a set of roots)."""
    out = []
    for c in cards([topic] if topic else None):
        q = c["quiz"]
        if q is None or c["disagreement"]:
            continue
        if typed and q["match"] == "text":
            continue
        out.append(c)
    return out


def questions(topic: Optional[str], count: int, seed: int, typed: bool = False) -> list[dict[str, Any]]:
    """``count`` questions (or as many as there are), the same for the same seed and data.

    The order is a shuffle of every eligible card by the seed, so a smaller count asks the
    first questions of a larger one; a question's options depend on the seed and its card only.
    """
    order = eligible(topic, typed)
    random.Random(seed).shuffle(order)
    out = []
    for i, c in enumerate(order[:count], 1):
        q = c["quiz"]
        options = None
        if not typed and q["pool"]:
            rng = random.Random(f"{seed}:{c['id']}")
            options = [q["answer"], *rng.sample(q["pool"], min(DISTRACTORS, len(q["pool"])))]
            rng.shuffle(options)
        out.append(
            {
                "id": c["id"],
                "number": i,
                "topic": c["topic"],
                "question": q["question"],
                "options": options,
                "answer": q["answer"],
                "accept": q["accept"],
                "match": q["match"],
                "back": c["back"],
                "source_text": c["source_text"],
                "source": c["source"],
                "notes": c["notes"],
                "seed": seed,
            }
        )
    return out


def is_right(q: dict[str, Any], typed: str) -> bool:
    """Whether ``typed`` answers ``q``: a letter picks an option; otherwise the normalised text
    must equal an accepted form exactly (root levels: the same roots, in any order)."""
    text = typed.strip()
    options = q.get("options")
    if options and len(text) == 1 and text.lower() in LETTERS[: len(options)]:
        text = options[LETTERS.index(text.lower())]
    given = norm(text)
    if not given:
        return False
    if q["match"] == "set":
        return sorted(given.split()) == sorted(norm(q["answer"]).split())
    return given in {norm(a) for a in q["accept"]}


def run(
    qs: list[dict[str, Any]],
    read_line: Callable[[], Optional[str]],
    write: Callable[[str], None],
    *,
    echo: bool = False,
    width: Optional[int] = None,
    tally: Optional[list[int]] = None,
    intro: Optional[str] = None,
) -> tuple[int, int]:
    """Ask each question, read one line per answer, give feedback; stop at the end of the
    input. Returns (right, asked), also kept in ``tally`` as the quiz goes. ``echo`` repeats
    each answer read (input that is not a terminal is not shown by it)."""

    def say(text: str, indent: str = "") -> None:
        text = inert(text)  # questions and choices come from data and packs
        if width:
            for para in text.split("\n"):
                write("\n".join(wrap_words(para, width, indent, indent + "  ")) + "\n")
        else:
            write("".join(indent + line + "\n" for line in text.split("\n")))

    right = asked = 0
    tally = tally if tally is not None else [0, 0]
    if intro:
        say(intro)
    for q in qs:
        write("\n")
        say(f"Question {q['number']} of {len(qs)} ({q['topic']})")
        say(q["question"])
        for letter, opt in zip(LETTERS, q["options"] or []):
            say(f"{letter}) {opt}", "  ")
        write("> ")
        line = read_line()
        if line is None:  # end of input (Ctrl-D): the score so far
            write("\n")
            break
        answer = line.rstrip("\r\n")
        if echo:
            write(inert(answer) + "\n")
        asked += 1
        tally[1] = asked
        shown = q["answer"]
        if q["options"]:
            shown = f"{LETTERS[q['options'].index(q['answer'])]}) {shown}"
        if is_right(q, answer):
            right += 1
            say(f"Right: {shown}")
            tally[0] = right
        else:
            say(f"Wrong. The answer: {shown}")
        more = beyond_answer(q["back"], q["answer"])
        if more:
            say(more, "  ")
        say(q["source_text"], "  ")
        for n in q["notes"]:
            say(note_line(n), "  ")
    return right, asked


def beyond_answer(back: str, answer: str) -> str:
    """What the back of a card adds to the answer just given, so that the answer is said once:
    a line that is the answer (or one of its parts, "a; b") is left out, and a line that starts
    with it keeps only the rest ("L5, S1, S2 (through the inferior gluteal nerve)" gives
    "Through the inferior gluteal nerve")."""
    said = {norm(answer)} | {norm(p) for p in answer.split(";") if p.strip()}
    out = []
    for line in (back or "").split("\n"):
        core = line[2:] if line.startswith("• ") else line
        if not core.strip() or norm(core) in said or norm(core.split(": ", 1)[-1]) in said:
            continue  # the answer, or "Used for: <the answer>"
        if core.startswith(answer) and len(core) > len(answer) and not core[len(answer)].isalnum():
            rest = core[len(answer):].strip(" ,;:")
            if rest.startswith("(") and rest.endswith(")"):
                rest = rest[1:-1]
            if rest:
                out.append(rest[0].upper() + rest[1:])
            continue
        out.append(line)
    return "\n".join(out)


def intro_text(count: int, seed: int) -> str:
    return (f"dxcli quiz: {count} question{'s' if count != 1 else ''} (seed {seed}; the same seed gives the same questions).\n"
            "Answer with a letter or type the answer; Ctrl-D ends the quiz.")


def score_line(right: int, asked: int, total: int) -> str:
    if asked == total:
        return f"Score: {right} of {total}"
    return f"Score: {right} of {asked} answered (the quiz had {total} questions)"
