"""Words for what the pure core computes: bands, answers, reasons, measure texts."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, pgettext
from flask_babel import gettext as _

from advisor.catalogue import Catalogue, Question, Text
from advisor.catalogue.schema import Duty, Measure
from advisor.core import rules, scoring
from advisor.core.roadmap import Item, Reason, Size
from advisor.core.roadmap import capacity as roadmap_capacity
from advisor.core.rules import Fact
from advisor.i18n import lazy_gettext as _l

from .labels import LEVEL_NAMES

BAND_NAMES = {
    "starting": _l("Starting out"),
    "foundations": _l("Foundations"),
    "developing": _l("Developing"),
    "advanced": _l("Advanced"),
    "leading": _l("Leading"),
}
BAND_MEANINGS = {
    "starting": _l(
        "Digital work happens in isolated places; responsibilities and an overview are still missing."
    ),
    "foundations": _l("First building blocks exist, but they are not yet connected or bindingly organised."),
    "developing": _l("Important procedures are digital; gaps and media breaks remain."),
    "advanced": _l("Most processes run digitally end to end and are steered."),
    "leading": _l("Digital services are established, measured and continuously improved."),
}
EFFORT_NAMES = {"S": _l("small"), "M": _l("medium"), "L": _l("large")}


def answer_label(question: Question, fact: Fact | None, locale: str) -> str:
    """The answer as the municipality gave it, in words."""
    if fact is None or (fact.state == "answered" and fact.value in (None, [])):
        return _("not answered")
    if fact.state == "unknown":
        return _("Don't know")
    if fact.state == "not_responsible":
        return _("Not responsible")
    value = fact.value
    if question.type == "level":
        return _("Level %(n)s: %(name)s", n=value, name=LEVEL_NAMES[value])
    if question.type == "yes_no":
        return _("Yes") if value else _("No")
    labels = {o.id: o.label.get(locale) for o in question.options or []}
    if question.type == "single":
        return labels.get(value, value)
    if question.type == "multiple":
        return "; ".join(labels.get(v, v) for v in value)
    unit = question.unit.get(locale) if question.unit else ""
    return f"{format_decimal(value)} {unit}".strip()


@dataclass(frozen=True)
class MeasureText:
    """A measure's texts, with the variant for this profile applied."""

    title: str
    summary: str
    first_steps: tuple[str, ...]
    responsible: str


#: Where measure texts name the municipality's joint administration: "Bitten Sie
#: {administration} …", "gemeinsam mit {administration_dative}".
ADMINISTRATION_PLACEHOLDER = "{administration}"
ADMINISTRATION_DATIVE_PLACEHOLDER = "{administration_dative}"


def option_label(options, value: str | None, locale: str) -> str:
    """The label of a profile option (a type, Land or size band) by its id; "" when unset."""
    return next((o.label.get(locale) for o in options if o.id == value), value or "")


def administration_phrase(catalogue: Catalogue, kind: str | None, locale: str, dative: bool = False) -> str:
    """How measures address the joint administration: "Ihre Verbandsgemeinde", "Ihr Amt" …."""
    option = next((k for k in catalogue.profile.association_kinds if k.id == kind), None)
    text = None if option is None else option.your_dative if dative else option.your
    return text.get(locale) if text is not None else _generic_administration(dative)


def _generic_administration(dative: bool) -> str:
    return pgettext("dative", "your joint administration") if dative else _("your joint administration")


def default_capacity(assessment: Any) -> int:
    """Person-days a year the staff band gives the roadmap, shown beside the capacity field."""
    per_month, _count = roadmap_capacity(assessment.profile())
    return round(per_month * 12)


def kind_states(catalogue: Catalogue, locale: str) -> dict[str, str]:
    """Kind of joint administration -> the Länder that have it, in words."""
    names = {s.id: s.label.get(locale) for s in catalogue.profile.states}
    return {k.id: ", ".join(names.get(s, s) for s in k.states) for k in catalogue.profile.association_kinds}


def split_choices(catalogue: Catalogue, notice: Mapping[str, Any] | None, locale: str) -> dict[str, str]:
    """Profile key -> the values an old one was split into, in words ("a or b")."""
    out = {}
    for key, values in ((notice or {}).get("choices") or {}).items():
        labels = {o.id: o.label.get(locale) for o in catalogue.profile.options(key)}
        out[key] = _(" or ").join(labels.get(v, v) for v in values)
    return out


def upgrade_note(catalogue: Catalogue, notice: Mapping[str, Any] | None, locale: str) -> str:
    """What changed with the catalogue version an assessment was moved onto ("" when nothing to say)."""
    if not notice or "from" not in notice or notice.get("dismissed"):
        return ""
    migration = next((m for m in catalogue.migrations if m.from_version == notice["from"]), None)
    if migration is not None and migration.note is not None:
        return migration.note.get(locale)
    return _(
        "The questionnaire was updated from version %(old)s to %(new)s.", old=notice["from"], new=notice["to"]
    )


def administration_names(catalogue: Catalogue, kind: str | None, locale: str) -> tuple[str, str]:
    """The joint administration's name in nominative/accusative and dative, for measure texts."""
    return (
        administration_phrase(catalogue, kind, locale),
        administration_phrase(catalogue, kind, locale, dative=True),
    )


def kept_answers(notice: Mapping[str, Any] | None, locale: str) -> list[tuple[str, str, str]]:
    """Answers an upgrade could not carry: (question as it was, answer as it was, note)."""
    out = []
    for entry in (notice or {}).get("kept") or []:
        text = (entry.get("text") or {}).get("en" if locale == "en" else "de") or entry["question_id"]
        if entry.get("respondent"):
            text = f"{text} ({entry['respondent']})"
        out.append((text, _kept_value(entry), entry.get("note") or ""))
    return out


def _kept_value(entry: Mapping[str, Any]) -> str:
    if entry.get("state") == "unknown":
        return _("Don't know")
    if entry.get("state") == "not_responsible":
        return _("Not responsible")
    value = entry.get("value")
    if value is None:
        return _("not answered")
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def measure_text(
    measure: Measure,
    variant: int | None,
    locale: str,
    administration: tuple[str, str] | None = None,
    fallback: bool = False,
) -> MeasureText:
    """Title, summary, first steps and who is responsible; a profile variant replaces what it defines.

    With ``fallback`` the measure's shared or lighter way replaces what it defines in turn.
    ``administration`` is how to name the joint administration (nominative/accusative,
    dative); see :func:`administration_phrase`.
    """
    ways = [w for w in (measure.fallback if fallback else None, _variant(measure, variant)) if w is not None]
    own, dative = administration or (_generic_administration(False), _generic_administration(True))

    def text(value: Text) -> str:
        return (
            value.get(locale)
            .replace(ADMINISTRATION_DATIVE_PLACEHOLDER, dative)
            .replace(ADMINISTRATION_PLACEHOLDER, own)
        )

    def pick(name: str) -> Any:
        return next((value for way in ways if (value := getattr(way, name))), getattr(measure, name))

    return MeasureText(
        text(pick("title")),
        text(pick("summary")),
        tuple(text(s) for s in pick("first_steps")),
        text(pick("responsible")),
    )


def _variant(measure: Measure, variant: int | None) -> Any:
    return measure.variants[variant] if variant is not None else None


def partner_note(size: Size, administration: str, it_provider: str | None) -> str:
    """Who does most of a measure's work, and that only the own share counts (empty: no partner)."""
    if size.partner is None or size.whole_person_days is None:
        return ""
    who = {
        "administration": administration,
        "it_provider": it_provider or _("your IT service provider"),
        "district": _("your district"),
    }[size.partner]
    return _(
        "Most of the work (about %(low)s–%(high)s person-days in all) is done by %(partner)s; only "
        "your share for coordination and decisions counts against your capacity.",
        low=size.whole_person_days[0],
        high=size.whole_person_days[1],
        partner=who,
    )


@dataclass(frozen=True)
class DutyStatement:
    """A legal duty as the results page and the report state it."""

    title: str
    basis: str
    deadline: str
    binds: str
    binds_you: bool
    description: str
    sources: tuple[str, ...]


def duty_statements(
    catalogue: Catalogue, profile: Mapping[str, str | None], today: date, locale: str
) -> list[DutyStatement]:
    """Every duty of the catalogue: its basis, its date (or that it has none), whom it binds."""
    types = {t.id: t.label.get(locale) for t in catalogue.profile.municipality_types}
    states = {s.id: s.label.get(locale) for s in catalogue.profile.states}
    out = []
    for duty in catalogue.duties:
        deadline = next((d for d in duty.deadlines if rules.all_hold(d.when, {}, {}, profile)), None)
        if deadline is not None:
            when = format_date(deadline.due, "long")
            text = (
                _("deadline passed (%(date)s)", date=when)
                if deadline.due < today
                else _("due %(date)s", date=when)
            )
        elif duty.no_deadline is not None:
            text = duty.no_deadline.get(locale)
        else:
            text = _("no deadline for your municipality")
        out.append(
            DutyStatement(
                title=duty.title.get(locale),
                basis=duty.basis.get(locale) if duty.basis else "",
                deadline=text,
                binds=_binds(catalogue, duty, types, states),
                binds_you=scoring.duty_binds(catalogue, duty, profile),
                description=duty.description.get(locale),
                sources=tuple(duty.sources),
            )
        )
    return out


def _binds(catalogue: Catalogue, duty: Duty, types: dict[str, str], states: dict[str, str]) -> str:
    if duty.task is not None and (task := catalogue.task_map.get(duty.task)) is not None:
        parts = []
        for rule in task.rules:
            names = ", ".join(types.get(t, t) for t in rule.responsible) or _("no municipal body")
            if rule.states:
                parts.append(
                    _(
                        "in %(states)s: %(types)s",
                        states=", ".join(states.get(s, s) for s in rule.states),
                        types=names,
                    )
                )
            elif len(task.rules) > 1:
                parts.append(_("elsewhere: %(types)s", types=names))
            else:
                parts.append(names)
        return "; ".join(parts)
    names = ", ".join(types.get(t, t) for t in duty.applies_to) or _("all types of municipality")
    if duty.states:
        return _(
            "in %(states)s: %(types)s", states=", ".join(states.get(s, s) for s in duty.states), types=names
        )
    return names


#: How many measures the "later" list shows; the report's appendix has all.
LATER_SHOWN = 10


def later_reason(reason: str) -> str:
    """One line why a measure did not fit into the three phases."""
    if reason == "prerequisite":
        return _("Its prerequisite did not fit into the three phases.")
    return _("Beyond the capacity of the three phases; it comes next when capacity frees up.")


def capacity_note(item: Item) -> str:
    """What a measure planned beyond the capacity, too late, or in its lighter way needs said."""
    if not item.fallback:
        return _capacity_note(item)
    when = format_date(item.urgency.due, "short") if item.urgency.due is not None else ""
    if item.own_way_too_late:
        lead = _(
            "Deadline %(date)s cannot be met in the measure's own way even with an immediate start, so "
            "the roadmap plans the shared or lighter way described here.",
            date=when,
        )
    else:
        lead = _(
            "Deadline %(date)s cannot be met in the measure's own way with the capacity set (about "
            "%(days)s person-days are missing), so the roadmap plans the shared or lighter way described "
            "here.",
            date=when,
            days=format_decimal(round(item.own_way_over)),
        )
    if item.too_late:
        return f"{lead} " + _(
            "Even this way the deadline cannot be met: agree a timetable with the supervising authority."
        )
    if item.over_capacity > 0:
        return f"{lead} " + _(
            "Even this way about %(days)s person-days are missing beyond the capacity set: plan more "
            "capacity for it.",
            days=format_decimal(round(item.over_capacity)),
        )
    return lead


def _capacity_note(item: Item) -> str:
    days = format_decimal(round(item.over_capacity))
    if item.urgency.due is not None:
        when = format_date(item.urgency.due, "short")
        if item.urgency.overdue and item.over_capacity > 0:
            return _(
                "The deadline (%(date)s) has passed, so this comes first even beyond the capacity set: "
                "about %(days)s person-days are missing. Consider a shared solution with neighbouring "
                "municipalities or the district, a lighter variant, or more capacity.",
                date=when,
                days=days,
            )
        if item.too_late:
            return _(
                "Deadline %(date)s cannot be met even with an immediate start. Agree a timetable with "
                "the supervising authority and look for a shared or lighter solution.",
                date=when,
            )
        if item.over_capacity > 0:
            return _(
                "Deadline %(date)s cannot be met with the capacity set: about %(days)s person-days are "
                "missing. Consider a shared solution with neighbouring municipalities or the district, "
                "a lighter variant, or more capacity.",
                date=when,
                days=days,
            )
        return ""
    if item.over_capacity > 0:
        return _(
            "Planned beyond the capacity set (about %(days)s person-days) because you rated this field "
            "as very relevant.",
            days=days,
        )
    return ""


def reason_text(reason: Reason, catalogue: Catalogue, answers: dict[str, Fact], locale: str) -> str:
    """One sentence saying why a measure was recommended."""
    if reason.kind == "answers":
        parts = []
        for qid in reason.question_ids:
            question = catalogue.questions[qid]
            given = answer_label(question, answers.get(qid), locale)
            parts.append(f"„{question.text.get(locale)}“ – {given}")
        return _("Your answers: %(answers)s.", answers="; ".join(parts))
    if reason.kind == "profile":
        return _("Recommended for municipalities of your type and size.")
    if reason.kind == "priority":
        field = catalogue.field(reason.field_id or "")
        return _("You gave “%(field)s” a high priority.", field=field.title.get(locale) if field else "")
    if reason.kind == "duty":
        duty = next((d for d in catalogue.duties if d.id == reason.duty_id), None)
        title = duty.title.get(locale) if duty else reason.duty_id
        if reason.due is None:
            return _("Legal duty “%(duty)s”: it applies now, without a deadline.", duty=title)
        when = format_date(reason.due, "long")
        if reason.overdue:
            return _("Legal duty “%(duty)s”: the deadline (%(date)s) has passed.", duty=title, date=when)
        return _("Legal duty “%(duty)s”: deadline %(date)s.", duty=title, date=when)
    dependent = next((m for m in catalogue.measures if m.id == reason.measure_id), None)
    name = dependent.title.get(locale) if dependent else reason.measure_id
    return _("Needed first for “%(measure)s”.", measure=name)


def radar_points(values: list[float | None], radius: float = 120.0, centre: float = 170.0) -> str:
    """SVG polygon points for scores 0-100 on equally spaced axes, starting at the top."""
    points = []
    count = len(values)
    for index, value in enumerate(values):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        length = radius * (value or 0.0) / 100
        points.append(f"{centre + length * math.cos(angle):.1f},{centre + length * math.sin(angle):.1f}")
    return " ".join(points)


def radar_axis(index: int, count: int, length: float = 120.0, centre: float = 170.0) -> tuple[float, float]:
    """The end point of one axis (for lines and labels)."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return round(centre + length * math.cos(angle), 1), round(centre + length * math.sin(angle), 1)


def last_time_labels(catalogue: Catalogue, last, locale: str) -> dict[str, dict[str, str]]:
    """Question id -> the earlier round's answer in words and its note (for "last time" boxes)."""
    if last is None:
        return {}
    return {
        qid: {
            "label": answer_label(catalogue.questions[qid], Fact(answer.state.value, answer.value), locale),
            "note": answer.note,
        }
        for qid, answer in last.answers.items()
        if qid in catalogue.questions
    }


def board_rows(
    catalogue: Catalogue,
    advice,
    assessment,
    locale: str,
    entered: Mapping[str, str] | None = None,
    errors: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """The measure board's rows: the roadmap's measures by phase, then those marked earlier.

    Those marked earlier are measures the roadmap no longer holds. Shown again after an
    error, a row keeps what was entered.
    """
    from .rounds import board, board_fingerprint

    stored = board(assessment)
    variants = catalogue.variants(assessment.profile())
    measures = {m.id: m for m in catalogue.measures}
    names = administration_names(catalogue, assessment.association_kind, locale)
    rows = []

    def row(measure_id: str, phase: int | None, title: str) -> dict[str, Any]:
        saved = stored.get(measure_id)
        values = {
            "status": saved.status.value if saved else "open",
            "on": saved.on_date.isoformat() if saved and saved.on_date else "",
            "note": saved.note if saved else "",
        }
        if entered is not None and f"st_{measure_id}" in entered:
            values = {
                "status": entered.get(f"st_{measure_id}", ""),
                "on": entered.get(f"on_{measure_id}", ""),
                "note": entered.get(f"no_{measure_id}", ""),
            }
        return {
            "id": measure_id,
            "phase": phase,
            "title": title,
            "fingerprint": board_fingerprint(saved),
            "saved_on": saved.on_date if saved else None,
            "saved_status": saved.status.value if saved else "open",
            "error": (errors or {}).get(measure_id, (None, None))[1],
            "error_field": (errors or {}).get(measure_id, (None, None))[0],
            **values,
        }

    planned = set()
    for phase in advice.phases:
        for shown in phase.items:
            item = shown.item
            text = measure_text(measures[item.measure_id], item.variant, locale, names, item.fallback)
            rows.append(row(item.measure_id, phase.number, text.title))
            planned.add(item.measure_id)
    for measure_id in stored:
        if measure_id not in planned and measure_id in measures:
            text = measure_text(measures[measure_id], variants.get(measure_id), locale, names)
            rows.append(row(measure_id, None, text.title))
    return rows
