"""Find the band of an interpretation table (held in the data) that a value falls in."""

from __future__ import annotations

import math
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


def band_interval(band: dict[str, Any]) -> dict[str, Any]:
    """A band's interval as numbers, with whether each end is closed: ``{"low", "high",
    "low_closed", "high_closed"}``. An unbounded end is None (JSON null), and a ``note`` says so."""
    lo, hi = band["lower"], band["upper"]
    out: dict[str, Any] = {
        "low": None if math.isinf(lo) else lo,
        "high": None if math.isinf(hi) else hi,
        "low_closed": bool(band["lower_inclusive"]) and not math.isinf(lo),
        "high_closed": bool(band["upper_inclusive"]) and not math.isinf(hi),
    }
    open_ends = [w for w, v in (("below", lo), ("above", hi)) if math.isinf(v)]
    if open_ends:
        out["note"] = "unbounded " + " and ".join(open_ends) + ": the end is null"
    return out


def interval_text(iv: dict[str, Any]) -> str:
    """An interval object (``band_interval``) in interval notation: [190, 240), (0.1, 0.2], [10, ∞)."""

    def num(v: Any, sign: str) -> str:
        return f"{sign}∞" if v is None else (str(int(v)) if v == int(v) else str(v))

    return ("[" if iv["low_closed"] else "(") + f"{num(iv['low'], '-')}, {num(iv['high'], '')}" + ("]" if iv["high_closed"] else ")")


def band_text(band: dict[str, Any]) -> str:
    """A band's interval in interval notation: [190, 240), (0.1, 0.2], ..."""
    return interval_text(band_interval(band))
