"""Values in words, one way everywhere a person reads them: pages, tables, Markdown, Anki
cards, the quiz and the Fagan labels.

The precision rule: a computed likelihood ratio and its interval to 3 significant figures
(``lr``); a computed probability as a percentage, a point and its interval with the same
digits (``pcts``); a value the source states keeps the source's precision (``stated``,
``stated_pct``: the review's 98% is not 98.0%). Machine formats carry the values unrounded.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable, Iterable, Optional

NOT_STATED = "not stated"
_REF = r"\[ref ([0-9][0-9, –-]*)\]"  # compiled on first use (re's cache): not every text cites


def prose(text: Any) -> str:
    """Text for a person: the review's '[ref 11, 12]' as '[11, 12]'."""
    return re.sub(_REF, r"[\1]", str(text))


def stated(x: Any) -> str:
    """A number as the source states it: 0.89, 9.89, 49 (shortest faithful text)."""
    if x is None:
        return NOT_STATED
    if isinstance(x, float):
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        if x == int(x) and abs(x) < 1e15:
            return str(int(x))
        return repr(round(x, 6))
    return str(x)


def sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures (calc.numbers.significant: one rule)."""
    from dxcli.calc.precision import significant

    return significant(x, digits)


def lr(x: Any) -> str:
    """A computed likelihood ratio: 3 significant figures; unbounded is ∞."""
    if x is None:
        return NOT_STATED
    return sig(float(x))


def stated_pct(x: Any) -> str:
    """A stated proportion as a percentage, in the source's precision: 0.98 -> '98%'."""
    if x is None:
        return NOT_STATED
    return stated(round(x * 100, 6)) + "%"


def _pct_places(x: float, digits: int = 3) -> int:
    p = abs(x * 100)
    if p == 0 or p >= 100:
        return 0
    return max(min(digits - 1 - math.floor(math.log10(p)), 1), 0)


def pcts(*xs: Optional[float]) -> list[str]:
    """Computed probabilities as percentages, 3 significant figures and at most one decimal,
    with the same digits for all of them (a point and its interval): (0.77, 0.953) ->
    ['77.0%', '95.3%']. One alone keeps no trailing zero: 0.42 -> '42%'."""
    places = max((_pct_places(x) for x in xs if x is not None), default=0)
    out = []
    for x in xs:
        if x is None:
            out.append(NOT_STATED)
            continue
        text = f"{x * 100:.{places}f}"
        if len(xs) == 1 and "." in text:
            text = text.rstrip("0").rstrip(".")
        if 0 < x < 1 and float(text) in (0.0, 100.0):  # never a bare 0% or 100% that is not exact
            text = "<0.1" if x < 0.5 else ">99.9"
        elif x in (0, 1) and len(xs) == 1:  # exact, alone
            text = str(int(x * 100))  # an exact end: '0%', not '0.0%
        out.append(text + "%")
    return out


def pct(x: Any) -> str:
    """One computed probability as a percentage (3 significant figures, at most one decimal)."""
    return pcts(x)[0]


def interval(low: Any, high: Any, show: Callable[[Any], str] = lr) -> str:
    """'4–26.3': an interval's ends in one precision (for percentages, use ``pct_interval``)."""
    if show is pct:
        a, b = pcts(low, high)
        return f"{a}–{b}"
    return f"{show(low)}–{show(high)}"


def pct_interval(point: Optional[float], low: float, high: float) -> tuple[str, str]:
    """A computed probability and its interval with the same digits: ('63.1%', '58.0%–91.8%')."""
    p, a, b = pcts(point, low, high)
    return p, f"{a}–{b}"


def span(v: Any, show: Callable[[Any], str] = lr) -> str:
    """A [low, high] pair or a {low, high} interval as 'low–high'."""
    if isinstance(v, dict):
        return interval(v["low"], v["high"], show)
    return interval(v[0], v[1], show)


def lr_bounded(x: Any, rng: Any = None) -> str:
    """An LR for a person: never a bare 0 or ∞ where the data has a range or an interval:
    '0 (range 0–0.19)', '0 (95% CI 0–0.2)'."""
    text = lr(x)
    if x is not None and (x == 0 or x == math.inf) and rng:
        what = "95% CI" if isinstance(rng, dict) and not str(rng.get("method", "")).startswith("one known arm") else "range"
        text += f" ({what} {span(rng)})"
    return text


def simulation(sim: dict[str, Any], show: Callable[[Any], str] = lr, ends: Optional[dict[str, Any]] = None) -> str:
    """A simulation interval in words: '95% simulation interval 89.1%–98.1% (Jeffreys priors,
    2,000 draws, seed 20011); too narrow: puranen-orava+ held fixed'. ``ends`` gives the
    interval's ends when they are not the object's own (the combined LR of a posttest)."""
    band = ends or sim
    text = f"95% simulation interval {interval(band['low'], band['high'], show)} (Jeffreys priors, {sim['draws']:,} draws, seed {sim['seed']})"
    fixed = list(dict.fromkeys(f["finding"] for f in sim.get("fixed") or []))
    if fixed:
        text += f"; too narrow: {', '.join(fixed)} held fixed"
    return text


def order_share(o: dict[str, Any], below: str) -> str:
    """How firm a step of a ranking is: 'Above Gluteus medius tendinopathy by the LR products:
    holds in 87% of 2,000 draws; the order is not firm' (firm from 95%)."""
    text = f"Above {below} by the LR products: holds in {math.floor(o['share'] * 100)}% of {o['draws']:,} draws"
    return text + ("" if o.get("firm") else "; the order is not firm")


ROLES = {  # a test's role in the review's work-up, in words
    "confirmatory": "to confirm the diagnosis",
    "confirmatory adjunct": "as an adjunct to confirm the diagnosis",
    "initial test": "as the first test",
    "point of care assessment": "for an assessment at the point of care",
}


def role(r: str) -> str:
    """A test's role in the review's work-up: 'confirmatory' -> 'to confirm the diagnosis';
    a role the review words as a condition ('when MRI is contraindicated') as it is."""
    return ROLES.get(str(r).strip().lower(), prose(r))


def percent_or_range(v: Any, rng: Any) -> str:
    """A stated proportion, or its stated range."""
    if v is not None:
        return stated_pct(v)
    if rng:
        return f"{stated_pct(rng[0])}–{stated_pct(rng[1])}"
    return NOT_STATED


def kind(k: Any) -> str:
    """A kind in words: 'red_flag' -> 'red flag' (machine formats keep the value)."""
    return str(k).replace("_", " ")


_CITATIONS: dict[str, Any] = {"find": None, "names": None}


def use_citations(find: Callable[[], dict[str, str]]) -> None:
    """Where sources get their words: a function of no argument giving each citation's and
    study's id its short form ('grimaldi-2017' -> 'Grimaldi et al. 2017'), called once, when a
    page first names a source."""
    _CITATIONS.update(find=find, names=None)


def cited(cid: str) -> str:
    """A source in words ('Grimaldi et al. 2017'), or its id where no words are known."""
    if _CITATIONS["names"] is None and _CITATIONS["find"] is not None:
        _CITATIONS["names"] = _CITATIONS["find"]()
    return (_CITATIONS["names"] or {}).get(cid, cid)


def note(n: Any, citation: Optional[Callable[[str], str]] = None) -> str:
    """A note in words: 'disagreement: ... (Ha et al. 2006)'; ``citation`` names a source by
    its id (without it, the source's short form from ``cited``). A note whose text already
    begins with its kind ('Unverified: ...') says it once."""
    if isinstance(n, str):
        return prose(n)
    kind_word = kind(n.get("kind", "note"))
    text = prose(n["text"])
    if text.lower().startswith(kind_word.lower() + ":"):
        text = text[len(kind_word) + 1:].lstrip()
    text = f"{kind_word}: {text}"
    if n.get("citation"):
        text += f" ({(citation or cited)(n['citation'])})"
    return text


def source(src: Optional[dict[str, Any]]) -> str:
    """Where a fact sits: 'Gluteus Medius Tendinopathy / Clinical Findings; Table 2 [15] (Rompe et al. 2009)'."""
    if not src:
        return ""
    where = "; ".join(p for p in (src.get("section"), src.get("table")) if p)
    if src.get("refs"):
        where += " [" + ", ".join(str(r) for r in src["refs"]) + "]"
    if src.get("citations"):
        where += " (" + ", ".join(cited(c) for c in src["citations"]) + ")"
    return where.strip()


def figure(f: dict[str, Any]) -> str:
    """A condition's figure: 'description: 15%–20% (timepoint)'."""
    return f"{f['description']}: {figure_value(f)}"


def figure_value(f: dict[str, Any]) -> str:
    unit = f.get("unit", "proportion")

    def one(x: float) -> str:
        return stated_pct(x) if unit == "proportion" else f"{stated(x)} {unit}"

    if f.get("value") is not None:
        text = one(f["value"])
    else:
        lo, hi = f["range"]
        text = one(lo) if lo == hi else f"{one(lo)}–{one(hi)}"
    return text + (f" ({f['timepoint']})" if f.get("timepoint") else "")


def study(st: dict[str, Any]) -> str:
    """A study in one sentence: name, ids, design, groups, reference standard, how it was read."""
    ids = ", ".join(x for x in (f"PMID {st['pmid']}" if st.get("pmid") else None, f"doi {st['doi']}" if st.get("doi") else None) if x)
    design = st.get("design") or "design not stated"
    if st.get("direction") not in (None, "not stated"):
        design = f"{st['direction']} {design}"
    text = f"{st['name']}{f' ({ids})' if ids else ''}: {design}"
    if st.get("groups"):
        text += f"; {st['groups']}"
    text += "."
    ref = st.get("reference_standard")
    if ref:
        text += f" Reference standard: {ref.rstrip('.')}"
        if st.get("reference_standard_read") not in (None, "abstract"):
            text += f" (read in {st['reference_standard_read']} sources)"
        text += "."
    if st.get("read"):
        text += f" Study read: {st['read']}."
    return text


def published_ci(p: dict[str, Any], names: dict[str, str]) -> str:
    """A published interval, with its source's name: 'Published by X (index test): LR+ 2.1 (95% CI 1.2–3.4)'."""
    measure = p["measure"].replace("lr_positive", "LR+").replace("lr_negative", "LR−")
    return (f"Published by {names.get(p['citation'], p['citation'])} ({p['index_test']}): "
            f"{measure} {stated(p['value'])} (95% CI {stated(p['low'])}–{stated(p['high'])})")


def joined(items: Iterable[str]) -> str:
    return ", ".join(items)
