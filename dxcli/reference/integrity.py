"""Validate a directory of reference TOML: schema, unique ids, cross-references, sources.

Used by the tests on the bundled data and by ``dxcli reference lint`` on a pack.
Every problem names the file, the line where known, the key, and a fix.
"""

from __future__ import annotations

import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional

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
    """Every ``source`` table and every note ``citation`` inside a record, with its path, in
    document order. (Plain values are never descended into: a record has hundreds of them.)"""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k in ("source", "deep_dive_source") and isinstance(v, dict):
                yield (f"{path}.{k}" if path else k), v
            elif k == "citations" and isinstance(v, list) and path:
                yield f"{path}.{k}", {"citations": v}
            elif k == "citation" and isinstance(v, str):
                yield (f"{path}.{k}" if path else k), {"citations": [v]}
            elif isinstance(v, (dict, list)):
                yield from _walk_sources(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            if isinstance(v, (dict, list)):
                yield from _walk_sources(v, f"{path}[{i}]")


# The checks across records (ids unique, references resolved, links consistent, names not
# taken) run as SQL over facts that each record leaves, as it is read, in temporary tables of
# an SQLite database: the new store's own connection while a store is built, a private
# temporary file for lint. Nothing that grows with the pack is held in Python (at 1000x the
# shipped data the id and link sets did), each check is one query, and a problem is made only
# for what a query finds. Problems are told in the order of the checks below, and within a
# check in record order (``order``: step, record, place in the record).
_FACTS = """
CREATE TEMP TABLE c_rec (id TEXT NOT NULL, kind TEXT NOT NULL, kx INTEGER NOT NULL, pos INTEGER NOT NULL, file INTEGER NOT NULL);
CREATE TEMP TABLE c_need (step INTEGER NOT NULL, pos INTEGER NOT NULL, seq INTEGER NOT NULL, file INTEGER NOT NULL, rid TEXT NOT NULL,
                          key TEXT NOT NULL, target TEXT NOT NULL, value TEXT NOT NULL);
CREATE TEMP TABLE c_evid (id TEXT NOT NULL, kind TEXT NOT NULL, cond TEXT NOT NULL, measured INTEGER NOT NULL);
CREATE TEMP TABLE c_fig (cond TEXT NOT NULL, fig TEXT NOT NULL);
CREATE TEMP TABLE c_link (pos INTEGER NOT NULL, j INTEGER NOT NULL, file INTEGER NOT NULL, rid TEXT NOT NULL, target TEXT,
                          has_result INTEGER NOT NULL, cond TEXT NOT NULL, measured INTEGER NOT NULL, fig TEXT, clause TEXT NOT NULL, grp TEXT);
CREATE TEMP TABLE c_name (kind TEXT NOT NULL, kx INTEGER NOT NULL, pos INTEGER NOT NULL, seq INTEGER NOT NULL, file INTEGER NOT NULL,
                          rid TEXT NOT NULL, bundled INTEGER NOT NULL, key TEXT, name TEXT, normed TEXT NOT NULL);
CREATE TEMP TABLE c_study (pos INTEGER NOT NULL, j INTEGER NOT NULL, file INTEGER NOT NULL, rid TEXT NOT NULL, kind TEXT NOT NULL,
                           target TEXT NOT NULL, cond TEXT NOT NULL, source INTEGER NOT NULL)
"""
# made once every fact is in (an index built at the end costs less than one kept up to date)
_FACT_INDEXES = """
CREATE INDEX temp.c_rec_id ON c_rec (id, kind);
CREATE INDEX temp.c_evid_id ON c_evid (id, cond);
CREATE INDEX temp.c_fig_cond ON c_fig (cond, fig)
"""
_FACT_TABLES = ("c_rec", "c_need", "c_evid", "c_fig", "c_link", "c_name", "c_study")
# the checks' steps, in the order their problems are told
_DUPLICATES = 0  # + the kind's place in FILE_KINDS: duplicate ids, then nested ids
_REFS = {"muscle": 100, "nerve": 101, "structure": 102, "maneuver": 103, "test": 104, "red_flag": 105, "complaint": 106, "finding": 107}
_LINKS = 200
_NAMES = 300  # + the kind's place
_CASES = 400
_STUDIES = 500
_CODES = 600
_CITATIONS = 700  # + the kind's place
_KX = {k: i for i, k in enumerate(FILE_KINDS)}
_FLUSH_AT = 500  # records between two writes of their rows (memory holds this many)


_NORM: Optional[Callable[[str], str]] = None


def _norm_cached() -> Callable[[str], str]:
    """``names.norm`` with a cache of the last few thousand names, one a process (a worker
    reading file after file keeps it)."""
    global _NORM
    if _NORM is None:
        from functools import lru_cache

        from dxcli.names import norm

        _NORM = lru_cache(maxsize=1 << 12)(norm)
    return _NORM


def _accuracy(ev: dict[str, Any]) -> bool:
    """Whether an evidence row states both sensitivity and specificity (a 'measured' link's)."""
    return bool((ev.get("sensitivity") is not None or ev.get("sensitivity_range"))
                and (ev.get("specificity") is not None or ev.get("specificity_range")))


class Checker:
    """Reads files (``read``) and checks them (``check``): ``problems`` and ``warnings``.

    Each valid record leaves its facts (rows of the tables above) and, through ``sink(kind,
    pos, rec, names)`` if set (the store's build), its rows in ``out`` (table: rows); both are
    written to ``db`` (a private temporary database if none is given) every few thousand
    records, and the record is not kept. ``collect``: no database; the rows of the files read
    are kept, for another checker to ``merge`` (a worker process reading files for the build).

    A record's ``pos`` is its file's number (its place in the files read) times 2**24 plus its
    place among its kind's records in that file: in file order, as one process reading every
    file would give it, however many processes read them. (A file holds at most 8 MiB, so far
    fewer than 2**24 records.)"""

    def __init__(self, bundled: bool = False, db: Optional[sqlite3.Connection] = None, collect: bool = False) -> None:
        # ``bundled``: every file read is the bundled data (checked alone), not a pack
        self.bundled = bundled
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # told by lint, never a reason to refuse a pack
        self.texts: dict[str, _Lines] = {}
        self.meta: dict[str, Any] | None = None
        self.collect = collect
        self.sink: Callable[[str, int, dict[str, Any], list[str]], None] | None = None
        self.db: Optional[sqlite3.Connection] = None
        self._own_db = db is None
        if not collect:
            self.db = db if db is not None else sqlite3.connect("")  # "": a temporary file, removed on close
            _script(self.db, _FACTS)
        self.files: list[str] = []  # display names, by file number
        self._count: dict[str, int] = {}  # records of each kind so far in the file being read
        self._base = 0  # the file's number << 24
        self._fx = 0
        self._rows: dict[str, list[tuple[Any, ...]]] = {f"temp.{t}": [] for t in _FACT_TABLES}
        self.out: dict[str, list[tuple[Any, ...]]] = {}
        self._found: list[tuple[tuple[int, int, int], Problem]] = []  # (order, problem) of the checks
        self._arms: list[tuple[tuple[int, int], tuple[int, int, int], Problem]] = []  # told only if the study's target exists
        self._held = 0
        self.norm: Callable[[str], str] = _norm_cached()  # the same names recur: normalise each once

    def __getstate__(self) -> dict[str, Any]:  # a worker's checker goes back by pickle: no database, no cache
        state = dict(self.__dict__)
        del state["norm"]
        state["db"] = state["sink"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.norm = _norm_cached()

    def close(self) -> None:
        """Close the checker's own temporary database (removing its file); its problems stay."""
        if self.db is not None and self._own_db:
            self.db.close()
        self.db = None

    def _keep(self, kind: str, file: str, rec: dict[str, Any]) -> None:
        local = self._count[kind] = self._count.get(kind, -1) + 1
        pos = self._base + local
        names = self._facts(kind, self._fx, pos, file, rec)
        if self.sink is not None:
            self.sink(kind, pos, rec, names)
        self._held += 1
        if self._held >= _FLUSH_AT and self.db is not None:
            self.flush()

    def flush(self) -> None:
        """Write the rows held so far (the facts, and ``out``'s)."""
        if self.db is None:
            return
        for held in (self._rows, self.out):
            for table, rows in held.items():
                if rows:
                    self.db.executemany(f"INSERT INTO {table} VALUES ({','.join('?' * len(rows[0]))})", rows)
                    rows.clear()
        self._held = 0

    def _facts(self, kind: str, fx: int, pos: int, file: str, rec: dict[str, Any]) -> list[str]:
        """Hold one record's facts for the checks across records, and check what it alone
        can tell; return its normalised names (id, name, label, aliases)."""
        from dxcli.names import names_of

        rows, norm = self._rows, self.norm
        need = rows["temp.c_need"].append
        rid = rec["id"]
        kx = _KX[kind]
        rows["temp.c_rec"].append((rid, kind, kx, pos, fx))
        self._nested_unique(file, rec, (_DUPLICATES + kx, pos))
        step = _REFS.get(kind)
        if kind == "muscle":
            if rec.get("nerve") is not None:
                need((step, pos, 0, fx, rid, "nerve", "nerve", rec["nerve"]))
        elif kind == "nerve":
            for i, other in enumerate(rec.get("see_also", [])):
                need((step, pos, i, fx, rid, "see_also", "nerve", other))
        elif kind == "structure":
            if rec.get("part_of") is not None:
                need((step, pos, 0, fx, rid, "part_of", "structure", rec["part_of"]))
        elif kind in ("maneuver", "test"):
            for j, ev in enumerate(rec["evidence"]):
                need((step, pos, j, fx, rid, f"evidence[{j}].condition", "condition", ev["condition"]))
                rows["temp.c_evid"].append((rid, kind, ev["condition"], _accuracy(ev)))
        elif kind in ("red_flag", "complaint"):
            for i, c in enumerate(rec["conditions"]):
                need((step, pos, i, fx, rid, "conditions", "condition", c))
        elif kind == "finding":
            for i, k in enumerate(("maneuver", "test", "red_flag")):
                if rec.get(k) is not None:
                    need((step, pos, i, fx, rid, k, k, rec[k]))
            target = rec.get("maneuver") or rec.get("test")
            has_result = rec.get("result") is not None
            for j, ln in enumerate(rec.get("links", [])):
                need((step, pos, 3 + j, fx, rid, f"links[{j}].condition", "condition", ln["condition"]))
                rows["temp.c_link"].append((pos, j, fx, rid, target, has_result, ln["condition"], ln["strength"] == "measured",
                                       ln.get("figure"), ln["clause"], ln.get("group")))
        elif kind == "condition":
            rows["temp.c_fig"] += [(rid, x["id"]) for x in rec.get("figures", [])]
            self._codes(file, pos, rec)
        elif kind == "case":
            refs = [("complaint", rec.get("complaint"), "complaint"), ("diagnosis", rec.get("diagnosis"), "condition")]
            refs += [("stages.present", f, "finding") for st in rec["stages"] for f in st.get("present", []) + st.get("absent", [])]
            for i, (key, value, target) in enumerate(refs):
                if value is not None:
                    need((_CASES, pos, i, fx, rid, key, target, value))
        elif kind == "study":
            need((_STUDIES, pos, -1, fx, rid, "citation", "citation", rec["citation"]))
            for j, f in enumerate(rec["findings"]):
                if f.get("scale") is not None:
                    need((_STUDIES, pos, 10 * j, fx, rid, f"findings[{j}].scale", "scale", f["scale"]))
                    continue
                target_kind = "maneuver" if f.get("maneuver") is not None else "test"
                rows["temp.c_study"].append((pos, j, fx, rid, target_kind, f[target_kind], f["condition"], f["relation"] == "source"))
                for i, arm in enumerate(("sensitivity", "specificity")):
                    a = f.get(arm)
                    if a and a["stated_by"] == "abstract" and not a.get("quote"):
                        where = self.texts.get(file)
                        self._arms.append(((pos, j), (_STUDIES, pos, 10 * j + 2 + i), Problem(
                            file, where.line_of(rid, arm) if where else None, f"findings[{j}].{arm}",
                            "a figure stated by the abstract needs its quote", "add the abstract's sentence as quote")))
        names = [norm(n) for n in names_of(rec) if isinstance(n, str)]
        bundled = file.startswith("(bundled)")
        if bundled:  # the names a pack's record may not take (see check)
            rows["temp.c_name"] += [(kind, kx, pos, i, fx, rid, 1, None, None, n) for i, n in enumerate(names)]
        else:
            mine = [("name", rec.get("name")), ("label", rec.get("label"))] + [("aliases", a) for a in rec.get("aliases", [])]
            rows["temp.c_name"] += [(kind, kx, pos, i, fx, rid, 0, key, n, norm(n)) for i, (key, n) in enumerate(mine) if isinstance(n, str)]
        seq = 0
        for path, src in _walk_sources(rec):
            for c in src.get("citations", []):
                need((_CITATIONS + kx, pos, seq, fx, rid, path, "citation", c))
                seq += 1
        return names

    def add(self, file: str, rid: str | None, key: str, message: str, fix: str, field: str | None = None,
            order: tuple[int, int, int] | None = None) -> None:
        """A problem: told now, or (``order``) among the checks' problems in their order."""
        field = field or key.split(".")[-1].split("[")[0]
        where = self.texts.get(file)
        line = where.line_of(rid, field) if where is not None else None
        p = Problem(file, line, key, message, fix)
        if order is None:
            self.problems.append(p)
        else:
            self._found.append((order, p))

    def merge(self, part: "Checker") -> None:
        """Add what another checker read (the next files, read in another process)."""
        self.problems += part.problems
        self.warnings += part.warnings
        self.texts.update(part.texts)
        for i, name in enumerate(part.files):
            if name is not None:
                self.files += [""] * (i + 1 - len(self.files))
                self.files[i] = name
        for mine, theirs in ((self._rows, part._rows), (self.out, part.out)):
            for table, rows in theirs.items():
                mine.setdefault(table, []).extend(rows)
        self._found += part._found
        self._arms += part._arms
        if part.meta is not None:
            self.meta = part.meta
        self.flush()

    # -- reading ---------------------------------------------------------------
    def read(self, path: Path, display: str, number: Optional[int] = None) -> None:
        """Read one file (its records numbered as the file ``number``, by default the next)."""
        self._fx = len(self.files) if number is None else number
        self.files += [None] * (self._fx + 1 - len(self.files))  # type: ignore[list-item]
        self.files[self._fx] = display
        self._base, self._count = self._fx << 24, {}
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
        """Every id of one kind (for a problem's suggestion: never on a clean build)."""
        assert self.db is not None
        return {r[0] for r in self.db.execute("SELECT id FROM temp.c_rec WHERE kind = ?", (kind,))}

    def check(self) -> None:
        assert self.db is not None, "a collecting checker checks nothing across records"
        self.flush()
        db = self.db
        _script(db, _FACT_INDEXES)
        found = self._found
        files = self.files

        def add(fx: int, rid: str, key: str, message: str, fix: str, order: tuple[int, int, int], field: str | None = None) -> None:
            self.add(files[fx], rid, key, message, fix, field=field, order=order)

        # ids are unique across every kind: each record whose id an earlier one (kind order,
        # then file order) has
        first: dict[str, tuple[str, int]] = {}
        for rid, kind, kx, pos, fx in db.execute(
            "SELECT id, kind, kx, pos, file FROM temp.c_rec WHERE id IN (SELECT id FROM temp.c_rec GROUP BY id HAVING count(*) > 1) "
            "ORDER BY id, kx, pos"
        ):
            if rid not in first:
                first[rid] = (kind, fx)
            else:
                other_kind, other_fx = first[rid]
                add(fx, rid, "id", f"duplicate id {rid!r} (also a {other_kind} in {files[other_fx]})", "give each record a unique id",
                    (_DUPLICATES + kx, pos, 0))
        # references to records that are not there (one query: each reference looked up in
        # the index of ids)
        known: dict[str, set[str]] = {}
        for step, pos, seq, fx, rid, key, target, value in db.execute(
            "SELECT step, pos, seq, file, rid, key, target, value FROM temp.c_need n "
            "WHERE NOT EXISTS (SELECT 1 FROM temp.c_rec r WHERE r.id = n.value AND r.kind = n.target)"
        ):
            ids = known.get(target)
            if ids is None:
                ids = known[target] = self.ids(target)
            if target == "citation":
                add(fx, rid, key, f"unknown citation {value!r}", _suggest(value, ids) + " (or add it to citations.toml)", (step, pos, seq))
            elif target == "scale":
                add(fx, rid, key, f"unknown scale {value!r}", _suggest(value, ids), (step, pos, seq))
            else:
                add(fx, rid, key, f"{key} refers to unknown {target.replace('_', ' ')} {value!r}", _suggest(value, ids), (step, pos, seq))
        self._links()
        self._pack_names()
        self._check_studies()
        review = (self.meta or {}).get("review")
        if self.meta is not None and not (
            isinstance(review, str) and db.execute("SELECT 1 FROM temp.c_rec WHERE id = ? AND kind = 'citation'", (review,)).fetchone()
        ):
            found.append(((800, 0, 0), Problem(META_FILE, None, "meta.review", "the review's citation id is unknown", "add it to citations.toml")))
        found.sort(key=lambda f: f[0])
        self.problems += [p for _, p in found]
        found.clear()

    def _codes(self, file: str, pos: int, rec: dict[str, Any]) -> None:
        """ICD-10-CM codes: the bundled data gives every condition its codes (the review's
        conditions all have them); a pack's condition may have none (its source may give
        none, and a code is never invented), which lint tells as a warning."""
        if rec.get("icd10cm"):
            return
        if self.bundled or file.startswith("(bundled)"):
            self.add(file, rec["id"], "icd10cm", "a bundled condition needs its ICD-10-CM codes", "add icd10cm", order=(_CODES, pos, 0))
        else:
            where = self.texts.get(file)
            self.warnings.append(Problem(file, where.line_of(rec["id"]) if where else None, "icd10cm",
                                         "no ICD-10-CM codes: this condition shows [] for them in every output",
                                         "add icd10cm where the pack's source gives codes"))

    def _pack_names(self) -> None:
        """A pack's record may not take a name or alias that a bundled record of its kind has
        (the first to have it): a lookup by that name would then depend on file order."""
        assert self.db is not None
        for kind, kx, pos, seq, fx, rid, key, name, taken in self.db.execute(
            "SELECT p.kind, p.kx, p.pos, p.seq, p.file, p.rid, p.key, p.name, t.rid FROM temp.c_name p JOIN ("
            "  SELECT kind, normed, rid FROM (SELECT kind, normed, rid, row_number() OVER (PARTITION BY kind, normed ORDER BY pos, seq) AS n "
            "  FROM temp.c_name WHERE bundled) WHERE n = 1"
            ") t ON t.kind = p.kind AND t.normed = p.normed WHERE NOT p.bundled AND t.rid != p.rid"
        ):
            self.add(self.files[fx], rid, key, f"{key} {name!r} is already a name of the bundled {kind.replace('_', ' ')} {taken!r}",
                     "give the record a name or alias of its own", order=(_NAMES + kx, pos, seq))

    def _links(self) -> None:
        """Finding links: a measured link has stated accuracy behind it, a figure is the
        condition's own, and links resting on one clause of one condition share its group
        (the first such link's)."""
        assert self.db is not None
        for pos, j, fx, rid, cond, measured, is_measured, fig, bad_fig, grp, first_grp, first_rid in self.db.execute(
            "SELECT * FROM (SELECT l.pos, l.j, l.file, l.rid, l.cond, l.measured,"
            " l.target IS NOT NULL AND l.has_result AND EXISTS (SELECT 1 FROM temp.c_evid e WHERE e.id = l.target AND e.cond = l.cond AND e.measured) AS is_measured,"
            " l.fig, l.fig IS NOT NULL AND EXISTS (SELECT 1 FROM temp.c_rec r WHERE r.id = l.cond AND r.kind = 'condition')"
            "  AND NOT EXISTS (SELECT 1 FROM temp.c_fig f WHERE f.cond = l.cond AND f.fig = l.fig) AS bad_fig,"
            " l.grp, first_value(l.grp) OVER w AS first_grp, first_value(l.rid) OVER w AS first_rid"
            " FROM temp.c_link l WINDOW w AS (PARTITION BY l.cond, l.clause ORDER BY l.pos, l.j))"
            " WHERE measured != is_measured OR bad_fig OR grp IS NOT first_grp"
        ):
            key, file = f"links[{j}]", self.files[fx]
            if measured != is_measured:
                self.add(file, rid, f"{key}.strength",
                         "'measured' is for a maneuver or test result with stated sensitivity and specificity for the condition, and such a link is 'measured'",
                         "set strength to 'measured' exactly where the accuracy is stated", order=(_LINKS, pos, 3 * j))
            if bad_fig:
                self.add(file, rid, f"{key}.figure", f"{cond} has no figure {fig!r}", "name one of the condition's figures",
                         order=(_LINKS, pos, 3 * j + 1))
            if grp != first_grp:
                self.add(file, rid, f"{key}.group",
                         f"links of {cond} resting on the same clause have different groups ({first_rid}: {first_grp!r})",
                         "give links that rest on one clause the same group", order=(_LINKS, pos, 3 * j + 2))

    def _check_studies(self) -> None:
        """A study's citation exists (a reference, above); each record it backs exists, with
        evidence for the condition named; an arm quoted from the abstract carries its quote;
        no record has two source studies for the same condition (the first is the source)."""
        assert self.db is not None
        missing: set[tuple[int, int]] = set()
        for pos, j, fx, rid, kind, target, cond, known, unbacked, first in self.db.execute(
            "SELECT * FROM (SELECT pos, j, file, rid, kind, target, cond, known,"
            " known AND NOT EXISTS (SELECT 1 FROM temp.c_evid e WHERE e.id = k.target AND e.kind = k.kind AND e.cond = k.cond) AS unbacked,"
            " CASE WHEN known AND source THEN first_value(rid) OVER (PARTITION BY known AND source, kind, target, cond ORDER BY pos, j) END AS first"
            " FROM (SELECT s.*, EXISTS (SELECT 1 FROM temp.c_rec r WHERE r.id = s.target AND r.kind = s.kind) AS known FROM temp.c_study s) k)"
            " WHERE NOT known OR unbacked OR first != rid"
        ):
            key, file = f"findings[{j}]", self.files[fx]
            if not known:
                missing.add((pos, j))
                self.add(file, rid, f"{key}.{kind}", f"{kind} {target!r} does not exist", _suggest(target, self.ids(kind)),
                         order=(_STUDIES, pos, 10 * j))
                continue
            if unbacked:
                conds = sorted({c for (c,) in self.db.execute("SELECT cond FROM temp.c_evid WHERE id = ? AND kind = ?", (target, kind))})
                self.add(file, rid, f"{key}.condition", f"{kind} {target!r} has no evidence for {cond!r}", "its conditions: " + ", ".join(conds),
                         order=(_STUDIES, pos, 10 * j + 1))
            if first is not None and first != rid:
                self.add(file, rid, f"{key}.relation", f"{target} for {cond} already has the source study {first!r}",
                         "one study is the source of a record's figures; mark the other 'context'", order=(_STUDIES, pos, 10 * j + 4))
        self._found += [(order, p) for at, order, p in self._arms if at not in missing]
        self._arms.clear()

    def _nested_unique(self, file: str, rec: dict, order: tuple[int, int]) -> None:
        from collections import Counter

        def twice(ids: list[Any]) -> list[Any]:  # linear: a Counter, not list.count per item
            return [i for i, n in Counter(ids).items() if n > 1] if len(ids) > 1 else []

        if not any(rec.get(key) for key in ("figures", "band_sets", "grades", "stages")):
            return  # most records have no nested ids
        seq = 0

        def add(key: str, message: str, fix: str) -> None:
            nonlocal seq
            seq += 1
            self.add(file, rec["id"], key, message, fix, order=(*order, seq))

        for key in ("figures", "band_sets", "grades", "stages"):
            items = rec.get(key) or []
            ids = [x.get("id", x.get("grade")) for x in items]
            for d in twice(ids):
                add(key, f"duplicate {key} id {d!r}", "make nested ids unique")
        for bs in rec.get("band_sets") or []:
            ids = [b["id"] for b in bs["bands"]]
            for d in twice(ids):
                add("bands", f"duplicate band id {d!r}", "make band ids unique")
        fids = [f["id"] for g in rec.get("grades") or [] for f in g["findings"]]
        for d in twice(fids):
            add("findings", f"duplicate finding id {d!r}", "make finding ids unique")


def _script(conn: sqlite3.Connection, sql: str) -> None:
    """Each statement of ``sql`` inside any open transaction (``executescript`` would commit)."""
    for stmt in sql.split(";"):
        if stmt.strip():
            conn.execute(stmt)


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
    c.close()
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
