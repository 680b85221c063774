"""Each command's person view: a table's columns, headers, caption and cell text, and the page
of one record. Built by ``present`` only when the format is for a person (a table on a
terminal, or Markdown); JSON, NDJSON, CSV and TSV never import this module.

A view is a function ``(data, **context) -> (View | None, page | None)``, named in ``VIEWS``;
``page`` is a function of no argument that makes the page (output/pages.py). ``context``
is what the command knows beyond the data (a title, a kind); a name that only a page needs
comes as a function (``names=...``) that the page calls, so a machine format never pays for it.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from dxcli.output.render import View, inert

Built = tuple[Optional[View], Optional[Callable[[], Any]]]


def _pages() -> Any:
    from dxcli.output import pages

    return pages


def build(name: str, data: Any, **context: Any) -> Built:
    return VIEWS[name](data, **context)


def columns(title: str, *cols: str, **view: Any) -> Callable[..., Built]:
    """A list shown as a table of these columns (and nothing else), under ``title``."""
    def make(data: Any, **context: Any) -> Built:
        return View(columns=list(cols), **{"title": title, **view, **context}), None

    return make


# -- lookups ---------------------------------------------------------------------------------


def record(kind: str, fields_name: str) -> Callable[..., Built]:
    """One record's page, its fields in the order of ``pages.<fields_name>``."""
    def make(data: Any, **context: Any) -> Built:
        return None, lambda: _pages().record_doc(data, kind, getattr(_pages(), fields_name))

    return make


def structures(data: Any, **context: Any) -> Built:
    """Every structure: a page of them by kind, each by name with its description."""
    return View(columns=["id", "kind", "name", "description"], title="Anatomy"), lambda: _pages().structures_doc(data)


def muscle(data: Any, **context: Any) -> Built:
    if isinstance(data, dict):
        return None, lambda: _pages().muscle_doc(data)
    if context.get("asked"):
        return None, lambda: _pages().muscle_group_doc(data)
    return View(columns=["name", "nerve_name", "roots", "actions"], title="Muscles"), None


def innervation(data: Any, title: Optional[str] = None, **context: Any) -> Built:
    if title is None and data and isinstance(data, list):
        asked = data[0].get("query") or ""
        if asked.startswith("muscle "):
            title = f"Innervation of {data[0]['name']}"
        elif asked:
            title = f"Muscles of {asked}"
    return View(columns=["name", "nerve_name", "roots"], headers={"name": "Muscle", "nerve_name": "Nerve"}, title=title), None


def red_flags(data: Any, title: Optional[str] = None, shown_condition: Optional[str] = None,
              names: Optional[Callable[[str], dict[str, str]]] = None, **context: Any) -> Built:
    conditions = lambda: names("condition") if names else None  # noqa: E731  # read only for a page
    if isinstance(data, dict):
        return None, lambda: _pages().red_flags_doc([data], data["name"], names=conditions())
    page = lambda: _pages().red_flags_doc(data, title or "Red flags", shown_condition=shown_condition, names=conditions())  # noqa: E731
    return View(columns=["name", "why", "action"], title=title or "Red flags"), page


def cite(data: Any, **context: Any) -> Built:
    one = len({(r.get("kind"), r.get("id")) for r in data}) == 1
    return View(columns=["path", "type", "section", "refs", "citations", "text"], title="Where the facts come from"), (lambda: _pages().cite_doc(data)) if one else None


# -- conditions, the differential and cases ------------------------------------------------


def differential(data: Any, complaint: dict[str, Any], **context: Any) -> Built:
    title = f"Differential: {complaint['name']} (the review's table order, not a ranking)"
    return View(columns=["id", "name", "icd10cm"], headers={"icd10cm": "ICD-10-CM"}, title=title), lambda: _pages().differential_doc(data, complaint)


def ranking(data: Any, title: str, finding_names: Callable[[], dict[str, str]], **context: Any) -> Built:
    return None, lambda: _pages().report_doc(data, title, finding_names())


def case(data: Any, finding_names: Callable[[], dict[str, str]], **context: Any) -> Built:
    return None, lambda: _pages().case_doc(data, finding_names())


def _figures(figs: list[dict[str, Any]]) -> str:
    from dxcli.output import words

    return "\n".join(f"• {words.figure(f)}" + (" [see notes]" if f.get("notes") else "") for f in figs)


def _notes(notes: list[dict[str, Any]]) -> str:
    from dxcli.output import words

    return "\n".join(f"• {words.note(n)}" for n in notes)


def _source(src: dict[str, Any]) -> str:
    from dxcli.output import words

    return words.source(src)


def condition(data: Any, names: Optional[Callable[[str], dict[str, str]]] = None, **context: Any) -> Built:
    view = View(shown={"figures": _figures, "notes": _notes, "source": _source, "deep_dive_source": _source})
    return view, lambda: _pages().condition_doc(data, names)


# -- accuracy: maneuvers and tests ---------------------------------------------------------


SHORT_HEADERS = {
    "sensitivity": "sens",
    "specificity": "spec",
    "lr_positive": "LR+",
    "lr_negative": "LR-",
    "sensitivity_range": "sens",
    "specificity_range": "spec",
    "lr_positive_range": "LR+",
    "lr_negative_range": "LR-",
    "ppv_range": "PPV",
    "posttest_positive": "post+",
    "posttest_negative": "post-",
    "lr_positive_band": "if positive",
    "lr_negative_band": "if negative",
    "lr_positive_ci": "95% CI",
    "lr_negative_ci": "95% CI",
    "posttest_positive_ci": "post+ CI",
    "posttest_negative_ci": "post- CI",
    "evidence_strength": "evidence",
}


def _interval_cell(value: Any) -> str:
    """'4–26.3' for a 95% interval; a one-known-arm range is marked '†' (see the caption)."""
    if not value:
        return "—"
    from dxcli.output import words

    mark = "†" if str(value.get("method", "")).startswith("one known arm") else ""
    return words.interval(value["low"], value["high"], words.lr) + mark


def accuracy(rows: list[dict[str, Any]], kind: str, asked: bool, condition: Optional[Callable[[], dict[str, Any]]] = None, pretest: bool = False,
             names: Optional[Callable[[str], dict[str, str]]] = None, **context: Any) -> Built:
    """The accuracy rows of a maneuver or test (``asked``: one was named), or of a condition."""
    first = [] if asked else ["id"]
    cols = first + ["condition", "sensitivity", "specificity", "lr_positive", "lr_negative"]
    if any(r.get(k + "_range") for r in rows for k in ("sensitivity", "specificity")):
        cols = first + ["condition", "sensitivity_range", "specificity_range", "lr_positive_range", "lr_negative_range"]
    if any(r.get("ppv_range") for r in rows):
        cols.append("ppv_range")
    if any(r.get("lr_positive_ci") or r.get("lr_negative_ci") for r in rows):
        for key in ("lr_positive", "lr_negative"):
            if key in cols:
                cols.insert(cols.index(key) + 1, key + "_ci")
    if any(r.get("evidence_strength") for r in rows):
        cols.append("evidence_strength")
    if pretest:
        for k in ("posttest_positive", "posttest_negative"):
            if any(k in r for r in rows):
                cols.append(k)
                if any(r.get(k + "_ci") for r in rows):
                    cols.append(k + "_ci")
    if kind == "test":
        cols.insert(len(first) + 1, "role")
    title = f"{rows[0]['name']}" if asked and rows else None
    shown = {k: _interval_cell for k in ("lr_positive_ci", "lr_negative_ci", "posttest_positive_ci", "posttest_negative_ci")}
    if asked:
        page = lambda: _pages().accuracy_doc(kind, rows, names)  # noqa: E731
    else:
        page = lambda: _pages().condition_accuracy_doc(kind, rows, condition())  # type: ignore[misc]  # noqa: E731
    view = View(columns=cols + ["lr_positive_band", "lr_negative_band"], headers={**SHORT_HEADERS, "id": kind.capitalize()}, title=title,
                shown=shown, caption=_caption(rows, detailed=asked))
    return view, page


def _caption(rows: list[dict[str, Any]], detailed: bool) -> str:
    """The studies behind the rows (on a record's page) and what the interval columns mean."""
    from dxcli.output import words

    lines: list[str] = []
    if detailed:
        seen: set[str] = set()
        for r in rows:
            st = r.get("study")
            if not st or st["id"] in seen:
                continue
            seen.add(st["id"])
            lines.append(words.study(st))
        names = {s["citation"]: s["name"] for r in rows for s in [r.get("study") or {}, *r.get("related_studies", [])] if s}
        for r in rows:
            for p in r.get("published_ci") or []:
                lines.append(words.published_ci(p, names))
    if any(r.get("lr_positive_ci") or r.get("lr_negative_ci") for r in rows):
        lines.append("95% CI: log method (Simel 1991) from counts in the study; sensitivity and specificity: Wilson.")
    if any("†" in _interval_cell(r.get(k)) for r in rows for k in ("lr_positive_ci", "lr_negative_ci")):
        lines.append("† one known arm: the range from the sensitivity's interval at the stated specificity; not a 95% CI for the LR.")
    lines.append("Full interpretation, studies, counts, description, source and notes: -f json")
    return "\n".join(lines)


# -- calculators -----------------------------------------------------------------------------


def kerboul(data: Any, **context: Any) -> Built:
    return None, lambda: _pages().kerboul_doc(data)


def kerboul_scale(data: Any, scale: Callable[[], dict[str, Any]], **context: Any) -> Built:
    return None, lambda: _pages().kerboul_scale_doc(data, scale())


def tonnis(data: Any, **context: Any) -> Built:
    return None, lambda: _pages().tonnis_doc(data)


def tonnis_grades(data: Any, **context: Any) -> Built:
    return View(columns=["grade", "label", "findings"]), lambda: _pages().tonnis_grades_doc(data)


def posttest(data: Any, condition_name: Callable[[Optional[str]], Optional[str]], **context: Any) -> Built:
    """A table shows the post-test interval in words; every other format gets the object."""
    from dxcli.output import words

    def interval(v: Any) -> str:
        if not v:
            return "—"
        return f"{words.interval(v['low'], v['high'], words.pct)} ({v['label']})"

    return View(shown={"posttest_ci": interval}), lambda: _pages().posttest_doc(data, condition_name(data.get("condition")))


VIEWS: dict[str, Callable[..., Built]] = {
    "structures": structures,
    "structure": record("structure", "STRUCTURE_FIELDS"),
    "muscle": muscle,
    "nerves": columns("Nerves", "name", "roots", "muscles"),
    "nerve": record("nerve", "NERVE_FIELDS"),
    "innervation": innervation,
    "accuracy_list": columns("Maneuvers and tests", "id", "name", "conditions"),
    "accuracy": accuracy,
    "red_flags": red_flags,
    "search": columns("Search results", "id", "kind", "snippet"),
    "sources": columns("Citations", "id", "authors", "year", "journal", "read"),
    "cite": cite,
    "complaints": columns("Presenting complaints", "id", "name", "conditions"),
    "differential": differential,
    "ranking": ranking,
    "conditions": columns("Conditions", "id", "name", "icd10cm", headers={"icd10cm": "ICD-10-CM"}),
    "condition": condition,
    "finding": record("finding", "FINDING_FIELDS"),
    "findings": columns("Findings", "id", "kind", "supports", "against"),
    "case": case,
    "kerboul": kerboul,
    "kerboul_scale": kerboul_scale,
    "tonnis": tonnis,
    "tonnis_grades": tonnis_grades,
    "posttest": posttest,
    "decks": columns("Anki decks written", "deck", "notes"),
    "quiz": columns("Quiz", "number", "topic", "question", "options", "answer"),
    "kinds": columns("Record kinds", "id", "file", "model", headers={"id": "Kind"}, shown={"id": lambda k: _kind_words(k)}),
    "lint": columns("Problems in the pack", "file", "line", "key", "message", "fix"),
}


# -- a table for a person: headers in words, nested values as sentences -----------------------


_IDLIKE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+=]*(-[A-Za-z0-9.+=]+)*$")


def for_people(data: Any, view: View) -> View:
    """Headers in words (not snake_case keys), nested values as sentences, ids and numbers
    in columns that never fold."""
    from dxcli.output.pages import label, value_text

    rows = [data] if isinstance(data, dict) else list(data)
    keys = list(view.columns or [k for r in rows for k in r])
    headers = {k: label(k) for k in keys}
    headers.update(view.headers)
    shown = dict(view.shown)
    whole = list(view.whole)

    def token(v: Any) -> bool:
        return isinstance(v, (int, float)) or (isinstance(v, str) and len(v) <= 40 and bool(_IDLIKE.match(v)))

    for k in dict.fromkeys(keys):
        vals = [r.get(k) for r in rows if r.get(k) not in (None, "", [])]
        if k not in shown and any(isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v)) for v in vals):
            shown[k] = value_text
        if k == "kind" and k not in shown:
            shown[k] = _kind_words
        elif vals and all(map(token, vals)):
            whole.append(k)  # numbers and ids: copied into the next command whole
    return view.replace(headers=headers, shown=shown, whole=whole)


def _kind_words(kind: Any) -> str:
    """A kind in words ('red flag'); machine formats keep the value ('red_flag')."""
    return inert(str(kind)).replace("_", " ")


def fits(data: Any, view: View, width: int) -> bool:
    """Whether a table of ``data`` fits ``width`` without folding a word: each whole column
    as wide as its widest line, each prose column as its longest word (and a column's
    padding), else the rows are shown as a list of records."""
    if not isinstance(data, list):
        return True
    need = 0
    for k in view.columns or list(dict.fromkeys(k for r in data for k in r)):
        texts = [view.table_cell(k, r.get(k)) for r in data] + [view.headers.get(k, k)]
        if k in view.whole or k in ("id", "rank"):
            need += max(len(line) for t in texts for line in t.split("\n")) + 2
        else:
            need += max((len(w) for t in texts for w in t.split()), default=1) + 2
    return need <= width
