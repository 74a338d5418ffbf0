"""The authorisation matrix (issue 13, item 2): every route × every kind of visitor, from a
table. A route missing from the table fails the test, so a new route must say who may use it.

"Allowed" means the route did its work or refused the input (2xx, 3xx other than to the
sign-in page, 400, 422); "refused" is one of: 404 (assessment routes: nothing is revealed),
a redirect to the sign-in page (staff routes, not signed in), 403 (signed in, wrong role), 401 (the
statistics API: without its bearer token nobody gets in, whatever their session).
"""

from __future__ import annotations

import re

import pytest

from advisor.accounts.models import Role
from advisor.accounts.services import create_user
from advisor.advising import session
from advisor.advising.services import invite_code
from advisor.assessments.services import get_by_public_id
from advisor.db import db
from advisor.stats.services import take_snapshot
from advisor.web import active_catalogue, catalogues, today
from tests.accounts.test_accounts import GOOD
from tests.conftest import Client, finish_jobs

#: "municipality" holds the personal link of an assessment, "other_municipality" of another one;
#: "owning_advisor" was handed the municipality's assessment and runs a guided session on it, in
#: which "session_respondent" answers through a personal respondent link; "advisor" owns nothing.
VISITORS = ("anonymous", "municipality", "other_municipality", "session_respondent", "owning_advisor",
            "advisor", "analyst", "admin")  # fmt: skip
PUBLIC = dict.fromkeys(VISITORS, "allowed")
ASSESSMENT = {v: ("allowed" if v in ("municipality", "owning_advisor") else "404") for v in VISITORS}
LINK_ONLY = {v: ("allowed" if v == "municipality" else "404") for v in VISITORS}  # the municipality's own
OWNER_ONLY = {v: ("allowed" if v == "owning_advisor" else "404") for v in VISITORS}  # the advisor's own
SIGNED_IN = {"anonymous": "login", "municipality": "login", "other_municipality": "login",
             "session_respondent": "login",
             "owning_advisor": "allowed", "advisor": "allowed", "analyst": "allowed",
             "admin": "allowed"}  # fmt: skip
RESPONDENT_ONLY = {v: ("allowed" if v == "session_respondent" else "404") for v in VISITORS}
SECOND_FACTOR = {**SIGNED_IN, "analyst": "404"}
ADVISING = {**SIGNED_IN, "analyst": "403"}
ADMIN = {**SIGNED_IN, "owning_advisor": "403", "advisor": "403", "analyst": "403"}
ANALYST = {**SIGNED_IN, "owning_advisor": "403", "advisor": "403"}  # analysts and administrators
TOKEN = dict.fromkeys(VISITORS, "401")  # the statistics API: a bearer token, never a session

#: endpoint -> who may use it.
MATRIX = {
    "assessments.index": PUBLIC,
    "assessments.start": PUBLIC,
    "assessments.resume_link": PUBLIC,  # the link itself is the credential
    "assessments.resume_form": PUBLIC,
    "assessments.import_file": PUBLIC,
    "web.set_language": PUBLIC,
    "legal.imprint": PUBLIC,
    "legal.privacy": PUBLIC,
    "health.healthz": PUBLIC,
    "health.readyz": PUBLIC,
    "static": PUBLIC,
    "reports.asset": PUBLIC,
    "accounts.login": PUBLIC,
    "accounts.login_code": PUBLIC,
    "accounts.forgot": PUBLIC,
    "accounts.logout": PUBLIC,
    "accounts.set_password": PUBLIC,  # the one-time link is the credential
    **{
        endpoint: ASSESSMENT
        for endpoint in (
            "assessments.board",
            "assessments.complete",
            "assessments.dismiss_notice",
            "assessments.export",
            "assessments.field",
            "assessments.follow_up",
            "assessments.priorities",
            "assessments.profile",
            "assessments.results",
            "assessments.summary",
            "assessments.upgrade",
            "reports.download",
            "reports.preview",
            "reports.status",
            "reports.status_json",
        )
    },
    **{
        endpoint: LINK_ONLY
        for endpoint in (
            "assessments.delete",
            "assessments.link",
            "assessments.link_download",
            "assessments.regenerate_link",
            "advising.hand_over",
            "advising.take_back",
            "stats.consent",  # the municipality's own decision
        )
    },
    **{
        endpoint: OWNER_ONLY
        for endpoint in (
            "advisor_measures.page",
            "advisor_measures.save_own",
            "advisor_measures.save_catalogue",
            "advisor_measures.delete",
        )
    },
    **{
        endpoint: OWNER_ONLY
        for endpoint in (
            "session.overview",
            "session.invite",
            "session.new_link",
            "session.remove_respondent",
            "session.save_notes",
            "session.version",
            "session.projector_start",
            "session.projector",
            "session.reveal",
            "session.agree",
            "session.reopen",
            "session.question_note",
        )
    },
    "session.respondent_link": PUBLIC,  # the link is the credential
    "session.respondent_home": RESPONDENT_ONLY,
    "session.respondent_field": RESPONDENT_ONLY,
    "session.respondent_done": RESPONDENT_ONLY,
    **{
        endpoint: ANALYST
        for endpoint in (
            "statistics.index",
            "statistics.download_json",
            "statistics.download_csv",
            "statistics.api_tokens",
            "statistics.revoke_token",
        )
    },
    "stats_api.snapshots": TOKEN,
    "stats_api.latest_snapshot": TOKEN,
    "stats_api.snapshot": TOKEN,
    "stats_api.unknown": dict.fromkeys(VISITORS, "404"),  # any other path under /api/v1
    "advising.dashboard": ADVISING,
    "advising.renew_code": ADVISING,
    "advising.new_assessment": ADVISING,
    "accounts.account": SIGNED_IN,
    "accounts.details": SIGNED_IN,
    "accounts.second_factor": SECOND_FACTOR,
    **{
        endpoint: ADMIN
        for endpoint in (
            "accounts.users",
            "accounts.change_role",
            "accounts.toggle_active",
            "accounts.reset_link",
            "accounts.reset_second_factor",
            "accounts.delete_user",
        )
    },
}


def visitors(app, runner) -> tuple[dict[str, Client], dict]:
    clients = {name: Client(app) for name in VISITORS}
    aid, link = clients["municipality"].start()
    clients["municipality"].profile(aid)
    other_aid, _ = clients["other_municipality"].start()
    values = {"aid": aid, "resume": link.rsplit("/", 1)[1], "other_aid": other_aid}
    with app.app_context():
        for role in ("advisor", "analyst", "admin"):
            create_user(db.session, f"{role}@example.org", Role(role))
        owner, _token = create_user(db.session, "owning_advisor@example.org", Role.ADVISOR)
        code = invite_code(db.session, owner)
        created = [create_user(db.session, f"target{i}@example.org", Role.ADVISOR) for i in range(8)]
        targets = [user.id for user, _token in created]
        # The one-time link belongs to an account no admin route below deactivates or deletes
        # (they pick their target by the route's position, which moves as routes are added).
        values["account_link"] = create_user(db.session, "linked@example.org", Role.ADVISOR)[1]
        values["snapshot_id"] = take_snapshot(db.session, catalogues(), active_catalogue(), today()).id
        db.session.commit()
    for role in ("owning_advisor", "advisor", "analyst", "admin"):
        result = runner.invoke(args=["users", "reset", f"{role}@example.org"])
        path = re.search(r"(/account/link/\S+)", result.output).group(1)
        assert clients[role].post(path, {"password": GOOD, "confirm": GOOD}).status_code == 303
    assert clients["municipality"].post(f"/a/{aid}/handover", {"code": code}).status_code == 303
    with app.app_context():
        assessment = get_by_public_id(db.session, aid)
        respondent, values["respondent_link"] = session.invite(db.session, assessment, "Anna", "Hauptamt")
        values["rid"] = respondent.public_id
        db.session.commit()
    assert clients["session_respondent"].get(f"/s/{values['respondent_link']}").status_code == 303
    values["targets"] = targets
    return clients, values


def url_for_rule(rule, values: dict, index: int) -> str:
    arguments = {
        "aid": values["aid"],
        "field_id": "alpha",
        "token": {
            "assessments.resume_link": values["resume"],
            "session.respondent_link": values["respondent_link"],
        }.get(rule.endpoint, values["account_link"]),
        "rid": values["rid"],
        "qid": "a_level",
        "code": "de",
        "filename": "report.css" if rule.endpoint == "reports.asset" else "advisor.css",
        "user_id": values["targets"][index % len(values["targets"])],
        "snapshot_id": values["snapshot_id"],
        "rest": "elsewhere",
    }
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[a-z]+:)?{name}>", str(arguments[name]), path)
    return path


def outcome(response) -> str:
    if response.status_code == 404:
        return "404"
    if response.status_code == 403:
        return "403"
    if response.status_code == 401:
        return "401"
    if response.status_code in (301, 302, 303) and "/login" in response.location.split("?")[0]:
        # A staff page sends visitors who are not signed in to the sign-in page; the
        # second step of signing in sends back there as well, which is no refusal.
        return "login"
    if response.status_code < 400 or response.status_code in (400, 409, 422):
        return "allowed"  # let in; refused, if at all, for what was sent or the state it is in
    return f"unexpected {response.status_code}"


def test_every_route_is_in_the_matrix(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints == set(MATRIX), (endpoints - set(MATRIX), set(MATRIX) - endpoints)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_authorisation_matrix(app_factory, method):
    app = app_factory(RATELIMIT_ENABLED=False)  # six visitors from one address; limits: test_ratelimit
    clients, values = visitors(app, app.test_cli_runner())
    wrong = []
    # A personal link grants whoever opens it the assessment (or the respondent's pages): they
    # come last. A new respondent link or the respondent's removal shuts the respondent out,
    # taking the assessment back the owning advisor: after the rest too, in this order.
    last = (
        "assessments.follow_up",  # closes the round: later changes are refused (409) after access
        "session.respondent_link",
        "session.new_link",
        "session.remove_respondent",
        "advising.take_back",
        "assessments.resume_link",
        "assessments.resume_form",
    )
    rules = sorted(
        app.url_map.iter_rules(),
        key=lambda r: (last.index(r.endpoint) + 1 if r.endpoint in last else 0, r.endpoint),
    )
    for index, rule in enumerate(rules):
        if method not in rule.methods:
            continue
        path = url_for_rule(rule, values, index)
        for visitor, client in clients.items():
            expected = MATRIX[rule.endpoint][visitor]
            if rule.endpoint in ("accounts.login_code", "accounts.logout", "accounts.login"):
                continue  # public, and they change who is signed in: covered in tests/accounts
            body = {}
            if rule.endpoint == "assessments.resume_form":  # the link as it is now (it may be new)
                page = clients["municipality"].get(f"/a/{values['aid']}/link").get_data(as_text=True)
                body = {"link": re.search(r'id="resume-url"[^>]*>([^<]+)<', page).group(1)}
            response = client.get(path) if method == "GET" else client.post(path, body)
            got = outcome(response)
            if rule.endpoint == "health.readyz" and response.status_code == 503:
                got = "allowed"  # the test database has no migration history: "not ready" is its answer
            if response.status_code == 200 and hasattr(response, "close"):
                response.close()
            if got != expected:
                wrong.append((rule.endpoint, method, visitor, expected, got))
    finish_jobs(app)
    assert wrong == [], "\n".join(map(str, wrong))
    # The other municipality's assessment stays closed to the first one too.
    assert clients["municipality"].get(f"/a/{values['other_aid']}/summary").status_code == 404
