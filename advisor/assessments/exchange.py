"""The assessment exchange file: one JSON document per assessment.

Documented in ``docs/exchange-format.md`` with a JSON Schema generated from
:class:`ExchangeFile` (``docs/exchange-format.schema.json``; a test keeps the
two in step). Import validates everything before it writes anything: a file
that is refused leaves the database as it was.

Version 2 adds what a guided session produced: the respondents' state (named in the
report, submitted), per question how the answer was agreed (method, rationale, the
spread at that moment), the advisor's shared notes and the advisor's measures. What
is private stays on the server: personal links (tokens), account ids and e-mail
addresses, and the advisor's private notes. Version 1 files still import.

Version 3 adds repeat assessments: ``predecessor`` names the earlier round by its content
hash (:func:`content_hash`; never by a database id), and ``measure_progress`` is the measure
board (which measures are started or done, since when, with a note). Importing both rounds
of a pair links them again, in either order, where the importer may open both. Version 1
and 2 files still import.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
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
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
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
    MeasureProgress,
    Priority,
    ProgressStatus,
    Respondent,
    RespondentAnswer,
    Status,
)
from .rounds import BOARD_NOTE_MAX, BoardEntry, checked_entry, successor_id
from .services import PROFILE_FIELDS, catalogue_of, create_assessment, touch

FORMAT = "advisor-assessment"
FORMAT_VERSION = 3
#: Versions import reads; 1 has no agreements, session notes or advisor's measures, 2 no
#: predecessor and no measure board.
READABLE_VERSIONS = (1, 2, 3)
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
#: Rationales, notes and the texts of the advisor's measures (the file as a whole is limited too).
LongText = Annotated[str, Field(max_length=10_000)]


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
    #: Version 2: whether the report may name the person (else it names the role only).
    named_in_report: StrictBool = False
    #: Version 2: when the respondent said they were done.
    submitted_at: Timestamp | None = None
    answers: dict[str, AnswerEntry] = {}


Level = Annotated[int, Field(ge=0, le=4, strict=True)]


class SpreadEntry(_Strict):
    """The respondents' answers to one question at the moment it was agreed."""

    low: Level | None = Field(default=None, description="lowest level given (level questions only)")
    high: Level | None = Field(default=None, description="highest level given (level questions only)")
    respondents: Annotated[int, Field(ge=0, le=100_000, strict=True)] | None = Field(
        default=None, description="how many respondents gave an answer"
    )
    divergent: StrictBool = False

    @model_validator(mode="after")
    def _low_not_above_high(self) -> SpreadEntry:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError("low must not be above high")
        return self


class AgreementEntry(_Strict):
    """Version 2: how one question's answer came about in a guided session."""

    revealed_at: Timestamp | None = Field(
        default=None, description="when the respondents' answers were shown to the group; null: not shown"
    )
    method: Literal["agreed", "median"] | None = Field(
        default=None,
        description="'agreed': the advisor recorded an answer agreed with the group; 'median': the "
        "consensus rule's proposal was accepted; null: not agreed (yet)",
    )
    rationale: LongText = ""
    agreed_at: Timestamp | None = None
    spread: SpreadEntry | None = None
    note: LongText = Field(default="", description="the advisor's note on the question, where shared")


class MeasureEntry(_Strict):
    """Version 2: one of the advisor's recommendations."""

    action: Literal["add", "adjust", "remove"] = Field(
        description="'add': the advisor's own measure; 'adjust' or 'remove': the catalogue measure "
        "named by measure_id"
    )
    measure_id: Annotated[str, Field(max_length=64)] | None = None
    title: ShortText = ""
    text: LongText = ""
    phase: Annotated[int, Field(ge=1, le=3, strict=True)] | None = None
    effort: Literal["S", "M", "L"] | None = None
    responsible: ShortText = ""
    reason: LongText = ""

    @model_validator(mode="after")
    def _fits_its_action(self) -> MeasureEntry:
        if self.action == "add":
            if self.measure_id is not None:
                raise ValueError("an added measure has no measure_id")
            if not self.title.strip():
                raise ValueError("an added measure needs a title")
        elif not self.measure_id:
            raise ValueError(f"'{self.action}' needs the measure_id of a catalogue measure")
        return self


class PredecessorEntry(_Strict):
    """Version 3: the earlier round this one follows up, named by its content hash."""

    content_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] = Field(
        description="the content hash of the earlier round's exchange file (see docs/exchange-format.md)"
    )
    completed_at: Timestamp | None = Field(
        default=None, description="when the earlier round was completed (informational; not part of the hash)"
    )


def _iso_day(value: Any) -> Any:
    """Only a calendar date written YYYY-MM-DD (no number, no date-time) is a day."""
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("day", "a date written YYYY-MM-DD is expected")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("day", "a date written YYYY-MM-DD is expected") from None


Day = Annotated[date, BeforeValidator(_iso_day)]


class ProgressEntry(_Strict):
    """Version 3: how far the municipality has got with one measure of its roadmap."""

    status: Literal["open", "started", "done"]
    date: Day | None = Field(
        default=None,
        description="begun on (started) or done on (done), not in the future; open has none",
    )
    note: Annotated[str, Field(max_length=BOARD_NOTE_MAX)] = ""


class ExchangeFile(_Strict):
    """One assessment, as exported and imported by the web UI and the CLI."""

    model_config = ConfigDict(
        extra="forbid",
        title="advisor assessment exchange file",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    format: Literal["advisor-assessment"]
    format_version: Literal[1, 2, 3]
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
    #: Version 2: per question id, how the answer was agreed in a guided session.
    agreements: dict[str, AgreementEntry] = {}
    #: Version 2: the advisor's session notes, where shared into the report.
    session_notes: LongText = ""
    #: Version 2: the advisor's own, adjusted and removed measures.
    measures: list[MeasureEntry] = []
    #: Version 3: the earlier round this one follows up.
    predecessor: PredecessorEntry | None = None
    #: Version 3: the measure board, per catalogue measure id (measures not named are open).
    measure_progress: dict[Annotated[str, Field(max_length=64)], ProgressEntry] = {}

    @model_validator(mode="after")
    def _no_entries_of_later_versions(self) -> ExchangeFile:
        later = []
        if self.format_version < 2:
            since_2 = {"agreements", "session_notes", "measures"} & self.model_fields_set
            for respondent in self.respondents:
                since_2 |= {"named_in_report", "submitted_at"} & respondent.model_fields_set
            if since_2:
                later.append(f"{', '.join(sorted(since_2))}: only in format_version 2 and later")
        if self.format_version < 3:
            since_3 = {"predecessor", "measure_progress"} & self.model_fields_set
            if since_3:
                later.append(f"{', '.join(sorted(since_3))}: only in format_version 3")
        if later:
            raise ValueError("; ".join(later))
        return self


class ImportRefused(Exception):
    """The file cannot be imported; ``problems`` are translated, user-facing texts."""

    def __init__(self, problems: list[Any]) -> None:
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


# -- export -----------------------------------------------------------------------------


def _answer_entry(state: AnswerState, value: Any, note: str) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if state is AnswerState.ANSWERED:
        entry["value"] = _canonical_number(value)
    else:
        entry["status"] = state.value
    if note:
        entry["note"] = note
    return entry


def _canonical_number(value: Any) -> Any:
    """A whole number as such (40, not 40.0): databases read a stored 40.0 back either way.

    The import reads 40 as 40.0 where the question takes decimals, so the content (and its
    hash) stays the same through export and import on SQLite and PostgreSQL alike.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 10**MAX_DIGITS:
        return int(value)
    return value


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
            # An answer row that says nothing is no answer (import leaves it out too).
            if a.state is not AnswerState.ANSWERED or a.value is not None or a.note
        },
        "respondents": [
            {
                "label": r.label,
                "role": r.role,
                "named_in_report": r.named_in_report,
                "submitted_at": _when(r.submitted_at),
                "answers": {
                    a.question_id: _answer_entry(a.state, a.value, a.note)
                    for a in _in_catalogue_order(catalogue, r.answers)
                },
            }
            for r in assessment.respondents
        ],
    }
    if assessment.completed_at is not None:
        document["completed_at"] = _when(assessment.completed_at)
    document.update(_guided_session(catalogue, assessment))
    if assessment.predecessor_hash:
        earlier = assessment.predecessor
        document["predecessor"] = {
            "content_hash": assessment.predecessor_hash,
            "completed_at": _when(earlier.completed_at) if earlier is not None else None,
        }
    known = {m.id for m in catalogue.measures}
    document["measure_progress"] = {
        row.measure_id: {
            "status": row.status.value,
            "date": row.on_date.isoformat() if row.on_date is not None else None,
            "note": row.note,
        }
        # Ordered by measure id; a measure the catalogue no longer has is not planned any more.
        for row in assessment.measure_progress
        if row.measure_id in known
    }
    return document


#: What is not content: when and in which file version it was written.
NOT_CONTENT = ("format", "format_version", "exported_at")


def content_hash(document: dict[str, Any]) -> str:
    """SHA-256 of what an exchange document says, independent of when and how it was written.

    A follow-up names its predecessor by this hash: it stays the same through export and
    import (no database id does), and a later round can say exactly which round it compared.
    The canonical form is the document without ``format``, ``format_version`` and
    ``exported_at``, and with only the ``content_hash`` of ``predecessor`` (its
    ``completed_at`` is known only where the earlier round is stored), as JSON with sorted
    keys, no spaces and UTF-8 characters unescaped.
    """
    content = {key: value for key, value in document.items() if key not in NOT_CONTENT}
    earlier = content.get("predecessor")
    if isinstance(earlier, dict):
        content["predecessor"] = {"content_hash": earlier.get("content_hash")}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _when(value: datetime | None) -> str | None:
    """A stored time as the file writes it: in UTC, to the second (as an import stores it)."""
    return value.astimezone(UTC).isoformat(timespec="seconds") if value is not None else None


def _guided_session(catalogue: Catalogue, assessment: Assessment) -> dict[str, Any]:
    """Agreements, shared session notes and the advisor's measures (private notes stay here)."""
    session = object_session(assessment)
    if session is None or assessment.id is None:
        return {"agreements": {}, "session_notes": "", "measures": []}
    order = {qid: index for index, qid in enumerate(catalogue.questions)}
    rows = session.scalars(select(Agreement).where(Agreement.assessment_id == assessment.id)).all()
    agreements = {}
    for row in sorted(rows, key=lambda r: (order.get(r.question_id, len(order)), r.question_id)):
        # Texts as an import stores them (stripped), so that a round trip says the same.
        note = row.note.strip() if row.note_shared else ""
        if row.revealed_at is None and row.method is None and not note:
            continue  # only a private note: nothing to hand on
        entry: dict[str, Any] = {
            "revealed_at": _when(row.revealed_at),
            "method": row.method,
            "rationale": row.rationale.strip(),
            "agreed_at": _when(row.agreed_at) if row.method is not None else None,
            "spread": None
            if row.method is None
            else {
                "low": row.spread_low,
                "high": row.spread_high,
                "respondents": row.respondents,
                "divergent": row.divergent,
            },
        }
        if note:
            entry["note"] = note
        agreements[row.question_id] = entry
    state = session.scalar(select(GuidedSession).where(GuidedSession.assessment_id == assessment.id))
    measures = session.scalars(
        select(AdvisorMeasure)
        .where(AdvisorMeasure.assessment_id == assessment.id)
        .order_by(AdvisorMeasure.id)
    )
    return {
        "agreements": agreements,
        "session_notes": state.notes.strip() if state is not None and state.notes_shared else "",
        "measures": [
            {
                "action": m.action,
                "measure_id": m.measure_id,
                "title": m.title.strip(),
                "text": m.text.strip(),
                "phase": m.phase,
                "effort": m.effort,
                "responsible": m.responsible.strip(),
                "reason": m.reason.strip(),
            }
            for m in measures
        ],
    }


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
    if kind == "day":
        return _l("%(path)s: a date written YYYY-MM-DD is expected (for example 2026-12-02).", path=path)
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
    #: Version 2: agreements by question id (in this catalogue version) and the advisor's measures.
    agreements: dict[str, AgreementEntry] = field(default_factory=dict)
    measures: list[MeasureEntry] = field(default_factory=list)
    #: Version 3: the measure board by catalogue measure id, as it is stored.
    progress: dict[str, BoardEntry] = field(default_factory=dict)


def utc_today() -> date:
    """Today's date in UTC: what an import checks the board's dates against."""
    return datetime.now(UTC).date()


def check(catalogues: dict[str, Catalogue], raw: bytes, today: date | None = None) -> Checked:
    """Parse an exchange file and check it against its catalogue; raise ImportRefused.

    ``today`` is the day the board's dates may not be after (default: today in UTC).
    """
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
    agreements: dict[str, AgreementEntry] = {}
    moved = carry_over(catalogue, version, {k: (k, v) for k, v in document.agreements.items()}, {}).answers
    for question_id, (old_id, entry) in moved.items():
        if question_id not in catalogue.questions:
            problems.append(_l("%(where)s: unknown question “%(id)s”.", where="agreements", id=old_id))
        else:
            agreements[question_id] = entry
    known_measures = {m.id for m in catalogue.measures}
    for index, measure in enumerate(document.measures):
        if measure.measure_id is not None and measure.measure_id not in known_measures:
            problems.append(
                _l(
                    "measures.%(index)s: the catalogue has no measure “%(id)s” to adjust or remove.",
                    index=index,
                    id=measure.measure_id,
                )
            )
    progress = _checked_progress(document, known_measures, today or utc_today(), problems)
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
    return Checked(
        catalogue,
        document,
        answers,
        respondents,
        profile,
        notice,
        agreements=agreements,
        measures=list(document.measures),
        progress=progress,
    )


def _checked_progress(
    document: ExchangeFile, known: set[str], today: date, problems: list[Any]
) -> dict[str, BoardEntry]:
    """The board's entries as the board itself would store them; problems are appended."""
    progress: dict[str, BoardEntry] = {}
    for measure_id, entry in document.measure_progress.items():
        if measure_id not in known:
            problems.append(_l("measure_progress: the catalogue has no measure “%(id)s”.", id=measure_id))
            continue
        try:
            clean = checked_entry(BoardEntry(ProgressStatus(entry.status), entry.date, entry.note), today)
        except InvalidAnswer as exc:
            problems.append(
                _l(
                    "%(where)s “%(id)s”: %(problem)s",
                    where="measure_progress",
                    id=measure_id,
                    problem=exc.message,
                )
            )
            continue
        if clean.status is not ProgressStatus.OPEN or clean.note:
            progress[measure_id] = clean  # an open measure without a note is simply not on the board
    return progress


def import_assessment(
    session: Session,
    catalogues: dict[str, Catalogue],
    raw: bytes,
    candidates: Iterable[Assessment] = (),
    today: date | None = None,
) -> tuple[Assessment, str]:
    """Create a new assessment from an exchange file; return it and its new resume token.

    ``candidates`` are the assessments the importer may open (in the web UI: this browser's
    and, signed in, the advisor's own). A round of a pair is linked to the other round
    among them, whichever was imported first (see :func:`link_rounds`); never to another.
    """
    checked = check(catalogues, raw, today)
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
        # No personal link: the advisor issues one if the person is to answer again.
        respondent = Respondent(
            label=entry.label,
            role=entry.role,
            named_in_report=entry.named_in_report,
            submitted_at=entry.submitted_at,
        )
        respondent.answers = [
            RespondentAnswer(question_id=qid, state=a.state, value=a.value, note=a.note)
            for qid, a in cleaned.items()
        ]
        assessment.respondents.append(respondent)
    if document.status == "completed":
        assessment.status = Status.COMPLETED
        assessment.completed_at = document.completed_at or utcnow()
    for measure_id, entry in checked.progress.items():
        assessment.measure_progress.append(
            MeasureProgress(measure_id=measure_id, status=entry.status, on_date=entry.on, note=entry.note)
        )
    if document.predecessor is not None:
        assessment.predecessor_hash = document.predecessor.content_hash
    session.flush()
    _import_guided_session(session, assessment, checked)
    link_rounds(session, catalogues, assessment, candidates, document.predecessor)
    return assessment, token


def link_rounds(
    session: Session,
    catalogues: dict[str, Catalogue],
    assessment: Assessment,
    candidates: Iterable[Assessment],
    named: PredecessorEntry | None = None,
) -> None:
    """Link a newly imported round to the other round of its pair, if the importer may open it.

    Forward: the earlier round the file names (``named``) is a completed candidate whose
    current export has that content hash and that has no follow-up yet. Backward: the new
    round is the earlier round a candidate names (by the content hash of the new round's
    own export) and that candidate is not linked to an earlier round yet. Each link is
    made at most once; assessments outside ``candidates`` are never looked at.
    """
    others = sorted(
        {c.id: c for c in candidates if c.id is not None and c.id != assessment.id}.values(),
        key=lambda c: c.id,
    )
    if named is not None:
        for candidate in others:
            if _is_named_round(session, catalogues, candidate, named):
                assessment.predecessor = candidate
                break
    if not any(c.predecessor_id is None and c.predecessor_hash for c in others):
        session.flush()
        return
    own = _current_hash(session, catalogues, assessment)
    for candidate in others:
        if (
            candidate.predecessor_id is None
            and candidate.predecessor_hash == own
            and candidate is not assessment.predecessor
        ):
            candidate.predecessor = assessment
            touch(candidate)  # its comparison with the earlier round changes
            break
    session.flush()


def _is_named_round(
    session: Session, catalogues: dict[str, Catalogue], candidate: Assessment, named: PredecessorEntry
) -> bool:
    """Whether ``candidate`` is the earlier round a file names, and may still be followed up."""
    if candidate.status is not Status.COMPLETED or candidate.completed_at is None:
        return False
    if named.completed_at is not None and candidate.completed_at.replace(microsecond=0) != named.completed_at:
        return False  # cheap check first: the hash includes the completion time anyway
    if successor_id(session, candidate) is not None:
        return False
    return _current_hash(session, catalogues, candidate) == named.content_hash


def _current_hash(session: Session, catalogues: dict[str, Catalogue], assessment: Assessment) -> str | None:
    """The content hash of the assessment's export as it would be made now."""
    catalogue = catalogue_of(session, catalogues, assessment)
    if catalogue is None:
        return None
    return content_hash(export_assessment(catalogue, assessment))


def _import_guided_session(session: Session, assessment: Assessment, checked: Checked) -> None:
    """Attach agreements, shared session notes and measures (version 2) to the new assessment."""
    for question_id, entry in checked.agreements.items():
        spread = entry.spread or SpreadEntry()
        session.add(
            Agreement(
                assessment_id=assessment.id,
                question_id=question_id,
                revealed_at=entry.revealed_at,
                method=entry.method,
                rationale=entry.rationale.strip(),
                agreed_at=entry.agreed_at if entry.method is not None else None,
                spread_low=spread.low,
                spread_high=spread.high,
                respondents=spread.respondents,
                divergent=spread.divergent,
                note=entry.note.strip(),
                note_shared=bool(entry.note.strip()),
            )
        )
    notes = checked.document.session_notes.strip()
    if notes:
        session.add(GuidedSession(assessment_id=assessment.id, notes=notes, notes_shared=True))
    for entry in checked.measures:
        session.add(
            AdvisorMeasure(
                assessment_id=assessment.id,
                action=entry.action,
                measure_id=entry.measure_id,
                title=entry.title.strip(),
                text=entry.text.strip(),
                phase=entry.phase,
                effort=entry.effort,
                responsible=entry.responsible.strip(),
                reason=entry.reason.strip(),
            )
        )
    session.flush()


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the exchange file, as published in docs/."""
    return ExchangeFile.model_json_schema()
