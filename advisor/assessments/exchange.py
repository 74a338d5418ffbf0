"""The assessment exchange file: one JSON document per assessment.

Documented in ``docs/exchange-format.md`` with a JSON Schema generated from
:class:`ExchangeFile` (``docs/exchange-format.schema.json``; a test keeps the
two in step). Import validates everything before it writes anything: a file
that is refused leaves the database as it was.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from advisor.catalogue import Catalogue
from advisor.catalogue.migrate import NoMigration, carry_over
from advisor.db import utcnow
from advisor.i18n import lazy_gettext as _l

from .answers import NOTE_MAX_LENGTH, AnswerInput, InvalidAnswer, normalise
from .models import (
    MAX_CAPACITY_DAYS,
    PROFILE_KEYS,
    Answer,
    AnswerState,
    Assessment,
    Priority,
    Respondent,
    RespondentAnswer,
    Status,
)
from .services import PROFILE_FIELDS, create_assessment

FORMAT = "advisor-assessment"
FORMAT_VERSION = 1
MAX_PROBLEMS = 20


def _in_utc(value: datetime) -> datetime:
    """A date-time with a time zone that exists in UTC (stored and compared as such)."""
    if value.tzinfo is None:
        raise PydanticCustomError("timestamp", "a date-time with a time zone is expected")
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise PydanticCustomError("timestamp", "the date-time is out of range") from None


Timestamp = Annotated[datetime, AfterValidator(_in_utc)]
#: How deeply an exchange file may nest (it needs 4 levels); deeper is refused before anything
#: walks it.
MAX_DEPTH = 12
#: Digits an integer may have; the file's largest numbers are person-days a year.
MAX_DIGITS = 15


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Value = StrictInt | StrictFloat | StrictBool | StrictStr | list[StrictStr] | None


class AnswerEntry(_Strict):
    """An answer: a value, or a status saying why there is none; optionally a note."""

    status: Literal["answered", "unknown", "not_responsible"] = "answered"
    value: Value = Field(
        default=None,
        description="level: 0-4; single: option id; multiple: list of option ids; "
        "number: number; yes_no: true/false. Only with status 'answered'.",
    )
    note: Annotated[str, Field(max_length=NOTE_MAX_LENGTH)] = ""

    @model_validator(mode="after")
    def _value_only_when_answered(self) -> AnswerEntry:
        if self.status != "answered" and self.value is not None:
            raise ValueError("a value is only allowed with status 'answered'")
        return self


class PriorityEntry(_Strict):
    """How relevant a field is (1-5) and which level is aimed for in three years (0-4)."""

    relevance: Annotated[int, Field(ge=1, le=5, strict=True)] | None = None
    target_level: Annotated[int, Field(ge=0, le=4, strict=True)] | None = None


ShortText = Annotated[str, Field(max_length=200)]


class ProfileEntry(_Strict):
    """The municipality profile; option ids come from the catalogue's profile lists."""

    municipality_name: ShortText = ""
    municipality_type: ShortText | None = None
    state: ShortText | None = None
    population_band: ShortText | None = None
    staff_band: ShortText | None = None
    association_kind: ShortText | None = None
    association_name: ShortText = ""
    it_provider: ShortText = ""


class CatalogueRef(_Strict):
    """Which catalogue and version the answers were given against."""

    id: Annotated[str, Field(max_length=64)]
    version: Annotated[str, Field(max_length=64)]
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class RespondentEntry(_Strict):
    """One participant of a guided session with their own answers."""

    label: Annotated[str, Field(min_length=1, max_length=200)]
    role: ShortText = ""
    answers: dict[str, AnswerEntry] = {}


class ExchangeFile(_Strict):
    """One assessment, as exported and imported by the web UI and the CLI."""

    model_config = ConfigDict(
        extra="forbid",
        title="advisor assessment exchange file",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Literal["advisor-assessment"]
    format_version: Literal[1]
    catalogue: CatalogueRef
    exported_at: Timestamp | None = None
    status: Literal["in_progress", "completed"] = "in_progress"
    completed_at: Timestamp | None = None
    locale: Literal["de", "en"] = "de"
    profile: ProfileEntry = ProfileEntry()
    priorities: dict[str, PriorityEntry] = {}
    #: Person-days a year for the roadmap, where the municipality entered them.
    capacity_days_per_year: Annotated[int, Field(ge=1, le=MAX_CAPACITY_DAYS, strict=True)] | None = None
    answers: dict[str, AnswerEntry] = {}
    respondents: list[RespondentEntry] = []


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` are translated, user-facing texts."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# -- export -----------------------------------------------------------------------------


def _answer_entry(state: AnswerState, value: Any, note: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if state is AnswerState.ANSWERED:
        entry["value"] = value
    else:
        entry["status"] = state.value
    if note:
        entry["note"] = note
    return entry


def export_assessment(catalogue: Catalogue, assessment: Assessment) -> dict[str, Any]:
    """The assessment as an exchange document (plain JSON-ready data)."""
    document: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "catalogue": {
            "id": assessment.catalogue_id,
            "version": assessment.catalogue_version,
            "hash": assessment.catalogue_hash,
        },
        "exported_at": utcnow().isoformat(timespec="seconds"),
        "status": assessment.status.value,
        "locale": assessment.locale,
        "profile": {key: getattr(assessment, key) for key in PROFILE_FIELDS},
        "priorities": {
            p.field_id: {"relevance": p.relevance, "target_level": p.target_level}
            for p in sorted(assessment.priorities, key=lambda p: p.field_id)
        },
        "capacity_days_per_year": assessment.capacity_days_per_year,
        "answers": {
            a.question_id: _answer_entry(a.state, a.value, a.note)
            for a in _in_catalogue_order(catalogue, assessment.answers)
        },
        "respondents": [
            {
                "label": r.label,
                "role": r.role,
                "answers": {
                    a.question_id: _answer_entry(a.state, a.value, a.note)
                    for a in _in_catalogue_order(catalogue, r.answers)
                },
            }
            for r in assessment.respondents
        ],
    }
    if assessment.completed_at is not None:
        document["completed_at"] = assessment.completed_at.isoformat(timespec="seconds")
    return document


def _in_catalogue_order(catalogue: Catalogue, answers):
    order = {qid: index for index, qid in enumerate(catalogue.questions)}
    return sorted(answers, key=lambda a: (order.get(a.question_id, len(order)), a.question_id))


def slug(name: str) -> str:
    """A file-name-safe, lower-case ASCII form of a municipality name ("" if none is left)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_name(name)).strip("-").lower()


def file_name(assessment: Assessment) -> str:
    """A download name that says what the file is, safe in a header."""
    return f"selbsteinschaetzung-{slug(assessment.municipality_name) or assessment.public_id[:8]}.json"


def ascii_name(text: str) -> str:
    for umlaut, plain in (
        ("ä", "ae"),
        ("ö", "oe"),
        ("ü", "ue"),
        ("Ä", "Ae"),
        ("Ö", "Oe"),
        ("Ü", "Ue"),
        ("ß", "ss"),
    ):
        text = text.replace(umlaut, plain)
    return text


# -- import -----------------------------------------------------------------------------


def parse(raw: bytes) -> ExchangeFile:
    """Read and shape-check an exchange file; raise ImportRefused with every problem found."""
    if not raw.strip():
        raise ImportRefused([_l("The file is empty.")])
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_int=_bounded_int)
    except UnicodeDecodeError:
        raise ImportRefused([_l("The file is not a text file in UTF-8 encoding.")]) from None
    except _NumberTooLarge:
        raise ImportRefused(
            [_l("The file contains a number with more than %(n)s digits.", n=MAX_DIGITS)]
        ) from None
    except RecursionError:
        raise ImportRefused(
            [_l("The file is nested too deeply to be an export of this self-assessment.")]
        ) from None
    except json.JSONDecodeError as exc:
        raise ImportRefused(
            [
                _l(
                    "The file is not valid JSON (line %(line)s, column %(column)s).",
                    line=exc.lineno,
                    column=exc.colno,
                )
            ]
        ) from None
    problem = _hostile(data)
    if problem is not None:
        raise ImportRefused([problem])
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(
            [
                _l(
                    "This file is not an export of this self-assessment. Please choose a file that was "
                    "saved here with “Download answers (JSON)” (technically: the entry “format” must be "
                    "“%(format)s”).",
                    format=FORMAT,
                )
            ]
        )
    try:
        return ExchangeFile.model_validate(data)
    except ValidationError as exc:
        problems = [_schema_problem(error) for error in exc.errors()[:MAX_PROBLEMS]]
        raise ImportRefused(problems) from None


class _NumberTooLarge(ValueError):
    pass


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise _NumberTooLarge(text[:20])
    return int(text)


def _hostile(data: Any) -> Any:
    """Why a parsed file cannot be taken further (nesting, NUL characters), or None."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return _l("The file is nested too deeply to be an export of this self-assessment.")
        if isinstance(value, dict):
            if any("\x00" in key for key in value):
                return _l("The file contains a NUL character, which cannot be stored.")
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            return _l("The file contains a NUL character, which cannot be stored.")
    return None


def _schema_problem(error: dict) -> Any:
    path = ".".join(str(p) for p in error["loc"] if not str(p).startswith("function-")) or "/"
    kind = error["type"]
    if kind == "missing":
        return _l("%(path)s: this entry is missing.", path=path)
    if kind == "extra_forbidden":
        return _l("%(path)s: unknown entry.", path=path)
    if kind in ("greater_than_equal", "less_than_equal", "string_too_long"):
        return _l("%(path)s: value out of the allowed range.", path=path)
    if kind == "timestamp":
        return _l(
            "%(path)s: a date and time with time zone in the usual range is expected "
            "(for example 2026-12-02T10:00:00+01:00).",
            path=path,
        )
    return _l("%(path)s: invalid value (%(detail)s).", path=path, detail=error["msg"])


@dataclass(frozen=True)
class Checked:
    """An exchange file checked against its catalogue, answers in canonical form."""

    catalogue: Catalogue
    document: ExchangeFile
    answers: dict[str, AnswerInput]
    respondents: list[tuple[RespondentEntry, dict[str, AnswerInput]]]
    #: The profile in this catalogue version (mapped when the file is older).
    profile: dict[str, Any]
    #: Set when the file was carried over from an older version: what the user is told and asked.
    upgrade_notice: dict[str, Any] | None = None


def check(catalogues: dict[str, Catalogue], raw: bytes) -> Checked:
    """Parse an exchange file and check it against its catalogue; raise ImportRefused."""
    document = parse(raw)
    catalogue = catalogues.get(document.catalogue.id)
    if catalogue is None:
        raise ImportRefused(
            [_l("The file belongs to an unknown catalogue “%(id)s”.", id=document.catalogue.id)]
        )
    version = document.catalogue.version
    try:
        # The profile is carried first; answers follow the same rule inside ``clean``.
        carried = carry_over(catalogue, version, {}, document.profile.model_dump())
    except NoMigration:
        raise ImportRefused(
            [
                _l(
                    "The file was saved with catalogue version %(theirs)s; this installation uses "
                    "version %(ours)s and has no rule for carrying answers over. Please ask the "
                    "operator of this installation.",
                    theirs=version,
                    ours=catalogue.version,
                )
            ]
        ) from None
    problems: list[Any] = []

    def clean(answers: dict[str, AnswerEntry], where: str) -> dict[str, AnswerInput]:
        result: dict[str, AnswerInput] = {}
        moved = carry_over(catalogue, version, {k: (k, v) for k, v in answers.items()}, {}).answers
        for question_id, (old_id, entry) in moved.items():
            question = catalogue.questions.get(question_id)
            if question is None:
                problems.append(_l("%(where)s: unknown question “%(id)s”.", where=where, id=old_id))
                continue
            try:
                result[question_id] = normalise(
                    question, AnswerInput(AnswerState(entry.status), entry.value, entry.note)
                )
            except InvalidAnswer as exc:
                problems.append(
                    _l("%(where)s “%(id)s”: %(problem)s", where=where, id=old_id, problem=exc.message)
                )
        return result

    answers = clean(document.answers, "answers")
    respondents = [
        (r, clean(r.answers, f"respondents.{i}.answers")) for i, r in enumerate(document.respondents)
    ]
    profile = carried.profile
    for key in PROFILE_KEYS:
        value = profile.get(key)
        if value is not None and value not in {o.id for o in catalogue.profile.options(key)}:
            problems.append(_l("profile.%(key)s: unknown value “%(value)s”.", key=key, value=value))
    for field_id in document.priorities:
        if catalogue.field(field_id) is None:
            problems.append(_l("priorities: unknown field “%(id)s”.", id=field_id))
    if problems:
        raise ImportRefused(problems[:MAX_PROBLEMS])
    notice = None
    if version != catalogue.version:
        notice = {
            "from": version,
            "to": catalogue.version,
            "choices": {k: list(v) for k, v in carried.choices.items()},
        }
    return Checked(catalogue, document, answers, respondents, profile, notice)


def import_assessment(
    session: Session, catalogues: dict[str, Catalogue], raw: bytes
) -> tuple[Assessment, str]:
    """Create a new assessment from an exchange file; return it and its new resume token."""
    checked = check(catalogues, raw)
    catalogue, document = checked.catalogue, checked.document
    assessment, token = create_assessment(session, catalogue, document.locale)
    for key in PROFILE_FIELDS:
        setattr(assessment, key, checked.profile[key])
    assessment.upgrade_notice = checked.upgrade_notice
    assessment.capacity_days_per_year = document.capacity_days_per_year
    for question_id, answer in checked.answers.items():
        if answer.value is not None or answer.state is not AnswerState.ANSWERED or answer.note:
            assessment.answers.append(
                Answer(question_id=question_id, state=answer.state, value=answer.value, note=answer.note)
            )
    for field_id, entry in document.priorities.items():
        assessment.priorities.append(
            Priority(field_id=field_id, relevance=entry.relevance, target_level=entry.target_level)
        )
    for entry, cleaned in checked.respondents:
        respondent = Respondent(label=entry.label, role=entry.role)
        respondent.answers = [
            RespondentAnswer(question_id=qid, state=a.state, value=a.value, note=a.note)
            for qid, a in cleaned.items()
        ]
        assessment.respondents.append(respondent)
    if document.status == "completed":
        assessment.status = Status.COMPLETED
        assessment.completed_at = document.completed_at or utcnow()
    session.flush()
    return assessment, token


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the exchange file, as published in docs/."""
    return ExchangeFile.model_json_schema()
