"""A guided session in browsers (issue 13): an advisor signs in, creates a guided assessment,
three respondents answer in their own browser contexts, the advisor reveals and agrees two
divergent questions on the projector view by keyboard, adds a recommendation, and the PDF
carries the spread and the recommendation. axe-core checks every new page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.conftest import LIVE, assert_accessible
from tests.reports.test_report import texts

pytestmark = pytest.mark.browser
PASSWORD = "Kanal Fahrrad Wolke Zitrone"
#: The first two questions of the first field, and what each respondent answers to them.
ANSWERS = {"Anna": ("1", "0"), "Ben": ("3", "0"), "Cem": ("2", "3")}


def fits(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def fits_narrow(page) -> bool:
    """Whether the page fits a 390 px wide phone (the viewport is put back afterwards)."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        return fits(page)
    finally:
        page.set_viewport_size(size)


def too_wide(page) -> list[str]:
    """The elements that stick out to the right (for the message when ``fits`` fails)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map(e => `${e.tagName}.${e.className} ${(e.textContent || '').trim().slice(0, 30)}`)"""
    )


def sign_in_advisor(browser, live_server, email="sitzung@example.org", javascript=True):
    runner = LIVE["app"].test_cli_runner()
    result = runner.invoke(args=["users", "create", email, "--role", "advisor", "--name", "Dana Berger"])
    path = re.search(r"(/account/link/\S+)", result.output).group(1)
    context = browser.new_context(bypass_csp=True, locale="de-DE", java_script_enabled=javascript)
    page = context.new_page()
    page.goto(live_server + path)
    page.get_by_label("Neues Passwort").fill(PASSWORD)
    page.get_by_label("Dasselbe Passwort noch einmal").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Passwort setzen und anmelden").click()
    return context, page


def answer_as(browser, live_server, link: str, name: str, questions: list[str]):
    """A respondent opens their link in a browser of their own and answers the first field."""
    context = browser.new_context(bypass_csp=True, locale="de-DE", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(link)
    assert f"Guten Tag, {name}" in page.inner_text("main")
    assert fits(page)
    assert_accessible(page)
    page.locator(".field-list a").first.click()
    page.wait_for_url(re.compile(r"/fields/"))
    for qid, level in zip(questions, ANSWERS[name], strict=True):
        page.locator(f"#q-{qid} input[value='{level}']").check()
    page.locator(f"#n_{questions[0]}").fill(f"Meine Sicht: {name}")
    assert fits(page)
    assert_accessible(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Speichern", exact=True).click()
    assert "Ihre Antworten wurden gespeichert." in page.inner_text("main")
    return context, page


def test_a_guided_session_from_invitation_to_report(browser, live_server):
    app = LIVE["app"]
    with app.app_context():
        from advisor.web import active_catalogue

        first = active_catalogue().fields[0]
        questions = [q.id for q in first.questions if q.type == "level"][:2]
    context, advisor = sign_in_advisor(browser, live_server)
    advisor.goto(live_server + "/advisor")
    advisor.get_by_label("Name der Kommune").fill("Gemeinde Sitzungsdorf")
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Selbsteinschätzung anlegen").click()
    with advisor.expect_navigation():
        advisor.get_by_role("link", name="Profil ausfüllen").click()
    base = advisor.url.rsplit("/profile", 1)[0]
    advisor.check("#municipality_type-gemeinde")
    advisor.select_option("#state", "HE")
    advisor.check("#population_band-2k-5k")
    with advisor.expect_navigation():
        advisor.click("button[value=stay]")
    advisor.goto(base + "/session")
    assert_accessible(advisor)

    links = {}
    for name, role in (("Anna", "Hauptamt"), ("Ben", "Kämmerei"), ("Cem", "IT")):
        advisor.get_by_label("Name", exact=True).fill(name)
        advisor.get_by_label("Rolle", exact=True).fill(role)
        with advisor.expect_navigation():
            advisor.get_by_role("button", name="Einladen und persönlichen Link anzeigen").click()
        links[name] = advisor.input_value("#respondent-url")
        assert "/s/" in links[name]
        if name == "Anna":
            assert_accessible(advisor)
        with advisor.expect_navigation():
            advisor.get_by_role("link", name="Zurück zur Sitzung").click()

    respondents = [answer_as(browser, live_server, links[n], n, questions) for n in ("Anna", "Ben")]

    # The projector is open before the last respondent answers: it notices by polling.
    advisor.goto(base + "/session/projector/" + questions[0])
    assert "2 von 3 Befragten haben geantwortet" in advisor.inner_text("#live")
    respondents.append(answer_as(browser, live_server, links["Cem"], "Cem", questions))
    advisor.locator("#live h2").filter(has_text="3 von 3 Befragten haben geantwortet").wait_for()

    # The session page lists the divergent questions first.
    advisor.goto(base + "/session")
    rows = advisor.locator(".session-table tbody tr")
    assert rows.nth(0).get_attribute("class") == "divergent"
    assert rows.nth(1).get_attribute("class") == "divergent"
    assert_accessible(advisor)
    assert fits_narrow(advisor), too_wide(advisor)
    with advisor.expect_navigation():
        advisor.get_by_role("link", name="Beamer-Ansicht öffnen").click()
    first_shown = advisor.url.rsplit("/", 1)[1]
    assert first_shown in questions
    assert "Meine Sicht" not in advisor.inner_text("#live")  # hidden until revealed

    # Question one, by keyboard: R reveals, then the agreed level and a rationale.
    with advisor.expect_navigation():
        advisor.keyboard.press("r")
    live = advisor.inner_text("#live")
    assert "Die Antworten gehen auseinander" in live and "Meine Sicht: Anna" in live
    assert_accessible(advisor)
    advisor.locator(f"#q-{first_shown} input[value='2']").focus()
    advisor.keyboard.press("Space")
    advisor.get_by_label("Begründung", exact=False).focus()
    advisor.keyboard.type("Portal läuft, Fachverfahren fehlen noch.")
    advisor.get_by_role("button", name="Abgestimmte Antwort festhalten").focus()
    with advisor.expect_navigation():
        advisor.keyboard.press("Enter")
    assert "Die abgestimmte Antwort wurde festgehalten." in advisor.inner_text("main")
    assert "abgestimmt am" in advisor.inner_text(".agreed-answer")

    # Question two: an arrow key leads there (the projector opened where the session stood,
    # so the other divergent question is before or after it), R reveals, Enter accepts the median.
    other = next(q for q in questions if q != first_shown)
    previous = advisor.locator("#previous-question")
    back = previous.count() and previous.get_attribute("href").endswith("/" + other)
    advisor.locator("body").focus()
    with advisor.expect_navigation():
        advisor.keyboard.press("ArrowLeft" if back else "ArrowRight")
    assert advisor.url.endswith("/" + other)
    with advisor.expect_navigation():
        advisor.keyboard.press("R")
    advisor.get_by_role("button", name=re.compile("^Median übernehmen")).focus()
    with advisor.expect_navigation():
        advisor.keyboard.press("Enter")
    assert "Median übernommen am" in advisor.inner_text(".agreed-answer")
    assert_accessible(advisor)
    assert fits_narrow(advisor), too_wide(advisor)

    # A respondent now sees the group's distribution of the revealed questions, without names.
    page = respondents[0][1]
    page.reload()
    text = page.inner_text("main")
    assert "Wie die Gruppe geantwortet hat" in text and "Meine Sicht: Ben" not in text
    assert_accessible(page)

    for respondent_context, _page in respondents:
        respondent_context.close()

    # The advisor's own recommendation, marked as theirs on the results page.
    advisor.goto(base + "/measures")
    assert fits_narrow(advisor), too_wide(advisor)
    assert_accessible(advisor)
    advisor.get_by_label("Titel").fill("Digitalisierungslotsin benennen")
    advisor.get_by_label("Was zu tun ist").fill("Eine Person koordiniert die Umsetzung im Amt.")
    advisor.check("#own-phase-1")
    advisor.check("#own-effort-S")
    advisor.get_by_label("Verantwortliche Rolle").fill("Hauptamt")
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Maßnahme hinzufügen").click()
    assert "Ihre Empfehlung wurde gespeichert." in advisor.inner_text("main")
    assert_accessible(advisor)
    advisor.goto(base + "/results")
    assert "Digitalisierungslotsin benennen" in advisor.inner_text("main")
    assert "Empfehlung der Beratung" in advisor.inner_text("main")

    # The PDF carries the spread of the agreed questions and the recommendation.
    advisor.goto(base + "/report/status?lang=de")
    button = advisor.get_by_role("link", name="Bericht herunterladen (PDF)")
    button.wait_for(timeout=120_000)
    with advisor.expect_download() as download:
        button.click()
    text = " ".join(texts(Path(download.value.path()).read_bytes()))
    assert "Einschätzung abgestimmt am" in text and "Spannweite 1–3" in text
    assert "Median der Antworten übernommen" in text
    assert "Digitalisierungslotsin benennen" in text and "Dana Berger" in text
    assert "Hauptamt" in text and "Anna" not in text  # roles, not names, without consent
    context.close()


def test_the_projector_works_without_javascript(browser, live_server):
    """Reveal, agree and move on by plain links and forms; a reload shows new answers."""
    app = LIVE["app"]
    from advisor.advising import session as guided
    from advisor.assessments.answers import AnswerInput
    from advisor.assessments.models import AnswerState, Assessment
    from advisor.db import db
    from advisor.web import active_catalogue

    context, advisor = sign_in_advisor(browser, live_server, "ohne-js@example.org", javascript=False)
    advisor.goto(live_server + "/advisor")
    advisor.get_by_label("Name der Kommune").fill("Gemeinde Ohneskript")
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Selbsteinschätzung anlegen").click()
    aid = re.search(r"/a/([0-9a-f]{32})/profile", advisor.content()).group(1)
    with app.app_context():
        catalogue = active_catalogue()
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        assessment.municipality_type, assessment.state, assessment.population_band = "gemeinde", "HE", "2k-5k"
        question = catalogue.fields[0].questions[0].id
        for name, level in (("Anna", 0), ("Ben", 3)):
            respondent, _token = guided.invite(db.session, assessment, name, name)
            answer = AnswerInput(AnswerState.ANSWERED, level, "")
            guided.save_own_answers(db.session, catalogue, respondent, {question: answer}, {question})
        db.session.commit()
    advisor.goto(f"{live_server}/a/{aid}/session/projector/{question}")
    assert "2 von 2 Befragten haben geantwortet" in advisor.inner_text("#live")
    assert advisor.get_by_role("link", name="Neu laden, um neue Antworten zu sehen").is_visible()
    with advisor.expect_navigation():
        advisor.get_by_role("button", name="Antworten aufdecken (R)").click()
    assert "Die Antworten gehen auseinander" in advisor.inner_text("#live")  # (axe needs scripts)
    with advisor.expect_navigation():
        advisor.get_by_role("button", name=re.compile("^Median übernehmen")).click()
    assert "Median übernommen am" in advisor.inner_text(".agreed-answer")
    with advisor.expect_navigation():
        advisor.get_by_role("link", name="Nächste Frage →").click()
    assert not advisor.url.endswith("/" + question)
    context.close()
