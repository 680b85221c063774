"""The JSON output of every command, declared once: ``dxcli reference schema --output COMMAND``
prints it as a JSON Schema (draft 2020-12), and the tests validate every command's real output
against it.

A declaration is short: ``"str"``, ``"int"``, ``"num"``, ``"bool"``, ``"any"`` (a trailing
``?``: or null), ``"range"`` (``[low, high]``, numbers, an unbounded end null), ``[x]`` (an
array of x), ``Obj({...})`` (an object; a key ending in ``?`` may be absent; a row or record
at the top of an output is closed: it has only the declared keys; nested objects may carry
more), ``Null(x)`` (x or null). Imported only by that command and the tests: the everyday
path never builds a schema.
"""

from __future__ import annotations

from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"


class Obj:
    def __init__(self, props: dict[str, Any], closed: bool = False, title: str | None = None) -> None:
        self.props, self.closed, self.title = props, closed, title

    def closed_(self) -> "Obj":
        return Obj(self.props, True, self.title)

    def plus(self, **more: Any) -> "Obj":
        return Obj({**self.props, **more}, self.closed, self.title)

    def without(self, *keys: str) -> "Obj":
        return Obj({k: v for k, v in self.props.items() if k.rstrip("?") not in keys}, self.closed, self.title)


class Null:
    def __init__(self, inner: Any) -> None:
        self.inner = inner


class Rows:
    """The output is an array of these rows (closed objects)."""

    def __init__(self, row: Obj) -> None:
        self.row = row


SCALARS = {"str": "string", "int": "integer", "num": "number", "bool": "boolean"}


def compile_spec(spec: Any) -> dict[str, Any]:
    """One declaration as JSON Schema."""
    if isinstance(spec, str):
        nullable = spec.endswith("?")
        name = spec.rstrip("?")
        if name == "any":
            return {}
        if name == "range":
            out: dict[str, Any] = {"type": "array", "items": {"type": ["number", "null"]}, "minItems": 2, "maxItems": 2}
        else:
            out = {"type": SCALARS[name]}
        if nullable:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(spec, list):
        return {"type": "array", "items": compile_spec(spec[0])}
    if isinstance(spec, Null):
        return {"anyOf": [compile_spec(spec.inner), {"type": "null"}]}
    if isinstance(spec, Rows):
        return {"type": "array", "items": compile_spec(spec.row.closed_())}
    if isinstance(spec, Obj):
        props = {k.rstrip("?"): compile_spec(v) for k, v in spec.props.items()}
        out = {"type": "object", "properties": props, "required": [k for k in spec.props if not k.endswith("?")]}
        if spec.closed:
            out["additionalProperties"] = False
        if spec.title:
            out["title"] = spec.title
        return out
    raise TypeError(f"not a declaration: {spec!r}")  # pragma: no cover


# -- shapes shared by several outputs ---------------------------------------------------------

SOURCE = Obj({"section?": "str?", "table?": "str?", "refs?": ["int"], "citations?": ["str"], "quote?": "str?"})
NOTE = Obj({"kind?": "str?", "text": "str"})
NOTES = [NOTE]
CI = Obj({"low": "num?", "high": "num?", "method": "str", "note?": "str"})
COUNT = Obj({"count": "int", "of": "int"})
INTERVAL = Obj({"low": "num?", "high": "num?", "low_closed": "bool", "high_closed": "bool", "note?": "str"}, closed=True)
GUIDE = [Obj({"text": "str", "kind": "str", "source": Null(SOURCE)})]
GUIDANCE = {"when_to_use": GUIDE, "groups_meaning": GUIDE, "pitfalls": GUIDE, "next_steps": GUIDE}
STUDY = Obj({"id": "str", "citation": "str", "name": "str"})


def batch(result: Obj) -> Rows:
    """Batch mode (``-`` reads stdin): one row a line, its number, the input, kept CSV columns
    (--keep) and the result's fields (without its source, the same on every line)."""
    return Rows(Obj({"line": "int", "input": "str", **{k if k.endswith("?") else k + "?": v for k, v in result.without("source").props.items()}}))


# -- the records and rows of each command -----------------------------------------------------

COMPLAINT = Obj({"id": "str", "name": "str", "conditions": "int", "description": "str?", "source": SOURCE})
DIFF_ROW = Obj({"id": "str", "name": "str", "presentation": ["str"], "diagnosis": ["str"], "pearls": ["str"],
                "icd10cm": ["str"], "deep_dive": "bool", "source": SOURCE, "notes": NOTES})
ITEM = Obj({"findings": ["str"], "status": "str", "strength": "str", "weight": "int", "clause": "str", "lr": "num?", "lr_uncorrected": "num?", "lr_ci": Null(CI), "notes": NOTES})
# an unbounded end (an LR from a stated figure of 100% held fixed) is null, as everywhere
SIMULATION = Obj({"low": "num?", "high": "num?", "method": "str", "draws": "int", "seed": "int",
                  "fixed": [Obj({"finding": "str", "fixed": "str", "reason": "str"})],
                  "mc_error": Obj({"low": "num?", "high": "num?", "method": "str"}), "notes": ["str"],
                  "label": "str", "lr?": Obj({"low": "num?", "high": "num?"})})
ORDER = Obj({"below": "str", "share": "num", "draws": "int", "seed": "int", "firm": "bool", "mc_error": "num",
             "text": "str", "fixed": [Obj({"finding": "str", "fixed": "str", "reason": "str"})]})
RANKED = Obj({"id": "str", "name": "str", "rank": "int", "tied": "bool", "score": "int", "lr": "num?",
              "lr_simulation?": Null(SIMULATION), "order_simulation?": Null(ORDER),
              "supporting": [ITEM], "against": [ITEM], "notes": NOTES, "red_flags": ["str"]})
FLAG = Obj({"id": "str", "name": "str", "action": "str", "finding": "str"})
NEXT = Obj({"for_condition": "str", "rank": "int", "record_kind": "str", "id": "str", "name": "str",
            "sensitivity": "num?", "specificity": "num?", "sensitivity_range": "range?", "specificity_range": "range?",
            "lr_positive": "num?", "lr_negative": "num?", "lr_positive_uncorrected": "num?", "lr_negative_uncorrected": "num?",
            "lr_positive_range": "range?", "lr_negative_range": "range?",
            "why": "str", "accuracy": "str", "role": "str?", "quote": "str?", "notes": NOTES, "source": SOURCE})
REPORT = Obj({"complaint": "str", "present": ["str"], "absent": ["str"], "basis": "str", "red_flags": [FLAG],
              "conditions": [RANKED], "next": Null([NEXT]), "next_why": "str?"}, closed=True, title="dxcli differential COMPLAINT --finding ... [--next]")
FLAT = RANKED.plus(red_flags=[FLAG], condition_red_flags=["str"], next=Null([NEXT]), next_why="str?", basis="str")
CONDITION_ROW = Obj({"id": "str", "name": "str", "icd10cm": ["str"]})
CONDITION = Obj({**DIFF_ROW.props, "aliases": ["str"], "epidemiology": ["str"], "pathophysiology": ["str"],
                 "clinical_findings": ["str"], "diagnostic_testing": ["str"], "treatment": ["str"],
                 "figures": [Obj({"id": "str", "description": "str", "value?": "num?", "range?": "range?", "unit?": "str?"})],
                 "notes": NOTES, "maneuvers": ["str"], "tests": ["str"], "red_flags": ["str"], "deep_dive_source?": Null(SOURCE),
                 "icd10cm_alternatives": [Obj({"codes": ["str"], "when": "str"})]})
FINDING_ROW = Obj({"id": "str", "name": "str", "kind": "str", "description": "str", "supports": ["str"], "against": ["str"],
                   "maneuver": "str?", "test": "str?", "result": "str?", "red_flag": "str?"})
FINDING = FINDING_ROW.plus(links=[Obj({"condition": "str", "effect": "str"})])
STAGE = Obj({"id": "str", "title": "str", "narrative": "str", "present": ["str"], "absent": ["str"], "basis": "str",
             "red_flags": [FLAG], "conditions": [RANKED], "next": Null([NEXT]), "next_why": "str?", "source": Null(SOURCE)})
CASE = Obj({"id": "str", "title": "str", "age": "int?", "sex": "str?", "added": [Obj({"finding": "str", "because": "str"})],
            "complaint": "str", "stages": [STAGE],
            "workup": ["str"], "outcome": ["str"], "diagnosis": "str?", "basis": "str", "source": Null(SOURCE)})
STRUCTURE = Obj({"id": "str", "name": "str", "kind": "str", "description": "str", "proximal_attachment": "str?",
                 "distal_attachment": "str?", "function": "str?", "part_of": "str?", "source": SOURCE, "notes": NOTES})
MUSCLE = Obj({"id": "str", "name": "str", "group": "str", "origin": "str", "insertion": "str", "actions": ["str"],
              "nerve": "str?", "nerve_name": "str?", "roots": ["str"], "source": SOURCE, "notes": NOTES})
NERVE = Obj({"id": "str", "name": "str", "roots": ["str"], "plexus": "str?", "course": "str?", "muscles": ["str"],
             "source": SOURCE, "notes": NOTES})
INNERVATION = Obj({"id": "str", "name": "str", "nerve": "str?", "nerve_name": "str?", "roots": ["str"], "query": "str", "source": SOURCE})
ACCURACY_LIST = Obj({"id": "str", "name": "str", "conditions": ["str"], "figures": "bool", "aliases": ["str"]})
EVIDENCE = Obj({
    "id": "str", "name": "str", "condition": "str", "positive": "str?",
    "sensitivity": "num?", "specificity": "num?", "lr_positive": "num?", "lr_negative": "num?",
    # a point LR of 0 or infinity from a zero cell: the LR above is the corrected one, these the stated one and how
    "lr_positive_uncorrected": "num?", "lr_negative_uncorrected": "num?", "lr_positive_correction": "str?", "lr_negative_correction": "str?",
    "sensitivity_range": "range?", "specificity_range": "range?", "lr_positive_range": "range?", "lr_negative_range": "range?",
    "ppv_range": "range?", "false_positive_rate": "num?", "false_positive_rate_range": "range?", "statement": "str?",
    "study": Null(STUDY), "related_studies": [STUDY], "sensitivity_count": Null(COUNT), "specificity_count": Null(COUNT),
    "sensitivity_ci": Null(CI), "specificity_ci": Null(CI), "lr_positive_ci": Null(CI), "lr_negative_ci": Null(CI),
    "ci_notes": Obj({}), "published_ci": [Obj({"measure": "str", "value": "num", "low": "num", "high": "num", "citation": "str"})],
    "evidence_strength": "str?", "description": "str", "lr_positive_band": "str?", "lr_negative_band": "str?",
    "interpretation": "str", "source": SOURCE, "notes": NOTES,
    "with_primary_figures": [Obj({"citation": "str", "sensitivity": "num", "specificity": "num", "lr_positive": "num?", "lr_negative": "num?"})],
    # with --pretest
    "pretest?": "num", "posttest_positive?": "num?", "posttest_negative?": "num?",
    "posttest_positive_ci?": Null(CI), "posttest_negative_ci?": Null(CI),
    "posttest_positive_range?": "range?", "posttest_negative_range?": "range?",
})
TEST_EVIDENCE = EVIDENCE.plus(kind="str?", role="str?")
RED_FLAG = Obj({"id": "str", "name": "str", "description": "str", "why": "str", "action": "str", "conditions": ["str"],
                "source": SOURCE, "notes": NOTES})
HIT = Obj({"id": "str", "kind": "str", "name": "str", "score": "num", "snippet": "str", "command": "str"})
CITATION = Obj({"id": "str", "authors": "str", "year": "int?", "title": "str", "journal": "str?", "details": "str?",
                "pmid": "str?", "doi": "str?", "read": "str", "review_ref": "int?", "note": "str?"})
CITE = Obj({"id": "str", "kind": "str", "path": "str", "type": "str", "section": "str?", "refs": ["int"], "citations": ["str"],
            "text": "str?", "review_value": "any", "primary_value": "any"})
INFO = Obj({"tool_version": "str", "data_version": "str", "data_sha256": "str", "title": "str", "review": "str",
            "data_dir": "str", "counts": Obj({}), "disclaimer": "str"})
KERBOUL = Obj({
    "combined_angle": "num", "coronal_angle": "num?", "sagittal_angle": "num?",
    "risk_group": "str", "risk_label": "str", "risk_interval": INTERVAL,
    "group_hips": "int?", "group_collapsed": "int?", "group_collapse_ci": Null(CI),
    "grade": "int", "grade_interval": INTERVAL, "grade_hips": "int?", "grade_collapsed": "int?", "grade_collapse_ci": Null(CI),
    "collapse": "str?", "notes": ["str"], "source": SOURCE,
})
KERBOUL_BAND = Obj({"id": "str", "set": "str", "label": "str", "interval": INTERVAL, "hips": "int?", "collapsed": "int?",
                    "description": "str?", "review": "str?", "notes": NOTES})
KERBOUL_ONE = KERBOUL.plus(study=Null(STUDY), **GUIDANCE)
TONNIS_FINDING = Obj({"id": "str", "description": "str", "grade?": "int"})
TONNIS_GRADE = Obj({"grade": "int", "label": "str", "findings": [TONNIS_FINDING], "notes": ["str"], "source": SOURCE})
TONNIS = Obj({"grade": "int", "label": "str", "findings": [TONNIS_FINDING], "rule": "str", "notes": ["str"], "source": SOURCE})
STEP = Obj({"finding": "str", "lr": "num?", "lr_uncorrected": "num?", "lr_correction": "str?"})
POSTTEST = Obj({"condition": "str?", "pretest": "num?", "posttest": "num?", "posttest_range": "range?", "posttest_ci": Null(CI),
                "posttest_ci_note": "str?", "posttest_simulation?": Null(SIMULATION), "posttest_simulation_note?": "str?", "pretest_range?": "range?", "lr": "num?", "lr_range": "range?", "posttest_with_primary_figures": "any",
                "steps": [STEP], "notes": NOTES})
KIND = Obj({"id": "str", "file": "str", "model": "str"})
PROBLEM = Obj({"file": "str", "line": "int?", "key": "str", "message": "str", "fix": "str?"})
DECK = Obj({"id": "str", "deck": "str", "notes": "int"})
QUESTION = Obj({"id": "str", "number": "int", "topic": "str", "question": "str", "options": Null(["str"]), "answer": "str",
                "accept": ["str"], "match": "str", "back": "str", "source_text": "str", "source": SOURCE, "notes": NOTES, "seed": "int"})


# Every command's outputs: (the invocation, its shape). A command with several is any of them.
OUTPUTS: dict[str, list[tuple[str, Any]]] = {
    "differential": [("dxcli differential", Rows(COMPLAINT)), ("dxcli differential COMPLAINT", Rows(DIFF_ROW)),
                     ("dxcli differential COMPLAINT --finding ...", REPORT),
                     ("dxcli differential COMPLAINT --finding ... --fields ...: one row a condition", Rows(FLAT))],
    "condition": [("dxcli condition", Rows(CONDITION_ROW)), ("dxcli condition NAME", CONDITION)],
    "finding": [("dxcli finding", Rows(FINDING_ROW)), ("dxcli finding NAME", FINDING)],
    "case": [("dxcli case [FILE]", CASE)],
    "anatomy": [("dxcli anatomy", Rows(STRUCTURE)), ("dxcli anatomy NAME", STRUCTURE)],
    "muscle": [("dxcli muscle, or a group's name", Rows(MUSCLE)), ("dxcli muscle NAME", MUSCLE)],
    "nerve": [("dxcli nerve", Rows(NERVE)), ("dxcli nerve NAME", NERVE)],
    "innervation": [("dxcli innervation [ROOT|NERVE|MUSCLE]", Rows(INNERVATION))],
    "maneuver": [("dxcli maneuver", Rows(ACCURACY_LIST)), ("dxcli maneuver NAME | --condition NAME [--pretest P]", Rows(EVIDENCE))],
    "test": [("dxcli test", Rows(ACCURACY_LIST.plus(kind="str?"))),
             ("dxcli test NAME | --condition NAME [--pretest P]", Rows(TEST_EVIDENCE))],
    "redflags": [("dxcli redflags [--condition NAME]", Rows(RED_FLAG)), ("dxcli redflags NAME", RED_FLAG)],
    "search": [("dxcli search TEXT", Rows(HIT))],
    "sources": [("dxcli sources", Rows(CITATION))],
    "cite": [("dxcli cite ID", Rows(CITE))],
    "info": [("dxcli info", INFO)],
    "kerboul": [("dxcli kerboul ANGLE | CORONAL SAGITTAL", KERBOUL_ONE), ("dxcli kerboul -", batch(KERBOUL)),
                ("dxcli kerboul: the scale's bands", Rows(KERBOUL_BAND))],
    "tonnis": [("dxcli tonnis", Rows(TONNIS_GRADE)), ("dxcli tonnis FINDING...", TONNIS.plus(**GUIDANCE)), ("dxcli tonnis -", batch(TONNIS))],
    "posttest": [("dxcli posttest --pretest P FINDING...", POSTTEST), ("dxcli posttest -", batch(POSTTEST))],
    "reference schema": [("dxcli reference schema (a KIND or --output: a JSON Schema document)", Rows(KIND))],
    "reference lint": [("dxcli reference lint PATH", Rows(PROBLEM))],
    "export anki": [("dxcli export anki FILE.apkg", Rows(DECK))],
    "quiz": [("dxcli quiz --format json", Rows(QUESTION))],
    "help": [("dxcli help", Rows(Obj({"id": "str", "summary": "str"}))), ("dxcli help TOPIC --format json", Obj({"id": "str", "text": "str"}))],
}

CONTRACT = (
    "Every row or record that stands for a record of the reference carries its id as 'id'. Numbers are "
    "JSON numbers; a missing value is null; an unbounded number (an LR+ at specificity 1, an open interval "
    "end) is null, with a note. NDJSON: one item of the array a line. CSV and TSV: the same fields as "
    "columns, a list or an object in a cell as compact JSON, null as an empty cell. --fields: only the "
    "named fields of each row (the same types)."
)


def fields_of(command: str) -> list[str]:
    """Every top-level field a row or record of ``command``'s output may have."""
    out: list[str] = []
    for _, spec in OUTPUTS.get(command, []):
        obj = spec.row if isinstance(spec, Rows) else spec
        out += [k.rstrip("?") for k in obj.props]
    return list(dict.fromkeys(out))


def command_names() -> list[str]:
    return list(OUTPUTS)


def output_schema(command: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of ``dxcli COMMAND --format json``."""
    shapes = []
    for title, spec in OUTPUTS[command]:
        if isinstance(spec, Obj):
            shapes.append(compile_spec(Obj(spec.props, True, spec.title or title)))
        else:
            shapes.append({"title": title, **compile_spec(spec)})
    doc: dict[str, Any] = {"$schema": DRAFT, "title": f"dxcli {command} --format json", "description": CONTRACT}
    if len(shapes) == 1:
        doc.update(shapes[0])
        doc["title"] = f"dxcli {command} --format json"
        doc["description"] = CONTRACT + " Output: " + OUTPUTS[command][0][0] + "."
    else:
        doc["anyOf"] = shapes
    return doc
