"""Learning (issue 20): the quiz says the answer once, and a card or a quiz question carries only
the notes on the fact it asks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run
from dxcli.learn.cards import cards
from dxcli.names import norm
from dxcli.reference import loader

KINDS = {"muscle": "muscle", "nerve": "nerve", "structure": "structure", "condition": "condition"}


def _record_notes(card: dict) -> list[dict]:
    rec = loader.by_ids(card["kind"], [card["record"]])[card["record"]]
    return rec.get("notes", []) if rec else []


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_card_carries_only_the_notes_on_its_field(kind):
    """A record's note with a field is on that field's card only; a note for no field only on
    a card about the whole record (a structure's description)."""
    checked = 0
    for card in cards():
        if card["kind"] != kind:
            continue
        texts = {n["text"] for n in card["notes"]}
        for n in _record_notes(card):
            on_this = n.get("field") == card["field"] or (n.get("field") is None and kind == "structure")
            if not card["field"].startswith(("figure:",)):
                assert (n["text"] in texts) == on_this, (card["id"], n.get("field"), n["text"][:60])
            checked += 1
    assert checked > 0


def _card(cid: str) -> dict:
    return next(c for c in cards() if c["id"] == cid)


def test_quadratus_femoris_roots_question_has_no_ischiofemoral_caveat():
    # Table 1: quadratus femoris, roots L4, L5, S1; the ischiofemoral impingement caveat (Table 2)
    # is about the condition, not its roots
    card = _card("muscle:quadratus-femoris:roots")
    assert card["quiz"]["answer"] == "L4, L5, S1"
    assert not any("ischiofemoral" in n["text"].lower() for n in card["notes"]), card["notes"]


def test_gluteus_medius_nerve_question_has_no_beach_note_but_its_action_card_does():
    nerve = _card("muscle:gluteus-medius:nerve")
    assert nerve["quiz"]["answer"] == "Superior gluteal nerve"  # Table 1
    assert not any("beach" in n["text"] for n in nerve["notes"]), nerve["notes"]
    # the note is about the muscle levelling the pelvis, an action: it stays on the action card
    assert any("beach" in n["text"] for n in _card("muscle:gluteus-medius:actions")["notes"])


def test_a_quiz_question_carries_the_notes_of_its_card_only():
    r = run("quiz", "innervation", "--seed", "1", "-n", "1000", "-f", "json")
    assert r.code == 0
    for q in r.json():
        assert not any("beach" in n["text"] or "ischiofemoral" in n["text"].lower() for n in q["notes"]), q["id"]


def _blocks(out: str) -> list[str]:
    return re.split(r"\n(?=Question \d+ of \d+)", out)[1:]


@pytest.mark.parametrize("topic", ["innervation", "muscles", "anatomy", "scales", "maneuvers", "tests", "red-flags"])
def test_the_quiz_says_the_answer_once(topic):
    questions = run("quiz", topic, "--seed", "3", "-n", "1000", "-f", "json").json()
    wrong = "\n".join("zzz" for _ in questions)
    out = run("quiz", topic, "--seed", "3", "-n", "1000", stdin=wrong + "\n").out
    blocks = _blocks(out)
    assert len(blocks) == len(questions)
    for q, block in zip(questions, blocks):
        after = block.split("\n> ", 1)[1]  # the feedback, after the options
        lines = [line.strip().lstrip("• ") for line in after.splitlines()[1:] if not line.startswith(("Wrong.", "Right:"))]
        again = [line for line in lines if norm(line.split(": ", 1)[-1]) == norm(q["answer"])
                 or norm(line) == norm(q["answer"])]
        assert "The answer: " in after or "Right: " in after
        assert again == [], (q["id"], after)


def test_tibial_nerve_roots_said_once():
    # the example: "Wrong. The answer: d) L5, S1, S2" then again "L5, S1, S2"
    qs = run("quiz", "innervation", "--seed", "1", "-n", "1000", "-f", "json").json()
    n = next(i for i, q in enumerate(qs) if q["id"] == "nerve:tibial-nerve:roots")
    out = run("quiz", "innervation", "--seed", "1", "-n", str(n + 1), stdin="zzz\n" * (n + 1)).out
    feedback = _blocks(out)[n].split("\n> ", 1)[1]
    assert feedback.count("L5, S1, S2") == 1, feedback


WORDS = ["the", "review", "says", "hip", "pain", "(Table 2)", "12%", "—", "…", "x-y", "Said:", "“quoted”"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=60), st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=4),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.lists(st.sampled_from(WORDS), max_size=14)), max_size=3))
def test_say_once_cuts_what_every_run_of_the_texts_before_would_cut(base, spans, picks):
    """say_once finds a run of words among the texts before by a search of their words; the
    result is the one the plain definition gives: every run of RUN words of each text before
    (never across two texts), then of each line kept, in a set."""
    from dxcli.output.pages import _cut_said, _grams, say_once

    before = [" ".join(base[a:b]) for a, b in spans]
    lines = [" ".join(base[a:b] + extra) for a, b, extra in picks]
    said: set[tuple[str, ...]] = set()
    for text in before:
        said |= _grams(text)
    want = []
    for text in lines:
        grams = _grams(text)
        if grams and grams <= said:
            continue
        want.append(_cut_said(text, said) if grams & said else text)
        said |= grams
    assert say_once(lines, before) == want


def test_say_once_never_finds_a_run_across_two_texts():
    """Twelve words that are the end of one text and the start of the next were never said as
    one run: the line stays whole."""
    from dxcli.output.pages import say_once

    before = ["one two three four five six", "seven eight nine ten eleven twelve"]
    line = "one two three four five six seven eight nine ten eleven twelve"
    assert say_once([line], before) == [line]
    assert say_once([line], [" ".join(before)]) == []  # said as one text: said whole


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(list("•“”‘’−≥≤°…—–-%_ \n\t.,;:()[]/'\"İöß½²")),
                          st.characters(max_codepoint=127), st.characters()), max_size=80).map("".join))
def test_the_word_split_is_the_word_pattern_on_the_lower_case_text(text):
    """Pages and cards split a text into words without the pattern where its characters
    allow (an ASCII translation; the data's common non-ASCII separators first): the words are
    the pattern's, whatever the text holds."""
    from dxcli.output.pages import _WORD, _split_words

    assert _split_words(text) == _WORD.findall(text.lower())
