"""Finding things by a name that completes (issue 13, item 4).

In the lookup commands a name that begins exactly one record's name among all loaded data
(bundled and packs) matches, and stderr says which record was taken. Where a number is
computed (posttest, maneuver --pretest, batch input, case files, a ranked differential),
only exact ids, names and aliases are accepted, so a prefix can never pick the figure.
The expected records come from the review's own names (Table 2, the muscles of Table 1).
"""

from __future__ import annotations

import json

from conftest import sh

GMT = "gluteus-medius-tendinopathy"


def test_a_name_that_begins_one_condition_finds_it_and_says_so():
    for query in ("gluteus medius", "Gluteus Medius", "glut med"):
        p = sh("condition", query, "-f", "json")
        assert p.returncode == 0, (query, p.stderr)
        assert json.loads(p.stdout)["id"] == GMT
        assert GMT in p.stderr and query in p.stderr and p.stderr.count("\n") == 1


def test_an_exact_id_name_or_alias_says_nothing_on_stderr():
    for query in (GMT, "Gluteus medius tendinopathy", "faber"):
        kind = "maneuver" if query == "faber" else "condition"
        p = sh(kind, query, "-f", "json")
        assert p.returncode == 0 and p.stderr == "", (query, p.stderr)


def test_a_name_that_begins_several_lists_them_and_takes_none():
    p = sh("muscle", "glut", "-f", "json")
    assert p.returncode == 1 and p.stdout == ""
    for m in ("gluteus-maximus", "gluteus-medius", "gluteus-minimus"):
        assert m in p.stderr
    p = sh("maneuver", "resisted hip", "-f", "json")
    assert p.returncode == 1 and p.stdout == ""
    assert "resisted-hip-abduction" in p.stderr and "resisted-hip-external-rotation" in p.stderr


def test_completion_counts_the_packs_records_too(tmp_path):
    d = tmp_path / "pack"
    d.mkdir()
    (d / "c.toml").write_text(
        '[[condition]]\nid = "gluteus-medius-tear"\nname = "Gluteus medius tear"\nicd10cm = ["M79.1"]\n'
        'presentation = ["Pain"]\ndiagnosis = ["Clinical"]\nsource = { section = "Pack" }\n',
        encoding="utf-8",
    )
    assert sh("reference", "lint", str(d)).returncode == 0
    p = sh("--reference", str(d), "condition", "gluteus medius", "-f", "json")
    assert p.returncode == 1 and p.stdout == ""
    assert GMT in p.stderr and "gluteus-medius-tear" in p.stderr
    p = sh("--reference", str(d), "condition", "gluteus medius ten", "-f", "json")
    assert p.returncode == 0 and json.loads(p.stdout)["id"] == GMT


def test_where_a_number_is_computed_a_prefix_is_refused():
    # posttest: "modified bent" begins only the Modified Bent Knee Test, yet is refused
    p = sh("posttest", "-p", "0.3", "modified bent+", "-f", "json")
    assert p.returncode == 1 and p.stdout == ""
    assert "exact" in p.stderr and "modified-bent-knee" in p.stderr
    # the exact name is taken: LR+ 0.89/0.09 = 9.8889; (0.3 x 9.8889) / (0.3 x 9.8889 + 0.7) = 0.80909
    p = sh("posttest", "-p", "0.3", "Modified bent knee test+", "-f", "json")
    assert p.returncode == 0 and abs(json.loads(p.stdout)["posttest"] - 0.80909) < 1e-5
    # posttest --condition
    p = sh("posttest", "-p", "0.3", "faber+", "--condition", "gluteus medius", "-f", "json")
    assert p.returncode == 1 and "exact" in p.stderr
    # maneuver --pretest: the maneuver and its --condition
    p = sh("maneuver", "modified bent", "--pretest", "0.3", "-f", "json")
    assert p.returncode == 1 and "exact" in p.stderr and p.stdout == ""
    p = sh("maneuver", "faber", "--condition", "gluteus medius", "--pretest", "0.3", "-f", "json")
    assert p.returncode == 1 and "exact" in p.stderr
    # without a computed number the same lookups complete
    assert sh("maneuver", "modified bent", "-f", "json").returncode == 0
    p = sh("maneuver", "faber", "--condition", "gluteus medius", "-f", "json")
    assert p.returncode == 0 and {r["condition"] for r in json.loads(p.stdout)} == {GMT}


def test_batch_lines_and_case_files_take_only_exact_names(tmp_path):
    p = sh("posttest", "-", "-f", "tsv", stdin="0.3 modified-bent+\n")
    assert p.returncode != 0 and "exact" in p.stderr
    case = tmp_path / "c.toml"
    case.write_text('complaint = "butt"\npresent = ["pain-worse-with-sitting"]\n', encoding="utf-8")
    p = sh("case", str(case), "-f", "json")
    assert p.returncode == 2 and p.stdout == "" and "complaint" in p.stderr
    # a ranked differential computes: its complaint must be exact too
    p = sh("differential", "butt", "-F", "pain-worse-with-sitting", "-f", "json")
    assert p.returncode == 1 and "exact" in p.stderr
    p = sh("differential", "butt", "-f", "json")  # the plain differential is a lookup
    assert p.returncode == 0 and "buttock" in p.stderr


def test_messages_on_a_terminal_wrap_between_words_and_keep_commands_whole(monkeypatch):
    import io
    import os
    import sys

    from dxcli.errors import stderr_text

    class Tty(io.StringIO):
        def isatty(self):
            return True

        def fileno(self):
            return 2

    monkeypatch.setattr(sys, "stderr", Tty())
    monkeypatch.setattr(os, "get_terminal_size", lambda fd: os.terminal_size((60, 24)))
    text = "see 'dxcli innervation tibial-nerve', 'dxcli innervation common-fibular-nerve' for its roots"
    out = stderr_text(text, "  hint: ", "        ")
    lines = out.splitlines()
    assert all(len(x) <= 60 for x in lines) and len(lines) > 1
    assert "'dxcli innervation common-fibular-nerve'" in out and "'dxcli innervation tibial-nerve'," in out
    assert " ".join(out.split()) == " ".join(("  hint: " + text).split())  # nothing lost, no word split
    from test_errors import HINT  # a command longer than a line: alone, broken with a backslash

    out = stderr_text(HINT, "  hint: ", "        ")
    assert all(len(x) <= 60 for x in out.splitlines()) and "[11, 12]" in out
    assert "'dxcli posttest -p 0.3 faber+" not in out.replace("'dxcli posttest -p 0.3 faber+ --condition sacroiliitis'", "")
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe: one line, as scripts read it
    assert stderr_text(text, "  hint: ", "        ") == "  hint: " + text + "\n"


def test_a_misspelt_command_names_the_close_one():
    p = sh("conditon", "piriformis-syndrome")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.startswith("dxcli: error: no such command 'conditon'")
    assert "did you mean 'condition'?" in p.stderr and "dxcli --help" in p.stderr
    assert sh("condition", "piriformis-syndrome", "-f", "json").returncode == 0  # the suggestion works


def test_search_takes_several_words_unquoted():
    a = sh("search", "hip", "mri", "-f", "json")
    b = sh("search", "hip mri", "-f", "json")
    assert a.returncode == 0 and a.stdout == b.stdout and json.loads(a.stdout)[0]["id"] == "hip-mri"
