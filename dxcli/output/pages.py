"""Record pages for people: one record (a condition, a maneuver, a muscle, a calculator's
result...) as a document with a title, headed sections and wrapped prose, the way
``man`` and ``gh issue view`` show one thing.

Builders turn a command's result (the same dict or rows the machine formats get) into a
:class:`Doc`; :func:`render_doc` writes it to a terminal (wrapped at the terminal's real
width, words and ids never split) or as Markdown. Nothing here computes a clinical value:
pages only say in sentences what the result already holds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable, Container, Iterable

from dxcli.errors import wrap_words
from dxcli.names import norm
from dxcli.output.render import Terminal, inert, page_width
from dxcli.output.words import lr as num, pct, prose, span, stated_pct
from dxcli.output import words

Line = tuple[int, str]


class Block:
    """A part of a section: an optional heading (a record in a list), then lines at indent levels."""

    def __init__(self, heading: str | None, lines: list[Line]) -> None:
        self.heading, self.lines = heading, lines


class Part:
    """A headed section of a page: Presentation, Diagnosis, Notes..."""

    def __init__(self, title: str, blocks: list[Block], alert: bool = False) -> None:
        self.title, self.blocks, self.alert = title, blocks, alert


class Doc:
    """One page: a title, a line under it (the id, what kind of record), its sections."""

    def __init__(self, title: str, subtitle: str | None, parts: list[Part]) -> None:
        self.title, self.subtitle = title, subtitle
        _once(parts)
        self.parts = [p for p in parts if any(b.lines or b.heading for b in p.blocks)]


RUN = 12  # words: a passage this long is printed once on a page
ABOVE = "(a note above applies here too)"


_WORD = re.compile(r"[\w%–-]+")  # a word: letters, digits, %, dashes (the rest separates words)
# The same split without the pattern, where a text's characters allow: an ASCII text's
# separators become spaces in one translation of its bytes, and the data's common non-ASCII
# separators (bullets, curly quotes, signs) become spaces first. Any other text takes the pattern.
_ASCII_GAPS = bytes(b if chr(b).isalnum() or chr(b) in "_%-" else 32 for b in range(128)) + bytes(range(128, 256))
_GAPS = "•“”‘’−≥≤°…—"


def _split_words(text: str) -> list[str]:
    """A text's words (``_WORD``), lower case."""
    low = text.lower()
    if not low.isascii():
        for gap in _GAPS:
            if gap in low:
                low = low.replace(gap, " ")
        if not low.isascii():
            return _WORD.findall(low)
    return low.encode().translate(_ASCII_GAPS).decode().split()


@lru_cache(maxsize=1024)
def _flat(text: str) -> str:
    """A text's words, lower case, one space apart (punctuation, frames and bullets aside).
    Remembered: a card's front, back and source are flattened for its quote and again for its notes."""
    return " ".join(_split_words(text))


def _grams(text: str) -> set[tuple[str, ...]]:
    w = _split_words(text)
    return set(zip(*(w[i:] for i in range(RUN))))  # each run of RUN words


def _once(parts: list[Part]) -> None:
    """Each passage once on a page, where it first comes (beside what it qualifies): a note
    said before becomes a pointer to it, so does a block said whole before (a case's later
    stage); a line that repeats a note is left out, so is a quote whose words the page has
    already printed; a labelled line said whole before reads 'Label: as above', and a run of
    RUN words or more said before, inside a note, quote or line, is cut to '…'."""
    notes: list[str] = []  # the notes shown so far, as words
    long_notes: list[str] = []  # those of RUN words or more
    said: set[tuple[str, ...]] = set()  # runs of words printed so far
    blocks_seen: dict[tuple[Any, ...], str] = {}  # a block's whole text: the part it was first in
    sources: set[str] = set()  # the letters of the sources named so far
    lines_said: dict[str, str] = {}  # each label's last words: 'as above' points to the nearest
    counts: dict[str, int] = {}
    for part in parts:
        for block in part.blocks:
            for _, text in block.lines:
                if text.startswith("Source: "):
                    counts[text] = counts.get(text, 0) + 1
    tags = {t: "abcdefghijklmnopqrstuvwxyz"[i % 26] for i, t in enumerate(t for t, n in counts.items() if n > 1)}
    for part in parts:
        for block in part.blocks:
            whole = (block.heading, tuple(block.lines))
            if block.lines and whole in blocks_seen and len(_split_words(" ".join(t for _, t in block.lines))) >= RUN:
                block.lines = [(0, f"(as under {blocks_seen[whole]} above)")]
                continue
            blocks_seen.setdefault(whole, part.title or "the same heading")
            kept: list[Line] = []
            for level, text in block.lines:
                note = text[:2] == "! "
                key = " ".join((text[2:] if note else text).split())
                if note and key in notes:
                    if not kept or kept[-1][1] != ABOVE:
                        kept.append((level, ABOVE))  # the caveat still stands here: said once, pointed to
                    continue
                if any(n in key for n in long_notes):
                    continue  # 'No interval: <a note shown above>'
                grams = _grams(key)
                quote = "“" in key
                if (note or key[:1] == "“") and grams and len(grams & said) >= 0.8 * len(grams):
                    continue
                label_, sep, rest = text.partition(": ")
                labelled = not (quote or note) and sep and len(label_.split()) <= 3 and text[:2] != "• " and label_ != "Source"  # a name may hold a colon; sources get letters
                if labelled and lines_said.get(label_) == " ".join(rest.split()) and len(rest.split()) >= 6:  # the nearest one above
                    text = f"{label_}: as above"  # 'Study: as above': the very same words
                elif (quote or note or (labelled and label_ in _PROSE) or text.startswith("Related study")) and grams & said:  # a composed sentence is never cut mid-way
                    cut = _cut_said(text, said)
                    if not set(re.findall(r"\w+", cut.lower())) - _SMALL - (set(re.findall(r"\w+", label_.lower())) if labelled else set()):
                        cut = text  # nothing but 'and' would be left: what differs is an omission, so the line stays whole
                    text = cut
                if labelled and not text.endswith(": as above"):
                    lines_said[label_] = " ".join(rest.split())
                if text.startswith("Source: ") and text in tags:  # one source under several items: named once, then by its letter
                    tag = tags[text]
                    text = f"Source: as [{tag}] above" if tag in sources else f"Source [{tag}]: {text.removeprefix('Source: ')}"
                    sources.add(tag)
                said |= grams
                if note:
                    notes.append(key)
                    if len(key.split()) >= RUN:
                        long_notes.append(key)
                kept.append((level, text))
            block.lines = kept


class _Said:
    """The runs of RUN words of some texts, kept as the texts' words: ``run in said`` is a
    search of them. For a card's few short notes against its long back this costs less than
    every run of the back made into a set (``_grams``). A run never spans two texts."""

    def __init__(self, texts: Iterable[str]) -> None:
        self.words = " " + " \n ".join(map(_flat, texts)) + " "

    def __contains__(self, run: object) -> bool:
        return isinstance(run, tuple) and self.has(" ".join(run))

    def has(self, run: str) -> bool:
        """Whether the run (its words one space apart, as ``_runs`` gives it) was said."""
        return " " + run + " " in self.words

    def add(self, text: str) -> None:
        self.words += "\n " + _flat(text) + " "


def _runs(text: str) -> list[str]:
    """Each run of RUN words of a text (the runs of ``_grams``), its words one space apart."""
    w = _split_words(text)
    return [" ".join(w[i : i + RUN]) for i in range(len(w) - RUN + 1)]


def say_once(lines: list[str], before: Iterable[str] = ()) -> list[str]:
    """Lines (a card's notes) with each run of RUN words that ``before`` (the card's front,
    back and source) or an earlier line printed cut to '…'; a line said whole is left out."""
    runs = [_runs(text) for text in lines]
    if not any(runs):  # no line is RUN words long: nothing to cut
        return list(lines)
    said = _Said(before)
    out = []
    for text, line_runs in zip(lines, runs):
        found = list(map(said.has, line_runs))
        if line_runs and all(found):
            continue
        out.append(_cut_said(text, said) if any(found) else text)
        said.add(text)
    return out


_PROSE = {"Origin", "Insertion", "Description", "Course", "Function", "Proximal attachment", "Distal attachment"}  # the data's prose
_SMALL = {"a", "an", "and", "or", "the", "of", "to", "in", "on", "for", "with", "as", "by", "is", "it"}


def _cut_said(text: str, said: Container[tuple[str, ...]]) -> str:
    """A quote with each run of its words that the page has printed already (RUN words or
    more) cut to '…' (the reader has just read them); the quote as it is if nothing else is left."""
    if "“" in text:
        head, _, rest = text.partition("“")
        body, close, tail = rest.rpartition("”")
        if not close:
            body, tail = rest, ""
        head, tail = head + "“", "”" + tail
    else:  # a note: '! kind: text (source)'
        kind_, sep, body = text.partition(": ")
        head, tail = (kind_ + sep, "") if sep and len(kind_.split()) <= 3 else ("", "")
        body = body if head else text
    tokens = body.split()
    flat: list[tuple[int, str]] = [(i, w) for i, t in enumerate(tokens)
                                   for w in ((t.lower(),) if t.isalnum() else _split_words(t))]
    words = [w for _, w in flat]
    covered = [False] * len(flat)
    for j, run in enumerate(zip(*(words[i:] for i in range(RUN)))):
        if run in said:
            covered[j:j + RUN] = [True] * RUN
    # a token is gone when it has words and every one of them was said before
    gone = {k for k, _ in flat}.difference(k for (k, _), c in zip(flat, covered) if not c)
    if not gone:
        return text
    for i, t in enumerate(tokens):  # the source's own ellipsis beside a cut is part of the cut
        if t in ("...", "…") and (i - 1 in gone or i + 1 in gone):
            gone.add(i)
    out: list[str] = []
    for i, t in enumerate(tokens):
        if i in gone:
            if not out or out[-1] != "…":
                out.append("…")
        else:
            out.append(t)
    if all(t == "…" for t in out):
        return text
    return f"{head}{' '.join(out)}{tail}"


# --------------------------------------------------------------------------- rendering


def doc_text(doc: Doc, fmt: str, term: Terminal) -> str:
    """The page as text: wrapped for a terminal, or Markdown."""
    if fmt == "markdown":
        return _markdown(doc)
    width = max(page_width(term), 20)
    bold = (lambda t: f"\x1b[1m{t}\x1b[0m") if term.color else (lambda t: t)
    red = (lambda t: f"\x1b[1;31m{t}\x1b[0m") if term.color else (lambda t: t)
    out: list[str] = []

    def wrap(text: str, indent: int, hang: int = 0) -> list[str]:
        pad = " " * indent
        return wrap_words(inert(text), width, pad, pad + " " * hang) or [""]

    alert = any(p.alert and p.title == doc.title for p in doc.parts)  # a page of red flags
    out += [(red if alert else bold)(line) for line in wrap(doc.title, 0)]
    if doc.subtitle:
        out += wrap(doc.subtitle, 0)
    for part in doc.parts:
        out.append("")
        if part.title and part.title != doc.title:  # the page's title names it already
            out.append((red if part.alert else bold)(inert(part.title.upper())))
        for i, b in enumerate(part.blocks):
            if b.heading:
                if i:
                    out.append("")
                out += [bold(line) for line in wrap(b.heading, 2, 2)]
            base = 4 if b.heading else 2
            lines = b.lines
            i = 0
            while i < len(lines):
                level, text = lines[i]
                if text[:2] == "! ":  # notes, and the lines that run on from them, in a box
                    j = i + 1
                    while j < len(lines) and lines[j][0] == level and lines[j][1][:2] == "! ":
                        j += 1
                    out += _box([t for _, t in lines[i:j]], base + 2 * level, width)
                    i = j
                    continue
                hang = 2 if text[:2] in ("• ", "+ ", "- ") else 0
                out += wrap(text, base + 2 * level, hang)
                i += 1
    return "\n".join(out) + "\n"


def _box(notes: list[str], indent: int, width: int) -> list[str]:
    """Notes set apart in a frame at ``indent``, as wide as its longest line (each note
    wrapped at word boundaries inside it)."""
    inner = max(width - indent - 4, 16)
    body: list[str] = []
    for n in notes:
        body += wrap_words(inert(n), inner, "", "  ") or [""]
    w = max(len(line) for line in body)
    pad = " " * indent
    return ([pad + "┌" + "─" * (w + 2) + "┐"] + [pad + "│ " + line.ljust(w) + " │" for line in body]
            + [pad + "└" + "─" * (w + 2) + "┘"])


def _markdown(doc: Doc) -> str:
    def flat(t: str) -> str:
        return inert(t).replace("\n", " ")

    out = [f"# {flat(doc.title)}", ""]
    if doc.subtitle:
        out += [flat(doc.subtitle), ""]
    for part in doc.parts:
        if part.title and part.title != doc.title:
            out += [f"## {flat(part.title)}", ""]
        for b in part.blocks:
            if b.heading:
                out += [f"### {flat(b.heading)}", ""]
            for level, text in b.lines:
                text = flat(text)
                if text[:2] == "• ":
                    text = text[2:]
                out.append("  " * level + "- " + text)
            out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------- sentences


def _uncorrected(x: Any) -> str:
    """' (stated 0, corrected for a zero cell)' beside an LR the query corrected."""
    if x is None:
        return ""
    return f" (stated {num(x)}, corrected for a zero cell)"


def label(key: str) -> str:
    """A field's key as a heading a person reads: 'nerve_name' -> 'Nerve'."""
    return LABELS.get(key) or key.replace("_", " ").replace("-", " ").capitalize()


LABELS = {
    "icd10cm": "ICD-10-CM",
    "nerve_name": "Nerve",
    "proximal_attachment": "Proximal attachment",
    "distal_attachment": "Distal attachment",
    "part_of": "Part of",
    "red_flag": "Red flag",
    "lr_positive": "LR+",
    "lr_negative": "LR-",
}


def source_lines(src: dict[str, Any] | None, quote: bool = True) -> list[Line]:
    """Where a fact comes from (words.source), then the review's words where quoted."""
    if not src:
        return []
    where = words.source(src)
    lines = [(0, where)] if where else []
    if quote and src.get("quote"):
        lines.append((0, f"“{prose(src['quote'])}”"))
    return lines


def note_line(n: Any) -> str:
    """A note set apart: '! disagreement: ... (zhang-2018)'."""
    return "! " + words.note(n)


def note_lines(*note_lists: Iterable[Any]) -> list[Line]:
    """The notes of several lists as lines, each note once."""
    return [(0, t) for t in dict.fromkeys(note_line(n) for notes in note_lists for n in notes or [])]


def notes_part(*note_lists: Iterable[Any], title: str = "Notes") -> Part:
    return Part(title, [Block(None, note_lines(*note_lists))])


def bullets(items: Iterable[Any]) -> list[Line]:
    return [(0, "• " + prose(x)) for x in items or [] if x not in (None, "")]


def paragraph(text: Any) -> list[Line]:
    return [(0, prose(text))] if text not in (None, "", []) else []


def value_text(v: Any) -> str:
    """A plain value as text; lists joined; never an object dumped."""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return num(v)
    if isinstance(v, (list, tuple)):
        return ", ".join(value_text(x) for x in v)
    if isinstance(v, dict):
        return "; ".join(f"{label(k)} {value_text(x)}" for k, x in v.items() if x not in (None, [], ""))
    return prose(v)


def fields_part(title: str, rec: dict[str, Any], keys: Iterable[str]) -> Part:
    lines = [(0, f"{label(k)}: {value_text(rec[k])}") for k in keys if rec.get(k) not in (None, [], "")]
    return Part(title, [Block(None, lines)])


def _guidance_lines(items: list[dict[str, Any]] | None) -> list[Line]:
    lines: list[Line] = []
    for g in items or []:
        kind = g.get("kind")
        mark = "" if kind in (None, "stated", "none stated") else f"({kind}) "
        lines.append((0, f"• {mark}{prose(g['text'])}"))
        src = g.get("source")
        if src:
            where = source_lines(src, quote=False)
            if where:
                lines.append((1, "Source: " + where[0][1]))
    return lines


study_line = words.study


def _ci_label(band: dict[str, Any] | None, show: Callable[[Any], str] = num) -> str:
    if not band:
        return ""
    if str(band.get("method", "")).startswith("one known arm"):
        return f" (one known arm: range {span(band, show)}, not a 95% CI)"  # the figures last: two rows differ there
    return f" (95% CI {span(band, show)})"


# --------------------------------------------------------------------------- pages


def _named(ids: Iterable[str], names: dict[str, str] | None) -> str:
    """Records in words, each with its id to type the next command: 'Freiberg's test (freiberg)'."""
    return ", ".join(f"{names[i]} ({i})" if names and i in names else i for i in ids)


_AT = r"\s+at\s+(?:one month|\d+(?: and \d+)? months?)(?=\s*\(|$)"


def _figure_key(f: dict[str, Any]) -> str:
    """A figure's description without its time point ('... at 15 months'): figures that differ
    only in when they were measured are one line."""
    return re.sub(_AT, "", str(f.get("description") or ""))


def _figure_groups(figures: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: list[list[dict[str, Any]]] = []
    for f in figures:
        if groups and f.get("timepoint") and _figure_key(f) == _figure_key(groups[-1][0]) != f.get("description") \
                and f.get("unit") == groups[-1][0].get("unit"):
            groups[-1].append(f)
        else:
            groups.append([f])
    return groups


def condition_doc(c: dict[str, Any], names: Callable[[str], dict[str, str]] | None = None) -> Doc:
    sub = c["id"]
    if c.get("aliases"):
        sub += " · also: " + ", ".join(c["aliases"])
    parts = [
        Part("Presentation", [Block(None, bullets(c.get("presentation")))]),
        Part("Diagnosis", [Block(None, bullets(c.get("diagnosis")))]),
        Part("Pearls", [Block(None, bullets(c.get("pearls")))]),
    ]
    for key in ("epidemiology", "pathophysiology", "clinical_findings", "diagnostic_testing", "treatment"):
        parts.append(Part(label(key), [Block(None, [(0, prose(" ".join(c.get(key) or [])))] if c.get(key) else [])]))
    figs: list[Block] = []
    for group in _figure_groups(c.get("figures") or []):
        vals = []
        for f in group:
            if f.get("range"):
                lo, hi = f["range"]
            else:
                lo = hi = f["value"]
            show = stated_pct if f.get("unit") == "proportion" else (lambda x, u=f.get("unit"): f"{num(x)} {u}")
            val = show(lo) if lo == hi else f"{show(lo)}–{show(hi)}"
            vals.append(val + (f" ({f['timepoint']})" if f.get("timepoint") else ""))
        lines = [(0, f"{prose(_figure_key(group[0]) if len(group) > 1 else group[0]['description'])}: {'; '.join(vals)}")]
        srcs: list[Line] = []
        for f in group:
            for s_ in source_lines(f.get("source") or {}):
                if not any(x[1].startswith(s_[1]) for x in srcs):  # 'X [21]' is in 'X [21] (Rompe et al. 2009)'
                    srcs.append(s_)
        lines += [(1, "Source: " + s_) if i == 0 else (1, s_) for i, (_, s_) in enumerate(srcs)]
        lines += [(1, t) for t in dict.fromkeys(note_line(n) for f in group for n in f.get("notes") or [])]
        figs.append(Block(None, lines))
    parts.append(Part("Figures", figs))
    parts.append(notes_part(c.get("notes")))
    related = []
    for key, what, kind in (("maneuvers", "Maneuvers", "maneuver"), ("tests", "Tests", "test"), ("red_flags", "Red flags", "red_flag")):
        if c.get(key):
            related.append((0, f"{what}: " + _named(c[key], names(kind) if names else None)))
    if related:
        see = ["'dxcli maneuver ID'", "'dxcli test ID'"] + ([f"'dxcli redflags --condition {c['id']}'"] if c.get("red_flags") else [])
        related.append((0, "See " + ", ".join(see) + "."))
    parts.append(Part("Related", [Block(None, related)]))
    parts.append(Part("Coding", [Block(None, [(0, "ICD-10-CM: " + ", ".join(c["icd10cm"]))] if c.get("icd10cm") else [])]))
    src = source_lines(c.get("source")) + source_lines(c.get("deep_dive_source"))
    parts.append(Part("Source", [Block(None, src)]))
    return Doc(c["name"], sub, parts)


TWO_LRS = ("The published likelihood ratio and the one computed from the same study's sensitivity and specificity "
           "are separate estimates and differ; the data here do not say which to prefer.")


def _meaning(text: str, said: set[str]) -> tuple[str, bool]:
    """'What it means' with each band's explanation and the bands' source given once a page
    (after that, 'positive (LR+ 32.6): large increase' alone: the LR line above says it too)."""
    out, new = [], False
    for part in text.split("; "):
        m = re.match(r"^((?:positive|negative) \(.*?\)): ([^,]+), (.*)$", part)
        if m and m.group(3) in said:
            out.append(f"{m.group(1)}: {m.group(2)}")
            continue
        if m:
            said.add(m.group(3))
        elif part.startswith("bands: "):
            if part in said:
                continue
            said.add(part)
        new = True
        out.append(part)
    return "; ".join(out), new


def accuracy_lines(r: dict[str, Any], said: set[str] | None = None) -> list[Line]:
    """One maneuver's or test's accuracy for one condition, as sentences: role, counts,
    sensitivity and specificity with their intervals, LRs and what they mean, post-test
    probabilities, the study and the review's own words."""
    lines: list[Line] = []
    if r.get("role"):
        lines.append((0, f"Role: {words.role(r['role'])}"))
    if r.get("positive"):
        lines.append((0, f"A positive result: {r['positive']}"))
    acc = []
    for key, name in (("sensitivity", "Sensitivity"), ("specificity", "specificity")):
        if r.get(key) is not None:
            acc.append(f"{name} {stated_pct(r[key])}{_ci_label(r.get(key + '_ci'), pct)}")
        elif r.get(key + "_range"):
            acc.append(f"{name} {span(r[key + '_range'], stated_pct)}")
    if acc:
        lines.append((0, ", ".join(acc)))
    for key in ("sensitivity", "specificity"):
        c = r.get(key + "_count")
        if isinstance(c, dict) and c.get("count") is not None:
            how = f" ({c['status']}: {c['arithmetic']})" if c.get("arithmetic") else (f" ({c['status']})" if c.get("status") else "")
            lines.append((0, f"{key.capitalize()} count: {c['count']} of {c.get('of', 'not stated')}{how}"))
    for key, sign in (("lr_positive", "LR+"), ("lr_negative", "LR-")):
        if r.get(key) is not None or r.get(key + "_range"):
            val = num(r[key]) if r.get(key) is not None else span(r[key + "_range"])
            band = f": {r[key + '_band']}" if r.get(key + "_band") else ""
            lines.append((0, f"{sign} {val}{_ci_label(r.get(key + '_ci'))}{band}"))
    if r.get("ppv_range"):
        lines.append((0, f"Positive predictive value {span(r['ppv_range'], stated_pct)} (depends on prevalence; gives no likelihood ratio)"))
    for key, what in (("posttest_positive", "Post-test probability if positive"), ("posttest_negative", "Post-test probability if negative")):
        if r.get(key) is not None:
            lines.append((0, f"{what}: {prob(r[key], None, r.get(key + '_ci'))}"))
    meaning = r.get("interpretation")
    if meaning and r.get("statement"):  # the review's words are quoted below, not twice
        meaning = meaning.removesuffix("; the review: " + r["statement"]).removesuffix("the review: " + r["statement"])
    if meaning and meaning.startswith("no sensitivity and specificity stated") and r.get("lr_positive") is None and not r.get("lr_positive_range"):
        if lines and lines[0][1].startswith("Role: ") and len(lines) == 1:
            lines[0] = (0, lines[0][1] + "; no accuracy stated")  # short: said in each block that has none
        else:
            lines.append((0, "No accuracy stated"))
    elif meaning:
        short, new = _meaning(meaning, said) if said is not None else (meaning, True)
        if new or r.get("lr_positive_band") is None or r.get("lr_negative_band") is None:
            lines.append((0, "What it means: " + prose(short)))
        # else: the bands were explained above, and the LR lines say them
    if r.get("evidence_strength"):
        lines.append((0, f"Evidence: {r['evidence_strength']}"))
    if r.get("study"):
        lines.append((0, "Study: " + study_line(r["study"])))
    for st in r.get("related_studies") or []:
        key = f"study {st.get('id') or st.get('name')}"
        described = said is not None and key in said
        if said is not None:
            said.add(key)
        what = f"{st['name']} (described above)." if described else study_line(st)  # a study described once a page
        lines.append((0, f"Related study ({st.get('relation')}): {what}" + (f" {st['note']}" if st.get("note") else "")))
    for p in r.get("published_ci") or []:
        show = stated_pct if p["measure"] in ("sensitivity", "specificity") else words.stated
        lines.append((0, f"Published ({words.cited(p.get('citation'))}, {p.get('index_test')}): {label(p['measure'])} {show(p['value'])} (95% CI {show(p['low'])}–{show(p['high'])})"))
    for w in r.get("with_primary_figures") or []:
        lines.append((0, f"With {words.cited(w['citation'])}'s figures: sensitivity {stated_pct(w.get('sensitivity'))}, specificity {stated_pct(w.get('specificity'))}, LR+ {num(w.get('lr_positive'))}, LR- {num(w.get('lr_negative'))}"))
    if r.get("published_ci") and r.get("with_primary_figures"):
        lines.append((0, TWO_LRS))
    reasons = sorted({v for v in (r.get("ci_notes") or {}).values() if v})
    for why in reasons:
        lines.append((0, f"{'No interval' if why.startswith('counts not stated') else 'About the interval'}: {why}"))
    if r.get("statement"):
        lines.append((0, f"Review: “{prose(r['statement'])}”"))
    return lines


def _posttest_hint(rows: list[dict[str, Any]], rid: str) -> list[Line]:
    """The posttest command for this maneuver or test, where it has a likelihood ratio (with
    --condition where it has evidence for several conditions); none where it has none."""
    with_lr = [r for r in rows if r.get("lr_positive") is not None or r.get("lr_positive_range")]
    if not with_lr:
        return []
    several = len({r["condition"] for r in rows}) > 1
    cond = f" --condition {with_lr[0]['condition']}" if several else ""
    return [(0, f"Post-test probability: 'dxcli posttest -p 0.3 {rid}+{cond}'")]


def accuracy_doc(kind: str, rows: list[dict[str, Any]], names: Callable[[str], dict[str, str]] | None = None) -> Doc:
    """A maneuver's or test's page: how it is done, its accuracy for each condition with
    LR+ and LR- and what they mean, the studies behind them, the source and every note."""
    first = rows[0]
    rid = first.get(kind) or first.get("id")
    sub = f"{rid} · {kind}"
    if first.get("kind") and kind == "test":
        sub += f" ({first['kind']})"
    how = "How to perform" if kind == "maneuver" else "What it is"
    parts = [Part(how, [Block(None, paragraph(first.get("description")))])]
    conds = names("condition") if names else {}
    meant: set[str] = set()  # the LR bands explained so far on the page
    blocks = [Block(f"For {conds.get(r['condition'], r['condition'])}", accuracy_lines(r, meant)) for r in rows]
    parts.append(Part("Accuracy", blocks))
    quotes: list[Line] = []
    seen: set[str] = set()
    for r in rows:
        for line in source_lines(r.get("source")):
            if line[1] not in seen:
                seen.add(line[1])
                quotes.append(line)
    parts.append(Part("Source", [Block(None, quotes)]))
    parts.append(notes_part(*(r.get("notes") for r in rows)))
    parts.append(Part("Related", [Block(None, [(0, "Conditions: " + _named(dict.fromkeys(r["condition"] for r in rows), conds)),
                                               *_posttest_hint(rows, rid)])]))
    return Doc(first["name"], sub, parts)


def differential_doc(rows: list[dict[str, Any]], complaint: dict[str, Any]) -> Doc:
    """A complaint's differential as the review's table reads: each condition by name and
    id, its presentation, how it is diagnosed, its pearls and its ICD-10-CM codes."""
    blocks = []
    for r in rows:
        lines: list[Line] = []
        for key, head in (("presentation", "Presentation"), ("diagnosis", "Diagnosis"), ("pearls", "Pearls")):
            if r.get(key):
                lines.append((0, f"{head}:"))
                lines += [(1, text) for _, text in bullets(r[key])]
        if r.get("icd10cm"):
            lines.append((0, "ICD-10-CM: " + ", ".join(r["icd10cm"])))
        lines += [(0, note_line(n)) for n in r.get("notes") or []]
        blocks.append(Block(f"{r['name']} ({r['id']})", lines))
    src = (rows[0].get("source") or {}) if rows else {}
    where = ", ".join(x for x in (src.get("section"), src.get("table")) if x)
    sub = f"{complaint['id']} · {len(rows)} conditions in the review's table order, not a ranking" + (f" ({where})" if where else "")
    related = [(0, f"One condition in full: 'dxcli condition {rows[0]['id']}'" if rows else "")] + \
        [(0, f"Ranked by findings: 'dxcli differential {complaint['id']} --finding FINDING' (findings: 'dxcli finding')")]
    return Doc(f"Differential diagnosis: {complaint['name']}", sub, [Part("Conditions", blocks), Part("Related", [Block(None, related)])])


def condition_accuracy_doc(kind: str, rows: list[dict[str, Any]], condition: dict[str, Any]) -> Doc:
    """The maneuvers (or tests) of one condition: each one's name and id, how it is done,
    its accuracy for that condition in sentences and its notes, in the order of strength."""
    what = "Examination maneuvers" if kind == "maneuver" else "Diagnostic tests"
    groups: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r.get("id") or r[kind], []).append(r)
    blocks = []
    built: dict[str, list[Line]] = {}
    sentences: dict[str, list[str]] = {}  # a description's sentence: the records that say it
    for rid, rs in groups.items():
        for sentence in _sentences(rs[0].get("description")) if kind == "maneuver" else []:
            sentences.setdefault(sentence, []).append(rid)
    shared_sentences = {t: ids for t, ids in sentences.items() if len(ids) > 1 and len(t.split()) >= 6}
    meant: set[str] = set()  # the LR bands explained so far on the page
    for rid, rs in groups.items():
        own = " ".join(t for t in _sentences(rs[0].get("description")) if t not in shared_sentences) if kind == "maneuver" else ""
        lines: list[Line] = paragraph(own)
        for r in rs:
            lines += accuracy_lines(r, meant)
        lines += note_lines(*(r.get("notes") for r in rs))
        built[rid] = lines
    # what every one of them says (the review's one sentence on all four): said once, first
    common = [x for x in next(iter(built.values())) if len(built) > 1 and all(x in ls for ls in built.values()) and len(x[1].split()) >= 6]
    names = {rid: rs[0]["name"] for rid, rs in groups.items()}
    if common:
        blocks.append(Block(f"All {len(groups)} {kind}s", common))
    if shared_sentences:
        blocks.append(Block(None, [(0, f"{_and([names[i] for i in ids]) if len(ids) < len(groups) else f'All {len(groups)}'}: {t}")
                                   for t, ids in shared_sentences.items()]))
    for rid, lines in built.items():
        blocks.append(Block(f"{names[rid]} ({rid})", [x for x in lines if x not in common]))
    first = next(iter(groups))
    related = [(0, f"One {kind}'s page, with its source: 'dxcli {kind} {first}'"),
               (0, f"The condition: 'dxcli condition {condition['id']}'")]
    return Doc(f"{what} for {condition['name']}", f"{condition['id']} · {len(groups)} {kind}s",
               [Part(what, blocks), Part("Related", [Block(None, related)])])


def _sentences(text: Any) -> list[str]:
    """A text's sentences; a pointer ('… (as under Pelvis above).') ends one too."""
    return [t for t in re.split(r"(?<=[.!?])\s+|(?<=[.!?]\))\s+", str(text or "").strip()) if t]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def red_flags_doc(rows: list[dict[str, Any]], title: str = "Red flags", shown_condition: str | None = None,
                  names: dict[str, str] | None = None) -> Doc:
    """Red flags as a page set apart in bold red: each flag by name, what it is, why it
    matters, what the review says to do, the conditions it belongs to (in words), its source
    and notes; what every flag shares is said once, before them (``shared_once``)."""
    blocks = []
    for r in rows:
        desc = r.get("description")
        lines: list[Line] = paragraph(desc) if desc and norm(desc) != norm(r["name"]) else []  # not the name again
        lines += [(0, f"Why it matters: {prose(r['why'])}"), (0, f"What to do: {prose(r['action'])}")]
        others = [c for c in r.get("conditions") or [] if c != shown_condition]  # the title names that one
        if others:
            lines.append((0, ("Also for: " if shown_condition else "Conditions: ") + ", ".join((names or {}).get(c, c) for c in others)))
        lines += [(0, "Source: " + text) for _, text in source_lines(r.get("source"), quote=False)]
        lines += [(0, note_line(n)) for n in r.get("notes") or []]
        blocks.append(Block(r["name"], lines))
    sub = f"{len(rows)} red flag{'s' if len(rows) != 1 else ''}: act on these first"
    return Doc(title, sub, [Part("Red flags", shared_once(blocks, "red flags"), alert=True)])


def _labelled(text: str) -> tuple[str, str] | None:
    """'What to do: ...' as ('What to do', '...'); None for prose, a bullet, a note or a quote."""
    label_, sep, rest = text.partition(": ")
    if not sep or len(label_.split()) > 3 or text[:2] in ("• ", "! ") or "“" in label_:
        return None
    return label_, rest


def _field(line: Line) -> str | None:
    """A line's field: its label, '' for the record's prose, None for a note, bullet or quote."""
    text = line[1]
    if (lab := _labelled(text)) is not None:
        return lab[0]
    return None if text[:2] in ("• ", "! ") or "“" in text else ""


def _value(text: str) -> str:
    lab = _labelled(text)
    return lab[1] if lab else text


def shared_once(blocks: list[Block], what: str, point: bool = True) -> list[Block]:
    """A list of records (each a block under its name) that says what they share once:
    records whose lines are all the same become one entry naming them all; a labelled line
    that every record has alike, and the sentences of one that every record has, are said
    once in a lead block ('For all 5 red flags'), each record keeping what is its own (and
    saying it has nothing more, where most others do have more: an omission stays visible);
    a sentence of RUN words or more that an earlier record said is a pointer to it in words
    (``point_back``; with ``point`` False, the caller points back over a longer list).
    One record, or none alike: the blocks as they are."""
    groups: list[tuple[list[str], list[Line]]] = []
    alike: dict[tuple[Line, ...], int] = {}  # a record's lines: its entry in groups
    for b in blocks:
        at = alike.get(tuple(b.lines)) if b.lines else None
        if at is None:
            alike[tuple(b.lines)] = len(groups)
            groups.append(([b.heading or ""], list(b.lines)))
        else:
            groups[at][0].append(b.heading or "")
    n = len(blocks)
    blocks = [Block(_headings(heads), lines) for heads, lines in groups]
    lead: list[Line] = []
    if len(blocks) > 1:
        for lab in dict.fromkeys(k for k in map(_field, blocks[0].lines) if k is not None):
            values = [next(((i, v) for i, line in enumerate(b.lines) if _field(line) == lab for v in [_value(line[1])]), None) for b in blocks]
            if None in values:
                continue
            sents = [_sentences(v) for _, v in values]  # type: ignore[misc]
            common = [x for x in sents[0] if all(x in other for other in sents[1:])]
            if not common:
                continue
            said_as = f"{lab}: " if lab else ""
            lead.append((0, said_as + " ".join(common)))
            rests = [[x for x in ss if x not in common] for ss in sents]
            for b, (i, _), rest in zip(blocks, values, rests):  # type: ignore[misc]
                if rest:
                    b.lines[i] = (b.lines[i][0], said_as + " ".join(rest))
                elif lab and 2 * sum(map(bool, rests)) > len(rests):  # most say more: say that this one does not
                    b.lines[i] = (b.lines[i][0], f"{lab}: only as for all {n} above")
                else:
                    b.lines[i] = (b.lines[i][0], "")
            for b in blocks:
                b.lines = [x for x in b.lines if x[1]]
    if point:
        point_back(blocks)
    if lead:
        blocks.insert(0, Block(f"For all {n} {what}".rstrip(), lead))
    return blocks


def point_back(blocks: list[Block]) -> None:
    """Each sentence of RUN words or more once in a list: said again under a later record,
    it becomes its opening words and a pointer to the first ('The pelvis is composed of …
    (as under Pelvis above).'), short of a run of RUN words."""
    said: dict[str, str] = {}  # a sentence's words: the record that said it first
    for b in blocks:
        for i, (level, text) in enumerate(b.lines):
            if text[:2] in ("! ", "• ") or "“" in text or text.startswith("Source: "):  # a source: named once, then by letter (_once)
                continue
            lab = _labelled(text)
            head, body = (f"{lab[0]}: ", lab[1]) if lab else ("", text)
            out: list[str] = []
            for x in _sentences(body):
                key = _flat(x)
                where = said.get(key)
                if where and len(key.split()) >= RUN and where != b.heading:  # its opening words say which sentence
                    out.append(f"{' '.join(x.split()[:4]).rstrip(',;:')} … (as under {where} above).")
                    continue
                said.setdefault(key, b.heading or "")
                out.append(x)
            b.lines[i] = (level, head + " ".join(out))


def _headings(heads: list[str]) -> str:
    """Several records' names as one heading: 'A, B and C'; 'A; B; C, long head' when a name holds a comma."""
    if len(heads) == 1:
        return heads[0]
    return "; ".join(heads) if any("," in h for h in heads) else _and(heads)


def record_doc(rec: dict[str, Any], kind: str, fields: list[str]) -> Doc:
    """A muscle, nerve, structure or finding: its fields as labelled lines, then links, source, notes."""
    sub = f"{rec['id']} · {rec.get('kind') or kind}" if kind != "muscle" else f"{rec['id']} · muscle ({rec.get('group')})"
    desc = rec.get("description") or rec.get("course")
    parts = [Part("Description", [Block(None, paragraph(desc))])] if desc else []
    parts.append(fields_part("Details", rec, [f for f in fields if f not in ("description", "course")]))
    if kind == "nerve":
        parts.append(Part("Muscles supplied", [Block(None, [(0, ", ".join(rec["muscles"]))] if rec.get("muscles") else
                                                   [(0, "The review names no muscle supplied by this nerve.")])]))
    if kind == "finding" and rec.get("links"):
        blocks = []
        for ln in rec["links"]:
            lines = [(0, f"“{prose(ln['clause'])}”")] if ln.get("clause") else []
            if ln.get("reason"):
                lines.append((0, f"Why: {ln['reason']}"))
            if ln.get("caveat"):
                lines.append((0, f"! caveat: {ln['caveat']}"))
            lines += [(0, "Source: " + s) for _, s in source_lines(ln.get("source"), quote=False)]
            blocks.append(Block(f"{ln['effect']} {ln['condition']} ({ln.get('strength', 'stated')})", lines))
        parts.append(Part("What it says about each condition", blocks))
    parts.append(Part("Source", [Block(None, source_lines(rec.get("source")))]))
    parts.append(notes_part(rec.get("notes")))
    return Doc(rec["name"], sub, parts)


MUSCLE_FIELDS = ["origin", "insertion", "actions", "nerve_name", "nerve", "roots"]
NERVE_FIELDS = ["roots", "plexus", "course"]
STRUCTURE_FIELDS = ["description", "proximal_attachment", "distal_attachment", "function", "part_of"]
FINDING_FIELDS = ["description", "supports", "against", "maneuver", "test", "result", "red_flag"]


def muscle_doc(rec: dict[str, Any]) -> Doc:
    rec = dict(rec, nerve_name=f"{rec.get('nerve_name')} ({rec.get('nerve')})" if rec.get("nerve") else rec.get("nerve_name"))
    return record_doc(rec, "muscle", [f for f in MUSCLE_FIELDS if f != "nerve"])


def muscle_group_doc(rows: list[dict[str, Any]]) -> Doc:
    """A group of muscles ('dxcli muscle hamstring'): each muscle with its attachments,
    actions, nerve and roots, its notes set apart, and where the review says so."""
    groups = list(dict.fromkeys(r.get("group") for r in rows if r.get("group")))
    blocks = []
    wheres = [(source_lines(r.get("source"), quote=False) or [(0, "")])[0][1] for r in rows]
    common = [k for k in ("actions",) if len(rows) > 1 and len({value_text(r.get(k)) for r in rows}) == 1 and rows[0].get(k)]
    shared: list[Line] = [(0, f"{label(k)}: {value_text(rows[0][k])}") for k in common]
    if len(rows) > 1 and len(set(wheres)) == 1 and wheres[0]:
        shared.append((0, "Source: " + wheres[0]))
    if shared:  # said once for the group, not under each muscle
        blocks.append(Block(f"All {len(rows)}", shared))
    for r, where in zip(rows, wheres):
        rec = dict(r, nerve_name=f"{r.get('nerve_name')} ({r['nerve']})" if r.get("nerve") else r.get("nerve_name"))
        lines = [(0, f"{label(k)}: {value_text(rec[k])}") for k in MUSCLE_FIELDS
                 if k not in ("nerve", "roots", *common) and rec.get(k) not in (None, [], "")]
        if rec.get("nerve_name") and rec.get("roots"):  # the nerve and its roots, one line
            lines = [x for x in lines if not x[1].startswith(label("nerve_name") + ":")]
            lines.append((0, f"Nerve: {rec['nerve_name']}, roots {value_text(rec['roots'])}"))
        elif rec.get("roots"):
            lines.append((0, f"Roots: {value_text(rec['roots'])}"))
        if where and not (len(set(wheres)) == 1 and len(rows) > 1):
            lines.append((0, "Source: " + where))
        for n in r.get("notes") or []:
            on = f" (on the {label(n['field']).lower()})" if isinstance(n, dict) and n.get("field") else ""
            lines.append((0, note_line(n) + on))
        blocks.append(Block(f"{r['name']} ({r['id']})", lines))
    title = f"The {' and '.join(groups)} muscles" if groups else f"{len(rows)} muscles"
    sub = f"{', '.join(groups) or 'muscles'} · muscle group of {len(rows)} · one muscle: 'dxcli muscle {rows[0]['id']}'"
    return Doc(title, sub, [Part("Muscles", blocks)])


def _cite_heading(r: dict[str, Any]) -> str:
    """Where a fact sits, in words: 'Source', 'Evidence 2: source', 'Evidence 1: disagreement
    note 2', 'Study zhang-2018-study (contrary)'."""
    path, kind = r.get("path") or "", str(r.get("type") or "")
    if kind.startswith("study"):
        return f"Study {words.cited(path.removeprefix('study ').split(' ')[0])}: {kind.partition(': ')[2] or 'study'}"
    said = []
    for part in path.split("."):
        m = re.match(r"([a-z_]+)\[(\d+)\]$", part)
        name, n = (m.group(1), int(m.group(2)) + 1) if m else (part, None)
        if name == "notes":
            said.append(f"{kind.partition(': ')[2] or 'a'} note {n}" if n else "notes")
        elif name != "source":
            said.append(f"{label(name).rstrip('s') if n else label(name)} {n}".strip() if n else label(name))
    return ": ".join(said + (["source"] if path.split(".")[-1] == "source" and said else [])).capitalize() or "Source"


def cite_doc(rows: list[dict[str, Any]]) -> Doc:
    first = rows[0]
    blocks = []
    whole: set[str] = set()  # a full reference is given once; after that, its short form

    def ref(c: str) -> str:
        m = re.search(r"\[([a-z0-9-]+)\]$", c)
        if c in whole and m:
            return words.cited(m.group(1))
        whole.add(c)
        return words.cited(c) if not m else c

    for r in rows:
        lines = [(0, "; ".join(x for x in (r.get("section"), r.get("refs") and "[" + ", ".join(str(x) for x in r["refs"]) + "]",
                                          r.get("citations") and "(" + ", ".join(ref(c) for c in r["citations"]) + ")") if x))]
        if r.get("text"):
            lines.append((0, ("! " if str(r.get("type", "")).startswith("note: disagreement") else "") + f"“{prose(r['text'])}”"))
        if r.get("review_value") is not None or r.get("primary_value") is not None:
            def val(v: Any) -> str:  # the recorded figures are proportions: shown as percentages
                return stated_pct(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1 else value_text(v)

            lines.append((0, f"The review: {val(r.get('review_value'))}; the primary source: {val(r.get('primary_value'))}"))
        blocks.append(Block(_cite_heading(r), [x for x in lines if x[1]]))
    return Doc(f"Sources of {first['id']}", f"{first['id']} · {first.get('kind')}", [Part("Where each fact comes from", blocks)])


def _interval(iv: Any) -> str:
    """A band's interval object (low, high, and whether each end is closed) as '[0, 190]'."""
    from dxcli.calc.bands import interval_text

    return interval_text(iv) if isinstance(iv, dict) else ""


def kerboul_doc(r: dict[str, Any]) -> Doc:
    lines: list[Line] = []
    if r.get("coronal_angle") is not None:
        lines.append((0, f"Coronal arc {num(r['coronal_angle'])}° + sagittal arc {num(r['sagittal_angle'])}° = combined necrotic angle {num(r['combined_angle'])}°"))
    else:
        lines.append((0, f"Combined necrotic angle {num(r.get('combined_angle'))}°"))
    if r.get("risk_label"):
        lines.append((0, f"Risk group: {r['risk_label']} {_interval(r.get('risk_interval'))}".rstrip()))
        lines += [(1, note_line(n)) for n in r.get("notes") or []]  # where the group's boundary is read: under the group
        if r.get("group_hips") is not None:
            lines.append((1, f"In Ha 2006, {r['group_collapsed']} of {r['group_hips']} hips in this group collapsed"
                             + (f" (95% CI {span(r['group_collapse_ci'], pct)})" if r.get("group_collapse_ci") else "")))
    if r.get("grade") is not None:
        lines.append((0, f"Grade {r['grade']} {_interval(r.get('grade_interval'))}".rstrip()))
        if r.get("grade_hips") is not None:
            lines.append((1, f"In Ha 2006, {r['grade_collapsed']} of {r['grade_hips']} hips of this grade collapsed"
                             + (f" (95% CI {span(r['grade_collapse_ci'], pct)})" if r.get("grade_collapse_ci") else "")))
    if r.get("collapse"):
        lines.append((0, r["collapse"]))
    method = (r.get("group_collapse_ci") or r.get("grade_collapse_ci") or {}).get("method")
    if method:
        lines.append((0, f"Intervals: {method}"))
    parts = [Part("Result", [Block(None, lines)])] + _guidance_parts(r)
    if r.get("study"):
        parts.append(Part("Study", [Block(None, [(0, study_line(r["study"]))] + [(0, note_line(n)) for n in r["study"].get("notes") or []])]))
    parts += [Part("Source", [Block(None, source_lines(r.get("source")))])]
    return Doc("Modified Kerboul necrotic angle", "kerboul · calculator (Ha 2006)", parts)


def kerboul_scale_doc(rows: list[dict[str, Any]], scale: dict[str, Any]) -> Doc:
    """The Kerboul scale itself: each band set (the review's three risk groups, Ha 2006's
    grades) with each band's interval, its hips and collapses in Ha 2006, the review's words
    and the notes where the review and Ha 2006 differ."""
    parts = []
    for bs in scale["band_sets"]:
        blocks = []
        shared: list[str] = [note_line(n) for n in bs.get("notes", [])]
        for r in (r for r in rows if r["set"] == bs["id"]):
            lines: list[Line] = [(0, f"Combined necrotic angle {_interval(r['interval'])} degrees")]
            lines += paragraph(r.get("description"))
            if r.get("review"):
                lines.append((0, f"The review: “{prose(r['review'])}”"))
            lines += [(0, t) for t in (note_line(n) for n in r.get("notes") or []) if t not in shared]
            blocks.append(Block(f"{r['label']} ({r['id']})", lines))
        if shared:
            blocks.append(Block(None, [(0, t) for t in shared]))
        parts.append(Part(bs["name"], blocks))
    parts.append(Part("Use", [Block(None, [(0, "Classify a hip: 'dxcli kerboul 210' (the combined angle) or 'dxcli kerboul 100 110' (the coronal and sagittal arcs)."),
                                            (0, "Intervals: [ and ] include the end, ( and ) leave it out.")])]))
    parts.append(Part("Source", [Block(None, source_lines(scale.get("source")))]))
    parts.append(notes_part(scale.get("notes")))
    return Doc(scale["name"], f"{scale['id']} · scale of the {scale.get('measure')}, in {scale.get('unit')}", parts)


def _guidance_parts(r: dict[str, Any]) -> list[Part]:
    return [Part(t, [Block(None, _guidance_lines(r.get(k)))]) for k, t in (
        ("when_to_use", "When to use"), ("groups_meaning", "What the groups mean"),
        ("pitfalls", "Pitfalls"), ("next_steps", "Next steps"))]


def tonnis_doc(r: dict[str, Any]) -> Doc:
    lines = [(0, f"{r.get('label') or 'Grade ' + str(r.get('grade'))}")]
    for f in r.get("findings") or []:
        lines.append((1, f"• {f['id']}: {f.get('description')} (grade {f.get('grade')})"))
    if r.get("rule"):
        lines.append((0, f"Rule: {r['rule']}"))
    parts = [Part("Result", [Block(None, lines)])] + _guidance_parts(r)
    parts += [Part("Source", [Block(None, source_lines(r.get("source")))]), notes_part(r.get("notes"))]
    return Doc("Tönnis grade of hip osteoarthritis", "tonnis · calculator", parts)


def tonnis_grades_doc(rows: list[dict[str, Any]]) -> Doc:
    """The Tönnis grades (bare 'dxcli tonnis'): each grade and its findings in the review's words."""
    blocks = []
    for g in rows:
        lines = [(0, f"• {f['id']}: {prose(f['description'])}") for f in g.get("findings") or []]
        lines += [(0, note_line(n)) for n in g.get("notes") or []]
        blocks.append(Block(f"Grade {g['grade']}" if g.get("label") in (None, f"Grade {g['grade']}") else f"Grade {g['grade']}: {g['label']}", lines))
    quotes: list[Line] = []
    for g in rows:
        for line in source_lines(g.get("source")):
            if line not in quotes:
                quotes.append(line)
    example = next((g["findings"][0]["id"] for g in reversed(rows) if g.get("findings")), None)
    use = [(0, "Grade a hip from one or more of these findings" + (f", e.g. 'dxcli tonnis {example}'." if example else "."))]
    return Doc("Tönnis grades of hip osteoarthritis", "tonnis · grading (the review's Table 2)",
               [Part("Grades", blocks), Part("Use", [Block(None, use)]), Part("Source", [Block(None, quotes)])])


def prob(v: Any, rng: Any, ci: Any = None, labelled: bool = False) -> str:
    """A computed probability (or its range) and its interval, all with the same digits:
    '80.9% (63.1%–91.8%, 95% CI, ...)'."""
    if v is None and not rng:
        return "not stated"
    if v is None:
        return span(rng, pct)
    if not ci:
        return pct(v)
    point, iv = words.pct_interval(v, ci["low"], ci["high"])
    if labelled:
        return f"{point} ({iv}, {ci['label']})" if ci.get("label") else f"{point} ({iv})"
    if str(ci.get("method", "")).startswith("one known arm"):
        return f"{point} (range {iv}, one known arm: not a 95% CI)"
    return f"{point} (95% CI {iv})"


def _first_up(text: str) -> str:
    """A sentence that opens mid-phrase ('95% simulation interval ...', 'draws ...') with its first letter upper case."""
    return text[:1].upper() + text[1:]


def _independence(n: Any) -> bool:
    """A note that the chain assumes the findings conditionally independent (said once a page)."""
    return "conditionally independent" in str(n.get("text") if isinstance(n, dict) else n)


def posttest_doc(r: dict[str, Any], condition_name: str | None = None) -> Doc:
    pre = span(r["pretest_range"], stated_pct) if r.get("pretest_range") else stated_pct(r.get("pretest"))
    head = [(0, f"Pre-test probability {pre} -> post-test probability "
                f"{prob(r.get('posttest'), r.get('posttest_range'), r.get('posttest_ci'), labelled=True)}")]
    if r.get("condition"):
        head.append((0, f"Condition: {condition_name} ({r['condition']})" if condition_name else f"Condition: {r['condition']}"))
    sim = r.get("posttest_simulation")
    one = len(r.get("steps") or []) == 1
    if one and r.get("posttest_ci"):
        sim = None  # one finding: the analytic interval is the one shown (the simulation is in JSON)
    if sim:
        head.append((0, _first_up(words.simulation(sim, pct))))
    elif r.get("posttest_simulation_note"):
        head.append((0, f"No simulation interval: {prose(r['posttest_simulation_note'])}"))
    lr = num(r["lr"]) if r.get("lr") is not None else (span(r["lr_range"]) if r.get("lr_range") else None)
    if lr and not one:  # one finding: its LR is the step's
        if sim and sim.get("lr"):
            lr += f" (95% simulation interval {words.interval(sim['lr']['low'], sim['lr']['high'])}, the same draws)"
        head.append((0, f"Combined likelihood ratio {lr}"))
    if sim:  # said once, beside the interval: how it was drawn and what it assumes
        head += [(0, "! " + _first_up(prose(n))) for n in sim.get("notes") or [] if "too narrow" not in n]
    if r.get("posttest_ci_note") and sim and str(r["posttest_ci_note"]).startswith("no combined interval"):
        head.append((0, "The steps' intervals do not multiply into a 95% interval for the combined likelihood ratio: "
                        "the simulation interval above is the one for the combination."))
    elif r.get("posttest_ci_note"):
        head.append((0, f"! {r['posttest_ci_note']}"))
    if r.get("posttest_with_primary_figures") is not None:
        head.append((0, f"With the primary source's sensitivity and specificity: post-test probability {pct(r['posttest_with_primary_figures'])}"))
    steps: list[Block] = []
    for s in r.get("steps") or []:
        slr = num(s["lr"]) + _uncorrected(s.get("lr_uncorrected")) if s.get("lr") is not None else (span(s["lr_range"]) if s.get("lr_range") else "not stated")
        after = "" if one else f" -> {prob(s.get('probability'), s.get('probability_range'), s.get('probability_ci'), labelled=True)}"
        lines = [(0, f"{s['finding']} LR {slr}{_ci_label(s.get('lr_ci'))}{after}")]  # one step: its result is the one above
        if s.get("condition") and s["condition"] != r.get("condition"):
            lines.append((1, f"for {s['condition']}"))
        if s.get("lr_ci_note"):
            lines.append((1, f"No interval: {s['lr_ci_note']}"))
        for p in s.get("published_lr_ci") or []:
            alone = f"; at the same pre-test probability it gives {pct(p['probability_if_alone'])}" if p.get("probability_if_alone") is not None else ""
            if p.get("probability_if_alone_ci"):
                alone += f" ({span(p['probability_if_alone_ci'], pct)})"
            sign = "LR+" if p.get("measure") == "lr_positive" else "LR-"
            lines.append((1, f"{words.cited(p.get('citation'))} published {sign} {num(p['value'])} (95% CI {num(p['low'])}–{num(p['high'])}) "
                             f"for {p.get('index_test')}{alone}. {p.get('label') or ''}".rstrip()))
        for w in s.get("with_primary_figures") or []:
            lines.append((1, f"With {words.cited(w['citation'])}'s sensitivity {stated_pct(w.get('sensitivity'))} and specificity {stated_pct(w.get('specificity'))}: "
                             f"LR {num(w.get('lr'))}, post-test probability {pct(w.get('probability_if_alone'))}"))
        if s.get("published_lr_ci") and s.get("with_primary_figures"):
            lines.append((1, TWO_LRS))
        lines += [(1, note_line(n)) for n in s.get("notes") or []]
        steps.append(Block(None, lines))
    shown = {note_line(n) for st in r.get("steps") or [] for n in st.get("notes") or []}
    parts = [Part("Result", [Block(None, head)]), Part("Steps", steps),
             notes_part([n for n in r.get("notes") or [] if note_line(n) not in shown
                         and (n.get("text") if isinstance(n, dict) else n) != r.get("posttest_ci_note")
                         and not (sim and _independence(n) and any(_independence(x) for x in sim.get("notes") or []))])]  # each note once
    return Doc("Post-test probability", "posttest · calculator", parts)


def records_doc(rows: list[dict[str, Any]], view: Any) -> Doc:
    """A list of records for a narrow terminal: each record a heading (its id, whole) and
    its other columns as labelled lines, instead of a table squeezed to one word a line;
    what the records share said once (``shared_once``)."""
    keys = list(view.columns or dict.fromkeys(k for r in rows for k in r))
    head = next((k for k in ("id", "rank", "maneuver", "test", "grade", "muscle_name", "name", "kind") if k in keys), keys[0])
    name = "name" if "name" in keys and head != "name" else None
    blocks = []
    for r in rows:
        first = inert(view.shown[head](r.get(head))) if head in view.shown else value_text(r.get(head))
        heading = first + (f"  {value_text(r[name])}" if name and r.get(name) else "")
        lines: list[Line] = []
        for k in keys:
            if k in (head, name) or r.get(k) in (None, "", []):
                continue
            v = r[k]
            text = inert(view.shown[k](v)) if k in view.shown else value_text(v)
            lines.append((0, f"{view.headers.get(k) or label(k)}: {text}".replace("\n", "; ")))
        blocks.append(Block(heading, lines))
    caption = [(0, line) for line in (view.caption or "").split("\n") if line]
    title = view.title or "List"
    return Doc(title, f"{len(rows)} in all", [Part("", shared_once(blocks, "")), Part("About", [Block(None, caption)])])


KINDS_IN_WORDS = {"bursa": "Bursae", "fascia": "Fasciae"}  # plurals that are not a word and an s


def structures_doc(rows: list[dict[str, Any]]) -> Doc:
    """Every structure, grouped by kind (bones, joints, landmarks...) in the data's order:
    each by name, its description beneath, and what it is part of; what several say alike is
    said once (``shared_once``). Ids are for the machine formats, and for the next command."""
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_kind.setdefault(str(r.get("kind") or "structure"), []).append(r)
    names = {r["id"]: r["name"] for r in rows}
    blocks: list[Block] = []
    parts = []
    for kind, recs in by_kind.items():
        words_ = kind.replace("_", " ")
        title = words_.capitalize() if len(recs) == 1 else KINDS_IN_WORDS.get(words_, words_.capitalize() + "s")
        kind_blocks = []
        for r in recs:
            lines = paragraph(r.get("description"))
            if r.get("part_of"):
                lines.append((0, f"Part of: {names.get(r['part_of'], r['part_of'])}"))
            kind_blocks.append(Block(r["name"], lines))
        kind_blocks = shared_once(kind_blocks, title.lower(), point=False)  # said once for the kind
        parts.append(Part(title, kind_blocks))
        blocks += kind_blocks
    point_back(blocks)  # one page: a sentence said under one kind is pointed to from another
    sub = f"{len(rows)} structures · one structure: 'dxcli anatomy {rows[0]['id']}'" if rows else None
    return Doc("Anatomy", sub, parts)


# --------------------------------------------------------------------------- the ranked differential and cases


def _words(ids: Iterable[str], names: dict[str, str]) -> str:
    """Finding ids as the findings' names: 'female; middle-aged; pain worse with sitting'."""
    out = []
    for i in ids:
        n = names.get(i)
        first = (n or "").split(" ")[0]
        proper = n is not None and (n[:2].isupper() or re.search(r"-[A-Z]", first) is not None)  # 'Puranen-Orava test'
        out.append(n[0].lower() + n[1:] if n and not proper else n or i)
    return "; ".join(out)  # a finding's name can hold a comma ('reduced, painful hip range of motion')


def _lr_ci(band: Any) -> str:
    """' (95% CI 4–26.29)', or ' (0–0.19, one known arm: not a 95% CI)' for a one-arm range."""
    if not band:
        return ""
    if str(band.get("method", "")).startswith("one known arm"):
        return f" ({span(band)}, one known arm: not a 95% CI)"
    return f" (95% CI {span(band)})"


def _plain(text: str) -> str:
    return _flat(prose(text))


def _status(i: dict[str, Any]) -> str:
    return {"present": "", "absent": "absent: "}.get(i["status"], f"{i['status']}: ")


def _named_reasons(items: list[dict[str, Any]], names: dict[str, str]) -> str:
    """Statements by their findings alone: 'female; middle-aged; absent: thigh pain'."""
    return "; ".join(_status(i) + _words(i["findings"], names) for i in items)


def _reason_key(i: dict[str, Any]) -> tuple[Any, ...]:
    return i["status"], i["clause"], tuple(i["findings"]), i.get("lr")


def _reason_lines(sign: str, items: list[dict[str, Any]], names: dict[str, str],
                  shown: list[tuple[str, str, list[str]]] | None = None, then: list[dict[str, Any]] | None = None,
                  at: str | None = None, whose: str = "", quoted: list[tuple[str, str]] | None = None) -> list[Line]:
    """The statements for (+) or against (-) a condition, each with the review's clause quoted.
    ``shown``: the findings of the statements already on the page (a long set named again reads
    'the findings of the pointer for X above, except Y'); ``then``: the same condition's statements
    at the stage before (``at``), which are named, not quoted again, with what changed written out;
    ``quoted``: the quotes the stage before showed (where, words): a clause that lies whole in one
    points to it."""
    lines: list[Line] = []
    if then is not None:
        before = {_reason_key(i) for i in then}
        kept = [i for i in items if _reason_key(i) in before]
        side = "for it" if sign == "+" else "against it"
        if kept:
            lines.append((0, f"{sign} still {side}: {_named_reasons(kept, names)}"))
        now = {_reason_key(i) for i in items}
        gone = [i for i in then if _reason_key(i) not in now]
        if gone:
            lines.append((0, f"{sign} no longer counted {side}: {_named_reasons(gone, names)}"))
        items = [i for i in items if _reason_key(i) not in before]
    for i in items:
        lr = f", LR {num(i['lr'])}{_uncorrected(i.get('lr_uncorrected'))}{_lr_ci(i.get('lr_ci'))}" if i.get("lr") is not None else ""
        status = _status(i)
        found, what = i["findings"], _words(i["findings"], names)
        for cname, strength, earlier in shown or []:  # the same findings named for another condition just above
            if len(set(found) & set(earlier)) >= 3 and (set(found) <= set(earlier) or set(earlier) <= set(found)):
                what = f"the findings of the {strength} for {cname} above"
                what += f", except {_words([f for f in earlier if f not in found], names)}" if set(earlier) - set(found) else ""
                what += f", and {_words([f for f in found if f not in earlier], names)}" if set(found) - set(earlier) else ""
                break
        else:
            if shown is not None and len(found) >= 3:
                shown.append((whose, i["strength"], found))
        clause = f"“{prose(i['clause'])}”"
        words_ = _plain(i["clause"])
        for where, text in quoted or []:  # the clause lies whole in a quote the stage before showed
            if len(words_.split()) >= RUN and f" {words_} " in f" {text} ":
                clause = f"as quoted above for {where}"
                break
        lines.append((0, f"{sign} {status}{what} ({i['strength']}{lr}): {clause}"))
        lines += [(1, note_line(n)) for n in i.get("notes") or []]
    return lines


def _lr_pair(x: dict[str, Any]) -> str:
    def one(key: str) -> str:
        if x.get(key) is not None:
            return num(x[key]) + _uncorrected(x.get(key + "_uncorrected"))
        rng = x.get(key + "_range")
        return f"{'unbounded' if rng[0] is None else num(rng[0])} to {'unbounded' if rng[1] is None else num(rng[1])}" if rng else "not stated"

    return f"LR+ {one('lr_positive')}, LR- {one('lr_negative')}"


def _next_lines(mine: list[dict[str, Any]]) -> list[Line]:
    """What to examine next for one condition: first what has likelihood ratios (each with
    what a result would do), then the rest of the review's work-up, each with its role in
    words and the review's words, quoted."""
    lines: list[Line] = []
    measured = [x for x in mine if x.get("accuracy") != "no accuracy stated"]
    rest = [x for x in mine if x.get("accuracy") == "no accuracy stated"]
    for x in measured:
        role = f"; in the review's work-up {words.role(x['role'])}" if x.get("role") else ""
        lines.append((0, f"• {x['name']}: {_lr_pair(x)}{role}"))
        lines += [(1, note_line(n)) for n in x.get("notes") or []]
    if rest:
        lines.append((0, "No accuracy stated; the review's work-up:" if measured or not lines else "No accuracy stated:"))
    for x in rest:
        ppv = x["why"].partition("(")[2].rstrip(")") if "(" in x.get("why", "") else ""
        what = "; ".join(t for t in (words.role(x["role"]) if x.get("role") else "", ppv) if t)
        lines.append((0, f"• {x['name']}" + (f": {what}" if what else "")))
        if x.get("quote"):
            lines.append((1, f"“{prose(x['quote'])}”"))
        lines += [(1, note_line(n)) for n in x.get("notes") or []]
    return lines


def _same_step(x: dict[str, Any], y: dict[str, Any]) -> bool:
    """One suggestion at two stages: the same record with the same figures and words (the
    condition's rank aside, which the ranking shows)."""
    return {k: v for k, v in x.items() if k != "rank"} == {k: v for k, v in y.items() if k != "rank"}


def next_blocks(items: list[dict[str, Any]], cond_names: dict[str, str],
                then: list[dict[str, Any]] | None = None, at: str | None = None) -> list[Block]:
    """What to examine next, a block for each condition in the lead. ``then``: what the stage
    before (``at``) suggested; a condition it suggested the same for points to it, and one
    whose suggestions changed names what stands, what is no longer listed and shows what is new."""
    blocks: list[Block] = []
    for cid in dict.fromkeys(x["for_condition"] for x in items):
        mine = [x for x in items if x["for_condition"] == cid]
        earlier = [x for x in then or [] if x["for_condition"] == cid]
        if not earlier:
            lines = _next_lines(mine)
        else:
            old = {x["id"]: x for x in earlier}
            same = [x for x in mine if x["id"] in old and _same_step(x, old[x["id"]])]
            new = [x for x in mine if x not in same]
            gone = [x for x in earlier if x["id"] not in {y["id"] for y in mine}]
            if not new and not gone:
                lines = [(0, f"As under {at}: what to examine next, above")]
            else:
                lines = [(0, f"As under {at} above: " + "; ".join(x["name"] for x in same))] if same else []
                if gone:
                    lines.append((0, "No longer listed, as the findings now include them: " + "; ".join(x["name"] for x in gone)))
                lines += _next_lines(new)
        blocks.append(Block(f"For {cond_names.get(cid, cid)}", lines))
    return blocks


def _rank(r: dict[str, Any]) -> str:
    return f"{r['rank']}=" if r.get("tied") else str(r["rank"])


def ranking_parts(result: dict[str, Any], title: str, names: dict[str, str], basis: bool = True,
                  then: dict[str, Any] | None = None) -> list[Part]:
    """A ranked differential as parts of a page: its red flags first (an alert), the
    conditions in rank order with the statements for and against each, what to examine next.
    ``then``: the stage before in a case (its ``title``, ``conditions`` and ``next``): each
    condition then shows what changed since (score, rank, new statements) and names the rest
    as standing as at that stage, rather than quoting it again."""
    flags = [Block(f"{f['name']} ({_words([f['finding']], names)})", [(0, prose(f["action"]))]) for f in result["red_flags"]]
    cond_names = {r["id"]: r["name"] for r in result["conditions"]}
    at = then["title"] if then else None
    before = {r["id"]: r for r in (then or {}).get("conditions") or []}
    shown: list[tuple[str, str, list[str]]] = []
    quoted = [(f"{x['name']}, under {at}: what to examine next", _plain(x["quote"]))
              for x in (then or {}).get("next") or [] if x.get("quote")]
    blocks = []
    if then:
        blocks.append(Block(None, [(0, f"What changed since {at}: each score and rank beside those at {at}; "
                                       f"statements shown at {at} are named here, not quoted again.")]))
    for r in result["conditions"]:
        rank = _rank(r)
        lr = f" · LR product {num(r['lr'])}" if r.get("lr") is not None else ""
        if lr and r.get("lr_simulation"):
            lr += f" (95% simulation interval {words.interval(r['lr_simulation']['low'], r['lr_simulation']['high'])})"
        p = before.get(r["id"])
        moved = ""
        if p is not None:  # 'Score 4, up from 3; ranked 1= at History'
            moved = "unchanged" if p["score"] == r["score"] else f"{'up' if r['score'] > p['score'] else 'down'} from {p['score']}"
            moved = f", {moved}; ranked {_rank(p)} at {at}" if _rank(p) != rank else f", {moved} since {at}"
        lines = [(0, f"Score {r['score']}{moved}{lr}")]
        if r.get("order_simulation"):
            o = r["order_simulation"]
            lines.append((0, words.order_share(o, cond_names.get(o["below"], o["below"]))))
        fixed = [f"the {f['fixed']} of {_words([f['finding']], names)}" for f in (r.get("lr_simulation") or {}).get("fixed") or []]
        if fixed:
            fixed = list(dict.fromkeys(fixed))
            lines.append((0, f"The interval is too narrow: {', '.join(fixed)} {'is' if len(fixed) == 1 else 'are'} held at the stated "
                             f"figure{'' if len(fixed) == 1 else 's'} (counts not stated)"))
        lines += _reason_lines("+", r["supporting"], names, shown, p and p["supporting"], at, r["name"], quoted)
        lines += _reason_lines("-", r["against"], names, shown, p and p["against"], at, r["name"], quoted)
        notes = [note_line(n) for n in r.get("notes") or []]
        said = {note_line(n) for n in (p or {}).get("notes") or []}
        if any(n in said for n in notes):
            kinds = list(dict.fromkeys(n[2:].partition(":")[0] for n in notes if n in said))
            lines.append((0, f"! {' and '.join(kinds)}: as at {at} above"))
        lines += [(0, n) for n in notes if n not in said]
        blocks.append(Block(f"{rank}  {r['name']}", lines))
    sims = [r["lr_simulation"] for r in result["conditions"] if r.get("lr_simulation")]
    if sims:  # how the intervals were drawn and what they assume, once
        blocks.append(Block(None, [(0, f"Simulation intervals and shares: Jeffreys priors, {sims[0]['draws']:,} draws, seed {sims[0]['seed']}; "
                                       "the likelihood ratios are multiplied in each draw, which assumes the findings independent given "
                                       "the condition, as the LR product does; an order that holds in fewer than 95% of draws is not firm.")]))
    if basis and result.get("basis"):
        blocks.append(Block(None, [(0, "Ranking: " + prose(result["basis"]))]))
    nxt = next_blocks(result.get("next") or [], cond_names, then and then.get("next"), at)
    if result.get("next_why"):
        nxt.append(Block(None, [(0, prose(result["next_why"]))]))
    measured = [x for x in result.get("next") or [] if x.get("accuracy") != "no accuracy stated"]
    if measured and not then:  # what the reader types next: a name, or in a command the id
        x = measured[0]
        nxt.append(Block(None, [(0, "A maneuver's or test's page: 'dxcli maneuver NAME', 'dxcli test NAME'. A result's "
                                    "post-test probability, from a pre-test probability you judge, e.g. "
                                    f"'dxcli posttest -p 0.3 {x['id']}+ --condition {x['for_condition']}'")]))
    return [Part("Red flags: act on these first", flags, alert=True), Part(title, blocks), Part("What to examine next", nxt)]


def report_doc(result: dict[str, Any], title: str, names: dict[str, str]) -> Doc:
    """The ranked differential from findings, as a page."""
    sub = [f"present: {_words(result['present'], names)}" if result.get("present") else None,
           f"absent: {_words(result['absent'], names)}" if result.get("absent") else None]
    return Doc(title, " · ".join(s for s in sub if s) or None, ranking_parts(result, "Ranking", names))


def case_doc(report: dict[str, Any], names: dict[str, str]) -> Doc:
    """A case as a page: its story stage by stage, each with its findings in words, the
    ranking it gives and what to examine next; then the work-up, the outcome and the diagnosis."""
    who = ", ".join(x for x in (f"{report['age']}-year-old" if report.get("age") else None, report.get("sex")) if x)
    sub = " · ".join(x for x in (report["id"], "case", who, f"complaint: {report['complaint']}") if x)
    bases = {st.get("basis") for st in report["stages"]}
    parts: list[Part] = []
    before: dict[str, Any] = {}  # the stage before: its title and findings, said once and pointed to

    def said(label: str, key: str, st: dict[str, Any]) -> list[Line]:
        now, then = st.get(key) or [], before.get(key) or []
        if not now:
            return []
        if then and set(then) <= set(now):  # a later stage keeps what the one before found
            new = [f for f in now if f not in then]
            more = f", and also: {_words(new, names)}" if new else ""
            return [(0, f"{label}: as at {before['title']} above{more}")]
        return [(0, f"{label}: {_words(now, names)}")]

    for st in report["stages"]:
        lines = paragraph(st.get("narrative"))
        found = said("Present", "present", st) + said("Looked for and absent", "absent", st)
        shown_before, before = before or None, st
        found += [(0, f"Added from the case file: {_words([a['finding']], names)} ({prose(a['because'])})") for a in report.get("added") or []]
        parts.append(Part(st["title"], [Block(None, lines), Block("Findings", found)]))
        for p in ranking_parts(st, f"{st['title']}: the ranked differential", names, basis=len(bases) > 1, then=shown_before):
            if p.title == "What to examine next":
                p.title = f"{st['title']}: what to examine next"
            elif p.alert:
                p.title = f"{st['title']}: red flags, act on these first"
            parts.append(p)
    for title, key in (("Work-up", "workup"), ("Outcome", "outcome")):
        parts.append(Part(title, [Block(None, bullets(report.get(key)))]))
    if report.get("diagnosis"):
        known = {r["id"]: r["name"] for st in report["stages"] for r in st["conditions"]}
        d = report["diagnosis"]
        parts.append(Part("Diagnosis", [Block(None, [(0, f"{known[d]} (its page: 'dxcli condition {d}')" if d in known else d)])]))
    if len(bases) == 1 and report.get("basis"):
        basis = report["basis"]
        parts.append(Part("How the ranking works", [Block(None, paragraph(_first_up(basis)))]))
    parts.append(Part("Source", [Block(None, source_lines(report.get("source"), quote=False))]))
    return Doc(report["title"], sub, parts)
