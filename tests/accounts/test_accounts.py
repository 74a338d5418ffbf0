"""Staff accounts (issue 13, item 1): one-time links, password rules, sign-in, sessions,
administration, rate limits and the record of what happened."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa

from advisor.accounts import passwords, services
from advisor.accounts.models import AccountEvent, AccountLink, Role, User
from advisor.db import db, utcnow
from tests.conftest import Client

GOOD = "Kanal Fahrrad Wolke Zitrone"
LINK = re.compile(r"http://[^/\s]+(/account/link/[A-Za-z0-9_-]+)")


def create(runner, email="berater@example.org", role="advisor") -> str:
    result = runner.invoke(args=["users", "create", email, "--role", role, "--name", "Eva Berater"])
    assert result.exit_code == 0, result.output
    assert "valid for 72 hours" in result.output
    return LINK.search(result.output).group(1)


def signed_in(app, runner, email="berater@example.org", role="advisor") -> Client:
    client = Client(app)
    path = create(runner, email, role)
    response = client.post(path, {"password": GOOD, "confirm": GOOD})
    assert response.status_code == 303, response.get_data(as_text=True)
    return client


def events(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AccountEvent.kind).order_by(AccountEvent.id)))


def test_an_invitation_link_sets_the_password_once_and_signs_in(app, runner):
    path = create(runner)
    client = Client(app)
    page = client.get(path).get_data(as_text=True)
    assert "Willkommen! Für berater@example.org wurde ein Konto angelegt" in page
    weak = client.post(path, {"password": "passwort1234", "confirm": "passwort1234"})
    assert weak.status_code == 422 and "zu leicht zu erraten" in weak.get_data(as_text=True)
    short = client.post(path, {"password": "kurz", "confirm": "kurz"})
    assert "mindestens 12 Zeichen" in short.get_data(as_text=True)
    mine = client.post(path, {"password": "berater@example.org", "confirm": "berater@example.org"})
    assert mine.status_code == 422  # the account's own address is guessable
    different = client.post(path, {"password": GOOD, "confirm": GOOD + "x"})
    assert "nicht gleich" in different.get_data(as_text=True)
    done = client.post(path, {"password": GOOD, "confirm": GOOD})
    assert done.status_code == 303 and done.location.endswith("/account")
    assert "berater@example.org" in client.get("/account").get_data(as_text=True)
    assert client.get(path).status_code == 404  # used up
    with app.app_context():
        stored = db.session.scalar(sa.select(User.password_hash))
        assert stored.startswith("$argon2id$") and GOOD not in stored


def test_links_expire_and_a_new_one_replaces_the_old(app, runner):
    first = create(runner)
    result = runner.invoke(args=["users", "reset", "berater@example.org"])
    second = LINK.search(result.output).group(1)
    client = Client(app)
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    with app.app_context():
        db.session.execute(sa.update(AccountLink).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    expired = client.get(second)
    assert expired.status_code == 404 and "funktioniert einmal und 72 Stunden" in expired.get_data(
        as_text=True
    )


def test_sign_in_and_out_with_a_record_of_failures(app, runner):
    signed_in(app, runner)
    client = Client(app)
    wrong = client.post("/login", {"email": "berater@example.org", "password": "falsch falsch falsch"})
    assert "nicht richtig" in wrong.get_data(as_text=True)
    unknown = client.post("/login", {"email": "niemand@example.org", "password": GOOD})
    assert "nicht richtig" in unknown.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # to the sign-in page
    ok = client.post("/login?next=/admin/users", {"email": " Berater@Example.org ", "password": GOOD})
    assert ok.status_code == 303 and ok.location.endswith("/admin/users")
    assert client.get("/account").status_code == 200
    assert client.get("/admin/users").status_code == 403  # an advisor is no administrator
    assert client.post("/logout").status_code == 303
    assert client.get("/account").status_code == 302
    kinds = events(app)
    assert kinds.count("login_failed") == 2 and "login" in kinds and "password_set" in kinds


def test_the_session_cookie_is_new_after_sign_in(app, runner):
    client = signed_in(app, runner)
    client.post("/logout")
    client.http.get("/language/en")
    before = client.http.get_cookie("advisor_session", domain="advisor.test").value
    client.post("/login", {"email": "berater@example.org", "password": GOOD})
    after = client.http.get_cookie("advisor_session", domain="advisor.test").value
    assert before != after
    assert "Your account" in client.get("/account").get_data(as_text=True)  # the language stays


def test_sign_out_everywhere_ends_the_other_sessions(app, runner):
    laptop = signed_in(app, runner)
    phone = Client(app)
    phone.post("/login", {"email": "berater@example.org", "password": GOOD})
    assert phone.get("/account").status_code == 200
    assert laptop.post("/account").status_code == 303
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302
    assert "logout_everywhere" in events(app)


def test_an_administrator_invites_changes_roles_and_deactivates(app, runner):
    admin = signed_in(app, runner, "admin@example.org", "admin")
    page = admin.post("/admin/users", {"email": "neu@example.org", "name": "Neu", "role": "analyst"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Konto für neu@example.org angelegt" in text
    path = LINK.search(text).group(1)
    newcomer = Client(app)
    assert newcomer.post(path, {"password": GOOD, "confirm": GOOD}).status_code == 303
    again = admin.post("/admin/users", {"email": "NEU@example.org", "role": "advisor"})
    assert again.status_code == 422 and "existiert bereits" in again.get_data(as_text=True)
    with app.app_context():
        newcomer_id = db.session.scalar(sa.select(User.id).where(User.email == "neu@example.org"))
        admin_id = db.session.scalar(sa.select(User.id).where(User.email == "admin@example.org"))
    assert admin.post(f"/admin/users/{newcomer_id}/role", {"role": "advisor"}).status_code == 303
    assert newcomer.get("/account").status_code == 302  # a new role: sign in again
    assert admin.post(f"/admin/users/{newcomer_id}/active").status_code == 303
    refused = newcomer.post("/login", {"email": "neu@example.org", "password": GOOD})
    assert "nicht richtig" in refused.get_data(as_text=True) and newcomer.get("/account").status_code == 302
    assert admin.post(f"/admin/users/{newcomer_id}/reset").status_code == 303  # refused while deactivated
    assert "erst wieder aktivieren" in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{newcomer_id}/active")
    reset = admin.post(f"/admin/users/{newcomer_id}/reset").get_data(as_text=True)
    assert "Neuer Passwort-Link für neu@example.org" in reset
    assert newcomer.post(LINK.search(reset).group(1), {"password": GOOD, "confirm": GOOD}).status_code == 303
    # The last administrator keeps the role and stays active.
    admin.post(f"/admin/users/{admin_id}/role", {"role": "advisor"})
    assert "letzte aktive Administrationskonto" in admin.get("/admin/users").get_data(as_text=True)
    assert admin.get("/admin/users").status_code == 200
    assert admin.post("/admin/users/99999/active").status_code == 404
    # Deleting takes two steps: deactivate, then delete.
    admin.post(f"/admin/users/{newcomer_id}/delete")
    assert "Nur ein deaktiviertes Konto" in admin.get("/admin/users").get_data(as_text=True)
    admin.post(f"/admin/users/{newcomer_id}/active")
    assert admin.post(f"/admin/users/{newcomer_id}/delete").status_code == 303
    with app.app_context():
        assert db.session.get(User, newcomer_id) is None
        links = sa.select(sa.func.count()).select_from(AccountLink).where(AccountLink.user_id == newcomer_id)
        assert db.session.scalar(links) == 0
        assert "deleted" in db.session.scalars(sa.select(AccountEvent.kind)).all()
    kinds = events(app)
    for kind in ("created", "role_changed", "deactivated", "activated", "link_reset", "login_failed"):
        assert kind in kinds, kind


def test_staff_pages_need_a_sign_in_and_the_right_role(app, runner):
    anonymous = Client(app)
    for path in ("/account", "/admin/users"):
        response = anonymous.get(path)
        assert response.status_code == 302 and "/login?next=" in response.location, path
    assert anonymous.post("/admin/users/1/active").status_code in (302, 400)
    analyst = signed_in(app, runner, "analyst@example.org", "analyst")
    assert analyst.get("/admin/users").status_code == 403


def test_sign_ins_are_rate_limited_per_address_and_per_account(app_factory, runner):
    app = app_factory(RATE_LIMIT_LOGIN="100 per minute", RATE_LIMIT_LOGIN_ACCOUNT="3 per hour")
    client = Client(app)
    for _ in range(3):
        assert client.post("/login", {"email": "ziel@example.org", "password": "x" * 12}).status_code == 200
    refused = client.post("/login", {"email": "ziel@example.org", "password": "x" * 12})
    assert refused.status_code == 429
    assert client.post("/login", {"email": "andere@example.org", "password": "x" * 12}).status_code == 200
    per_address = app_factory(RATE_LIMIT_LOGIN="2 per minute")
    other = Client(per_address)
    statuses = [
        other.post("/login", {"email": f"{i}@example.org", "password": "x"}).status_code for i in range(3)
    ]
    assert statuses[-1] == 429


def test_password_rules_and_hashes():
    assert passwords.problems(GOOD) == []
    assert passwords.problems("Rathaus2026!")  # a German word, a year, a symbol
    assert passwords.problems("qwertzuiop123")  # a keyboard row
    assert passwords.verify(passwords.hash_password(GOOD), GOOD)
    assert not passwords.verify(None, GOOD)
    assert not passwords.verify("not a hash", GOOD)


def test_account_links_stay_out_of_logs():
    from advisor.logredact import redact

    assert redact("GET /account/link/" + "a" * 43 + " HTTP/1.1") == "GET /account/link/[redacted] HTTP/1.1"
    assert redact("/r/" + "b" * 43) == "/r/[redacted]"


def test_cli_refuses_duplicates_and_unknown_accounts(app, runner):
    create(runner)
    again = runner.invoke(args=["users", "create", "BERATER@example.org", "--role", "admin"])
    assert again.exit_code != 0 and "exists already" in again.output
    missing = runner.invoke(args=["users", "reset", "wer@example.org"])
    assert missing.exit_code != 0 and "no active account" in missing.output


def test_services_keep_the_last_administrator(app):
    with app.app_context():
        admin, _ = services.create_user(db.session, "a@example.org", Role.ADMIN)
        try:
            services.set_active(db.session, admin, False, admin)
        except services.AccountError as exc:
            assert "letzte aktive" in str(exc) or "last active" in str(exc)
        else:
            raise AssertionError("the last administrator was deactivated")


# -- the second factor ------------------------------------------------------------------------


def enrol(client: Client) -> str:
    import pyotp

    page = client.get("/account/second-factor").get_data(as_text=True)
    assert '<svg role="img"' in page and "<title>QR-Code zum Einrichten" in page
    secret = re.search(r'<code class="secret">([A-Z2-7]+)</code>', page).group(1)
    wrong = client.post("/account/second-factor", {"code": "000000"})
    assert wrong.status_code == 422 and "Dieser Code stimmt nicht" in wrong.get_data(as_text=True)
    assert client.post("/account/second-factor", {"code": pyotp.TOTP(secret).now()}).status_code == 303
    assert "An: Bei der Anmeldung wird ein Code" in client.get("/account").get_data(as_text=True)
    return secret


def test_a_second_factor_is_asked_after_the_password_and_codes_work_once(app, runner):
    import time

    import pyotp

    client = signed_in(app, runner)
    secret = enrol(client)
    with app.app_context():
        stored = db.session.scalar(sa.select(User.totp_sealed))
        assert secret.encode() not in stored  # sealed with the application's key
    client.post("/logout")
    step_one = client.post("/login", {"email": "berater@example.org", "password": GOOD})
    assert step_one.status_code == 303 and step_one.location.endswith("/login/code")
    assert client.get("/account").status_code == 302  # not signed in before the code
    wrong = client.post("/login/code", {"code": "123456"})
    assert "stimmt nicht oder wurde schon benutzt" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).at(time.time() + 30)  # the next step: the current one was used
    assert client.post("/login/code", {"code": code}).status_code == 303
    assert client.get("/account").status_code == 200
    client.post("/logout")
    client.post("/login", {"email": "berater@example.org", "password": GOOD})
    replay = client.post("/login/code", {"code": code})
    assert "wurde schon benutzt" in replay.get_data(as_text=True)
    assert "second_factor_failed" in events(app) and "second_factor_on" in events(app)


def test_a_pending_code_step_expires_and_an_administrator_can_switch_the_factor_off(app, runner):
    admin = signed_in(app, runner, "admin@example.org", "admin")
    advisor = signed_in(app, runner)
    enrol(advisor)
    advisor.post("/logout")
    advisor.post("/login", {"email": "berater@example.org", "password": GOOD})
    with advisor.http.session_transaction() as state:
        state["second_factor"] = {**state["second_factor"], "until": 0}
    expired = advisor.get("/login/code")
    assert expired.status_code == 303 and expired.location.endswith("/login")
    with app.app_context():
        advisor_id = db.session.scalar(sa.select(User.id).where(User.email == "berater@example.org"))
    assert admin.post(f"/admin/users/{advisor_id}/second-factor").status_code == 303
    again = advisor.post("/login", {"email": "berater@example.org", "password": GOOD})
    assert again.location.endswith("/account")  # no code any more


def test_the_second_factor_is_offered_to_administrators_and_advisors(app, runner):
    analyst = signed_in(app, runner, "analyst@example.org", "analyst")
    assert analyst.get("/account/second-factor").status_code == 404
    assert "Zweiter Faktor" not in analyst.get("/account").get_data(as_text=True)


def test_a_second_factor_that_cannot_be_unsealed_fails_closed(app, runner):
    client = signed_in(app, runner)
    enrol(client)
    client.post("/logout")
    with app.app_context():
        db.session.execute(sa.update(User).values(totp_sealed=b"sealed with a key that is gone"))
        db.session.commit()
    step_one = client.post("/login", {"email": "berater@example.org", "password": GOOD})
    assert step_one.location.endswith("/login/code")
    client.post("/login/code", {"code": "123456"})
    assert client.get("/account").status_code == 302


# -- one-time links by e-mail ---------------------------------------------------------------


class FakeSMTP:
    """Stands in for smtplib.SMTP: keeps what would have been sent."""

    sent: list = []
    fail = False

    def __init__(self, host, port, timeout):
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        if FakeSMTP.fail:
            raise OSError("connection refused")
        FakeSMTP.sent.append(message)


def test_with_smtp_links_are_mailed_and_forgotten_passwords_reset(app_factory, runner, monkeypatch):
    from tests.conftest import finish_jobs

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    FakeSMTP.sent, FakeSMTP.fail = [], False
    app = app_factory(MAIL_SERVER="mail.example.org", MAIL_FROM="advisor@example.org")
    admin = signed_in(app, app.test_cli_runner(), "admin@example.org", "admin")
    invited = admin.post("/admin/users", {"email": "neu@example.org", "role": "advisor"})
    assert invited.status_code == 303
    finish_jobs(app)
    message = FakeSMTP.sent[-1]
    assert message["To"] == "neu@example.org" and "Ihr Konto" in message["Subject"]
    path = LINK.search(message.get_content()).group(1)
    assert "/account/link/" not in admin.get("/admin/users").get_data(as_text=True)  # not shown
    newcomer = Client(app)
    assert newcomer.post(path, {"password": GOOD, "confirm": GOOD}).status_code == 303
    # Forgotten: the same answer with or without an account; only an account gets mail.
    stranger = Client(app)
    for address in ("neu@example.org", "niemand@example.org"):
        answer = stranger.post("/login/forgot", {"email": address})
        assert answer.status_code == 303
        assert "Falls es für diese Adresse ein Konto gibt" in stranger.get("/login").get_data(as_text=True)
    finish_jobs(app)
    assert [m["To"] for m in FakeSMTP.sent] == ["neu@example.org", "neu@example.org"]
    reset = LINK.search(FakeSMTP.sent[-1].get_content()).group(1)
    assert Client(app).post(reset, {"password": GOOD + " Neu", "confirm": GOOD + " Neu"}).status_code == 303
    # A failed delivery leaves no working link, and the administrator sees why.
    FakeSMTP.fail = True
    stranger.post("/login/forgot", {"email": "neu@example.org"})
    finish_jobs(app)
    assert "mail_failed" in events(app)
    with app.app_context():
        open_links = sa.select(sa.func.count()).select_from(AccountLink).where(AccountLink.used_at.is_(None))
        assert db.session.scalar(open_links) == 0


def test_without_smtp_the_forgotten_password_page_points_to_the_administrator(client):
    page = client.get("/login/forgot").get_data(as_text=True)
    assert "Diese Installation verschickt keine E-Mails" in page


def test_the_administrator_reads_account_events_in_words(app, runner):
    admin = signed_in(app, runner, "admin@example.org", "admin")
    Client(app).post("/login", {"email": "admin@example.org", "password": "falsch falsch falsch"})
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "fehlgeschlagene Anmeldung" in page and "Passwort gesetzt" in page
    assert "login_failed" not in page
