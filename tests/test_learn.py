"""Learning: the Anki package (opened as the zip and SQLite collection it is) and the quiz.

Expected note counts are computed here from the TOML files themselves, not from dxcli's
card generator; disputed values are the ones the evidence ledger records.
"""

from __future__ import annotations

import io
import json
import sqlite3
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, run, sh

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DATA = ROOT / "reference"


def toml(name: str) -> dict:
    return tomllib.loads((DATA / name).read_text(encoding="utf-8"))


def expected_counts() -> dict[str, int]:
    """Notes per deck, from the data: one card per record and field the generator documents."""
    structures = toml("anatomy.toml")["structure"]
    muscles = toml("muscles.toml")["muscle"]
    nerves = toml("nerves.toml")["nerve"]
    maneuvers = toml("maneuvers.toml")["maneuver"]
    tests = toml("tests.toml")["test"]
    flags = toml("redflags.toml")["red_flag"]
    scales = toml("scales.toml")["scale"]
    tonnis = toml("tonnis.toml")["grading"]
    conditions = toml("conditions.toml")["condition"]
    roots = {r for m in muscles for r in m["roots"]}
    per_condition = 0
    for c in conditions:
        per_condition += sum(1 for f in ("presentation", "diagnosis", "pearls") if c.get(f))
        per_condition += sum(1 for v in (c.get("deep_dive") or {}).values() if v)
        per_condition += len(c.get("figures", []))
    return {
        "dxcli::Anatomy": len(structures),
        "dxcli::Muscles": 3 * len(muscles),  # origin, insertion, action
        # muscle -> nerve (where the review names one), muscle -> roots, nerve -> roots, root -> muscles
        "dxcli::Innervation": sum(1 for m in muscles if m.get("nerve")) + len(muscles) + len(nerves) + len(roots),
        # how it is performed, and one card per evidence row (target condition)
        "dxcli::Exam maneuvers": len(maneuvers) + sum(len(m["evidence"]) for m in maneuvers),
        "dxcli::Diagnostic tests": len(tests) + sum(len(t["evidence"]) for t in tests),
        "dxcli::Red flags": len(flags),
        "dxcli::Scales": sum(len(bs["bands"]) for s in scales for bs in s["band_sets"])
        + sum(len(g["grades"]) + sum(len(gr["findings"]) for gr in g["grades"]) for g in tonnis),
        "dxcli::Conditions": per_condition,
    }


def read_apkg(path: Path, tmp_path: Path) -> dict[str, dict]:
    """Every note of the package: GUID -> deck, fields (by name) and tags."""
    assert zipfile.is_zipfile(path)
    with zipfile.ZipFile(path) as z:
        assert "collection.anki2" in z.namelist()
        db_path = tmp_path / f"{path.stem}.anki2"
        db_path.write_bytes(z.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        decks = {int(k): v["name"] for k, v in json.loads(db.execute("SELECT decks FROM col").fetchone()[0]).items()}
        models = json.loads(db.execute("SELECT models FROM col").fetchone()[0])
        out = {}
        for guid, mid, flds, tags, did in db.execute("SELECT n.guid, n.mid, n.flds, n.tags, c.did FROM notes n JOIN cards c ON c.nid = n.id"):
            names = [f["name"] for f in models[str(mid)]["flds"]]
            assert guid not in out, f"duplicate GUID {guid}"
            out[guid] = {"deck": decks[did], "fields": dict(zip(names, flds.split("\x1f"))), "tags": tags.split()}
        return out
    finally:
        db.close()


def export(tmp_path: Path, name: str, *args: str, pre: tuple[str, ...] = ()) -> dict[str, dict]:
    path = tmp_path / name
    r = run(*pre, "export", "anki", str(path), *args, "-f", "json")
    assert r.code == 0, r.err
    assert "\r" not in r.err  # no progress bar when stderr is not a terminal
    return read_apkg(path, tmp_path)


def per_deck(notes: dict[str, dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for n in notes.values():
        counts[n["deck"]] = counts.get(n["deck"], 0) + 1
    return counts


@pytest.fixture(scope="module")
def full_export(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("apkg")
    return export(tmp, "all.apkg")


# --------------------------------------------------------------------------- the package


def test_note_count_per_deck_follows_the_data(full_export):
    assert per_deck(full_export) == expected_counts()


def test_summary_rows_name_each_deck_and_its_count(tmp_path):
    r = run("export", "anki", str(tmp_path / "d.apkg"), "-f", "json")
    assert {row["deck"]: row["notes"] for row in r.json()} == expected_counts()
    assert "wrote" in r.err and str(tmp_path / "d.apkg") in r.err


def test_every_card_carries_its_source(full_export):
    for n in full_export.values():
        f = n["fields"]
        assert f["Source"].startswith("Review: "), f
        assert f["Front"] and f["Back"] and f["Record"] and f["Field"], f
    # a primary citation in the record's source is named on its card
    by_key = {(n["fields"]["Record"], n["fields"]["Field"]): n for n in full_export.values()}
    for m in toml("maneuvers.toml")["maneuver"]:
        for i, ev in enumerate(m["evidence"]):
            for cid in ev["source"].get("citations", []):
                cards = [n for (rec, field), n in by_key.items() if rec == m["id"] and field.startswith(f"evidence:{ev['condition']}")]
                assert any(f"[{cid}]" in c["fields"]["Source"] for c in cards), (m["id"], cid)
    # the review's own words, where a record quotes it
    # (the review's FABER sentence is the card's back; its source quotes the rest, once: issue 20)
    faber = by_key[("faber", "description")]["fields"]
    assert "ankle placed on the contralateral patella" in faber["Back"]
    assert "(sensitivity = 42%, specificity = 80%)" in faber["Source"] and "contralateral patella" not in faber["Source"]


def test_notes_are_on_the_back(full_export):
    by_key = {(n["fields"]["Record"], n["fields"]["Field"]): n for n in full_export.values()}
    # resisted external derotation: terminology (the Lequesne name) on its description card
    notes = by_key[("resisted-hip-external-rotation", "description")]["fields"]["Notes"]
    assert "Terminology" in notes and "resisted external derotation test" in notes


@pytest.mark.parametrize(
    "record, field, values",
    [
        # evidence ledger: IBD in AS 50% (review) vs 6.8% (Stolwijk 2015)
        ("ankylosing-spondylitis", "figure:as-inflammatory-bowel-disease", ["50%", "6.8%", "Stolwijk et al. 2015"]),  # sources in words (issue 20)
        # hip MRI for AVN: 98/98 (review) vs 93/91 (Zhang 2018)
        ("hip-mri", "evidence:avascular-necrosis-hip", ["98%", "93%", "91%", "Zhang et al. 2018"]),
        # Kerboul low-risk group: <190 (review) vs <=190 (Ha 2006)
        ("kerboul", "risk-group:low", ["&lt;190", "≤190", "ha-2006"]),
        ("kerboul", "risk-group:high", ["&gt;240", "≥240", "ha-2006"]),
    ],
)
def test_a_disagreement_shows_both_values(full_export, record, field, values):
    n = next(n for n in full_export.values() if n["fields"]["Record"] == record and n["fields"]["Field"] == field)
    shown = n["fields"]["Back"] + n["fields"]["Source"] + n["fields"]["Notes"]
    for v in values:
        assert v in shown, (v, shown)
    assert "Sources disagree" in n["fields"]["Notes"]
    assert "dxcli::note::disagreement" in n["tags"]


def test_tags_by_topic_and_condition(full_export):
    for n in full_export.values():
        assert "dxcli" in n["tags"] and any(t.startswith("dxcli::") for t in n["tags"])
        assert all(" " not in t for t in n["tags"])
    faber = [n for n in full_export.values() if n["fields"]["Record"] == "faber"]
    tags = set().union(*(n["tags"] for n in faber))
    assert {"dxcli::maneuvers", "dxcli::condition::gluteus-medius-tendinopathy", "dxcli::condition::sacroiliitis"} <= tags


def test_guids_are_stable_across_exports(tmp_path, full_export):
    again = export(tmp_path, "again.apkg")
    assert set(again) == set(full_export)
    assert {g: n["fields"] for g, n in again.items()} == {g: n["fields"] for g, n in full_export.items()}


def _patched(monkeypatch, kind: str, rid: str, key: str, value: str) -> None:
    """The loader returns ``kind`` records with one record's ``key`` changed."""
    from dxcli.reference import loader

    real = loader.records

    def records(k):
        recs = real(k)
        if k != kind:
            return recs
        return [{**r, key: value} if r["id"] == rid else r for r in recs]

    monkeypatch.setattr(loader, "records", records)


@pytest.mark.parametrize(
    "kind, rid, key, card",
    [
        ("maneuver", "faber", "description", ("faber", "description")),
        ("muscle", "piriformis", "origin", ("piriformis", "origin")),
        ("red_flag", "saddle-anesthesia", "why", ("saddle-anesthesia", "action")),
    ],
)
def test_a_changed_record_changes_its_card_and_no_other(tmp_path, monkeypatch, full_export, kind, rid, key, card):
    _patched(monkeypatch, kind, rid, key, "CHANGED IN THIS TEST")
    after = export(tmp_path, "changed.apkg")
    assert set(after) == set(full_export)  # same notes: an update in Anki, not new ones
    changed = [g for g in after if after[g]["fields"] != full_export[g]["fields"]]
    assert len(changed) == 1, [after[g]["fields"]["Front"] for g in changed]
    f = after[changed[0]]["fields"]
    assert (f["Record"], f["Field"]) == card and "CHANGED IN THIS TEST" in f["Back"]


def test_topics_choose_the_decks(tmp_path):
    notes = export(tmp_path, "two.apkg", "--topics", "innervation,Muscles")
    want = expected_counts()
    assert per_deck(notes) == {"dxcli::Innervation": want["dxcli::Innervation"], "dxcli::Muscles": want["dxcli::Muscles"]}
    r = run("export", "anki", str(tmp_path / "none.apkg"), "--topics", "muscels")
    assert r.code == 1 and "did you mean 'muscles'" in r.err
    assert not (tmp_path / "none.apkg").exists()


PACK = """
[[maneuver]]
id = "pack-heel-drop"
name = "Pack heel drop test"
description = "A maneuver of this test pack: the patient drops onto the heels."
source = { section = "A test pack", quote = "heel drop" }

[[maneuver.evidence]]
condition = "sacral-stress-fracture"
positive = "pain on heel drop"
sensitivity = 0.5
specificity = 0.75
source = { section = "A test pack" }
"""


def test_packs_are_included_with_reference(tmp_path, monkeypatch, full_export):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    pack = tmp_path / "pack"
    pack.mkdir()
    (pack / "maneuvers.toml").write_text(PACK, encoding="utf-8")
    assert run("reference", "lint", str(pack)).code == 0
    with_pack = export(tmp_path, "pack.apkg", pre=("--reference", str(pack)))
    added = {g: n for g, n in with_pack.items() if g not in full_export}
    assert {(n["fields"]["Record"], n["fields"]["Field"]) for n in added.values()} == {
        ("pack-heel-drop", "description"), ("pack-heel-drop", "evidence:sacral-stress-fracture")}
    ev = next(n for n in added.values() if n["fields"]["Field"].startswith("evidence"))
    assert "LR+ 2, LR− 0.667" in ev["fields"]["Back"]  # 0.5/(1-0.75) = 2; (1-0.5)/0.75 = 0.667, 3 significant figures
    assert all(n["deck"] == "dxcli::Exam maneuvers" for n in added.values())
    assert set(full_export) <= set(with_pack)
    without = export(tmp_path, "nopack.apkg")
    assert not any(n["fields"]["Record"] == "pack-heel-drop" for n in without.values())


def test_bad_paths_are_refused(tmp_path):
    r = run("export", "anki", str(tmp_path))  # a path that cannot be written: 74, with the reason
    assert r.code == 74 and "it is a directory; nothing was replaced" in r.err
    r = run("export", "anki", str(tmp_path / "no" / "such" / "x.apkg"))
    assert r.code == 74 and "No such file or directory" in r.err
    assert run("export", "anki", "-").code == 2  # a usage error: a package cannot go to stdout
    r = run("export", "anki", str(tmp_path / "t.apkg"), "--topics", " , ")
    assert r.code == 2 and "names no topic" in r.err
    r = run("export", "anki", str(tmp_path / "deck.zip"), "-f", "json")
    assert r.code == 0 and "does not end in .apkg" in r.err


def test_progress_bar_only_on_a_terminal(monkeypatch):
    from dxcli.cli.learn_cmds import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    monkeypatch.setattr(Progress, "DELAY", 0.0)
    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = Progress(stream)
        for i in range(1, 11):
            bar.update(i, 10)
        bar.close()
    assert "10/10" in tty.getvalue() and tty.getvalue().endswith("\r")
    assert pipe.getvalue() == ""


# --------------------------------------------------------------------------- the quiz


def questions(*args: str) -> list[dict]:
    r = run("quiz", *args, "-f", "json")
    assert r.code == 0, r.err
    return r.json()


def test_json_prints_questions_and_answers_without_asking():
    qs = questions("--seed", "11", "--count", "6")
    assert len(qs) == 6 and [q["number"] for q in qs] == list(range(1, 7))
    for q in qs:
        assert q["question"] and q["answer"] and q["source_text"].startswith("Review: ")
        assert q["options"] is None or q["answer"] in q["options"]
        assert q["seed"] == 11
    assert questions("--seed", "11", "--count", "6") == qs
    assert questions("--seed", "11", "--count", "3") == qs[:3]  # a smaller count: the first questions
    assert questions("--seed", "12", "--count", "6") != qs


def test_disputed_facts_are_never_asked():
    from dxcli.learn.cards import cards
    from dxcli.learn.quiz import questions as make

    disputed = {c["id"] for c in cards() if c["disagreement"]}
    assert {"condition:ankylosing-spondylitis:figure:as-inflammatory-bowel-disease", "test:hip-mri:evidence:avascular-necrosis-hip",
            "scale:kerboul:risk-group:low"} <= disputed
    for typed in (False, True):
        asked = {q["id"] for q in make(None, 10_000, 1, typed)}
        assert asked and not asked & disputed


def _answers_for(qs: list[dict], right: list[bool]) -> str:
    lines = []
    for q, ok in zip(qs, right):
        if ok:
            lines.append(q["answer"] if len(lines) % 2 == 0 or not q["options"] else "abcd"[q["options"].index(q["answer"])])
        else:
            wrong = [o for o in (q["options"] or []) if o != q["answer"]]
            lines.append("abcd"[q["options"].index(wrong[0])] if wrong else "not the answer")
    return "".join(line + "\n" for line in lines)


def test_scripted_quiz_same_questions_and_score_every_run():
    qs = questions("innervation", "--seed", "4", "-n", "5")
    stdin = _answers_for(qs, [True, False, True, True, False])
    first = run("quiz", "innervation", "--seed", "4", "-n", "5", stdin=stdin)
    second = run("quiz", "innervation", "--seed", "4", "-n", "5", stdin=stdin)
    assert first.code == 0 and first.out == second.out
    assert first.out.count("\nRight: ") == 3 and first.out.count("\nWrong. The answer: ") == 2
    assert first.out.rstrip().endswith("Score: 3 of 5")
    for q in qs:
        assert q["question"] in first.out
    assert "seed 4" in first.out


def test_scripted_quiz_through_a_real_pipe():
    qs = questions("scales", "--seed", "9", "-n", "3")
    stdin = _answers_for(qs, [True, True, False])
    p = sh("quiz", "scales", "--seed", "9", "-n", "3", stdin=stdin, timeout=30)
    assert p.returncode == 0, p.stderr
    assert p.stdout.rstrip().endswith("Score: 2 of 3") and p.stderr == ""
    assert sh("quiz", "scales", "--seed", "9", "-n", "3", stdin=stdin, timeout=30).stdout == p.stdout


def test_end_of_input_mid_quiz_ends_with_the_score_so_far():
    qs = questions("muscles", "--seed", "2", "-n", "5")
    r = run("quiz", "muscles", "--seed", "2", "-n", "5", stdin=_answers_for(qs, [True, False]))
    assert r.code == 0, r.err
    assert r.out.rstrip().endswith("Score: 1 of 2 answered (the quiz had 5 questions)")
    assert qs[2]["question"] in r.out and qs[3]["question"] not in r.out
    assert "Traceback" not in r.out + r.err
    empty = run("quiz", "--seed", "2", stdin="")
    assert empty.code == 0 and "Score: 0 of 0 answered" in empty.out


def _question_for(card: str, typed: bool = True) -> dict:
    from dxcli.learn.quiz import questions as make

    return next(q for q in make(None, 10_000, 1, typed) if q["id"] == card)


def test_typed_answers_match_names_never_similarity():
    from dxcli.learn.quiz import is_right

    q = _question_for("muscle:gluteus-medius:nerve")
    assert q["answer"] == "Superior gluteal nerve"
    for ok in ("Superior gluteal nerve", "superior-gluteal-nerve", "  SUPERIOR GLUTEAL NERVE ", "superior gluteal", "Superior gluteal nerve."):
        assert is_right(q, ok), ok
    for wrong in ("inferior gluteal nerve", "superior gluteal nerv", "superior", "gluteal nerve", "", "sciatic"):
        assert not is_right(q, wrong), wrong
    roots = _question_for("muscle:gluteus-medius:roots")
    for ok in ("L4, L5, S1", "l4 l5 s1", "S1, L4, L5", "L4/L5/S1"):
        assert is_right(roots, ok), ok
    for wrong in ("L5, L5, S1", "L4, L5", "L4, L5, S1, S2", "L5", "L4-S1"):
        assert not is_right(roots, wrong), wrong


def test_typed_inferior_for_superior_is_wrong_at_the_terminal():
    qs = questions("innervation", "--typed", "--seed", "1", "-n", "1000")
    assert all(q["options"] is None for q in qs)
    i = next(i for i, q in enumerate(qs) if q["id"] == "muscle:gluteus-medius:nerve")
    stdin = "\n" * i + "inferior gluteal nerve\n"
    r = run("quiz", "innervation", "--typed", "--seed", "1", "-n", "1000", stdin=stdin)
    assert r.code == 0
    block = r.out.split(qs[i]["question"], 1)[1]
    assert block.split("\n", 3)[2].startswith("Wrong. The answer: Superior gluteal nerve"), block[:300]
    assert f"Score: 0 of {i + 1} answered" in r.out


def test_multiple_choice_letters_and_feedback_cite_the_answer():
    from dxcli.learn.quiz import is_right

    q = _question_for("muscle:gluteus-medius:nerve", typed=False)
    letter = "abcd"[q["options"].index(q["answer"])]
    assert is_right(q, letter) and is_right(q, letter.upper())
    assert not is_right(q, next(x for x in "abcd"[: len(q["options"])] if x != letter))
    assert not is_right(q, "e")  # no such option, and not an answer
    r = run("quiz", "innervation", "--seed", "3", "-n", "1", stdin="zzz\n")
    assert "Wrong. The answer: " in r.out and "Review: " in r.out


def test_unknown_topic_and_topic_forms():
    r = run("quiz", "innervaton")
    assert r.code == 1 and "did you mean 'innervation'" in r.err
    for form in ("Red flags", "redflags", "red-flag", "SCALE"):
        assert run("quiz", form, "--seed", "1", "-n", "1", "-f", "json").code == 0, form


# --------------------------------------------------------------------------- help


def test_help_learning():
    r = run("help", "learning")
    assert r.code == 0 and "dxcli export anki" in r.out and "dxcli quiz" in r.out
    doc = run("help", "learning", "-f", "json").json()
    assert doc["id"] == "learning" and doc["text"] == r.out
    assert [row["id"] for row in run("help", "-f", "json").json()] == ["formats", "exit-codes", "packs", "likelihood-ratios", "ranking", "learning", "environment", "files"]
    miss = run("help", "lerning")
    assert miss.code == 1 and "did you mean 'learning'" in miss.err


def test_a_nerve_that_could_carry_the_answer_is_not_a_wrong_option():
    """The data does not say which nerve branches from which; a nerve with more roots, among
    them all of the answer's (the sciatic nerve for the tibial nerve), is never offered as wrong."""
    from dxcli.learn.cards import cards

    nerves = {n["name"]: set(n["roots"]) for n in toml("nerves.toml")["nerve"]}
    for c in cards(["innervation"]):
        if c["field"] == "nerve":
            answer = nerves[c["quiz"]["answer"]]
            assert "Sciatic nerve" not in c["quiz"]["pool"]
            assert all(not answer < nerves[o] for o in c["quiz"]["pool"]), c["id"]


def test_help_text_follows_the_terminal_width():
    from dxcli.help_topics import TOPICS, shown

    narrow = shown(TOPICS["learning"], 60)
    prose = [line for line in narrow.splitlines() if line and not line.startswith(" ")]
    assert prose and all(len(line) <= 60 for line in prose)
    assert "dxcli export anki nerves.apkg --topics innervation,muscles" in narrow  # examples kept whole
    assert shown(TOPICS["learning"], None) == TOPICS["learning"]
    r = run("help", "learning", tty=True, width=60)
    assert all(len(line) <= 60 for line in r.out.splitlines() if not line.startswith(" "))


@pytest.mark.parametrize("topic", ["formats", "exit-codes", "packs", "likelihood-ratios", "ranking", "learning"])
def test_every_help_topic_prints(topic):
    r = run("help", topic)
    assert r.code == 0 and len(r.out.splitlines()) > 5


def test_the_man_page_is_made_from_the_topics_and_the_commands():
    import shutil
    import subprocess

    from dxcli.cli.app import COMMANDS
    from dxcli.help_topics import MAN_SECTIONS, TOPICS

    r = run("help", "--man")
    assert r.code == 0 and r.out.startswith(".TH DXCLI 1")
    for name in COMMANDS:
        assert f"\\fBdxcli {name}\\fR" in r.out, name
    for topic in TOPICS:  # a topic is a section of its own name, or one of the man page's own
        assert f".SH {MAN_SECTIONS.get(topic) or topic.replace('-', ' ').upper()}\n" in r.out, topic
    if shutil.which("groff"):  # where groff is installed, the page renders without a warning
        p = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-P-cbou"], input=r.out, capture_output=True, text=True, timeout=30)
        assert p.returncode == 0 and p.stderr == "" and "EXIT STATUS" in p.stdout
