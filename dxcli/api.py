"""dxcli as a Python library: one function per command that prints records or results.

Each function returns the same plain structure (dicts, lists, strings, numbers, None) that
the command prints with ``--format json``; ``dxcli reference schema --output COMMAND``
is its JSON Schema. An unbounded number (an LR+ at a specificity of 1) is None there, as
in the JSON, with a note in the record saying so.

    >>> from dxcli import api
    >>> api.maneuver("faber")[0]["lr_positive"]          # doctest: +SKIP
    >>> api.differential("buttock", present=["neurologic-deficit"])["red_flags"]  # doctest: +SKIP

Errors are exceptions that carry the CLI's message and hint (``err.message``,
``err.hint``; ``err.code`` is the CLI's exit status):

* ``NotFound``: no record matches (exit 1); ``Ambiguous``: a name begins several
  records' names, and ``NotExact``: a name that only begins one where a number is
  computed (both are ``NotFound``);
* ``InvalidInput``: bad input (exit 2);
* ``DataError``: the reference data or a pack is damaged or refused (exit 3).

All derive from ``DxError``. A calculator's warning (an arc above 180 degrees) is a
``DxWarning`` through Python's ``warnings``; a lookup that takes a name by its first words
says so on stderr, as the CLI does.

Packs: every function takes ``reference=[paths]`` (directories or files of TOML, as
``dxcli --reference``); without it, the paths in ``DXCLI_REFERENCE_PATH`` (separated by
``os.pathsep``) at the time of the call. The first call for a set of packs builds or opens
its store (see the README); later calls are warm. Calls from several threads are safe:
they take turns on one lock.

dxcli is a reference for trained clinicians and learners, not a diagnosis.

Importing this module imports neither Typer, Rich nor Pydantic, and changes nothing in the
importing program (no signal handler, no output).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence, Union

from dxcli.errors import Ambiguous, DataError, DxError, InvalidInput, NotFound, notices_to
from dxcli.query.lookup import NotExact

__all__ = [
    "API_VERSION", "Ambiguous", "DataError", "DxError", "DxWarning", "InvalidInput", "NotExact", "NotFound",
    "anatomy", "case", "cite", "condition", "conditions", "differential", "finding", "info", "innervation",
    "kerboul", "maneuver", "muscle", "nerve", "posttest", "redflags", "search", "sources", "test", "tonnis",
]

# The version of this API and of the JSON shapes it shares with the CLI (semantic
# versioning: a removed or renamed function, argument or key is a new major version).
API_VERSION = "1.0.0"

Packs = Optional[Sequence[Union[str, "os.PathLike[str]"]]]
Result = Union[dict, list]


class DxWarning(UserWarning):
    """A calculator's warning or a notice: what the CLI says on stderr (``dxcli: warning: ...``,
    "'gluteus' taken as condition ..."), as a Python warning a program can catch or silence."""


# --- the store of a set of packs ------------------------------------------------------------
# Each set of packs has its own Reference (dxcli.reference.loader): opened once per process,
# safe from any thread, and made current for one call through a context variable, so calls
# that name different packs never see each other's data.


def _packs(reference: Packs) -> tuple[str, ...]:
    if reference is None:
        env = os.environ.get("DXCLI_REFERENCE_PATH", "")
        return tuple(p for p in env.split(os.pathsep) if p.strip())
    if isinstance(reference, (str, os.PathLike)):
        reference = [reference]  # type: ignore[list-item]
    out = []
    for p in reference:
        if not isinstance(p, (str, os.PathLike)):
            raise InvalidInput(f"a pack is a path, not {type(p).__name__}", hint="reference=['my-pack/'], a list of directories or files")
        out.append(os.fspath(p))
    return tuple(out)


@contextmanager
def _store(reference: Packs) -> Iterator[None]:
    """Make the Reference of ``reference`` (the bundled data and those packs) current for the call."""
    from dxcli.reference import loader

    with loader.using(loader.reference([Path(p) for p in _packs(reference)])):
        yield


def _plain(data: Any) -> Any:
    """The structure ``--format json`` prints: the JSON renderer's own conversion (an
    unbounded or undefined number becomes None, tuples lists; new containers throughout)."""
    from dxcli.output.formats import to_json

    return to_json(data)


def _call(reference: Packs, query: str, *args: Any) -> Any:
    """``dxcli.query.<query>(*args)`` ("anatomy.muscles"), the function the command calls,
    on the packs of ``reference``: its result as ``--format json`` prints it."""
    from importlib import import_module

    module, _, function = query.rpartition(".")
    with _store(reference), notices_to(_notice):
        return _plain(getattr(import_module(f"dxcli.query.{module}"), function)(*args))


def _notice(text: str) -> None:
    """A notice the CLI prints on stderr ("'gluteus' taken as condition ...") as a DxWarning."""
    import warnings

    warnings.warn(text, DxWarning, stacklevel=5)


def _text(value: Any, what: str, optional: bool = True) -> Optional[str]:
    if value is None:
        if optional:
            return None
        raise InvalidInput(f"the {what} is missing", hint=f"give the {what} as a string")
    if not isinstance(value, str):
        raise InvalidInput(f"{what} must be text, not {type(value).__name__}", hint=f"give the {what} as a string")
    return value


def _texts(values: Any, what: str) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        return [values]
    if not isinstance(values, (list, tuple)):
        raise InvalidInput(f"{what} must be a list of text, not {type(values).__name__}", hint=f"give the {what} as a list of strings")
    return [_text(v, what, optional=False) for v in values]  # type: ignore[misc]


def _whole(value: Any, what: str) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{what} must be a whole number, not {type(value).__name__}", hint=f"e.g. {what}=5000")
    return value


def _number_text(value: Any, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InvalidInput(f"{what} must be a number or text, not {type(value).__name__}", hint=f"e.g. 210 or '210°' for the {what}")
    return value if isinstance(value, str) else repr(value)


def _probability(value: Any) -> Optional[float]:
    if value is None:
        return None
    from dxcli.calc.probability import parse_pretest

    return parse_pretest(_number_text(value, "pre-test probability"), ranges=False)


# --- conditions and reasoning ---------------------------------------------------------------


def conditions(*, reference: Packs = None) -> list[dict[str, Any]]:
    """Every condition (id, name, ICD-10-CM codes), in the data's order: ``dxcli condition``."""
    return _call(reference, "conditions.conditions")


def condition(name: Optional[str] = None, *, reference: Packs = None) -> Result:
    """One condition in full (presentation, diagnosis, pearls, deep dive, figures with their
    sources, notes, links to maneuvers, tests and red flags): ``dxcli condition NAME -f json``.

    ``name`` is an id, a name or an alias ("gluteus medius tendinopathy"); without it, the
    list of ``conditions()``. Raises NotFound (with suggestions) or InvalidInput."""
    if name is None:
        return conditions(reference=reference)
    name = _text(name, "condition")
    return _call(reference, "conditions.detail", name)


def differential(
    complaint: Optional[str] = None,
    present: Optional[Sequence[str]] = None,
    absent: Optional[Sequence[str]] = None,
    next: bool = False,
    *,
    simulation: bool = True,
    draws: Optional[int] = None,
    seed: Optional[int] = None,
    reference: Packs = None,
) -> Result:
    """A presenting complaint's differential: ``dxcli differential``.

    Without a complaint: the complaints. With a complaint alone: its conditions in the
    review's table order (not a ranking). With findings ``present`` and/or ``absent``
    (finding ids from ``finding()``) or ``next=True``: the ranked report (a dict) with
    ``red_flags`` (each raised flag and what the review says to do), ``conditions``
    (rank, score, the statements for and against, likelihood ratios with their 95%
    simulation intervals, notes) and, with ``next``, what to examine next. A finding not
    given is unknown and counts neither way. The ranking is ordinal; no probability is
    given. ``simulation=False`` skips the draws (``--no-simulation``); ``draws`` and
    ``seed`` set them (``--draws``, ``--seed``)."""
    complaint = _text(complaint, "complaint")
    pres, abse = _texts(present, "present findings"), _texts(absent, "absent findings")
    for flag, what in ((next, "next"), (simulation, "simulation")):
        if not isinstance(flag, bool):
            raise InvalidInput(f"{what} must be true or false, not {type(flag).__name__}", hint=f"{what}=True or {what}=False")
    draws, seed = _whole(draws, "draws"), _whole(seed, "seed")
    return _call(reference, "reasoning.differential", complaint, pres, abse, next, simulation, draws, seed)


def finding(name: Optional[str] = None, kind: Optional[str] = None, *, reference: Packs = None) -> Result:
    """The findings vocabulary of ``differential(present=..., absent=...)`` and case files:
    ``dxcli finding``. ``name``: one finding in full; ``kind``: only findings of that kind
    (history, examination, imaging...: the data's own kinds)."""
    name, kind = _text(name, "finding"), _text(kind, "finding kind")
    return _call(reference, "reasoning.findings", name, kind)


def case(file: Optional[Union[str, "os.PathLike[str]"]] = None, *, reference: Packs = None) -> dict[str, Any]:
    """A case step by step (history and its ranking, examination and the new ranking, what
    was done, the outcome): ``dxcli case``. ``file``: a case file (TOML, see the README);
    default: the review's vignette. A case file is checked with Pydantic, imported then."""
    if file is not None and not isinstance(file, (str, os.PathLike)):
        raise InvalidInput(f"a case file is a path, not {type(file).__name__}", hint="give the path of a TOML case file")
    return _call(reference, "cases.case", None if file is None else Path(file))


# --- maneuvers and tests ----------------------------------------------------------------------


def _accuracy(kind: str, name: Optional[str], condition: Optional[str], pretest: Any, reference: Packs) -> Any:
    name, condition = _text(name, kind), _text(condition, "condition")
    return _call(reference, "accuracy.accuracy", kind, name, condition, _probability(pretest))


def maneuver(name: Optional[str] = None, condition: Optional[str] = None, pretest: Optional[Union[float, str]] = None,
             *, reference: Packs = None) -> list[dict[str, Any]]:
    """An exam maneuver's accuracy, one row per target condition: sensitivity and
    specificity as stated, likelihood ratios computed (with 95% intervals where counts
    exist), what they mean, the study, source and notes: ``dxcli maneuver``.

    ``name``: an id, name or alias ("faber"); ``condition``: only evidence for it (alone:
    every maneuver for that condition, strongest first); ``pretest``: a pre-test
    probability (0.3 or "30%") adds post-test probabilities. Neither: every maneuver."""
    return _accuracy("maneuver", name, condition, pretest, reference)


def test(name: Optional[str] = None, condition: Optional[str] = None, pretest: Optional[Union[float, str]] = None,
         *, reference: Packs = None) -> list[dict[str, Any]]:
    """A diagnostic test (imaging, EMG, blocks, laboratory): role, accuracy, likelihood
    ratios, as ``maneuver()`` for maneuvers: ``dxcli test``."""
    return _accuracy("test", name, condition, pretest, reference)


test.__test__ = False  # type: ignore[attr-defined]  # (not a pytest test when imported into one)


def redflags(name: Optional[str] = None, condition: Optional[str] = None, *, reference: Packs = None) -> Result:
    """Red flags: each flag, why it matters, what the review says to do, its source:
    ``dxcli redflags``. ``name``: one flag; ``condition``: the flags of one condition."""
    name, condition = _text(name, "red flag"), _text(condition, "condition")
    return _call(reference, "sources.redflags", name, condition)[0]


# --- anatomy ------------------------------------------------------------------------------------


def anatomy(name: Optional[str] = None, *, reference: Packs = None) -> Result:
    """Bones, landmarks, joints and ligaments: ``dxcli anatomy``; ``name``: one structure."""
    name = _text(name, "structure")
    return _call(reference, "anatomy.anatomy", name)


def muscle(name: Optional[str] = None, *, reference: Packs = None) -> Result:
    """Muscles: origin, insertion, action, nerve and root levels: ``dxcli muscle``;
    ``name``: one muscle (or a group, such as the hamstrings)."""
    name = _text(name, "muscle")
    return _call(reference, "anatomy.muscles", name)


def nerve(name: Optional[str] = None, *, reference: Packs = None) -> Result:
    """Nerves with their roots, their plexus and the muscles they supply: ``dxcli nerve``."""
    name = _text(name, "nerve")
    return _call(reference, "anatomy.nerves", name)


def innervation(query: Optional[str] = None, *, reference: Packs = None) -> list[dict[str, Any]]:
    """Innervation in three directions: a root (L5) -> its muscles, a nerve -> its muscles, a
    muscle -> its nerve and roots; none: every muscle: ``dxcli innervation``."""
    query = _text(query, "innervation query")
    return _call(reference, "anatomy.innervation", query)


# --- sources --------------------------------------------------------------------------------------


def search(text: str, limit: int = 20, *, reference: Packs = None) -> list[dict[str, Any]]:
    """Search every kind of record, best matches first (typos and word order tolerated):
    ``dxcli search``; at most ``limit`` (1-500) results."""
    text = _text(text, "search", optional=False)  # type: ignore[assignment]
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 500:
        raise InvalidInput(f"limit {limit!r} is not a whole number from 1 to 500", hint="e.g. limit=20")
    return _call(reference, "sources.search", text, limit)


def sources(*, reference: Packs = None) -> list[dict[str, Any]]:
    """Every citation: the review, and each primary source, with what was read of it:
    ``dxcli sources``."""
    return _call(reference, "sources.citation_rows")


def cite(record_id: str, *, reference: Packs = None) -> list[dict[str, Any]]:
    """Where a record's facts come from (any record's id or name), with the recorded
    disagreements between sources: ``dxcli cite``."""
    record_id = _text(record_id, "record", optional=False)  # type: ignore[assignment]
    return _call(reference, "sources.cite", record_id)


def info(*, reference: Packs = None) -> dict[str, Any]:
    """Tool version, data version with its content hash, and record counts: ``dxcli info``."""
    return _call(reference, "sources.info")


# --- calculators ------------------------------------------------------------------------------


def kerboul(angle: Optional[Union[float, str]] = None, sagittal: Optional[Union[float, str]] = None,
            *, reference: Packs = None) -> Result:
    """Modified Kerboul necrotic angle: risk of femoral head collapse (Ha 2006) and grade
    1-4, with the collapse proportion's interval, guidance and the study: ``dxcli kerboul``.

    ``angle``: the combined necrotic angle in degrees (210, "210°"); with ``sagittal``, it
    is the coronal arc and the two are summed. Neither: the scale's groups and grades."""
    if angle is None and sagittal is not None:
        raise InvalidInput("a sagittal arc needs the coronal arc", hint="e.g. kerboul(100, 110)")
    values = [] if angle is None else [_number_text(angle, "angle")] + ([] if sagittal is None else [_number_text(sagittal, "sagittal arc")])

    result, told = _call(reference, "calculators.kerboul_from", values)
    if told:
        import warnings

        for text in told:
            warnings.warn(text, DxWarning, stacklevel=2)
    return result


def tonnis(findings: Optional[Sequence[str]] = None, *, reference: Packs = None) -> Result:
    """Tönnis radiographic grade of hip osteoarthritis (review Table 2) from its findings
    (ids or descriptions): ``dxcli tonnis``. None: the grades and their finding ids."""
    given = _texts(findings, "radiographic findings")
    return _call(reference, "calculators.tonnis", given)


def posttest(pretest: Union[float, str], findings: Sequence[str], condition: Optional[str] = None,
             *, draws: Optional[int] = None, seed: Optional[int] = None, reference: Packs = None) -> dict[str, Any]:
    """Post-test probability from a pre-test probability (0.3, "30%", or a range "20%-40%") and findings, each
    a maneuver or test with + or - ("faber+", "puranen-orava-") or a likelihood ratio
    ("lr=8.43"), assuming the findings independent: ``dxcli posttest``. ``condition``
    picks the condition of a finding with evidence for several (worked out when exactly one
    condition has a likelihood ratio for every finding). The result carries a 95%
    simulation interval from the studies' counts (``draws``, ``seed``: ``--draws``, ``--seed``)."""
    given = _texts(findings, "findings")
    condition = _text(condition, "condition")
    draws, seed = _whole(draws, "draws"), _whole(seed, "seed")
    if pretest is None:
        raise InvalidInput("the pre-test probability is missing", hint="e.g. posttest(0.3, ['modified-bent-knee+'])")
    from dxcli.calc.probability import parse_pretest

    return _call(reference, "uncertainty.posttest", parse_pretest(_number_text(pretest, "pre-test probability")), given, condition, draws, seed)[0]
