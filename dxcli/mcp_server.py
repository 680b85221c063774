"""``dxcli mcp``: a Model Context Protocol server over stdio (the official ``mcp`` SDK, 2.x).

One tool per function of ``dxcli.api``, its input schema built from that function's own
signature (the same declarations), its description from the function's docstring. A
tool's result is the JSON ``dxcli COMMAND -f json`` prints, with any raised red flags
first in it (a model never sees stderr), notes and citations kept. A bad argument, an
unknown name or damaged data comes back as a tool error carrying the CLI's message and
hint (the SDK's ``ToolError``), never as a crash of the server. Packs are those of the
CLI: ``--reference`` and ``DXCLI_REFERENCE_PATH``, fixed for the server's life.

Imported only by ``dxcli mcp`` (the SDK is an extra: ``pip install "dxcli[mcp]"``).
"""

from __future__ import annotations

import inspect
import threading
import typing
import warnings
from typing import Annotated, Any, Callable, Optional, Sequence

from dxcli import __version__, api
from dxcli.errors import DxError, inert

DISCLAIMER = "dxcli is a reference for trained clinicians and learners, not a diagnosis."
INSTRUCTIONS = (
    "dxcli: cited clinical reference data on buttock pain (one review, with primary sources where they "
    "were read): the differential of a complaint ranked from findings, exam maneuvers and tests with "
    "their likelihood ratios, anatomy and innervation, red flags, and calculators (Kerboul, Tönnis, "
    "post-test probability). Each result is dxcli's JSON: quote its figures with their sources and "
    "notes, and put any red_flags first. " + DISCLAIMER
)

# The tools, in the order a client lists them: the API's function of the same name each.
TOOLS = (
    "differential", "condition", "finding", "redflags", "maneuver", "test", "posttest", "kerboul", "tonnis",
    "anatomy", "muscle", "nerve", "innervation", "search", "cite", "sources", "case", "info",
)

# What each argument means, for the input schemas (a tool's own entry first, then the shared one).
ARGUMENTS: dict[str, str] = {
    "name": "An id, a name or an alias (case-insensitive; a name's first words are enough when they match one record). Leave out to list them all.",
    "condition": "A condition id, name or alias, e.g. 'gluteus-medius-tendinopathy'.",
    "pretest": "A pre-test probability: a number between 0 and 1, not 0 or 1 (0.3), or a percentage ('30%'). Adds post-test probabilities.",
    "complaint": "A presenting complaint id, e.g. 'buttock'. Leave out to list the complaints.",
    "present": "Finding ids present (from the finding tool). A finding not given is unknown and counts neither way.",
    "absent": "Finding ids looked for and absent.",
    "next": "Also say what to examine next for the leading conditions.",
    "kind": "Only findings of this kind (history, examination, imaging...: the data's own kinds).",
    "query": "A root (L4, L5, S1...), a nerve or a muscle. Leave out for every muscle.",
    "text": "Words to look for (typos and word order tolerated).",
    "limit": "At most this many results (1-500).",
    "record_id": "Any record's id (or name).",
    "angle": "The combined necrotic angle in degrees (e.g. 210), or with 'sagittal' the coronal arc. Leave out for the scale's groups and grades.",
    "sagittal": "The sagittal arc in degrees; the two arcs are summed.",
    "tonnis.findings": "Radiographic finding ids or descriptions, e.g. ['small-cysts', 'slight-sclerosis']. Leave out for the grades.",
    "posttest.findings": "Findings: a maneuver or test id with + or - ('faber+', 'puranen-orava-'), or a likelihood ratio 'lr=8.43'.",
    "posttest.pretest": "The pre-test probability: 0.3 or '30%'.",
    "simulation": "Also give each combined likelihood ratio a 95% simulation interval from the studies' counts, and how firm each LR-decided order is (default true).",
    "draws": "Draws for the 95% simulation interval (1-100,000; default 2,000, or 10,000 for a pre-test range).",
    "seed": "Seed of the simulation's draws (a whole number; the default is fixed, so the same call gives the same answer).",
}
# A case file would be read from the server's file system: over MCP only the bundled vignette.
LEFT_OUT = {"reference", "file"}


def red_flags_first(value: Any) -> Any:
    """``value`` with each object's ``red_flags`` as its first key (the same JSON otherwise)."""
    if isinstance(value, dict):
        out = {k: red_flags_first(v) for k, v in value.items()}
        if "red_flags" in out:
            out = {"red_flags": out.pop("red_flags"), **out}
        return out
    if isinstance(value, list):
        return [red_flags_first(v) for v in value]
    return value


def error_text(e: DxError) -> str:
    """The CLI's two lines for an error: 'dxcli: error: ...' and '  hint: ...'."""
    from dxcli.errors import shown

    return f"dxcli: error: {shown(e.message)}" + (f"\n  hint: {shown(e.hint)}" if e.hint else "")


def description(fn: Callable[..., Any]) -> str:
    return inspect.cleandoc(fn.__doc__ or "") + "\n\n" + DISCLAIMER


def _schema_only(annotation: Any) -> Any:
    """The argument as the schema declares it (from the API's annotation), but checked by
    the API itself, so that a wrong type gets the API's message and hint."""
    from pydantic import TypeAdapter, WithJsonSchema

    return Annotated[Any, WithJsonSchema(TypeAdapter(annotation).json_schema())]


def tool(fn: Callable[..., Any], lock: threading.Lock) -> Callable[..., list[str]]:
    """A tool calling ``fn``: its signature is ``fn``'s (less the packs), each argument
    described; its result is the JSON text, then any warning; a DxError is a ToolError.
    A required argument is declared required in the schema, but a call that leaves it out
    reaches the API, which says what is missing with a hint (not the SDK's validation text)."""
    from pydantic import Field

    from mcp.server.mcpserver.exceptions import ToolError

    from dxcli.output.render import json_text

    hints = typing.get_type_hints(fn)
    params = []
    for p in inspect.signature(fn).parameters.values():
        if p.name in LEFT_OUT:
            continue
        text = ARGUMENTS.get(f"{fn.__name__}.{p.name}") or ARGUMENTS[p.name]
        params.append(p.replace(kind=inspect.Parameter.KEYWORD_ONLY, default=None if p.default is p.empty else p.default,
                                annotation=Annotated[_schema_only(hints[p.name]), Field(description=text)]))

    def call(**kwargs: Any) -> list[str]:
        with lock, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", api.DxWarning)
            try:
                result = fn(**kwargs)
            except DxError as e:
                raise ToolError(error_text(e)) from None
        said = [f"dxcli: warning: {w.message}" for w in caught if issubclass(w.category, api.DxWarning)]
        return [json_text(red_flags_first(result), indent=2), *said]

    call.__name__ = fn.__name__
    call.__doc__ = description(fn)
    call.__signature__ = inspect.Signature(params, return_annotation=list[str])  # type: ignore[attr-defined]
    return call


def _strict(tool_class: Any) -> Any:
    """The SDK's Tool, refusing what its argument model would silently drop: an argument the
    tool does not have (a misspelt name answered as if it were left out would answer another
    question), and a number that is not finite (JSON's Infinity or NaN)."""
    import math

    from mcp.server.mcpserver.exceptions import ToolError

    def finite(v: Any) -> bool:
        if isinstance(v, float):
            return math.isfinite(v)
        if isinstance(v, (list, tuple)):
            return all(finite(x) for x in v)
        return True

    class StrictTool(tool_class):  # type: ignore[misc, valid-type]
        async def run(self, arguments: dict[str, Any], context: Any, convert_result: bool = False) -> Any:
            known = self.parameters.get("properties", {})
            unknown = sorted(set(arguments or {}) - set(known))
            if unknown:
                raise ToolError(error_text(DxError(
                    f"{self.name} has no argument {', '.join(repr(inert(k)[:80]) for k in unknown)}",
                    hint="its arguments: " + (", ".join(known) or "none"))))
            bad = [k for k, v in (arguments or {}).items() if not finite(v)]
            if bad:
                raise ToolError(error_text(DxError(f"{bad[0]} is not a finite number", hint="give a number such as 210")))
            return await super().run(arguments, context, convert_result)

    return StrictTool


def required(fn: Callable[..., Any]) -> list[str]:
    return [p.name for p in inspect.signature(fn).parameters.values() if p.default is p.empty and p.name not in LEFT_OUT]


def server(packs: Optional[Sequence[str]] = None) -> Any:
    """The MCP server with every tool; ``packs``: the CLI's packs (None: bundled data and
    DXCLI_REFERENCE_PATH, read by the API at each call)."""
    import functools

    from mcp.server.mcpserver import MCPServer
    from mcp.server.mcpserver.tools import Tool
    from mcp.types import ToolAnnotations

    lock = threading.Lock()  # one call at a time: warnings are caught per call
    tools = []
    for name in TOOLS:
        fn = base = getattr(api, name)
        if packs is not None:
            fn = functools.wraps(base)(functools.partial(base, reference=list(packs)))
        t = _strict(Tool).from_function(tool(fn, lock), name=name, description=description(base), structured_output=False,
                               annotations=ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False))
        if required(base):
            t.parameters["required"] = required(base)
        t.parameters["additionalProperties"] = False  # said to the client, and held by _strict
        tools.append(t)
    return MCPServer(name="dxcli", title="dxcli clinical reference", version=__version__, instructions=INSTRUCTIONS,
                     log_level="WARNING", tools=tools)


def run(packs: Optional[Sequence[str]] = None) -> None:
    """Serve over stdio until the client closes the connection."""
    server(packs).run("stdio")
