"""Bounds on the TOML a person gives dxcli (packs, case files), checked in linear time.

The bundled data stays far inside every bound (its deepest value is 10 levels down, its
largest table has 12 keys, its longest string 782 characters). Input beyond a bound is
refused with a message that names the bound, before any checker walks it: a value nested
thousands deep would exhaust Python's recursion, and a record with hundreds of thousands of
keys would give a problem for each.
"""

from __future__ import annotations

from typing import Any

from dxcli.reference.files import toml

MAX_DEPTH = 32  # levels of tables and arrays
MAX_KEYS = 256  # keys in one table (a record, or a table inside one)
MAX_STRING = 16_384  # characters in one string
MAX_LINE = 20_000  # characters in one line of a file


class OutOfBounds(Exception):
    """TOML beyond a bound: ``line`` (1-based, or None), ``key`` (a dotted path) and why."""

    def __init__(self, line: int | None, key: str, message: str) -> None:
        super().__init__(message)
        self.line, self.key, self.message = line, key, message


def check_lines(text: str) -> None:
    lines = text.splitlines()
    if lines and max(map(len, lines)) > MAX_LINE:
        i = next(i for i, ln in enumerate(lines) if len(ln) > MAX_LINE)
        raise OutOfBounds(i + 1, "", f"line of {len(lines[i]):,} characters, above the limit of {MAX_LINE:,}")


def check_value(data: Any) -> None:
    """Depth, keys per table and string length of parsed TOML, without recursion: a first pass
    keeps no paths (every pack pays for it); only a value out of bounds is walked again to
    name where it is."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    push, pop = stack.append, stack.pop
    while stack:
        value, depth = pop()
        if type(value) is dict:
            if depth >= MAX_DEPTH or len(value) > MAX_KEYS:
                return _check_with_paths(data)
            for v in value.values():
                if type(v) is str:
                    if len(v) > MAX_STRING:
                        return _check_with_paths(data)
                elif type(v) in (dict, list):
                    push((v, depth + 1))
        elif type(value) is list:
            if depth >= MAX_DEPTH:
                return _check_with_paths(data)
            for v in value:
                if type(v) is str:
                    if len(v) > MAX_STRING:
                        return _check_with_paths(data)
                elif type(v) in (dict, list):
                    push((v, depth + 1))
        elif type(value) is str and len(value) > MAX_STRING:
            return _check_with_paths(data)


def _check_with_paths(data: Any) -> None:
    """The walk that names the path of a value out of bounds (OutOfBounds)."""
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(data, 0, ())]
    while stack:
        value, depth, path = stack.pop()
        if isinstance(value, dict):
            if depth >= MAX_DEPTH:
                raise OutOfBounds(None, _dotted(path), f"nested more than {MAX_DEPTH} levels deep, the limit")
            if len(value) > MAX_KEYS:
                raise OutOfBounds(None, _dotted(path), f"a table of {len(value):,} keys, above the limit of {MAX_KEYS} keys per table")
            stack.extend((v, depth + 1, (*path, k)) for k, v in value.items())
        elif isinstance(value, list):
            if depth >= MAX_DEPTH:
                raise OutOfBounds(None, _dotted(path), f"nested more than {MAX_DEPTH} levels deep, the limit")
            stack.extend((v, depth + 1, (*path, i)) for i, v in enumerate(value))
        elif isinstance(value, str) and len(value) > MAX_STRING:
            raise OutOfBounds(None, _dotted(path), f"a string of {len(value):,} characters, above the limit of {MAX_STRING:,}")


def loads(text: str) -> dict[str, Any]:
    """Parse TOML text within the bounds: OutOfBounds, or TOMLDecodeError for bad syntax."""
    check_lines(text)
    try:
        data = toml().loads(text)
    except RecursionError:
        raise OutOfBounds(None, "", f"nested more than {MAX_DEPTH} levels deep, the limit") from None
    check_value(data)
    return data


def _dotted(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out
