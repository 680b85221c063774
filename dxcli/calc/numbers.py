"""Parse numbers typed by people: strict ASCII, finite, with optional units."""

from __future__ import annotations

import math
import re

from dxcli.errors import InvalidInput

PLAIN = re.compile(r"[0-9]{1,300}(\.[0-9]*)?\Z")
# ASCII digits only; compiled on first use (re's cache): a plain number never needs it
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


def parse_number(text: str, what: str, *, suffixes: tuple[str, ...] = ()) -> float:
    """A finite number from ``text``; a trailing suffix (e.g. '°', 'deg', '%') is removed first.

    Returns the number and never -0.0. Raises InvalidInput naming the value.
    """
    if PLAIN.match(text):  # the common case, digits and at most one point: no suffix, finite
        return float(text) + 0.0
    raw = text
    t = text.strip()
    for s in suffixes:
        if t.lower().endswith(s):
            t = t[: -len(s)].strip()
            break
    if not re.match(_NUMBER, t):
        raise InvalidInput(f"{what} {raw!r} is not a number", hint="give a plain decimal number such as 210")
    x = float(t)
    if not math.isfinite(x):
        raise InvalidInput(f"{what} {raw!r} is not a finite number", hint="give a finite decimal number")
    return x + 0.0  # -0.0 -> 0.0
