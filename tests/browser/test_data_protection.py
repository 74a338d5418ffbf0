"""Deleting an assessment, and the legal pages, as a user on a phone sees them."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_municipality_deletes_its_assessment_after_confirming(browser, live_server):
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    page.wait_for_url(re.compile(r"/link\?new=1"))
    link = page.input_value("#resume-url")
    base = page.url.split("/link")[0]
    page.goto(base + "/summary")
    with page.expect_navigation():
        page.get_by_role("link", name="Selbsteinschätzung löschen").first.click()
    assert page.url.endswith("/delete") and fits(page)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Endgültig löschen").click()  # without the tick
    assert "Bitte bestätigen Sie mit dem Häkchen" in page.inner_text("[role=alert]")
    assert_accessible(page)
    page.get_by_label("Ja, diese Selbsteinschätzung mit allem oben Genannten löschen.").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Endgültig löschen").click()
    assert page.url == live_server + "/"
    assert "Ihre Selbsteinschätzung wurde mit allen Antworten" in page.inner_text("main")
    page.goto(link)
    assert "Dieser Link funktioniert nicht" in page.inner_text("h1")
    context.close()


def test_the_legal_pages_are_reachable_from_every_page_and_accessible(browser, live_server):
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server + "/")
    for name, path in (("Datenschutz", "/datenschutz"), ("Impressum", "/impressum")):
        with page.expect_navigation():
            page.locator("footer").get_by_role("link", name=name).click()
        assert page.url.endswith(path) and page.inner_text("h1") == name
        assert fits(page)
        assert_accessible(page)
    context.close()
