"""Modified Kerboul combined necrotic angle: risk group and grade from the data's bands."""

from __future__ import annotations

from typing import Any, Optional

from dxcli.calc.bands import band_for, band_text
from dxcli.calc.intervals import wilson
from dxcli.calc.numbers import parse_number
from dxcli.errors import InvalidInput

ANGLE_SUFFIXES = ("°", "deg", "degrees", "degree")
MAX_ARC = 180.0


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
            warnings.append(f"the {name} arc {v:g}° is above {MAX_ARC:g}°: a necrotic arc on one MRI slice is at most a half circle; check the measurement")
    total = cor + sag
    if total > domain_max:
        raise InvalidInput(
            f"the combined angle {total:g}° ({cor:g} + {sag:g}) is above {domain_max:g}°",
            hint=f"each arc is measured on one slice; their sum is at most {domain_max:g}",
        )
    return total, cor, sag, warnings


def classify(scale: dict[str, Any], combined: float, coronal: Optional[float] = None, sagittal: Optional[float] = None) -> dict[str, Any]:
    sets = {bs["id"]: bs for bs in scale["band_sets"]}
    risk = band_for(sets["risk-group"]["bands"], combined)
    grade = band_for(sets["grade"]["bands"], combined)
    notes = [n["text"] for n in _boundary_notes(risk, combined)]
    return {
        "combined_angle": combined,
        "coronal_angle": coronal,
        "sagittal_angle": sagittal,
        "risk_group": risk["id"],
        "risk_label": risk["label"],
        "risk_interval": band_text(risk),
        "group_hips": risk.get("hips"),
        "group_collapsed": risk.get("collapsed"),
        "group_collapse_ci": collapse_ci(risk),
        "grade": int(grade["id"].rsplit("-", 1)[1]),
        "grade_interval": band_text(grade),
        "grade_hips": grade.get("hips"),
        "grade_collapsed": grade.get("collapsed"),
        "grade_collapse_ci": collapse_ci(grade),
        "collapse": risk.get("description"),
        "notes": notes,
        "source": scale["source"],
    }


COLLAPSE_CI = "Wilson score 95% interval of the collapse proportion (collapsed of hips, Ha 2006); null where the hip count is not stated"


def collapse_ci(band: dict[str, Any]) -> Optional[list[float]]:
    """[low, high] of the Wilson 95% interval for collapsed/hips, or None when hips is unstated."""
    hips, collapsed = band.get("hips"), band.get("collapsed")
    if hips is None or collapsed is None:
        return None
    lo, hi = wilson(collapsed, hips)
    return [round(lo, 3), round(hi, 3)]


def _boundary_notes(band: dict[str, Any], x: float) -> list[dict[str, Any]]:
    """The band's disagreement notes about the boundary ``x`` sits on (e.g. 190 or 240)."""
    out = []
    for n in band.get("notes", []):
        edge = n.get("field")
        if edge in ("lower", "upper") and band[edge] == x:
            out.append(n)
    return out
