"""Words for what the pure core computes: bands, answers, reasons, measure texts."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from advisor.catalogue import Catalogue, Question, Text
from advisor.catalogue.schema import Measure
from advisor.roadmap import Reason
from advisor.rules import Fact

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


def measure_text(measure: Measure, variant: int | None, locale: str) -> MeasureText:
    """Title, summary and first steps; a profile variant replaces what it defines."""
    chosen = measure.variants[variant] if variant is not None else None

    def pick(name: str) -> Text:
        own = getattr(chosen, name, None) if chosen is not None else None
        return own or getattr(measure, name)

    steps = (chosen.first_steps if chosen is not None and chosen.first_steps else None) or measure.first_steps
    return MeasureText(
        pick("title").get(locale), pick("summary").get(locale), tuple(s.get(locale) for s in steps)
    )


def reason_text(reason: Reason, catalogue: Catalogue, answers: dict[str, Fact], locale: str) -> str:
    """One sentence saying why a measure was recommended."""
    if reason.kind == "answers":
        parts = []
        for qid in reason.question_ids:
            question = catalogue.questions[qid]
            given = answer_label(question, answers.get(qid), locale)
            parts.append(f"„{question.text.get(locale)}“ – {given}")
        return _("Your answers: %(answers)s", answers="; ".join(parts))
    if reason.kind == "profile":
        return _("Recommended for municipalities of your type and size.")
    if reason.kind == "priority":
        field = catalogue.field(reason.field_id or "")
        return _("You gave “%(field)s” a high priority.", field=field.title.get(locale) if field else "")
    if reason.kind == "duty":
        duty = next((d for d in catalogue.duties if d.id == reason.duty_id), None)
        title = duty.title.get(locale) if duty else reason.duty_id
        when = format_date(reason.due, "long") if reason.due else ""
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
