"""A live server and Debian's Chromium driven by Playwright, with axe-core for accessibility.

Chromium comes from Debian (``apt-get install chromium``), never from a
Playwright download. Without it the browser tests are skipped, unless
ADVISOR_TEST_REQUIRE_BROWSER=1 (as in CI), where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from advisor.db import Base, db
from tests.conftest import PROJECT, make_app

CHROMIUM = os.environ.get("ADVISOR_TEST_CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
REQUIRE = os.environ.get("ADVISOR_TEST_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _missing(what: str) -> None:
    if REQUIRE:
        pytest.fail(what)
    pytest.skip(what)


#: The app behind the live server, for tests that prepare data the way an operator does.
LIVE: dict = {}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    """The app with the shipped catalogue on a free local port, SQLite in a temp folder."""
    tmp = tmp_path_factory.mktemp("live")
    app = make_app(
        f"sqlite:///{tmp / 'live.sqlite3'}",
        tmp,
        CATALOGUE_DIR=str(PROJECT / "questionnaires"),
        ACTIVE_CATALOGUE="kommunal",
        SERVER_NAME=None,
        TESTING=False,
        SECRET_KEY="browser-test-secret-key",
        ENV="development",
    )
    with app.app_context():
        Base.metadata.create_all(db.engine)
    LIVE["app"] = app
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()
    app.extensions["advisor.jobs"].close()


@pytest.fixture(scope="module")
def browser(live_server):
    # Playwright's sync API runs an event loop on this thread while it is active: the
    # server (and its app context for create_all) is set up before it starts.
    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        _missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not AXE.exists():
        _missing(f"axe-core not installed at {AXE} (npm ci --prefix tests/browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    # The app's CSP forbids inline scripts; the test injects axe-core, so it bypasses CSP.
    context = browser.new_context(bypass_csp=True, locale="de-DE")
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the current page for WCAG 2.0/2.1 level A and AA."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag',
                values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}));
        }"""
    )
    return result


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{page.url}: {violations}"
