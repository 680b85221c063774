"""The one rounding rule for a computed value a person reads (pure arithmetic, no imports
beyond math: a lookup in a machine format never needs the number parser)."""

from __future__ import annotations

import math


def significant(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant figures, without trailing zeros: 26.288 -> '26.3',
    0.12094 -> '0.121', 2.1 -> '2.1', 1234.5 -> '1230'. The one rounding rule for a computed
    value a person reads (output/words.py uses it for pages and cards)."""
    if x == 0 or math.isinf(x) or math.isnan(x):
        return "0" if x == 0 else "∞" if x > 0 else "-∞" if math.isinf(x) else "nan"
    places = digits - 1 - math.floor(math.log10(abs(x)))
    r = round(x, places)
    if places <= 0:
        return f"{r:.0f}"
    return f"{r:.{places}f}".rstrip("0").rstrip(".")
