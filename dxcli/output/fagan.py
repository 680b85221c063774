"""Fagan nomogram: geometry, a standalone SVG and a plain-text rendering.

Three parallel vertical axes, equally spaced: left = pre-test probability,
middle = likelihood ratio, right = post-test probability.  With a scale factor
``k`` (abstract units, y pointing up):

* left axis:   y = -k * logit(p)   (inverted: high probabilities at the bottom)
* middle axis: y =  k * ln(LR) / 2
* right axis:  y =  k * logit(q)   (high probabilities at the top)

The straight line from the left point to the right point meets the middle axis
(the midpoint in x) at the mean of the two ends, ``k * (logit(q) - logit(p)) / 2``,
which equals ``k * ln(LR) / 2`` exactly when ``logit(q) = logit(p) + ln(LR)``,
i.e. post-test odds = pre-test odds x LR.

Positions are drawn within the printed axes (probabilities 0.1% to 99.9%, LR
0.001 to 1000); values outside are drawn at the axis limit and flagged with
``"clamped": True``, while the numbers reported (and printed in the caption)
are the true ones.  Pure standard library, no I/O.

An interval for the likelihood ratio (``band={"low", "high", "label"}``) is drawn as a
shaded band: in the SVG, a translucent polygon from the pre-test point through the two ends
of the LR interval to the post-test probabilities they give (the lines through the interval
ends), with a legend that gives both intervals and the label (a 95% CI, or a range that is
not one); in text, the post-test interval is marked with '#' on the post-test axis.
"""

from __future__ import annotations

import math
import textwrap
from xml.sax.saxutils import escape

__all__ = [
    "P_MIN",
    "P_MAX",
    "LR_MIN",
    "LR_MAX",
    "PROBABILITY_TICKS_PERCENT",
    "LR_TICKS",
    "SVG_WIDTH",
    "SVG_HEIGHT",
    "SVG_LEFT_X",
    "SVG_MIDDLE_X",
    "SVG_RIGHT_X",
    "logit",
    "posttest_probability",
    "nomogram_points",
    "svg_pretest_y",
    "svg_lr_y",
    "svg_posttest_y",
    "caption",
    "fmt_lr",
    "text_box",
    "segment_hits_box",
    "band_posttest",
    "band_legend",
    "svg",
    "text",
]

P_MIN = 0.001
P_MAX = 0.999
LR_MIN = 0.001
LR_MAX = 1000.0

PROBABILITY_TICKS_PERCENT: tuple[float, ...] = (
    0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99, 99.5, 99.9,
)
LR_TICKS: tuple[float, ...] = (
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5,
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000,
)

# Abstract half-height of the probability axes: logit(0.999).
_YMAX = math.log(P_MAX / (1.0 - P_MAX))

# ---------------------------------------------------------------- SVG layout (px)
SVG_WIDTH = 720
SVG_HEIGHT = 880
SVG_LEFT_X = 180.0
SVG_MIDDLE_X = 360.0
SVG_RIGHT_X = 540.0
_SVG_PLOT_TOP = 110.0
_SVG_PLOT_BOTTOM = 800.0
_SVG_CENTER_Y = (_SVG_PLOT_TOP + _SVG_PLOT_BOTTOM) / 2.0
_SVG_K = (_SVG_PLOT_BOTTOM - _SVG_PLOT_TOP) / (2.0 * _YMAX)  # px per abstract unit


# ---------------------------------------------------------------- numbers
def logit(p: float) -> float:
    """ln(p / (1 - p)) for 0 < p < 1."""
    return math.log(p / (1.0 - p))


def _clamp(x: float, lo: float, hi: float) -> float:
    return lo if x < lo else hi if x > hi else x


def _check(pretest: float, lr: float) -> None:
    if isinstance(pretest, bool) or isinstance(lr, bool):
        raise TypeError("pretest and lr are numbers, not booleans")
    if math.isnan(pretest) or not 0.0 <= pretest <= 1.0:
        raise ValueError("pretest must lie in [0, 1]")
    if math.isnan(lr) or lr < 0:
        raise ValueError("a likelihood ratio is non-negative")


def posttest_probability(pretest: float, lr: float) -> float:
    """q = p*LR / (1 - p + p*LR), by :func:`dxcli.calc.likelihood.posttest` (the one post-test
    function): certainty does not move, an infinite LR gives 1 and an LR of 0 gives 0."""
    from dxcli.calc.likelihood import posttest

    _check(pretest, lr)
    return posttest(float(pretest), float(lr))


def nomogram_points(pretest: float, lr: float) -> dict:
    """Geometry of the nomogram line in abstract units (k = 1).

    Returns the true ``pretest``, ``lr`` and ``posttest`` and the drawing
    positions ``left_y = -logit(p)``, ``middle_y = ln(LR)/2``, ``right_y = logit(q)``
    computed from values clamped to the printed axes (0.1%..99.9%, LR
    0.001..1000); ``clamped`` says whether any of the three had to be clamped
    (then the drawn line need not pass exactly through the LR point).
    """
    q = posttest_probability(pretest, lr)
    p_draw = _clamp(float(pretest), P_MIN, P_MAX)
    lr_draw = _clamp(float(lr), LR_MIN, LR_MAX)
    q_draw = _clamp(q, P_MIN, P_MAX)
    clamped = p_draw != pretest or lr_draw != lr or q_draw != q
    return {
        "pretest": float(pretest),
        "lr": float(lr),
        "posttest": q,
        "left_y": -logit(p_draw),
        "middle_y": math.log(lr_draw) / 2.0,
        "right_y": logit(q_draw),
        "clamped": clamped,
    }


# ---------------------------------------------------------------- formatting
def _fmt_percent(x: float) -> str:
    """One decimal; never rounds a non-certain value to 0.0% or 100.0%."""
    pct = 100.0 * x
    s = f"{pct:.1f}"
    if s in ("0.0", "-0.0") and x > 0.0:
        return "<0.1%"
    if s == "100.0" and x < 1.0:
        return ">99.9%"
    return s + "%"


def _fmt_lr(x: float) -> str:
    """3 significant figures, as everywhere a person reads an LR (output/words.py)."""
    from dxcli.output.words import lr

    return lr(x)


fmt_lr = _fmt_lr


def _fmt_tick_percent(v: float) -> str:
    return f"{v:g}"


def _fmt_tick_lr(v: float) -> str:
    return f"{v:g}"


def caption(pretest: float, lr: float) -> str:
    """'pre-test 30% × LR 8.43 → post-test 78.3%': percentages as on the points (one decimal
    at most, never rounded to certainty), so the caption and the axes agree."""
    q = posttest_probability(pretest, lr)
    return f"pre-test {_fmt_value(pretest)} × LR {_fmt_lr(lr)} → post-test {_fmt_value(q)}"


def band_posttest(pretest: float, band: dict) -> tuple[float, float]:
    """The post-test probabilities at the two ends of an LR interval (lower, upper), by the
    one interval end-point function (calc/intervals.py)."""
    from dxcli.calc.intervals import posttest_interval

    _check(pretest, band["low"])
    _check(pretest, band["high"])
    return posttest_interval(float(pretest), float(band["low"]), float(band["high"]))


def band_legend(pretest: float, band: dict) -> str:
    """'post-test 63.1% to 91.8% for LR 4 to 26.3' (the label is a line of its own)."""
    q_lo, q_hi = band_posttest(pretest, band)
    return (
        f"post-test {_fmt_value(q_lo)} to {_fmt_value(q_hi)} "
        f"for LR {_fmt_lr(band['low'])} to {_fmt_lr(band['high'])}"
    )


def _check_band(band: dict | None) -> None:
    if band is None:
        return
    lo, hi = band["low"], band["high"]
    if math.isnan(lo) or math.isnan(hi) or lo < 0 or hi < lo:
        raise ValueError("an LR interval has 0 <= low <= high")


_CLAMP_NOTE = "Values beyond 0.1–99.9% or LR 0.001–1000 are drawn at the axis limits."
_CLAMP_NOTE_ASCII = "(values beyond the axes are drawn at the axis ends)"


# ---------------------------------------------------------------- SVG
def _svg_y(v: float) -> float:
    """Abstract y (up) to SVG px (down)."""
    return _SVG_CENTER_Y - _SVG_K * v


def svg_pretest_y(p: float) -> float:
    """SVG y (px) of pre-test probability ``p`` on the left axis (clamped to the axis)."""
    return _svg_y(-logit(_clamp(p, P_MIN, P_MAX)))


def svg_posttest_y(q: float) -> float:
    """SVG y (px) of post-test probability ``q`` on the right axis (clamped to the axis)."""
    return _svg_y(logit(_clamp(q, P_MIN, P_MAX)))


def svg_lr_y(lr: float) -> float:
    """SVG y (px) of likelihood ratio ``lr`` on the middle axis (clamped to the axis)."""
    return _svg_y(math.log(_clamp(lr, LR_MIN, LR_MAX)) / 2.0)


def _n(x: float) -> str:
    s = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _text_el(x: float, y: float, s: str, *, anchor: str = "middle", size: int = 11,
             extra: str = "") -> str:
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" font-size="{size}"'
        f'{(" " + extra) if extra else ""}>{escape(s)}</text>'
    )


# ---------------------------------------------------------------- label placement
# A label's box is estimated from its text (Helvetica: digits 0.56 em, '%' 0.89 em; 0.62 em
# a character is generous), its size and its anchor: from the cap height above the baseline
# to the descenders below it. A label is placed only where no drawn segment crosses its box.
Box = tuple[float, float, float, float]  # x0, y0, x1, y1 (SVG px, y down)
Segment = tuple[float, float, float, float]  # x1, y1, x2, y2

_LABEL_PAD = 2.0


def text_box(x: float, y: float, s: str, size: float, anchor: str = "start") -> Box:
    """The box a label at (x, y) covers: an over-estimate, so a clear box is clear on paper."""
    w = sum(0.9 if ch in "%" else 0.62 for ch in s) * size
    x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return (x0 - _LABEL_PAD, y - 0.8 * size - _LABEL_PAD, x0 + w + _LABEL_PAD, y + 0.25 * size + _LABEL_PAD)


def segment_hits_box(seg: Segment, box: Box) -> bool:
    """Whether the segment crosses or touches the box (Liang-Barsky clipping)."""
    x1, y1, x2, y2 = seg
    bx0, by0, bx1, by1 = box
    dx, dy = x2 - x1, y2 - y1
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x1 - bx0), (dx, bx1 - x1), (-dy, y1 - by0), (dy, by1 - y1)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return False
    return True


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _choose(candidates, segments: list[Segment], soft: list[Segment], taken: list[Box]):
    """The first candidate (x, y, anchor, text, size) clear of the segments, the boxes already
    taken and, where one can be, the soft segments too (the band's edges); None if none is."""
    clear = []
    for c in candidates:
        box = text_box(c[0], c[1], c[3], c[4], c[2])
        if any(segment_hits_box(s, box) for s in segments) or any(_overlap(box, t) for t in taken):
            continue
        if not any(segment_hits_box(s, box) for s in soft):
            return c, box
        clear.append((c, box))
    return clear[0] if clear else (None, None)


_BAND_FILL = "#1f77b4"
_BAND_ROOM = 40.0  # px added below the caption for the band's legend


def _fmt_value(x: float) -> str:
    """A point's value: '30%', '80.9%' (one decimal at most, never rounded to certainty)."""
    s = _fmt_percent(x)
    return s.replace(".0%", "%") if s[0].isdigit() else s


# A point's value: beside its point, above or below it, nearest first (px from the point's y).
_VALUE_DY = (-8, 18, -22, 32, -36, 46, -50, 60)
_NEAR = 4  # the first of them are within 30 px of the point

_HEAD_WRAP = 88  # characters a line of the findings under the title (13 px in 720 px)
_HEAD_LINE = 18.0  # px a line


def svg(pretest: float, lr: float, title: str | None = None, band: dict | None = None,
        findings: list[str] | None = None) -> str:
    """A complete standalone SVG document of the nomogram for ``pretest`` and ``lr``; with
    ``band`` (an LR interval ``{"low", "high", "label"}``), the shaded post-test band; with
    ``findings`` (e.g. 'Modified bent-knee test positive (LR 9.89)'), lines under the title.

    The three points carry their values; every label sits where neither the line nor the
    band's edges cross it (an LR tick label that the line would cross on both sides of its
    axis is left out: the line's own LR is written at its point)."""
    _check_band(band)
    pts = nomogram_points(pretest, lr)
    yl = _svg_y(pts["left_y"])
    ym = _svg_y(pts["middle_y"])
    yr = _svg_y(pts["right_y"])
    lr_top, lr_bottom = svg_lr_y(LR_MAX), svg_lr_y(LR_MIN)

    head = [line for f in findings or [] for line in textwrap.wrap(f, _HEAD_WRAP)] if title or findings else []
    extra = _HEAD_LINE * len(head)  # the lines under the title sit above y = 0
    height = SVG_HEIGHT + (_BAND_ROOM if band is not None else 0)
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{_n(height + extra)}" '
        f'viewBox="0 {_n(-extra)} {SVG_WIDTH} {_n(height + extra)}" font-family="Helvetica, Arial, sans-serif">',
        f"<title>{escape(title if title else 'Fagan nomogram')}</title>",
        f'<rect x="0" y="{_n(-extra)}" width="100%" height="100%" fill="white"/>',
    ]
    top = 38 - extra
    if title:
        out.append(_text_el(SVG_WIDTH / 2, top, title, size=17,
                            extra='font-weight="bold" id="fagan-title"'))
    if head:
        out.append('<g id="fagan-findings" fill="#222">')
        for i, line in enumerate(head):
            out.append(_text_el(SVG_WIDTH / 2, top + 22 + _HEAD_LINE * i, line, size=13))
        out.append("</g>")

    # axis titles
    title_y = _SVG_PLOT_TOP - 40
    for x, label, axis_id in (
        (SVG_LEFT_X, "Pre-test probability (%)", "title-pretest"),
        (SVG_MIDDLE_X, "Likelihood ratio", "title-lr"),
        (SVG_RIGHT_X, "Post-test probability (%)", "title-posttest"),
    ):
        out.append(_text_el(x, title_y, label, size=13, extra=f'font-weight="bold" id="{axis_id}"'))

    # axes
    axis_style = 'stroke="black" stroke-width="1.5"'
    out.append(f'<g id="axes" {axis_style}>')
    out.append(f'<line id="axis-pretest" x1="{_n(SVG_LEFT_X)}" y1="{_n(_SVG_PLOT_TOP)}" '
               f'x2="{_n(SVG_LEFT_X)}" y2="{_n(_SVG_PLOT_BOTTOM)}"/>')
    out.append(f'<line id="axis-lr" x1="{_n(SVG_MIDDLE_X)}" y1="{_n(lr_top)}" '
               f'x2="{_n(SVG_MIDDLE_X)}" y2="{_n(lr_bottom)}"/>')
    out.append(f'<line id="axis-posttest" x1="{_n(SVG_RIGHT_X)}" y1="{_n(_SVG_PLOT_TOP)}" '
               f'x2="{_n(SVG_RIGHT_X)}" y2="{_n(_SVG_PLOT_BOTTOM)}"/>')
    out.append("</g>")

    # ticks
    tick = 7.0
    out.append('<g id="ticks" stroke="black" stroke-width="1">')
    for v in PROBABILITY_TICKS_PERCENT:
        y = svg_pretest_y(v / 100.0)
        out.append(f'<line x1="{_n(SVG_LEFT_X - tick)}" y1="{_n(y)}" x2="{_n(SVG_LEFT_X)}" y2="{_n(y)}"/>')
        y = svg_posttest_y(v / 100.0)
        out.append(f'<line x1="{_n(SVG_RIGHT_X)}" y1="{_n(y)}" x2="{_n(SVG_RIGHT_X + tick)}" y2="{_n(y)}"/>')
    for v in LR_TICKS:
        y = svg_lr_y(v)
        out.append(f'<line x1="{_n(SVG_MIDDLE_X - tick)}" y1="{_n(y)}" '
                   f'x2="{_n(SVG_MIDDLE_X + tick)}" y2="{_n(y)}"/>')
    out.append("</g>")

    # what is drawn across the plot: the line (labels must clear it) and the band's edges
    # (labels clear them where they can)
    line: Segment = (SVG_LEFT_X, yl, SVG_RIGHT_X, yr)
    soft: list[Segment] = []
    clamped = pts["clamped"]
    if band is not None:
        q_lo, q_hi = band_posttest(pretest, band)
        y_lo, y_hi = svg_posttest_y(q_lo), svg_posttest_y(q_hi)
        soft = [(SVG_LEFT_X, yl, SVG_RIGHT_X, y_lo), (SVG_LEFT_X, yl, SVG_RIGHT_X, y_hi)]

    # Every axis's ticks are labelled, each axis's labels on one side of it: the probabilities
    # outside the plot, the likelihood ratios left of their axis. A point's value goes on the
    # other side of its axis (inside the plot; right of the LR axis), where it hides no tick
    # label, and clear of the line.
    tick_labels = [(SVG_LEFT_X - tick - 4, svg_pretest_y(v / 100.0) + 4, "end", _fmt_tick_percent(v), 11)
                   for v in PROBABILITY_TICKS_PERCENT]
    tick_labels += [(SVG_RIGHT_X + tick + 4, svg_posttest_y(v / 100.0) + 4, "start", _fmt_tick_percent(v), 11)
                    for v in PROBABILITY_TICKS_PERCENT]
    lr_labels = [(SVG_MIDDLE_X - tick - 4, svg_lr_y(v) + 4, "end", _fmt_tick_lr(v), 11) for v in LR_TICKS]
    taken: list[Box] = [text_box(x, y, t, sz, a) for x, y, a, t, sz in tick_labels + lr_labels]
    values: list[tuple[str, tuple]] = []
    size = 13
    pre, post, lr_text = _fmt_value(pretest), _fmt_value(pts["posttest"]), "LR " + _fmt_lr(lr)
    for vid, cands in (
        ("value-pretest", [(SVG_LEFT_X + 9, yl + dy, "start", pre, size) for dy in _VALUE_DY]),
        ("value-posttest", [(SVG_RIGHT_X - 9, yr + dy, "end", post, size) for dy in _VALUE_DY]),
        ("value-lr", [(SVG_MIDDLE_X + 9, ym + dy, "start", lr_text, size) for dy in _VALUE_DY]),
    ):
        got, box = _choose(cands[:_NEAR], [line], soft, taken)  # beside the point, the band's edges allowed
        if got is None:
            got, box = _choose(cands[_NEAR:], [line], soft, taken)
        if got is not None:
            taken.append(box)
            values.append((vid, got))

    out.append('<g id="tick-labels" fill="#222">')
    for x, y, anchor, t, _ in tick_labels:
        out.append(_text_el(x, y, t, anchor=anchor))
    out.append("</g>")

    # the band: under the line, from the pre-test point through both ends of the LR interval
    if band is not None:
        clamped = clamped or any(
            v != _clamp(v, P_MIN, P_MAX) for v in (q_lo, q_hi)
        ) or any(v != _clamp(v, LR_MIN, LR_MAX) for v in (band["low"], band["high"]))
        points = f"{_n(SVG_LEFT_X)},{_n(yl)} {_n(SVG_RIGHT_X)},{_n(y_lo)} {_n(SVG_RIGHT_X)},{_n(y_hi)}"
        out.append(
            f'<polygon id="fagan-band" points="{points}" fill="{_BAND_FILL}" fill-opacity="0.25" '
            f'stroke="{_BAND_FILL}" stroke-opacity="0.6" stroke-width="1">'
            f"<title>{escape(band_legend(pretest, band))}; {escape(band['label'])}</title></polygon>"
        )
        for bid, y in (("band-posttest-low", y_lo), ("band-posttest-high", y_hi)):
            out.append(f'<line id="{bid}" x1="{_n(SVG_RIGHT_X - 6)}" y1="{_n(y)}" x2="{_n(SVG_RIGHT_X + 6)}" '
                       f'y2="{_n(y)}" stroke="{_BAND_FILL}" stroke-width="2.5"/>')

    # the line and the three points
    out.append(
        f'<line id="fagan-line" x1="{_n(SVG_LEFT_X)}" y1="{_n(yl)}" '
        f'x2="{_n(SVG_RIGHT_X)}" y2="{_n(yr)}" stroke="red" stroke-width="2" stroke-linecap="round"/>'
    )
    for pid, x, y in (
        ("point-pretest", SVG_LEFT_X, yl),
        ("point-lr", SVG_MIDDLE_X, ym),
        ("point-posttest", SVG_RIGHT_X, yr),
    ):
        out.append(f'<circle id="{pid}" cx="{_n(x)}" cy="{_n(y)}" r="4.5" '
                   f'fill="red" stroke="white" stroke-width="1"/>')
    # the LR tick labels over the line, on a white edge: the line passes under a label, never
    # hides it (where it crosses the LR axis it runs through the labels' side)
    out.append('<g id="tick-labels-lr" fill="#222" stroke="white" stroke-width="3" paint-order="stroke">')
    for x, y, anchor, t, _ in lr_labels:
        out.append(_text_el(x, y, t, anchor=anchor))
    out.append("</g>")
    # the values, over everything, with a white edge so that a tick or the band never hides them
    for vid, (x, y, anchor, s, sz) in values:
        out.append(_text_el(x, y, s, anchor=anchor, size=sz,
                            extra=f'id="{vid}" font-weight="bold" fill="#b00000" stroke="white" '
                                  'stroke-width="3" paint-order="stroke"'))

    # caption
    out.append(_text_el(SVG_WIDTH / 2, _SVG_PLOT_BOTTOM + 42, caption(pretest, lr), size=16,
                        extra='id="fagan-caption"'))
    below = _SVG_PLOT_BOTTOM + 66
    if band is not None:
        legend = "Shaded: " + band_legend(pretest, band)
        width = 7.0 * len(legend)  # about 7 px a character at 13 px
        x0 = SVG_WIDTH / 2 - width / 2 - 10
        out.append('<g id="fagan-band-legend">')
        out.append(f'<rect x="{_n(x0)}" y="{_n(below - 11)}" width="14" height="14" fill="{_BAND_FILL}" '
                   f'fill-opacity="0.25" stroke="{_BAND_FILL}" stroke-opacity="0.6"/>')
        out.append(_text_el(x0 + 20, below, legend, anchor="start", size=13, extra='id="fagan-band-text"'))
        out.append(_text_el(SVG_WIDTH / 2, below + 20, band["label"], size=11,
                            extra='id="fagan-band-label" fill="#333"'))
        out.append("</g>")
        below += _BAND_ROOM
    if clamped:
        out.append(_text_el(SVG_WIDTH / 2, below, _CLAMP_NOTE, size=11,
                            extra='id="fagan-clamped" fill="#666"'))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- text
def _round(x: float) -> int:
    """Round half up (deterministic, no banker's rounding)."""
    return math.floor(x + 0.5)


def text(pretest: float, lr: float, height: int = 21, width: int = 60, band: dict | None = None,
         title: str | None = None, findings: list[str] | None = None) -> str:
    """Plain-text nomogram: ``height`` plot rows, every line at most ``width`` columns.

    Axes are '|' with '+' at labelled ticks, the line is '*', the three points 'o', each
    with its value beside it where it fits ('30%', 'LR 9.89', '80.9%': a tick label has
    no '%' and no 'LR'). Labels are
    placed before the line and the line never writes over one: an LR tick label goes on
    the side of its axis that the line leaves free, and is left out where the line passes
    on both sides. A header line names the axes; the last lines are the caption (wrapped to
    fit). With ``title`` and ``findings``, lines above the header say what is drawn. With
    ``band`` (an LR interval), the post-test interval is '#' on the post-test axis and a
    legend line with its label follows the caption.
    """
    _check_band(band)
    if height < 7:
        raise ValueError("height must be at least 7 rows")
    if width < 30:
        raise ValueError("width must be at least 30 columns")
    pts = nomogram_points(pretest, lr)

    def rowf(v: float) -> float:  # abstract y -> fractional row (0 = top)
        return (_YMAX - v) / (2.0 * _YMAX) * (height - 1)

    label_w = 5  # "99.9" or a point's value, ">99.9"
    cl = label_w + 1
    cr = width - (label_w + 2)  # room for " >99.9" after the axis
    if (cr - cl) % 2:
        cr -= 1  # even span: the middle axis sits exactly half-way
    cm = (cl + cr) // 2

    grid = [[" "] * width for _ in range(height)]
    m_top = _round(rowf(math.log(LR_MAX) / 2.0))
    m_bottom = _round(rowf(math.log(LR_MIN) / 2.0))

    # where the line will go: one cell per column crossed and one per row, so it stays connected
    line: set[tuple[int, int]] = set()
    r_l, r_r = rowf(pts["left_y"]), rowf(pts["right_y"])
    span = cr - cl
    for c in range(cl, cr + 1):
        r = _round(r_l + (c - cl) / span * (r_r - r_l))
        if 0 <= r < height:
            line.add((r, c))
    if r_r != r_l:
        lo, hi = sorted((r_l, r_r))
        for r in range(math.ceil(lo), math.floor(hi) + 1):
            c = _round(cl + (r - r_l) / (r_r - r_l) * span)
            if cl <= c <= cr:
                line.add((r, c))
    rows = {"l": _round(r_l), "m": _round(rowf(pts["middle_y"])), "r": _round(r_r)}

    # axes
    for r in range(height):
        grid[r][cl] = "|"
        grid[r][cr] = "|"
        if m_top <= r <= m_bottom:
            grid[r][cm] = "|"

    taken: set[tuple[int, int]] = set()

    def free(r: int, start: int, s: str) -> bool:
        cells = [(r, c) for c in range(start - 1, start + len(s) + 1)]  # a blank either side
        return (0 <= r < height and start >= 0 and start + len(s) <= width
                and not any(x in line or x in taken for x in cells)
                and all(grid[r][c] == " " for c in range(max(start - 1, 0), min(start + len(s) + 1, width))))

    def put(r: int, start: int, s: str) -> None:
        for i, ch in enumerate(s):
            grid[r][start + i] = ch
            taken.add((r, start + i))

    # the points' values: pre-test left of its axis, post-test right of its axis, the LR
    # beside its point where the line leaves room
    used = {k: [r] for k, r in rows.items()}  # no tick label beside a point: it could read as its value
    def value(x: float) -> str:  # '30%', '80.9%'; without the '%' where it would not fit
        s = _fmt_value(x)
        return s if len(s) <= label_w else s[:-1]

    pre, post, lrv = value(pretest), value(pts["posttest"]), "LR " + _fmt_lr(lr)
    for axis, s, cands in (
        ("l", pre, [(rows["l"], cl - 1 - len(pre))]),
        ("r", post, [(rows["r"], cr + 2)]),
        ("m", lrv, [(rows["m"] + dr, c) for dr in (0, -1, 1) for c in (cm + 2, cm - 1 - len(lrv))]),
    ):
        for r, start in cands:
            if free(r, start, s):
                put(r, start, s)
                used[axis].append(r)
                break

    # ticks: greedy in order of preference, at least two rows apart (and from a value)
    def place(candidates, row_of, axis, axis_col, label_of, starts):
        for v in candidates:
            r = _round(row_of(v))
            if not 0 <= r < height or any(abs(r - u) < 2 for u in used[axis]):
                continue
            used[axis].append(r)
            if grid[r][axis_col] == "|":
                grid[r][axis_col] = "+"
            s = label_of(v)
            for start in starts(s):
                if free(r, start, s):
                    put(r, start, s)
                    break

    prob_pref = (50, 10, 90, 1, 99, 0.1, 99.9, 30, 70, 5, 95, 20, 80, 2, 98, 0.5, 99.5, 40, 60)
    lr_pref = (1, 10, 0.1, 100, 0.01, 1000, 0.001, 2, 0.5, 5, 0.2, 20, 0.05, 50, 0.02,
               200, 0.005, 500, 0.002)
    place(prob_pref, lambda v: rowf(-logit(v / 100.0)), "l", cl, _fmt_tick_percent,
          lambda s: [cl - 1 - len(s)])
    place(prob_pref, lambda v: rowf(logit(v / 100.0)), "r", cr, _fmt_tick_percent,
          lambda s: [cr + 2])
    place(lr_pref, lambda v: rowf(math.log(v) / 2.0), "m", cm, _fmt_tick_lr,
          lambda s: [cm + 2, cm - 1 - len(s)])

    # the post-test interval on the post-test axis
    if band is not None:
        q_lo, q_hi = band_posttest(pretest, band)
        r_lo = _round(rowf(logit(_clamp(q_lo, P_MIN, P_MAX))))
        r_hi = _round(rowf(logit(_clamp(q_hi, P_MIN, P_MAX))))
        for r in range(min(r_lo, r_hi), max(r_lo, r_hi) + 1):
            grid[r][cr] = "#"

    # the line, into the cells it crosses (never a label's), then the three points
    for r, c in line:
        if (r, c) not in taken and grid[r][c] in " |":
            grid[r][c] = "*"
    for v, c in ((pts["left_y"], cl), (pts["middle_y"], cm), (pts["right_y"], cr)):
        grid[_round(rowf(v))][c] = "o"

    # header: axis names centred over the axes, shorter names if they collide
    def header(names: tuple[str, str, str]) -> str | None:
        row = [" "] * width
        for name, c in zip(names, (cl, cm, cr)):
            start = max(0, min(width - len(name), c - len(name) // 2))
            if any(ch != " " for ch in row[max(0, start - 1):start + len(name) + 1]):
                return None
            row[start:start + len(name)] = list(name)
        return "".join(row).rstrip()

    head = header(("Pre-test %", "LR", "Post-test %")) or header(("Pre %", "LR", "Post %"))
    lines = textwrap.wrap(title, width) if title else []
    for f in findings or []:
        lines += textwrap.wrap(f, width, initial_indent="  ", subsequent_indent="    ")
    lines += [head or "Pre % | LR | Post %"]
    lines += ["".join(row).rstrip() for row in grid]
    lines += textwrap.wrap(caption(pretest, lr), width)
    if band is not None:
        lines += textwrap.wrap("# on the post-test axis: " + band_legend(pretest, band) + "; " + band["label"], width)
    if pts["clamped"]:
        lines += textwrap.wrap(_CLAMP_NOTE_ASCII, width)
    return "\n".join(lines) + "\n"
