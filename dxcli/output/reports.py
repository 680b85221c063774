"""Results of several parts as reports (formats.Report): what JSON, NDJSON and the rows of
CSV and TSV carry of them. (JSON carries the query's result whole: formats.to_json.)"""

from __future__ import annotations

from typing import Any

from dxcli.output.formats import Report, Section


def ranking(result: dict[str, Any]) -> Report:
    """The ranked differential: NDJSON's red flags, ranking and next steps in that order; one
    row a condition for CSV and TSV. Red flags are about the patient: every row carries every
    raised flag (with its action text), the same in each, so a script that reads one row, or
    filters rows, still sees them; ``condition_red_flags`` names those linked to the row's
    condition. The next steps for the condition sit in a cell of their own. Every red flag is
    an alert on stderr as well."""
    raised = [{k: f[k] for k in ("id", "name", "action", "finding")} for f in result["red_flags"]]
    nxt = result["next"]
    flat = [
        dict(
            r,
            red_flags=raised,
            condition_red_flags=r["red_flags"],
            next=None if nxt is None else [x for x in nxt if x["for_condition"] == r["id"]],
            next_why=result.get("next_why"),
            basis=result["basis"],
        )
        for r in result["conditions"]
    ]
    sections = [Section("red_flag", result["red_flags"]), Section("condition", result["conditions"]), Section("next", nxt or [])]
    alerts = [f"{fl['name']} ({fl['finding']}): {fl['action']}" for fl in result["red_flags"]]
    return Report(result, sections, flat, alerts)
