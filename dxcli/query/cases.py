"""Cases: the review's vignette, staged, and a user's own case file, each ranked by stage."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Optional

from dxcli.errors import InvalidInput
from dxcli.query.lookup import find, find_record, norm, suggest
from dxcli.query.reasoning import find_finding, next_steps, next_why, rank
from dxcli.reference import loader
from dxcli.reference.files import toml

SEX_FINDING = {"female": "female-sex", "male": "male-sex"}
# The review's own age cut-off, in its one sentence with a number: "Lumbar disc herniations most
# commonly occur in patients under the age of 50, while LSR due to lumbar spondylosis is more
# typical in older patients." No other finding is inferred from an age.
AGE_CUTOFF = 50
AGE_QUOTE = ("Lumbar disc herniations most commonly occur in patients under the age of 50, while LSR "
             "due to lumbar spondylosis is more typical in older patients.")


def age_finding(age: int) -> tuple[str, str]:
    """(finding id, why) for an age, by the review's cut-off of 50."""
    if age < AGE_CUTOFF:
        return "age-under-50", f"age {age}: under 50, the review's cut-off of 50 (\u201c{AGE_QUOTE}\u201d)"
    return "older-age", f"age {age}: 50 or over, 'older' by the review's cut-off of 50 (\u201c{AGE_QUOTE}\u201d)"
MAX_CASE_BYTES = 1_000_000


def bundled(name: str | None = None) -> dict[str, Any]:
    cases = loader.records("case")
    case = find(cases, name, "case") if name else cases[0]
    stages = []
    for st in case["stages"]:
        result = rank(case["complaint"], st.get("present", []), st.get("absent", []))
        stages.append(_stage(st["id"], st["title"], st["narrative"], result, st["source"]))
    return {
        "id": case["id"],
        "title": case["title"],
        "age": case.get("age"),
        "sex": case.get("sex"),
        "added": [],  # the review's stages list their findings themselves
        "complaint": case["complaint"],
        "stages": stages,
        "workup": [s["text"] for s in case.get("workup", [])],
        "outcome": [s["text"] for s in case.get("outcome", [])],
        "diagnosis": case.get("diagnosis"),
        "basis": stages[-1]["basis"] if stages else None,
        "source": case["source"],
    }


def case(path: Optional[Path] = None) -> dict[str, Any]:
    """``dxcli case``: a case file step by step, or the review's vignette without one. Each
    record is read once for the whole case: its stages share the conditions' evidence."""
    with loader.answering():
        return from_file(path) if path is not None else bundled()


def _stage(sid: str, title: str, narrative: str, result: dict[str, Any], source: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "title": title,
        "narrative": narrative,
        "present": result["present"],
        "absent": result["absent"],
        "red_flags": result["red_flags"],
        "conditions": result["conditions"],
        "next": (steps := next_steps(result)),
        "next_why": next_why(result, steps),
        "basis": result["basis"],
        "source": source,
    }


def _line(text: str, needle: str) -> int | None:
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    return None


def _key_line(text: str, key: str) -> int | None:
    pat = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
    for i, line in enumerate(text.splitlines(), 1):
        if pat.match(line):
            return i
    return None


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def from_file(path: Path) -> dict[str, Any]:
    from pydantic import ValidationError

    from dxcli.reference.models import UserCase

    try:
        if path.is_dir():
            raise InvalidInput(f"{path} is a directory", hint="give a case file, e.g. my-case.toml")
        raw = path.read_bytes()[: MAX_CASE_BYTES + 1]
    except OSError as e:
        raise InvalidInput(f"cannot read {path}: {e.strerror}", hint="check the path") from None
    if len(raw) > MAX_CASE_BYTES:
        raise InvalidInput(f"{path} is larger than {MAX_CASE_BYTES} bytes", hint="a case file is a few lines of TOML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise InvalidInput(f"{path} is not UTF-8 text (byte {e.start})", hint="save it as UTF-8") from None
    from dxcli.reference import bounds

    tomllib = toml()
    try:
        data = bounds.loads(text)
    except bounds.OutOfBounds as e:
        raise InvalidInput(f"{_where(path, e.line)}: {e.key + ': ' if e.key else ''}{e.message}", hint="a case file is a few lines of TOML") from None
    except tomllib.TOMLDecodeError as e:
        raise InvalidInput(f"{path}: invalid TOML: {e}", hint="see 'dxcli case --schema' and the README's example") from None
    try:
        uc = UserCase.model_validate(data)
    except ValidationError as e:
        err = e.errors()[0]
        loc = [str(x) for x in err["loc"]]
        line = _key_line(text, loc[0]) if loc else None
        where = ".".join(loc)
        raise InvalidInput(
            f"{_where(path, line)}: {where}: {err['msg']}",
            hint="see 'dxcli case --schema' for the keys and their types",
        ) from None
    for key in ("present", "absent"):
        for item in getattr(uc, key):
            if not item.strip() or find_finding(item) is None:
                raise InvalidInput(
                    f"{_where(path, _line(text, item))}: {key}: unknown finding {item!r}",
                    hint=suggest(loader.records("finding"), item, "finding"),
                )
    complaint = uc.complaint or loader.records("complaint")[0]["id"]
    try:
        find_record("complaint", complaint, "complaint", exact=True)
    except Exception:
        raise InvalidInput(
            f"{_where(path, _key_line(text, 'complaint'))}: complaint: unknown complaint {uc.complaint!r}",
            hint="list complaints with 'dxcli differential'",
        ) from None
    present = list(uc.present)
    added: list[dict[str, str]] = []
    if uc.sex and SEX_FINDING[uc.sex] not in present:
        present.append(SEX_FINDING[uc.sex])
        added.append({"finding": SEX_FINDING[uc.sex], "because": f"sex {uc.sex}"})
    if uc.age is not None:
        fid, why = age_finding(uc.age)
        other = "older-age" if fid == "age-under-50" else "age-under-50"
        clash = [x for x in present + list(uc.absent) if norm(x) in (norm(other), norm(fid))]
        if any(norm(x) == norm(other) for x in clash) or any(norm(x) == norm(fid) for x in uc.absent):
            raise InvalidInput(
                f"{_where(path, _key_line(text, 'age'))}: age: {uc.age} gives {fid} by the review's cut-off of "
                f"{AGE_CUTOFF}, which contradicts the findings given ({', '.join(clash)})",
                hint="give the age, or the age finding, not both in disagreement",
            )
        if all(norm(x) != norm(fid) for x in present):
            present.append(fid)
            added.append({"finding": fid, "because": why})
    result = rank(complaint, present, uc.absent)
    stage = _stage("findings", "Findings", uc.notes or "", result, {"section": str(path)})
    return {
        "id": path.stem,
        "title": uc.title or path.stem,
        "age": uc.age,
        "sex": uc.sex,
        "added": added,  # the findings the case file's age and sex added, and why
        "complaint": complaint,
        "stages": [stage],
        "workup": [],
        "outcome": [],
        "diagnosis": None,
        "basis": stage["basis"],
        "source": {"section": str(path)},
    }


def schema() -> dict[str, Any]:
    from dxcli.reference.models import UserCase

    doc = UserCase.model_json_schema()
    doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    doc["title"] = "dxcli case file (TOML)"
    return doc
