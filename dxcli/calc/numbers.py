"""Parse numbers typed by people: strict ASCII, finite, with optional units."""

from __future__ import annotations

import math
import re

from dxcli.errors import InvalidInput

PLAIN = re.compile(r"[0-9]{1,300}(\.[0-9]*)?\Z")
# ASCII digits only; compiled on first use (re's cache): a plain number never needs it
_NUMBER = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$"


# An example of each kind of number, for the hint when one is not a number.
EXAMPLES = {"angle": "210", "coronal angle": "100", "sagittal angle": "110", "combined angle": "210",
            "likelihood ratio": "8.43", "pre-test probability": "0.3 or 30%"}


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
        raise InvalidInput(f"{what} {raw!r} is not a number", hint=f"give the {what} as a plain decimal number, e.g. {EXAMPLES.get(what, '0.3')}")
    x = float(t)
    if not math.isfinite(x):
        raise InvalidInput(f"{what} {raw!r} is not a finite number", hint="give a finite decimal number")
    return x + 0.0  # -0.0 -> 0.0
