"""Synthetic, clearly labelled demo data: self-assessments and guided sessions to show and test with.

``flask demo seed --municipalities N [--seed S] [--replace]``. Every demo assessment is
recognisable in two ways at once: its municipality name starts with ``Demo-`` and ends with
``(synthetisch)``, and its IT provider is :data:`MARKER` ("Demo-Daten (synthetisch)"). Only
assessments with both are ever deleted by ``--replace`` (and :func:`is_demo` tells the rest
of the code, e.g. statistics, what to leave out).

How the profiles are spread, so that demo statistics look like Germany rather than a
uniform grid (approximate figures; the demo needs shape, not precision):

* Gemeinden: 10,789 at the end of 2021 (Statistisches Bundesamt, Gemeindeverzeichnis
  GV-ISys); about three quarters have fewer than 5,000 inhabitants, 1,825 have 1,000 to
  1,999, 648 have 20,000 or more and 77 have 100,000 or more (the last two figures as of
  31.12.2014, Destatis via KoWiSt). The split of the size classes below 5,000 and from
  5,000 to 20,000 is my estimate fitted to these totals. Gemeinden per Land: Destatis
  Gemeindeverzeichnis as tabulated in Wikipedia, "Municipalities of Germany" (as of
  January 2024); Baden-Württemberg (1,101) and Bayern (2,056) were checked there on
  2026-12-02, the other Länder were not re-checked - check before you rely on them.
* 294 Landkreise, and about 1,150 joint administrations (Ämter, Verbandsgemeinden,
  Samtgemeinden, Verwaltungsgemeinschaften/-verbände): the per-Land counts of the latter
  are estimates.
* Which Gemeinden run their own administration, are towns, or belong to a joint
  administration, by size: my estimate (most Gemeinden under 2,000 inhabitants belong to
  an Amt, a Verbandsgemeinde, a Samtgemeinde or a Verwaltungsgemeinschaft). Land and size
  are drawn independently, though in reality Gemeinden in Rhineland-Palatinate and
  Schleswig-Holstein are far smaller than in North Rhine-Westphalia.

Answers follow a latent maturity that grows with the logarithm of the population, with
noise per municipality, field and question, and some "weiß nicht". In guided sessions each
respondent answers around the same latent level with a personal bias; the advisor accepts
the median or agrees an answer with a short rationale, and the agreed answer is the
assessment's answer (what scores), as in a real session.

Service-style: functions add and flush, the command commits.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from advisor.accounts.models import Role, User
from advisor.accounts.services import by_email, create_user
from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
from advisor.assessments.answers import AnswerInput, InvalidAnswer, is_answered, normalise
from advisor.assessments.models import (
    Answer,
    AnswerState,
    Assessment,
    Priority,
    Respondent,
    RespondentAnswer,
    Status,
)
from advisor.assessments.services import SCORED, create_assessment
from advisor.catalogue import Catalogue, Question
from advisor.core import consensus
from advisor.core.rules import Fact
from advisor.db import utcnow

#: The IT provider of every demo assessment: the marker code looks for.
MARKER = "Demo-Daten (synthetisch)"
NAME_PREFIX = "Demo-"
NAME_SUFFIX = "(synthetisch)"
ADVISOR_EMAIL = "demo-advisor@example.invalid"
ADVISOR_NAME = "Demo-Beraterin (synthetisch)"
ADVISOR_ORGANISATION = "Demo-Kompetenzzentrum (synthetisch)"
#: Roles of respondents in a guided session; the mayor is always there.
ROLES = ("Bürgermeister/in", "Hauptamt", "Kämmerei", "IT", "Klimaschutzmanagement", "Ordnungsamt")
#: Where a type has no such office (a Gemeinde whose Amt runs the administration): who comes instead.
STAND_INS = ("Gemeinderat", "Gemeinsame Verwaltung", "Beigeordnete/r")
#: The head of a district is not a mayor.
HEADS = {"landkreis": "Landrat/Landrätin"}
GUIDED_SHARE = 1 / 3
COMPLETED_SHARE = 0.45
#: Completed demo assessments whose municipality consents to statistics (a mix, so statistics
#: and their withheld cells can be shown; the share is an assumption, not a measurement).
CONSENT_SHARE = 0.7

# -- how municipalities are spread ---------------------------------------------------------

#: Gemeinden by size class (inhabitants from, to): see the module docstring.
SIZE_CLASSES = (
    (100, 999, 3850),
    (1000, 1999, 1825),
    (2000, 4999, 2415),
    (5000, 9999, 1150),
    (10000, 19999, 901),
    (20000, 49999, 460),
    (50000, 99999, 111),
    (100000, 499999, 63),
    (500000, 1_900_000, 14),
)
#: Gemeinden per Land (Destatis Gemeindeverzeichnis, rounded; the city states appear separately).
GEMEINDEN_PER_STATE = {
    "BW": 1101,
    "BY": 2056,
    "BB": 413,
    "HE": 421,
    "MV": 726,
    "NI": 941,
    "NW": 396,
    "RP": 2301,
    "SL": 52,
    "SN": 418,
    "ST": 218,
    "SH": 1104,
    "TH": 605,
}
CITY_STATES = {"BE": (3_700_000,), "HH": (1_850_000,), "HB": (570_000, 115_000)}
LANDKREISE_PER_STATE = {
    "BW": 35,
    "BY": 71,
    "BB": 14,
    "HE": 21,
    "MV": 6,
    "NI": 36,
    "NW": 31,
    "RP": 24,
    "SL": 6,
    "SN": 10,
    "ST": 11,
    "SH": 11,
    "TH": 17,
}
#: Joint administrations per Land (estimates).
JOINT_PER_STATE = {
    "BY": 310,
    "BW": 270,
    "RP": 129,
    "NI": 100,
    "SH": 84,
    "MV": 76,
    "SN": 70,
    "BB": 50,
    "TH": 40,
    "ST": 18,
}
#: What kind of body is assessed: Gemeinden (incl. towns and cities), joint administrations, districts.
UNIT_KINDS = (("gemeinde", sum(c for *_, c in SIZE_CLASSES)), ("joint", 1150), ("landkreis", 294))
LANDKREIS_SIZES = ((50000, 99999, 8), (100000, 199999, 47), (200000, 399999, 38), (400000, 1_000_000, 7))
JOINT_SIZES = ((4000, 9999, 25), (10000, 24999, 55), (25000, 49999, 18), (50000, 70000, 2))
#: Municipality type of a Gemeinde by its size (upper bound of inhabitants -> weights); estimates.
TYPE_BY_SIZE = (
    (1999, {"stadt": 2, "gemeinde": 18, "ortsgemeinde": 80}),
    (4999, {"stadt": 8, "gemeinde": 40, "ortsgemeinde": 52}),
    (9999, {"stadt": 30, "gemeinde": 55, "ortsgemeinde": 15}),
    (19999, {"stadt": 60, "gemeinde": 40}),
    (49999, {"stadt": 90, "gemeinde": 7, "kreisfreie_stadt": 3}),
    (99999, {"stadt": 75, "kreisfreie_stadt": 25}),
    (math.inf, {"stadt": 20, "kreisfreie_stadt": 80}),
)
#: Where a catalogue lacks a type, the nearest one it may have.
TYPE_FALLBACK = {
    "kreisfreie_stadt": ("stadt",),
    "ortsgemeinde": ("gemeinde",),
    "verwaltungsverband": ("amt", "gemeinde"),
}
NAME_OF_TYPE = {
    "gemeinde": "Gemeinde",
    "ortsgemeinde": "Ortsgemeinde",
    "stadt": "Stadt",
    "kreisfreie_stadt": "Stadt",
    "verwaltungsverband": "Verwaltung",
    "amt": "Amt",
    "landkreis": "Landkreis",
}

# -- what people write -------------------------------------------------------------------

NOTES = (
    "Demo-Notiz: Das läuft bisher vor allem über einzelne engagierte Beschäftigte.",
    "Demo-Notiz: Geplant für das nächste Haushaltsjahr.",
    "Demo-Notiz: Der IT-Dienstleister hat ein Angebot gemacht, entschieden ist noch nichts.",
    "Demo-Notiz: Gibt es in Teilen, aber nicht für alle Ämter.",
)
RATIONALES = (
    "Nach Diskussion: Es gibt das Angebot, es wird aber kaum genutzt.",
    "Die Kämmerei kennt die Zahlen; die anderen hatten ältere Informationen.",
    "Einigung auf die vorsichtigere Einschätzung, bis die Umstellung abgeschlossen ist.",
    "Die IT hat erläutert, was bereits umgesetzt ist; die Runde schließt sich an.",
    "Gilt für das Rathaus, noch nicht für die Außenstellen.",
)
ADVISOR_NOTES = (
    "Im Frühjahr mit dem IT-Dienstleister nachfassen.",
    "Gutes Beispiel für die Nachbarkommunen.",
    "Unterschiedliche Sicht von Verwaltung und Politik, im Bericht ansprechen.",
)
SESSION_NOTES = (
    "Demo-Sitzung: offene und konstruktive Runde; die größten Unterschiede lagen bei der "
    "internen Organisation.",
    "Demo-Sitzung: Die Runde wünscht sich eine Priorisierung für die nächsten zwei Jahre.",
)
OWN_MEASURES = (
    (
        "Digitalisierungsrunde mit den Ortsvorstehern",
        "Einmal im Quartal berichten Verwaltung und Ortsvorsteher, was umgesetzt ist und was ansteht.",
        "Hauptamt",
    ),
    (
        "Gemeinsame Fördermittelberatung im Landkreis",
        "Förderaufrufe gemeinsam mit den Nachbarkommunen prüfen und Anträge bündeln.",
        "Kämmerei",
    ),
    (
        "Schulungstag für alle Beschäftigten",
        "Ein halber Tag zu den neuen Online-Diensten, damit alle Auskunft geben können.",
        "Personalstelle",
    ),
)
REASONS = (
    "Passt zeitlich besser nach der Haushaltsaufstellung.",
    "Wird bereits vom IT-Dienstleister für alle Kommunen umgesetzt.",
    "Die Kommune hat dafür im Moment keine Kapazität; später erneut prüfen.",
)


@dataclass(frozen=True)
class Seeded:
    """What one run created (and removed)."""

    assessments: int
    completed: int
    guided: int
    respondents: int
    agreements: int
    measures: int
    removed: int = 0
    advisor_created: bool = False


def is_demo():
    """The SQL condition that picks demo assessments (both marks, so real data never matches)."""
    return and_(
        Assessment.it_provider == MARKER,
        Assessment.municipality_name.startswith(NAME_PREFIX, autoescape=True),
        Assessment.municipality_name.endswith(NAME_SUFFIX, autoescape=True),
    )


def remove_demo(session: Session) -> int:
    """Delete every demo assessment (with everything hanging on it); return how many."""
    ids = session.scalars(select(Assessment.id).where(is_demo())).all()
    if ids:
        # The database cascades to answers, respondents, agreements, measures and the rest.
        session.execute(delete(Assessment).where(Assessment.id.in_(ids)))
    session.flush()
    session.expire_all()
    return len(ids)


def demo_advisor(session: Session) -> tuple[User, bool]:
    """The demo advisor account (made without a password when missing); whether it was made now."""
    user = by_email(session, ADVISOR_EMAIL)
    if user is not None:
        return user, False
    user, _ = create_user(session, ADVISOR_EMAIL, Role.ADVISOR, ADVISOR_NAME, with_link=False)
    user.organisation = ADVISOR_ORGANISATION
    session.flush()
    return user, True


def seed(
    session: Session,
    catalogue: Catalogue,
    municipalities: int,
    seed: int | None = None,
    replace: bool = False,
) -> Seeded:
    """Create ``municipalities`` demo assessments; the same ``seed`` gives the same content."""
    rng = random.Random(seed)
    removed = remove_demo(session) if replace else 0
    advisor, made = demo_advisor(session)
    start = session.scalar(select(func.count()).select_from(Assessment).where(is_demo())) or 0
    now = utcnow()
    totals = {"completed": 0, "guided": 0, "respondents": 0, "agreements": 0, "measures": 0}
    for number in range(start + 1, start + municipalities + 1):
        builder = _Builder(session, catalogue, rng, now, advisor)
        counts = builder.build(number)
        for key, value in counts.items():
            totals[key] += value
    session.flush()
    return Seeded(municipalities, removed=removed, advisor_created=made, **totals)


class _Builder:
    """Makes one demo assessment."""

    def __init__(self, session: Session, catalogue: Catalogue, rng: random.Random, now, advisor: User):
        self.consent_rng = random.Random(str(rng.getstate()[1][:4]))  # without drawing from rng
        self.session, self.catalogue, self.rng, self.now, self.advisor = (
            session,
            catalogue,
            rng,
            now,
            advisor,
        )

    def build(self, number: int) -> dict[str, int]:
        rng, catalogue = self.rng, self.catalogue
        profile, population, kind = self.profile(number)
        guided = rng.random() < GUIDED_SHARE
        completed = rng.random() < COMPLETED_SHARE
        assessment, _token = create_assessment(self.session, catalogue, "de")
        for key, value in profile.items():
            setattr(assessment, key, value)
        created = self.now - timedelta(days=rng.randint(3, 300), minutes=rng.randint(0, 1439))
        changed = min(created + timedelta(days=rng.randint(0, 40), minutes=rng.randint(1, 600)), self.now)
        assessment.created_at, assessment.updated_at = created, changed
        # Larger administrations tend to be further along (log of the population), each its own way.
        latent = min(2.9, max(0.3, 0.6 + 0.5 * math.log10(population / 1000))) + rng.gauss(0, 0.45)
        fields = {f.id: latent + rng.gauss(0, 0.5) for f in catalogue.fields}
        asked = [
            q
            for f in catalogue.fields
            for q in f.questions
            if catalogue.responsibilities(assessment.profile())[q.id] in SCORED
        ]
        share = 1.0 if completed else rng.uniform(0.15, 0.95)
        answered = asked[: max(1, round(share * len(asked)))] if asked else []
        truth = {q.id: fields[catalogue.field_of[q.id]] + rng.gauss(0, 0.6) for q in answered}
        unknown_rate = 0.09 if population < 5000 else 0.05
        counts = {"completed": int(completed), "guided": int(guided), "respondents": 0}
        counts.update(agreements=0, measures=0)
        self.session.flush()
        if guided:
            assessment.owner_id, assessment.handed_over_at = self.advisor.id, created
            counts.update(self.guided(assessment, answered, truth, completed, unknown_rate, changed))
        else:
            for question in answered:
                answer = self.draw(question, truth[question.id], unknown_rate)
                if answer is not None:
                    assessment.answers.append(self.row(Answer, question, answer, changed))
        if completed:
            assessment.status, assessment.completed_at = Status.COMPLETED, changed
            # A generator of its own: the consent mix leaves the rest of the seeded data as before.
            if self.consent_rng.random() < CONSENT_SHARE:
                assessment.stats_consent_at = changed
            for field in catalogue.fields:
                current = max(0, min(4, round(fields[field.id])))
                assessment.priorities.append(
                    Priority(
                        field_id=field.id,
                        relevance=rng.randint(2, 5),
                        target_level=min(4, current + rng.choice((1, 1, 2))),
                    )
                )
        self.session.flush()
        return counts

    # -- profile ---------------------------------------------------------------------------

    def profile(self, number: int) -> tuple[dict[str, Any], int, str]:
        rng = self.rng
        kind = _pick(rng, dict(UNIT_KINDS))
        if kind == "landkreis":
            state = _pick(rng, LANDKREISE_PER_STATE)
            population, wanted = _population(rng, LANDKREIS_SIZES), "landkreis"
        elif kind == "joint":
            state = _pick(rng, JOINT_PER_STATE)
            population, wanted = _population(rng, JOINT_SIZES), "verwaltungsverband"
        else:
            share = sum(len(v) for v in CITY_STATES.values()) / sum(GEMEINDEN_PER_STATE.values())
            if rng.random() < share * 20:  # the city states: rare, but a demo should show one
                state = rng.choice(sorted(CITY_STATES))
                population, wanted = rng.choice(CITY_STATES[state]), "kreisfreie_stadt"
            else:
                state = _pick(rng, GEMEINDEN_PER_STATE)
                population = _population(rng, SIZE_CLASSES)
                weights = next(w for limit, w in TYPE_BY_SIZE if population <= limit)
                if not any(state in k.states for k in self.catalogue.profile.association_kinds):
                    weights = {t: w for t, w in weights.items() if t != "ortsgemeinde"}
                wanted = _pick(rng, weights)
        catalogue = self.catalogue
        municipality_type = self.type_id(wanted)
        states = {o.id for o in catalogue.profile.states}
        profile: dict[str, Any] = {
            "municipality_name": f"{NAME_PREFIX}{NAME_OF_TYPE.get(municipality_type, 'Kommune')} "
            f"{number} {NAME_SUFFIX}",
            "municipality_type": municipality_type,
            "state": state if state in states else rng.choice(sorted(states)),
            "population_band": _band(catalogue.profile.population_bands, population),
            "staff_band": _band(catalogue.profile.staff_bands, _staff(wanted, population)),
            "association_kind": None,
            "association_name": "",
            "it_provider": MARKER,
        }
        if municipality_type in catalogue.association_types:
            kinds = [k for k in catalogue.profile.association_kinds if not k.states or state in k.states]
            if kinds:
                profile["association_kind"] = rng.choice(kinds).id
                profile["association_name"] = f"{NAME_PREFIX}Verwaltung {number} {NAME_SUFFIX}"
        return profile, population, wanted

    def type_id(self, wanted: str) -> str:
        known = [o.id for o in self.catalogue.profile.municipality_types]
        for candidate in (wanted, *TYPE_FALLBACK.get(wanted, ())):
            if candidate in known:
                return candidate
        return known[0]

    # -- answers ---------------------------------------------------------------------------

    def draw(self, question: Question, latent: float, unknown_rate: float) -> AnswerInput | None:
        """A plausible answer for someone who sees the municipality at ``latent`` (0-4)."""
        rng = self.rng
        if question.allow_unknown and rng.random() < unknown_rate:
            return AnswerInput(AnswerState.UNKNOWN, None, "")
        if question.offers_not_responsible and rng.random() < 0.04:
            return AnswerInput(AnswerState.NOT_RESPONSIBLE, None, "")
        share = min(1.0, max(0.0, latent / 4))
        kind = question.type
        if kind == "level":
            value: Any = max(0, min(4, round(latent)))
        elif kind == "yes_no":
            value = rng.random() < 0.1 + 0.8 * share
        elif kind == "single":
            options = question.options or []
            scored = [
                (abs((o.score if o.score is not None else i / max(1, len(options) - 1)) - share), i)
                for i, o in enumerate(options)
            ]
            value = options[min(scored)[1]].id if options else None
        elif kind == "multiple":
            options = question.options or []
            chosen = [o.id for o in options if not o.exclusive and rng.random() < 0.1 + 0.7 * share]
            exclusive = [o.id for o in options if o.exclusive]
            value = chosen or (exclusive[:1] if exclusive else [o.id for o in options[:1]])
        else:
            value = _number(question, share)
        note = rng.choice(NOTES) if rng.random() < 0.05 else ""
        try:
            return normalise(question, AnswerInput(AnswerState.ANSWERED, value, note))
        except InvalidAnswer:
            return None

    @staticmethod
    def row(model, question: Question, answer: AnswerInput, when: datetime):
        return model(
            question_id=question.id, state=answer.state, value=answer.value, note=answer.note, updated_at=when
        )

    # -- a guided session ------------------------------------------------------------------

    def guided(
        self,
        assessment: Assessment,
        answered: list[Question],
        truth: dict[str, float],
        completed: bool,
        unknown_rate: float,
        when: datetime,
    ) -> dict[str, int]:
        rng, session = self.rng, self.session
        kind = self.catalogue.type_map.get(assessment.municipality_type)
        lacking = set(kind.lacks_roles) if kind is not None else set()
        offices = [r for r in ROLES[1:] if r not in lacking and not any(r in x for x in lacking)]
        offices += list(STAND_INS[: max(0, len(ROLES) - 1 - len(offices))])
        head = HEADS.get(assessment.municipality_type or "", ROLES[0])
        roles = [head, *rng.sample(offices, rng.randint(2, len(offices)))]
        people = []
        for index, role in enumerate(roles, start=1):
            submitted = completed or rng.random() < 0.5
            respondent = Respondent(
                label=f"{NAME_PREFIX}Person {index} {NAME_SUFFIX}",
                role=role,
                named_in_report=rng.random() < 0.3,
                submitted_at=when - timedelta(days=1, minutes=rng.randint(0, 600)) if submitted else None,
            )
            # A personal bias: some see the administration brighter than it is, some darker.
            bias = rng.gauss(0, 0.45)
            reach = len(answered) if submitted else rng.randint(len(answered) // 3, len(answered))
            for question in answered[:reach]:
                latent = truth[question.id] + bias + rng.gauss(0, 0.6)
                answer = self.draw(question, latent, unknown_rate + 0.04)
                if answer is not None:
                    respondent.answers.append(self.row(RespondentAnswer, question, answer, when))
            assessment.respondents.append(respondent)
            people.append(respondent)
        session.flush()

        given: dict[str, list[Fact]] = {}
        for respondent in people:
            for answer in respondent.answers:
                given.setdefault(answer.question_id, []).append(Fact(answer.state.value, answer.value))
        agreed_share = 1.0 if completed else rng.uniform(0.0, 0.8)
        to_agree = [q for q in answered if q.id in given]
        cut = round(agreed_share * len(to_agree))
        agreements = 0
        for position, question in enumerate(to_agree):
            spread = consensus.spread(question.type, given[question.id])
            moment = when - timedelta(minutes=5 * (len(to_agree) - position))
            row = Agreement(assessment_id=assessment.id, question_id=question.id, revealed_at=moment)
            if rng.random() < 0.12:
                row.note, row.note_shared = rng.choice(ADVISOR_NOTES), rng.random() < 0.5
            if position < cut:
                answer, method, rationale = self.agreed(question, spread, truth[question.id])
                if answer is None or not is_answered(answer.state, answer.value):
                    continue
                assessment.answers.append(self.row(Answer, question, answer, moment))
                row.method, row.rationale = method, rationale
                row.agreed_at, row.agreed_by_id = moment + timedelta(minutes=2), self.advisor.id
                if spread.kind == "level" and spread.low is not None:
                    row.spread_low, row.spread_high = int(spread.low), int(spread.high)
                row.respondents, row.divergent = spread.answered, spread.divergent
                agreements += 1
            elif position > cut + 2 and not row.note:
                continue  # not revealed yet
            session.add(row)
        session.add(
            GuidedSession(
                assessment_id=assessment.id,
                notes=rng.choice(SESSION_NOTES),
                notes_shared=rng.random() < 0.6,
                current_question_id=to_agree[min(cut, len(to_agree) - 1)].id if to_agree else None,
            )
        )
        measures = self.measures(assessment)
        session.flush()
        return {"respondents": len(people), "agreements": agreements, "measures": measures}

    def agreed(
        self, question: Question, spread: consensus.Spread, latent: float
    ) -> tuple[AnswerInput | None, str, str]:
        """What the group settles on: the median where it is uncontested, else an agreed answer."""
        rng = self.rng
        proposal = spread.proposal
        if proposal is not None and (not spread.divergent or rng.random() < 0.35):
            try:
                answer = normalise(question, AnswerInput(AnswerState(proposal.state), proposal.value, ""))
            except InvalidAnswer:
                answer = None
            # A "multiple" proposal can be the empty set (no option chosen by more than half):
            # that is no answer, so the group has to agree one.
            if answer is not None and is_answered(answer.state, answer.value):
                return answer, "median", ""
        answer = self.draw(question, latent, 0.0)
        if answer is not None:
            answer = AnswerInput(answer.state, answer.value, "")
        return answer, "agreed", rng.choice(RATIONALES)

    def measures(self, assessment: Assessment) -> int:
        rng, made = self.rng, 0
        catalogue_ids = [m.id for m in self.catalogue.measures]
        for title, text, responsible in rng.sample(OWN_MEASURES, rng.randint(1, 2)):
            self.session.add(
                AdvisorMeasure(
                    assessment_id=assessment.id,
                    action="add",
                    title=title,
                    text=text,
                    phase=rng.randint(1, 3),
                    effort=rng.choice(("S", "M", "L")),
                    responsible=responsible,
                    created_by_id=self.advisor.id,
                )
            )
            made += 1
        if catalogue_ids:
            for action in rng.sample(("adjust", "remove"), rng.randint(0, 2)):
                self.session.add(
                    AdvisorMeasure(
                        assessment_id=assessment.id,
                        action=action,
                        measure_id=rng.choice(catalogue_ids),
                        phase=rng.randint(1, 3) if action == "adjust" else None,
                        reason=rng.choice(REASONS),
                        created_by_id=self.advisor.id,
                    )
                )
                made += 1
        return made


def _pick(rng: random.Random, weights: dict[str, float]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _population(rng: random.Random, classes) -> int:
    low, high, _ = rng.choices(classes, weights=[c for *_, c in classes])[0]
    # Within a class, small places outnumber large ones: uniform in the logarithm.
    return round(math.exp(rng.uniform(math.log(low), math.log(high))))


def _band(options, value: int) -> str | None:
    for option in options:
        if (option.min is None or value >= option.min) and (option.max is None or value <= option.max):
            return option.id
    return options[-1].id if options else None


def _staff(kind: str, population: int) -> int:
    """Administrative staff, roughly: one post per so many inhabitants (an estimate)."""
    per = {"kreisfreie_stadt": 60, "landkreis": 180, "verwaltungsverband": 150, "ortsgemeinde": 2000}
    return round(population / per.get(kind, 120))


def _number(question: Question, share: float) -> float | int | None:
    """The value whose score is ``share`` on the question's scale (or between its bounds)."""
    points = sorted((p.value, p.score) for p in question.scale or [])
    value: float | None = None
    for (v0, s0), (v1, s1) in zip(points, points[1:], strict=False):
        if s0 <= share <= s1 and s1 > s0:
            value = v0 + (share - s0) / (s1 - s0) * (v1 - v0)
            break
    if value is None:
        low = question.min if question.min is not None else 0.0
        high = question.max if question.max is not None else max(low + 100, 100.0)
        value = low + share * (high - low)
    if question.min is not None:
        value = max(question.min, value)
    if question.max is not None:
        value = min(question.max, value)
    return int(round(value)) if question.integer else round(value, 1)
