"""Validate a directory of reference TOML: schema, unique ids, cross-references, sources.

Used by the tests on the bundled data and by ``dxcli reference lint`` on a pack.
Every problem names the file, the line where known, the key, and a fix.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from pydantic import ValidationError

from dxcli.reference import bounds
from dxcli.reference.files import META_FILE, bundled_dir, toml
from dxcli.reference.models import FILE_KINDS, Meta


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    key: str
    message: str
    fix: str

    def as_row(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "key": self.key,
            "message": self.message,
            "fix": self.fix,
        }


_ID_LINE = re.compile(r"^\s*id\s*=\s*[\"']([^\"']*)[\"']")
_TOP = re.compile(r"^\s*\[\[?[A-Za-z_]+\]\]?\s*$")  # [[kind]] or [kind], not dotted
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=")


class _Lines:
    """Where records and their keys are in one file's text, indexed once, so that finding
    the line of each problem costs the same however many problems there are (linear). The
    text is read again on the first problem only: a clean file keeps nothing in memory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []
        self.ids: dict[str, int] | None = None  # indexed on the first problem: a clean file never pays
        self.keys: dict[str, dict[str, int]] = {}

    def _index(self) -> dict[str, int]:
        if self.ids is None:
            try:
                text = self.path.read_bytes().decode("utf-8", "replace")
            except OSError:
                text = ""
            self.lines = text.splitlines()
            self.ids = {}
            for i, line in enumerate(self.lines):
                m = _ID_LINE.match(line)
                if m:
                    self.ids.setdefault(m.group(1), i)
        return self.ids

    def line_of(self, record_id: str | None, key: str | None = None) -> int | None:
        """The line of ``id = "record_id"``, or of ``key = ...`` within that record, 1-based."""
        if record_id is None or record_id not in self._index():
            return None
        i = self.ids[record_id]
        if key:
            keys = self.keys.get(record_id)
            if keys is None:
                keys = self.keys[record_id] = {}
                for j in range(i, len(self.lines)):
                    if j > i and _TOP.match(self.lines[j]):
                        break
                    m = _KEY_LINE.match(self.lines[j])
                    if m:
                        keys.setdefault(m.group(1), j)
            if key in keys:
                return keys[key] + 1
        return i + 1


def _walk_sources(obj: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every ``source`` table and every note ``citation`` inside a record."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            p = f"{path}.{k}" if path else k
            if k in ("source", "deep_dive_source") and isinstance(v, dict):
                yield p, v
            elif k == "citations" and isinstance(v, list) and path:
                yield p, {"citations": v}
            elif k == "citation" and isinstance(v, str):
                yield p, {"citations": [v]}
            else:
                yield from _walk_sources(v, p)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk_sources(v, f"{path}[{i}]")


class Checker:
    def __init__(self, bundled: bool = False) -> None:
        # ``bundled``: every file read is the bundled data (checked alone), not a pack
        self.bundled = bundled
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # told by lint, never a reason to refuse a pack
        self.texts: dict[str, _Lines] = {}
        self.records: dict[str, list[tuple[str, dict[str, Any]]]] = {k: [] for k in FILE_KINDS}
        self.meta: dict[str, Any] | None = None
        # Streaming (the store's build): each valid record goes to ``sink`` as it is read and is
        # not kept; ``source`` gives a kind's records back, in file order, for ``check``.
        self.sink: Callable[[str, str, dict[str, Any]], None] | None = None
        self.source: Callable[[str], Iterable[tuple[str, dict[str, Any]]]] | None = None

    def each(self, kind: str) -> Iterable[tuple[str, dict[str, Any]]]:
        """(file, record) of one kind, in file order."""
        return self.source(kind) if self.source is not None else self.records[kind]

    def _keep(self, kind: str, file: str, rec: dict[str, Any]) -> None:
        if self.sink is not None:
            self.sink(kind, file, rec)
        else:
            self.records[kind].append((file, rec))

    def add(self, file: str, rid: str | None, key: str, message: str, fix: str, field: str | None = None) -> None:
        field = field or key.split(".")[-1].split("[")[0]
        where = self.texts.get(file)
        line = where.line_of(rid, field) if where is not None else None
        self.problems.append(Problem(file, line, key, message, fix))

    def merge(self, part: "Checker") -> None:
        """Add what another checker read (files read in another process), in file order."""
        self.problems += part.problems
        self.warnings += part.warnings
        self.texts.update(part.texts)
        for kind, recs in part.records.items():
            for file, rec in recs:
                self._keep(kind, file, rec)
        if part.meta is not None:
            self.meta = part.meta

    # -- reading ---------------------------------------------------------------
    def read(self, path: Path, display: str) -> None:
        try:
            raw = path.read_bytes()
        except OSError as e:
            self.problems.append(Problem(display, None, "", f"cannot read: {e.strerror}", "check the path"))
            return
        try:
            text = raw.decode("utf-8")
            if text.startswith("\ufeff"):  # a byte order mark, as some editors save UTF-8
                text = text[1:]
        except UnicodeDecodeError as e:
            self.problems.append(
                Problem(display, None, "", f"not UTF-8 (byte {e.start})", "save the file as UTF-8")
            )
            return
        tomllib = toml()
        try:
            data = bounds.loads(text)
        except bounds.OutOfBounds as e:
            self.problems.append(Problem(display, e.line, e.key, e.message, "keep within the limit, or split the record"))
            return
        except tomllib.TOMLDecodeError as e:
            m = re.search(r"line (\d+)", str(e))
            self.problems.append(
                Problem(display, int(m.group(1)) if m else None, "", f"invalid TOML: {e}", "fix the TOML syntax")
            )
            return
        self.texts[display] = _Lines(path)
        del text
        for key, value in data.items():
            if key == "meta" and isinstance(value, dict):
                self.meta = value
                try:
                    Meta.model_validate(value)
                except ValidationError as e:
                    for err in e.errors():
                        self._schema_problem(display, None, "meta", err)
                continue
            if key not in FILE_KINDS:
                self.problems.append(
                    Problem(
                        display,
                        None,
                        key,
                        f"unknown record kind {key!r}",
                        "use one of: " + ", ".join(sorted(FILE_KINDS)),
                    )
                )
                continue
            if not isinstance(value, list):
                self.problems.append(
                    Problem(display, None, key, f"{key} must be an array of tables", f"write [[{key}]]")
                )
                continue
            for i, rec in enumerate(value):
                self._validate(display, key, i, rec)

    def _schema_problem(self, file: str, rid: str | None, prefix: str, err: Any) -> None:
        loc = ".".join(str(p) for p in err.get("loc", ()))
        key = f"{prefix}.{loc}" if loc else prefix
        msg = err.get("msg", "invalid")
        if err.get("type") == "missing":
            fix = f"add {loc.split('.')[-1]}"
        elif err.get("type") == "extra_forbidden":
            fix = f"remove {loc.split('.')[-1]} or check its spelling"
        else:
            fix = "correct the value"
        names = [str(p) for p in err.get("loc", ()) if not isinstance(p, int)]
        self.add(file, rid, key, msg, fix, field=names[-1] if names else None)

    def _validate(self, file: str, kind: str, i: int, rec: Any) -> None:
        rid = rec.get("id") if isinstance(rec, dict) else None
        model = FILE_KINDS[kind]
        try:
            valid = model.model_validate(rec)
        except ValidationError as e:
            for err in e.errors():
                self._schema_problem(file, rid if isinstance(rid, str) else None, f"{kind}[{i}]", err)
            return
        self._keep(kind, file, valid.model_dump(exclude_none=True))  # defaults applied

    # -- integrity -------------------------------------------------------------
    def ids(self, kind: str) -> set[str]:
        return {r["id"] for _, r in self.each(kind)}

    def check(self) -> None:
        seen: dict[str, tuple[str, str]] = {}
        for kind in self.records:
            for file, rec in self.each(kind):
                rid = rec["id"]
                if rid in seen:
                    other_file, other_kind = seen[rid]
                    self.add(
                        file,
                        rid,
                        "id",
                        f"duplicate id {rid!r} (also a {other_kind} in {other_file})",
                        "give each record a unique id",
                    )
                else:
                    seen[rid] = (file, kind)
                self._nested_unique(file, rec)
        cits = self.ids("citation")
        refs = {
            "condition": self.ids("condition"),
            "maneuver": self.ids("maneuver"),
            "test": self.ids("test"),
            "nerve": self.ids("nerve"),
            "red_flag": self.ids("red_flag"),
            "finding": self.ids("finding"),
            "complaint": self.ids("complaint"),
            "structure": self.ids("structure"),
        }

        def need(file: str, rec: dict, key: str, value: Any, kind: str) -> None:
            if value is not None and value not in refs[kind]:
                self.add(
                    file,
                    rec["id"],
                    key,
                    f"{key} refers to unknown {kind.replace('_', ' ')} {value!r}",
                    _suggest(value, refs[kind]),
                )

        for file, rec in self.each("muscle"):
            need(file, rec, "nerve", rec.get("nerve"), "nerve")
        for file, rec in self.each("nerve"):
            for other in rec.get("see_also", []):
                need(file, rec, "see_also", other, "nerve")
        for file, rec in self.each("structure"):
            need(file, rec, "part_of", rec.get("part_of"), "structure")
        for kind in ("maneuver", "test"):
            for file, rec in self.each(kind):
                for j, ev in enumerate(rec["evidence"]):
                    need(file, rec, f"evidence[{j}].condition", ev["condition"], "condition")
        for file, rec in self.each("red_flag"):
            for c in rec["conditions"]:
                need(file, rec, "conditions", c, "condition")
        for file, rec in self.each("complaint"):
            for c in rec["conditions"]:
                need(file, rec, "conditions", c, "condition")
        for file, rec in self.each("finding"):
            need(file, rec, "maneuver", rec.get("maneuver"), "maneuver")
            need(file, rec, "test", rec.get("test"), "test")
            need(file, rec, "red_flag", rec.get("red_flag"), "red_flag")
            for j, ln in enumerate(rec.get("links", [])):
                need(file, rec, f"links[{j}].condition", ln["condition"], "condition")
        self._links()
        self._pack_names()
        for file, rec in self.each("case"):
            need(file, rec, "complaint", rec.get("complaint"), "complaint")
            need(file, rec, "diagnosis", rec.get("diagnosis"), "condition")
            for st in rec["stages"]:
                for f in st.get("present", []) + st.get("absent", []):
                    need(file, rec, "stages.present", f, "finding")
        self._check_studies(refs)
        self._codes()
        for kind in self.records:
            for file, rec in self.each(kind):
                for path, src in _walk_sources(rec):
                    for c in src.get("citations", []):
                        if c not in cits:
                            self.add(
                                file,
                                rec.get("id"),
                                path,
                                f"unknown citation {c!r}",
                                _suggest(c, cits) + " (or add it to citations.toml)",
                            )
        if self.meta is not None and self.meta.get("review") not in cits:
            self.problems.append(
                Problem(META_FILE, None, "meta.review", "the review's citation id is unknown", "add it to citations.toml")
            )

    def _codes(self) -> None:
        """ICD-10-CM codes: the bundled data gives every condition its codes (the review's
        conditions all have them); a pack's condition may have none (its source may give
        none, and a code is never invented), which lint tells as a warning."""
        for file, rec in self.each("condition"):
            if rec.get("icd10cm"):
                continue
            if self.bundled or file.startswith("(bundled)"):
                self.add(file, rec["id"], "icd10cm", "a bundled condition needs its ICD-10-CM codes", "add icd10cm")
            else:
                where = self.texts.get(file)
                self.warnings.append(Problem(file, where.line_of(rec["id"]) if where else None, "icd10cm",
                                             "no ICD-10-CM codes: this condition shows [] for them in every output",
                                             "add icd10cm where the pack's source gives codes"))

    def _pack_names(self) -> None:
        """A pack's record may not take a name or alias that a bundled record of its kind has:
        a lookup by that name would then depend on file order."""
        from dxcli.names import names_of, norm

        for kind in self.records:
            taken: dict[str, str] = {}
            for file, rec in self.each(kind):
                if file.startswith("(bundled)") and isinstance(rec.get("id"), str):
                    for n in names_of(rec):
                        taken.setdefault(norm(n), rec["id"])
            if not taken:
                continue
            for file, rec in self.each(kind):
                if file.startswith("(bundled)") or not isinstance(rec.get("id"), str):
                    continue
                for key, n in [("name", rec.get("name")), ("label", rec.get("label"))] + [("aliases", a) for a in rec.get("aliases", [])]:
                    if isinstance(n, str) and taken.get(norm(n), rec["id"]) != rec["id"]:
                        self.add(file, rec["id"], key, f"{key} {n!r} is already a name of the bundled {kind.replace('_', ' ')} {taken[norm(n)]!r}",
                                 "give the record a name or alias of its own")

    def _links(self) -> None:
        """Finding links: a measured link has stated accuracy behind it, a figure is the
        condition's own, and links resting on one clause of one condition share its group."""
        figures = {r["id"]: {x["id"] for x in r.get("figures", [])} for _, r in self.each("condition")}
        accuracy = {
            (r["id"], ev["condition"])
            for kind in ("maneuver", "test")
            for _, r in self.each(kind)
            for ev in r["evidence"]
            if (ev.get("sensitivity") is not None or ev.get("sensitivity_range"))
            and (ev.get("specificity") is not None or ev.get("specificity_range"))
        }
        groups: dict[tuple[str, str], tuple[str | None, str]] = {}
        for file, rec in self.each("finding"):
            target = rec.get("maneuver") or rec.get("test")
            for j, ln in enumerate(rec.get("links", [])):
                key = f"links[{j}]"
                measured = target is not None and rec.get("result") is not None and (target, ln["condition"]) in accuracy
                if (ln["strength"] == "measured") != measured:
                    self.add(
                        file, rec["id"], f"{key}.strength",
                        "'measured' is for a maneuver or test result with stated sensitivity and specificity for the condition, and such a link is 'measured'",
                        "set strength to 'measured' exactly where the accuracy is stated",
                    )
                fig = ln.get("figure")
                if fig is not None and ln["condition"] in figures and fig not in figures[ln["condition"]]:
                    self.add(file, rec["id"], f"{key}.figure", f"{ln['condition']} has no figure {fig!r}", "name one of the condition's figures")
                seen = groups.setdefault((ln["condition"], ln["clause"]), (ln.get("group"), rec["id"]))
                if seen[0] != ln.get("group"):
                    self.add(
                        file, rec["id"], f"{key}.group",
                        f"links of {ln['condition']} resting on the same clause have different groups ({seen[1]}: {seen[0]!r})",
                        "give links that rest on one clause the same group",
                    )

    def _check_studies(self, refs: dict[str, set[str]]) -> None:
        """A study's citation exists; each record it backs exists, with evidence for the
        condition named; an arm quoted from the abstract carries its quote; no record has
        two source studies for the same condition."""
        cits = self.ids("citation")
        scales = self.ids("scale")
        evidence: dict[tuple[str, str], set[str]] = {}
        for kind in ("maneuver", "test"):
            for _, rec in self.each(kind):
                evidence[(kind, rec["id"])] = {ev["condition"] for ev in rec["evidence"]}
        sources: dict[tuple[str, str, str], str] = {}
        for file, rec in self.each("study"):
            rid = rec["id"]
            if rec["citation"] not in cits:
                self.add(file, rid, "citation", f"unknown citation {rec['citation']!r}",
                         _suggest(rec["citation"], cits) + " (or add it to citations.toml)")
            for j, f in enumerate(rec["findings"]):
                key = f"findings[{j}]"
                if f.get("scale") is not None:
                    if f["scale"] not in scales:
                        self.add(file, rid, f"{key}.scale", f"unknown scale {f['scale']!r}", _suggest(f["scale"], scales))
                    continue
                kind = "maneuver" if f.get("maneuver") is not None else "test"
                target, cond = f[kind], f["condition"]
                if target not in refs[kind]:
                    self.add(file, rid, f"{key}.{kind}", f"{kind} {target!r} does not exist", _suggest(target, refs[kind]))
                    continue
                if cond not in evidence[(kind, target)]:
                    self.add(
                        file, rid, f"{key}.condition",
                        f"{kind} {target!r} has no evidence for {cond!r}",
                        "its conditions: " + ", ".join(sorted(evidence[(kind, target)])),
                    )
                for arm in ("sensitivity", "specificity"):
                    a = f.get(arm)
                    if a and a["stated_by"] == "abstract" and not a.get("quote"):
                        self.add(file, rid, f"{key}.{arm}", "a figure stated by the abstract needs its quote",
                                 "add the abstract's sentence as quote")
                if f["relation"] == "source":
                    other = sources.setdefault((kind, target, cond), rid)
                    if other != rid:
                        self.add(file, rid, f"{key}.relation",
                                 f"{target} for {cond} already has the source study {other!r}",
                                 "one study is the source of a record's figures; mark the other 'context'")

    def _nested_unique(self, file: str, rec: dict) -> None:
        def twice(ids: list[Any]) -> list[Any]:  # linear: a Counter, not list.count per item
            from collections import Counter

            return [i for i, n in Counter(ids).items() if n > 1]

        for key in ("figures", "band_sets", "grades", "stages"):
            items = rec.get(key) or []
            ids = [x.get("id", x.get("grade")) for x in items]
            for d in twice(ids):
                self.add(file, rec["id"], key, f"duplicate {key} id {d!r}", "make nested ids unique")
        for bs in rec.get("band_sets") or []:
            ids = [b["id"] for b in bs["bands"]]
            for d in twice(ids):
                self.add(file, rec["id"], "bands", f"duplicate band id {d!r}", "make band ids unique")
        fids = [f["id"] for g in rec.get("grades") or [] for f in g["findings"]]
        for d in twice(fids):
            self.add(file, rec["id"], "findings", f"duplicate finding id {d!r}", "make finding ids unique")


def _suggest(value: str, choices: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(str(value), sorted(choices), n=3, cutoff=0.6)
    return f"did you mean {', '.join(repr(c) for c in close)}?" if close else "use an existing id"


def check_files(files: list[tuple[Path, str]], bundled: bool = False) -> list[Problem]:
    return checked(files, bundled).problems


def checked(files: list[tuple[Path, str]], bundled: bool = False) -> Checker:
    """A Checker that has read and checked ``files``: its problems and warnings."""
    c = Checker(bundled)
    for path, display in files:
        c.read(path, display)
    c.check()
    return c


def check_dir(path: Path) -> list[Problem]:
    return checked_dir(path).problems


def checked_dir(path: Path) -> Checker:
    """The files of one directory checked alone (the bundled data when it is its directory)."""
    files = sorted(p for p in path.glob("*.toml"))
    return checked([(p, p.name) for p in files], bundled=path.resolve() == bundled_dir().resolve())


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    target = Path(args[0]) if args else bundled_dir()
    problems = check_dir(target)
    for p in problems:
        loc = f"{p.file}:{p.line}" if p.line else p.file
        print(f"{loc}: {p.key}: {p.message} (fix: {p.fix})")
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
