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
    assert p.returncode == 0 and json.loads(p.stdout)[0]["maneuver"] == "faber"
    notice = [line for line in p.stderr.splitlines() if line]
    assert len(notice) == 1 and notice[0].startswith("dxcli: notice: cannot write the cache")


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
