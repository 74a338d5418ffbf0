"""Everything a report shows, as plain data.

Built from the catalogue, the assessment's stored values and the pure core's evaluation;
templates receive no ORM objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import format_date, format_decimal, ngettext
from flask_babel import gettext as _

from advisor.advising.report_data import GuidedQuestion, GuidedReport
from advisor.assessments import presentation
from advisor.assessments.models import PROFILE_KEYS
from advisor.assessments.results import Evaluation
from advisor.catalogue import Catalogue
from advisor.core import advised

from .render import environment


@dataclass(frozen=True)
class Card:
    """One measure of the roadmap, in words."""

    id: str
    number: int
    title: str
    summary: str
    first_steps: tuple[str, ...]
    responsible: str
    effort: str
    person_days: tuple[int, int]
    duration: tuple[int, int]
    start_month: int
    end_month: int
    phase: int
    quick_win: bool
    legal_duty: bool
    prerequisites: tuple[str, ...]
    reasons: tuple[str, ...]
    lifts: tuple[tuple[str, int], ...]
    effect: str
    funding: tuple[str, ...]
    sources: tuple[str, ...]
    #: A deadline the capacity cannot carry, or planning beyond it, in words ("" if none).
    capacity_note: str = ""
    #: Who does most of the work when a partner does ("" if the municipality does it itself).
    partner: str = ""
    #: What the advisor changed about the measure, in words, and why ("" if nothing).
    advisor_change: str = ""
    advisor_reason: str = ""
    #: Whether the effort class is the advisor's (its person-days are then unknown).
    effort_by_advisor: bool = False
    #: Where the measure stands on this round's board: "Started on …", "Done on …" ("" if open).
    progress: str = ""


@dataclass(frozen=True)
class AdvisorCard:
    """A measure of the advisor's own."""

    id: int
    title: str
    text: str
    effort: str
    responsible: str
    reason: str
    phase: int


@dataclass(frozen=True)
class FieldSection:
    """Where the municipality stands in one field."""

    id: str
    title: str
    score: int | None
    band: str | None
    band_meaning: str | None
    confidence: int | None
    projected: int | None
    strengths: tuple[tuple[str, str], ...]
    gaps: tuple[tuple[str, str], ...]
    knowledge_gaps: tuple[str, ...]
    notes: tuple[tuple[str, str], ...]
    answers: tuple[tuple[str, str, str], ...] = field(default=())
    #: Questions about what the joint administration runs, with what the municipality recorded.
    delegated: tuple[tuple[str, str], ...] = ()
    #: Whether the joint administration carries some of the field's tasks for the municipality.
    administered: bool = False


def build(
    catalogue: Catalogue,
    evaluation: Evaluation,
    municipality: dict[str, Any],
    locale: str,
    notes: dict[str, str],
    created: date,
    guided: GuidedReport | None = None,
    peers: Any = None,
    development: Any = None,
    board: dict[str, tuple[str, date | None]] | None = None,
) -> dict[str, Any]:
    """The report's data; ``municipality`` holds name and profile ids, ``notes`` answer notes.

    ``guided``: what an advisor added (the cover's advisor, the session, the advisor's measures).
    ``development``: the development since the earlier round (plain data from
    ``advisor.assessments.development``); ``board``: measure id -> (status, date) of this round.
    """
    result, plan, answers = evaluation.result, evaluation.plan, evaluation.answers
    titles = {f.id: f.title.get(locale) for f in catalogue.fields}
    measures = {m.id: m for m in catalogue.measures}
    last = plan.phases[-1].projected if plan.phases else {}
    variants = catalogue.variants({k: municipality.get(k) for k in PROFILE_KEYS})
    administration = presentation.administration_names(
        catalogue, municipality.get("association_kind"), locale
    )

    def label(q_id: str) -> str:
        return presentation.answer_label(catalogue.questions[q_id], answers.get(q_id), locale)

    fields = []
    for fs in result.fields:
        questions = [q for q in catalogue.field(fs.field_id).questions]
        ids = {q.id for q in questions}
        fields.append(
            FieldSection(
                id=fs.field_id,
                title=titles[fs.field_id],
                score=_int(fs.score),
                band=str(presentation.BAND_NAMES[fs.band]) if fs.band else None,
                band_meaning=str(presentation.BAND_MEANINGS[fs.band]) if fs.band else None,
                confidence=_int(fs.confidence * 100 if fs.confidence is not None else None),
                projected=_int(last.get(fs.field_id)),
                strengths=tuple(
                    (catalogue.questions[q].text.get(locale), label(q)) for q in result.strengths if q in ids
                ),
                gaps=tuple(
                    (catalogue.questions[g.question_id].text.get(locale), _gap_text(g))
                    for g in result.gaps
                    if g.question_id in ids
                ),
                knowledge_gaps=tuple(catalogue.questions[q].text.get(locale) for q in fs.unknown),
                delegated=tuple(
                    (catalogue.questions[q].text.get(locale), label(q)) for q in fs.delegated if q in answers
                ),
                administered=bool(fs.delegated),
                notes=tuple((q.text.get(locale), notes[q.id]) for q in questions if notes.get(q.id)),
                answers=tuple((q.text.get(locale), label(q.id), notes.get(q.id, "")) for q in questions),
            )
        )

    overlay = advised.apply(plan, guided.entries if guided is not None else ())
    cards = []
    shown_items = [shown for phase in overlay.phases for shown in phase.items]
    for number, shown in enumerate(shown_items, start=1):
        item = shown.item
        measure = measures[item.measure_id]
        text = presentation.measure_text(measure, item.variant, locale, administration, item.fallback)
        cards.append(
            Card(
                id=measure.id,
                number=number,
                title=text.title,
                summary=shown.text or text.summary,
                first_steps=text.first_steps,
                responsible=text.responsible,
                effort=str(presentation.EFFORT_NAMES[shown.effort]),
                person_days=item.size.person_days,
                duration=item.size.duration_months,
                start_month=shown.start_month,
                end_month=min(shown.end_month, 36),
                phase=shown.phase,
                quick_win=item.quick_win and shown.phase == 1,
                legal_duty=item.urgency.duty_id is not None,
                prerequisites=tuple(
                    presentation.measure_text(
                        measures[p], variants[p], locale, administration, plan.item(p).fallback
                    ).title
                    for p in measure.prerequisites
                    # not someone else's work, skipped for this profile, nor removed by the advisor
                    if plan.item(p) is not None and overlay.shown(p) is not None
                ),
                reasons=tuple(
                    presentation.reason_text(r, catalogue, dict(answers), locale) for r in item.reasons
                ),
                lifts=tuple(
                    (titles.get(lift.field_id, lift.field_id), round(lift.points)) for lift in item.lifts
                ),
                effect=measure.effect.get(locale),
                funding=tuple(h.text.get(locale) for h in measure.funding),
                sources=tuple(measure.sources),
                capacity_note=presentation.capacity_note(item),
                partner=presentation.partner_note(
                    item.size, administration[0], municipality.get("it_provider")
                ),
                advisor_change=_advisor_change(shown),
                advisor_reason=shown.reason if shown.adjusted else "",
                effort_by_advisor="effort" in shown.changed,
                progress=_progress((board or {}).get(measure.id)),
            )
        )
    own_cards = [
        AdvisorCard(
            id=entry.id,
            title=entry.title,
            text=entry.text,
            effort=str(presentation.EFFORT_NAMES[entry.effort]) if entry.effort in advised.EFFORTS else "–",
            responsible=entry.responsible,
            reason=entry.reason,
            phase=phase.number,
        )
        for phase in overlay.phases
        for entry in phase.own
    ]

    profile_labels = _profile_labels(catalogue, municipality, locale)
    return {
        "locale": locale,
        "municipality": municipality.get("municipality_name") or _("(municipality not named)"),
        "profile": profile_labels,
        "created": format_date(created, "long"),
        "catalogue": {
            "title": catalogue.title.get(locale),
            "id": catalogue.id,
            "version": catalogue.version,
            "hash": catalogue.hash,
        },
        "overall": _int(result.overall),
        "overall_band": str(presentation.BAND_NAMES[result.overall_band]) if result.overall_band else None,
        "messages": key_messages(catalogue, evaluation, titles, locale),
        "fields": fields,
        "radar_labels": [titles[f.field_id] for f in result.fields],
        "radar_now": [f.score for f in result.fields],
        "radar_after": [last.get(f.field_id) for f in result.fields],
        "phases": [
            {
                "number": p.number,
                "start": p.start_month,
                "end": p.end_month,
                "projected": [(titles[k], _int(v)) for k, v in p.projected.items()],
                "cards": [c for c in cards if c.phase == p.number],
                "advisor_cards": [c for c in own_cards if c.phase == p.number],
            }
            for p in plan.phases
        ],
        "cards": cards,
        "advisor_changed": overlay.changed,
        "removed": [
            (
                presentation.measure_text(
                    measures[r.item.measure_id], r.item.variant, locale, administration, r.item.fallback
                ).title,
                r.reason,
            )
            for r in overlay.removed
        ],
        "advisor": _advisor(guided),
        "session": _session(catalogue, guided, answers, titles, locale),
        "peers": _peers(peers, catalogue, municipality, locale),
        "development": development,
        "later": [
            (
                presentation.measure_text(measures[m], variants[m], locale, administration).title,
                presentation.later_reason(plan.later_reasons.get(m, "capacity")),
            )
            for m in plan.later[: presentation.LATER_SHOWN]
        ],
        "later_all": [
            presentation.measure_text(measures[m], variants[m], locale, administration).title
            for m in plan.later
        ],
        "clarify": [catalogue.questions[q].text.get(locale) for q in plan.clarify],
        "legal_as_of": format_date(catalogue.legal_as_of, "long") if catalogue.legal_as_of else None,
        "administration": administration[0],
        "duties": presentation.duty_statements(catalogue, municipality, evaluation.today, locale),
        "bands": [
            (str(presentation.BAND_NAMES[k]), str(presentation.BAND_MEANINGS[k]))
            for k in presentation.BAND_NAMES
        ],
    }


def key_messages(
    catalogue: Catalogue, evaluation: Evaluation, titles: dict[str, str], locale: str
) -> list[str]:
    """Three messages derived from the data: standing, most pressing gap, what the plan achieves."""
    result, plan = evaluation.result, evaluation.plan
    messages = []
    scored = [f for f in result.fields if f.score is not None]
    if scored and result.overall is not None:
        text = _(
            "Overall the municipality reaches %(score)s of 100 points (band “%(band)s”).",
            score=_int(result.overall),
            band=presentation.BAND_NAMES[result.overall_band],
        )
        rounded = {f.field_id: _int(f.score) for f in scored}
        top, bottom = max(rounded.values()), min(rounded.values())
        if top == bottom and len(scored) > 1:
            text += " " + _("All fields stand level at %(score)s points.", score=top)
        else:
            best = [titles[f] for f, v in rounded.items() if v == top]
            worst = [titles[f] for f, v in rounded.items() if v == bottom]
            text += " " + (
                _("It is furthest in %(fields)s (%(score)s).", fields=_names(best), score=top)
                if len(best) == 1
                else _("It is furthest, level, in %(fields)s (%(score)s).", fields=_names(best), score=top)
            )
            if len(scored) > 1:
                text += " " + (
                    _("It has most to do in %(fields)s (%(score)s).", fields=_names(worst), score=bottom)
                    if len(worst) == 1
                    else _(
                        "It has most to do, level, in %(fields)s (%(score)s).",
                        fields=_names(worst),
                        score=bottom,
                    )
                )
        messages.append(text)
    if result.gaps:
        gap = result.gaps[0]
        question = catalogue.questions[gap.question_id].text.get(locale)
        if gap.urgency.overdue:
            messages.append(
                _(
                    "Most pressing: “%(question)s” – a legal deadline passed on %(date)s.",
                    question=question,
                    date=format_date(gap.urgency.due, "long"),
                )
            )
        elif gap.urgency.due:
            messages.append(
                _(
                    "Most pressing: “%(question)s” – a legal deadline ends on %(date)s.",
                    question=question,
                    date=format_date(gap.urgency.due, "long"),
                )
            )
        else:
            messages.append(
                _(
                    "The largest gap: “%(question)s” (now level %(now)s, aim %(aim)s).",
                    question=question,
                    now=_level(gap.current_level),
                    aim=gap.target_level,
                )
            )
    if plan.items:
        projected = [v for v in plan.phases[-1].projected.values() if v is not None]
        after = sum(projected) / len(projected) if projected else None
        text = _(
            "The roadmap plans %(first)s measures for the first six months and %(total)s in three years; the "
            "overall score would rise from %(now)s to about %(after)s.",
            first=len(plan.phases[0].measure_ids),
            total=len(plan.items),
            now=_int(result.overall),
            after=_int(after),
        )
        if result.knowledge_gaps:
            text += " " + _(
                "%(n)s questions were answered with “Don't know”: clarifying them is a first step.",
                n=len(result.knowledge_gaps),
            )
        messages.append(text)
    return messages


def _names(titles: list[str]) -> str:
    """“A”, “B” and “C”."""
    quoted = [_("“%(name)s”", name=t) for t in titles]
    if len(quoted) == 1:
        return quoted[0]
    return ", ".join(quoted[:-1]) + _(" and ") + quoted[-1]


def _level(value: float) -> str:
    """A level as the reader writes it: "0", "1,5" in German (one decimal at most)."""
    return format_decimal(round(value, 1), format="0.#")


def _gap_text(gap) -> str:
    text = _("now level %(now)s, aim %(aim)s", now=_level(gap.current_level), aim=gap.target_level)
    if gap.urgency.overdue:
        text += "; " + _("legal deadline passed (%(date)s)", date=format_date(gap.urgency.due, "long"))
    elif gap.urgency.due:
        text += "; " + _("legal deadline %(date)s", date=format_date(gap.urgency.due, "long"))
    elif gap.urgency.duty_id:
        text += "; " + _("legal duty without a deadline")
    return text


def _advisor_change(shown: advised.Shown) -> str:
    """What the advisor changed about a catalogue measure, in words ("" if nothing)."""
    parts = []
    if "phase" in shown.changed:
        parts.append(_("moved from phase %(old)s to phase %(new)s", old=shown.item.phase, new=shown.phase))
    if "effort" in shown.changed:
        parts.append(
            _(
                "effort %(effort)s instead of %(planned)s",
                effort=presentation.EFFORT_NAMES[shown.effort],
                planned=presentation.EFFORT_NAMES[shown.item.effort],
            )
        )
    if "text" in shown.changed:
        parts.append(_("own description"))
    return "; ".join(parts)


def _peers(comparison, catalogue: Catalogue, municipality: dict[str, Any], locale: str) -> dict | None:
    """The peer comparison (``advisor.stats.peers``) in the report's words; None without a snapshot."""
    from advisor.stats.presentation import report_section

    return report_section(comparison, catalogue, municipality, locale)


def _advisor(guided: GuidedReport | None) -> dict[str, str] | None:
    """The advisor for the cover, if the assessment has one."""
    if guided is None or not guided.advisor_name:
        return None
    return {"name": guided.advisor_name, "organisation": guided.advisor_organisation}


def _session(
    catalogue: Catalogue, guided: GuidedReport | None, answers, titles: dict[str, str], locale: str
) -> dict[str, Any] | None:
    """The guided session in words: participants, agreed answers, spreads, shared notes."""
    if guided is None or not (guided.participants or guided.questions or guided.notes):
        return None
    participants = [
        _("%(role)s (%(name)s)", role=role, name=name) if name and role else (role or name or "–")
        for role, name in guided.participants
    ]
    questions = []
    for q in guided.questions:
        question = catalogue.questions.get(q.question_id)
        if question is None:
            continue
        questions.append(
            {
                "question": question.text.get(locale),
                "field": titles.get(catalogue.field_of.get(q.question_id, ""), ""),
                "answer": presentation.answer_label(question, answers.get(q.question_id), locale)
                if q.method
                else "",
                "status": _agreement_text(q),
                "method": _("Median of the answers accepted.") if q.method == "median" else "",
                "rationale": q.rationale,
                "note": q.note,
                "divergent": q.divergent,
            }
        )
    return {
        "guided": guided.guided,
        "participants": participants,
        "questions": questions,
        "notes": guided.notes,
    }


def _agreement_text(q: GuidedQuestion) -> str:
    """The agreement as the report says it (Einschätzung abgestimmt am …, Spannweite 1–3), or the spread."""
    count = ngettext("%(num)s answer", "%(num)s answers", q.answered)
    ranged = q.low is not None and q.high is not None
    if q.method and q.agreed_at is not None:
        day = format_date(q.agreed_at, "long")
        if ranged:
            text = _(
                "Assessment agreed on %(date)s, range %(low)s–%(high)s",
                date=day,
                low=_level(q.low),
                high=_level(q.high),
            )
        else:
            text = _("Assessment agreed on %(date)s", date=day)
        return f"{text} ({count})" if q.answered else text
    if ranged:
        return _(
            "Not agreed yet: the answers range from %(low)s to %(high)s (%(count)s).",
            low=_level(q.low),
            high=_level(q.high),
            count=count,
        )
    if q.divergent:
        return _("Not agreed yet: the answers differ (%(count)s).", count=count)
    return ""


def _profile_labels(catalogue: Catalogue, municipality: dict[str, Any], locale: str) -> list[str]:
    out = []
    for key in PROFILE_KEYS:
        value = municipality.get(key)
        match = next((o for o in catalogue.profile.options(key) if o.id == value), None)
        if key == "association_kind":
            # Only for a type that is, or belongs to, a joint administration.
            if municipality.get("municipality_type") not in catalogue.association_types:
                continue
            if municipality.get("association_name"):
                out.append(municipality["association_name"])
                continue
        if match is not None:
            out.append(match.label.get(locale))
    return out


def _int(value: float | None) -> int | None:
    return None if value is None else int(round(value))


def _progress(entry: tuple[str, date | None] | None) -> str:
    """A measure's state on the board in words (issue 15): "Started on …", "Done on …"; "" if open."""
    if entry is None or entry[0] not in ("started", "done"):
        return ""
    status, day = entry
    if day is None:
        return _("Started") if status == "started" else _("Done")
    when = format_date(day, "long")
    return _("Started on %(date)s", date=when) if status == "started" else _("Done on %(date)s", date=when)


def report_html(
    catalogue: Catalogue,
    evaluation: Evaluation,
    municipality: dict[str, Any],
    notes: dict[str, str],
    locale: str,
    created: date,
    preview_base: str | None = None,
    back_url: str | None = None,
    guided: GuidedReport | None = None,
    peers: Any = None,
    development: Any = None,
    board: dict[str, tuple[str, date | None]] | None = None,
) -> tuple[str, dict[str, Any]]:
    """Build the report's data and render it in ``locale``; return (html, data)."""
    from flask_babel import force_locale

    with force_locale(locale):
        data = build(
            catalogue, evaluation, municipality, locale, notes, created, guided, peers, development, board
        )
        return render_html(data, preview_base, back_url), data


def render_html(context: dict[str, Any], preview_base: str | None = None, back_url: str | None = None) -> str:
    """The report as HTML: for WeasyPrint, or with ``preview_base`` for the browser preview.

    The preview links back to the results page (``back_url``).
    """
    env = environment({"radar_points": presentation.radar_points, "radar_axis": presentation.radar_axis})
    return env.get_template("report.html").render(preview_base=preview_base, back_url=back_url, **context)
