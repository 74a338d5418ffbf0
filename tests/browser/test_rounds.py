"""A municipality tracks its measures, starts a follow-up, confirms last time's answers and sees
its development; without JavaScript, accessible (axe-core), and fitting 390 px."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible
from tests.browser.test_report_status import start_with_profile

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def check_accessible(browser, page) -> None:
    """axe-core needs script: check the same page, as this browser sees it, in a scripted twin."""
    twin = browser.new_context(
        bypass_csp=True,
        locale="de-DE",
        viewport={"width": 390, "height": 844},
        storage_state=page.context.storage_state(),
    )
    other = twin.new_page()
    other.goto(page.url)
    assert_accessible(other)
    twin.close()


def test_board_follow_up_and_development_without_javascript(browser, live_server):
    context = browser.new_context(
        bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844}, java_script_enabled=False
    )
    page = context.new_page()
    base = start_with_profile(page, live_server)
    # First round: answer the first field page's first question, then complete.
    assert "/fields/" in page.url
    first_field = page.url
    page.locator("fieldset.question").first.locator("input[type=radio][value='1']").check()
    with page.expect_navigation():
        page.click("button[value=stay]")
    page.goto(base + "/summary")
    with page.expect_navigation():
        page.get_by_role("button", name="Selbsteinschätzung abschließen").click()
    page.wait_for_url(re.compile(r"/results$"))

    # The board: a plain form.
    board = page.locator("#board")
    item = board.locator("fieldset.board-item").first
    item.get_by_label("Stand").select_option("done")
    item.get_by_label("Seit (Datum)").fill("2026-11-02")
    item.get_by_label("Anmerkung").fill("Beschluss des Gemeinderats")
    with page.expect_navigation():
        board.get_by_role("button", name="Stand der Maßnahmen speichern").click()
    assert "Umgesetzt: 1" in page.inner_text("#board")
    assert page.locator("#board fieldset.board-item").first.get_by_label("Anmerkung").input_value() == (
        "Beschluss des Gemeinderats"
    )
    assert fits(page)
    check_accessible(browser, page)

    # The follow-up: its own link, last time's answer beside the question.
    with page.expect_navigation():
        page.get_by_role("button", name="Folgebewertung beginnen").click()
    assert "/link?new=1" in page.url and "Link Ihrer Folgebewertung" in page.inner_text("main")
    follow = page.url.split("/link")[0]
    page.goto(first_field.replace(base, follow))
    box = page.locator(".last-time.open").first
    assert "Letztes Mal:" in box.inner_text()
    check_accessible(browser, page)
    assert fits(page)
    box.get_by_label("Stimmt noch: so übernehmen").check()
    with page.expect_navigation():
        page.click("button[value=stay]")
    assert not page.locator(".last-time.open").count()
    page.goto(follow + "/summary")
    with page.expect_navigation():
        page.get_by_role("button", name="Selbsteinschätzung abschließen").click()

    # Development since the first round, with the measure done and a chart with its table.
    section = page.locator("#development")
    text = section.inner_text()
    assert "Entwicklung seit" in text and "Beschluss des Gemeinderats" not in text
    assert section.locator("svg[role=img]").count() and section.locator("table").count()
    assert fits(page)
    check_accessible(browser, page)

    # The first round is closed and says so.
    page.goto(base + "/results")
    assert "Diese Runde ist abgeschlossen" in page.inner_text("#closed-round")
    assert not page.locator("#board form").count()
    context.close()
