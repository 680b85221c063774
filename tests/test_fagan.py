from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dxcli.output import fagan
from dxcli.calc.likelihood import posttest as likelihood_posttest

SVG_NS = "{http://www.w3.org/2000/svg}"

probs = st.floats(min_value=0.001, max_value=0.999, allow_nan=False)
lrs = st.floats(min_value=0.001, max_value=1000.0, allow_nan=False)


# ------------------------------------------------------------------ the identity
@settings(max_examples=300)
@given(p=probs, lr=lrs, k=st.floats(min_value=0.1, max_value=500.0))
def test_line_through_pretest_and_posttest_crosses_middle_axis_at_lr(p, lr, k):
    q = fagan.posttest_probability(p, lr)
    assume(0.0 < q < 1.0)
    y_left = -k * fagan.logit(p)
    y_right = k * fagan.logit(q)
    # the middle axis is at the midpoint in x: the line's y there is the mean of the ends
    y_mid_on_line = y_left + 0.5 * (y_right - y_left)
    assert y_mid_on_line == pytest.approx(k * math.log(lr) / 2.0, rel=1e-7, abs=1e-7 * k)
    # and the defining relation: logit(q) = logit(p) + ln(LR)
    assert fagan.logit(q) == pytest.approx(fagan.logit(p) + math.log(lr), rel=1e-7, abs=1e-7)


@settings(max_examples=300)
@given(p=probs, lr=lrs)
def test_nomogram_points_are_collinear_when_not_clamped(p, lr):
    pts = fagan.nomogram_points(p, lr)
    assume(not pts["clamped"])
    assert pts["left_y"] == pytest.approx(-fagan.logit(p))
    assert pts["right_y"] == pytest.approx(fagan.logit(pts["posttest"]))
    assert (pts["left_y"] + pts["right_y"]) / 2 == pytest.approx(pts["middle_y"], rel=1e-7, abs=1e-7)


@given(
    p=st.floats(min_value=0.0, max_value=1.0),
    lr=st.one_of(st.floats(min_value=0.0, max_value=1e280), st.just(math.inf)),
)
def test_posttest_matches_likelihood_module(p, lr):
    # (likelihood.posttest overflows to nan for LR near the float maximum, hence max 1e280)
    assert fagan.posttest_probability(p, lr) == pytest.approx(likelihood_posttest(p, lr), rel=1e-12, abs=1e-300)


@given(p=st.floats(min_value=0.0, max_value=1.0), lr=st.floats(min_value=0.0, allow_infinity=True))
def test_posttest_is_a_probability_for_any_lr(p, lr):
    q = fagan.posttest_probability(p, lr)
    assert 0.0 <= q <= 1.0


def test_nomogram_points_reports_true_values():
    pts = fagan.nomogram_points(0.3, 8.43)
    assert set(pts) == {"pretest", "lr", "posttest", "left_y", "middle_y", "right_y", "clamped"}
    assert pts["pretest"] == 0.3 and pts["lr"] == 8.43
    assert pts["posttest"] == pytest.approx(0.78322, abs=1e-5)
    assert pts["clamped"] is False
    assert pts["left_y"] == pytest.approx(math.log(0.7 / 0.3))
    assert pts["middle_y"] == pytest.approx(math.log(8.43) / 2)
    assert pts["right_y"] == pytest.approx(fagan.logit(pts["posttest"]))


@pytest.mark.parametrize(
    "p, lr, q",
    [
        (0.0, 8.43, 0.0),
        (1.0, 8.43, 1.0),
        (0.3, math.inf, 1.0),
        (0.0, math.inf, 0.0),
        (1.0, 0.0, 1.0),
        (0.3, 0.0, 0.0),
        (0.3, 1e9, None),
        (0.5, 1e-9, None),
    ],
)
def test_extremes_are_clamped_not_crashing(p, lr, q):
    pts = fagan.nomogram_points(p, lr)
    assert pts["clamped"] is True
    assert pts["pretest"] == p and pts["lr"] == lr
    if q is not None:
        assert pts["posttest"] == q
    ymax = fagan.logit(fagan.P_MAX)
    for key in ("left_y", "right_y"):
        assert -ymax - 1e-9 <= pts[key] <= ymax + 1e-9
    assert abs(pts["middle_y"]) <= math.log(fagan.LR_MAX) / 2 + 1e-9
    doc = fagan.svg(p, lr)
    ET.fromstring(doc)
    assert 'id="fagan-clamped"' in doc
    out = fagan.text(p, lr)
    assert "o" in out


@pytest.mark.parametrize("p, lr", [(-0.1, 2.0), (1.1, 2.0), (math.nan, 2.0), (0.3, -1.0), (0.3, math.nan)])
def test_invalid_inputs_raise_value_error(p, lr):
    with pytest.raises(ValueError):
        fagan.nomogram_points(p, lr)


# ------------------------------------------------------------------ SVG
def _parse(doc: str) -> ET.Element:
    root = ET.fromstring(doc)
    assert root.tag == SVG_NS + "svg"
    return root


def _by_id(root: ET.Element, ident: str) -> ET.Element:
    found = [el for el in root.iter() if el.get("id") == ident]
    assert len(found) == 1, ident
    return found[0]


def _texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(SVG_NS + "text")]


def test_svg_is_a_standalone_document_with_titles():
    root = _parse(fagan.svg(0.3, 8.43))
    assert root.get("width") and root.get("height") and root.get("viewBox")
    rects = list(root.iter(SVG_NS + "rect"))
    assert rects and rects[0].get("fill") == "white"
    texts = _texts(root)
    for t in ("Pre-test probability (%)", "Likelihood ratio", "Post-test probability (%)"):
        assert t in texts
    # every tick label is present
    for v in fagan.PROBABILITY_TICKS_PERCENT:
        assert texts.count(f"{v:g}") >= 2 or f"{v:g}" in texts
    for v in fagan.LR_TICKS:
        assert f"{v:g}" in texts
    assert len(list(root.iter(SVG_NS + "circle"))) == 3


@pytest.mark.parametrize("p, lr", [(0.3, 8.43), (0.02, 0.1), (0.5, 1.0), (0.9, 0.05), (0.01, 20.0)])
def test_svg_line_crosses_lr_axis_at_the_lr(p, lr):
    root = _parse(fagan.svg(p, lr))
    line = _by_id(root, "fagan-line")
    assert line.get("stroke") == "red"
    x1, y1, x2, y2 = (float(line.get(a)) for a in ("x1", "y1", "x2", "y2"))
    axis = _by_id(root, "axis-lr")
    axis_x = float(axis.get("x1"))
    assert float(axis.get("x2")) == axis_x
    assert (x1 + x2) / 2 == pytest.approx(axis_x, abs=0.01)
    assert axis_x == pytest.approx(fagan.SVG_MIDDLE_X)
    y_at_axis = y1 + (axis_x - x1) / (x2 - x1) * (y2 - y1)
    assert abs(y_at_axis - fagan.svg_lr_y(lr)) < 0.5
    # the LR circle is on the LR axis at that value too
    c = _by_id(root, "point-lr")
    assert float(c.get("cx")) == pytest.approx(axis_x)
    assert abs(float(c.get("cy")) - fagan.svg_lr_y(lr)) < 0.5
    # and the ends sit on the other two axes at p and q
    assert x1 == pytest.approx(float(_by_id(root, "axis-pretest").get("x1")))
    assert x2 == pytest.approx(float(_by_id(root, "axis-posttest").get("x1")))
    assert abs(y1 - fagan.svg_pretest_y(p)) < 0.5
    assert abs(y2 - fagan.svg_posttest_y(fagan.posttest_probability(p, lr))) < 0.5


def test_svg_axis_directions():
    # left axis inverted (high p at the bottom, larger SVG y), right axis high at the top
    assert fagan.svg_pretest_y(0.9) > fagan.svg_pretest_y(0.1)
    assert fagan.svg_posttest_y(0.9) < fagan.svg_posttest_y(0.1)
    assert fagan.svg_lr_y(100) < fagan.svg_lr_y(0.01)
    assert fagan.svg_pretest_y(0.5) == pytest.approx(fagan.svg_posttest_y(0.5))
    assert fagan.svg_lr_y(1) == pytest.approx(fagan.svg_posttest_y(0.5))


def test_caption_hand_checked():
    # odds 0.3/0.7 = 0.428571 x 8.43 = 3.612857; 3.612857 / 4.612857 = 0.78322
    # one percentage format (issue 20): the caption says 30% as the axis and the point do, not 30.0%
    assert fagan.caption(0.3, 8.43) == "pre-test 30% × LR 8.43 → post-test 78.3%"
    root = _parse(fagan.svg(0.3, 8.43))
    cap = "".join(_by_id(root, "fagan-caption").itertext())
    assert "78.3%" in cap and "pre-test 30% " in cap and "8.43" in cap
    assert _by_id(root, "value-pretest").text == "30%"
    assert "78.3%" in fagan.text(0.3, 8.43)


@pytest.mark.parametrize(
    "lr, shown",
    [(8.43, "8.43"), (8.4321, "8.43"), (0.1234, "0.123"), (1000, "1000"), (12.0, "12"),
     (0.05, "0.05"), (123.456, "123"), (9.996, "10"), (math.inf, "∞"), (0.0, "0")],
)
def test_lr_shown_with_up_to_three_significant_digits(lr, shown):
    assert f"LR {shown} →" in fagan.caption(0.3, lr)


def test_percent_never_rounds_uncertain_values_to_certainty():
    assert "post-test >99.9%" in fagan.caption(0.5, 1e6)
    assert "post-test <0.1%" in fagan.caption(0.5, 1e-6)
    assert "post-test 100%" in fagan.caption(1.0, 2.0)


def test_svg_title_is_escaped():
    doc = fagan.svg(0.3, 8.43, title='<script>alert("x")</script> & co')
    assert "<script>" not in doc
    assert "&lt;script&gt;" in doc
    root = _parse(doc)
    assert '<script>alert("x")</script> & co' in _texts(root)
    assert not list(root.iter(SVG_NS + "script"))


def test_svg_without_title_has_no_title_text():
    root = _parse(fagan.svg(0.3, 8.43))
    assert not [el for el in root.iter() if el.get("id") == "fagan-title"]


# ------------------------------------------------------------------ text
@pytest.mark.parametrize("width", [40, 60, 80])
@pytest.mark.parametrize("p, lr", [(0.3, 8.43), (0.0, 8.43), (1.0, 0.5), (0.3, math.inf), (0.02, 0.1)])
def test_text_fits_width(width, p, lr):
    out = fagan.text(p, lr, width=width)
    lines = out.splitlines()
    assert all(len(line) <= width for line in lines)
    assert "\x1b" not in out
    assert set(out) <= set(chr(i) for i in range(32, 127)) | {"\n", "·", "×", "→", "∞"}


@settings(max_examples=100)
@given(p=probs, lr=lrs, width=st.integers(min_value=30, max_value=120),
       height=st.integers(min_value=7, max_value=60))
def test_text_fits_any_size(p, lr, width, height):
    lines = fagan.text(p, lr, height=height, width=width).splitlines()
    assert all(len(line) <= width for line in lines)
    assert sum(line.count("o") for line in lines[1:1 + height]) == 3


def test_text_is_deterministic_and_shaped():
    a = fagan.text(0.3, 8.43)
    assert a == fagan.text(0.3, 8.43)
    lines = a.splitlines()
    plot = lines[1:22]
    assert len(plot) == 21
    assert "Pre-test %" in lines[0] and "LR" in lines[0] and "Post-test %" in lines[0]
    assert lines[-1].endswith("post-test 78.3%")
    assert sum(line.count("o") for line in plot) == 3
    assert sum(line.count("*") for line in plot) > 10


def test_text_middle_point_is_on_the_line():
    # with an even span the middle axis is exactly half-way; the 'o' there must touch the line
    lines = fagan.text(0.02, 0.1, height=31, width=80).splitlines()[1:32]
    rows = [i for i, line in enumerate(lines) for c, ch in enumerate(line) if ch == "o"]
    cols = sorted(c for line in lines for c, ch in enumerate(line) if ch == "o")
    mid_row = [i for i, line in enumerate(lines) if len(line) > cols[1] and line[cols[1]] == "o"][0]
    neighbours = lines[mid_row][cols[1] - 1: cols[1] + 2]
    around = "".join(lines[r][cols[1] - 1: cols[1] + 2] for r in (mid_row - 1, mid_row + 1) if 0 <= r < len(lines))
    assert "*" in neighbours or "*" in around
    assert len(rows) == 3


def test_text_rejects_tiny_canvas():
    with pytest.raises(ValueError):
        fagan.text(0.3, 2.0, width=20)
    with pytest.raises(ValueError):
        fagan.text(0.3, 2.0, height=3)


# ------------------------------------------------------------------ the interval band
def _points(poly: ET.Element) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pt.split(",")) for pt in poly.get("points").split()]  # type: ignore[misc]


def test_svg_band_is_a_polygon_through_the_ends_of_the_lr_interval():
    # Modified bent knee: LR+ 95% CI 3.9966 to 26.288 (Simel, from 41/46 and 42/46).
    # Pre-test 0.3 (odds 0.428571): x 3.9966 -> 1.712829 / 2.712829 = 0.63138;
    # x 26.288 -> 11.26629 / 12.26629 = 0.91848.
    band = {"low": 3.9966, "high": 26.288, "label": "95% CI, log method (Simel 1991), from 41/46 and 42/46"}
    root = _parse(fagan.svg(0.3, 9.89, band=band))
    poly = _by_id(root, "fagan-band")
    assert float(poly.get("fill-opacity")) < 1  # translucent: the line stays visible
    (xl, yl), (xr1, y_lo), (xr2, y_hi) = _points(poly)
    assert xl == pytest.approx(fagan.SVG_LEFT_X) and abs(yl - fagan.svg_pretest_y(0.3)) < 0.01
    assert xr1 == xr2 == pytest.approx(fagan.SVG_RIGHT_X)
    assert abs(y_lo - fagan.svg_posttest_y(0.63138)) < 0.05
    assert abs(y_hi - fagan.svg_posttest_y(0.91848)) < 0.05
    # each edge is a nomogram line: it crosses the LR axis at an end of the LR interval
    for y_end, lr_end in ((y_lo, 3.9966), (y_hi, 26.288)):
        assert abs((yl + y_end) / 2 - fagan.svg_lr_y(lr_end)) < 0.05
    # the red line lies inside the band, and the polygon is drawn under it
    ids = [el.get("id") for el in root.iter()]
    assert ids.index("fagan-band") < ids.index("fagan-line")
    texts = _texts(root)
    assert "Shaded: post-test 63.1% to 91.8% for LR 4 to 26.3" in texts
    assert band["label"] in texts
    assert _by_id(root, "band-posttest-low") is not None


def test_svg_band_for_a_one_known_arm_range_is_labelled_and_reaches_the_axis_end():
    # Single leg stance, negative, pre-test 0.5: LR- 0 to 0.189433 -> post-test 0 to 0.1593;
    # an LR of 0 gives a post-test of 0, drawn at the axis end (0.1%) and flagged.
    label = "one known arm: sensitivity 17/17 at the stated specificity 0.973 (specificity counts not stated); not a 95% CI"
    root = _parse(fagan.svg(0.5, 0.0, band={"low": 0.0, "high": 0.189433, "label": label}))
    (_, _), (_, y_lo), (_, y_hi) = _points(_by_id(root, "fagan-band"))
    assert abs(y_lo - fagan.svg_posttest_y(fagan.P_MIN)) < 0.01
    assert abs(y_hi - fagan.svg_posttest_y(0.1593)) < 0.05
    texts = _texts(root)
    assert label in texts and "Shaded: post-test 0% to 15.9% for LR 0 to 0.189" in texts
    assert _by_id(root, "fagan-clamped") is not None


def test_svg_without_a_band_has_no_polygon():
    root = _parse(fagan.svg(0.3, 8.43))
    assert not list(root.iter(SVG_NS + "polygon"))
    assert root.get("height") == str(fagan.SVG_HEIGHT)


def test_text_marks_the_posttest_interval_on_its_axis():
    band = {"low": 3.9966, "high": 26.288, "label": "95% CI"}
    plain = fagan.text(0.3, 9.89).splitlines()
    lines = fagan.text(0.3, 9.89, band=band).splitlines()
    # the right axis is the last '|' column of the plot
    col = max(line.rfind("|") for line in plain[1:22])
    marked = [i for i, line in enumerate(lines[1:22]) if len(line) > col and line[col] in "#o"]
    assert marked and marked == list(range(marked[0], marked[-1] + 1))  # one unbroken run (the point 'o' in it)
    assert sum(line[col] == "#" for line in lines[1:22] if len(line) > col) == len(marked) - 1
    # rows of 0.63138 and 0.91848 on the right axis: (YMAX - logit(q)) / (2 YMAX) x 20
    ymax = math.log(999)
    rows = sorted(math.floor((ymax - fagan.logit(q)) / (2 * ymax) * 20 + 0.5) for q in (0.63138, 0.91848))
    assert (marked[0], marked[-1]) == (rows[0], rows[1])
    assert "post-test 63.1% to 91.8% for LR 4 to 26.3; 95% CI" in " ".join(lines[22:])


@pytest.mark.parametrize("band", [{"low": 2.0, "high": 1.0, "label": "x"}, {"low": -1.0, "high": 1.0, "label": "x"}])
def test_a_band_must_be_an_interval(band):
    with pytest.raises(ValueError):
        fagan.svg(0.3, 1.5, band=band)


# ------------------------------------------------------------------ labels the line does not cover
# A label's box, estimated here on its own (0.6 em a character, cap height above the baseline,
# descenders below), must not be crossed by the drawn line.
def _label_boxes(root: ET.Element, skip: str | None = None) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every text's box; without those of the group ``skip`` (the LR tick labels, drawn over the
    line on a white edge: see test_lr_tick_labels_sit_over_the_line_on_a_white_edge)."""
    out = []
    skipped = {id(el) for g in root.iter() if skip and g.get("id") == skip for el in g}
    for el in root.iter(SVG_NS + "text"):
        if id(el) in skipped:
            continue
        s = "".join(el.itertext())
        size = float(el.get("font-size"))
        x, y = float(el.get("x")), float(el.get("y"))
        w = 0.6 * size * len(s)
        anchor = el.get("text-anchor", "start")
        x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
        out.append((s, (x0, y - 0.75 * size, x0 + w, y + 0.2 * size)))
    return out


def _line_crosses(line: tuple[float, float, float, float], box: tuple[float, float, float, float]) -> bool:
    """The segment's y over the box's x-range (clipped to the segment) overlaps the box's y-range."""
    x1, y1, x2, y2 = line
    a, b = max(box[0], min(x1, x2)), min(box[2], max(x1, x2))
    if a > b:
        return False
    at = lambda x: y1 + (y2 - y1) * (x - x1) / (x2 - x1)  # noqa: E731
    lo, hi = sorted((at(a), at(b)))
    return lo <= box[3] and hi >= box[1]


def _line(root: ET.Element) -> tuple[float, float, float, float]:
    el = _by_id(root, "fagan-line")
    return tuple(float(el.get(k)) for k in ("x1", "y1", "x2", "y2"))  # type: ignore[return-value]


MBK_BAND = {"low": 4.0, "high": 26.29, "label": "95% CI, log method (Simel 1991), from 41/46 and 42/46"}
LINE_CASES = [
    (0.3, 8.43, None), (0.3, 9.89, MBK_BAND), (0.2, 68.44, None), (0.02, 0.1, None), (0.5, 1.0, None),
    (0.9, 0.05, None), (0.01, 20.0, None), (0.001, 1000.0, None), (0.999, 0.001, None), (0.5, 1000.0, None),
    (0.5, 0.001, None), (0.3, 1e6, None), (0.0001, 5.0, None), (0.5, 0.0, {"low": 0.0, "high": 0.189433, "label": "one known arm"}),
    (0.05, 30.0, {"low": 2.0, "high": 400.0, "label": "a wide band"}), (0.95, 0.02, {"low": 0.005, "high": 0.1, "label": "95% CI"}),
]


@pytest.mark.parametrize("p, lr, band", LINE_CASES)
def test_no_label_is_crossed_by_the_line(p, lr, band):
    root = _parse(fagan.svg(p, lr, title="Fagan nomogram: X", band=band, findings=["A positive: LR 2"]))
    line = _line(root)
    crossed = [s for s, box in _label_boxes(root, skip="tick-labels-lr") if _line_crosses(line, box)]
    assert not crossed, f"the line crosses {crossed}"


@settings(max_examples=150)
@given(p=probs, lr=lrs)
def test_no_label_is_crossed_by_the_line_anywhere(p, lr):
    root = _parse(fagan.svg(p, lr))
    line = _line(root)
    assert not [s for s, box in _label_boxes(root, skip="tick-labels-lr") if _line_crosses(line, box)]


@pytest.mark.parametrize("p, lr, band", LINE_CASES)
def test_every_tick_is_labelled_each_axis_on_one_side(p, lr, band):
    """Issue 20: the LR axis had no "10" where the point's "LR 9.89" sat, and "20" on the other
    side of its axis from the rest. Every standard tick has its label, on its axis's one side
    (probabilities outside the plot, LRs left of their axis), and no point's value hides one."""
    root = _parse(fagan.svg(p, lr, band=band))
    groups = {"tick-labels": _by_id(root, "tick-labels"), "tick-labels-lr": _by_id(root, "tick-labels-lr")}
    lr_labels = list(groups["tick-labels-lr"])
    assert [el.text for el in lr_labels] == [f"{v:g}" for v in fagan.LR_TICKS]
    assert all(el.get("text-anchor") == "end" and float(el.get("x")) < fagan.SVG_MIDDLE_X for el in lr_labels)
    left = [el for el in groups["tick-labels"] if float(el.get("x")) < fagan.SVG_LEFT_X]
    right = [el for el in groups["tick-labels"] if float(el.get("x")) > fagan.SVG_RIGHT_X]
    want = [f"{v:g}" for v in fagan.PROBABILITY_TICKS_PERCENT]
    assert [el.text for el in left] == want and [el.text for el in right] == want
    assert len(left) + len(right) == len(list(groups["tick-labels"]))
    boxes = dict((id(el), b) for el, b in zip(root.iter(SVG_NS + "text"), (b for _, b in _label_boxes(root))))
    ticks = [boxes[id(el)] for g in groups.values() for el in g]
    for vid in ("value-pretest", "value-posttest", "value-lr"):
        v = boxes[id(_by_id(root, vid))]
        assert not any(v[0] < t[2] and t[0] < v[2] and v[1] < t[3] and t[1] < v[3] for t in ticks), vid


def test_the_issues_nomogram_keeps_its_10_and_20():
    root = _parse(fagan.svg(0.3, 9.89, band=MBK_BAND))
    shown = [el.text for el in _by_id(root, "tick-labels-lr")]
    assert "10" in shown and "20" in shown
    xs = {el.text: float(el.get("x")) for el in _by_id(root, "tick-labels-lr")}
    assert xs["20"] == xs["10"] == xs["5"]


def test_lr_tick_labels_sit_over_the_line_on_a_white_edge():
    doc = fagan.svg(0.5, 1.0)  # the line runs through the label "1"
    group = _by_id(_parse(doc), "tick-labels-lr")
    assert group.get("stroke") == "white" and group.get("paint-order") == "stroke"
    assert doc.index('id="fagan-line"') < doc.index('id="tick-labels-lr"')  # drawn after the line


def test_points_carry_their_values_and_the_title_its_findings():
    root = _parse(fagan.svg(0.3, 9.89, title="Fagan nomogram: Proximal hamstring tendinopathy", band=MBK_BAND,
                            findings=["Modified bent knee test positive: LR 9.89"]))
    # 0.3 x 9.89 / (0.7 + 0.3 x 9.89) = 2.967 / 3.667 = 0.809
    assert _by_id(root, "value-pretest").text == "30%"
    assert _by_id(root, "value-posttest").text == "80.9%"
    assert _by_id(root, "value-lr").text == "LR 9.89"
    assert "Modified bent knee test positive: LR 9.89" in _texts(root)
    assert _by_id(root, "fagan-title").text == "Fagan nomogram: Proximal hamstring tendinopathy"
    # each value sits beside its point, within 30 px
    for vid, pid in (("value-pretest", "point-pretest"), ("value-posttest", "point-posttest"), ("value-lr", "point-lr")):
        v, c = _by_id(root, vid), _by_id(root, pid)
        assert abs(float(v.get("y")) - float(c.get("cy"))) < 30
    # the lines under the title stay inside the document (above y = 0, in the view box)
    vb = [float(x) for x in root.get("viewBox").split()]
    assert vb[1] < 0 and float(root.get("height")) == vb[3]
    assert all(float(el.get("y")) > vb[1] for el in root.iter(SVG_NS + "text"))


def _plot_rows(out: str, height: int = 21) -> list[str]:
    lines = out.splitlines()
    head = next(i for i, line in enumerate(lines) if "LR" in line and ("Pre" in line))
    return lines[head + 1: head + 1 + height]


LABEL = re.compile(r"(?:LR )?[<>]?[0-9][0-9.]*(?:e[+-]?[0-9]+)?%?")


@pytest.mark.parametrize("p, lr, band", LINE_CASES)
@pytest.mark.parametrize("width", [40, 60, 100])
def test_text_line_never_writes_over_a_label(p, lr, band, width):
    rows = _plot_rows(fagan.text(p, lr, width=width, band=band))
    ticks = {f"{v:g}" for v in fagan.PROBABILITY_TICKS_PERCENT + fagan.LR_TICKS}
    for row in rows:
        for m in LABEL.finditer(row):
            s = m.group()
            assert s in ticks or s.endswith("%") or s.startswith("LR ") or s.lstrip("<>") in ticks | {fagan.fmt_lr(lr)}, \
                f"{s!r} is not a whole label: {row!r}"
            before, after = row[m.start() - 1: m.start()], row[m.end(): m.end() + 1]
            assert "*" not in before + after, f"the line touches the label {s!r}: {row!r}"


def test_text_points_carry_their_values():
    out = fagan.text(0.3, 9.89, title="Fagan nomogram: Proximal hamstring tendinopathy",
                     findings=["Modified bent knee test positive: LR 9.89"])
    lines = out.splitlines()
    assert lines[0] == "Fagan nomogram: Proximal hamstring tendinopathy"
    assert "Modified bent knee test positive: LR 9.89" in lines[1]
    rows = _plot_rows(out)
    left = next(r for r in rows if re.search(r"o\*", r) and r.lstrip().startswith("30%"))
    assert left.split()[0] == "30%"
    assert any(r.rstrip().endswith("o 80.9%") for r in rows)
    assert any("LR 9.89" in r for r in rows)
