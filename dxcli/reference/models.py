"""Pydantic models for every record type in ``reference/*.toml``.

These models are the schema of the reference data. They are used by the
tests, by ``dxcli reference lint`` and by ``dxcli reference schema``; the
everyday command path reads the (already validated) TOML as plain data and
never imports this module.
"""

from __future__ import annotations

import math
import re
from typing import Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

KEBAB = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Id = str  # kebab-case identifier; checked by the ``id`` field pattern
Proportion = float
Range = list[float]


class Strict(BaseModel):
    """Base: unknown keys are errors, so a typo in a data file cannot pass silently."""

    model_config = ConfigDict(extra="forbid", frozen=False)


class Record(Strict):
    """A record a lookup finds by id, name or alias (``dxcli KIND NAME``): what every such
    kind begins with."""

    id: str = Field(pattern=KEBAB)
    name: str
    aliases: list[str] = Field(default_factory=list)


class Source(Strict):
    """Where a fact comes from.

    ``section`` names the review's section (and subsection) or table;
    ``refs`` are the review's superscript reference numbers at that statement;
    ``citations`` are ids of primary sources (``citations.toml``) that were read.
    ``quote`` is the review's own words where a record quotes it.
    """

    section: str = Field(min_length=1)
    table: Optional[str] = None
    refs: list[int] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)
    quote: Optional[str] = None

    @field_validator("refs")
    @classmethod
    def _refs_positive(cls, v: list[int]) -> list[int]:
        """Reference numbers are the citing document's own superscripts: positive integers."""
        for r in v:
            if r < 1:
                raise ValueError(f"reference number {r} is not a positive integer")
        return v


Value = Union[float, str, list[float], None]


class Note(Strict):
    """A structured note. ``disagreement`` carries both values and both sources."""

    kind: Literal["disagreement", "caveat", "unverified", "terminology", "arithmetic"]
    text: str = Field(min_length=1)
    field: Optional[str] = None
    review_value: Value = None
    primary_value: Value = None
    citation: Optional[str] = None

    @model_validator(mode="after")
    def _disagreement_complete(self) -> "Note":
        if self.kind == "disagreement":
            missing = [
                k for k in ("review_value", "primary_value", "citation") if getattr(self, k) is None
            ]
            if missing:
                raise ValueError("a disagreement note needs " + ", ".join(missing))
        return self


def _check_range(v: Optional[list[float]], name: str) -> Optional[list[float]]:
    if v is None:
        return v
    if len(v) != 2:
        raise ValueError(f"{name} must be [low, high]")
    lo, hi = v
    if not (0.0 <= lo <= hi <= 1.0):
        raise ValueError(f"{name} must satisfy 0 <= low <= high <= 1, got {v}")
    return v


def _check_prop(v: Optional[float], name: str) -> Optional[float]:
    if v is not None and not (0.0 <= v <= 1.0):
        raise ValueError(f"{name} must lie in [0, 1], got {v}")
    return v


def _valid_roots(v: list[str]) -> list[str]:
    for r in v:
        if not re.fullmatch(r"C[1-8]|T(?:1[0-2]|[1-9])|L[1-5]|S[1-5]|Co1", r):
            raise ValueError(f"root {r!r} is not a spinal nerve root (C1-C8, T1-T12, L1-L5, S1-S5, Co1)")
    return v


class Citation(Strict):
    id: str = Field(pattern=KEBAB)
    authors: str
    year: Optional[int] = None
    title: Optional[str] = None
    journal: Optional[str] = None
    details: Optional[str] = None  # volume(issue):pages
    pmid: Optional[str] = None
    doi: Optional[str] = None
    read: Literal["abstract", "full text", "secondary", "review"] = "abstract"
    review_ref: Optional[int] = None  # the review's superscript number, if matched
    note: Optional[str] = None


class Structure(Strict):
    """A bone, landmark, joint, ligament or other anatomical structure."""

    id: str = Field(pattern=KEBAB)
    name: str
    kind: Literal["bone", "landmark", "joint", "ligament", "capsular structure", "fascia", "bursa", "tendon"]
    aliases: list[str] = Field(default_factory=list)
    description: str
    proximal_attachment: Optional[str] = None
    distal_attachment: Optional[str] = None
    function: Optional[str] = None
    part_of: Optional[str] = None  # id of a containing structure
    source: Source
    notes: list[Note] = Field(default_factory=list)


class Muscle(Record):
    group: str = Field(min_length=1)  # an open vocabulary: the data's own muscle groups
    origin: str
    insertion: str
    actions: list[str] = Field(min_length=1)
    nerve: Optional[str] = None  # nerve id; None where the review names none
    roots: list[str] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)

    _roots = field_validator("roots")(lambda v: _valid_roots(v))


class Nerve(Record):
    roots: list[str] = Field(min_length=1)
    plexus: str
    course: Optional[str] = None
    see_also: list[str] = Field(default_factory=list)  # nerve ids a reader of this one should see, and why in see_also_reason
    see_also_reason: Optional[str] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)

    _roots = field_validator("roots")(lambda v: _valid_roots(v))


class Statement(Strict):
    """One statement of the review (a sentence or a close paraphrase of it)."""

    text: str = Field(min_length=1)
    refs: list[int] = Field(default_factory=list)
    citations: list[str] = Field(default_factory=list)


class Figure(Strict):
    """A number the review states: a prevalence, a rate, an outcome."""

    id: str = Field(pattern=KEBAB)
    kind: Literal["epidemiology", "outcome", "finding"]
    description: str
    value: Optional[float] = None
    range: Optional[list[float]] = None
    unit: Literal["proportion", "count", "years", "months"] = "proportion"
    timepoint: Optional[str] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_value(self) -> "Figure":
        if (self.value is None) == (self.range is None):
            raise ValueError("a figure has exactly one of value or range")
        if self.unit == "proportion":
            _check_prop(self.value, "value")
            _check_range(self.range, "range")
        return self


class DeepDive(Strict):
    epidemiology: list[Statement] = Field(min_length=1)
    pathophysiology: list[Statement] = Field(min_length=1)
    clinical_findings: list[Statement] = Field(min_length=1)
    diagnostic_testing: list[Statement] = Field(min_length=1)
    treatment: list[Statement] = Field(min_length=1)


class IcdAlternative(Strict):
    """Codes the code set's Excludes1 notes forbid beside the condition's other codes: used
    instead of them, when the rule says so."""

    codes: list[str] = Field(min_length=1)
    when: str = Field(min_length=1)  # the rule for choosing these codes, with the note it rests on


class Condition(Record):
    icd10cm: list[str] = Field(default_factory=list)  # a pack may give none; the bundled data must (integrity)
    presentation: list[str] = Field(min_length=1)
    diagnosis: list[str] = Field(min_length=1)
    pearls: list[str] = Field(default_factory=list)  # Table 2 gives none for some rows
    source: Source
    deep_dive: Optional[DeepDive] = None
    deep_dive_source: Optional[Source] = None
    figures: list[Figure] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    # the review's words that make this a diagnosis of exclusion, quoted: on equal evidence the
    # ranked differential places it after the conditions it would tie with
    exclusion: Optional[str] = None
    # where Excludes1 forbids codes together: each set of codes with the rule for choosing it
    icd10cm_alternatives: list[IcdAlternative] = Field(default_factory=list)

    @model_validator(mode="after")
    def _deep_dive_sourced(self) -> "Condition":
        if self.deep_dive is not None and self.deep_dive_source is None:
            raise ValueError("a deep dive needs deep_dive_source")
        listed = [c for alt in self.icd10cm_alternatives for c in alt.codes]
        if any(c not in self.icd10cm for c in listed) or len(listed) != len(set(listed)):
            raise ValueError("icd10cm_alternatives name codes of icd10cm, each once")
        return self


class Evidence(Strict):
    """A maneuver's or a test's accuracy for one target condition, exactly as stated."""

    condition: str
    positive: Optional[str] = None  # what counts as a positive result here
    role: Optional[str] = None  # for tests: initial, confirmatory, gold standard, ...
    statement: Optional[str] = None  # the review's qualitative statement, if any
    sensitivity: Optional[float] = None
    specificity: Optional[float] = None
    sensitivity_range: Optional[list[float]] = None
    specificity_range: Optional[list[float]] = None
    ppv_range: Optional[list[float]] = None
    false_positive_rate: Optional[float] = None
    false_positive_rate_range: Optional[list[float]] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _proportions(self) -> "Evidence":
        for k in ("sensitivity", "specificity", "false_positive_rate"):
            _check_prop(getattr(self, k), k)
        for k in ("sensitivity_range", "specificity_range", "ppv_range", "false_positive_rate_range"):
            _check_range(getattr(self, k), k)
        for k in ("sensitivity", "specificity"):
            if getattr(self, k) is not None and getattr(self, k + "_range") is not None:
                raise ValueError(f"give {k} or {k}_range, not both")
        return self


class Maneuver(Record):
    description: str  # how it is performed
    evidence: list[Evidence] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)


class DiagnosticTest(Record):
    kind: Literal["imaging", "electrodiagnostic", "injection", "laboratory", "vascular"]
    description: str
    evidence: list[Evidence] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)


class RedFlag(Record):
    description: str
    why: str  # why it matters, in the review's terms
    action: str  # what the review says to do
    conditions: list[str] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)


class Band(Strict):
    """One band of an interpretation table over a numeric domain."""

    id: str = Field(pattern=KEBAB)
    label: str
    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool
    description: Optional[str] = None
    hips: Optional[int] = None
    collapsed: Optional[int] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> "Band":
        if self.lower > self.upper or (
            self.lower == self.upper and not (self.lower_inclusive and self.upper_inclusive)
        ):
            raise ValueError(f"band {self.id} is empty: {self.lower}..{self.upper}")
        if self.hips is not None and self.collapsed is not None and self.collapsed > self.hips:
            raise ValueError(f"band {self.id}: collapsed > hips")
        return self


class BandSet(Strict):
    id: str = Field(pattern=KEBAB)
    name: str
    bands: list[Band] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)


class Scale(Record):
    """A numeric interpretation scale: a domain covered by one or more band sets."""

    measure: str
    unit: str
    domain_min: float
    domain_min_inclusive: bool = True
    domain_max: float
    domain_max_inclusive: bool = True
    band_sets: list[BandSet] = Field(min_length=1)
    guidance: Optional["Guidance"] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _covers(self) -> "Scale":
        for bs in self.band_sets:
            problems = band_coverage_problems(
                bs.bands,
                self.domain_min,
                self.domain_min_inclusive,
                self.domain_max,
                self.domain_max_inclusive,
            )
            if problems:
                raise ValueError(f"band set {bs.id}: " + "; ".join(problems))
        return self


def band_coverage_problems(
    bands: list[Band], dmin: float, dmin_inc: bool, dmax: float, dmax_inc: bool
) -> list[str]:
    """Gaps and overlaps of ``bands`` over the domain; empty when they tile it exactly."""
    out: list[str] = []
    ordered = sorted(bands, key=lambda b: (b.lower, not b.lower_inclusive))
    first, last = ordered[0], ordered[-1]
    if first.lower != dmin or first.lower_inclusive != dmin_inc:
        out.append(f"the first band ({first.id}) does not start at the domain minimum {dmin}")
    if last.upper != dmax or last.upper_inclusive != dmax_inc:
        out.append(f"the last band ({last.id}) does not end at the domain maximum {dmax}")
    for a, b in zip(ordered, ordered[1:]):
        if a.upper < b.lower:
            out.append(f"gap between {a.id} and {b.id}: ({a.upper}, {b.lower})")
        elif a.upper > b.lower:
            out.append(f"overlap between {a.id} and {b.id}: ({b.lower}, {a.upper})")
        elif a.upper_inclusive and b.lower_inclusive:
            out.append(f"overlap between {a.id} and {b.id} at {a.upper}")
        elif not a.upper_inclusive and not b.lower_inclusive:
            out.append(f"gap between {a.id} and {b.id} at {a.upper}")
    for b in bands:
        if math.isinf(b.upper) and b.upper_inclusive:
            out.append(f"band {b.id} includes infinity")
    return out


class TonnisFinding(Strict):
    id: str = Field(pattern=KEBAB)
    description: str
    aliases: list[str] = Field(default_factory=list)
    # the radiographic feature this finding is one severity of (joint space narrowing: slight,
    # increasing, severe): a hip has one severity of a feature, so two together are refused
    feature: Optional[str] = Field(default=None, pattern=KEBAB)
    notes: list[Note] = Field(default_factory=list)


class TonnisGrade(Strict):
    grade: int = Field(ge=0, le=3)
    label: str
    findings: list[TonnisFinding] = Field(min_length=1)
    source: Source
    notes: list[Note] = Field(default_factory=list)


class GradingSystem(Record):
    measure: str
    grades: list[TonnisGrade] = Field(min_length=1)
    guidance: Optional["Guidance"] = None
    source: Source
    notes: list[Note] = Field(default_factory=list)


ReadLevel = Literal["abstract", "full text", "secondary"]


class StudyGroup(Strict):
    """One group of a study (its cases, its controls, or everyone): how many, as stated.

    ``count`` is set only when the source states it; ``quote`` is the sentence that states
    it (or describes the group, where no number is given), and ``read`` how it was read.
    """

    count: Optional[int] = Field(default=None, ge=0)
    description: str = Field(min_length=1)
    quote: Optional[str] = None
    read: ReadLevel = "abstract"

    @model_validator(mode="after")
    def _stated_with_a_quote(self) -> "StudyGroup":
        if self.count is not None and not self.quote:
            raise ValueError("a stated count needs the quote that states it")
        return self


class StudyArm(Strict):
    """One arm of an accuracy figure in a study: sensitivity (of the cases) or specificity
    (of the controls), as its source states it.

    ``stated`` is the figure in the source's own form ("88%", "0.89"); ``stated_by`` says
    whose figure it is (the study's abstract, the review citing the study, or a secondary
    page). The count behind it is never typed: it is derived in code as the one numerator
    that reproduces ``stated`` with the group's stated count, or there is none.
    """

    group: Literal["cases", "controls"]
    stated: str = Field(min_length=1)
    stated_by: Literal["abstract", "review", "secondary"]
    quote: Optional[str] = None


class PublishedEstimate(Strict):
    """An estimate with its 95% CI exactly as a source publishes it: quoted, never recomputed."""

    measure: Literal["sensitivity", "specificity", "lr_positive", "lr_negative"]
    index_test: str = Field(min_length=1)
    value: float
    low: float
    high: float
    quote: str = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "PublishedEstimate":
        if not self.low <= self.value <= self.high:
            raise ValueError("a published estimate lies within its interval")
        if self.measure in ("sensitivity", "specificity"):
            _check_range([self.low, self.high], "interval")
        return self


class StudyFinding(Strict):
    """What a study says about one record: a maneuver's or test's evidence for a condition,
    or a scale.

    ``relation`` is "source" when the record's figures come from this study, "contrary"
    when the study found otherwise, "context" when it bears on the figures without being
    their source, and "candidate source" when the attribution is an unverified lead.
    """

    maneuver: Optional[str] = None
    test: Optional[str] = None
    scale: Optional[str] = None
    condition: Optional[str] = None
    relation: Literal["source", "contrary", "context", "candidate source"]
    index_test: Optional[str] = None  # the study's own name for the maneuver or test
    sensitivity: Optional[StudyArm] = None
    specificity: Optional[StudyArm] = None
    published: list[PublishedEstimate] = Field(default_factory=list)
    note: Optional[str] = None

    @model_validator(mode="after")
    def _one_target(self) -> "StudyFinding":
        targets = [k for k in ("maneuver", "test", "scale") if getattr(self, k) is not None]
        if len(targets) != 1:
            raise ValueError("a study finding names exactly one of maneuver, test or scale")
        if targets[0] != "scale" and self.condition is None:
            raise ValueError("a maneuver's or test's finding names its condition")
        if self.sensitivity is not None and self.sensitivity.group != "cases":
            raise ValueError("sensitivity is a proportion of the cases")
        if self.specificity is not None and self.specificity.group != "controls":
            raise ValueError("specificity is a proportion of the controls")
        return self


class Study(Strict):
    """A study behind (or bearing on) the figures of one or more records, as read.

    Every field a source does not state is None ("not stated"); nothing is filled in from
    memory. ``read`` is how the study was read ("abstract": its abstract; "secondary": only
    pages that describe it), and ``read_at`` where.
    """

    id: str = Field(pattern=KEBAB)
    citation: str
    design: Literal[
        "case-control", "cohort", "cross-sectional", "case series", "randomised cohort",
        "systematic review and meta-analysis", "not stated",
    ]
    direction: Literal["prospective", "retrospective", "not stated"]
    design_quote: Optional[str] = None
    population: str = Field(min_length=1)
    setting: Optional[str] = None
    reference_standard: Optional[str] = None
    reference_standard_read: Optional[ReadLevel] = None
    examiners: Optional[str] = None
    blinding: Optional[str] = None
    cases: Optional[StudyGroup] = None
    controls: Optional[StudyGroup] = None
    total: Optional[StudyGroup] = None
    read: ReadLevel
    read_at: list[str] = Field(min_length=1)
    findings: list[StudyFinding] = Field(min_length=1)
    notes: list[Note] = Field(default_factory=list)

    @model_validator(mode="after")
    def _reference_read(self) -> "Study":
        if self.reference_standard is not None and self.reference_standard_read is None:
            raise ValueError("say how the reference standard was read (reference_standard_read)")
        return self


class GuidanceItem(Strict):
    """One statement of calculator guidance with its source (the review, Ha 2006 or the ledger)."""

    text: str = Field(min_length=1)
    kind: Literal["stated", "unverified", "arithmetic"] = "stated"
    source: Source


class Guidance(Strict):
    """How to use a calculator, as the sources state it: when to use it, what its groups
    mean, its pitfalls and the next steps. An empty ``next_steps`` means none is stated."""

    when_to_use: list[GuidanceItem] = Field(min_length=1)
    groups: list[GuidanceItem] = Field(min_length=1)
    pitfalls: list[GuidanceItem] = Field(min_length=1)
    next_steps: list[GuidanceItem] = Field(default_factory=list)


class Complaint(Record):
    description: str
    conditions: list[str] = Field(min_length=1)  # in the review's table order
    source: Source


STRENGTHS = ("expected", "pointer", "possible", "demographic", "advice", "measured", "contrary")


class FindingLink(Strict):
    """One finding's bearing on one condition, resting on one clause of the review.

    ``strength`` is read from the clause (the rule is in the README, "Ranked differential"):
    ``expected`` (invariable or defining: absence counts against), ``possible`` (presence
    supports, absence is neutral), ``demographic`` and ``advice`` (likewise), ``measured``
    (a maneuver or test result with stated accuracy, weighed by its result and its LR),
    ``pointer`` (the review points from the finding to the condition: "may point to ... as the
    primary diagnosis", "strongly suggests this diagnosis", "relatively specific", "specific but
    not sensitive": presence counts 2, absence is neutral) and ``contrary`` ("should not", "does
    not": presence counts against). ``group`` names, for
    this condition, the observation that several findings describe at different levels of
    detail: a group scores once, and so does a clause.
    """

    condition: str
    effect: Literal["supports", "against"]
    statement: str  # the review's statement behind the link, quoted
    clause: str = Field(min_length=1)  # the words of the statement the link rests on
    strength: Literal[STRENGTHS]  # type: ignore[valid-type]
    reason: str = Field(min_length=1)  # why the clause has that strength
    group: Optional[str] = Field(default=None, pattern=KEBAB)
    caveat: Optional[str] = None  # the clause's own caveat, shown with the link
    figure: Optional[str] = None  # the condition's figure the clause states, whose notes travel with it
    # an explicit flag, quoted (words of the statement): the clause defines the condition as the
    # cause of the complaint, so its finding's absence counts against (vascular claudication)
    defining: Optional[str] = None
    source: Source

    @model_validator(mode="after")
    def _clause_in_statement(self) -> "FindingLink":
        if self.clause not in self.statement:
            raise ValueError("clause must be words of the statement")
        if self.strength == "contrary" and self.effect != "against":
            raise ValueError("a 'contrary' clause has effect 'against'")
        if self.effect == "against" and self.strength not in ("contrary", "measured"):
            raise ValueError("only a 'contrary' clause or a measured result argues against")
        if self.defining is not None and (self.defining not in self.statement or self.effect != "supports"):
            raise ValueError("a defining flag quotes words of its statement, on a supporting link")
        return self


class Finding(Record):
    """A history or examination finding the review uses to tell conditions apart."""

    kind: str = Field(pattern=KEBAB)  # an open vocabulary: history, examination, imaging, ...
    description: str
    maneuver: Optional[str] = None  # maneuver id, where the finding is a maneuver result
    test: Optional[str] = None  # diagnostic test id, where the finding is a test result
    result: Optional[Literal["positive", "negative"]] = None
    red_flag: Optional[str] = None  # red flag id
    links: list[FindingLink] = Field(default_factory=list)


class CaseStage(Strict):
    id: str = Field(pattern=KEBAB)
    title: str
    narrative: str
    present: list[str] = Field(default_factory=list)  # finding ids
    absent: list[str] = Field(default_factory=list)  # finding ids
    source: Source


class Case(Strict):
    id: str = Field(pattern=KEBAB)
    title: str
    complaint: str
    age: Optional[int] = None
    sex: Optional[Literal["female", "male"]] = None
    stages: list[CaseStage] = Field(min_length=1)
    workup: list[Statement] = Field(default_factory=list)
    outcome: list[Statement] = Field(default_factory=list)
    diagnosis: Optional[str] = None  # condition id
    source: Source


class Meta(Strict):
    data_version: str
    title: str
    review: str  # id of the review's citation
    disclaimer: str


# One entry per reference file kind: TOML table name -> model.
FILE_KINDS: dict[str, type[BaseModel]] = {
    "citation": Citation,
    "structure": Structure,
    "muscle": Muscle,
    "nerve": Nerve,
    "condition": Condition,
    "maneuver": Maneuver,
    "test": DiagnosticTest,
    "red_flag": RedFlag,
    "scale": Scale,
    "grading": GradingSystem,
    "complaint": Complaint,
    "finding": Finding,
    "case": Case,
    "study": Study,
}


class UserCase(Strict):
    """A user's own case file for ``dxcli case FILE.toml``: findings present and absent, demographics.

    Finding ids are those of ``dxcli finding``. ``sex`` adds the matching demographic finding;
    ``age`` adds ``age-under-50`` or ``older-age`` by the review's cut-off of 50, and the output
    says which it added.
    """

    title: Optional[str] = None
    complaint: Optional[str] = None  # a complaint id; default: the data's only (or first) complaint
    age: Optional[int] = Field(default=None, ge=0, le=130)
    sex: Optional[Literal["female", "male"]] = None
    present: list[str] = Field(default_factory=list)
    absent: list[str] = Field(default_factory=list)
    notes: Optional[str] = None
