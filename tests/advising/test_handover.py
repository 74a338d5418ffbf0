"""A municipality hands its self-assessment to an advisor by invite code (its consent), the
advisor opens it from the dashboard, and the municipality takes it back (issue 13, item 3)."""

from __future__ import annotations

import re

import sqlalchemy as sa

from advisor.accounts.models import AccountEvent
from advisor.advising.services import normalise_code
from advisor.db import db
from tests.accounts.test_accounts import signed_in
from tests.conftest import Client


def code_of(advisor: Client) -> str:
    page = advisor.get("/advisor").get_data(as_text=True)
    return re.search(r'<p class="invite-code"><strong>([A-Z0-9-]+)</strong>', page).group(1)


def test_handover_opens_the_assessment_to_its_advisor_until_taken_back(app, runner):
    advisor = signed_in(app, runner, "berater@example.org", "advisor")
    other = signed_in(app, runner, "andere@example.org", "advisor")
    municipality = Client(app)
    aid, _ = municipality.start()
    municipality.profile(aid, municipality_name="Musterhausen")
    assert advisor.get(f"/a/{aid}/summary").status_code == 404  # not before the handover
    code = code_of(advisor)
    wrong = municipality.post(f"/a/{aid}/handover", {"code": "AAAA-AAAA"}, follow_redirects=True)
    assert "Keine Beraterin und kein Berater hat diesen Code" in wrong.get_data(as_text=True)
    typed = code.lower().replace("-", " ")  # as read out on the phone
    shared = municipality.post(f"/a/{aid}/handover", {"code": typed}, follow_redirects=True)
    assert "kann Ihre Selbsteinschätzung jetzt öffnen" in shared.get_data(as_text=True)
    assert "Ihre Selbsteinschätzung ist mit" in municipality.get(f"/a/{aid}/summary").get_data(as_text=True)
    dashboard = advisor.get("/advisor").get_data(as_text=True)
    assert "Musterhausen" in dashboard and f'href="/a/{aid}/summary"' in dashboard
    for path in ("summary", "results", "fields/alpha", "profile", "report"):
        assert advisor.get(f"/a/{aid}/{path}").status_code == 200, path
    saved = advisor.post(f"/a/{aid}/fields/alpha", {"q_a_level": "3", "nav": "stay"})
    assert saved.status_code == 303
    for path in ("link", "link.txt", "delete"):  # the municipality's own
        assert advisor.get(f"/a/{aid}/{path}").status_code == 404, path
    assert advisor.post(f"/a/{aid}/handback").status_code == 404
    summary = advisor.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "Ihren persönlichen Link anzeigen" not in summary and "Mit einer Beratung teilen" not in summary
    assert other.get(f"/a/{aid}/summary").status_code == 404
    municipality.post(f"/a/{aid}/handback")
    assert advisor.get(f"/a/{aid}/summary").status_code == 404
    assert "Musterhausen" not in advisor.get("/advisor").get_data(as_text=True)
    with app.app_context():
        kinds = db.session.scalars(sa.select(AccountEvent.kind)).all()
    assert "assessment_handed_over" in kinds and "assessment_taken_back" in kinds


def test_a_new_code_replaces_the_old_and_inactive_advisors_receive_nothing(app, runner):
    advisor = signed_in(app, runner, "berater@example.org", "advisor")
    admin = signed_in(app, runner, "admin@example.org", "admin")
    old = code_of(advisor)
    assert advisor.post("/advisor/code").status_code == 303
    new = code_of(advisor)
    assert new != old and re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", new)
    municipality = Client(app)
    aid, _ = municipality.start()
    municipality.post(f"/a/{aid}/handover", {"code": old})
    assert advisor.get(f"/a/{aid}/summary").status_code == 404
    with app.app_context():
        from advisor.accounts.models import User

        advisor_id = db.session.scalar(sa.select(User.id).where(User.email == "berater@example.org"))
    admin.post(f"/admin/users/{advisor_id}/active")
    municipality.post(f"/a/{aid}/handover", {"code": new})
    assert "Keine Beraterin" in municipality.get(f"/a/{aid}/summary").get_data(as_text=True)


def test_analysts_have_no_dashboard_and_codes_are_read_leniently(app, runner):
    analyst = signed_in(app, runner, "analyst@example.org", "analyst")
    assert analyst.get("/advisor").status_code == 403
    assert normalise_code(" k7qm 3xtr ") == "K7QM-3XTR"
    assert normalise_code("K7QM-3XT") == ""
    assert normalise_code("K0QM-3XTR") == ""  # 0 is not in the alphabet


def test_the_summary_says_who_changed_which_answer(app, runner):
    advisor = signed_in(app, runner, "berater@example.org", "advisor")
    with app.app_context():
        from advisor.accounts.models import User

        db.session.execute(sa.update(User).values(name="Eva Berater"))
        db.session.commit()
    municipality = Client(app)
    aid, _ = municipality.start()
    municipality.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "nav": "stay"})
    municipality.post(f"/a/{aid}/handover", {"code": code_of(advisor)})
    advisor.post(
        f"/a/{aid}/fields/alpha", {"q_a_level": "3", "n_a_level": "im Gespräch geklärt", "nav": "stay"}
    )
    page = municipality.get(f"/a/{aid}/summary").get_data(as_text=True)
    changes = page[page.index('id="changes"') :]
    latest, earlier = changes.split("<li>")[1:3]
    assert (
        "Eva Berater" in latest and "Stufe 1" in latest and "Stufe 3" in latest and "Notiz geändert" in latest
    )
    assert "mit dem persönlichen Link" in earlier and "nicht beantwortet" in earlier


def test_an_advisor_starts_an_assessment_and_the_municipality_gets_its_link(app, runner):
    advisor = signed_in(app, runner, "berater@example.org", "advisor")
    assert advisor.post("/advisor/assessments", {"municipality_name": ""}).status_code == 303  # refused
    created = advisor.post("/advisor/assessments", {"municipality_name": "Neuhausen"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200 and "Selbsteinschätzung für Neuhausen angelegt" in page
    link = re.search(r'id="resume-url"[^>]*>([^<]+)<', page).group(1)
    aid = re.search(r"/a/([0-9a-f]+)/profile", page).group(1)
    assert advisor.get(f"/a/{aid}/profile").status_code == 200
    advisor.profile(aid, municipality_name="Neuhausen")
    assert "Neuhausen" in advisor.get("/advisor").get_data(as_text=True)
    municipality = Client(app)
    assert municipality.get(link.replace("http://advisor.test", "")).status_code == 303
    summary = municipality.get(f"/a/{aid}/summary").get_data(as_text=True)
    assert "Ihre Selbsteinschätzung ist mit" in summary  # and it can take it back
    municipality.post(f"/a/{aid}/handback")
    assert advisor.get(f"/a/{aid}/summary").status_code == 404
