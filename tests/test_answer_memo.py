"""One answer's reads (issue 22): inside ``loader.answering()`` each record is read from the
store once and kept for that answer only; the batched read of the link table gives what one read
per target gave; and nothing outlives the answer, so a later answer reads the store again."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxcli.query import cases, reasoning
from dxcli.reference import loader
from dxcli.reference.store import _refs

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def reads(monkeypatch):
    """The store reads made, as (sql, args) pairs."""
    made: list[tuple[str, tuple]] = []
    store = loader.store()
    real = type(store).query

    def query(self, sql, args=(), decode=None, fts=False):
        made.append((sql, tuple(args)))
        return real(self, sql, args, decode, fts)

    monkeypatch.setattr(type(store), "query", query)
    return made


def test_inside_an_answer_a_record_is_read_once(reads):
    with loader.answering():
        a = loader.by_ids("condition", ["piriformis-syndrome", "proximal-hamstring-tendinopathy"])
        b = loader.by_ids("condition", ["piriformis-syndrome"])  # both kept: no read
        c = loader.record_named("condition", "piriformis-syndrome", "piriformis syndrome")  # read by id above
        d = loader.referring("maneuver", "condition", "proximal-hamstring-tendinopathy")
        e = loader.referring("maneuver", "condition", "proximal-hamstring-tendinopathy")
    assert len(reads) == 2  # the two conditions in one read, the maneuvers in one
    assert a["piriformis-syndrome"] is b["piriformis-syndrome"] is c
    scan = [r["id"] for r in loader.records("maneuver")
            if any(ev["condition"] == "proximal-hamstring-tendinopathy" for ev in r["evidence"])]
    assert d is e and [r["id"] for r in d] == scan and "modified-bent-knee" in scan


def test_nothing_is_kept_past_the_answer(reads):
    with loader.answering():
        first = loader.by_ids("condition", ["piriformis-syndrome"])["piriformis-syndrome"]
    with loader.answering():
        second = loader.by_ids("condition", ["piriformis-syndrome"])["piriformis-syndrome"]
    third = loader.by_ids("condition", ["piriformis-syndrome"])["piriformis-syndrome"]  # outside: read each time
    assert len(reads) == 3
    assert first == second == third and first is not second and second is not third


def test_an_answer_keeps_only_its_own_references_records(reads):
    """A call made inside the block on another Reference (``using``) reads that one's store."""
    other = loader.reference([ROOT / "examples" / "packs" / "vignette-extras"])
    with loader.answering():
        ours = loader.by_ids("condition", ["piriformis-syndrome"])
        with loader.using(other):
            theirs = loader.by_ids("condition", ["piriformis-syndrome"])
        again = loader.by_ids("condition", ["piriformis-syndrome"])
    assert theirs["piriformis-syndrome"]["id"] == "piriformis-syndrome"
    assert theirs["piriformis-syndrome"] is not ours["piriformis-syndrome"]
    assert again["piriformis-syndrome"] is ours["piriformis-syndrome"]
    assert sum(1 for sql, _ in reads if "id IN" in sql) == 2  # ours once, theirs from their own store


@pytest.mark.parametrize("kind", ["finding", "maneuver", "test"])
def test_one_read_of_the_link_table_gives_what_one_read_per_condition_gave(kind):
    """Against a plain scan of every record of the kind, in data order (with a record that
    refers to several of the conditions asked for, which is read once and listed under each)."""
    cids = [c["id"] for c in loader.records("condition")]
    got = loader.referring_each(kind, "condition", cids)
    for cid in cids:
        expect = [r["id"] for r in loader.records(kind) if ("condition", cid) in _refs(kind, r)]
        assert [r["id"] for r in got[cid]] == expect
        assert [r["id"] for r in loader.referring(kind, "condition", cid)] == expect
    assert any(len([c for c in cids if ("condition", c) in _refs(kind, r)]) > 1 for r in loader.records(kind))


def test_the_case_reads_each_record_once(reads):
    """The vignette's two stages share their conditions' records: no record is read twice."""
    cases.case()
    by_id = [(sql, args) for sql, args in reads if "id IN" in sql or "id = ?" in sql]
    asked = [(args[0], x) for _, args in by_id for x in args[1:]]
    assert len(asked) == len(set(asked))
    assert len(reads) < 40  # (196-203 reads before; one read per record kind and need now)


def test_a_ranked_answer_is_the_same_inside_and_outside_an_answer():
    present, absent = ["modified-bent-knee-positive", "puranen-orava-positive"], ["neurologic-deficit"]
    outside = reasoning.rank("buttock", present, absent)
    outside["next"] = reasoning.next_steps(outside)
    inside = reasoning.differential("buttock", present, absent, next=True, simulation=False)
    assert inside == outside


@pytest.mark.parametrize("kind", ["maneuver", "test"])
def test_the_listed_row_is_the_whole_rows_fields(kind):
    """What to examine next builds ``listed_row``, not ``evidence_row``: for every evidence
    item of the data, each field it gives is the whole row's (so the two cannot drift apart),
    and the stated LRs it ranks by are the whole row's where it reads them from the figures."""
    from dxcli.query.accuracy import evidence_row, listed_row, stated_lrs

    checked = 0
    for rec in loader.records(kind):
        for ev in rec["evidence"]:
            whole, listed = evidence_row(rec, ev, kind), listed_row(rec, ev, kind)
            assert {k: whole[k] for k in listed} == listed, (rec["id"], ev["condition"])
            lrs = stated_lrs(ev)
            if lrs is not None:
                assert {k: whole[k] for k in lrs} == lrs, (rec["id"], ev["condition"])
            checked += 1
    assert checked >= 10  # the data's evidence items, every one
