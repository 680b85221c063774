"""One machine shape (issue 13): the id key, numbers and nulls, one CSV/TSV cell encoding,
--fields on every command, and a JSON Schema per command that the real output satisfies."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

from conftest import run

jsonschema = pytest.importorskip("jsonschema")

# Every command that prints JSON, with invocations that cover its output shapes.
CASES: dict[str, list[list[str]]] = {
    "differential": [[], ["buttock"], ["buttock", "-F", "neurologic-deficit", "-F", "pain-worse-with-sitting", "--next"]],
    "condition": [[], ["gluteus-medius-tendinopathy"], ["avascular-necrosis-hip"]],
    "finding": [[], ["neurologic-deficit"]],
    "case": [[]],
    "anatomy": [[], ["iliofemoral-ligament"]],
    "muscle": [[], ["piriformis"], ["hamstring"]],
    "nerve": [[], ["sciatic"]],
    "innervation": [[], ["L5"], ["superior gluteal nerve"], ["piriformis"]],
    "maneuver": [[], ["faber"], ["--condition", "gluteus-medius-tendinopathy", "--pretest", "0.3"], ["modified-bent-knee", "-p", "0.3"]],
    "test": [[], ["needle-emg", "-p", "0.2"], ["--condition", "lumbosacral-radiculopathy", "-p", "0.3"], ["--condition", "avn"]],
    "redflags": [[], ["--condition", "lumbosacral-radiculopathy"], ["saddle-anesthesia"]],
    "search": [["hamstring"], ["pain sitting"]],
    "sources": [[]],
    "cite": [["faber"], ["avascular-necrosis-hip"]],
    "info": [[]],
    "kerboul": [[], ["210"], ["100", "110"], ["190"], ["-"]],
    "tonnis": [[], ["small-cysts", "slight-sclerosis"], ["-"]],
    "posttest": [["-p", "0.3", "lr=8.43"], ["-p", "0.2", "faber+", "resisted-hip-external-rotation+", "-c", "gluteus-medius-tendinopathy"],
                 ["-p", "0.3", "modified-bent-knee+"], ["-"]],
    "reference schema": [[]],
    "reference lint": [["@pack"]],
    "quiz": [["--seed", "3", "-n", "40"]],
    "help": [[], ["formats"]],
}
STDIN = {"kerboul": "150\n210\n100 110\n", "tonnis": "small-cysts\nlarge-cysts\n", "posttest": "0.3 lr=8.43\n0.1 modified-bent-knee-\n"}
# Outputs that are results, not records of the reference: they carry no id.
NOT_RECORDS = {"info", "kerboul", "tonnis", "posttest", "reference lint"}


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    d = tmp_path_factory.mktemp("pack")
    (d / "maneuvers.toml").write_text('[[maneuver]]\nid = "x"\n', encoding="utf-8")  # a pack with problems
    return d


def invocations(pack):
    for command, cases in CASES.items():
        for args in cases:
            yield command, [str(pack) if a == "@pack" else a for a in args]


def call(command: str, args: list[str], *more: str):
    r = run(*command.split(), *args, *more, stdin=STDIN.get(command) if args == ["-"] else None)
    assert r.code in (0, 3) if command == "reference lint" else r.code == 0, (command, args, r.code, r.err)
    return r


def _all(pack):
    return list(invocations(pack))


def test_every_command_is_covered():
    from dxcli.cli.app import COMMANDS
    from dxcli.output.schemas import OUTPUTS

    tops = {c.split()[0] for c in OUTPUTS}
    # 'mcp' speaks the protocol on stdout; its tools' results are these commands' JSON (tests/test_mcp.py)
    assert tops == set(COMMANDS) - {"mcp"}, set(COMMANDS) ^ tops
    assert set(CASES) | {"export anki"} == set(OUTPUTS)


def test_every_output_satisfies_its_schema(pack):
    from dxcli.output.schemas import output_schema

    for command, args in _all(pack):
        schema = output_schema(command)
        jsonschema.Draft202012Validator.check_schema(schema)
        data = call(command, args, "-f", "json").json()
        errors = sorted(jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))
        assert not errors, (command, args, [f"{list(c.absolute_path)}: {c.message[:150]}" for e in errors[:3] for c in (e.context or [e])][:8])


def test_the_schema_is_strict_enough_to_catch_a_renamed_key():
    from dxcli.output.schemas import output_schema

    schema = output_schema("innervation")
    rows = run("innervation", "L5", "-f", "json").json()
    rows[0]["muscle"] = rows[0].pop("id")  # the old key
    assert list(jsonschema.Draft202012Validator(schema).iter_errors(rows))


def test_schema_command_prints_draft_2020_12(tmp_path):
    r = run("reference", "schema", "--output", "maneuver")
    assert r.code == 0, r.err
    doc = r.json()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)
    assert run("reference", "schema", "--output", "reference-lint").code == 0
    bad = run("reference", "schema", "--output", "manuver")
    assert bad.code == 1 and "maneuver" in bad.err
    assert run("reference", "schema", "maneuver", "--output", "maneuver").code == 2


def _rows(data):
    return data if isinstance(data, list) else [data]


def test_every_record_row_carries_id(pack):
    for command, args in _all(pack):
        if command in NOT_RECORDS:
            continue
        data = call(command, args, "-f", "json").json()
        if command == "differential" and isinstance(data, dict):  # the report: its records
            rows = data["conditions"] + data["red_flags"] + (data["next"] or [])
        elif command == "case":
            rows = [data] + [c for st in data["stages"] for c in st["conditions"]]
        else:
            rows = _rows(data)
        assert rows, (command, args)
        for row in rows:
            assert isinstance(row.get("id"), str) and row["id"], (command, args, list(row)[:5])


def test_maneuver_test_and_innervation_rows_use_id():
    # the keys renamed for one shape: maneuver/test (evidence rows), muscle/muscle_name (innervation)
    faber = run("maneuver", "faber", "-f", "json").json()
    assert {r["id"] for r in faber} == {"faber"} and all("maneuver" not in r for r in faber)
    emg = run("test", "needle-emg", "-f", "json").json()
    assert {r["id"] for r in emg} == {"needle-emg"} and all("test" not in r for r in emg)
    l5 = run("innervation", "piriformis", "-f", "json").json()
    assert l5[0]["id"] == "piriformis" and l5[0]["name"] == "Piriformis" and "muscle" not in l5[0]


def test_no_machine_output_holds_inf_or_nan(pack):
    for command, args in _all(pack):
        for fmt in ("json", "ndjson"):
            out = call(command, args, "-f", fmt).out
            assert "Infinity" not in out and "NaN" not in out, (command, args, fmt)
        for fmt in ("csv", "tsv"):
            out = call(command, args, "-f", fmt).out
            rows = list(csv.reader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
            cells = [c for r in rows for c in r]
            assert not {c.strip().lower() for c in cells} & {"inf", "-inf", "nan", "∞"}, (command, args, fmt)


def test_unbounded_lr_is_null_with_a_note():
    # The review's needle EMG for radiculopathy: specificity 1 (100%) gives an unbounded LR+.
    rows = run("test", "--condition", "lumbosacral-radiculopathy", "-f", "json").json()
    unbounded = [r for r in rows if r["lr_positive_range"] and r["lr_positive_range"][1] is None]
    assert unbounded
    for r in unbounded:
        assert any("unbounded" in n["text"] for n in r["notes"])
    tsv = run("test", "--condition", "lumbosacral-radiculopathy", "--fields", "id,lr_positive_range", "-f", "tsv").out
    assert any(line.endswith(",null]") for line in tsv.splitlines()), tsv


def _expected_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _same(cell: str, value) -> bool:
    if isinstance(value, (list, dict)):
        return json.loads(cell) == value
    if isinstance(value, bool) or value is None:
        return cell == _expected_cell(value)
    if isinstance(value, (int, float)):
        # a cell carries at least 6 significant figures of an unrounded value: within half a unit
        # of the 6th figure, at most 5e-5 relative (a mantissa of 1.00000)
        return math.isclose(float(cell), value, rel_tol=5e-5)
    return cell == " ".join(value.replace("\t", " ").replace("\r", " ").split("\n")) or cell == value


@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_csv_and_tsv_cells_are_the_json_values(pack, fmt):
    # One cell encoding: text as is, numbers as numbers, null empty, lists and objects as JSON.
    for command, args in _all(pack):
        if args == ["-"] or command in ("differential", "case") and isinstance(call(command, args, "-f", "json").json(), dict):
            continue
        data = _rows(call(command, args, "-f", "json").json())
        out = call(command, args, "-f", fmt).out
        rows = list(csv.DictReader(io.StringIO(out), delimiter="," if fmt == "csv" else "\t"))
        assert len(rows) == len(data), (command, args)
        for row, rec in zip(rows, data):
            for k, v in rec.items():
                assert _same(row[k], v), (command, args, k, row[k][:80], v)


def test_a_list_cell_is_json_not_joined():
    out = run("muscle", "piriformis", "-f", "csv").out
    row = next(csv.DictReader(io.StringIO(out)))
    assert row["roots"] == '["L5","S1","S2"]'  # Table 1: the nerve to piriformis, L5-S2


def test_kerboul_intervals_are_numbers_with_closed_ends():
    # Ha 2006: low risk <= 190 (closed at 190); moderate 190 < angle < 240; high >= 240.
    low = run("kerboul", "190", "-f", "json").json()
    assert low["risk_group"] == "low"
    assert low["risk_interval"] == {"low": 0, "high": 190, "low_closed": True, "high_closed": True}
    mid = run("kerboul", "210", "-f", "json").json()["risk_interval"]
    assert mid == {"low": 190, "high": 240, "low_closed": False, "high_closed": False}
    high = run("kerboul", "240", "-f", "json").json()
    assert high["risk_group"] == "high" and high["risk_interval"]["low_closed"] is True
    # Ha's grade 2 (200-249 degrees, read as 200 <= angle < 250)
    assert run("kerboul", "210", "-f", "json").json()["grade_interval"] == {"low": 200, "high": 250, "low_closed": True, "high_closed": False}
    # the review's "<190" is kept in the boundary note, beside Ha's closed end
    assert any("<190" in n for n in low["notes"])


def test_interval_object_for_an_unbounded_band():
    from dxcli.calc.bands import band_interval, interval_text

    iv = band_interval({"lower": 10.0, "upper": math.inf, "lower_inclusive": True, "upper_inclusive": False})
    assert iv["high"] is None and iv["high_closed"] is False and "unbounded" in iv["note"]
    assert interval_text(iv) == "[10, ∞)"
    assert json.loads(json.dumps(iv)) == iv  # plain JSON: no inf


# -- --fields on every command -----------------------------------------------------------------

FIELD_OF = {"info": "data_version", "kerboul": "risk_group", "tonnis": "grade", "posttest": "posttest",
            "reference lint": "message", "differential": "id"}


def test_every_command_accepts_fields(pack):
    seen = set()
    for command, args in _all(pack):
        field = "id" if (command, args) == ("kerboul", []) else FIELD_OF.get(command, "id")  # the bare scale: its bands
        r = call(command, args, "--fields", field, "-f", "json")
        for row in _rows(r.json()):
            assert list(row) == (["line", "input", field] if args == ["-"] else [field]), (command, args, row)
        seen.add(command)
    assert seen == set(CASES)


def test_unknown_field_is_a_usage_error_listing_the_fields():
    r = run("muscle", "piriformis", "--fields", "id,bogus")
    assert r.code == 2 and "bogus" in r.err and "nerve_name" in r.err
    long = run("maneuver", "faber", "--fields", "lr_postive")
    assert long.code == 2 and "lr_positive" in long.err and "reference schema --output maneuver" in long.err
    assert run("muscle", "--fields", " , ").code == 2
    # no rows to read the fields from (the review gives no maneuver for AVN): the declared ones
    assert run("maneuver", "--condition", "avn", "-f", "json").json() == []
    assert run("maneuver", "--condition", "avn", "--fields", "id,lr_positive").code == 0
    empty = run("maneuver", "--condition", "avn", "--fields", "id,lr_postive")
    assert empty.code == 2 and "lr_positive" in empty.err


def test_fields_give_a_person_a_table_of_those_fields():
    r = run("condition", "gluteus-medius-tendinopathy", "--fields", "id,icd10cm", tty=True, width=100)
    assert r.code == 0, r.err
    assert "gluteus-medius-tendinopathy" in r.out and "M76.01" in r.out
    assert "Presentation" not in r.out and "Pearls" not in r.out  # not the page


def test_fields_on_the_ranked_differential_give_its_rows_and_keep_red_flags_on_stderr():
    r = run("differential", "buttock", "-F", "saddle-anesthesia", "--fields", "id,rank", "-f", "json")
    assert r.code == 0, r.err
    rows = r.json()
    assert isinstance(rows, list) and all(list(x) == ["id", "rank"] for x in rows)
    assert "RED FLAG" in r.err


def test_fields_on_a_schema_document_is_a_usage_error():
    assert run("reference", "schema", "--output", "info", "--fields", "id").code == 2
    assert run("case", "--schema", "--fields", "id").code == 2


def test_export_rows_satisfy_their_schema_and_take_fields(tmp_path):
    from dxcli.output.schemas import output_schema

    r = run("export", "anki", str(tmp_path / "a.apkg"), "--topics", "red-flags", "-f", "json")
    assert r.code == 0, r.err
    rows = r.json()
    assert not list(jsonschema.Draft202012Validator(output_schema("export anki")).iter_errors(rows))
    assert rows[0]["id"] == "red-flags"
    r = run("export", "anki", str(tmp_path / "b.apkg"), "--topics", "red-flags", "--fields", "notes", "-f", "json")
    assert r.code == 0 and r.json() == [{"notes": rows[0]["notes"]}]
