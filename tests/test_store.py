"""The store: one SQLite database per data state, never stale, never partial, never trusted
when damaged. Each fault test runs dxcli as a real process with its own cache directory."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, sh
from dxcli.reference import loader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

MANEUVER = """[[maneuver]]
id = "x-test-maneuver"
name = "X test maneuver"
description = "A maneuver of a test pack."
source = {{ section = "Test pack" }}

[[maneuver.evidence]]
condition = "gluteus-medius-tendinopathy"
sensitivity = {sens}
specificity = 0.90
source = {{ section = "Test pack" }}
"""


def _env(cache: Path) -> dict[str, str]:
    return {"XDG_CACHE_HOME": str(cache)}


def _pack(tmp_path: Path, sens: str) -> Path:
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / "m.toml").write_text(MANEUVER.format(sens=sens), encoding="utf-8")
    return d


def _sens(cache: Path, pack: Path) -> float:
    p = sh("--reference", str(pack), "maneuver", "x-test-maneuver", "-f", "json", env=_env(cache))
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)[0]["sensitivity"]


def test_an_edit_with_its_mtime_restored_is_seen(tmp_path):
    cache, pack = tmp_path / "cache", _pack(tmp_path, "0.50")
    assert _sens(cache, pack) == 0.5
    f = pack / "m.toml"
    st = os.stat(f)
    time.sleep(0.01)
    f.write_text(MANEUVER.format(sens="0.70"), encoding="utf-8")  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))  # as cp -p or touch -r would
    assert os.stat(f).st_mtime_ns == st.st_mtime_ns and os.stat(f).st_size == st.st_size
    assert _sens(cache, pack) == 0.7


def test_an_invalid_file_swapped_in_with_the_same_size_and_mtime_is_refused(tmp_path):
    cache, pack = tmp_path / "cache", _pack(tmp_path, "0.50")
    assert _sens(cache, pack) == 0.5
    f = pack / "m.toml"
    st = os.stat(f)
    bad = MANEUVER.format(sens="1.50")  # a proportion above 1: same length as 0.50
    assert len(bad) == st.st_size
    time.sleep(0.01)
    f.write_text(bad, encoding="utf-8")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    p = sh("--reference", str(pack), "maneuver", "x-test-maneuver", "-f", "json", env=_env(cache))
    assert p.returncode == 3 and "problem" in p.stderr and p.stdout == ""


def test_concurrent_first_runs_agree_byte_for_byte(tmp_path):
    cache = tmp_path / "cache"
    expected = sh("search", "sciatic", "-f", "json", env=_env(tmp_path / "reference-cache")).stdout
    assert expected.count('"id"') >= 3
    env = {**{k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "COLUMNS")}, **_env(cache),
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def one(_: int) -> tuple[int, str]:
        p = subprocess.run([sys.executable, "-m", "dxcli", "search", "sciatic", "-f", "json"], capture_output=True,
                           text=True, env=env, cwd="/", timeout=120)
        return p.returncode, p.stdout if p.returncode == 0 else p.stderr

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(one, range(16)))
    assert all(code == 0 for code, _ in results), [r for r in results if r[0]]
    assert all(out == expected for _, out in results)
    assert not [p for p in (cache / "dxcli" / "store").iterdir() if p.suffix == ".tmp"]


def test_every_cache_file_replaced_by_random_bytes_is_rebuilt(tmp_path):
    cache = tmp_path / "cache"
    good = sh("maneuver", "faber", "-f", "json", env=_env(cache))
    assert good.returncode == 0
    rng = random.Random(7)
    for size in (5, 4096, 100_000):
        files = [p for p in (cache / "dxcli").rglob("*") if p.is_file()]
        assert files
        for p in files:
            p.write_bytes(bytes(rng.randrange(256) for _ in range(size)))
        t0 = time.monotonic()
        again = sh("maneuver", "faber", "-f", "json", env=_env(cache))
        assert time.monotonic() - t0 < 30
        assert again.returncode == 0 and again.stdout == good.stdout, again.stderr


def test_a_damaged_page_of_a_valid_store_is_not_trusted(tmp_path):
    cache = tmp_path / "cache"
    good = sh("condition", "piriformis-syndrome", "-f", "json", env=_env(cache))
    store = next((cache / "dxcli" / "store").glob("*.sqlite"))
    data = bytearray(store.read_bytes())
    for i in range(8192, len(data), 997):  # keep the header and first pages, scramble the rest
        data[i] ^= 0x5A
    store.write_bytes(bytes(data))
    again = sh("condition", "piriformis-syndrome", "-f", "json", env=_env(cache))
    assert again.returncode == 0 and again.stdout == good.stdout, again.stderr


def _scramble_leaves(conn, start: int = 0) -> None:
    """Every 7th byte of every leaf of the FTS5 index XORed, from ``start``."""
    for rowid, block in conn.execute("SELECT id, block FROM search_fts_data WHERE id > 10").fetchall():
        b = bytearray(block)
        for i in range(start, len(b), 7):
            b[i] ^= 0x5A
        conn.execute("UPDATE search_fts_data SET block = ? WHERE id = ?", (bytes(b), rowid))


def _scramble_leaves_loudly(conn):
    """Leaves scrambled so that FTS5 reports the damage on reading its vocabulary."""
    import sqlite3

    _scramble_leaves(conn)
    with pytest.raises(sqlite3.DatabaseError, match="malformed"):
        conn.execute("SELECT count(*) FROM search_vocab").fetchone()


def _scramble_leaves_silently(conn):
    """Leaves scrambled so that FTS5 reports nothing and finds no row for 'hamstring'."""
    import sqlite3

    for start in range(7):
        _scramble_leaves(conn, start)
        try:
            if conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'hamstring'").fetchone() == (0,):
                return
        except sqlite3.DatabaseError:
            pass
        _scramble_leaves(conn, start)  # XOR again: the leaves as they were
    raise AssertionError("no scrambling of the leaves went unreported by FTS5")


def _name_row_of_the_first_document(conn):
    """The FTS5 row of the first document's name words, which do not hold 'hamstring'."""
    doc, kind, pos = conn.execute("SELECT doc, kind, pos FROM search_docs WHERE doc = 0").fetchone()
    body = conn.execute("SELECT body FROM records WHERE kind = ? AND pos = ?", (kind, pos)).fetchone()[0]
    assert "hamstring" not in json.loads(body)["name"].lower()
    return 2 * doc + 1


def _add_a_row(conn):
    """The first document said to have 'hamstring' in its name: it would be listed first."""
    conn.execute("INSERT INTO search_fts (rowid, words) VALUES (?, 'hamstring')", (_name_row_of_the_first_document(conn),))


def _add_a_row_and_count_it(conn):
    """As above, with the vocabulary's count of the word raised to agree."""
    _add_a_row(conn)
    conn.execute("UPDATE search_terms SET rows = rows + 1 WHERE term = 'hamstring'")


def _move_a_word_into_a_name(conn):
    """The first document with 'hamstring' in its text but not its name said to have it in its
    name (and counted): it would score 3 for 1."""
    rows = {r for (r,) in conn.execute("SELECT rowid FROM search_fts WHERE search_fts MATCH 'hamstring'")}
    row = min(r for r in rows if r % 2 == 0 and r + 1 not in rows) + 1
    conn.execute("INSERT INTO search_fts (rowid, words) VALUES (?, 'hamstring')", (row,))
    conn.execute("UPDATE search_terms SET rows = rows + 1 WHERE term = 'hamstring'")


def _drop_a_word_from_the_copy(conn):
    assert conn.execute("DELETE FROM search_terms WHERE term = 'hamstring'").rowcount == 1


def _index_again_without(conn, word: str, copy_too: bool) -> None:
    """The index built again from the records, without ``word``; its vocabulary's copy too
    if ``copy_too``, so that the two agree."""
    from dxcli.names import norm
    from dxcli.reference import store

    def words(parts):
        return frozenset(norm(" ".join(parts)).split()) - {word}

    conn.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
    for doc, kind, pos in conn.execute("SELECT doc, kind, pos FROM search_docs").fetchall():
        rec = json.loads(conn.execute("SELECT body FROM records WHERE kind = ? AND pos = ?", (kind, pos)).fetchone()[0])
        in_name, rest = store.doc_words(rec, words)
        conn.executemany("INSERT INTO search_fts (rowid, words) VALUES (?, ?)", [(2 * doc + 1, " ".join(in_name)), (2 * doc, " ".join(rest))])
    assert conn.execute("SELECT count(*) FROM search_vocab WHERE term = ?", (word,)).fetchone() == (0,)
    if copy_too:
        conn.execute("DELETE FROM search_terms")
        conn.execute("INSERT INTO search_terms SELECT term, doc FROM search_vocab")


def _index_again_without_a_word(conn):
    """An index and vocabulary that agree with each other but lack 'hamstring' (only the
    vocabulary's checksum tells): 'hamstrng' would be read as another word."""
    _index_again_without(conn, "hamstring", copy_too=True)


def _index_again_without_a_word_the_copy_kept(conn):
    """The index lacks 'kerboul', its vocabulary's copy still has it (only the count of the
    word's rows tells): 'kerbol', read as 'kerboul', would find nothing."""
    _index_again_without(conn, "kerboul", copy_too=False)


def _drop_the_copy(conn):
    conn.execute("DROP TABLE search_terms")


def _drop_every_search_table(conn):
    """A store as a Python without FTS5 builds it: every other command may use it."""
    conn.executescript("DROP TABLE search_vocab; DROP TABLE search_fts; DROP TABLE search_terms;")


@pytest.mark.parametrize(
    "query,damage",
    [("hamstring", _scramble_leaves_loudly), ("hamstring", _scramble_leaves_silently), ("kerbol", _index_again_without_a_word_the_copy_kept),
     ("hamstring", _add_a_row), ("hamstring", _add_a_row_and_count_it), ("hamstring", _move_a_word_into_a_name),
     ("hamstring", _drop_a_word_from_the_copy), ("hamstrng", _index_again_without_a_word),
     ("hamstring", _drop_the_copy), ("hamstring", _drop_every_search_table)],
    ids=lambda v: v.__name__.strip("_") if callable(v) else v,
)
def test_a_damaged_search_index_is_not_trusted(tmp_path, query, damage):
    import sqlite3

    cache = tmp_path / "cache"
    good = sh("search", query, "-f", "json", env=_env(cache))
    assert good.returncode == 0 and good.stdout.count('"id"') >= 5
    store = next((cache / "dxcli" / "store").glob("*.sqlite"))
    conn = sqlite3.connect(store)
    damage(conn)
    conn.commit()
    conn.close()
    again = sh("search", query, "-f", "json", env=_env(cache))
    assert again.returncode == 0 and again.stdout == good.stdout, again.stderr
    assert sh("search", query, "-f", "json", env=_env(cache)).stdout == good.stdout  # the rebuilt store is whole


# dxcli run by a Python whose SQLite has no FTS5: every statement that names FTS5 or the
# search index's virtual tables fails as it does there ("no such module: fts5").
_NO_FTS5 = r"""
import runpy, sqlite3, sys

class NoFts5(sqlite3.Connection):
    def _refuse(self, sql):
        if any(w in sql.lower() for w in ("fts5", "search_fts", "search_vocab")):
            raise sqlite3.OperationalError("no such module: fts5")

    def execute(self, sql, *args):
        self._refuse(sql)
        return super().execute(sql, *args)

    def executemany(self, sql, *args):
        self._refuse(sql)
        return super().executemany(sql, *args)

    def executescript(self, sql):
        self._refuse(sql)
        return super().executescript(sql)

connect = sqlite3.connect
sqlite3.connect = lambda *a, **k: connect(*a, factory=NoFts5, **k)
sys.argv = ["dxcli", *sys.argv[1:]]
runpy.run_module("dxcli", run_name="__main__", alter_sys=True)
"""


def test_without_fts5_search_fails_clearly_and_every_other_command_works(tmp_path):
    cache = tmp_path / "cache"
    env = {**os.environ, **_env(cache), "PYTHONPATH": str(ROOT)}
    env.pop("DXCLI_DEBUG", None)

    def no_fts5(*args):
        return subprocess.run([sys.executable, "-c", _NO_FTS5, *args], capture_output=True, text=True, env=env, cwd="/", timeout=120)

    faber = sh("maneuver", "faber", "-f", "json", env=_env(tmp_path / "other"))
    searched = sh("search", "hamstring", "-f", "json", env=_env(tmp_path / "other"))
    assert faber.returncode == 0 and searched.returncode == 0
    for _ in range(2):  # a store built without the index, then one built with it by a whole Python
        p = no_fts5("maneuver", "faber", "-f", "json")
        assert p.returncode == 0 and p.stdout == faber.stdout, p.stderr
        p = no_fts5("search", "hamstring", "-f", "json")
        assert p.returncode == 3 and p.stdout == "", p.stderr
        assert p.stderr.splitlines()[0].startswith("dxcli: error: ") and "FTS5" in p.stderr.splitlines()[0]
        assert "Traceback" not in p.stderr
        whole = sh("search", "hamstring", "-f", "json", env=_env(cache))
        assert whole.returncode == 0 and whole.stdout == searched.stdout, whole.stderr


def test_a_foreign_sqlite_file_is_rebuilt(tmp_path):
    import sqlite3

    cache = tmp_path / "cache"
    good = sh("kerboul", "210", "-f", "json", env=_env(cache))
    store = next((cache / "dxcli" / "store").glob("*.sqlite"))
    store.unlink()
    conn = sqlite3.connect(store)
    conn.execute("CREATE TABLE records (x)")
    conn.commit()
    conn.close()
    again = sh("kerboul", "210", "-f", "json", env=_env(cache))
    assert again.returncode == 0 and again.stdout == good.stdout


def test_an_unwritable_cache_uses_a_temporary_store_with_a_notice(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")  # a file: no directory can be made under it
    p = sh("maneuver", "faber", "-f", "json", env={"XDG_CACHE_HOME": str(blocker)})
    assert p.returncode == 0 and json.loads(p.stdout)[0]["id"] == "faber"
    notice = [line for line in p.stderr.splitlines() if line]
    assert len(notice) == 1 and notice[0].startswith("dxcli: notice: cannot write the cache")


def test_the_temporary_store_is_removed_when_the_run_ends(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    p = sh("maneuver", "faber", "-f", "json", env={"XDG_CACHE_HOME": str(blocker), "TMPDIR": str(tmp)})
    assert p.returncode == 0 and "temporary store" in p.stderr
    assert list(tmp.iterdir()) == []  # nothing left behind in the temporary directory


def test_old_stores_are_pruned_when_a_new_one_is_built(tmp_path):
    from dxcli.reference import store

    cache = tmp_path / "cache"
    d = cache / "dxcli" / "store"
    d.mkdir(parents=True)
    old = []
    for i in range(store.KEEP_STORES + 3):  # stores of other data states, oldest first
        f = d / f"data-{i:08x}-10.sqlite"
        f.write_bytes(b"x")
        os.utime(f, (1_000_000 + i, 1_000_000 + i))
        old.append(f)
    crashed = d / "data-ffffffff-10.sqlite.abc.tmp"
    crashed.write_bytes(b"x")
    os.utime(crashed, (1_000_000, 1_000_000))
    fresh = d / "data-eeeeeeee-10.sqlite.def.tmp"  # a build in progress: left alone
    fresh.write_bytes(b"x")
    p = sh("maneuver", "faber", "-f", "json", env={"XDG_CACHE_HOME": str(cache)})
    assert p.returncode == 0, p.stderr
    left = set(d.iterdir())
    assert set(old[-store.KEEP_STORES:]) <= left and not set(old[:3]) & left  # the newest others kept
    assert crashed not in left and fresh in left
    assert len([f for f in left if f.suffix == ".sqlite"]) == store.KEEP_STORES + 1  # and the new one


def test_a_relative_xdg_cache_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert loader.cache_dir() == Path(os.path.expanduser("~")) / ".cache" / "dxcli"


def test_the_store_holds_the_toml_with_defaults_applied():
    """Every record as stored is the TOML's record, with the models' defaults added."""
    for path in loader.bundled_files():
        parsed = tomllib.loads(path.read_text(encoding="utf-8"))
        for kind, value in parsed.items():
            stored = loader.records(kind)
            raw = value if isinstance(value, list) else [value]
            assert len(stored) == len(raw)
            for s, r in zip(stored, raw):
                _contains(s, r)
    cond = loader.by_id("condition")["peripheral-artery-disease"]
    assert cond["pearls"] == []  # a default the TOML leaves out


def _contains(stored, raw) -> None:
    if isinstance(raw, dict):
        for k, v in raw.items():
            _contains(stored[k], v)
    elif isinstance(raw, list):
        assert len(stored) == len(raw)
        for s, r in zip(stored, raw):
            _contains(s, r)
    else:
        assert stored == raw


def test_a_lint_clean_pack_without_optional_fields_runs_every_command(tmp_path):
    d = tmp_path / "p"
    d.mkdir()
    (d / "c.toml").write_text(
        '[[condition]]\nid = "x-new-condition"\nname = "X new condition"\nicd10cm = ["M79.1"]\n'
        'presentation = ["Pain"]\ndiagnosis = ["Clinical"]\nsource = { section = "Pack" }\n'
        '[[complaint]]\nid = "x-complaint"\nname = "X complaint"\ndescription = "A test complaint."\n'
        'conditions = ["x-new-condition", "piriformis-syndrome"]\nsource = { section = "Pack" }\n',
        encoding="utf-8",
    )
    assert sh("reference", "lint", str(d)).returncode == 0
    for args in (["differential", "x-complaint"], ["condition", "x-new-condition"], ["search", "new condition"],
                 ["differential", "x-complaint", "-F", "pain-worse-with-sitting"]):
        p = sh("--reference", str(d), *args, "-f", "json")
        assert p.returncode == 0, (args, p.stderr)


def test_the_everyday_path_imports_neither_pydantic_nor_tomllib(tmp_path):
    cache = tmp_path / "cache"
    assert sh("maneuver", "faber", "-f", "json", env=_env(cache)).returncode == 0  # builds the store
    code = (
        "import atexit, sys, runpy; sys.argv = ['dxcli', 'maneuver', 'faber', '-f', 'json']\n"
        "def report():\n"  # dxcli ends the process itself once done (atexit handlers run)
        "    bad = [m for m in ('pydantic', 'tomllib', 'tomli') if m in sys.modules]\n"
        "    sys.stderr.write('LOADED:' + ','.join(bad) + '\\n')\n"
        "atexit.register(report)\n"
        "try:\n    runpy.run_module('dxcli', run_name='__main__')\nexcept SystemExit:\n    pass\n"
    )
    env = {**os.environ, **_env(cache), "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd="/", timeout=60)
    assert "LOADED:\n" in p.stderr, p.stderr


GOLDEN_SEARCH = [line.rstrip("\n").split("\t") for line in (ROOT / "tests" / "golden" / "search.tsv").read_text(encoding="utf-8").splitlines() if not line.startswith("#")][1:]


@pytest.mark.parametrize("query,code,top", GOLDEN_SEARCH, ids=[g[0] for g in GOLDEN_SEARCH])
def test_search_keeps_or_improves_what_it_found_before_the_store(query, code, top):
    from dxcli.query.sources import search

    got = [f"{r['kind']}:{r['id']}" for r in search(query)]
    before = top.split()
    if query == "glut med":  # before: one citation; now the muscle and the condition lead
        assert got[:2] == ["condition:gluteus-medius-tendinopathy", "muscle:gluteus-medius"]
        return
    assert got[:5] == before, (query, got[:5])


def test_search_kinds_are_the_stores():
    from dxcli.query.sources import SEARCHABLE
    from dxcli.reference import store

    assert tuple(SEARCHABLE) == store.SEARCHABLE  # the tie order the store's document numbers follow


def test_a_parallel_build_gives_the_serial_store(tmp_path, monkeypatch):
    """Large data is read by one process a core: the store must hold exactly what one process reads."""
    from dxcli.reference import store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "serial"))
    pack = ROOT / "examples" / "packs" / "vignette-extras"
    loader.use_packs([pack])
    serial = {k: loader.records(k) for k in ("finding", "condition", "maneuver", "citation")}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "parallel"))
    monkeypatch.setattr(store, "PARALLEL_BYTES", 0)
    import concurrent.futures

    pools = []

    class Recorded(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *a, **k):
            pools.append(k.get("max_workers"))
            super().__init__(*a, **k)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Recorded)
    loader.use_packs([])
    loader.use_packs([pack])
    parallel = {k: loader.records(k) for k in serial}
    assert parallel == serial and len(serial["finding"]) > 100
    assert list((tmp_path / "parallel" / "dxcli" / "store").glob("*.sqlite"))
    assert pools, "the parallel read did not run"


# -- a store checked to the row (issue 23) ------------------------------------------------------
# Each edit goes through SQLite itself, so the store's pages and SQLite's own structures stay
# whole and every record checksum that is read still matches (an edit recomputes it): only the
# header's file change counter, which every write transaction bumps, gives the edit away.

def _store_file(cache: Path) -> Path:
    (path,) = [p for p in (cache / "dxcli" / "store").glob("data-*.sqlite")]
    return path


def _delete_a_condition(conn):
    conn.execute("DELETE FROM records WHERE kind = 'condition' AND id = 'piriformis-syndrome'")


def _duplicate_a_condition(conn):
    conn.execute(
        "INSERT INTO records SELECT kind, (SELECT max(pos) + 1 FROM records WHERE kind = 'condition'), id, body, digest "
        "FROM records WHERE kind = 'condition' AND id = 'piriformis-syndrome'"
    )


def _move_a_condition(conn):
    # the first muscle to the end: the list of muscles, in file order, is then in another order
    conn.execute(
        "UPDATE records SET pos = (SELECT max(pos) + 1 FROM records WHERE kind = 'muscle') "
        "WHERE kind = 'muscle' AND pos = 0"
    )


def _edit_a_condition_with_its_checksum(conn):
    from dxcli.reference.store import digest

    (body,) = conn.execute("SELECT body FROM records WHERE kind = 'condition' AND id = 'piriformis-syndrome'").fetchone()
    rec = json.loads(body)
    rec["name"] = "Tampered syndrome"
    new = json.dumps(rec, ensure_ascii=False, separators=(",", ":"))
    conn.execute("UPDATE records SET body = ?, digest = ? WHERE kind = 'condition' AND id = 'piriformis-syndrome'", (new, digest(new)))


@pytest.mark.parametrize(
    "tamper",
    [_delete_a_condition, _duplicate_a_condition, _move_a_condition, _edit_a_condition_with_its_checksum],
    ids=["delete", "duplicate", "move", "edit-with-checksum"],
)
def test_a_store_with_a_row_changed_through_sqlite_is_rebuilt(tmp_path, tamper):
    import sqlite3

    cache = tmp_path / "cache"
    args = [("differential", "buttock", "-f", "json"), ("info", "-f", "json"), ("condition", "piriformis syndrome", "-f", "json"),
            ("muscle", "-f", "json"),             ("differential", "buttock", "-F", "low-back-pain", "-F", "groin-pain", "-A", "inferior-buttock-pain", "-f", "json")]
    good = [sh(*a, env=_env(cache)) for a in args]
    assert all(p.returncode == 0 for p in good), [p.stderr for p in good]
    # Table 2 of the review lists 13 conditions for buttock pain (complaints.toml: 13 ids)
    assert len(json.loads(good[0].stdout)) == 13
    conn = sqlite3.connect(_store_file(cache))
    tamper(conn)
    conn.commit()
    conn.close()
    for a, before in zip(args, good):
        again = sh(*a, env=_env(cache))
        assert (again.returncode, again.stdout) == (0, before.stdout), (a, again.stderr)


def test_a_link_to_a_missing_record_met_while_answering_rebuilds_and_answers(tmp_path):
    """Damage that went around SQLite (its header restored to a fresh build's): the open check
    passes, and the ranked differential meets a complaint's condition that is not there."""
    import sqlite3

    cache = tmp_path / "cache"
    args = ("differential", "buttock", "-F", "low-back-pain", "-F", "groin-pain", "-A", "inferior-buttock-pain", "-f", "json")
    good = sh(*args, env=_env(cache))
    assert good.returncode == 0, good.stderr
    path = _store_file(cache)
    head = path.read_bytes()[:100]
    conn = sqlite3.connect(path)
    _delete_a_condition(conn)
    conn.execute("UPDATE meta SET value = '{}' WHERE key = 'counts'")  # the count check, too, gone around
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[24:28], data[92:96] = head[24:28], head[92:96]  # the change counter as built
    path.write_bytes(bytes(data))
    again = sh(*args, env=_env(cache))
    assert (again.returncode, again.stdout) == (0, good.stdout), again.stderr


# -- an unusable cache directory (issue 23) ----------------------------------------------------
# Permissions mean nothing to root, so these run dxcli as the user 'nobody' where the test runs
# as root, and as the test's own user otherwise.

def _run_as_nobody():
    """(preexec_fn, uid, gid, python) to run dxcli as a user whom permissions bind; skip if
    there is none, or if no Python of this version is there for that user."""
    if os.geteuid() != 0:
        return None, os.geteuid(), os.getegid(), sys.executable
    import pwd
    import sysconfig

    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("running as root and there is no user 'nobody' to drop privileges to")

    def drop():
        os.setgroups([])
        os.setgid(nobody.pw_gid)
        os.setuid(nobody.pw_uid)

    # this interpreter may sit where nobody cannot reach it (a home directory); the same
    # version elsewhere serves, with this environment's packages on its path
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    env = {"PYTHONPATH": os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])}
    for python in dict.fromkeys([sys.executable, shutil.which(version) or "", f"/usr/bin/{version}"]):
        if not python:
            continue
        try:
            ok = subprocess.run([python, "-c", "import dxcli.cli.app, pydantic, sqlite3"], env={**os.environ, **env}, cwd="/",
                                capture_output=True, timeout=30, preexec_fn=drop).returncode == 0
        except OSError:
            ok = False
        if ok:
            return drop, nobody.pw_uid, nobody.pw_gid, python
    # no Python for 'nobody' (the interpreter sits under /root): root itself, without the
    # capabilities that pass permission bits, is bound by them as an owner
    from conftest import without_dac_override

    preexec = without_dac_override(skip=False)
    if preexec is not None:
        return preexec, 0, 0, sys.executable
    pytest.skip(f"running as root, and no {version} with dxcli's packages can be run as 'nobody'")


def _as_user(args, home: Path, preexec, python: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    import sysconfig

    e = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "COLUMNS", "DXCLI_DEBUG")}
    path = os.pathsep.join([str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    e.update({"PYTHONPATH": path, "HOME": str(home), "TMPDIR": str(home / "tmp"), "PYTHONDONTWRITEBYTECODE": "1"}, **env)
    return subprocess.run([python, "-m", "dxcli", *args], capture_output=True, text=True, env=e, cwd="/",
                          timeout=60, preexec_fn=preexec)


def _unsearchable(cache: Path, run) -> None:
    (cache / "dxcli").mkdir()
    (cache / "dxcli").chmod(0o600)  # no x: nothing inside can be opened


def _store_dir_without_any_access(cache: Path, run) -> None:
    (cache / "dxcli" / "store").mkdir(parents=True)
    (cache / "dxcli" / "store").chmod(0o000)


def _store_dir_is_a_file(cache: Path, run) -> None:
    (cache / "dxcli").mkdir()
    (cache / "dxcli" / "store").write_text("not a directory")


def _read_only_store_dir_with_an_unreadable_store(cache: Path, run) -> None:
    # a store of this data state that cannot be read, in a directory where none can be written
    good = run("maneuver", "faber", "-f", "json")
    assert good.returncode == 0, good.stderr
    (path,) = (cache / "dxcli" / "store").glob("data-*.sqlite")
    path.chmod(0o000)
    path.parent.chmod(0o555)


@pytest.mark.parametrize(
    "make",
    [_unsearchable, _store_dir_without_any_access, _store_dir_is_a_file, _read_only_store_dir_with_an_unreadable_store],
    ids=["unsearchable", "no-access", "not-a-directory", "unreadable-store"],
)
def test_an_unusable_cache_directory_falls_back_to_a_temporary_store(tmp_path, make):
    import tempfile

    preexec, uid, gid, python = _run_as_nobody()
    want = sh("maneuver", "faber", "-f", "json", env=_env(tmp_path / "ok"))
    assert want.returncode == 0
    home = Path(tempfile.mkdtemp(prefix="dxcli-perm-"))  # outside pytest's private tmp, which nobody cannot enter
    try:
        home.chmod(0o755)
        (home / "tmp").mkdir()
        cache = home / "cache"
        cache.mkdir()
        for p in (home / "tmp", cache):
            os.chown(p, uid, gid)
        env = {"XDG_CACHE_HOME": str(cache)}

        def run(*args):
            return _as_user(args, home, None, python, env)

        if preexec is None:
            make(cache, run)
        else:  # the layout made by the user who will run dxcli
            pid = os.fork()
            if pid == 0:  # pragma: no cover - the child
                code = 1
                try:
                    preexec()
                    make(cache, run)
                    code = 0
                except BaseException as e:
                    os.write(2, repr(e).encode())
                finally:
                    os._exit(code)
            assert os.waitpid(pid, 0)[1] == 0
        p = _as_user(("maneuver", "faber", "-f", "json"), home, preexec, python, env)
        assert (p.returncode, p.stdout) == (0, want.stdout), p.stderr
        notice = [line for line in p.stderr.splitlines() if line]
        assert len(notice) == 1 and notice[0].startswith("dxcli: notice: cannot write the cache"), p.stderr
        assert list((home / "tmp").iterdir()) == []  # the temporary store removed when the run ended
    finally:
        for d, dirs, _ in os.walk(home):
            for x in dirs:
                os.chmod(os.path.join(d, x), 0o700)
        shutil.rmtree(home, ignore_errors=True)


def test_references_for_different_packs_answer_side_by_side_from_threads(tmp_path, monkeypatch):
    """Two sets of packs in one process (the API's and the MCP server's case): each thread
    reads the Reference it names with ``using``; none sees the other's records or indexes."""
    from dxcli.errors import NotFound
    from dxcli.query import accuracy, evidence

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    bundled, packed = loader.Reference([]), loader.Reference([_pack(tmp_path, "0.80")])
    try:
        def ask(i: int):
            ref = packed if i % 2 else bundled
            with loader.using(ref):
                n = len(loader.records("maneuver"))
                faber = accuracy.rows_for("maneuver", "faber")
                studies = len(evidence._index())
                try:
                    sens = accuracy.rows_for("maneuver", "x-test-maneuver")[0]["sensitivity"]
                except NotFound:
                    sens = None
            return i % 2, n, json.dumps(faber, sort_keys=True), studies, sens

        with ThreadPoolExecutor(8) as pool:
            got = set(pool.map(ask, range(400)))
        # two answers, one per Reference: the pack adds one maneuver, with sensitivity 0.80
        assert len(got) == 2
        (b,), (p,) = [a for a in got if a[0] == 0], [a for a in got if a[0] == 1]
        assert (b[4], p[4]) == (None, 0.8) and p[1] == b[1] + 1 and p[2] == b[2] and p[3] == b[3]
        with pytest.raises(NotFound):  # the default Reference (no packs) is untouched
            accuracy.rows_for("maneuver", "x-test-maneuver")
    finally:
        bundled.close()
        packed.close()


def test_close_spellings_through_the_index_are_difflibs_over_the_whole_vocabulary(tmp_path, monkeypatch):
    """The bigram index only narrows the words difflib compares (issue 22): for misspellings
    made from the vocabulary's own words (a letter dropped, doubled, swapped or changed), the
    close matches are exactly difflib.get_close_matches over the whole vocabulary."""
    import difflib

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ref = loader.Reference([])
    try:
        st = ref.store
        vocab = [t for (t,) in st.query("SELECT term FROM search_terms ORDER BY term", fts=True)]
        rng = random.Random(22)
        words = rng.sample([w for w in vocab if len(w) >= 4], 40) + ["kerbol", "hamstrng", "piriformus", "glutael", "zzzzzz", "abcd"]
        tried = 0
        for w in words:
            variants = {w[:i] + w[i + 1 :] for i in range(len(w))} | {w[:i] + w[i] + w[i:] for i in range(len(w))}
            variants |= {w[:i] + w[i + 1] + w[i] + w[i + 2 :] for i in range(len(w) - 1)}
            variants |= {w[:i] + c + w[i + 1 :] for i in range(len(w)) for c in "aeiost"}
            for v in rng.sample(sorted(variants), min(8, len(variants))) + ([w] if len(w) <= 6 else []):
                if len(v) < 4:
                    continue
                tried += 1
                assert difflib.get_close_matches(v, st._near(v), n=5, cutoff=0.8) == difflib.get_close_matches(v, vocab, n=5, cutoff=0.8), v
        assert tried > 250
    finally:
        ref.close()


@pytest.mark.parametrize("damage", [
    "DELETE FROM search_grams WHERE term = 'kerboul' AND gram = 'bo'",
    "UPDATE search_grams SET n = 2 WHERE term = 'kerboul' AND gram = 'ke'",
    "DELETE FROM search_grams WHERE term = 'kerboul' AND gram = 'bo'; UPDATE search_gram_counts SET rows = rows - 1 WHERE gram = 'bo' AND len = 7",
], ids=["a-posting-lost", "a-count-changed", "a-posting-lost-and-counted"])
def test_a_damaged_close_spelling_index_is_not_trusted_even_around_the_header(tmp_path, damage):
    """Damage that went around SQLite (the header restored to a fresh build's): the index's own
    check, bounded by the query, still sees it, except a posting lost with its count made to
    agree, which only the header can see; either way the answer is never short."""
    import sqlite3

    cache = tmp_path / "cache"
    good = sh("search", "kerbol", "-f", "json", env=_env(cache))
    assert good.returncode == 0 and '"kerboul"' in good.stdout
    path = _store_file(cache)
    head = path.read_bytes()[:100]
    conn = sqlite3.connect(path)
    conn.executescript(damage)
    conn.commit()
    conn.close()
    again = sh("search", "kerbol", "-f", "json", env=_env(cache))
    assert (again.returncode, again.stdout) == (0, good.stdout), again.stderr  # the header check
    if "search_gram_counts" in damage:
        return  # consistent damage around the header would not be seen: the header is the guard
    conn = sqlite3.connect(path)
    conn.executescript(damage)
    conn.commit()
    conn.close()
    data = bytearray(path.read_bytes())
    data[24:28], data[92:96] = head[24:28], head[92:96]
    path.write_bytes(bytes(data))
    again = sh("search", "kerbol", "-f", "json", env=_env(cache))
    assert (again.returncode, again.stdout) == (0, good.stdout), again.stderr  # the index's own check


def test_lookups_by_id_search_the_id_index_never_the_whole_kind(tmp_path, monkeypatch):
    """A record found by id is read through the (kind, id) index: a query plan that walks a
    kind's records instead made `case` and `--next` grow with the pack (issue 22). Each
    statement the lookups run is traced and its plan read from SQLite (no timing)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ref = loader.Reference([])
    try:
        st = ref.store
        conn = st.connection()
        ran: list[str] = []
        conn.set_trace_callback(ran.append)
        assert set(st.by_ids("maneuver", ["faber", "no-such-id"])) == {"faber"}
        assert st.named("maneuver", "faber", "faber")["id"] == "faber"
        conn.set_trace_callback(None)
        lookups = [s for s in ran if s.lstrip().upper().startswith("SELECT") and "records" in s and "id IN" in s or "id = 'faber'" in s]
        assert len(lookups) == 2, ran
        for sql in lookups:
            plan = " ".join(row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING INDEX records_id" in plan, (sql, plan)
    finally:
        ref.close()


def test_a_one_word_search_read_from_names_ranks_as_the_whole_index():
    """A one-word search whose best `limit` documents all hold the word in their names reads
    only those rows (issue 22); it must rank as the search over every matching row does."""
    from dxcli.query.sources import search

    # "sit" is a whole word of the id pain-sit-to-stand (1.0, three times in a name: 3.0) and
    # begins "sitting" in the name "Pain worse with sitting" (0.9 x 3 = 2.7); no other record's
    # name, id or aliases hold either, so the two lead and nothing ties with them.
    got = [(r["id"], r["score"]) for r in search("sit", limit=2)]
    assert got == [("pain-sit-to-stand", 3.0), ("pain-worse-with-sitting", 2.7)]
    for word in ("pain", "hip", "nerve", "muscle", "glut", "tend", "sit", "sciatic", "hamstrng"):
        whole = search(word, limit=500)
        for limit in (1, 2, 3, 5, 8):
            assert search(word, limit=limit) == whole[:limit], (word, limit)


def test_a_parallel_build_refuses_a_bad_pack_with_the_serial_builds_problems(tmp_path, monkeypatch):
    """The checks across records run over what every file left, however many processes read
    the files: a parallel build names the same problems, in the same order, as a serial one
    and as lint. The order is the checks', not the files': a.toml's unknown condition is a
    reference check, told after b.toml's duplicate id (ids are checked first)."""
    from dxcli.errors import DataError
    from dxcli.reference import packs, store

    d = tmp_path / "pack"
    d.mkdir()
    (d / "a.toml").write_text(MANEUVER.format(sens="0.5").replace("gluteus-medius-tendinopathy", "no-such-condition"), encoding="utf-8")
    (d / "b.toml").write_text(MANEUVER.format(sens="0.5").replace('id = "x-test-maneuver"', 'id = "faber"')
                              .replace("X test maneuver", "X second maneuver"), encoding="utf-8")
    problems = packs.check([d])
    assert [(Path(p.file).name, p.key, p.message) for p in problems] == [
        ("b.toml", "id", "duplicate id 'faber' (also a maneuver in (bundled) maneuvers.toml)"),
        ("a.toml", "evidence[0].condition", "evidence[0].condition refers to unknown condition 'no-such-condition'"),
    ]
    said = []
    for parallel in (False, True):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / f"cache-{parallel}"))
        monkeypatch.setattr(store, "PARALLEL_BYTES", 0 if parallel else 1 << 40)
        with pytest.raises(DataError) as e:
            loader.Reference([d]).store.connection()
        said.append(str(e.value))
        assert not list((tmp_path / f"cache-{parallel}" / "dxcli" / "store").glob("*.sqlite"))  # nothing renamed into place
    assert said[0] == said[1]
    assert said[0].startswith(f"the reference data has 2 problem(s); the first: {d / 'b.toml'}:2: id: duplicate id 'faber'")
