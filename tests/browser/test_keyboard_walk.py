"""Complete the whole questionnaire with the keyboard only, resume in a fresh browser, and check
every page with axe-core (WCAG 2.1 A/AA)."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '', value: e.value || '',
          id: e.id || '', text: (e.textContent || '').trim(), checked: !!e.checked}; }"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page, predicate, limit: int = 250) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = focused(page)
        if predicate(info):
            return info
    raise AssertionError(f"never reached the wanted element on {page.url}")


def focus_visible(page) -> bool:
    """The focused element shows an outline or a focus ring (WCAG 2.4.7)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
           return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
               || s.boxShadow !== 'none'; }"""
    )


def answer_page_with_keyboard(page, number: str = "10") -> int:
    """Answer every question on a wizard page using Tab, Space, arrow keys and typing; submit with Enter."""
    answered: set[str] = set()
    for _ in range(600):
        page.keyboard.press("Tab")
        info = focused(page)
        name = info["name"]
        if info["tag"] == "button" and info["value"] == "next":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return len(answered)
        if not name.startswith(("q_", "relevance_", "target_")) or name in answered:
            continue
        if info["type"] == "radio":
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")  # move to the second choice: arrow keys select in a group
            answered.add(name)
        elif info["type"] == "checkbox":
            page.keyboard.press("Space")
            answered.add(name)
        elif info["type"] == "text":
            page.keyboard.type(number)
            answered.add(name)
    raise AssertionError(f"no submit button reached on {page.url}")


def test_complete_with_keyboard_resume_elsewhere_and_axe_every_page(browser, context, page, live_server):
    page.goto(live_server + "/")
    assert_accessible(page)
    page.keyboard.press("Tab")
    skip = focused(page)
    assert skip["tag"] == "a" and skip["text"] == "Zum Inhalt springen"
    assert focus_visible(page)

    tab_until(page, lambda i: i["text"] == "Selbsteinschätzung beginnen")
    assert focus_visible(page)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/a/\w+/link\?new=1"))
    assert_accessible(page)
    resume_url = page.input_value("#resume-url")
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[A-Za-z0-9_-]{43}", resume_url)

    tab_until(page, lambda i: i["tag"] == "a" and "weiter" in i["text"])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/profile$"))
    assert_accessible(page)

    # Profile: type the name, choose options with Space and arrow keys, pick the state by typing.
    tab_until(page, lambda i: i["name"] == "municipality_name")
    page.keyboard.type("Tastaturhausen")
    tab_until(page, lambda i: i["name"] == "municipality_type")
    page.keyboard.press("Space")
    tab_until(page, lambda i: i["name"] == "state")
    page.keyboard.type("Hessen")
    for group in ("population_band", "staff_band"):
        tab_until(page, lambda i, g=group: i["name"] == g)
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
    tab_until(page, lambda i: i["tag"] == "button" and i["value"] == "next")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fields/citizen_service$"))

    fields = ["citizen_service", "internal_processes", "organisation", "energy", "mobility"]
    for index, field in enumerate(fields):
        assert page.url.endswith(f"/fields/{field}")
        assert_accessible(page)
        count = answer_page_with_keyboard(page)
        assert count >= 3, field
        following = fields[index + 1] if index + 1 < len(fields) else "priorities"
        page.wait_for_url(re.compile(rf"/{following}$"))
        assert "Ihre Antworten wurden gespeichert." in page.inner_text("main")

    assert_accessible(page)
    assert answer_page_with_keyboard(page) == 10
    page.wait_for_url(re.compile(r"/summary$"))
    assert_accessible(page)
    assert "Alles ist beantwortet." in page.inner_text("main")
    tab_until(page, lambda i: i["tag"] == "button" and "abschließen" in i["text"])
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/results$"))
    assert "abgeschlossen" in page.inner_text("main")
    assert "Ergebnis und Fahrplan" in page.inner_text("h1")
    assert_accessible(page)
    page.goto(page.url.replace("/results", "/report"))  # the report as a web page
    assert "Tastaturhausen" in page.inner_text("body")
    assert_accessible(page)
    page.goto(page.url.replace("/report", "/results"))
    page.goto(page.url.replace("/results", "/summary"))

    # A fresh browser context has no session: the personal link alone brings everything back.
    fresh = browser.new_context(bypass_csp=True, locale="de-DE")
    other = fresh.new_page()
    other.goto(resume_url)
    other.wait_for_url(re.compile(r"/summary$"))
    assert "Alles ist beantwortet." in other.inner_text("main")
    other.goto(other.url.replace("/summary", "/profile"))
    assert other.input_value("#municipality_name") == "Tastaturhausen"
    assert other.eval_on_selector("#state", "e => e.value") == "HE"
    other.goto(other.url.replace("/profile", "/fields/energy"))
    checked = other.eval_on_selector_all("input[type=radio]:checked", "els => els.length")
    assert checked >= 2
    fresh.close()


def test_other_pages_are_accessible(page, live_server):
    for path in ("/import", "/r/" + "x" * 43, "/does-not-exist"):
        page.goto(live_server + path)
        assert_accessible(page)
    page.goto(live_server + "/language/en?next=/")
    assert page.get_attribute("html", "lang") == "en"
    assert_accessible(page)


def test_validation_errors_are_announced_and_accessible(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    page.wait_for_url(re.compile(r"/link\?new=1"))
    page.goto(page.url.split("/link")[0] + "/fields/energy")
    page.fill("input[name=q_en_street_lighting]", "250")
    page.click("button[value=next]")
    summary = page.locator(".error-summary")
    assert summary.get_attribute("role") == "alert"
    assert "0 bis 100" in summary.inner_text()
    assert page.get_attribute("input[name=q_en_street_lighting]", "aria-invalid") == "true"
    assert_accessible(page)


def test_results_page_recalculates_priorities_instantly_with_javascript(page, live_server):
    page.goto(live_server + "/")
    page.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    page.wait_for_url(re.compile(r"/link\?new=1"))
    base = page.url.split("/link")[0]
    # Without type, Land and size there is no advice yet: the page says what is missing.
    page.goto(base + "/results")
    missing = page.inner_text("main")
    assert "Zuerst: Angaben zu Ihrer Kommune" in missing and "Bundesland" in missing
    assert_accessible(page)
    page.goto(base + "/profile")
    page.fill("#municipality_name", "Skripthausen")
    page.check("#municipality_type-stadt")
    page.select_option("#state", "NW")
    page.check("#population_band-100k-200k")
    page.check("#staff_band-1000\\+")
    with page.expect_navigation():
        page.click("button[value=next]")
    page.goto(base + "/fields/energy")
    page.check("#q_en_heat_planning-0")
    page.check("#q_en_pv_roofs-0")
    with page.expect_navigation():
        page.click("button[value=stay]")
    page.goto(base + "/results")
    assert_accessible(page)
    before = page.inner_text("#results-top")
    assert "Wie weit ist die kommunale Wärmeplanung" in before
    url = page.url
    page.select_option("#relevance_energy", "1")
    page.select_option("#target_energy", "0")
    page.wait_for_function("document.getElementById('recalc-status').textContent.includes('neu berechnet.')")
    assert page.url == url  # no page load
    after = page.inner_text("#results-top")
    # Aiming for level 0 in energy leaves no energy gap.
    gaps = after[after.index("Die wichtigsten Lücken") : after.index("Wissenslücken")]
    assert "Wie weit ist die kommunale Wärmeplanung" not in gaps
    assert_accessible(page)


def no_sideways_scrolling(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_a_member_municipality_in_rhineland_palatinate_on_a_phone(browser, live_server):
    """An Ortsgemeinde: profile with its Verbandsgemeinde, information questions, results, report;
    every page accessible and without sideways scrolling at 390 px."""
    phone = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto(live_server + "/")
    page.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    page.wait_for_url(re.compile(r"/link\?new=1"))
    # The whole link is visible (it wraps), and with JavaScript a button copies it.
    link = page.input_value("#resume-url")
    assert "/r/" in link and page.get_by_role("button", name="Link kopieren").is_visible()
    assert no_sideways_scrolling(page)
    base = page.url.split("/link")[0]
    page.goto(base + "/profile")
    page.fill("#municipality_name", "Ortsgemeinde Handyhausen")
    page.check("#municipality_type-ortsgemeinde")
    page.check("#association_kind-verbandsgemeinde")
    page.fill("#association_name", "Verbandsgemeinde Musterland")
    page.select_option("#state", "RP")
    page.check("#population_band-lt2k")
    page.check("#staff_band-lt20")
    assert_accessible(page)
    assert no_sideways_scrolling(page)
    with page.expect_navigation():
        page.click("button[value=next]")

    page.goto(base + "/fields/internal_processes")
    # Progress and the way to the sections are at the top, not after the long page.
    top = page.locator(".wizard-top")
    assert top.is_visible() and top.bounding_box()["y"] < 400 and "Fragen beantwortet" in top.inner_text()
    assert "betreffen Aufgaben, die Ihre Verbandsgemeinde für Ihre Gemeinde erledigt" in page.inner_text(
        "main"
    )
    assert "nur zur Information" in page.inner_text("aside")
    assert_accessible(page)
    assert no_sideways_scrolling(page)
    page.check("#q_ip_electronic_files-1")
    with page.expect_navigation():
        page.click("button[value=stay]")

    page.goto(base + "/fields/energy")
    heat = page.inner_text("#q-en_heat_planning")
    assert "Zur Information: Das erledigt Ihre Verbandsgemeinde." in heat  # AGWPG: the VG plans
    page.check("#q_en_energy_management-0")
    with page.expect_navigation():
        page.click("button[value=stay]")

    page.goto(base + "/results")
    main = page.inner_text("main")
    assert "Was Ihre Verbandsgemeinde für Sie erledigt" in main
    assert "Rechtsstand: 1. Dezember 2026" in main
    assert "Hauptamt" not in page.inner_text("#roadmap-phases")
    assert_accessible(page)
    assert no_sideways_scrolling(page)
    page.goto(base + "/report")
    assert "Verbandsgemeinde Musterland" in page.inner_text("body")
    assert_accessible(page)
    assert no_sideways_scrolling(page)
    for path in ("/summary", "/priorities", "/fields/organisation", "/link"):
        page.goto(base + path)
        assert no_sideways_scrolling(page), path
    phone.close()


def test_two_browsers_on_one_page_see_a_conflict_and_choose(browser, live_server):
    """Two people change the same answer: the second sees both and decides; nothing is lost."""
    first = browser.new_context(locale="de-DE", bypass_csp=True).new_page()
    first.goto(live_server + "/")
    first.get_by_role("button", name="Selbsteinschätzung beginnen").click()
    first.wait_for_url(re.compile(r"/link\?new=1"))
    link = first.input_value("#resume-url")
    base = first.url.split("/link")[0]
    second = browser.new_context(
        locale="de-DE", bypass_csp=True, viewport={"width": 390, "height": 844}
    ).new_page()
    second.goto(link)
    for page in (first, second):
        page.goto(base + "/fields/energy")
    first.check("#q_en_heat_planning-3")
    with first.expect_navigation():
        first.click("button[value=stay]")
    second.check("#q_en_heat_planning-1")
    second.check("#q_en_pv_roofs-2")
    with second.expect_navigation():
        second.click("button[value=stay]")
    assert "Inzwischen geändert" in second.inner_text("h1")
    choice = second.inner_text("main")
    assert (
        "Gespeicherte Antwort behalten: Stufe 3" in choice and "Meine Antwort übernehmen: Stufe 1" in choice
    )
    assert_accessible(second)
    assert no_sideways_scrolling(second)
    second.check("#keep-en_heat_planning-mine")
    with second.expect_navigation():
        second.get_by_role("button", name="Auswahl speichern").click()
    assert second.is_checked("#q_en_heat_planning-1") and second.is_checked("#q_en_pv_roofs-2")
    first.reload()
    assert first.is_checked("#q_en_heat_planning-1")
