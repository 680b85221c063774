"""Pages for people (issue 13), tested where a person sees them: a real pseudo-terminal at
60, 100 and 160 columns with COLUMNS unset, so the width comes from the terminal itself.

* every record id on a page appears whole on one line (never folded);
* no raw JSON (``{"``) and no snake_case label in any human view;
* every line fits the terminal's width;
* a tall page goes through the pager ($DXCLI_PAGER), a piped one never does, nor with
  --no-pager, and a pager that cannot start means the text is written directly;
* the top-level help names every command without '...';
* the main pages hold their look at each width (syrupy snapshots in tests/__snapshots__/,
  taken from the same pseudo-terminal runs as the checks above);
* the red-flag banner is bold red with colour and plain text without.
"""

from __future__ import annotations

import os
import re
import stat

import pytest

from conftest import ROOT, run, sh
from test_terminal import ANSI, _env, _no_traceback, _pty_run

WIDTHS = [60, 100, 160]
PAGES = [  # the main pages are in SNAPSHOTS below, checked the same way
    ["condition", "gluteus-medius-tendinopathy"],
    ["condition", "avascular-necrosis-hip"],
    ["maneuver", "modified-bent-knee", "--pretest", "0.3"],
    ["test", "hip-mri"],
    ["muscle", "piriformis"],
    ["nerve", "sciatic"],
    ["anatomy", "iliofemoral-ligament"],
    ["finding", "neurologic-deficit"],
    ["cite", "faber"],
    ["kerboul", "100", "110"],
    ["posttest", "-p", "0.3", "modified-bent-knee+"],
    ["differential", "buttock", "-F", "red-flag-saddle-anesthesia", "-F", "neurologic-deficit", "--next"],
]
TABLES = [
    ["muscle"],
    ["maneuver"],
    ["differential", "buttock", "-F", "ehl-weakness"],
    ["innervation", "L5"],
    ["search", "hamstring"],
    ["test"],
    ["nerve"],
    ["anatomy"],
    ["finding"],
    ["sources"],
    ["maneuver", "--condition", "gluteus-medius-tendinopathy"],
    ["maneuver", "--condition", "piriformis-syndrome"],
    ["test", "--condition", "lumbosacral-radiculopathy"],
    ["test", "--condition", "avascular-necrosis-hip", "--pretest", "0.2"],
]
KINDS = ["condition", "maneuver", "test", "muscle", "nerve", "structure", "finding", "citation", "red_flag", "study"]
# A label is the start of a line ('Nerve: ...'), a heading, or a table header; a snake_case
# word there is a key shown to a person.
SNAKE_LABEL = re.compile(r"^\s*(?:[•!+-]\s*)?[a-z]+_[a-z_]+(?::|\s{2,}|\s*$)")
SNAKE_WORD = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a key anywhere ('lr_positive 37.04'), not only as a label


@pytest.fixture(scope="module")
def record_ids() -> set[str]:
    from dxcli.reference import loader

    ids: set[str] = set()
    for kind in KINDS:
        try:
            ids.update(r["id"] for r in loader.records(kind))
        except Exception:  # a kind this data does not have
            continue
    return {i for i in ids if "-" in i}  # one-word ids cannot fold at a hyphen, and match prose


def _folded(ids: set[str], lines: list[str]) -> list[str]:
    """Ids that appear on the page only when lines are joined (split across two lines), and
    pieces of an id cut inside a table cell: a word on the screen that is an id's start cut
    mid-word ("proximal-hamstring-tendinopath") or an id's tail from a hyphen ("-stance-pain")."""
    whole = "\n".join(lines)
    joined = "".join(line.strip() for line in lines)
    bad = []
    for i in ids:
        pat = re.compile(rf"(?<![\w-]){re.escape(i)}(?![\w-])")
        if pat.search(joined) and not pat.search(whole):
            bad.append(i)
    words = {w.strip(",;:.()'\"") for line in lines for w in line.split()}
    for w in words - ids:
        if len(w) >= 6 and "-" in w.lstrip("-"):
            for i in ids:
                if (i.startswith(w) and i[len(w)] != "-") or (w.startswith("-") and i.endswith(w)):
                    bad.append(f"{i} (as {w!r})")
    return bad


def _check(args: list[str], cols: int, ids: set[str]) -> str:
    env = _env()
    env.pop("COLUMNS", None)
    code, out, err = _pty_run(args, env, cols=cols, rows=500)
    what = f"pty {cols} columns: dxcli {' '.join(args)}"
    assert code == 0, f"{what}: exit {code}\n{err}"
    _no_traceback(out + err, what)
    plain = ANSI.sub("", out).replace("\r\n", "\n")
    lines = plain.split("\n")
    assert '{"' not in plain, f"{what}: raw JSON on the page\n{plain[plain.index(chr(123)) - 200:][:400]}"
    long = [line for line in lines if len(line) > cols]
    assert not long, f"{what}: {len(long)} line(s) wider than {cols}: {long[0]!r}"
    snake = [line for line in lines if SNAKE_LABEL.match(line) or SNAKE_WORD.search(line)]
    assert not snake, f"{what}: snake_case label: {snake[0]!r}"
    folded = _folded(ids, lines)
    assert not folded, f"{what}: ids folded across lines: {folded}"
    cut = sorted({w for w in re.findall(r"[A-Za-z]{3,}", plain) if w.lower() not in _vocabulary()})
    assert not cut, f"{what}: words cut inside a cell (not words of the data or the code): {cut[:10]}"
    faults = page_faults(plain, ids)
    assert not faults, f"{what}: " + "\n".join(faults)
    return plain


def test_the_page_checks_find_each_fault():
    """The checker itself, on text with each fault (so that the checks above can fail)."""
    twice = "the review says the lesion is often missed on plain radiographs of the hip at first"
    assert page_faults(f"{twice}.\nand later: {twice}.")[0].startswith("printed twice")
    assert page_faults("LR- 0: large decrease") and not page_faults("LR- 0 (range 0–0.19): large decrease")
    assert page_faults("  For lumbosacral-radiculopathy\n", {"lumbosacral-radiculopathy"})
    assert page_faults("see 'dxcli posttest -p 0.3\nfaber+'") and page_faults("knee osteoarthritis. [11,\n12]")
    assert not page_faults("see 'dxcli posttest -p 0.3 faber+' and [11, 12]")


RUN = 12  # words: no passage this long is printed twice on one page or card (issue 20)


def repeated_passages(text: str) -> list[str]:
    """Runs of RUN words printed twice (frames, bullets and punctuation aside)."""
    words = re.sub(r"[^\w%–-]+", " ", text.replace("│", " ").lower()).split()
    seen: dict[tuple[str, ...], int] = {}
    out = []
    for i in range(len(words) - RUN + 1):
        run_ = tuple(words[i:i + RUN])
        if run_ in seen and i - seen[run_] >= RUN:
            out.append(" ".join(run_))
        seen.setdefault(run_, i)
    return out


BARE_ZERO = re.compile(r"\bLR[-−+]? 0(?![.\d])(?! \()(?!,? (?:range|95% CI))")
ID_HEADING = re.compile(r"^\s*(?:For |Related: )?([a-z0-9]+(?:-[a-z0-9]+)+)\s*$")
SPLIT_COMMAND = re.compile(r"'dxcli [^']*$")
SPLIT_REFERENCE = re.compile(r"\[\d+(?:[,–-] ?\d+)*[,–-]?\s*$")


def page_faults(plain: str, ids: set[str] | None = None) -> list[str]:
    """What a page must never show: a passage twice, a bare LR of 0 (its range or interval
    beside it), an id as a heading, a command or a reference split across lines."""
    faults = [f"printed twice: {p!r}" for p in repeated_passages(plain)[:3]]
    lines = plain.split("\n")
    faults += [f"a bare LR 0: {line.strip()!r}" for line in lines if BARE_ZERO.search(line)]
    faults += [f"an id as a heading: {line.strip()!r}" for line in lines
               if (m := ID_HEADING.match(line)) and (ids is None or m.group(1) in ids) and line.strip().startswith(("For ", "Related: "))]
    faults += [f"a command split across lines: {line.strip()!r}" for line in lines if SPLIT_COMMAND.search(line.replace("│", " ").rstrip())]
    faults += [f"a reference split across lines: {line.strip()!r}" for line in lines if SPLIT_REFERENCE.search(line.replace("│", " ").rstrip())]
    return faults


_VOCABULARY: set[str] = set()


def _vocabulary() -> set[str]:
    """Every word of three letters or more in the data and the code: all that a page can say.
    A word on the screen that is not among them is a piece of a word folded in a cell."""
    if not _VOCABULARY:
        for path in [*(ROOT / "dxcli").rglob("*.py"), *(ROOT / "reference").rglob("*.toml")]:
            _VOCABULARY.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", path.read_text(encoding="utf-8")))
    return _VOCABULARY


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("args", PAGES, ids=lambda a: " ".join(a))
def test_record_page_on_a_real_terminal(args, cols, record_ids):
    plain = _check(args, cols, record_ids)
    first = plain.lstrip().split("\n")[0]
    assert first and not first.startswith(("┏", "━", "─")), f"a page starts with its title, not a table: {first!r}"


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("args", TABLES, ids=lambda a: " ".join(a))
def test_tables_and_lists_on_a_real_terminal(args, cols, record_ids):
    _check(args, cols, record_ids)


def test_maneuver_page_says_how_to_perform_it_and_what_it_means():
    r = run("maneuver", "faber", tty=True, width=100)
    assert r.code == 0
    out = r.out
    for text in ("HOW TO PERFORM", "With the patient supine", "Sensitivity 42%, specificity 80%",
                 "LR+ 2.1: small increase", "LR- 0.725: minimal decrease", "NOTES", "! unverified:",
                 "“FABER – … (sensitivity = 42%", "For Sacroiliitis"):  # the quote leaves out what HOW TO PERFORM says  # conditions by name; (1 - 0.42) / 0.80 = 0.725
        assert text in out, f"{text!r} not on the FABER page\n{out}"
    assert "-f json" not in out  # the page itself says it: no pointer to another format


def test_a_conditions_maneuvers_are_a_page_of_sentences():
    out = run("maneuver", "--condition", "gluteus-medius-tendinopathy", tty=True, width=100).out
    assert out.startswith("Examination maneuvers for Gluteus medius tendinopathy\n")
    # the review's 88% / 97.3%: LR+ = 0.88 / (1 - 0.973) = 32.59 (32.6 to 3 significant figures), LR- = 0.12 / 0.973 = 0.12
    assert "Resisted hip external rotation (resisted-hip-external-rotation)" in out
    assert "Sensitivity 88%" in out and "LR+ 32.6" in out and "LR- 0.12" in out
    assert "resisted external derotation test" in " ".join(out.replace("│", " ").split())  # its note travels
    assert "Condition:" not in out and "-f json" not in out  # no redundant column, no "see JSON"
    out = run("maneuver", "--condition", "piriformis-syndrome", tty=True, width=100).out
    for name, rid in (("Freiberg maneuver", "freiberg"), ("Pace maneuver", "pace"), ("Beatty maneuver", "beatty"), ("FADIR", "fadir")):
        assert f"{name} ({rid})" in out
    assert "Hip extension and forceful internal rotation." in out  # how to perform it (Table 2)
    out = run("test", "--condition", "lumbosacral-radiculopathy", tty=True, width=100).out
    assert out.startswith("Diagnostic tests for Lumbosacral radiculopathy\n")
    assert "Sensitivity 49%–86%, specificity 87%–100%" in out  # the review's EMG ranges
    assert out.count("(lumbar-mri)") == 1  # one record, its several statements under it


def test_red_flags_are_a_page_in_bold_red_and_one_flag_has_its_own():
    out = run("redflags", tty=True, color=True, width=100).out
    assert out.startswith("\x1b[1;31mRed flags\x1b[0m\n")  # the page's title, bold red with colour
    plain = run("redflags", tty=True, width=100).out
    assert "\nRED FLAGS\n" not in plain  # and not said again as a section's heading
    assert "\x1b[" not in plain and plain.count("What to do: ") == 1 + 5  # once for all, then each of the review's five red flags
    one = run("redflags", "saddle-anesthesia", tty=True, width=100).out
    assert one.startswith("Saddle anesthesia\n") and "What to do: Imaging is indicated" in one
    assert "Conditions: Lumbosacral radiculopathy" in one and "(saddle-anesthesia)" not in one  # in words, no id
    r = run("redflags", "saddle-anesthesia", "-c", "lumbosacral-radiculopathy")
    assert r.code == 2


def test_condition_page_sections_refs_and_notes():
    out = " ".join(run("condition", "avascular-necrosis-hip", tty=True, width=100).out.replace("│", " ").split())  # across wrapped lines and boxes
    for text in ("Avascular necrosis of the hip", "PRESENTATION", "DIAGNOSIS", "PEARLS", "NOTES", "RELATED",
                 "! disagreement: Hip MRI sensitivity", "(Zhang et al. 2018)", "Tests: Hip radiographs (hip-radiograph), Hip MRI (hip-mri)"):  # sources in words
        assert text in out, text
    gm = run("condition", "gluteus-medius-tendinopathy", tty=True, width=100).out
    assert "[11, 12]" in gm and "[ref " not in gm  # references as [11, 12]
    for title in ("EPIDEMIOLOGY", "PATHOPHYSIOLOGY", "CLINICAL FINDINGS", "DIAGNOSTIC TESTING", "TREATMENT", "FIGURES"):
        assert title in gm


def test_nested_values_read_as_sentences():
    out = run("posttest", "-p", "0.3", "modified-bent-knee+", tty=True, width=100).out
    assert "modified-bent-knee+ LR 9.89 (95% CI 4–26.3)\n" in out, out  # 26.288 to 3 significant figures
    assert "Pre-test probability 30% -> post-test probability 80.9%" in out and out.count("80.9%") == 1  # said once
    tonnis = run("tonnis", "small-cysts", tty=True, width=100).out
    assert "small-cysts: Small cysts in femoral head or acetabulum (grade 2)" in tonnis


def test_markdown_page():
    r = run("condition", "avascular-necrosis-hip", "-f", "markdown")
    assert r.code == 0
    assert r.out.startswith("# Avascular necrosis of the hip\n")
    assert "\n## Presentation\n" in r.out and "\n## Notes\n" in r.out
    assert '{"' not in r.out


def test_machine_formats_unchanged_by_pages():
    import json

    rows = json.loads(run("maneuver", "faber", "-f", "json").out)
    assert rows[0]["id"] == "faber" and "description" in rows[0]
    assert run("condition", "avascular-necrosis-hip").out.startswith("id\t")  # piped: TSV


# --------------------------------------------------------------------------- the pager


def _recording_pager(tmp_path) -> tuple[str, str]:
    mark = tmp_path / "pager-ran"
    script = tmp_path / "pager.sh"
    script.write_text(f"#!/bin/sh\necho ran > {mark}\ncat\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), str(mark)


def test_pager_runs_for_a_tall_page_on_a_terminal(tmp_path):
    script, mark = _recording_pager(tmp_path)
    env = _env(DXCLI_PAGER=script)
    env.pop("COLUMNS", None)
    code, out, err = _pty_run(["condition", "gluteus-medius-tendinopathy"], env, cols=100, rows=24)
    assert code == 0, err
    assert os.path.exists(mark), "the pager did not run for a page taller than the terminal"
    assert "PRESENTATION" in ANSI.sub("", out)  # the pager's output reached the terminal


def test_pager_for_a_tall_table_too(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, _, err = _pty_run(["maneuver"], _env(DXCLI_PAGER=script), cols=100, rows=10)
    assert code == 0, err
    assert os.path.exists(mark)


def test_no_pager_for_a_short_page(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, out, err = _pty_run(["muscle", "piriformis"], _env(DXCLI_PAGER=script), cols=160, rows=200)
    assert code == 0, err
    assert not os.path.exists(mark)
    assert "Piriformis" in out


def test_no_pager_when_piped(tmp_path):
    script, mark = _recording_pager(tmp_path)
    r = sh("condition", "gluteus-medius-tendinopathy", "-f", "table", env={"DXCLI_PAGER": script})
    assert r.returncode == 0, r.stderr
    assert not os.path.exists(mark), "a pager ran with stdout a pipe"
    assert "PRESENTATION" in r.stdout


def test_no_pager_option(tmp_path):
    script, mark = _recording_pager(tmp_path)
    code, out, err = _pty_run(["--no-pager", "condition", "gluteus-medius-tendinopathy"], _env(DXCLI_PAGER=script), cols=100, rows=24)
    assert code == 0, err
    assert not os.path.exists(mark)
    assert "PRESENTATION" in ANSI.sub("", out)


def test_pager_that_cannot_start_means_a_direct_write(tmp_path):
    code, out, err = _pty_run(["condition", "gluteus-medius-tendinopathy"], _env(DXCLI_PAGER=str(tmp_path / "no-such-pager")), cols=100, rows=24)
    assert code == 0, err
    assert "PRESENTATION" in ANSI.sub("", out) and "TREATMENT" in ANSI.sub("", out)


def test_pager_choice(monkeypatch):
    from dxcli.output import pager

    monkeypatch.delenv("DXCLI_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    assert pager.command() == ["less", "-FRX"]
    monkeypatch.setenv("PAGER", "more")
    assert pager.command() == ["more"]
    monkeypatch.setenv("DXCLI_PAGER", "most -s")
    assert pager.command() == ["most", "-s"]
    monkeypatch.setenv("DXCLI_PAGER", "")
    assert pager.command() is None


# --------------------------------------------------------------------------- help


@pytest.mark.parametrize("cols", [60, 100])
def test_top_level_help_names_each_command_whole(cols):
    r = sh("--help", env={"COLUMNS": str(cols)})
    assert r.returncode == 0
    commands = r.stdout.split("Commands:", 1)[1]
    cut = [line for line in commands.splitlines() if line.rstrip().endswith("...")]
    assert not cut, f"summaries cut at {cols} columns: {cut}"


# --------------------------------------------------------------------------- snapshots

SNAPSHOTS = {
    "differential-buttock": ["differential", "buttock"],
    "condition-piriformis-syndrome": ["condition", "piriformis-syndrome"],
    "maneuver-faber": ["maneuver", "faber"],
    "case": ["case"],
    "kerboul-210": ["kerboul", "210"],
    "tonnis": ["tonnis"],
    "tonnis-small-cysts": ["tonnis", "small-cysts"],
    "posttest-two-findings": ["posttest", "-p", "0.2", "faber+", "resisted-hip-external-rotation+", "--condition", "gluteus-medius-tendinopathy"],
    "redflags": ["redflags"],
    "muscle-hamstring": ["muscle", "hamstring"],
}


@pytest.mark.parametrize("cols", WIDTHS)
@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_main_page_holds_its_look(name, cols, record_ids, snapshot):
    """The main pages as a person sees them, through a pty with COLUMNS unset: checked as
    above, then held in a snapshot, so that a change to their look is a reviewed diff
    ('python -m pytest tests/test_pages.py --snapshot-update' rewrites them)."""
    plain = _check(SNAPSHOTS[name], cols, record_ids)
    assert plain == snapshot


# --------------------------------------------------------------------------- case, tonnis, the red-flag banner


def test_case_is_a_page_with_a_section_a_stage():
    out = run("case", tty=True, width=100).out
    lines = out.splitlines()
    assert lines[0] == "49-year-old golfer with right buttock pain"
    order = ["HISTORY", "HISTORY: THE RANKED DIFFERENTIAL", "HISTORY: WHAT TO EXAMINE NEXT",
             "EXAMINATION AND LUMBAR RADIOGRAPH", "EXAMINATION AND LUMBAR RADIOGRAPH: THE RANKED DIFFERENTIAL",
             "WORK-UP", "OUTCOME", "DIAGNOSIS", "HOW THE RANKING WORKS"]
    at = [lines.index(t) for t in order]
    assert at == sorted(at), "the stages in the vignette's order"
    flat = " ".join(out.replace("│", " ").split())
    # findings in words (the findings' names), and the examination's leader by name
    assert "Present: female; middle-aged; age under 50;" in flat
    assert "Looked for and absent: pain radiating down the posterior thigh;" in flat
    # the examination stage keeps the history's findings: said once, then pointed to
    assert "Present: as at History above, and also: neurologic abnormality on examination;" in flat
    assert flat.count("sports with extreme torsional movements; running;") == 1
    exam = out[out.index("EXAMINATION AND LUMBAR RADIOGRAPH: THE RANKED DIFFERENTIAL"):]
    assert [x.strip() for x in exam.splitlines() if x.startswith("  1")][0] == "1  Lumbosacral radiculopathy"
    # 1.0 / 0.027 = 37.04 (3 significant figures: 37); LR- from a zero cell, (1 - 17.5/18) / 0.973 = 0.028549
    assert "For Gluteus medius tendinopathy • Single leg stance (30 s): pain: LR+ 37, LR- 0.0285 (stated 0, corrected for a zero cell)" in flat
    assert "┌" in out and "│ ! caveat: Piriformis syndrome is a diagnosis of exclusion" in out  # notes in a box
    assert "Lumbosacral radiculopathy (its page: 'dxcli condition lumbosacral-radiculopathy')" in flat
    # names, not ids, to a person; an id only inside a command to type
    assert "· score" not in out and "(single-leg-stance-pain)" not in flat and "(needle-emg)" not in flat
    assert "you judge, e.g. 'dxcli posttest -p 0.3 single-leg-stance-pain+ --condition gluteus-medius-tendinopathy'" in flat


def test_case_later_stage_says_what_changed_and_points_to_the_rest():
    """The examination stage shows what changed since History and names what stands, each
    statement and quote once on the page (issue 20). Scores worked from the review's clauses:
    lumbosacral radiculopathy at History, +1 (torsional sports) = 1, tied 2nd; at the
    examination +1 torsional sports, +2 neurologic changes (pointer), +1 lumbar flexion,
    +1 dural tension, +1 disc space narrowing = 6. Gluteus medius at History female +
    middle-aged + pain with running = 3 (tied 1st); + hip abductor weakness = 4."""
    flat = " ".join(run("case", tty=True, width=100).out.replace("│", " ").split())
    exam = flat[flat.index("EXAMINATION AND LUMBAR RADIOGRAPH: THE RANKED DIFFERENTIAL"):flat.index("WORK-UP")]
    assert "1 Lumbosacral radiculopathy Score 6, up from 1; ranked 2= at History + still for it: sports with extreme torsional movements +" in exam
    assert "2 Gluteus medius tendinopathy Score 4, up from 3; ranked 1= at History + still for it: female; middle-aged; pain with running + hip abductor weakness (possible): “" in exam
    # the same findings as another condition's statement: named by it, the difference kept
    assert "- the findings of the pointer for Lumbosacral radiculopathy above, except hip abductor weakness (contrary): “Tendinopathy should not" in exam
    assert "Score 0, unchanged; ranked 4= at History" in exam and "Score -1, down from 0; ranked 4= at History" in exam
    # the review's words on dural tension were quoted at History under the straight leg raise
    assert "+ pain provoked by dural tension tests (possible): as quoted above for Straight leg raise, under History: what to examine next" in exam
    assert exam.count("Patients who play sports with extreme torsional movements") == 0
    # what to examine next: what stands, what the examination has done, nothing quoted again
    assert "For Lumbosacral radiculopathy As under History above: Electrodiagnostic testing" in exam
    assert "No longer listed, as the findings now include them: Lumbar range of motion; Hip abductor strength testing; Neurologic examination" in exam
    assert "For Gluteus medius tendinopathy As under History: what to examine next, above" in exam
    assert "“" not in exam[exam.index("WHAT TO EXAMINE NEXT"):]


def test_case_markdown_is_a_document_not_json():
    md = run("case", "-f", "markdown").out
    assert md.startswith("# 49-year-old golfer with right buttock pain\n")
    assert "\n## History\n" in md and "\n## Examination and lumbar radiograph\n" in md
    assert "\n## Outcome\n" in md and "\n### 1  Lumbosacral radiculopathy\n" in md
    assert '{"' not in md and "|" not in md.replace("||", "")


def test_bare_tonnis_says_each_grade_in_words():
    out = run("tonnis", tty=True, width=100).out
    assert out.startswith("Tönnis grades of hip osteoarthritis\n")
    for text in ("  Grade 0\n    • no-signs-of-oa: No signs of OA\n",
                 "    • small-cysts: Small cysts in femoral head or acetabulum\n",
                 "    • avascular-necrosis: Avascular necrosis\n"):
        assert text in out, text
    md = run("tonnis", "-f", "markdown").out
    assert "\n### Grade 2\n" in md and '{"' not in md
    assert run("tonnis", "-f", "json").json()[0]["findings"][0]["id"] == "no-signs-of-oa"  # machine shape kept


def test_muscle_group_is_a_page_of_its_muscles():
    out = run("muscle", "hamstring", tty=True, width=100).out
    assert out.startswith("The hamstring muscles\n")
    for m in ("Semitendinosus (semitendinosus)", "Biceps femoris, short head (biceps-femoris-short-head)"):
        assert f"\n  {m}\n" in out
    assert "Nerve: Common fibular nerve (common-fibular-nerve)" in out
    assert '{"' not in run("muscle", "hamstring", "-f", "markdown").out


def test_a_list_says_what_its_records_share_once():
    """The rule behind the list pages (pages.shared_once), on records made up here: two alike
    become one entry naming both; a line all share, and a sentence all share, are said once
    before them; a record with nothing of its own where most have more says so; a long
    sentence an earlier record said is its opening words and a pointer."""
    from dxcli.output.pages import Block, shared_once

    long = "The capsule is a composite of three longitudinal ligaments that extend from the acetabulum to the femur."
    blocks = shared_once([
        Block("A", [(0, "Where: here."), (0, "Do: Shared first. Own of A."), (0, long)]),
        Block("B", [(0, "Where: here."), (0, "Do: Shared first. Own of B."), (0, "Other prose.")]),
        Block("C", [(0, "Where: here."), (0, "Do: Shared first."), (0, long)]),
        Block("D", [(0, "Where: here."), (0, "Do: Shared first."), (0, long)]),
    ], "things")
    shown = {b.heading: [t for _, t in b.lines] for b in blocks}
    assert list(shown) == ["For all 4 things", "A", "B", "C and D"]  # C and D alike: one entry
    assert shown["For all 4 things"] == ["Where: here.", "Do: Shared first."]
    assert shown["A"] == ["Do: Own of A.", long]  # said here first: whole
    assert shown["B"] == ["Do: Own of B.", "Other prose."]
    # C and D have nothing of their own to do where the two other entries have: said so (an
    # omission stays visible); their long sentence, said under A, is pointed to
    assert shown["C and D"] == ["Do: only as for all 4 above", "The capsule is a … (as under A above)."]
    three = shared_once([Block(h, [(0, f"Do: Shared first. {o}"), (0, f"Who: {h}.")]) for h, o in (("A", "Own."), ("B", ""), ("C", ""))], "things")
    assert [[t for _, t in b.lines] for b in three] == [["Do: Shared first."], ["Do: Own.", "Who: A."], ["Who: B."], ["Who: C."]]  # most have nothing more: no line
    one = shared_once([Block("A", [(0, "Do: Shared first.")])], "things")
    assert [(b.heading, b.lines) for b in one] == [("A", [(0, "Do: Shared first.")])]  # one record: as it is


def test_anatomy_is_a_page_by_kind_with_names_not_ids():
    out = run("anatomy", tty=True, width=100).out
    assert out.startswith("Anatomy\n34 structures")
    for title in ("BONES", "JOINTS", "LANDMARKS", "CAPSULAR STRUCTURES", "LIGAMENTS"):
        assert f"\n{title}\n" in out, title
    assert "\n  Pelvis\n" in out and "\n  Iliofemoral ligament\n" in out
    assert "iliofemoral-ligament" not in out and "Id " not in out  # ids are for machine formats
    flat = " ".join(out.split())
    # the three ligaments' shared sentence, once for the group; the pelvis's sentence pointed to
    assert flat.count("One of the three longitudinal ligaments of the hip joint capsule.") == 1
    assert "For all 3 ligaments One of the three longitudinal ligaments" in flat
    assert flat.count("composed of two iliac bones") == 1 and "The pelvis is composed … (as under Pelvis above)." in flat
    rows = run("anatomy", "-f", "json").json()  # the machine shape and text stay whole
    assert len(rows) == 34 and list(rows[0])[:4] == ["id", "name", "kind", "description"]
    assert "composed of two iliac bones" in next(r for r in rows if r["id"] == "iliac-bone")["description"]


def test_muscle_list_at_60_says_alike_muscles_once():
    out = run("muscle", tty=True, width=60).out
    assert out.startswith("Muscles\n10 in all\n\n  Gluteus maximus\n")  # no MUSCLES under Muscles
    # the three with the tibial nerve, L5, S1, S2 and the same actions: one entry naming them
    assert "\n  Semitendinosus; Semimembranosus; Biceps femoris, long head\n" in out
    assert out.count("Nerve: Tibial nerve") == 1 and "\n  Biceps femoris, short head\n" in out


def test_red_flags_say_what_all_share_once_and_what_differs_per_flag():
    out = run("redflags", tty=True, width=100).out
    flat = " ".join(out.split())
    assert "For all 5 red flags" in out and flat.count("surgical evaluation is warranted") == 1
    assert flat.count("Imaging is indicated for") == 4  # not for constitutional symptoms
    one = out[out.index("\n  Constitutional symptoms\n"):]
    assert "What to do: only as for all 5 above" in one.split("\n\n")[0]  # the omission shown
    assert "Conditions: Lumbosacral radiculopathy" in out and "(progressive-weakness)" not in out
    rows = run("redflags", "-f", "json").json()  # each flag's action stays whole in JSON
    assert [list(r) for r in rows] == [["id", "name", "description", "why", "action", "conditions", "source", "notes"]] * 5
    assert all("surgical evaluation is warranted" in r["action"] for r in rows)


RED_FLAG_ARGS = ("differential", "buttock", "-F", "red-flag-saddle-anesthesia", "-F", "neurologic-deficit")


def test_red_flag_banner_is_bold_red_with_colour_and_plain_without():
    banner = "RED FLAGS: ACT ON THESE FIRST"
    coloured = run(*RED_FLAG_ARGS, tty=True, color=True, width=100).out
    assert f"\x1b[1;31m{banner}\x1b[0m" in coloured
    assert "\x1b[1mRANKING\x1b[0m" in coloured  # other headings are bold, not red
    plain = run(*RED_FLAG_ARGS, tty=True, color=False, width=100).out
    assert f"\n{banner}\n" in plain and "\x1b" not in plain
    piped = sh(*RED_FLAG_ARGS, "-f", "table")
    assert f"\n{banner}\n" in piped.stdout and "\x1b" not in piped.stdout
    env = _env(NO_COLOR="1")
    env.pop("COLUMNS", None)
    code, out, _ = _pty_run(list(RED_FLAG_ARGS), env, cols=100, rows=500)
    assert code == 0 and f"\n{banner}\n" in out.replace("\r\n", "\n") and "\x1b[1;31m" not in out
    env.pop("NO_COLOR")
    code, out, _ = _pty_run(list(RED_FLAG_ARGS), env, cols=100, rows=500)
    assert code == 0 and f"\x1b[1;31m{banner}\x1b[0m" in out


@pytest.mark.parametrize("args", PAGES + TABLES + list(SNAPSHOTS.values()), ids=lambda a: " ".join(a))
def test_markdown_says_each_passage_once(args):
    """The same rule on the Markdown page (issue 20: the page, the Markdown and the card alike;
    the cards are held in tests/test_page_words.py)."""
    r = run(*args, "-f", "markdown")
    assert r.code == 0, r.err
    twice = repeated_passages(r.out)
    assert not twice, twice[:3]


def test_a_later_stage_keeps_what_differs_visible():
    """A statement that still counts is named with its status (an absent finding stays 'absent');
    one that no longer counts is said; a changed score or rank is written out."""
    from dxcli.output.pages import ranking_parts

    def stmt(fid, status, clause):
        return {"findings": [fid], "status": status, "strength": "expected", "clause": clause, "lr": None, "notes": []}

    gone = stmt("b", "present", "a clause that counted at the first stage only")
    kept = stmt("a", "absent", "a clause that counts at both stages")
    first = {"title": "History", "red_flags": [], "next": [], "conditions": [
        {"id": "x", "name": "X", "rank": 1, "tied": False, "score": 0, "supporting": [gone], "against": [kept], "notes": []}]}
    later = {"red_flags": [], "next": [], "conditions": [
        {"id": "x", "name": "X", "rank": 2, "tied": False, "score": -1, "supporting": [], "against": [kept], "notes": []}]}
    parts = ranking_parts(later, "Exam: the ranked differential", {"a": "Thigh pain", "b": "Groin pain"}, then=first)
    lines = [t for p in parts for b in p.blocks for _, t in b.lines]
    assert "Score -1, down from 0; ranked 1 at History" in lines
    assert "- still against it: absent: thigh pain" in lines
    assert "+ no longer counted for it: groin pain" in lines
    assert not any("clause" in t for t in lines)  # named, not quoted again
