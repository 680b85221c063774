"""Parse a probability typed by a person: 0.3 or 30%."""

from __future__ import annotations

from dxcli.calc.numbers import parse_number
from dxcli.errors import InvalidInput


def parse_probability(text: str, what: str = "probability") -> float:
    t = text.strip()
    percent = t.endswith("%")
    x = parse_number(t, what, suffixes=("%",))
    if percent:
        x = x / 100.0
    elif x > 1:
        raise InvalidInput(
            f"{what} {text!r} is above 1",
            hint=f"give a probability from 0 to 1 (0.3) or a percentage ({text.strip()}%)",
        )
    if not 0.0 <= x <= 1.0:
        raise InvalidInput(f"{what} {text!r} is outside 0 to 1", hint="give a probability from 0 to 1, e.g. 0.3 or 30%")
    return x
