"""``--fields``: one selection for every command (rows, one record, or batch results)."""

from __future__ import annotations

from typing import Any, Optional

from dxcli.errors import InvalidInput


def parse(text: Optional[str]) -> Optional[list[str]]:
    """'id, name,lr_positive' -> ['id', 'name', 'lr_positive']; None or blank: no selection."""
    if text is None:
        return None
    names = list(dict.fromkeys(f.strip() for f in text.split(",") if f.strip()))
    if not names:
        raise InvalidInput("--fields names no field", hint="give field names separated by commas, e.g. --fields id,name")
    return names


def known(rows: list[dict[str, Any]]) -> list[str]:
    """The fields of some rows, in the order they first appear."""
    return list(dict.fromkeys(k for r in rows for k in r))


HINT_MAX = 380  # characters of a hint shown whole (longer messages are cut)


def _hint(have: list[str], unknown: list[str], command: Optional[str]) -> str:
    listed = "fields: " + ",".join(have)
    if len(listed) <= HINT_MAX or not command:
        return listed
    import difflib

    close = [m for u in unknown for m in difflib.get_close_matches(u, have, n=3, cutoff=0.6)]
    lead = f"did you mean {', '.join(dict.fromkeys(close))}? " if close else ""
    shown = command if " " not in command else f"'{command}'"
    return f"{lead}the {len(have)} fields: dxcli reference schema --output {shown}"


def select(data: Any, fields: list[str], command: Optional[str] = None) -> Any:
    """Only the named fields of each row (or of one record), in the order named. A field
    that no row has is a usage error whose hint lists the fields there are (or, when that
    list is too long for a hint, close names and the schema of ``command``'s output); a field
    that only some rows have is null in the others."""
    rows = [data] if isinstance(data, dict) else data
    if rows:
        try:
            if isinstance(data, dict):
                return {f: data[f] for f in fields}
        except KeyError:
            pass
        have = known(rows)
        unknown = [f for f in fields if f not in have]
        if unknown:
            raise InvalidInput(
                f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}",
                hint=_hint(have, unknown, command),
            )
    elif command:  # no rows to read the fields from: the command's declared output has them
        from dxcli.output.schemas import OUTPUTS, fields_of

        have = fields_of(command)
        unknown = [f for f in fields if f not in have]
        if command in OUTPUTS and unknown:
            raise InvalidInput(f"unknown field{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}", hint=_hint(have, unknown, command))
    if isinstance(data, dict):
        return {f: data.get(f) for f in fields}
    return [{f: r.get(f) for f in fields} for r in data]
