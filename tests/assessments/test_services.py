"""Service-level behaviour that pages cannot show directly."""

from __future__ import annotations

from sqlalchemy.orm import Session

from advisor.assessments import services
from advisor.assessments.answers import AnswerInput
from advisor.assessments.models import AnswerState, Assessment
from advisor.db import db


def test_concurrent_saves_each_raise_the_revision(app):
    """Two requests that loaded the same assessment both count: no lost update of revision."""
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        assessment, _ = services.create_assessment(db.session, catalogue)
        db.session.commit()
        ident, start = assessment.id, assessment.revision

        first, second = Session(db.engine), Session(db.engine)
        one, two = first.get(Assessment, ident), second.get(Assessment, ident)
        assert len(one.answers) == len(two.answers) == 0  # both loaded before either saves
        answer = {"a_level": AnswerInput(AnswerState.ANSWERED, 1)}
        services.save_answers(first, catalogue, one, answer)
        first.commit()
        services.save_answers(second, catalogue, two, {"a_yes": AnswerInput(AnswerState.ANSWERED, True)})
        second.commit()
        first.close()
        second.close()

        db.session.expire_all()
        assert db.session.get(Assessment, ident).revision == start + 2


def test_saving_the_same_answers_again_changes_nothing(app):
    with app.app_context():
        catalogue = app.extensions["advisor.catalogues"]["mini"]
        assessment, _ = services.create_assessment(db.session, catalogue)
        answer = {"a_level": AnswerInput(AnswerState.ANSWERED, 3, "Notiz")}
        services.save_answers(db.session, catalogue, assessment, answer)
        db.session.commit()
        revision = assessment.revision
        services.save_answers(db.session, catalogue, assessment, answer)
        db.session.commit()
        assert assessment.revision == revision
