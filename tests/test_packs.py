"""User packs and hostile data: lint, --reference, collisions, and data that is only data."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import ROOT, run, sh

BROKEN = ROOT / "tests" / "data" / "broken-pack"
EXAMPLE = ROOT / "examples" / "packs" / "vignette-extras"


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("DXCLI_REFERENCE_PATH", raising=False)


def lint(path):
    r = run("reference", "lint", str(path), "-f", "json")
    return r, (json.loads(r.out) if r.out.strip() else [])


def test_lint_reports_every_planted_problem_with_its_location():
    r, problems = lint(BROKEN)
    assert r.code == 3
    found = {(Path(p["file"]).name, p["message"].split(":")[0][:40]) for p in problems}
    planted = [
        ("latin1.toml", "not UTF-8"),
        ("malformed.toml", "invalid TOML"),
        ("maneuvers.toml", "sensitivity must lie in [0, 1]"),
        ("maneuvers.toml", "Field required"),
        ("maneuvers.toml", "duplicate id 'faber'"),
        ("maneuvers.toml", "unknown condition 'knee-bursitis'"),
        ("maneuvers.toml", "unknown citation 'nobody-2020'"),
        ("scales.toml", "gap between low and high"),
        ("types.toml", "Input should be a valid string"),
        ("types.toml", "Input should be a valid list"),
    ]
    for fname, words in planted:
        hits = [p for p in problems if Path(p["file"]).name == fname and words in p["message"]]
        assert hits, f"{fname}: {words!r} not reported; got {found}"
        assert all(p["fix"] for p in hits)
        if fname not in ("latin1.toml",):
            assert all(p["line"] for p in hits), hits
    assert len(problems) == len(planted)


def test_example_pack_lints_clean_and_adds_its_records():
    r, problems = lint(EXAMPLE)
    assert r.code == 0 and problems == []
    with_pack = run("--reference", str(EXAMPLE), "finding", "vignette-pain-turning-in-bed", "-f", "json")
    assert with_pack.code == 0, with_pack.err
    assert with_pack.json()["links"] == []
    assert run("finding", "vignette-pain-turning-in-bed").code == 1  # the bundled data is unchanged
    counts = run("--reference", str(EXAMPLE), "info", "-f", "json").json()["counts"]
    assert counts["finding"] == run("info", "-f", "json").json()["counts"]["finding"] + 2


def test_pack_from_environment_variable(monkeypatch):
    monkeypatch.setenv("DXCLI_REFERENCE_PATH", str(EXAMPLE))
    assert run("finding", "vignette-standing-not-painful", "-f", "json").code == 0


def test_a_broken_pack_is_refused_whole_with_exit_3():
    r = run("--reference", str(BROKEN), "maneuver", "faber")
    assert r.code == 3
    assert "problem" in r.err and "reference lint" in r.err
    assert r.out == ""


def test_collision_with_bundled_id_is_rejected(tmp_path):
    (tmp_path / "m.toml").write_text(
        '[[red_flag]]\nid = "saddle-anesthesia"\nname = "x"\ndescription = "x"\nwhy = "x"\naction = "x"\n'
        'conditions = ["lumbosacral-radiculopathy"]\nsource = { section = "x" }\n'
    )
    r = run("--reference", str(tmp_path), "redflags")
    assert r.code == 3 and "duplicate id 'saddle-anesthesia'" in r.err


def _pack(tmp_path, text, name="p.toml"):
    d = tmp_path / "pack"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_escapes_and_markup_in_data_are_shown_inert(tmp_path):
    d = _pack(tmp_path, '[[finding]]\nid = "x-hostile"\nname = "[bold red]Hostile[/bold red]"\nkind = "history"\n'
                        'description = "\\u001b[31mred\\u001b[0m and \\u001b]0;title\\u0007"\n')
    for fmt in ("table", "tsv", "csv", "markdown", "json", "ndjson"):
        r = run("--reference", str(d), "finding", "x-hostile", "-f", fmt, tty=True, color=True, width=120)
        assert r.code == 0, r.err
        assert "\x1b[31m" not in r.out and "\x1b]0;" not in r.out and "\x07" not in r.out, fmt
        assert "[bold red]Hostile[/bold red]" in r.out, fmt


def test_links_and_special_files_are_not_followed(tmp_path):
    d = tmp_path / "pack"
    d.mkdir()
    outside = tmp_path / "outside.toml"
    outside.write_text('[[finding]]\nid = "x-outside"\nname = "o"\nkind = "history"\ndescription = "o"\n')
    (d / "link.toml").symlink_to(outside)
    (d / "loop-a.toml").symlink_to(d / "loop-b.toml")
    (d / "loop-b.toml").symlink_to(d / "loop-a.toml")
    os.mkfifo(d / "fifo.toml")
    r, problems = lint(d)
    assert r.code == 3
    msgs = " ".join(p["message"] for p in problems)
    assert "link" in msgs and "not a regular file" in msgs
    assert run("--reference", str(d), "finding", "x-outside").code == 3


def test_huge_and_binary_files_are_refused(tmp_path):
    d = tmp_path / "pack"
    d.mkdir()
    with open(d / "huge.toml", "wb") as fh:
        fh.truncate(9 * 1024 * 1024)
    (d / "bin.toml").write_bytes(b"\x00\x01\x02\xff\xfe")
    r, problems = lint(d)
    assert r.code == 3
    msgs = " ".join(p["message"] for p in problems)
    assert "above the limit" in msgs and ("not UTF-8" in msgs or "invalid TOML" in msgs)


def test_unknown_record_kind_and_not_a_table(tmp_path):
    d = _pack(tmp_path, 'evil = "x"\n[[widget]]\nid = "w"\n')
    r, problems = lint(d)
    assert r.code == 3
    assert any("unknown record kind 'widget'" in p["message"] for p in problems)
    assert any("evil" in p["key"] for p in problems)


def test_missing_pack_path():
    assert run("reference", "lint", "/no/such/pack").code == 2
    assert run("--reference", "/no/such/pack", "info").code == 3


def test_process_pack_and_no_traceback():
    p = sh("--reference", str(BROKEN), "info")
    assert p.returncode == 3 and "Traceback" not in p.stderr and p.stdout == ""


def test_search_sees_pack_records_and_only_with_the_pack():
    hit = run("--reference", str(EXAMPLE), "search", "turning bed", "-f", "json")
    assert hit.code == 0 and hit.json()[0]["id"] == "vignette-pain-turning-in-bed"
    plain = run("search", "turning bed", "-f", "json")
    assert all(r["id"] != "vignette-pain-turning-in-bed" for r in (plain.json() if plain.code == 0 else []))
