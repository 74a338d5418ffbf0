"""``flask demo seed``: synthetic, labelled, deterministic demo data, and ``assessments list --json``."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from advisor import demo
from advisor.accounts.models import Role, User
from advisor.advising.models import AdvisorMeasure, Agreement, GuidedSession
from advisor.assessments.answers import is_answered
from advisor.assessments.models import Answer, AnswerState, Assessment, Respondent
from advisor.assessments.services import create_assessment
from advisor.catalogue import load_catalogue
from advisor.core import consensus
from advisor.core.rules import Fact
from advisor.db import db
from tests.conftest import PROJECT, count_rows

NAME = re.compile(r"^Demo-\S+ \d+ \(synthetisch\)$")
ALL_ROLES = {*demo.ROLES, *demo.STAND_INS, *demo.HEADS.values()}


def seed(runner, *args):
    result = runner.invoke(args=["demo", "seed", *args])
    assert result.exit_code == 0, result.output
    return result.output


def demo_assessments() -> list[Assessment]:
    return db.session.scalars(sa.select(Assessment).where(demo.is_demo()).order_by(Assessment.id)).all()


def content(app) -> list[dict]:
    """What the demo data says, without ids and timestamps."""
    with app.app_context():
        result = []
        for a in demo_assessments():
            agreements = db.session.scalars(sa.select(Agreement).where(Agreement.assessment_id == a.id))
            measures = db.session.scalars(
                sa.select(AdvisorMeasure)
                .where(AdvisorMeasure.assessment_id == a.id)
                .order_by(AdvisorMeasure.id)
            )
            result.append(
                {
                    "profile": {k: getattr(a, k) for k in ("municipality_name", *a.profile())},
                    "status": a.status.value,
                    "answers": sorted(
                        (x.question_id, x.state.value, repr(x.value), x.note) for x in a.answers
                    ),
                    "respondents": [
                        (
                            r.label,
                            r.role,
                            r.named_in_report,
                            sorted((x.question_id, repr(x.value)) for x in r.answers),
                        )
                        for r in a.respondents
                    ],
                    "agreements": sorted(
                        (g.question_id, g.method, g.rationale, g.spread_low, g.spread_high)
                        for g in agreements
                    ),
                    "measures": [(m.action, m.measure_id, m.title, m.phase) for m in measures],
                }
            )
        return result


def test_seed_creates_labelled_synthetic_assessments(app, runner):
    output = seed(runner, "--municipalities", "12", "--seed", "7")
    assert "created 12 demo assessments" in output
    assert "created the demo advisor demo-advisor@example.invalid" in output
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        found = demo_assessments()
        assert len(found) == count_rows(app, Assessment) == 12
        for assessment in found:
            assert NAME.match(assessment.municipality_name), assessment.municipality_name
            assert assessment.it_provider == demo.MARKER
            for key, value in assessment.profile().items():
                if value is not None:
                    assert value in {o.id for o in catalogue.profile.options(key)}, (key, value)
            assert assessment.municipality_type and assessment.state and assessment.population_band
            for answer in assessment.answers:
                assert answer.question_id in catalogue.questions
        advisor = db.session.scalar(sa.select(User).where(User.email == demo.ADVISOR_EMAIL))
        assert advisor.role is Role.ADVISOR and advisor.password_hash is None
        assert advisor.organisation == demo.ADVISOR_ORGANISATION


def test_guided_demo_sessions_have_respondents_and_agreed_answers(app, runner):
    seed(runner, "--municipalities", "18", "--seed", "11")
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        advisor = db.session.scalar(sa.select(User).where(User.email == demo.ADVISOR_EMAIL))
        found = demo_assessments()
        guided = [a for a in found if a.respondents]
        assert 2 <= len(guided) <= 14  # about a third of 18
        assert any(a.status.value == "completed" for a in found)
        assert any(a.status.value == "in_progress" for a in found)
        methods = Counter()
        for assessment in found:
            if not assessment.respondents:
                assert assessment.owner_id is None
                continue
            assert assessment.owner_id == advisor.id
            assert 3 <= len(assessment.respondents) <= 6
            roles = [r.role for r in assessment.respondents]
            assert set(roles) <= ALL_ROLES and len(set(roles)) == len(roles)
            assert all(r.token_hash is None for r in assessment.respondents)
            assert db.session.scalar(
                sa.select(GuidedSession.id).where(GuidedSession.assessment_id == assessment.id)
            )
            answers = assessment.answer_map()
            given = {}
            for respondent in assessment.respondents:
                for answer in respondent.answers:
                    given.setdefault(answer.question_id, []).append(Fact(answer.state.value, answer.value))
            agreed = db.session.scalars(
                sa.select(Agreement).where(
                    Agreement.assessment_id == assessment.id, Agreement.method.is_not(None)
                )
            ).all()
            if assessment.status.value == "completed":
                assert agreed
            for agreement in agreed:
                methods[agreement.method] += 1
                # The agreed answer is the assessment's answer: what scores.
                stored = answers[agreement.question_id]
                question = catalogue.questions[agreement.question_id]
                spread = consensus.spread(question.type, given[agreement.question_id])
                assert agreement.respondents == spread.answered
                assert agreement.divergent == spread.divergent
                assert agreement.revealed_at is not None and agreement.agreed_at is not None
                if agreement.method == "median":
                    assert Fact(stored.state.value, stored.value) == spread.proposal
                    assert agreement.rationale == ""
                else:
                    assert agreement.rationale
            assert set(answers) <= {a.question_id for a in agreed}
        assert methods["median"] and methods["agreed"]
        assert count_rows(app, AdvisorMeasure) >= len(guided)


def test_seed_is_deterministic_and_the_seed_matters(app, runner):
    seed(runner, "--municipalities", "9", "--seed", "5")
    first = content(app)
    output = seed(runner, "--municipalities", "9", "--seed", "5", "--replace")
    assert "removed 9 earlier demo assessments" in output
    assert content(app) == first
    seed(runner, "--municipalities", "9", "--seed", "6", "--replace")
    assert content(app) != first


def test_rerunning_adds_more_with_new_numbers(app, runner):
    seed(runner, "--municipalities", "3", "--seed", "1")
    output = seed(runner, "--municipalities", "2", "--seed", "1")
    assert "created the demo advisor" not in output
    with app.app_context():
        names = [a.municipality_name for a in demo_assessments()]
        assert [int(re.search(r"\d+", n).group()) for n in names] == [1, 2, 3, 4, 5]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1


def test_replace_deletes_demo_data_only(app, runner):
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        kept = []
        # Real assessments, one looking like demo data by name, one by IT provider only.
        for name, provider in (
            ("Ölbach", "KDZ"),
            ("Demo-Gemeinde 1 (synthetisch)", "KDZ"),
            ("Musterstadt", demo.MARKER),
        ):
            assessment, _ = create_assessment(db.session, catalogue, "de")
            assessment.municipality_name, assessment.it_provider = name, provider
            assessment.answers.append(Answer(question_id="a_level", state=AnswerState.ANSWERED, value=3))
            assessment.respondents.append(Respondent(label="Echte Person", role="Hauptamt"))
            db.session.flush()
            db.session.add(Agreement(assessment_id=assessment.id, question_id="a_level", method="agreed"))
            kept.append(assessment.public_id)
        db.session.commit()
    seed(runner, "--municipalities", "6", "--seed", "2")
    output = seed(runner, "--municipalities", "4", "--seed", "3", "--replace")
    assert "removed 6 earlier demo assessments" in output
    with app.app_context():
        assert len(demo_assessments()) == 4
        survivors = db.session.scalars(sa.select(Assessment).where(Assessment.public_id.in_(kept))).all()
        assert len(survivors) == 3
        for assessment in survivors:
            assert [a.value for a in assessment.answers] == [3]
            assert [r.label for r in assessment.respondents] == ["Echte Person"]
            assert db.session.scalar(sa.select(Agreement.id).where(Agreement.assessment_id == assessment.id))
        # Nothing of the removed demo data is left behind.
        demo_ids = {a.id for a in demo_assessments()} | {a.id for a in survivors}
        for model in (Agreement, AdvisorMeasure, GuidedSession, Respondent, Answer):
            owners = set(db.session.scalars(sa.select(model.assessment_id)))
            assert owners <= demo_ids, model
    assert count_rows(app, Assessment) == 7


def test_profiles_follow_the_shape_of_german_municipalities():
    """Most demo municipalities are small Gemeinden, as in Germany; districts and big cities are few."""
    catalogue = load_catalogue(PROJECT / "questionnaires" / "kommunal")
    builder = demo._Builder(None, catalogue, random.Random(4), datetime.now(UTC), None)
    profiles = [builder.profile(n)[0] for n in range(4000)]
    bands = Counter(p["population_band"] for p in profiles)
    types = Counter(p["municipality_type"] for p in profiles)
    states = Counter(p["state"] for p in profiles)
    share = {k: v / len(profiles) for k, v in bands.items()}
    assert share["lt2k"] + share["2k-5k"] > 0.55
    assert share.get("400k+", 0) < 0.02 and share["lt2k"] > share["10k-25k"] > share["50k-100k"]
    assert 0.01 < types["landkreis"] / len(profiles) < 0.05
    assert types["kreisfreie_stadt"] / len(profiles) < 0.04
    assert types["ortsgemeinde"] > types["stadt"] > types["kreisfreie_stadt"]
    assert states.most_common(2)[0][0] in {"RP", "BY"} and states["BE"] < states["SL"] < states["BY"]
    for p in profiles:
        if p["municipality_type"] in catalogue.association_types:
            kind = next(k for k in catalogue.profile.association_kinds if k.id == p["association_kind"])
            assert p["state"] in kind.states
        else:
            assert p["association_kind"] is None
        assert p["it_provider"] == demo.MARKER and NAME.match(p["municipality_name"])


def test_assessments_list_json_names_roles_and_answered_counts(app, runner):
    seed(runner, "--municipalities", "10", "--seed", "9")
    with app.app_context():
        assessment, _ = create_assessment(db.session, app.extensions["advisor.catalogues"]["mini"], "de")
        assessment.respondents.append(Respondent(label="Ohne Antworten", role="Kämmerei"))
        db.session.commit()
        expected = {
            a.id: [
                {
                    "role": r.role,
                    "answered": sum(is_answered(x.state, x.value) for x in r.answers),
                    "submitted": r.submitted_at is not None,
                }
                for r in a.respondents
            ]
            for a in db.session.scalars(sa.select(Assessment))
        }
        guided_ids = set(db.session.scalars(sa.select(GuidedSession.assessment_id)))
    result = runner.invoke(args=["assessments", "list", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert len(rows) == 11
    assert any(p["answered"] for row in rows for p in row["participants"])
    for row in rows:
        assert {"id", "municipality", "status", "owner", "respondents", "guided", "participants"} <= set(row)
        assert row["participants"] == expected[row["id"]]
        assert row["respondents"] == len(expected[row["id"]])
        assert row["guided"] == (bool(expected[row["id"]]) or row["id"] in guided_ids)
        assert row["owner"] in (None, demo.ADVISOR_EMAIL)
        assert "label" not in json.dumps(row["participants"])
    assert rows[-1]["participants"] == [{"role": "Kämmerei", "answered": 0, "submitted": False}]
    assert rows[-1]["guided"] is True and rows[-1]["owner"] is None

    owned = json.loads(
        runner.invoke(args=["assessments", "list", "--json", "--owner", demo.ADVISOR_EMAIL]).output
    )
    assert owned and all(row["owner"] == demo.ADVISOR_EMAIL and row["guided"] for row in owned)
    assert all(row["participants"] == expected[row["id"]] for row in owned)


def test_demo_guided_assessments_survive_the_exchange_file(app, runner):
    """A demo guided session exported, imported and exported again says the same."""
    from advisor.assessments import exchange
    from advisor.assessments.services import catalogue_of

    seed(runner, "--municipalities", "8", "--seed", "21")
    with app.app_context():
        catalogues = app.extensions["advisor.catalogues"]
        guided = [a for a in demo_assessments() if a.respondents]
        assert guided
        for assessment in guided:
            document = exchange.export_assessment(
                catalogue_of(db.session, catalogues, assessment), assessment
            )
            copy, _ = exchange.import_assessment(db.session, catalogues, json.dumps(document).encode())
            again = exchange.export_assessment(catalogue_of(db.session, catalogues, copy), copy)
            assert again.pop("exported_at") and document.pop("exported_at")
            assert again == document
            assert document["agreements"] and len(document["respondents"]) >= 3


@pytest.mark.parametrize("count", ["0", "x"])
def test_seed_refuses_a_bad_count(app, runner, count):
    result = runner.invoke(args=["demo", "seed", "--municipalities", count])
    assert result.exit_code != 0
    assert count_rows(app, Assessment) == 0


def test_a_mix_of_completed_demo_municipalities_consents_to_statistics(app, runner):
    seed(runner, "--municipalities", "60", "--seed", "11")
    with app.app_context():
        found = demo_assessments()
        consenting = [a for a in found if a.stats_consent_at is not None]
        completed = [a for a in found if a.status.value == "completed"]
    assert all(a.status.value == "completed" for a in consenting)  # never an unfinished one
    assert 0 < len(consenting) < len(completed)
    snapshot = runner.invoke(args=["stats", "snapshot"])
    assert snapshot.exit_code == 0 and f"{len(consenting)} assessments" in snapshot.output
