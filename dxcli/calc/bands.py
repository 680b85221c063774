"""Find the band of an interpretation table (held in the data) that a value falls in."""

from __future__ import annotations

from typing import Any, Callable, Sequence


def contains(band: dict[str, Any], x: float) -> bool:
    lo, hi = band["lower"], band["upper"]
    above = x > lo or (x == lo and band["lower_inclusive"])
    below = x < hi or (x == hi and band["upper_inclusive"])
    return above and below


def band_for(bands: Sequence[dict[str, Any]], x: float) -> dict[str, Any]:
    """The one band containing ``x``. The data's bands tile their domain (checked in tests)."""
    hits = [b for b in bands if contains(b, x)]
    if len(hits) != 1:
        raise ValueError(f"{x} falls in {len(hits)} bands")
    return hits[0]


def locator(bands: Sequence[dict[str, Any]]) -> Callable[[float], dict[str, Any]]:
    """``band_for`` over one table, with the bounds read once (batch mode calls it per value)."""
    edges = [(b["lower"], b["lower_inclusive"], b["upper"], b["upper_inclusive"], b) for b in bands]

    def locate(x: float) -> dict[str, Any]:
        found = None
        for lo, lo_in, hi, hi_in, b in edges:
            if (x > lo or (lo_in and x == lo)) and (x < hi or (hi_in and x == hi)):
                if found is not None:
                    raise ValueError(f"{x} falls in more than one band")
                found = b
        if found is None:
            raise ValueError(f"{x} falls in 0 bands")
        return found

    return locate


def band_text(band: dict[str, Any]) -> str:
    """A band's interval in interval notation: [190, 240), (0.1, 0.2], ..."""
    lo = "[" if band["lower_inclusive"] else "("
    hi = "]" if band["upper_inclusive"] else ")"

    def num(v: float) -> str:
        return "∞" if v == float("inf") else (str(int(v)) if v == int(v) else str(v))

    return f"{lo}{num(band['lower'])}, {num(band['upper'])}{hi}"
