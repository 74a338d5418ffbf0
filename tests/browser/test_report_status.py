"""The report is made in the background: its progress page, with and without JavaScript."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def start_with_profile(page, live_server: str) -> str:
    page.goto(live_server + "/")
    page.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    page.wait_for_url(re.compile(r"/link\?new=1"))
    base = page.url.split("/link")[0]
    page.goto(base + "/profile")
    page.fill("#municipality_name", "Gemeinde Wartedorf")
    page.check("#municipality_type-gemeinde")
    page.select_option("#state", "HE")
    page.check("#population_band-2k-5k")
    with page.expect_navigation():
        page.click("button[value=next]")
    return base


def test_with_javascript_the_page_asks_quietly_and_offers_the_download(browser, live_server):
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    base = start_with_profile(page, live_server)
    page.goto(base + "/results")
    with page.expect_navigation():
        page.get_by_role("link", name="Bericht herunterladen (PDF)").click()
    assert re.search(r"/report/status\?lang=de$", page.url)
    loaded = page.evaluate("() => performance.getEntriesByType('navigation').length")
    button = page.get_by_role("link", name="Bericht herunterladen (PDF)")
    button.wait_for(timeout=90_000)  # the script inserts it when the report is ready
    assert "Ihr Bericht ist fertig." in page.inner_text("[role=status]")
    # The page was not reloaded: the status region changed in place.
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loaded
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page)
    with page.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "fahrplan-gemeinde-wartedorf.pdf"
    context.close()


def test_without_javascript_the_page_reloads_itself_until_the_report_is_ready(browser, live_server):
    context = browser.new_context(bypass_csp=True, locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    base = start_with_profile(page, live_server)
    page.goto(base + "/report/status?lang=en")
    assert page.locator("progress").count() == 1 or "fertig" in page.inner_text("main")
    page.wait_for_selector("#report-download", timeout=90_000)  # after one or more reloads
    assert "Ihr Bericht ist fertig." in page.inner_text("main")
    with page.expect_download() as download:
        page.click("#report-download")
    assert download.value.suggested_filename == "roadmap-gemeinde-wartedorf.pdf"
    context.close()
