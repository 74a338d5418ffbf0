"""Forms of the questionnaire wizard (Flask-WTF, CSRF-protected).

The form of a field page is built from the catalogue, once per catalogue
version and field; labels are rendered by the templates from the catalogue,
so one form class serves every language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    Field,
    FloatField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from advisor.catalogue import Catalogue, FieldDef, Question
from advisor.i18n import lazy_gettext as _l

from .answers import NOTE_MAX_LENGTH, AnswerInput
from .models import MAX_CAPACITY_DAYS, Answer, AnswerState, Assessment, ProgressStatus
from .rounds import BoardEntry
from .services import PROFILE_FIELDS, PriorityInput

SPECIALS = ("unknown", "not_responsible")
INVALID_CHOICE = _l("Please choose one of the answers offered.")
TOO_LONG = _l("Please shorten this to at most %(max)d characters.")


class _Offered:
    """Choice fields built from a list of values; templates render the labels."""

    def __init__(self, *args: Any, values: Iterable[str], **kwargs: Any) -> None:
        self.offered = tuple(values)
        super().__init__(*args, choices=[SelectChoice(v) for v in self.offered], **kwargs)


class OptionalRadioField(_Offered, RadioField):
    """A radio group that may stay unanswered but accepts only offered values."""

    def pre_validate(self, form: Any) -> None:
        """Refuse values that were not offered; accept none at all."""
        if self.data in (None, "", "None"):
            self.data = None
            return
        if self.data not in self.offered:
            raise ValidationError(INVALID_CHOICE)


class OptionalSelectField(_Offered, SelectField):
    """A select that may stay empty but accepts only offered values."""

    def pre_validate(self, form: Any) -> None:
        """Refuse values that were not offered; accept the empty choice."""
        if not self.data:
            self.data = None
            return
        if self.data not in self.offered:
            raise ValidationError(INVALID_CHOICE)


class CheckboxesField(_Offered, SelectMultipleField):
    """Several options; each submitted value must be offered."""

    def pre_validate(self, form: Any) -> None:
        """Refuse values that were not offered."""
        if any(value not in self.offered for value in self.data or []):
            raise ValidationError(INVALID_CHOICE)


class LocalNumberField(FloatField):
    """A number typed the German way (``12,5`` or ``1.500``) or the English way (``12.5``)."""

    def __init__(self, *args: Any, integer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.integer = integer

    def process_formdata(self, valuelist: list[str]) -> None:
        """Parse the typed text; an empty field means no value."""
        if not valuelist or not valuelist[0].strip():
            self.data = None
            self.raw_data = valuelist
            return
        text = valuelist[0].strip().replace("\u202f", "").replace(" ", "")
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif self.integer and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")
        try:
            self.data = float(text)
        except ValueError:
            self.data = None
            raise ValueError(_l("Please enter a number, for example 12 or 12,5.")) from None
        if not math.isfinite(self.data):  # "nan", "inf", "1e400": no number anyone means
            self.data = None
            raise ValueError(_l("Please enter a number, for example 12 or 12,5."))


_field_forms: dict[tuple[str, str], type[FlaskForm]] = {}


def field_form_class(catalogue: Catalogue, field: FieldDef) -> type[FlaskForm]:
    """Return the form class for one field page (cached per catalogue version)."""
    key = (catalogue.hash, field.id)
    cls = _field_forms.get(key)
    if cls is None:
        attrs: dict[str, Field] = {}
        for q in field.questions:
            specials = [s for s in SPECIALS if _allows(q, s)]
            if q.type in ("level", "single", "yes_no"):
                attrs[f"q_{q.id}"] = OptionalRadioField(values=[*values_of(q), *specials])
            else:
                if q.type == "multiple":
                    attrs[f"q_{q.id}"] = CheckboxesField(values=values_of(q))
                else:
                    attrs[f"q_{q.id}"] = LocalNumberField(validators=[Optional()], integer=q.integer)
                if specials:
                    attrs[f"s_{q.id}"] = OptionalSelectField(values=specials)
            attrs[f"n_{q.id}"] = TextAreaField(validators=[Length(max=NOTE_MAX_LENGTH, message=TOO_LONG)])
        cls = type(f"FieldForm_{field.id}", (FlaskForm,), attrs)
        _field_forms[key] = cls
    return cls


def _allows(question: Question, special: str) -> bool:
    return question.allow_unknown if special == "unknown" else question.offers_not_responsible


def values_of(question: Question) -> list[str]:
    """The form values of a question's answer choices, in display order."""
    if question.type == "level":
        return ["0", "1", "2", "3", "4"]
    if question.type == "yes_no":
        return ["yes", "no"]
    return [o.id for o in question.options or []]


def allowed_keys(field: FieldDef) -> set[str]:
    """Form keys a field page may send: anything else is a forged post."""
    keys = {"csrf_token", "nav"}
    for q in field.questions:
        keys |= {f"q_{q.id}", f"s_{q.id}", f"n_{q.id}", f"h_{q.id}", f"keep_{q.id}", f"c_{q.id}"}
    return keys


FINGERPRINT = re.compile(r"^(?:[0-9a-f]{16}|-)\Z")


def shown_fingerprints(data: Mapping[str, str], field: FieldDef) -> dict[str, str] | None:
    """Question id -> the fingerprint of the answer as the page showed it (``h_<id>``).

    None for a post without any (a client that does not send them: every answer it sends
    is stored as before). A malformed fingerprint is a forged post.
    """
    shown = {q.id: data[f"h_{q.id}"] for q in field.questions if f"h_{q.id}" in data}
    if not shown:
        return None
    if not all(FINGERPRINT.match(value) for value in shown.values()):
        raise ValueError("malformed fingerprint")
    return shown


def form_data(field: FieldDef, answers: dict[str, Answer]) -> dict[str, Any]:
    """Stored answers as initial form data."""
    data: dict[str, Any] = {}
    for q in field.questions:
        answer = answers.get(q.id)
        if answer is None:
            continue
        data[f"n_{q.id}"] = answer.note
        if answer.state is not AnswerState.ANSWERED:
            target = "q" if q.type in ("level", "single", "yes_no") else "s"
            data[f"{target}_{q.id}"] = answer.state.value
        elif answer.value is not None:
            data[f"q_{q.id}"] = _to_form(q, answer.value)
    return data


def _to_form(q: Question, value: Any) -> Any:
    if q.type == "level":
        return str(value)
    if q.type == "yes_no":
        return "yes" if value else "no"
    return value


def answers_from_form(form: FlaskForm, field: FieldDef) -> dict[str, AnswerInput]:
    """Turn a validated field form into answer inputs; raise ValueError for contradictions."""
    result: dict[str, AnswerInput] = {}
    for q in field.questions:
        main = form[f"q_{q.id}"].data
        special = form[f"s_{q.id}"].data if f"s_{q.id}" in form else None
        note = form[f"n_{q.id}"].data or ""
        if q.type in ("level", "single", "yes_no") and main in SPECIALS:
            special, main = main, None
        if special and main not in (None, []):
            form[f"s_{q.id}"].errors = [
                _l("Please either give an answer or choose “%(special)s”.", special=special_label(special))
            ]
            raise ValueError(q.id)
        if special:
            result[q.id] = AnswerInput(AnswerState(special), None, note)
            continue
        result[q.id] = AnswerInput(AnswerState.ANSWERED, _from_form(q, main), note)
    return result


def _from_form(q: Question, value: Any) -> Any:
    if value in (None, "", []):
        return None
    if q.type == "level":
        return int(value)
    if q.type == "yes_no":
        return value == "yes"
    if q.type == "number":
        return int(value) if q.integer and value == int(value) else value
    return value


def special_label(special: str) -> str:
    """The user-facing name of a special answer."""
    return str(_l("Don't know") if special == "unknown" else _l("Not responsible"))


class StartForm(FlaskForm):
    """Starting a new assessment only needs the CSRF token."""


class ResumeForm(FlaskForm):
    """Paste the personal link (or just the code in it) to continue."""

    link = StringField(
        _l("Your personal link"),
        validators=[Length(max=500, message=TOO_LONG)],
        description=_l("Paste the whole link, for example https://…/r/AbC…"),
    )


class ActionForm(FlaskForm):
    """A button that changes state (regenerate link, complete): CSRF only."""


class DeleteForm(FlaskForm):
    """Deleting an assessment needs a ticked box as well as the button: it cannot be undone."""

    confirm = BooleanField(
        validators=[
            DataRequired(message=_l("Please tick the box to confirm that everything is to be deleted."))
        ]
    )


class ImportForm(FlaskForm):
    """Upload an exchange file to create a new assessment from it."""

    file = FileField(
        _l("Exchange file (JSON)"),
        validators=[FileRequired(_l("Please choose a file."))],
    )


def profile_form_class(catalogue: Catalogue) -> type[FlaskForm]:
    """The profile form; choices come from the catalogue."""
    key = (catalogue.hash, "__profile__")
    cls = _field_forms.get(key)
    if cls is None:
        p = catalogue.profile

        def ids(options: Iterable) -> list[str]:
            return [o.id for o in options]

        cls = type(
            "ProfileForm",
            (FlaskForm,),
            {
                "municipality_name": StringField(validators=[Length(max=200, message=TOO_LONG)]),
                "municipality_type": OptionalRadioField(values=ids(p.municipality_types)),
                "state": OptionalSelectField(values=ids(p.states)),
                "population_band": OptionalRadioField(values=ids(p.population_bands)),
                "staff_band": OptionalRadioField(values=ids(p.staff_bands)),
                "association_kind": OptionalRadioField(values=ids(p.association_kinds)),
                "association_name": StringField(validators=[Length(max=200, message=TOO_LONG)]),
                "it_provider": StringField(validators=[Length(max=200, message=TOO_LONG)]),
            },
        )
        _field_forms[key] = cls
    return cls


PROFILE_KEYS = {"csrf_token", "nav", *PROFILE_FIELDS}
TEXT_PROFILE_FIELDS = ("municipality_name", "association_name", "it_provider")


def profile_from_form(form: FlaskForm) -> dict[str, str | None]:
    """The validated profile form as values to store (texts trimmed, choices or None)."""
    return {
        key: (form[key].data or "").strip() if key in TEXT_PROFILE_FIELDS else form[key].data
        for key in PROFILE_FIELDS
    }


def priorities_form_class(catalogue: Catalogue) -> type[FlaskForm]:
    """One relevance (1-5) and one target level (0-4) per field."""
    key = (catalogue.hash, "__priorities__")
    cls = _field_forms.get(key)
    if cls is None:
        attrs: dict[str, Field] = {}
        for f in catalogue.fields:
            attrs[f"relevance_{f.id}"] = OptionalRadioField(values=[str(i) for i in range(1, 6)])
            attrs[f"target_{f.id}"] = OptionalRadioField(values=[str(i) for i in range(5)])
        attrs["capacity"] = LocalNumberField(
            validators=[
                Optional(),
                NumberRange(
                    min=1,
                    max=MAX_CAPACITY_DAYS,
                    message=_l("Please enter between %(min)s and %(max)s person-days a year."),
                ),
                _whole_number,
            ],
            integer=True,
        )
        cls = type("PrioritiesForm", (FlaskForm,), attrs)
        _field_forms[key] = cls
    return cls


def priorities_data(catalogue: Catalogue, assessment: Assessment) -> dict[str, str | int | None]:
    """Stored priorities as initial form data."""
    stored = assessment.priority_map()
    data: dict[str, str | int | None] = {"capacity": assessment.capacity_days_per_year}
    for f in catalogue.fields:
        if (p := stored.get(f.id)) is not None:
            data[f"relevance_{f.id}"] = None if p.relevance is None else str(p.relevance)
            data[f"target_{f.id}"] = None if p.target_level is None else str(p.target_level)
    return data


def priorities_from_form(catalogue: Catalogue, form: FlaskForm) -> dict[str, PriorityInput]:
    """The validated priorities form as inputs for the service."""

    def number(value: str | None) -> int | None:
        return None if value in (None, "") else int(value)

    return {
        f.id: PriorityInput(number(form[f"relevance_{f.id}"].data), number(form[f"target_{f.id}"].data))
        for f in catalogue.fields
    }


def priorities_keys(catalogue: Catalogue) -> set[str]:
    """Form keys the priorities page may send."""
    keys = {"csrf_token", "nav", "capacity"}
    for f in catalogue.fields:
        keys |= {f"relevance_{f.id}", f"target_{f.id}"}
    return keys


def _whole_number(form: FlaskForm, field: Field) -> None:
    if field.data is not None and field.data != int(field.data):
        raise ValidationError(_l("Please enter whole person-days, for example 60."))


def capacity_from_form(form: FlaskForm) -> int | None:
    """The capacity entered (person-days a year), or None for the staff band's."""
    value = form["capacity"].data
    return None if value is None else int(value)


def profile_data(assessment: Assessment) -> dict[str, Any]:
    """Stored profile as initial form data."""
    return {key: getattr(assessment, key) for key in PROFILE_FIELDS}


BOARD_PREFIXES = ("st", "on", "no", "bh")
INVALID_DATE = _l("Please give the date as DD.MM.YYYY.")


def board_keys(measure_ids: Iterable[str]) -> set[str]:
    """Form keys the measure board may send: anything else is a forged post."""
    return {"csrf_token"} | {f"{prefix}_{mid}" for mid in measure_ids for prefix in BOARD_PREFIXES}


def board_from_form(
    data: Mapping[str, str], measure_ids: Iterable[str]
) -> tuple[dict[str, BoardEntry], dict[str, str], dict[str, Any]]:
    """The board's rows as entered: (entries, fingerprints as shown, errors by measure id).

    Only rows the form sent are returned; a row whose status or date cannot be read gets an
    error instead, as (field prefix, message); its text is kept for the page shown again.
    """
    entries: dict[str, BoardEntry] = {}
    shown: dict[str, str] = {}
    errors: dict[str, Any] = {}
    for mid in measure_ids:
        if f"st_{mid}" not in data:
            continue
        fingerprint = data.get(f"bh_{mid}", "")
        if FINGERPRINT.match(fingerprint):
            shown[mid] = fingerprint
        try:
            status = ProgressStatus(data[f"st_{mid}"])
        except ValueError:
            errors[mid] = ("st", INVALID_CHOICE)
            continue
        try:
            on = parse_date(data.get(f"on_{mid}", ""))
        except ValueError:
            errors[mid] = ("on", INVALID_DATE)
            continue
        entries[mid] = BoardEntry(status, on, data.get(f"no_{mid}", ""))
    return entries, shown, errors


def parse_date(text: str) -> date | None:
    """A date as a date field sends it (YYYY-MM-DD) or as typed in German (DD.MM.YYYY); empty: None."""
    text = text.strip()
    if not text:
        return None
    if len(text) > 10:
        raise ValueError(text)
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return date.fromisoformat(text)
    match = re.fullmatch(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})", text)
    if match is None:
        raise ValueError(text)
    day, month, year = (int(part) for part in match.groups())
    return date(year, month, day)
