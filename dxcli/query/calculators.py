"""The calculators' results as the commands hand them over: the scale or grading they apply
(read here, from the reference), the calculation (calc/), and the studies behind it."""

from __future__ import annotations

from typing import Any, Optional, Sequence

from dxcli.reference import loader


def kerboul_scale() -> dict[str, Any]:
    return loader.by_id("scale")["kerboul"]


def kerboul_bands() -> list[dict[str, Any]]:
    """The Kerboul scale itself: its risk groups and grades."""
    from dxcli.calc import kerboul as k

    return k.bands_table(kerboul_scale())


def kerboul(combined: float, coronal: Optional[float], sagittal: Optional[float]) -> dict[str, Any]:
    """One necrotic angle classified, with the interval method, the guidance and Ha 2006."""
    from dxcli.calc import kerboul as k
    from dxcli.calc.guidance import fields as guide
    from dxcli.query.evidence import scale_studies, study_summary

    scale = kerboul_scale()
    studies = [study_summary(st, "source") for st in scale_studies(scale["id"])]
    result = {**k.classify(scale, combined, coronal, sagittal), **guide(scale.get("guidance"))}
    return {**result, "study": studies[0] if studies else None}


def kerboul_from(values: list[str]) -> tuple[Any, list[str]]:
    """``dxcli kerboul`` as one call, shared by the CLI and ``dxcli.api``: ``values`` are
    ANGLE or CORONAL SAGITTAL as typed (none: the scale's groups and grades); with the
    warnings of the input (an arc above 180 degrees)."""
    from dxcli.calc import kerboul as k

    if not values:
        return kerboul_bands(), []
    combined, cor, sag, warnings = k.parse_inputs(values, kerboul_scale()["domain_max"])
    return kerboul(combined, cor, sag), warnings


def tonnis_grading() -> dict[str, Any]:
    return loader.by_id("grading")["tonnis"]


def tonnis_grades() -> list[dict[str, Any]]:
    from dxcli.calc import tonnis as t

    return t.grade_table(tonnis_grading())


def tonnis(findings: Sequence[str] = ()) -> Any:
    """The Tönnis grade of some findings, with the grading's guidance; no findings, the
    grades and their finding ids (``dxcli tonnis`` and ``dxcli.api.tonnis``)."""
    from dxcli.calc import tonnis as t

    if not findings:
        return tonnis_grades()
    from dxcli.calc.guidance import fields as guide

    grading = tonnis_grading()
    return {**t.grade(grading, list(findings)), **guide(grading.get("guidance"))}


def fagan_title(condition: Optional[str]) -> str:
    from dxcli.query.conditions import condition_name

    name = condition_name(condition)
    return f"Fagan nomogram: {name}" if name else "Fagan nomogram"
