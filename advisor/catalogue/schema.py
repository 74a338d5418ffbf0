"""The shape of catalogue files, checked by pydantic when a catalogue loads.

Two kinds of file make a catalogue: ``catalogue.yaml`` (identity, version,
profile options, the ordered list of fields) and one file per field under
``fields/`` holding that field's questions. Cross-references and rules that
span files are checked in :mod:`advisor.catalogue.loader`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$", strict=True)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, strict=True)]
Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, strict=True)]

LEVELS = (0, 1, 2, 3, 4)
QUESTION_TYPES = ("level", "single", "multiple", "number", "yes_no")
#: Answer states that are not a value; option ids must not collide with them.
SPECIAL_ANSWERS = ("unknown", "not_responsible")


class Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently drop content."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in German (the default) and English; both are required."""

    de: NonEmpty
    en: NonEmpty

    def get(self, locale: str) -> str:
        """Return the text for ``locale``, German for anything not English."""
        return self.en if locale == "en" else self.de


Score = Annotated[float, Field(ge=0, le=1)]
Level = Annotated[int, Field(ge=0, le=4, strict=True)]
ProfileKey = Literal["municipality_type", "state", "population_band", "staff_band", "association_kind"]


class Option(Strict):
    """One choice of a single- or multiple-choice question."""

    id: Slug
    label: Text
    #: "None of these": cannot be chosen together with another option.
    exclusive: bool = False
    #: Contribution to the question's score 0..1 (multiple: chosen scores add up, capped at 1).
    score: Score | None = None


class ScalePoint(Strict):
    """A point of a number question's scoring line (scores between points are interpolated)."""

    value: float
    score: Score


class Condition(Strict):
    """One condition of a trigger: on an answer (``question``) or on the profile (``profile``).

    Answer conditions use exactly one test: ``max_level`` (level questions: answered with
    at most this level), ``in`` (single/yes_no: the answer is one of these; multiple: one of
    these is chosen; yes_no values are ``yes``/``no``), ``lacks`` (multiple: none of these
    is chosen), ``below`` (number: value below this), ``state`` (``unknown``,
    ``not_responsible`` or ``unanswered``). Profile conditions use ``in``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    question: Slug | None = None
    profile: ProfileKey | None = None
    max_level: Level | None = None
    in_: Annotated[list[str] | None, Field(alias="in", min_length=1)] = None
    lacks: Annotated[list[str], Field(min_length=1)] | None = None
    below: float | None = None
    state: Literal["unknown", "not_responsible", "unanswered"] | None = None

    @model_validator(mode="after")
    def _one_subject_one_test(self) -> Condition:
        if (self.question is None) == (self.profile is None):
            raise ValueError("a condition names either a question or a profile key")
        tests = [t for t in ("max_level", "in_", "lacks", "below", "state") if getattr(self, t) is not None]
        if self.profile is not None and tests != ["in_"]:
            raise ValueError("a profile condition uses 'in'")
        if self.question is not None and len(tests) != 1:
            raise ValueError("an answer condition uses exactly one of max_level, in, lacks, below, state")
        return self


class Trigger(Strict):
    """A measure is a candidate when all conditions of one of its triggers hold."""

    when: Annotated[list[Condition], Field(min_length=1)]


class Duty(Strict):
    """A legal duty, dated or standing; questions and measures refer to it for urgency.

    Whom it binds is either a task (:class:`Task`: the types that carry it, per Land) or
    ``applies_to`` (types), optionally narrowed to some Länder by ``states``.
    """

    id: Slug
    title: Text
    description: Text
    #: The legal basis in a few words (law and paragraph), shown beside the date.
    basis: Text | None = None
    #: Deadlines, the first whose profile conditions hold applies; an empty ``when`` always holds.
    deadlines: list[Deadline] = []
    #: A standing duty without a date says so, and why (e.g. "OZG 2.0 set no new deadline").
    no_deadline: Text | None = None
    #: Municipality types the duty concerns (empty: all), unless ``task`` says who carries it.
    applies_to: list[str] = []
    #: The task (catalogue ``tasks``) whose carrier the duty binds, Land by Land.
    task: Slug | None = None
    #: Länder whose law creates or carries the duty (empty: every Land).
    states: list[str] = []
    sources: Annotated[list[Source], Field(min_length=1)]


class Deadline(Strict):
    """A due date, possibly only for some profiles (e.g. by population)."""

    due: date
    when: list[Condition] = []


class FrameworkArea(Strict):
    """A dimension or area of a reference framework."""

    id: Slug
    label: Text


class Framework(Strict):
    """A reference framework the catalogue maps its questions to."""

    title: Text
    areas: Annotated[list[FrameworkArea], Field(min_length=1)]
    sources: Annotated[list[Source], Field(min_length=1)]


class Question(Strict):
    """One question; which keys it needs depends on its ``type``."""

    id: Slug
    type: Literal["level", "single", "multiple", "number", "yes_no"]
    text: Text
    help: Text | None = None
    levels: dict[int, Text] | None = None
    options: list[Option] | None = None
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    #: number questions: how values map to a score 0..1 (at least two points, ascending values).
    scale: list[ScalePoint] | None = None
    #: yes_no questions: the score of each answer.
    yes_score: Score = 1.0
    no_score: Score = 0.0
    allow_unknown: bool = True
    allow_not_responsible: bool = False
    #: Municipality types for which this is usually not a municipal task: the wizard
    #: offers "nicht zuständig" first for them (implies allow_not_responsible).
    not_responsible_for: list[str] = []
    weight: Annotated[float, Field(gt=0, le=10)] = 1.0
    #: Reference frameworks covered: framework id -> area ids (see catalogue.yaml).
    frameworks: dict[Slug, list[Slug]] = {}
    #: A legal duty (catalogue.yaml ``duties``) this question measures compliance with.
    duty: Slug | None = None
    #: Who carries what the question asks about (catalogue.yaml ``tasks``): decides per type
    #: and Land whether the question counts, is information about the administration, or
    #: is usually someone else's.
    task: Slug | None = None
    sources: list[Source] = []

    @property
    def offers_not_responsible(self) -> bool:
        """Whether "nicht zuständig" is a possible answer."""
        return self.allow_not_responsible or bool(self.not_responsible_for)


class FieldFile(Strict):
    """``fields/<field>.yaml``: the questions of one field, in the order they are asked."""

    field: Slug
    questions: Annotated[list[Question], Field(min_length=1)]


class ProfileOption(Strict):
    """A choice in the municipality profile (type, state, size band, kind of administration)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_+-]{1,32}$", strict=True)]
    label: Text
    #: Plain-language explanation shown with the choice.
    description: Text | None = None
    min: int | None = None
    max: int | None = None
    #: Types: the type whose body runs this type's administration (an Ortsgemeinde's
    #: Verbandsgemeinde); tasks that body carries are information, not the member's score.
    administered_by: str | None = None
    #: Types: roles (offices, posts) this type does not have; its measure texts must not name them.
    lacks_roles: list[NonEmpty] = []
    #: Kinds of administration: the Länder that have them, and how to address one ("Ihre …").
    states: list[str] = []
    your: Text | None = None
    your_dative: Text | None = None


class Profile(Strict):
    """The closed lists the profile section offers."""

    municipality_types: Annotated[list[ProfileOption], Field(min_length=1)]
    states: Annotated[list[ProfileOption], Field(min_length=1)]
    population_bands: Annotated[list[ProfileOption], Field(min_length=1)]
    staff_bands: Annotated[list[ProfileOption], Field(min_length=1)]
    #: Amt, Verbandsgemeinde, Samtgemeinde, Verwaltungsgemeinschaft: asked of the types
    #: that are, or belong to, such a body.
    association_kinds: list[ProfileOption] = []

    def options(self, key: str) -> list[ProfileOption]:
        """The closed list of one profile key (``municipality_type`` -> ``municipality_types`` …)."""
        return getattr(self, PROFILE_LISTS[key])


#: Profile key -> the name of its list in :class:`Profile`.
PROFILE_LISTS = {
    "municipality_type": "municipality_types",
    "state": "states",
    "population_band": "population_bands",
    "staff_band": "staff_bands",
    "association_kind": "association_kinds",
}


class FieldRef(Strict):
    """A field (Handlungsfeld) as listed in ``catalogue.yaml``."""

    id: Slug
    title: Text
    description: Text
    file: NonEmpty


class Migration(Strict):
    """How answers and profiles of an older catalogue version map onto this one."""

    from_version: NonEmpty
    renamed: dict[str, str] = {}
    removed: list[str] = []
    #: Profile key -> old value -> new values; one value maps, several are offered to the
    #: user once (a band that was split).
    profile: dict[ProfileKey, dict[str, Annotated[list[str], Field(min_length=1)]]] = {}
    #: What changed, in a few sentences the user sees once after the upgrade.
    note: Text | None = None


class TaskRule(Strict):
    """Which municipality types carry a task, in some Länder or (without ``states``) elsewhere."""

    states: list[str] = []
    responsible: list[str]
    sources: Annotated[list[Source], Field(min_length=1)]


class Task(Strict):
    """A public task and who carries it; questions and duties refer to it."""

    id: Slug
    title: Text
    #: Land-specific rules first; the last rule, without ``states``, holds everywhere else.
    rules: Annotated[list[TaskRule], Field(min_length=1)]
    #: Whether types that do not carry the task are asked about it (they may answer "nicht
    #: zuständig"): True for all, False for none (the question is skipped for them), or a
    #: list of the types still asked (a larger town that may run a district office).
    ask_others: bool | list[str] = True


class Sizing(Strict):
    """How a measure's person-days and months scale for a profile (first matching rule)."""

    when: list[Condition] = []
    person_days: Annotated[float, Field(gt=0, le=50)]
    duration: Annotated[float, Field(gt=0, le=5)]


class Raise(Strict):
    """A question a measure lifts, and the level it should reach."""

    question: Slug
    to_level: Annotated[int, Field(ge=1, le=4, strict=True)]


PersonDays = Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)]
Months = Annotated[list[Annotated[int, Field(ge=0, le=60)]], Field(min_length=2, max_length=2)]
#: Who may do a measure's work for the municipality: its joint administration (Amt,
#: Verbandsgemeinde, ...), its IT service provider, or the district (Landkreis).
PARTNERS = ("administration", "it_provider", "district")


class Partner(Strict):
    """A partner does most of the work; the municipality's own part is coordination.

    Own effort is the variant's ``person_days`` when it states them, else ``own_share`` of the
    measure's (sized) person-days. Only the own effort counts against the capacity.
    """

    by: Literal["administration", "it_provider", "district"]
    own_share: Annotated[float, Field(gt=0, lt=1)] = 0.25


class Variant(Strict):
    """Profile-dependent wording of a measure (e.g. join a shared service instead of building)."""

    when: Annotated[list[Condition], Field(min_length=1)]
    title: Text | None = None
    summary: Text | None = None
    first_steps: Annotated[list[Text], Field(min_length=3, max_length=5)] | None = None
    responsible: Text | None = None
    #: Own effort and months of this variant, instead of the measure's scaled by ``sizing``.
    person_days: PersonDays | None = None
    duration_months: Months | None = None
    #: Replaces the measure's partner for this profile.
    partner: Partner | None = None


class Fallback(Strict):
    """The shared or lighter way to meet a duty's deadline that the capacity cannot carry.

    The roadmap plans it instead of the measure when the measure would miss the deadline or
    overrun the capacity and this way does better; ``person_days`` are the own effort.
    """

    title: Text
    summary: Text
    first_steps: Annotated[list[Text], Field(min_length=3, max_length=5)] | None = None
    responsible: Text | None = None
    person_days: PersonDays
    duration_months: Months | None = None
    partner: Partner | None = None
    sources: Annotated[list[Source], Field(min_length=1)]


class Hint(Strict):
    """A funding programme or a good-practice type, with where to check it."""

    text: Text
    sources: list[Source] = []


EFFORT_PERSON_DAYS = {"S": (1, 15), "M": (10, 60), "L": (40, 1000)}


class Measure(Strict):
    """A building block of the roadmap."""

    id: Slug
    #: A field id, or ``cross_cutting`` (strategy, skills, security, cooperation).
    field: Slug
    title: Text
    summary: Text
    first_steps: Annotated[list[Text], Field(min_length=3, max_length=5)]
    effort: Literal["S", "M", "L"]
    person_days: Annotated[list[Annotated[int, Field(ge=0)]], Field(min_length=2, max_length=2)]
    duration_months: Annotated[list[Annotated[int, Field(ge=0, le=60)]], Field(min_length=2, max_length=2)]
    effect: Text
    responsible: Text
    prerequisites: list[Slug] = []
    triggers: Annotated[list[Trigger], Field(min_length=1)]
    raises: Annotated[list[Raise], Field(min_length=1)]
    variants: list[Variant] = []
    funding: list[Hint] = []
    good_practice: list[Hint] = []
    duty: Slug | None = None
    #: Who does most of the work (for every profile, unless a variant says otherwise).
    partner: Partner | None = None
    #: The shared or lighter way, for a measure that serves a dated duty.
    fallback: Fallback | None = None
    #: Whether person-days and months scale with the profile (catalogue ``sizing``).
    sized: bool = True
    sources: list[Source] = []


class MeasureFile(Strict):
    """``measures/<name>.yaml``: measures, in any order."""

    measures: Annotated[list[Measure], Field(min_length=1)]


class CatalogueFile(Strict):
    """``catalogue.yaml``: identity, version and structure of one catalogue."""

    id: Slug
    version: NonEmpty
    title: Text
    description: Text
    sources: list[Source] = []
    profile: Profile
    fields: Annotated[list[FieldRef], Field(min_length=1)]
    measure_files: list[NonEmpty] = []
    frameworks: dict[Slug, Framework] = {}
    duties: list[Duty] = []
    #: The date up to which the legal content was checked ("Rechtsstand").
    legal_as_of: date | None = None
    tasks: list[Task] = []
    sizing: list[Sizing] = []
    migrations: list[Migration] = []


Duty.model_rebuild()
