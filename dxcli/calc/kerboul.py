"""Modified Kerboul combined necrotic angle: risk group and grade from the data's bands."""

from __future__ import annotations

from typing import Any, Callable, Hashable, Optional

from dxcli.calc.bands import band_interval, locator
from dxcli.calc.intervals import wilson
from dxcli.calc.numbers import PLAIN, parse_number
from dxcli.errors import InvalidInput

ANGLE_SUFFIXES = ("°", "deg", "degrees", "degree")
MAX_ARC = 180.0
# The input limits (one arc at most 180 degrees, the sum at most the scale's domain_max of 360)
# are the method's geometric bounds (an arc on one slice of the femoral head, two such arcs),
# not limits Ha 2006 states: every message and the scale's pitfalls say so.
GEOMETRIC = "a geometric bound of the method, not a limit Ha 2006 states"


def parse_angle(text: str, what: str, maximum: float) -> float:
    x = parse_number(text, what, suffixes=ANGLE_SUFFIXES)
    if x < 0 or x > maximum:
        raise InvalidInput(
            f"{what} {text.strip()!r} is outside the accepted range 0-{maximum:g} degrees",
            hint=f"give a {what} from 0 to {maximum:g}",
        )
    return x


def parse_inputs(values: list[str], domain_max: float) -> tuple[float, Optional[float], Optional[float], list[str]]:
    """(combined, coronal, sagittal, warnings) from one combined angle or two arcs."""
    warnings: list[str] = []
    if len(values) == 1:
        return parse_angle(values[0], "combined angle", domain_max), None, None, warnings
    if len(values) != 2:
        raise InvalidInput(
            f"expected one combined angle or two arcs (coronal sagittal), got {len(values)} values",
            hint="e.g. 'dxcli kerboul 210' or 'dxcli kerboul 100 110'",
        )
    cor = parse_angle(values[0], "coronal arc", domain_max)
    sag = parse_angle(values[1], "sagittal arc", domain_max)
    for name, v in (("coronal", cor), ("sagittal", sag)):
        if v > MAX_ARC:
            warnings.append(f"the {name} arc {v:g}° is above {MAX_ARC:g}°: a necrotic arc on one MRI slice is at most a half circle ({GEOMETRIC}); check the measurement")
    total = cor + sag
    if total > domain_max:
        raise InvalidInput(
            f"the combined angle {total:g}° ({cor:g} + {sag:g}) is above {domain_max:g}°",
            hint=f"each arc is measured on one slice; their sum is at most {domain_max:g} ({GEOMETRIC})",
        )
    return total, cor, sag, warnings


LineResult = tuple[dict[str, Any], Any, Optional[Hashable], tuple[str, ...]]  # (result, warnings, shape, varies)


def batch_line(scale: dict[str, Any], only: Optional[list[str]] = None) -> Callable[[str], LineResult]:
    """One line of batch input to (result, warnings, shape, varies): one angle or two, split by
    spaces or commas, then ``classifier(scale, only)``'s result, shape and varying fields."""
    classify = classifier(scale, only)
    domain_max = scale["domain_max"]
    plain = PLAIN.match

    def line(text: str) -> LineResult:
        if plain(text):  # the common case: one plain angle, within the domain (no warnings)
            x = float(text)
            if x <= domain_max:
                row, shape, varies = classify(x)
                return row, (), shape, varies
        combined, coronal, sagittal, warnings = parse_inputs(text.replace(",", " ").split() or [text], domain_max)
        row, shape, varies = classify(combined, coronal, sagittal)
        return row, warnings, shape, varies

    return line


def classify(scale: dict[str, Any], combined: float, coronal: Optional[float] = None, sagittal: Optional[float] = None) -> dict[str, Any]:
    return classifier(scale)(combined, coronal, sagittal)[0]


def bands_table(scale: dict[str, Any]) -> list[dict[str, Any]]:
    """Every band of the scale, a row each: the risk groups, then the grades, with their
    intervals (numbers, and whether each end is closed), Ha 2006's counts and their notes."""
    from dxcli.calc.bands import band_interval

    return [
        {"id": b["id"], "set": bs["id"], "label": b["label"], "interval": band_interval(b),
         "hips": b.get("hips"), "collapsed": b.get("collapsed"), "description": b.get("description"),
         "review": (b.get("source") or {}).get("quote"),  # the review's own words for a risk group
         "notes": [*bs.get("notes", []), *b.get("notes", [])]}  # the set's caveats hold for each band
        for bs in scale["band_sets"] for b in bs["bands"]
    ]


ANGLES = ("combined_angle", "coronal_angle", "sagittal_angle")


Classified = tuple[dict[str, Any], Optional[Hashable], tuple[str, ...]]


def classifier(scale: dict[str, Any], only: Optional[list[str]] = None) -> Callable[..., Classified]:
    """``classify`` for one scale, with the bands worked out once: batch mode classifies each
    distinct angle with it. With ``only`` (field names, all of them fields of ``classify``),
    a result holds just those fields (``--fields``).

    It returns (result, shape, varies): ``shape`` is None, or a hashable name of the angle's
    interval (or cut-point), and ``varies`` the fields whose values still differ between
    results of one shape (the angles, when they are among the fields): every other field of
    results of one shape holds the same value, so batch mode writes their text once per
    interval, full rows as ``--fields`` rows.

    The cut-points of both band sets divide the domain into intervals; within one the risk
    group, the grade and their fields are the same, so each interval and each cut-point gets
    its fields once (found with ``band_for``'s rule) and an angle finds its own by bisection.
    The fields are shared between results: they are read, never changed.
    """
    from bisect import bisect_left

    sets = {bs["id"]: bs for bs in scale["band_sets"]}
    risk_bands, grade_bands = sets["risk-group"]["bands"], sets["grade"]["bands"]
    risk_band, grade_band = locator(risk_bands), locator(grade_bands)
    source = scale["source"]

    def fields(x: float) -> dict[str, Any]:
        risk, grade = risk_band(x), grade_band(x)
        return {
            "risk_group": risk["id"],
            "risk_label": risk["label"],
            "risk_interval": band_interval(risk),
            "group_hips": risk.get("hips"),
            "group_collapsed": risk.get("collapsed"),
            "group_collapse_ci": collapse_ci(risk),
            "grade": int(grade["id"].rsplit("-", 1)[1]),
            "grade_interval": band_interval(grade),
            "grade_hips": grade.get("hips"),
            "grade_collapsed": grade.get("collapsed"),
            "grade_collapse_ci": collapse_ci(grade),
            "collapse": risk.get("description"),
            "notes": [n["text"] for n in _boundary_notes(risk, x)],
            "source": source,
        }

    cuts = sorted({b[e] for b in (*risk_bands, *grade_bands) for e in ("lower", "upper") if b[e] != float("inf")})
    at_cut = {}
    for c in cuts:
        try:
            at_cut[c] = fields(c)
        except ValueError:  # a cut-point outside every band (the domain's open ends)
            pass
    between = []
    for lo, hi in zip(cuts, cuts[1:]):
        try:
            between.append(fields((lo + hi) / 2))
        except ValueError:
            between.append(None)

    def classify_one(combined: float, coronal: Optional[float] = None, sagittal: Optional[float] = None) -> Classified:
        shape: Optional[Hashable] = ("at", combined)
        f = at_cut.get(combined)
        if f is None:
            i = bisect_left(cuts, combined)
            if 0 < i < len(cuts):
                f, shape = between[i - 1], ("in", i)
        if f is None:
            f, shape = fields(combined), None  # outside the cut-points: band_for's rule decides (or raises)
        return {"combined_angle": combined, "coronal_angle": coronal, "sagittal_angle": sagittal, **f}, shape, ANGLES

    known = set(ANGLES) | set(fields(cuts[0]))
    if not only or not set(only) <= known:  # no selection, or one that names an unknown field
        return classify_one
    # only the fields asked for: what depends on the interval alone, and the angles asked for
    keep = [k for k in only if k not in ANGLES]
    angles = [k for k in only if k in ANGLES]
    at_cut_some = {c: {k: f[k] for k in keep} for c, f in at_cut.items()}
    between_some = [None if f is None else {k: f[k] for k in keep} for f in between]
    varies = tuple(angles)  # the fields of a result that differ within its interval
    full = classify_one

    def classify_some(combined: float, coronal: Optional[float] = None, sagittal: Optional[float] = None) -> Classified:
        shape: Optional[Hashable] = ("at", combined)
        f = at_cut_some.get(combined)
        if f is None:
            i = bisect_left(cuts, combined)
            if 0 < i < len(cuts):
                f, shape = between_some[i - 1], ("in", i)
        if f is None:
            return {k: v for k, v in full(combined, coronal, sagittal)[0].items() if k in only}, None, varies
        if not angles:  # the interval's own fields, shared (read, never changed)
            return f, shape, varies
        given = {"combined_angle": combined, "coronal_angle": coronal, "sagittal_angle": sagittal}
        return {**{k: given[k] for k in angles}, **f}, shape, varies

    return classify_some


COLLAPSE_CI = "Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); none where Ha 2006 does not state the hip count"


def collapse_ci(band: dict[str, Any]) -> Optional[dict[str, Any]]:
    """The Wilson 95% interval for collapsed/hips as every confidence interval is given
    ({low, high, method, count, of}), or None when the hips are unstated."""
    hips, collapsed = band.get("hips"), band.get("collapsed")
    if hips is None or collapsed is None:
        return None
    lo, hi = wilson(collapsed, hips)
    return {"low": lo, "high": hi, "method": COLLAPSE_CI, "count": collapsed, "of": hips}


def _boundary_notes(band: dict[str, Any], x: float) -> list[dict[str, Any]]:
    """The band's disagreement notes about the boundary ``x`` sits on (e.g. 190 or 240)."""
    out = []
    for n in band.get("notes", []):
        edge = n.get("field")
        if edge in ("lower", "upper") and band[edge] == x:
            out.append(n)
    return out
