"""Staff sign-in in a browser: setting the password from the one-time link, the account and
administration pages, all accessible and without sideways scrolling at 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LIVE, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "Kanal Fahrrad Wolke Zitrone"


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_an_administrator_sets_a_password_signs_in_and_invites(browser, live_server):
    runner = LIVE["app"].test_cli_runner()
    result = runner.invoke(args=["users", "create", "admin@example.org", "--role", "admin"])
    path = re.search(r"(/account/link/\S+)", result.output).group(1)
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + path)
    assert_accessible(page)
    page.get_by_label("Neues Passwort").fill("kurz")
    page.get_by_label("Dasselbe Passwort noch einmal").fill("kurz")
    with page.expect_navigation():
        page.get_by_role("button", name="Passwort setzen und anmelden").click()
    assert "mindestens 12 Zeichen" in page.inner_text("[role=alert]")
    assert_accessible(page)
    page.get_by_label("Neues Passwort").fill(PASSWORD)
    page.get_by_label("Dasselbe Passwort noch einmal").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Passwort setzen und anmelden").click()
    assert page.url.endswith("/account") and fits(page)
    assert_accessible(page)
    page.get_by_role("link", name="Zweiten Faktor einrichten").click()
    page.wait_for_url(re.compile(r"/account/second-factor$"))
    assert page.get_by_role("img", name="QR-Code zum Einrichten der Authenticator-App").is_visible()
    assert fits(page)
    assert_accessible(page)
    page.goto(live_server + "/account")
    page.get_by_role("link", name="Konten verwalten").click()
    page.wait_for_url(re.compile(r"/admin/users$"))
    page.get_by_label("E-Mail-Adresse").fill("beraterin@example.org")
    page.get_by_label("Rolle", exact=True).select_option("advisor")
    with page.expect_navigation():
        page.get_by_role("button", name="Konto anlegen").click()
    assert "/account/link/" in page.input_value("#account-link")
    assert fits(page)
    assert_accessible(page)
    page.get_by_role("link", name="Beratung", exact=True).click()
    page.wait_for_url(re.compile(r"/advisor$"))
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", page.inner_text(".invite-code"))
    assert fits(page)
    assert_accessible(page)
    page.get_by_label("Name der Kommune").fill("Ortsgemeinde Beispiel")
    with page.expect_navigation():
        page.get_by_role("button", name="Selbsteinschätzung anlegen").click()
    assert "/r/" in page.input_value("#resume-url") and fits(page)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Profil ausfüllen").click()
    assert page.url.endswith("/profile")
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Abmelden").click()
    page.locator("footer").get_by_role("link", name="Anmeldung für Beratende").click()
    page.wait_for_url(re.compile(r"/login$"))
    assert_accessible(page)
    page.get_by_label("E-Mail-Adresse").fill("admin@example.org")
    page.get_by_label("Passwort").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Anmelden").click()
    assert page.url.endswith("/account")
    context.close()
