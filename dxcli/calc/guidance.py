"""Calculator guidance (when to use, what the groups mean, pitfalls, next steps) as output
fields, from a scale's ``guidance`` data: pure, no I/O."""

from __future__ import annotations

from typing import Any, Optional

NONE_STATED = "none stated: no source states a next step"
PARTS = (("when_to_use", "when_to_use"), ("groups", "groups_meaning"), ("pitfalls", "pitfalls"), ("next_steps", "next_steps"))


def fields(guidance: Optional[dict[str, Any]]) -> dict[str, Any]:
    """``when_to_use``, ``groups_meaning``, ``pitfalls`` and ``next_steps``: each a list of
    ``{text, kind, source}``. A part with no statement is the single item "none stated"."""
    g = guidance or {}
    out: dict[str, Any] = {}
    for key, name in PARTS:
        items = [{"text": i["text"], "kind": i.get("kind", "stated"), "source": i["source"]} for i in g.get(key, [])]
        out[name] = items or [{"text": NONE_STATED if key == "next_steps" else "none stated", "kind": "none stated", "source": None}]
    return out
