"""Reference queries: anatomy, muscles, nerves, innervation, maneuvers, tests, red flags,
search, sources, citations and data-set information."""

# No `from __future__ import annotations` here: Typer reads these signatures on every run,
# and a string annotation costs it a compile and an eval (about 2 ms a run in all).

from typing import Annotated, Optional

import typer

from dxcli.cli.common import FieldsOpt, FormatOpt, emit, pages
from dxcli.cli.complete import names
from dxcli.output.render import View


def _ex(*lines: str) -> str:
    return "Examples:\n\n" + "\n\n".join("  " + line for line in lines)


PretestOpt = Annotated[
    Optional[str],
    typer.Option("--pretest", "-p", help="Pre-test probability (0.3 or 30%): adds post-test probabilities."),
]


def register(app: typer.Typer) -> None:
    @app.command(epilog=_ex("dxcli anatomy", "dxcli anatomy iliofemoral-ligament", "dxcli anatomy -f json | jq '.[] | select(.kind==\"ligament\")'"))
    def anatomy(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A structure id or name.", autocompletion=names("structure"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Bones, landmarks, joints and ligaments (the bundled data: the buttock region)."""
        from dxcli.query import anatomy as q

        if name is None:
            emit(ctx, q.structures(), fmt, View(columns=["id", "kind", "name", "description"]))
        else:
            emit(ctx, q.structure(name), fmt, page=lambda r: pages().record_doc(r, "structure", pages().STRUCTURE_FIELDS))

    @app.command(epilog=_ex("dxcli muscle", "dxcli muscle \"gluteus medius\"", "dxcli muscle -f csv"))
    def muscle(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A muscle id, name or alias.", autocompletion=names("muscle"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Muscles: origin, insertion, action, nerve and root levels (Table 1 and the hamstrings)."""
        from dxcli.query import anatomy as q

        data = q.muscles(name)
        emit(ctx, data, fmt, None if name else View(columns=["id", "nerve_name", "roots", "actions"]),
             page=(lambda r: pages().muscle_doc(r)) if isinstance(data, dict) else (lambda r: pages().muscle_group_doc(r)) if name else None)

    @app.command(epilog=_ex("dxcli nerve", "dxcli nerve sciatic", "dxcli nerve -f json | jq '.[].roots'"))
    def nerve(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A nerve id, name or alias.", autocompletion=names("nerve"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Nerves with their roots, their plexus, and the muscles they supply."""
        from dxcli.query import anatomy as q

        data = q.nerves(name)
        emit(ctx, data, fmt, None if name else View(columns=["id", "roots", "muscles"]),
             page=(lambda r: pages().record_doc(r, "nerve", pages().NERVE_FIELDS)) if isinstance(data, dict) else None)

    @app.command(
        epilog=_ex(
            "dxcli innervation                          # every muscle, its nerve and roots",
            "dxcli innervation L5                       # every muscle L5 supplies, and through which nerve",
            "dxcli innervation \"superior gluteal nerve\"  # the muscles of a nerve",
            "dxcli innervation piriformis               # a muscle's nerve and roots",
        )
    )
    def innervation(
        ctx: typer.Context,
        query: Annotated[Optional[str], typer.Argument(help="A root (L4, L5, S1...), a nerve, or a muscle; none: every muscle.")] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Innervation in all three directions: root -> muscles, nerve -> muscles, muscle -> nerve."""
        from dxcli.query import anatomy as q

        if query is None:  # every muscle with its nerve and roots
            rows = [r for m in q.loader.records("muscle") for r in q.innervation(m["id"])]
            emit(ctx, rows, fmt, View(columns=["name", "nerve_name", "roots"], headers={"name": "Muscle"}))
            return

        rows = q.innervation(query)
        asked = rows[0]["query"] if rows else query  # 'root L5', 'nerve superior-gluteal-nerve', 'muscle piriformis'
        title = f"Muscles of {asked}" if not asked.startswith("muscle ") else f"Innervation of {rows[0]['name']}"
        emit(ctx, rows, fmt, View(columns=["name", "nerve_name", "roots"], headers={"name": "Muscle", "nerve_name": "Nerve"}, title=title))

    @app.command(
        epilog=_ex(
            "dxcli maneuver                              # every maneuver",
            "dxcli maneuver faber                        # Patrick's test: one row per target condition",
            "dxcli maneuver \"modified bent knee\" -f json",
            "dxcli maneuver --condition \"gluteus medius tendinopathy\"   # strongest first",
            "dxcli maneuver faber --condition gluteus-medius-tendinopathy --pretest 0.3",
        )
    )
    def maneuver(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A maneuver id, name or alias.", autocompletion=names("maneuver"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only evidence for this condition.", autocompletion=names("condition"))] = None,
        pretest: PretestOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Exam maneuvers: accuracy as stated, likelihood ratios computed, and what they mean."""
        _accuracy(ctx, "maneuver", name, condition, pretest, fmt)

    @app.command(
        epilog=_ex(
            "dxcli test                       # every diagnostic test",
            "dxcli test needle-emg -f json    # six-muscle EMG for radiculopathy",
            "dxcli test --condition avn",
        )
    )
    def test(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A test id, name or alias.", autocompletion=names("test"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only evidence for this condition.", autocompletion=names("condition"))] = None,
        pretest: PretestOpt = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Diagnostic tests (imaging, EMG, blocks, laboratory): role, accuracy, likelihood ratios."""
        _accuracy(ctx, "test", name, condition, pretest, fmt)

    @app.command(epilog=_ex("dxcli redflags", "dxcli redflags saddle-anesthesia", "dxcli redflags --condition lumbosacral-radiculopathy -f json"))
    def redflags(
        ctx: typer.Context,
        name: Annotated[Optional[str], typer.Argument(help="A red flag's id or name; none: every red flag.", autocompletion=names("red_flag"))] = None,
        condition: Annotated[Optional[str], typer.Option("--condition", "-c", help="Only the red flags of this condition.", autocompletion=names("condition"))] = None,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Red flags: each flag, why it matters, what the review says to do, and its source."""
        from dxcli.query import sources

        if name is not None:
            if condition is not None:
                from dxcli.errors import InvalidInput

                raise InvalidInput("give a red flag or --condition, not both", hint="e.g. dxcli redflags --condition lumbosacral-radiculopathy")
            emit(ctx, sources.red_flag(name), fmt, page=lambda r: pages().red_flags_doc([r], r["name"]))
            return
        if condition is None:
            emit(ctx, sources.red_flags(), fmt, View(columns=["name", "why", "action"]), page=lambda rs: pages().red_flags_doc(rs))
            return
        from dxcli.query.lookup import find_record

        cond = find_record("condition", condition, "condition")
        rows = sources.red_flags(cond["id"])  # the id: the lookup (and its notice) happens once
        cid, name = cond["id"], cond["name"]
        emit(ctx, rows, fmt, View(columns=["name", "why", "action"]), page=lambda rs: pages().red_flags_doc(rs, f"Red flags of {name}", shown_condition=cid))

    @app.command(epilog=_ex("dxcli search hamstring", "dxcli search \"pain sitting\"", "dxcli search hamstrng -f json | jq '.[0]'"))
    def search(
        ctx: typer.Context,
        text: Annotated[list[str], typer.Argument(help="Words to look for (typos and word order tolerated); quoting them is optional.")],
        limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=500, help="At most this many results.")] = 20,
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Search every kind of record, best matches first."""
        from dxcli.query import sources

        emit(ctx, sources.search(" ".join(text), limit), fmt, View(columns=["kind", "id", "snippet"]))

    @app.command(epilog=_ex("dxcli sources", "dxcli sources -f csv > citations.csv"))
    def sources(ctx: typer.Context, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Every citation: the review, and each primary source that was read."""
        from dxcli.query import sources as q

        emit(ctx, q.citation_rows(), fmt, View(columns=["id", "authors", "year", "journal", "read"]))

    @app.command(epilog=_ex("dxcli cite faber", "dxcli cite avascular-necrosis-hip -f json | jq '.[] | select(.type==\"note: disagreement\")'"))
    def cite(
        ctx: typer.Context,
        record_id: Annotated[str, typer.Argument(metavar="ID", help="Any record's id (or name).")],
        fields: FieldsOpt = None,
        fmt: FormatOpt = None,
    ) -> None:
        """Where a record's facts come from, including recorded disagreements between sources."""
        from dxcli.query import sources

        rows = sources.cite(record_id)
        one = len({(r.get("kind"), r.get("id")) for r in rows}) == 1
        emit(ctx, rows, fmt, View(columns=["path", "type", "section", "refs", "citations", "text"]), page=(lambda rs: pages().cite_doc(rs)) if one else None)

    @app.command(epilog=_ex("dxcli info", "dxcli info -f json | jq .data_sha256"))
    def info(ctx: typer.Context, fields: FieldsOpt = None, fmt: FormatOpt = None) -> None:
        """Tool version, data version with its content hash, and record counts."""
        from dxcli.query import sources

        emit(ctx, sources.info(), fmt)


EXAMPLE = {"maneuver": "modified-bent-knee", "test": "needle-emg"}  # one condition each: --pretest applies


def _accuracy(ctx: typer.Context, kind: str, name, condition, pretest, fmt) -> None:
    from dxcli.query import accuracy as q

    p = None
    if pretest is not None:
        from dxcli.calc.probability import parse_probability

        p = parse_probability(pretest, "pre-test probability")
    if name is None and condition is None:
        if p is not None:
            from dxcli.errors import InvalidInput

            raise InvalidInput("--pretest needs a maneuver or test name", hint=f"e.g. dxcli {kind} {EXAMPLE[kind]} --pretest 0.3")
        emit(ctx, q.list_records(kind), fmt, View(columns=["id", "name", "conditions"]))
        return
    if name is None:
        rows = q.rows_for_condition(kind, condition, p)
    else:
        rows = q.rows_for(kind, name, p)
        if condition is not None:
            from dxcli.errors import NotFound
            from dxcli.query.lookup import find_record

            cid = find_record("condition", condition, "condition", exact=p is not None)["id"]
            rows = [r for r in rows if r["condition"] == cid]
            if not rows:
                raise NotFound(f"{name!r} has no evidence for {cid}", hint=f"see 'dxcli {kind} {name}'")
    first = ["id"] if name is None else []
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
    if p is not None:
        for k in ("posttest_positive", "posttest_negative"):
            if any(k in r for r in rows):
                cols.append(k)
                if any(r.get(k + "_ci") for r in rows):
                    cols.append(k + "_ci")
    if kind == "test":
        cols.insert(len(first) + 1, "role")
    title = f"{rows[0]['name']}" if name is not None and rows else None
    shown = {k: _interval_cell for k in ("lr_positive_ci", "lr_negative_ci", "posttest_positive_ci", "posttest_negative_ci")}
    if name is not None:
        page = lambda rs: pages().accuracy_doc(kind, rs)  # noqa: E731
    else:
        from dxcli.reference import loader

        page = lambda rs: pages().condition_accuracy_doc(kind, rs, loader.by_ids("condition", [rs[0]["condition"]])[rs[0]["condition"]])  # noqa: E731
    emit(ctx, rows, fmt, View(columns=cols + ["lr_positive_band", "lr_negative_band"], headers={**SHORT_HEADERS, "id": kind.capitalize()}, title=title,
                                shown=shown, caption=_caption(rows, detailed=name is not None)), page=page)


def _interval_cell(value) -> str:
    """'4–26.29' for a 95% interval; a one-known-arm range is marked '†' (see the caption)."""
    if not value:
        return "—"

    def num(x: float) -> str:
        return "∞" if x == float("inf") else f"{x:g}"

    mark = "†" if str(value.get("method", "")).startswith("one known arm") else ""
    return f"{num(value['low'])}–{num(value['high'])}{mark}"


def _caption(rows: list[dict], detailed: bool) -> str:
    """The studies behind the rows (on a record's page) and what the interval columns mean."""
    lines: list[str] = []
    if detailed:
        seen: set[str] = set()
        for r in rows:
            st = r.get("study")
            if not st or st["id"] in seen:
                continue
            seen.add(st["id"])
            ids = ", ".join(x for x in (f"PMID {st['pmid']}" if st.get("pmid") else None, f"doi {st['doi']}" if st.get("doi") else None) if x)
            ref = (st.get("reference_standard") or "not stated").rstrip(".")
            if st.get("reference_standard") and st.get("reference_standard_read") != "abstract":
                ref += f" (read in {st['reference_standard_read']} sources)"
            design = st["design"] if st["direction"] == "not stated" else f"{st['direction']} {st['design']}"
            lines.append(
                f"{st['name']}{f' ({ids})' if ids else ''}: {design}; {st['groups']}. "
                f"Reference standard: {ref}. Study read: {st['read']}."
            )
        names = {s["citation"]: s["name"] for r in rows for s in [r.get("study") or {}, *r.get("related_studies", [])] if s}
        for r in rows:
            for p in r.get("published_ci") or []:
                label = p["measure"].replace("lr_positive", "LR+").replace("lr_negative", "LR-")
                lines.append(
                    f"Published by {names.get(p['citation'], p['citation'])} ({p['index_test']}): "
                    f"{label} {p['value']:.2f} (95% CI {p['low']:.2f}–{p['high']:.2f})"
                )
    if any(r.get("lr_positive_ci") or r.get("lr_negative_ci") for r in rows):
        lines.append("95% CI: log method (Simel 1991) from counts in the study; sensitivity and specificity: Wilson.")
    if any("†" in _interval_cell(r.get(k)) for r in rows for k in ("lr_positive_ci", "lr_negative_ci")):
        lines.append("† one known arm: the range from the sensitivity's interval at the stated specificity; not a 95% CI for the LR.")
    lines.append("Full interpretation, studies, counts, description, source and notes: -f json")
    return "\n".join(lines)


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
