"""Study cards generated from the reference records: the one source of the Anki deck and the quiz.

``cards(topics)`` reads the records through the loader (bundled data and any packs) and returns
plain dicts, one per card::

    id        "<kind>:<record id>:<field>": stable, the Anki GUID is derived from it
    topic     the deck: anatomy, muscles, innervation, maneuvers, tests, red-flags, scales, conditions
    kind, record, field
    front, back        the card's two sides, as plain text (lines separated by newlines)
    source             the record's own source: section, table, review refs, citations, quote
    source_text        the same, as one line of text
    notes              the record's notes that bear on this card (kind, text, citation, values)
    disagreement       True when one of those notes records a disagreement between sources
    tags               topic and condition tags
    quiz               None, or how the card is asked at the terminal: question, answer,
                       accept (forms a typed answer may take), match ("name", "set" or "text"),
                       pool (other values of the same field, for multiple choice)

Nothing here is typed: every value comes from a record, every number from the data or from
dxcli.query.accuracy (likelihood ratios). A card whose note records a disagreement shows both
values on its back; the quiz never asks it (see dxcli.learn.quiz).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable, Optional

from dxcli.output import words
from dxcli.output.render import format_number
from dxcli.query.lookup import names_of, norm
from dxcli.reference import loader

Card = dict[str, Any]

# The decks, in the order they are exported and listed, with their titles.
TOPICS: dict[str, str] = {
    "anatomy": "Anatomy",
    "muscles": "Muscles",
    "innervation": "Innervation",
    "maneuvers": "Exam maneuvers",
    "tests": "Diagnostic tests",
    "red-flags": "Red flags",
    "scales": "Scales",
    "conditions": "Conditions",
}


def topic_named(text: str) -> Optional[str]:
    """The topic id that ``text`` names (case, punctuation and a plural 's' ignored), or None."""
    q = norm(text).replace(" ", "")
    for t in TOPICS:
        key = norm(t).replace(" ", "")
        if q in (key, key.rstrip("s")):
            return t
    return None


# --------------------------------------------------------------------------- text helpers


def percent(x: float) -> str:
    """A proportion of the data as a percentage, in the source's precision: 0.973 -> '97.3%'."""
    return words.stated_pct(x)


def value_text(v: Any) -> str:
    """A value of a note (review_value, primary_value) as text: proportions as percentages."""
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, (int, float)):
        return percent(v) if 0 <= v <= 1 else format_number(float(v))
    if isinstance(v, list):
        return "–".join(value_text(x) for x in v)
    return str(v)


def _lr(x: Optional[float], ci: Optional[dict[str, Any]] = None) -> str:
    """A computed LR as on a page (3 significant figures), never a bare 0 or ∞ beside its interval."""
    if x is None:
        return "—"
    return words.lr_bounded(x, ci)


def lower_first(name: str) -> str:
    """A name inside a sentence: 'Hip MRI' -> 'hip MRI'; 'FABER' and 'MRI of ...' stay."""
    return name[0].lower() + name[1:] if name[:2].istitle() or (name[:1].isupper() and name[1:2].islower()) else name


_INDEX: dict[str, tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]] = {}


def _by_id(kind: str) -> dict[str, dict[str, Any]]:
    """loader.by_id, built once per state of the records (a pack in use changes them)."""
    recs = loader.records(kind)
    hit = _INDEX.get(kind)
    if hit is None or hit[0] is not recs:
        hit = _INDEX[kind] = (recs, {r["id"]: r for r in recs})
    return hit[1]


@lru_cache(maxsize=65536)
def _norm(text: str) -> str:
    return norm(text)


def _cond_name(cid: str) -> str:
    c = _by_id("condition").get(cid)
    return c["name"] if c else cid


def source_of(src: dict[str, Any]) -> dict[str, Any]:
    """A record's source with its citations spelled out."""
    from dxcli.query.sources import citation_text

    cits = _by_id("citation")
    return {
        "section": src.get("section"),
        "table": src.get("table"),
        "refs": list(src.get("refs") or []),
        "citations": [citation_text(cits[c]) for c in src.get("citations", []) if c in cits],
        "quote": src.get("quote"),
    }


def source_line(src: dict[str, Any]) -> str:
    """'Review: Buttock Region Anatomy, Table 1; refs 15. Lequesne M, et al. 2008...'"""
    where = src["section"] + (f", {src['table']}" if src.get("table") else "")
    parts = [f"Review: {where}"]
    if src["refs"]:
        parts[0] += "; ref " + ", ".join(str(r) for r in src["refs"])
    parts += src["citations"]
    return ". ".join(parts)


def _merge_sources(srcs: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """One source for a card built from several records (a root's muscles): their sections,
    tables, refs and citations, each once, in order."""
    out: dict[str, Any] = {"section": "", "table": None, "refs": [], "citations": [], "quote": None}
    sections: list[str] = []
    tables: list[str] = []
    for s in srcs:
        if s["section"] not in sections:
            sections.append(s["section"])
        if s.get("table") and s["table"] not in tables:
            tables.append(s["table"])
        out["refs"] += [r for r in s["refs"] if r not in out["refs"]]
        out["citations"] += [c for c in s["citations"] if c not in out["citations"]]
    out["section"] = "; ".join(sections)
    out["table"] = "; ".join(tables) or None
    return out


def note_row(n: dict[str, Any]) -> dict[str, Any]:
    from dxcli.query.sources import citation_text

    c = _by_id("citation").get(n.get("citation") or "")
    row = {"kind": n["kind"], "field": n.get("field"), "text": n["text"], "citation": citation_text(c) if c else None}
    if n["kind"] == "disagreement":
        row["review_value"] = n.get("review_value")
        row["primary_value"] = n.get("primary_value")
    return row


def cited(citation: Optional[str]) -> Optional[str]:
    """A note's citation in words on a card ('Cacchio et al. 2012'): the full reference is the
    card's source line, so a note names it by its short form, never twice in full."""
    import re

    from dxcli.query.sources import citation_name

    m = re.search(r"\[([a-z0-9-]+)\]$", citation or "")
    c = _by_id("citation").get(m.group(1)) if m else None
    return citation_name(c) if c else citation


def note_line(n: dict[str, Any]) -> str:
    """A note as one line of a card's back; a disagreement names both values."""
    if n["kind"] == "disagreement":
        who = cited(n["citation"]) or "a primary source"
        return (f"Sources disagree: the review gives {value_text(n['review_value'])}; "
                f"{who} gives {value_text(n['primary_value'])}. {n['text']}")
    text = f"{n['kind'].capitalize()}: {n['text']}"
    return text + (f" ({cited(n['citation'])})" if n.get("citation") and n["kind"] != "disagreement" else "")


def quote_shown(card: dict[str, Any]) -> Optional[str]:
    """The review's words under a card's source, without what its front and back already say
    ('…' in their place); None when the back gives the whole quote."""
    from dxcli.output.pages import say_once

    quote = (card.get("source") or {}).get("quote")
    if not quote:
        return None
    kept = say_once([f"“{quote}”"], [card["front"], card["back"], card.get("source_text") or ""])
    return kept[0][1:-1] if kept else None


_UNSET: Any = object()


def note_lines(card: dict[str, Any], quote: Optional[str] = _UNSET) -> list[str]:
    """A card's notes as lines, each passage once on the card: the review's value in a
    disagreement said once, and words the card's front, back or source already give cut to '…'.
    ``quote``: the card's ``quote_shown``, where the caller has it already."""
    from dxcli.output.pages import say_once

    lines, review = [], set()
    for n in card["notes"]:
        line = note_line(n)
        if n["kind"] == "disagreement":
            said = f"the review gives {value_text(n['review_value'])}; "
            if said in review:
                line = line.replace(said, "", 1)
            review.add(said)
        lines.append(line)
    if not lines:  # (nothing to cut: the texts before are not read)
        return []
    if quote is _UNSET:
        quote = quote_shown(card)
    return say_once(lines, [card["front"], card["back"], card.get("source_text") or "", quote or ""])


def _notes_for(notes: Iterable[dict[str, Any]], field: Optional[str], whole: bool = False) -> list[dict[str, Any]]:
    """The notes on the fact a card asks: those for its ``field``; a note for no field (about
    the record as a whole) only on a card that asks about the whole record (``whole``). A note
    about a fact that no card asks is on the record's page, not on a card."""
    return [note_row(n) for n in notes if n.get("field") == field or (whole and n.get("field") is None)]


def _names(rec: dict[str, Any]) -> list[str]:
    """The forms a typed answer naming ``rec`` may take: its id, name and aliases, and the
    name without a last word 'nerve', 'test', 'sign' or 'muscle' ("superior gluteal")."""
    out = list(names_of(rec))
    for n in list(out):
        m = _norm(n)
        for tail in (" nerve", " test", " sign", " muscle"):
            if m.endswith(tail) and len(m) > len(tail):
                out.append(m[: -len(tail)])
    return out


# --------------------------------------------------------------------------- card assembly


def _card(
    topic: str,
    kind: str,
    record: str,
    field: str,
    front: str,
    back: list[str],
    src: dict[str, Any],
    notes: list[dict[str, Any]],
    conditions: Iterable[str] = (),
    quiz: Optional[dict[str, Any]] = None,
) -> Card:
    disagreement = any(n["kind"] == "disagreement" for n in notes)
    tags = ["dxcli", f"dxcli::{topic}"]
    tags += [f"dxcli::condition::{c}" for c in dict.fromkeys(conditions)]
    tags += [f"dxcli::note::{k}" for k in dict.fromkeys(n["kind"] for n in notes)]
    return {
        "id": f"{kind}:{record}:{field}",
        "topic": topic,
        "deck": TOPICS[topic],
        "kind": kind,
        "record": record,
        "field": field,
        "front": front,
        "back": "\n".join(line for line in back if line),
        "source": src,
        "source_text": source_line(src),
        "notes": notes,
        "disagreement": disagreement,
        "tags": tags,
        "quiz": quiz,
    }


def _quiz(question: str, answer: str, accept: Iterable[str], match: str, pool: Iterable[str]) -> dict[str, Any]:
    answers = {_norm(a) for a in [answer, *accept]}
    others = [p for p in dict.fromkeys(pool) if _norm(p) not in answers]
    return {"question": question, "answer": answer, "accept": list(dict.fromkeys([answer, *accept])), "match": match, "pool": others}


def _bullets(items: Iterable[str]) -> list[str]:
    """Items as bullets; consecutive items that open with the same clause ('A finding that may
    suggest ...: pain worse with lumbar motion') as one bullet that says the clause once."""
    out: list[list[str]] = []  # [clause, rest, rest...] or [item]
    for i in items:
        head, sep, rest = i.partition(": ")
        if sep and len(head.split()) >= 5 and out and len(out[-1]) > 1 and out[-1][0] == head:
            out[-1].append(rest.rstrip("."))
        elif sep and len(head.split()) >= 5:
            out.append([head, rest.rstrip(".")])
        else:
            out.append([i])
    return ["• " + (x[0] if len(x) == 1 else f"{x[0]}: {'; '.join(x[1:])}.") for x in out]


def roots_text(roots: list[str]) -> str:
    return ", ".join(roots)


# --------------------------------------------------------------------------- the decks


def _anatomy() -> list[Card]:
    recs = loader.records("structure")
    with_function = [s for s in recs if s.get("function")]
    out = []
    for s in recs:
        back = [s["description"]]
        if s.get("proximal_attachment"):
            back.append(f"Proximal attachment: {s['proximal_attachment']}")
        if s.get("distal_attachment"):
            back.append(f"Distal attachment: {s['distal_attachment']}")
        if s.get("function"):
            back.append(f"Function: {s['function']}")
        quiz = None
        if s.get("function"):
            quiz = _quiz(f"Which structure: {s['function'].rstrip('.')}?", s["name"], _names(s), "name",
                         [o["name"] for o in with_function if o is not s])
        out.append(_card("anatomy", "structure", s["id"], "description", f"{s['name']} ({s['kind']}): what does the review say about it?",
                         back, source_of(s["source"]), _notes_for(s.get("notes", []), "description", whole=True) + _notes_for(s.get("notes", []), "function"), quiz=quiz))
    return out


MUSCLE_FIELDS = (("origin", "Origin"), ("insertion", "Insertion"), ("actions", "Action"))


def _muscles() -> list[Card]:
    recs = loader.records("muscle")
    out = []
    for m in recs:
        for field, label in MUSCLE_FIELDS:
            value = "; ".join(m[field]) if isinstance(m[field], list) else m[field]
            pool = ["; ".join(o[field]) if isinstance(o[field], list) else o[field] for o in recs if o is not m]
            out.append(_card("muscles", "muscle", m["id"], field, f"{label} of the {lower_first(m['name'])}?",
                             _bullets(m[field]) if isinstance(m[field], list) else [value],
                             source_of(m["source"]), _notes_for(m.get("notes", []), field),
                             quiz=_quiz(f"{label} of the {lower_first(m['name'])}?", value, [], "text", pool)))
    return out


def _innervation() -> list[Card]:
    muscles, nerves = loader.records("muscle"), loader.by_id("nerve")
    root_sets = [roots_text(r["roots"]) for r in [*muscles, *nerves.values()]]
    out = []
    for m in muscles:
        notes = m.get("notes", [])
        n = nerves.get(m.get("nerve") or "")
        if n is not None:
            # Not offered as a wrong option: a nerve with more roots, among them all of the
            # answer's, could carry its fibres (the sciatic nerve and the tibial nerve); the data
            # does not say which nerve is a branch of which, so such a choice could not be
            # called wrong. A question left without options is asked as a typed one.
            wrong = [o["name"] for o in nerves.values() if not set(n["roots"]) < set(o["roots"])]
            question = f"Which nerve supplies the {lower_first(m['name'])}, in the review?"
            out.append(_card("innervation", "muscle", m["id"], "nerve", question,
                             [f"{n['name']} ({roots_text(n['roots'])})"], source_of(m["source"]), _notes_for(notes, "nerve"),
                             quiz=_quiz(question, n["name"], _names(n), "name", wrong)))
        out.append(_card("innervation", "muscle", m["id"], "roots", f"Which root levels supply the {lower_first(m['name'])}?",
                         [roots_text(m["roots"]) + (f" (through the {lower_first(n['name'])})" if n else " (the review names no nerve)")],
                         source_of(m["source"]), _notes_for(notes, "roots"),
                         quiz=_quiz(f"Which root levels supply the {lower_first(m['name'])}?", roots_text(m["roots"]), [], "set", root_sets)))
    for n in nerves.values():
        notes = n.get("notes", [])
        supplied = [m["name"] for m in muscles if m.get("nerve") == n["id"]]
        back = [roots_text(n["roots"])] + ([f"Supplies: {', '.join(supplied)}"] if supplied else [])
        out.append(_card("innervation", "nerve", n["id"], "roots", f"Which roots form the {lower_first(n['name'])}?", back,
                         source_of(n["source"]), _notes_for(notes, "roots"),
                         quiz=_quiz(f"Which roots form the {lower_first(n['name'])}?", roots_text(n["roots"]), [], "set", root_sets)))
    roots = sorted({r for m in muscles for r in m["roots"]}, key=lambda r: (r[0] != "L", int(r[1:])))
    for root in roots:
        supplied_by = [m for m in muscles if root in m["roots"]]
        back = [f"• {m['name']}: {nerves[m['nerve']]['name'] if m.get('nerve') in nerves else 'no nerve named'}" for m in supplied_by]
        out.append(_card("innervation", "root", root, "muscles", f"Which muscles does the {root} root supply (in the review)?", back,
                         _merge_sources(source_of(m["source"]) for m in supplied_by), []))
    return out


def _accuracy_lines(row: dict[str, Any]) -> list[str]:
    """Sensitivity, specificity and the computed likelihood ratios of one evidence row."""
    lines = []
    if row.get("positive"):
        lines.append(f"Positive: {row['positive']}")
    for key, label in (("sensitivity", "Sensitivity"), ("specificity", "Specificity")):
        if row.get(key) is not None:
            lines.append(f"{label} {percent(row[key])}")
        elif row.get(key + "_range"):
            lo, hi = row[key + "_range"]
            lines.append(f"{label} {percent(lo)}–{percent(hi)}")
    if row.get("lr_positive") is not None or row.get("lr_negative") is not None:
        lines.append(f"LR+ {_lr(row.get('lr_positive'), row.get('lr_positive_ci'))}, LR− {_lr(row.get('lr_negative'), row.get('lr_negative_ci'))} (computed)")
    elif row.get("lr_positive_range"):
        (a, b), (c, d) = row["lr_positive_range"], row["lr_negative_range"]
        lines.append(f"LR+ {_lr(a)}–{_lr(b)}, LR− {_lr(c)}–{_lr(d)} (computed)")
    if row.get("ppv_range"):
        lo, hi = row["ppv_range"]
        lines.append(f"PPV {percent(lo)}–{percent(hi)}")
    if row.get("false_positive_rate") is not None:
        lines.append(f"False-positive rate {percent(row['false_positive_rate'])}")
    elif row.get("false_positive_rate_range"):
        lo, hi = row["false_positive_rate_range"]
        lines.append(f"False-positive rate {percent(lo)}–{percent(hi)}")
    if row.get("interpretation"):  # its last part repeats the review's statement, shown above
        lines.append(row["interpretation"].split("; the review: ")[0])
    return lines


def _evidence_cards(kind: str, topic: str) -> list[Card]:
    from dxcli.query.accuracy import evidence_row

    recs = loader.records(kind)
    conds = sorted({e["condition"] for r in recs for e in r["evidence"]})
    cond_names = [_cond_name(x) for x in conds]
    names = [o["name"] for o in recs]
    out: list[Card] = []
    # (condition, role) pairs that name one test only can be asked: "which test is ...?"
    roles: dict[tuple[str, str], set[str]] = {}
    for r in recs:
        for e in r["evidence"]:
            if e.get("role"):
                roles.setdefault((e["condition"], e["role"]), set()).add(r["id"])
    rows = {id(e): evidence_row(r, e, kind) for r in recs for e in r["evidence"]}  # each row made once
    lr_pool = [_lr(row["lr_positive"]) for row in rows.values() if row["lr_positive"] is not None]
    for r in recs:
        targets = list(dict.fromkeys(e["condition"] for e in r["evidence"]))
        back = [r["description"], "Used for: " + ", ".join(_cond_name(c) for c in targets)]
        quiz = None
        what = "maneuver" if kind == "maneuver" else "test"
        if len(targets) == 1:
            c = _by_id("condition").get(targets[0])
            if c is not None:
                quiz = _quiz(f"Which condition does the review use the {lower_first(r['name'])} for?", c["name"], _names(c), "name",
                             cond_names)
        front = f"How is the {lower_first(r['name'])} performed?" if kind == "maneuver" else f"{r['name']} ({r['kind']}): what is it, and what for?"
        out.append(_card(topic, kind, r["id"], "description", front, back, source_of(r["source"]),
                         [note_row(n) for n in r.get("notes", [])], targets, quiz))
        seen: dict[str, int] = {}
        per_condition = {c: sum(1 for e in r["evidence"] if e["condition"] == c) for c in targets}
        for e in r["evidence"]:
            row = rows[id(e)]
            n = seen[e["condition"]] = seen.get(e["condition"], 0) + 1
            field = f"evidence:{e['condition']}" + (f":{n}" if n > 1 else "")
            back = []
            if e.get("role"):
                back.append(f"Role: {e['role']}")
            if e.get("statement"):
                back.append(f"The review: {e['statement']}")
            back += _accuracy_lines(row) if row.get("interpretation") and "no sensitivity" not in row["interpretation"] else []
            notes = [note_row(x) for x in row["notes"]]  # the record's, the evidence's, and any about the arithmetic
            cname = _cond_name(e["condition"])
            quiz = None
            if row["lr_positive"] is not None:
                quiz = _quiz(f"LR+ of the {lower_first(r['name'])} for {lower_first(cname)} (from its sensitivity and specificity)?",
                             _lr(row["lr_positive"]), [], "text", lr_pool)
            elif kind == "test" and e.get("role") and len(roles[(e["condition"], e["role"])]) == 1:
                quiz = _quiz(f"Which {what} does the review give as '{e['role']}' for {lower_first(cname)}?", r["name"], _names(r), "name",
                             names)
            aspect = f" ({e.get('role') or e['source']['section']})" if per_condition[e["condition"]] > 1 else ""
            front = f"{r['name']} for {lower_first(cname)}{aspect}: what does the review say" + (", and how accurate is it?" if row["lr_positive"] is not None or row.get("lr_positive_range") or row.get("ppv_range") else "?")
            out.append(_card(topic, kind, r["id"], field, front, back, source_of(e["source"]), notes, [e["condition"]], quiz))
    return out


def _red_flags() -> list[Card]:
    out = []
    conds = [c["name"] for c in loader.records("condition")]
    for f in loader.records("red_flag"):
        names = [_cond_name(c) for c in f["conditions"]]
        quiz = None
        if len(f["conditions"]) == 1 and f["conditions"][0] in _by_id("condition"):
            c = _by_id("condition")[f["conditions"][0]]
            quiz = _quiz(f"'{f['name']}' is a red flag of which condition in the review?", c["name"], _names(c), "name", conds)
        out.append(_card("red-flags", "red_flag", f["id"], "action", f"Red flag: {lower_first(f['name'])}. Why does it matter, and what does the review say to do?",
                         [f["description"], f"Why: {f['why']}", f"What to do: {f['action']}", "Red flag of: " + ", ".join(names)],
                         source_of(f["source"]), [note_row(n) for n in f.get("notes", [])], f["conditions"], quiz))
    return out


def band_interval(band: dict[str, Any], scale: dict[str, Any]) -> str:
    """A band's interval in words from its bounds: '≤ 190°', '> 190° and < 240°', '≥ 10'."""
    unit = "°" if scale["unit"] == "degrees" else ""

    def v(x: float) -> str:
        return format_number(x) + unit

    lo_open = band["lower"] == scale["domain_min"] and band["lower_inclusive"] == scale.get("domain_min_inclusive", True)
    hi_open = band["upper"] == scale["domain_max"] and band["upper_inclusive"] == scale.get("domain_max_inclusive", True)
    if band["lower"] == band["upper"]:
        return f"= {v(band['lower'])}"
    if lo_open and hi_open:
        return "any"
    lower = ("≥ " if band["lower_inclusive"] else "> ") + v(band["lower"])
    if hi_open or band["upper"] == float("inf"):
        return lower
    upper = ("≤ " if band["upper_inclusive"] else "< ") + v(band["upper"])
    return upper if lo_open else f"{lower} and {upper}"


def _scales() -> list[Card]:
    out = []
    for s in loader.records("scale"):
        for bs in s["band_sets"]:
            labels = [b["label"] for b in bs["bands"]]
            for b in bs["bands"]:
                interval = band_interval(b, s)
                back = [f"{b['label']}: {s['measure']} {interval}"]
                if b.get("description"):
                    back.append(b["description"])
                notes = [note_row(n) for n in [*s.get("notes", []), *bs.get("notes", []), *b.get("notes", [])]]
                measure = s["measure"].split(" (")[0]
                quiz = _quiz(f"{bs['name']}: {measure} {interval}?", b["label"], [b["id"]], "name", labels)
                out.append(_card("scales", "scale", f"{s['id']}", f"{bs['id']}:{b['id']}",
                                 f"{s['name']}, {bs['name']}: {lower_first(b['label'])}?", back, source_of(b["source"]), notes, quiz=quiz))
    for g in loader.records("grading"):
        labels = [gr["label"] for gr in g["grades"]]
        for gr in g["grades"]:
            notes = [note_row(n) for n in [*g.get("notes", []), *gr.get("notes", [])]]
            findings = [f["description"] for f in gr["findings"]]
            out.append(_card("scales", "grading", g["id"], f"grade-{gr['grade']}", f"{g['name']}: {lower_first(gr['label'])}?",
                             _bullets(findings), source_of(gr["source"]), notes))
            for f in gr["findings"]:
                out.append(_card("scales", "grading", g["id"], f"finding:{f['id']}", f"{g['name']}: which grade has '{lower_first(f['description'])}'?",
                                 [gr["label"], "That grade: " + "; ".join(findings)], source_of(gr["source"]), notes,
                                 quiz=_quiz(f"{g['name']}: which grade has '{lower_first(f['description'])}'?", gr["label"],
                                            [str(gr["grade"]), f"grade {gr['grade']}"], "name", labels)))
    return out


CONDITION_FIELDS = (("presentation", "clinical presentation"), ("diagnosis", "diagnosis"), ("pearls", "pearls"))
DEEP_DIVE = (("epidemiology", "epidemiology"), ("pathophysiology", "pathophysiology"), ("clinical_findings", "clinical findings"),
             ("diagnostic_testing", "diagnostic testing"), ("treatment", "treatment"))


figure_value = words.figure_value


def _conditions() -> list[Card]:
    out = []
    recs = loader.records("condition")
    all_figures = [f for c in recs for f in c.get("figures", [])]
    for c in recs:
        figures = c.get("figures", [])
        for field, label in CONDITION_FIELDS:
            items = c.get(field) or []
            if not items:
                continue
            notes = _notes_for(c.get("notes", []), field)
            # a figure quoted by one of these items brings its notes (a disagreement among them)
            said = {_norm(i) for i in items}
            for f in figures:
                quote = (f["source"].get("quote") or "")
                nq = _norm(quote) if quote else ""
                if quote and any(nq in s or s in nq for s in said):
                    notes += [note_row(n) for n in f.get("notes", [])]
            out.append(_card("conditions", "condition", c["id"], field, f"{c['name']}: {label} (Table 2)?", _bullets(items),
                             source_of(c["source"]), notes, [c["id"]]))
        dd = c.get("deep_dive") or {}
        for sec, label in DEEP_DIVE:
            statements = dd.get(sec) or []
            if not statements:
                continue
            field = f"deep_dive.{sec}"
            lines = [s["text"] + (f" [ref {', '.join(str(r) for r in s['refs'])}]" if s.get("refs") else "") for s in statements]
            src = source_of(c["deep_dive_source"])
            cited = [cit for s in statements for cit in source_of({"section": "", "citations": s.get("citations", [])})["citations"]]
            src["citations"] += [x for x in dict.fromkeys(cited) if x not in src["citations"]]
            out.append(_card("conditions", "condition", c["id"], field, f"{c['name']}: {label} (the review's deep dive)?", _bullets(lines),
                             src, _notes_for(c.get("notes", []), field), [c["id"]]))
        for f in figures:
            pool = [figure_value(o) for o in all_figures if o.get("unit", "proportion") == f.get("unit", "proportion")]
            value = figure_value(f)
            out.append(_card("conditions", "condition", c["id"], f"figure:{f['id']}", f"{f['description']}: what figure does the review give?",
                             [value], source_of(f["source"]), [note_row(n) for n in f.get("notes", [])], [c["id"]],
                             _quiz(f"{f['description']}: what figure does the review give?", value, [], "text", pool)))
    return out


BUILDERS: dict[str, Callable[[], list[Card]]] = {
    "anatomy": _anatomy,
    "muscles": _muscles,
    "innervation": _innervation,
    "maneuvers": lambda: _evidence_cards("maneuver", "maneuvers"),
    "tests": lambda: _evidence_cards("test", "tests"),
    "red-flags": _red_flags,
    "scales": _scales,
    "conditions": _conditions,
}


def cards(topics: Optional[Iterable[str]] = None) -> list[Card]:
    """Every card of the chosen topics (all by default), in deck order then record order."""
    chosen = list(TOPICS) if topics is None else [t for t in TOPICS if t in set(topics)]
    return [card for t in chosen for card in BUILDERS[t]()]
