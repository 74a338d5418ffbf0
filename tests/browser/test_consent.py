"""A municipality consents to statistics at completion, sees its peer comparison once a snapshot
exists, and withdraws the consent on the results page; accessible, and fitting 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import LIVE, assert_accessible
from tests.browser.test_report_status import start_with_profile

pytestmark = pytest.mark.browser


def test_consent_peers_and_withdrawal(browser, live_server):
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = start_with_profile(page, live_server)
    page.goto(base + "/summary")
    page.get_by_label("Die Ergebnisse meiner Kommune dürfen anonymisiert").check()
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Selbsteinschätzung abschließen").click()
    page.wait_for_url(re.compile(r"/results$"))
    section = page.locator("#statistics")
    assert "Ihre Ergebnisse fließen in die Statistik ein" in section.inner_text()
    assert not page.locator("#peers").count()  # no snapshot yet
    result = LIVE["app"].test_cli_runner().invoke(args=["stats", "snapshot"])
    assert result.exit_code == 0, result.output
    page.reload()
    assert "Zu wenige Kommunen wie Ihre" in page.inner_text("#peers")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    with page.expect_navigation():
        section.get_by_role("button", name="Einwilligung widerrufen").click()
    assert "ab der nächsten Statistikrunde nicht mehr" in page.inner_text("main")
    assert page.get_by_label("Ja, die Ergebnisse meiner Kommune dürfen anonymisiert").is_visible()
    context.close()
