"""The analyst's statistics dashboard in a browser: signed in, with a snapshot of seeded demo
data, accessible (axe-core) and without sideways scrolling at 390 px; the token page too."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from advisor.assessments.models import Assessment, Status
from advisor.db import db, utcnow
from tests.browser.conftest import LIVE, assert_accessible

pytestmark = pytest.mark.browser
PASSWORD = "Kanal Fahrrad Wolke Zitrone"


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def too_wide(page) -> list[str]:
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .filter(e => !e.closest('.table-scroll'))
            .map(e => e.tagName + '.' + e.className).slice(0, 10)"""
    )


def seeded_snapshot() -> None:
    """Demo municipalities, every completed one consenting, and a snapshot of them."""
    app = LIVE["app"]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed", "--municipalities", "200", "--seed", "3"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db.session.execute(
            sa.update(Assessment)
            .where(Assessment.status == Status.COMPLETED, Assessment.stats_consent_at.is_(None))
            .values(stats_consent_at=utcnow())
        )
        db.session.commit()
    result = runner.invoke(args=["stats", "snapshot"])
    assert result.exit_code == 0 and "withheld" in result.output, result.output


def test_an_analyst_reads_the_statistics(browser, live_server):
    seeded_snapshot()
    runner = LIVE["app"].test_cli_runner()
    result = runner.invoke(args=["users", "create", "analystin@example.org", "--role", "analyst"])
    path = re.search(r"(/account/link/\S+)", result.output).group(1)
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + path)
    page.get_by_label("Neues Passwort").fill(PASSWORD)
    page.get_by_label("Dasselbe Passwort noch einmal").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Passwort setzen und anmelden").click()
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name=re.compile("Statisti")).click()
    assert page.url.endswith("/statistics")
    charts = page.get_by_role("img")
    assert charts.count() == 5
    for index in range(5):
        assert charts.nth(index).is_visible()
    # Withheld cells are marked in the charts and tables, not left blank.
    assert page.locator(".stat-chart text").filter(has_text=re.compile(r"\S")).count() > 20
    assert page.locator("td .visually-hidden").count() > 0
    assert fits(page), too_wide(page)
    assert_accessible(page)
    # Another figure for the comparisons, without JavaScript needed: a plain GET form.
    page.locator("#field").select_option(index=1)
    with page.expect_navigation():
        page.locator("form.stats-choose button").click()
    assert "field=" in page.url and fits(page)
    assert_accessible(page)
    # The token page: a token shown once.
    page.goto(live_server + "/statistics/tokens")
    assert fits(page), too_wide(page)
    assert_accessible(page)
    page.locator("#name").fill("Verbandsportal")
    with page.expect_navigation():
        page.locator("form button.button").first.click()
    assert page.input_value("#new-token").startswith("advs_")
    assert fits(page), too_wide(page)
    assert_accessible(page)
    context.close()
