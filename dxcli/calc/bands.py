"""Find the band of an interpretation table (held in the data) that a value falls in."""

from __future__ import annotations

from typing import Any, Sequence


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


def band_text(band: dict[str, Any]) -> str:
    """A band's interval in interval notation: [190, 240), (0.1, 0.2], ..."""
    lo = "[" if band["lower_inclusive"] else "("
    hi = "]" if band["upper_inclusive"] else ")"

    def num(v: float) -> str:
        return "∞" if v == float("inf") else (str(int(v)) if v == int(v) else str(v))

    return f"{lo}{num(band['lower'])}, {num(band['upper'])}{hi}"
