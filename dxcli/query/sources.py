"""Red flags, sources and citations, full-text search, and data-set information."""

from __future__ import annotations


from typing import Any, Iterator, Optional

from dxcli import __version__
from dxcli.errors import InvalidInput, NotFound
from dxcli.query.lookup import check_query, find_record, norm, pick, suggest
from dxcli.reference import loader

# Record kinds that `search` and `cite` look through, in the order search prefers them
# on equal scores, with the command that shows one record in full.
SEARCHABLE = {
    "condition": "condition",
    "maneuver": "maneuver",
    "test": "test",
    "red_flag": "redflags",
    "muscle": "muscle",
    "nerve": "nerve",
    "structure": "anatomy",
    "finding": "finding",
    "scale": "cite",
    "grading": "cite",
    "case": "cite",
    "citation": "cite",
}


def red_flag(name: str) -> dict[str, Any]:
    """One red flag by id, name or alias."""
    return _red_flag_row(find_record("red_flag", name, "red flag"))


def redflags(name: Optional[str] = None, condition: Optional[str] = None) -> tuple[Any, Optional[dict[str, Any]]]:
    """``dxcli redflags`` as one call, shared by the CLI and ``dxcli.api``: one flag by
    ``name``, the flags of ``condition``, or every flag; with the condition's record, where
    one was asked for (the lookup, and its notice, happen once)."""
    if name is not None:
        if condition is not None:
            raise InvalidInput("give a red flag or --condition, not both", hint="e.g. dxcli redflags --condition lumbosacral-radiculopathy")
        return red_flag(name), None
    if condition is None:
        return red_flags(), None
    cond = find_record("condition", condition, "condition")
    return red_flags(cond["id"]), cond


def red_flags(condition: Optional[str] = None) -> list[dict[str, Any]]:
    recs = loader.records("red_flag")
    if condition is not None:
        cid = find_record("condition", condition, "condition")["id"]
        recs = [r for r in recs if cid in r["conditions"]]
        if not recs:
            raise NotFound(f"the review raises no red flag for {cid}", hint="list all with 'dxcli redflags'")
    return [_red_flag_row(r) for r in recs]


def _red_flag_row(r: dict[str, Any]) -> dict[str, Any]:
    return {**pick(r, "id", "name", "description", "why", "action", "conditions", "source"), "notes": r.get("notes", [])}


def _words(text: str) -> list[str]:
    return norm(text).split()


def search(text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Records matching every word of ``text`` (typos tolerated), best first, with a snippet.

    Each query word is matched once against the vocabulary of the whole reference: exactly
    (1), as a prefix of three letters or more (0.9), or, for a word found neither way, as a
    close spelling (up to 0.8). A match in a record's name, id or aliases counts three times
    one in its text. The words of every record are in the store's FTS5 index, so a search
    reads the rows of its words and decodes only the records it shows.
    """
    check_query(text, "search")
    q_words = _words(text)
    if not q_words:
        raise InvalidInput(f"search text {text!r} has no letters or digits", hint="search for a word, e.g. 'hamstring'")
    from dxcli.reference.store import Rebuilt

    try:
        out = _search(q_words, limit)
    except Rebuilt:  # the index was damaged: the store is whole again, so ask once more
        out = _search(q_words, limit)
    if not out:
        raise NotFound(f"nothing in the reference matches {text!r}", hint="try fewer or different words")
    return out


def _search(q_words: list[str], limit: int) -> list[dict[str, Any]]:
    st = loader.store()
    matches = [st.word_matches(qw) for qw in q_words]
    results = st.search(matches, limit)
    out = []
    for score, kind, rid, name, body in results:
        out.append(
            {
                "id": rid,
                "kind": kind,
                "name": name,
                "score": round(score / len(q_words), 2),
                "snippet": _snippet(body, matches),
                "command": f"dxcli {SEARCHABLE[kind]} {rid}",
            }
        )
    return out


def _snippet(body: list[tuple[str, frozenset[str]]], matches: list[dict[str, float]], width: int = 100) -> str:
    """The text of a record (each with its words) that holds matches for the most query words."""
    best, best_hits = (body[0][0] if body else ""), -1
    for t, words in body:
        hits = sum(1 for m in matches if not words.isdisjoint(m))
        if hits > best_hits:
            best, best_hits = t, hits
    if len(best) <= width:
        return best
    cut = best[: width - 1]
    return (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"  # at a word's end


def citation_name(c: dict[str, Any]) -> str:
    """A citation's short form in words, as a person cites it: 'Grimaldi et al. 2017', 'Ha et
    al. 2006', 'Deeks and Higgins 2010'; a record whose authors are not recorded by its title
    and journal ('“Zero-cell corrections in random-effects meta-analyses”, Res Synth Methods 2020')."""
    authors = str(c.get("authors") or "").strip()
    year = c.get("year")
    if not authors or authors.lower().startswith("authors not recorded"):
        where = " ".join(str(x) for x in (c.get("journal"), year) if x)
        return f"“{c.get('title') or c['id']}”" + (f", {where}" if where else "")
    if "," not in authors and "(" in authors:  # a body, not people: 'UPMC Rehab Grand Rounds (...)'
        return " ".join(str(x) for x in (authors.split(" (")[0], year) if x)
    people = [a.strip() for a in authors.split(",") if a.strip() and a.strip().rstrip(".") != "et al"]
    more = "et al" in authors or len(people) > 2

    def surname(a: str) -> str:
        w = a.split()
        return " ".join(w[:-1]) if len(w) > 1 and w[-1].replace("-", "").isupper() else a

    who = surname(people[0]) if people else c["id"]
    if more:
        who += " et al."
    elif len(people) == 2:
        who += f" and {surname(people[1])}"
    return f"{who} {year}" if year else who


def citation_names() -> dict[str, str]:
    """Every citation's and study's id with its short form in words (pages name sources so)."""
    out = {c["id"]: citation_name(c) for c in loader.records("citation")}
    for st in loader.records("study"):
        if st.get("citation") in out:
            out.setdefault(st["id"], out[st["citation"]])
    return out


def citation_rows() -> list[dict[str, Any]]:
    return [
        {
            "id": c["id"],
            "authors": c["authors"],
            "year": c.get("year"),
            "title": c.get("title"),
            "journal": c.get("journal"),
            "details": c.get("details"),
            "pmid": c.get("pmid"),
            "doi": c.get("doi"),
            "read": c.get("read", "abstract"),
            "review_ref": c.get("review_ref"),
            "note": c.get("note"),
        }
        for c in loader.records("citation")
    ]


def _walk(obj: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        yield path, obj
        for k, v in obj.items():
            yield from _walk(v, f"{path}.{k}" if path else k)
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from _walk(v, f"{path}[{i}]")


def cite(record_id: str) -> list[dict[str, Any]]:
    """Every source and note of one record (any kind), each with its citations spelled out."""
    check_query(record_id, "cite")
    cits = loader.by_id("citation")
    pool = [(k, r) for k in SEARCHABLE if k != "citation" for r in loader.records(k)]
    q = norm(record_id)
    hit = next(((k, r) for k, r in pool if norm(r["id"]) == q), None)
    if hit is None:
        hit = next(((k, r) for k, r in pool if any(norm(n) == q for n in [r.get("name", ""), *r.get("aliases", [])])), None)
    if hit is None and q in {norm(c) for c in cits}:
        return cited_by(next(c for c in cits if norm(c) == q))
    if hit is None:
        # cite takes an id: close ids of records and citations, not a finding whose alias is near
        ids = [{"id": r["id"]} for _, r in pool] + [{"id": c} for c in cits]
        raise NotFound(f"no record has the id {record_id!r}", hint=suggest(ids, record_id, "search"))
    kind, rec = hit
    rows = []
    for path, node in _walk(rec, ""):
        src = None
        if isinstance(node.get("source"), dict):
            src = node["source"]
        if isinstance(node.get("deep_dive_source"), dict):
            rows.append(_source_row(kind, rec, path + ".deep_dive_source" if path else "deep_dive_source", node["deep_dive_source"], cits))
        if src is not None:
            rows.append(_source_row(kind, rec, (path + ".source") if path else "source", src, cits))
        if node.get("kind") in ("disagreement", "caveat", "unverified", "terminology", "arithmetic") and "text" in node:
            c = cits.get(node.get("citation") or "")
            rows.append(
                {
                    "id": rec["id"],
                    "kind": kind,
                    "path": path,
                    "type": f"note: {node['kind']}",
                    "section": None,
                    "refs": [],
                    "citations": [citation_text(c)] if c else [],
                    "text": node["text"],
                    "review_value": node.get("review_value"),
                    "primary_value": node.get("primary_value"),
                }
            )
    rows += _study_rows(kind, rec, cits)
    return rows


def _study_rows(kind: str, rec: dict[str, Any], cits: dict[str, Any]) -> list[dict[str, Any]]:
    """The studies (``reference/studies.toml``) that back or bear on a maneuver, test or scale."""
    if kind not in ("maneuver", "test", "scale"):
        return []
    out = []
    for st in loader.records("study"):
        for f in st["findings"]:
            if f.get(kind) != rec["id"]:
                continue
            c = cits.get(st["citation"])
            groups = "; ".join(
                f"{k}: {g['count'] if g.get('count') is not None else 'number not stated'} ({g['description']})"
                for k in ("cases", "controls", "total")
                if (g := st.get(k))
            )
            text = (
                f"{st['design']} ({st['direction']}); {groups}; reference standard: "
                f"{st.get('reference_standard') or 'not stated'}; read: {st['read']}"
            )
            if f.get("note"):
                text += f". {f['note']}"
            out.append(
                {
                    "id": rec["id"],
                    "kind": kind,
                    "path": f"study {st['id']}" + (f" ({f['condition']})" if f.get("condition") else ""),
                    "type": f"study: {f['relation']}",
                    "section": None,
                    "refs": [],
                    "citations": [citation_text(c)] if c else [],
                    "text": text,
                    "review_value": None,
                    "primary_value": None,
                }
            )
    return out


def cited_by(cid: str) -> list[dict[str, Any]]:
    """Every source and note, in any record, that cites the citation ``cid``."""
    rows = []
    for kind in SEARCHABLE:
        if kind == "citation":
            continue
        for rec in loader.records(kind):
            rows += [r for r in cite(rec["id"]) if any(r2.endswith(f"[{cid}]") for r2 in r["citations"])]
    if not rows:
        c = loader.by_id("citation")[cid]
        return [
            {
                "id": cid,
                "kind": "citation",
                "path": "",
                "type": "citation",
                "section": None,
                "refs": [],
                "citations": [citation_text(c)],
                "text": c.get("note"),
                "review_value": None,
                "primary_value": None,
            }
        ]
    return rows


def citation_text(c: dict[str, Any]) -> str:
    parts = [c["authors"]]
    if c.get("year"):
        parts.append(str(c["year"]))
    if c.get("journal"):
        parts.append(c["journal"] + (" " + c["details"] if c.get("details") else ""))
    if c.get("pmid"):
        parts.append("PMID " + c["pmid"])
    if c.get("doi"):
        parts.append("doi:" + c["doi"])
    text = parts[0]
    for part in parts[1:]:  # "Lequesne M, et al. 2008", not "et al.. 2008"
        text += (" " if text.endswith(".") else ". ") + part
    return text + f" [{c['id']}]"


def _source_row(kind: str, rec: dict[str, Any], path: str, src: dict[str, Any], cits: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": rec["id"],
        "kind": kind,
        "path": path,
        "type": "source",
        "section": src.get("section") + (f", {src['table']}" if src.get("table") else ""),
        "refs": src.get("refs", []),
        "citations": [citation_text(cits[c]) for c in src.get("citations", []) if c in cits],
        "text": src.get("quote"),
        "review_value": None,
        "primary_value": None,
    }


def data_hash() -> str:
    """SHA-256 over the bundled reference files, in name order: the data's content hash."""
    import hashlib

    h = hashlib.sha256()
    d = loader.bundled_dir()
    for p in sorted(d.glob("*.toml")):
        h.update(p.name.encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def info() -> dict[str, Any]:
    m = loader.meta()
    counts = {kind: len(loader.records(kind)) for kind in loader.KIND_FILES}
    return {
        "tool_version": __version__,
        "data_version": m["data_version"],
        "data_sha256": data_hash(),
        "title": m["title"],
        "review": m["review"],
        "data_dir": str(loader.bundled_dir()),
        "counts": counts,
        "disclaimer": m["disclaimer"],
    }


def data_version() -> str:
    return loader.meta()["data_version"]
