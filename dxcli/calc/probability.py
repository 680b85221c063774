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


CERTAINTY_HINT = "a probability of 0 or 1 is certainty that no finding can move; give one between them, e.g. 0.01 or 99%"


def _uncertain(x: float, text: str, what: str) -> float:
    """A pre-test probability of exactly 0 or 1 is refused: it is certainty, which no finding
    can move, so every post-test probability from it would equal it whatever the findings."""
    if x in (0.0, 1.0):
        raise InvalidInput(f"{what} {text.strip()!r} is certainty ({x:g}): no finding can change it", hint=CERTAINTY_HINT)
    return x


def parse_pretest(text: str, what: str = "pre-test probability", ranges: bool = True) -> float | tuple[float, float]:
    """A pre-test probability, or a range of them: '0.3', '30%', '20%-40%', '0.2-0.4' (an en
    dash too). A range is (low, high) with low < high; each end is read by
    ``parse_probability``, and a '%' on either end applies to both ('20-40%'). Neither a value
    nor an end of a range may be 0 or 1 (certainty). ``ranges=False``: one value only, a range
    refused with a hint (a float is returned)."""
    t = text.strip()
    cut = next((i for i, ch in enumerate(t) if ch in "-\u2013" and i > 0 and t[i - 1] not in "eE"), None)
    if cut is None:
        return _uncertain(parse_probability(t, what), t, what)
    if not ranges:
        raise InvalidInput(f"{what} {text!r} is a range; here a pre-test probability is one value",
                           hint="a range of pre-test probabilities is for one case at a time, e.g. 'dxcli posttest -p 20%-40% modified-bent-knee+'")
    left, right = t[:cut].strip(), t[cut + 1:].strip()
    if not left or not right:
        raise InvalidInput(f"{what} {text!r} is not a probability or a range of two",
                           hint="give 0.3 or 30%, or a range such as 20%-40%")
    if right.endswith("%") and not left.endswith("%"):
        left += "%"
    if left.endswith("%") and not right.endswith("%"):
        right += "%"
    lo, hi = _uncertain(parse_probability(left, what), left, what), _uncertain(parse_probability(right, what), right, what)
    if not lo < hi:
        raise InvalidInput(f"{what} range {text!r} does not run from a lower to a higher probability",
                           hint="give the low end first, e.g. 20%-40%; one value for a single probability")
    return lo, hi
