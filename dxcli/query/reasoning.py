"""Reasoning over a patient's findings: a ranked differential that shows its work.

Each finding in ``reference/findings.toml`` links to the conditions it bears on. A link
quotes the review's statement, the clause it rests on, and a strength read from that
clause (see ``FindingLink`` in the models and "Ranked differential" in the README):

- a finding given as present counts +1 for a condition its link supports, -1 where the
  clause says it should not occur ("contrary"), whatever hedge the clause uses;
- a finding given as absent counts -1 only where the clause is ``expected`` (invariable
  or defining) and, for a clause several findings share, every one of them is absent;
  absence of a hedged, contrasted, stage-limited, demographic or advisory clause is
  neutral; an absent maneuver or test result counts as the opposite result;
- a finding not given is unknown and counts neither way;
- the findings that describe one observation for a condition (its ``group``) score
  once, and so do the findings that rest on one clause.

The ranking is ordinal. Where a finding is a maneuver or test result with stated
accuracy, its likelihood ratio is shown (with its interval, ``lr_ci``, where the study's
counts give one), and equal scores are ordered by the product of
those ratios; conditions equal on both share a rank. No probability is computed.
"""

from __future__ import annotations

import math
from typing import Any, Iterable, Optional, Sequence

from dxcli.calc.likelihood import lr_negative, lr_positive
from dxcli.errors import InvalidInput
from dxcli.query.accuracy import _box, _note, finite_sample_note, record_notes, same_study_notes, strength, strongest_rows
from dxcli.query.evidence import finding_interval
from dxcli.query.lookup import find_record, norm, suggest
from dxcli.reference import loader

BASIS = (
    "ordinal: +1 for each clause of the review that a present finding supports (+2 where the review "
    "points from the finding to the condition: 'may point to ... as the primary diagnosis', 'strongly "
    "suggests this diagnosis', 'relatively specific', 'specific but not sensitive'), -1 for each it "
    "contradicts and for each expected (invariable or defining) clause whose findings are all "
    "absent; the absence of a hedged ('may', 'can'), contrasted, stage-limited, demographic or "
    "advisory clause counts neither way; findings describing one observation, or resting on one "
    "clause, score once per condition, by their strongest clause; equal scores are ordered by the "
    "product of the likelihood ratios of maneuver and test results with stated accuracy, then a "
    "diagnosis of exclusion after the others; conditions equal on all three share a rank, listed "
    "in the review's table order, which carries no meaning; no probability is "
    "given, because the review states no prevalence for this differential"
)
EXCLUSION = (
    "The review: \u201c{quote}\u201d. On equal evidence it is ranked after the conditions it would "
    "tie with, since it is made once they are excluded."
)
INDEPENDENCE = (
    "The combined likelihood ratio multiplies the ratios of {n} results, which assumes they are "
    "conditionally independent given the condition; correlated findings overstate the change."
)
POINTER_WEIGHT = 2


def weight(link: dict[str, Any]) -> int:
    """What a present finding's link counts: 2 where the review points from the finding to the
    condition (``pointer``), else 1."""
    return POINTER_WEIGHT if link["strength"] == "pointer" else 1


def find_finding(name: str) -> Optional[dict[str, Any]]:
    """The finding whose id, name or alias is ``name`` (normalised), through the store's index of
    names: it decodes that one record, never the vocabulary."""
    return loader.record_named("finding", name.strip(), norm(name))


def resolve_findings(names: Iterable[str], what: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    names = list(names)
    loader.prefetch("finding", [n.strip() for n in names if n and n.strip()])  # one read for the ids given
    for n in names:
        if not n or not n.strip():
            raise InvalidInput(f"empty {what} finding", hint="list finding ids with 'dxcli finding'")
        f = find_finding(n)
        if f is None:
            raise InvalidInput(
                f"unknown {what} finding {n!r}",
                hint=suggest(loader.records("finding"), n, "finding"),
            )
        if f not in out:
            out.append(f)
    return out


def _opposite(f: dict[str, Any], pool: list[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The finding for the opposite result of the same maneuver or test, among ``pool`` (the
    findings linked to the complaint's conditions: one linked to none of them scores nothing)."""
    key = "maneuver" if f.get("maneuver") else "test" if f.get("test") else None
    if key is None or f.get("result") not in ("positive", "negative"):
        return None
    want = "negative" if f["result"] == "positive" else "positive"
    for g in pool:
        if g.get(key) == f[key] and g.get("result") == want:
            return g
    return None


def _measured(f: dict[str, Any], condition: str) -> Optional[tuple[float, dict[str, Any], dict[str, Any], Optional[dict[str, Any]]]]:
    """(LR, record, evidence, zero-cell correction or None) of a maneuver/test result for
    ``condition``, from stated point accuracy; a point LR of 0 or infinity from a zero cell is
    replaced by the corrected one (``query.evidence.zero_cell_lr``)."""
    kind = "maneuver" if f.get("maneuver") else "test" if f.get("test") else None
    if kind is None or f.get("result") not in ("positive", "negative"):
        return None
    rec = _record(kind, f[kind])
    if rec is None:
        return None
    for ev in rec["evidence"]:
        if ev["condition"] != condition:
            continue
        sens, spec = _box(ev, "sensitivity"), _box(ev, "specificity")
        if sens and spec and sens[0] == sens[1] and spec[0] == spec[1]:
            positive = f["result"] == "positive"
            fn = lr_positive if positive else lr_negative
            lr = fn(sens[0], spec[0])
            if lr is not None and (lr == 0 or math.isinf(lr)):
                # the zero-cell corrected LR, as posttest and --next use it
                fixed = finding_interval(kind, rec, ev, positive=positive).get("corrected")
                if fixed is not None:
                    return fixed["lr"], rec, ev, fixed
            if lr is not None:
                return lr, rec, ev, None
    return None


_RECORDS: list[Any] = [None, {}]  # [the store the records were read from, {(kind, id): record}]


def _record(kind: str, rid: str) -> Optional[dict[str, Any]]:
    """One maneuver or test by id, read once per process while the store stays the same."""
    st = loader.store()
    if _RECORDS[0] is not st:
        _RECORDS[:] = [st, {}]
    key = (kind, rid)
    if key not in _RECORDS[1]:
        _RECORDS[1][key] = loader.by_ids(kind, [rid]).get(rid)
    return _RECORDS[1][key]


def _linked(cids: list[str]) -> list[dict[str, Any]]:
    """The findings linked to any of ``cids``, each once, through the store's link table."""
    seen: dict[str, dict[str, Any]] = {}
    for recs in loader.referring_each("finding", "condition", cids).values():
        for f in recs:
            seen.setdefault(f["id"], f)
    return list(seen.values())


def _link_notes(link: dict[str, Any], condition: dict[str, Any]) -> list[dict[str, Any]]:
    notes = [{"kind": "caveat", "text": link["caveat"], "citation": None}] if link.get("caveat") else []
    if link.get("figure"):
        fig = next((x for x in condition.get("figures", []) if x["id"] == link["figure"]), None)
        notes += [_note(n) for n in (fig or {}).get("notes", [])]
    return notes


def _unit_key(link: dict[str, Any]) -> str:
    return "group:" + link["group"] if link.get("group") else "clause:" + link["clause"]


def _clause_members(pool: list[dict[str, Any]]) -> dict[tuple[str, str], set[str]]:
    """(condition, clause) -> the ids of every finding of ``pool`` that rests on that clause."""
    members: dict[tuple[str, str], set[str]] = {}
    for f in pool:
        for link in f.get("links", []):
            members.setdefault((link["condition"], link["clause"]), set()).add(f["id"])
    return members


def _score_condition(
    cid: str,
    condition: dict[str, Any],
    given: list[tuple[dict[str, Any], str, Optional[str]]],
    absent_ids: set[str],
    members: dict[tuple[str, str], set[str]],
) -> dict[str, Any]:
    """Score one condition: one point per observation (group or clause), by the rule above."""
    units: dict[str, list[tuple[dict[str, Any], dict[str, Any], str, Optional[str]]]] = {}
    for f, status, via in given:
        for link in f.get("links", []):
            if link["condition"] == cid:
                units.setdefault(_unit_key(link), []).append((f, link, status, via))
    supporting: list[dict[str, Any]] = []
    against: list[dict[str, Any]] = []
    measured: list[tuple[float, str, dict[str, Any]]] = []
    for unit in units.values():
        present = [m for m in unit if m[2] == "present"]
        if present:
            # the unit scores once, by its strongest link (a pointer counts 2)
            present.sort(key=lambda m: -weight(m[1]))
            f, link, _, via = present[0]
            item = _item(present, condition, "present")
            n_measured = 0
            for g, _, _, _ in present:
                m = _measured(g, cid)
                if m is not None:
                    n_measured += 1
                    measured.append((m[0], g["id"], m[2]["source"]))
                    # the LR's interval where the study's counts give one (never a probability);
                    # an item whose LR is a product of several results has none
                    item["lr_ci"] = _lr_ci(g, m) if n_measured == 1 else None
                    item["lr"] = m[0] if item["lr"] is None else item["lr"] * m[0]
                    item["notes"] += [n for n in record_notes(m[1], m[2]) if n not in item["notes"]]
                    if m[3] is not None:
                        item["lr_uncorrected"] = m[3]["uncorrected"] if n_measured == 1 else None
                        item["notes"].append({"kind": "arithmetic", "text": m[3]["note"], "citation": m[3]["citation"]})
                    elif m[0] == 0 or math.isinf(m[0]):
                        item["notes"].append(finite_sample_note(m[0]))
            (supporting if link["effect"] == "supports" else against).append(item)
            continue
        expected = [m for m in unit if m[1]["strength"] == "expected"]
        counted = False
        for m in expected:
            if members[(cid, m[1]["clause"])] <= absent_ids:
                against.append(_item([m], condition, "absent"))
                counted = True
                break
        # a clause flagged as defining in the data: its own finding absent (no member of the
        # unit present, or the unit would have scored above) counts against
        for m in unit:
            if not counted and m[1].get("defining") and m[2] == "absent":
                against.append(_item([m], condition, "absent"))
                counted = True
    lr_total: Optional[float] = None
    notes: list[dict[str, Any]] = []
    if measured:
        lr_total = math.prod(x[0] for x in measured)
        if math.isnan(lr_total):
            lr_total = None
        if len(measured) > 1:
            notes.append({"kind": "caveat", "text": INDEPENDENCE.format(n=len(measured)), "citation": None})
            notes += same_study_notes([(fid, src) for _, fid, src in measured])
    return {
        "id": cid,
        "name": condition["name"],
        "score": sum(i["weight"] for i in supporting) - sum(i["weight"] for i in against),
        "supporting": supporting,
        "against": against,
        "lr": lr_total,
        "notes": notes + ([{"kind": "caveat", "text": EXCLUSION.format(quote=condition["exclusion"]), "citation": None}] if condition.get("exclusion") else []),
        "exclusion": bool(condition.get("exclusion")),
    }


def _item(members: list[tuple[dict[str, Any], dict[str, Any], str, Optional[str]]], condition: dict[str, Any], status: str) -> dict[str, Any]:
    f, link, _, via = members[0]
    notes: list[dict[str, Any]] = []
    for _, ln, _, _ in members:
        notes += [n for n in _link_notes(ln, condition) if n not in notes]
    return {
        "findings": list(dict.fromkeys(m[0]["id"] for m in members)),  # a finding may rest on two clauses of a unit
        "status": status if via is None else f"absent {via}",
        "effect": link["effect"] if status == "present" else "against",
        "strength": link["strength"],
        "weight": weight(link) if status == "present" else 1,
        "clause": link["clause"],
        "reason": link["reason"],
        "statement": link["statement"],
        "lr": None,
        "lr_uncorrected": None,
        "lr_ci": None,
        "notes": notes,
        "source": link["source"],
    }


def _lr_ci(f: dict[str, Any], m: tuple[float, dict[str, Any], dict[str, Any]]) -> Optional[dict[str, Any]]:
    """A measured result's LR interval, unrounded: {low, high, method, label[, note]}, or None."""
    kind = "maneuver" if f.get("maneuver") else "test"
    band = finding_interval(kind, m[1], m[2], positive=f["result"] == "positive")["interval"]
    if band is None:
        return None
    return band


def _ranks(rows: list[dict[str, Any]]) -> None:
    """Dense ranks: equal score and equal LR evidence share a rank; ``tied`` says so."""
    def key(r: dict[str, Any]) -> tuple[int, float, bool]:
        return (r["score"], r["lr"] if r["lr"] is not None else 1.0, r["exclusion"])

    rank, last = 0, None
    for r in rows:
        if key(r) != last:
            rank, last = rank + 1, key(r)
        r["rank"] = rank
    counts: dict[int, int] = {}
    for r in rows:
        counts[r["rank"]] = counts.get(r["rank"], 0) + 1
    for r in rows:
        r["tied"] = counts[r["rank"]] > 1


def rank(
    complaint: str,
    present: Iterable[str] = (),
    absent: Iterable[str] = (),
) -> dict[str, Any]:
    """The ranked differential for a complaint given present and absent findings."""
    comp = find_record("complaint", complaint, "complaint", exact=True)
    pool = _linked(comp["conditions"])  # only the complaint's conditions' findings are read (first: the
    # findings given are among them, read once in an answer)
    pres = resolve_findings(present, "present")
    abse = resolve_findings(absent, "absent")
    both = [f["id"] for f in pres if f in abse]
    if both:
        raise InvalidInput(
            f"finding(s) given as both present and absent: {', '.join(both)}",
            hint="give each finding once, with --finding or with --absent",
        )
    results: dict[str, set[str]] = {}
    for f in pres:
        key = f.get("maneuver") or f.get("test")
        if key and f.get("result"):
            results.setdefault(key, set()).add(f["result"])
    both_results = sorted(k for k, v in results.items() if len(v) > 1)
    if both_results:
        raise InvalidInput(
            f"both a positive and a negative result given for: {', '.join(both_results)}",
            hint="give one result for each maneuver or test",
        )
    # an absent maneuver/test result is the opposite result, where the vocabulary has it
    given: list[tuple[dict[str, Any], str, Optional[str]]] = [(f, "present", None) for f in pres]
    for f in abse:
        opp = _opposite(f, pool)
        if opp is not None and opp not in pres:
            given.append((opp, "present", f["id"]))
        else:
            given.append((f, "absent", None))
    absent_ids = {f["id"] for f, status, _ in given if status == "absent"}
    members = _clause_members(pool)
    conds = loader.by_ids("condition", comp["conditions"])
    rows = [_score_condition(cid, conds[cid], given, absent_ids, members) for cid in comp["conditions"]]
    order = {cid: i for i, cid in enumerate(comp["conditions"])}
    rows.sort(key=lambda r: (-r["score"], -(r["lr"] if r["lr"] is not None else 1.0), r["exclusion"], order[r["id"]]))
    _ranks(rows)
    flags = _red_flags([f for f, status, via in given if status == "present" and via is None])
    ranking = [
        {
            "id": r["id"],  # id first in every row (issue 20); then the rank
            "rank": r["rank"],
            "tied": r["tied"],
            "name": r["name"],
            "score": r["score"],
            "supporting": r["supporting"],
            "against": r["against"],
            "lr": r["lr"],
            "notes": r["notes"],
            "red_flags": [fl["id"] for fl in flags if r["id"] in fl["conditions"]],
        }
        for r in rows
    ]
    return {
        "complaint": comp["id"],
        "present": [f["id"] for f in pres],
        "absent": [f["id"] for f in abse],
        "basis": BASIS,
        "red_flags": flags,
        "conditions": ranking,
        "next": None,
        "next_why": None,  # with --next: why it lists nothing, where it does not
    }


def _red_flags(present: list[dict[str, Any]]) -> list[dict[str, Any]]:
    flags = loader.by_ids("red_flag", [f["red_flag"] for f in present if f.get("red_flag")])
    out = []
    for f in present:
        rf = flags.get(f.get("red_flag") or "")
        if rf is not None and all(x["id"] != rf["id"] for x in out):
            out.append({"id": rf["id"], "name": rf["name"], "action": rf["action"], "conditions": rf["conditions"], "finding": f["id"]})
    return out


NO_ACCURACY = "no accuracy stated"
NOT_WORKUP = ("not ", "caution")  # roles the review gives to a test it advises against, or warns about


def _workup(kind: str, condition: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The condition's maneuvers and tests the review describes without accuracy figures, as
    (record, evidence item), one per record, in the data's order: its work-up. Items whose
    role says the review advises against them ('not recommended ...', 'not preferred', 'not
    typically required') or only warns ('caution: ...') are left out, and so is an
    examination the review says has poor diagnostic accuracy."""
    out: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for rec in loader.referring(kind, "condition", condition):
        for ev in rec["evidence"]:
            if ev["condition"] != condition or any(ev.get(k) is not None for k in ("sensitivity", "specificity", "sensitivity_range", "specificity_range")):
                continue
            role = (ev.get("role") or "").lower()
            if role.startswith(NOT_WORKUP) or "poor diagnostic accuracy" in (ev.get("statement") or ""):
                continue
            if all(r["id"] != rec["id"] for r, _ in out):
                out.append((rec, ev))
    return out


def next_steps(result: dict[str, Any], leading: int = 3, per_condition: int = 3) -> list[dict[str, Any]]:
    """For the conditions in the leading ranks (at least ``leading`` of them, with every
    condition tied with the last), the maneuvers and tests with the strongest stated
    accuracy that the patient's findings do not already include (largest LR+ first, then
    smallest LR-), then the review's work-up without accuracy figures (``_workup``), each
    quoted and marked "no accuracy stated". Each row carries the notes of its record."""
    index = loader.by_ids("finding", result["present"] + result["absent"])
    done = {index[fid].get("maneuver") or index[fid].get("test") for fid in result["present"] + result["absent"] if fid in index}
    ranked = result["conditions"]
    pool = [r for r in ranked if r["score"] > 0] or ranked
    top = pool[:leading]
    if top:
        top += [r for r in pool[leading:] if r["rank"] == top[-1]["rank"]]
    out = []
    for kind in ("maneuver", "test"):  # one read each for the leading conditions (kept for the answer)
        loader.referring_each(kind, "condition", [r["id"] for r in top])
    for r in top:
        cands = []
        for kind in ("maneuver", "test"):
            # (the strongest rows of each kind, among which are the strongest of both)
            for row in strongest_rows(kind, r["id"], done, per_condition):
                cands.append((kind, row))
        cands.sort(key=lambda kr: strength(kr[1]), reverse=True)
        for kind, row in cands[:per_condition]:
            out.append(
                {
                    "id": row["id"],
                    "for_condition": r["id"],
                    "rank": r["rank"],
                    "record_kind": kind,
                    "name": row["name"],
                    "sensitivity": row["sensitivity"],
                    "specificity": row["specificity"],
                    "sensitivity_range": row["sensitivity_range"],
                    "specificity_range": row["specificity_range"],
                    "lr_positive": row["lr_positive"],
                    "lr_negative": row["lr_negative"],
                    "lr_positive_uncorrected": row["lr_positive_uncorrected"],
                    "lr_negative_uncorrected": row["lr_negative_uncorrected"],
                    "lr_positive_range": row["lr_positive_range"],
                    "lr_negative_range": row["lr_negative_range"],
                    "why": _why(row),
                    "accuracy": "stated",
                    "role": row.get("role"),
                    "quote": row["source"].get("quote"),
                    "notes": [_note(n) for n in row["notes"]],
                    "source": row["source"],
                }
            )
        with_lr = {x["id"] for x in out if x["for_condition"] == r["id"]}
        for kind in ("test", "maneuver"):
            for rec, ev in _workup(kind, r["id"]):
                if rec["id"] in done or rec["id"] in with_lr:
                    continue
                out.append(
                    {
                        "id": rec["id"],
                        "for_condition": r["id"],
                        "rank": r["rank"],
                        "record_kind": kind,
                        "name": rec["name"],
                        **{k: None for k in ("sensitivity", "specificity", "sensitivity_range", "specificity_range",
                                             "lr_positive", "lr_negative", "lr_positive_uncorrected", "lr_negative_uncorrected",
                                             "lr_positive_range", "lr_negative_range")},
                        "why": _no_accuracy(ev) + ("; the review: " + ev["role"] if ev.get("role") else ""),
                        "accuracy": NO_ACCURACY,
                        "role": ev.get("role"),
                        "quote": ev["source"].get("quote") or ev.get("statement"),
                        "notes": record_notes(rec, ev),
                        "source": ev["source"],
                    }
                )
    return out


def _no_accuracy(ev: dict[str, Any]) -> str:
    if ev.get("ppv_range"):
        lo, hi = ev["ppv_range"]
        return f"{NO_ACCURACY} (a positive predictive value of {lo:g}-{hi:g} only, which depends on prevalence)"
    return NO_ACCURACY


def next_why(result: dict[str, Any], steps: list[dict[str, Any]]) -> Optional[str]:
    """Why ``--next`` lists nothing, in words (None when it lists something)."""
    if steps:
        return None
    pool = [r for r in result["conditions"] if r["score"] > 0] or result["conditions"]
    if not pool:
        return "no condition to examine for: the complaint has none"
    return ("nothing left to examine for the leading conditions: every maneuver and test the review "
            "gives for them is already among the findings")


def _why(row: dict[str, Any]) -> str:
    parts = []
    lp = row["lr_positive"] if row["lr_positive"] is not None else (row["lr_positive_range"] or [None, None])[1]
    ln = row["lr_negative"] if row["lr_negative"] is not None else (row["lr_negative_range"] or [None, None])[0]
    if lp is not None:
        parts.append("a positive result raises the probability" + (" most" if lp >= 10 or math.isinf(lp) else ""))
    if ln is not None:
        parts.append("a negative result lowers it" + (" most" if ln <= 0.1 else ""))
    return "; ".join(parts)


def findings_vocabulary(kind: Optional[str] = None) -> list[dict[str, Any]]:
    rows = []
    for f in loader.records("finding"):
        if kind and f["kind"] != kind:
            continue
        rows.append(
            {
                "id": f["id"],
                "name": f["name"],
                "kind": f["kind"],
                "description": f["description"],
                "supports": sorted({ln["condition"] for ln in f.get("links", []) if ln["effect"] == "supports"}),
                "against": sorted({ln["condition"] for ln in f.get("links", []) if ln["effect"] == "against"}),
                "maneuver": f.get("maneuver"),
                "test": f.get("test"),
                "result": f.get("result"),
                "red_flag": f.get("red_flag"),
            }
        )
    return rows


def finding_detail(name: str) -> dict[str, Any]:
    f = find_record("finding", name, "finding")
    row = next(r for r in findings_vocabulary() if r["id"] == f["id"])
    row["links"] = f.get("links", [])
    return row


def findings(name: Optional[str] = None, kind: Optional[str] = None) -> Any:
    """``dxcli finding`` as one call, shared by the CLI and ``dxcli.api``: one finding in
    full by ``name``, else the vocabulary (only the findings of ``kind``, one of the data's
    own kinds)."""
    if name is not None:
        return finding_detail(name)
    kinds = finding_kinds()
    if kind is not None and kind not in kinds:
        raise InvalidInput(f"unknown finding kind {kind!r}", hint="one of: " + ", ".join(kinds))
    return findings_vocabulary(kind)


def finding_names() -> dict[str, str]:
    """Each finding's name by its id: pages say findings in words."""
    return {i: f["name"] for i, f in loader.by_id("finding").items()}


def finding_kinds() -> list[str]:
    """The kinds of finding in the data (history, examination, imaging...)."""
    return sorted({f["kind"] for f in loader.records("finding")})


def differential(complaint: Optional[str], present: Sequence[str] = (), absent: Sequence[str] = (), next: bool = False,
                 simulation: bool = True, draws: Optional[int] = None, seed: Optional[int] = None) -> Any:
    """``dxcli differential`` as one call, shared by the CLI and ``dxcli.api``: without a
    complaint, the complaints; with a complaint alone, its conditions in the review's table
    order; with findings (or ``next``), the ranked report, with the simulation intervals of
    its combined LRs unless ``simulation`` is False, and what to examine next with ``next``."""
    with loader.answering():  # each record read once for the whole answer
        return _differential(complaint, present, absent, next, simulation, draws, seed)


def _differential(complaint: Optional[str], present: Sequence[str], absent: Sequence[str], next: bool,
                  simulation: bool, draws: Optional[int], seed: Optional[int]) -> Any:
    from dxcli.errors import InvalidInput
    from dxcli.query import conditions

    ranked = bool(present or absent)
    if (draws is not None or seed is not None) and not ranked:
        raise InvalidInput("--draws and --seed are for a ranked differential: give findings",
                           hint="e.g. 'dxcli differential buttock -F modified-bent-knee-positive --draws 5000'")
    if complaint is None:
        if ranked or next:
            raise InvalidInput("findings need a complaint", hint="e.g. dxcli differential buttock --finding neurologic-deficit")
        return conditions.complaints()
    if not (ranked or next):
        from dxcli.query.lookup import find_record

        return conditions.differential(find_record("complaint", complaint, "complaint")["id"])
    result = rank(complaint, present, absent)
    if simulation:
        from dxcli.calc import simulation as sim
        from dxcli.query import uncertainty

        result = uncertainty.with_differential_simulation(
            result, sim.DEFAULT_DRAWS if draws is None else draws, sim.DEFAULT_SEED if seed is None else seed)
    if next:
        result["next"] = next_steps(result)
        result["next_why"] = next_why(result, result["next"])
    return result
