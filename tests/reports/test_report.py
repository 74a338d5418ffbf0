"""The PDF report: content, structure, fonts, no network, whole cards, cache and failures."""

from __future__ import annotations

import io
import re
import socket
import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from advisor.assessments import batch, exchange
from advisor.catalogue.checks import names_role
from advisor.db import db, utcnow
from advisor.reports import context as report_context
from advisor.reports import render
from advisor.reports import services as report_services
from tests.conftest import PROJECT, Client, finish_jobs, get_report, make_app, stored_answers
from tests.reports import layout

FULL = PROJECT / "tests" / "fixtures" / "full_assessment.json"
TODAY = date(2026, 11, 21)


def build_html(app, locale="de") -> tuple[str, dict]:
    with app.test_request_context():
        checked = exchange.check(app.extensions["advisor.catalogues"], FULL.read_bytes())
        evaluation = batch.evaluation_of(checked.catalogue, checked, TODAY)
        municipality, notes = batch.municipality_and_notes(checked)
        return report_context.report_html(checked.catalogue, evaluation, municipality, notes, locale, TODAY)


def build_pdf(app, locale="de") -> tuple[bytes, dict]:
    html, data = build_html(app, locale)
    return render.render_pdf(html), data


@pytest.fixture(scope="module")
def kommunal(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("report")
    return make_app(
        f"sqlite:///{tmp / 'r.sqlite3'}",
        tmp,
        CATALOGUE_DIR=str(PROJECT / "questionnaires"),
        ACTIVE_CATALOGUE="kommunal",
    )


@pytest.fixture(scope="module")
def german(kommunal):
    return build_pdf(kommunal)


@pytest.fixture(scope="module")
def german_layout(kommunal):
    """The German report laid out into pages (WeasyPrint's boxes), with its HTML and data."""
    html, data = build_html(kommunal)
    return render.layout(html), html, data


@pytest.fixture(scope="module")
def english_layout(kommunal):
    html, data = build_html(kommunal, "en")
    return render.layout(html), html, data


def texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_report_has_the_sections_and_the_municipalitys_data(german):
    pdf, data = german
    pages = texts(pdf)
    assert len(pages) >= 12
    whole = " ".join(pages)
    assert "Musterbach am See" in pages[0] and "Ergebnis und Fahrplan" in pages[0]
    for heading in (
        "Inhalt",
        "Drei Kernaussagen",
        "Bürgerservice",
        "Interne Verwaltungsabläufe",
        "Organisationsstrukturen",
        "Energie",
        "Mobilität",
        "Fahrplan",
        "Phase 1",
        "Phase 3",
        "Anhang",
        "Methode",
        "Datennutzung",
    ):
        assert heading in whole, heading
    assert data["catalogue"]["hash"] in whole.replace(" ", "")
    # The three key messages come from the data, not boilerplate.
    assert len(data["messages"]) == 3
    assert str(data["overall"]) in data["messages"][0]
    assert "Stand laut Hauptamt" in whole  # notes recorded with the answers
    # Running header with the municipality's name and "Seite x von y" on later pages.
    assert "Musterbach am See" in pages[5] and f"Seite 6 von {len(pages)}" in pages[5]
    # Levels are written the German way ("Stufe 0", "1,5"), never "0.0".
    assert "derzeit Stufe 0," in whole and not re.search(r"Stufe \d\.\d", whole)
    # The table of contents, on the cover page, carries page numbers, and they are right.
    roadmap = re.search(r"Fahrplan\s*\.+\s*(\d+)", pages[0])
    assert roadmap and "Drei Phasen über 36 Monate" in pages[int(roadmap[1]) - 1]


def test_report_is_tagged_with_language_and_title(german):
    reader = PdfReader(io.BytesIO(german[0]))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "de"
    assert root["/MarkInfo"]["/Marked"]
    assert "Musterbach am See" in reader.metadata.title
    figures = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure":
                figures.append(str(node.get("/Alt", "")))
            if node.get("/K") is not None:
                walk(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk(child)

    roles = []

    def walk_roles(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            roles.append(node.get("/S"))
            if node.get("/K") is not None:
                walk_roles(node["/K"])
        elif isinstance(node, list):
            for child in node:
                walk_roles(child)

    walk(root["/StructTreeRoot"])
    walk_roles(root["/StructTreeRoot"])
    # The radar is a figure with alternative text; the timeline is a table (a row per measure,
    # headed by its title, its months in words) with its legend as caption.
    assert len(figures) == 1 and figures[0].startswith("Punktzahl je Handlungsfeld"), figures
    assert roles.count("/Table") == 2 and "/Caption" in roles
    assert roles.count("/TH") >= 5 + 5 + 18  # score table: columns and rows; timeline: 18 rows
    # Lists stay lists without marker boxes: L > LI > LBody.
    assert roles.count("/L") >= 10 and roles.count("/LI") >= 50 and "/LBody" in roles
    xmp = root["/Metadata"].get_object().get_data()
    assert b'pdfuaid:part="1"' in xmp  # PDF/UA-1 identification


def embedded_fonts(pdf: bytes) -> dict[str, bytes | None]:
    """Each font of the PDF by name, with its embedded font program (None if not embedded)."""
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            files = [descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor]
            fonts[str(font["/BaseFont"])] = files[0].get_object().get_data() if files else None
    return fonts


def test_only_bundled_fonts_are_used_and_embedded(german):
    fonts = embedded_fonts(german[0])
    assert fonts and all(fonts.values()), fonts
    # "Report Sans" is the name report.css gives the bundled Noto Sans files, and only them:
    # a glyph missing there would come from a system font under that font's own name.
    assert all(name.split("+")[-1].startswith("Report-Sans") for name in fonts), fonts


def test_the_printed_zero_is_not_slashed(german):
    """The zero as embedded in the PDF: two contours like the O; a slashed or dotted one has three."""
    from tests.reports.test_fonts import contours

    checked = []
    for name, program in embedded_fonts(german[0]).items():
        font = TTFont(io.BytesIO(program))
        printed = font.getBestCmap()
        if ord("0") in printed:
            assert contours(font, "0") == 2, name
            checked.append(name)
        if ord("8") in printed:
            assert contours(font, "8") == 3, name  # the count does see inner shapes
    assert any("Report-Sans" in name and "Bold" not in name for name in checked), checked  # body text


def test_cards_are_never_split_across_pages(german):
    pdf, data = german
    pages = texts(pdf)
    for card in data["cards"]:
        title_pages = [i for i, text in enumerate(pages) if card.title in text]
        last_step = card.first_steps[-1][:60]
        step_pages = [i for i, text in enumerate(pages) if last_step in text]
        assert title_pages and step_pages, card.id
        assert set(title_pages) & set(step_pages), card.id


def test_timeline_numbers_the_measures_like_the_cards(german):
    pdf, data = german
    pages = texts(pdf)
    start = next(i for i, text in enumerate(pages) if "Zeitplan der Maßnahmen über 36 Monate" in text)
    end = next(i for i, text in enumerate(pages) if "Balken: Monate ab Beginn" in text)
    # Every title in full (labels wrap; the comparison ignores where lines break), none cut short.
    timeline = re.sub(r"\s", "", " ".join(pages[start : end + 1]))
    assert "…" not in timeline
    for card in data["cards"]:
        assert re.sub(r"\s", "", f"{card.number}. {card.title}") in timeline, card.id
        card_pages = [i for i, text in enumerate(pages) if f"{card.number}. {card.title}" in text]
        assert any(i > end for i in card_pages), card.id
    assert [c.number for c in data["cards"]] == list(range(1, len(data["cards"]) + 1))


def test_every_timeline_bar_is_level_with_its_whole_label(german_layout):
    document, _, data = german_layout
    rows = [
        row for _, row in layout.find(document, "tr") if row.element.get("class", "").startswith("phase-")
    ]
    assert len(rows) == len(data["cards"])
    wrapped = 0
    for row, card in zip(rows, data["cards"], strict=True):
        label = next(cell for cell in row.children if cell.element_tag == "th")
        cell = next(cell for cell in row.children if "bar" in cell.element.get("class", ""))
        bar = next(box for box in cell.descendants() if box.element_tag == "div")
        # The whole title, wherever its lines break.
        assert re.sub(r"\s", "", layout.text_of(label)) == re.sub(r"\s", "", f"{card.number}. {card.title}")
        lines = [box for box in label.descendants() if isinstance(box, layout.boxes.LineBox)]
        wrapped += len(lines) > 1
        top, bottom = lines[0].position_y, lines[-1].position_y + lines[-1].height
        middle = bar.position_y + bar.height / 2
        assert top <= middle <= bottom, card.id  # the bar stands level with its label
        assert abs(middle - (top + bottom) / 2) < 1, card.id  # centred on it, within a point
        # Placed by its months: left edge and length as parts of the 36-month track.
        start = (bar.border_box_x() - cell.content_box_x()) / cell.width
        length = bar.border_width() / cell.width
        assert start == pytest.approx(card.start_month / 36, abs=0.005), card.id
        assert length == pytest.approx(max((card.end_month - card.start_month) / 36, 0.01), abs=0.005)
    assert wrapped  # long titles do wrap (and are not cut)


def test_each_chart_has_exactly_one_visible_heading(german, german_layout):
    pages = texts(german[0])
    _, html, _ = german_layout
    for heading, chart in (
        ("Punktzahl je Handlungsfeld", '<div class="chart">'),
        ("Zeitplan der Maßnahmen über 36 Monate", '<table class="timeline"'),
    ):
        page = next(text for text in pages if heading in text)
        assert page.count(heading) == 1, heading  # no caption or title repeats it
        # The heading stands right before the chart, nothing between them.
        assert re.search(rf"<h3[^>]*>{re.escape(heading)}</h3>\s*{re.escape(chart)}", html), heading


# -- page fill ------------------------------------------------------------------------------

#: A page other than the cover and the last one is at least half full ("mostly empty" is
#: below half). Only the summary forces a break (after the cover page), so a page ends early
#: only before a block kept whole that does not fit: a measure card (up to about half a page),
#: the radar, the timeline; this fixture's pages are 68 % full or more.
MIN_FILL = 0.5


@pytest.mark.parametrize("laid_out", ["german_layout", "english_layout"])
def test_no_page_is_mostly_empty(laid_out, request):
    document, _, _ = request.getfixturevalue(laid_out)
    pages = layout.pages(document)
    fills = {page.number: round(page.fill, 2) for page in pages}
    assert {n: fill for n, fill in fills.items() if 1 < n < len(pages) and fill < MIN_FILL} == {}, fills


@pytest.mark.parametrize("laid_out", ["german_layout", "english_layout"])
def test_no_heading_stands_at_a_page_foot(laid_out, request):
    """No page ends with a heading (or a term), nor with a heading and one or two lines of
    what it heads while the rest follows overleaf (a phase's heading with its projected scores)."""
    document, _, _ = request.getfixturevalue(laid_out)
    pages = layout.pages(document)
    assert [page.number for page in pages if page.leaves[-1].heading] == []
    assert layout.stranded_headings(pages) == []


def test_the_table_of_contents_shares_its_page_and_charts_keep_their_headings(german_layout):
    document, _, _ = german_layout
    pages = layout.pages(document)
    toc = next(page for page in pages if any(leaf.inside("nav", cls="toc") for leaf in page.leaves))
    others = [leaf.text for leaf in toc.leaves if not leaf.inside("nav", cls="toc")]
    assert toc.number == 1 and "Musterbach am See" in others  # on the cover page, below the cover
    # Each chart stands on the page of its heading.
    for heading, chart in (
        ("Punktzahl je Handlungsfeld", ("svg", "radar")),
        ("Zeitplan der", ("table", "timeline")),
    ):
        (heading_page,) = [
            p.number for p in pages for leaf in p.leaves if leaf.inside("h3") and heading in leaf.text
        ]
        chart_pages = {number for number, _ in layout.find(document, *chart)}
        assert chart_pages == {heading_page}, heading


def test_lean_user_agent_stylesheet_drops_only_unused_pseudo_elements():
    from importlib.resources import files

    import weasyprint

    stock = (files(weasyprint.css) / "html5_ua.css").read_text("utf-8")
    lean = render.lean_ua_css(stock)
    assert "::footnote" not in lean and "::note" not in lean
    assert "li::marker" in lean and "\n::marker" not in lean
    dropped = set(stock.splitlines()) - set(lean.splitlines())
    assert dropped and all(line.startswith(("::footnote-", "::note-", "::marker")) for line in dropped)
    # The hook we override must still exist, or the lean sheet would silently not apply.
    assert callable(getattr(weasyprint.HTML, "_ua_stylesheets", None))
    assert issubclass(render._weasy()[0], weasyprint.HTML)


def test_collector_thresholds_are_restored_after_renders():
    import gc

    before = gc.get_threshold()
    with render.fewer_collections():
        with render.fewer_collections():  # a concurrent render
            assert gc.get_threshold()[0] == max(render.RENDER_GC_THRESHOLD, before[0])
        assert gc.get_threshold()[0] == max(render.RENDER_GC_THRESHOLD, before[0])
    assert gc.get_threshold() == before
    with pytest.raises(render.ReportError):
        render.render_pdf(None)  # fails inside WeasyPrint
    assert gc.get_threshold() == before


def test_render_succeeds_with_the_network_blocked(kommunal, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access is blocked in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    pdf, _ = build_pdf(kommunal, "en")
    assert pdf.startswith(b"%PDF")


def test_url_fetcher_serves_only_bundled_files():
    _, _, fetcher = render._weasy()
    assert fetcher.fetch((render.REPORT_DIR / "report.css").as_uri()).status == 200
    for url in ("https://example.org/x.css", "http://127.0.0.1/x.png", (PROJECT / "README.md").as_uri()):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_english_report_on_request(kommunal):
    pdf, _ = build_pdf(kommunal, "en")
    whole = " ".join(texts(pdf))
    assert "Results and roadmap" in whole and "Three key messages" in whole
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "en"


# -- delivery through the web, on both databases ---------------------------------------------


def upload_full(app):
    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    client = Client(app)
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf(), "file": FileStorage(io.BytesIO(FULL.read_bytes()), "a.json")}
    )
    response = client.http.post(
        "/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    return client, response.location.split("/")[2]


def count_renders(monkeypatch, render=None) -> list:
    """Count the renders the background jobs start (and make them do ``render`` instead)."""
    calls = []
    real = render or report_services.render_pdf

    def counted(html):
        calls.append(html)
        return real(html)

    monkeypatch.setattr("advisor.reports.services.render_pdf", counted)
    return calls


def held_renders(monkeypatch, pdf: bytes) -> tuple[threading.Event, list]:
    """Renders that wait until the returned event is set, then give ``pdf``; and their count."""
    release = threading.Event()

    def held(html):
        assert release.wait(60)
        return pdf

    return release, count_renders(monkeypatch, held)


def test_the_report_is_made_in_the_background_and_cached_until_the_assessment_changes(
    kommunal_app, monkeypatch
):
    client, aid = upload_full(kommunal_app)
    renders = count_renders(monkeypatch)
    asked = client.get(f"/a/{aid}/report.pdf")
    assert asked.status_code == 303 and asked.location.endswith(f"/a/{aid}/report/status?lang=de")
    finish_jobs(kommunal_app)
    status = client.get(asked.location).get_data(as_text=True)
    assert "Ihr Bericht ist fertig." in status and f'href="/a/{aid}/report.pdf?lang=de"' in status
    assert "http-equiv" not in status  # nothing left to wait for
    first = client.get(f"/a/{aid}/report.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert 'filename="fahrplan-musterbach-am-see.pdf"' in first.headers["Content-Disposition"]
    second = client.get(f"/a/{aid}/report.pdf")
    assert second.data == first.data and len(renders) == 1
    client.post(f"/a/{aid}/fields/energy", {"q_en_pv_roofs": "4", "n_en_pv_roofs": "neu"})
    third = get_report(client, aid)
    assert third.data != first.data and len(renders) == 2
    english = get_report(client, aid, lang="en")
    assert "Results and roadmap" in texts(english.data)[0] and len(renders) == 3


def test_the_progress_page_refreshes_without_javascript_and_reports_as_data(kommunal_app, monkeypatch):
    client, aid = upload_full(kommunal_app)
    release, _renders = held_renders(monkeypatch, b"%PDF-slow")
    page = client.get(f"/a/{aid}/report/status").get_data(as_text=True)
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert 'role="status"' in page and "<progress" in page
    assert client.get(f"/a/{aid}/report/status.json").json["status"] in ("queued", "running")
    release.set()
    finish_jobs(kommunal_app)
    assert client.get(f"/a/{aid}/report/status.json").json == {
        "status": "ready",
        "message": "Ihr Bericht ist fertig.",
    }
    assert client.get(f"/a/{aid}/report.pdf").data == b"%PDF-slow"
    assert Client(kommunal_app).get(f"/a/{aid}/report/status.json").status_code == 404


def test_one_render_per_assessment_at_a_time(kommunal_app, monkeypatch):
    client, aid = upload_full(kommunal_app)
    release, renders = held_renders(monkeypatch, b"%PDF-de")
    client.get(f"/a/{aid}/report.pdf")
    for _ in range(3):  # asking again, or from another tab, queues nothing more
        client.get(f"/a/{aid}/report.pdf")
    english = client.get(f"/a/{aid}/report/status?lang=en").get_data(as_text=True)
    assert "Der Bericht in der anderen Sprache wird zuerst erstellt" in english
    release.set()
    finish_jobs(kommunal_app)
    assert len(renders) == 1
    assert get_report(client, aid, lang="en").status_code == 200 and len(renders) == 2


def test_a_failed_render_explains_loses_nothing_and_is_not_retried(kommunal_app, monkeypatch):
    client, aid = upload_full(kommunal_app)
    before = stored_answers(kommunal_app, aid)

    def broken(html):
        raise render.ReportError("simulated")

    renders = count_renders(monkeypatch, broken)
    client.get(f"/a/{aid}/report.pdf")
    finish_jobs(kommunal_app)
    for _ in range(3):
        response = client.get(f"/a/{aid}/report.pdf")
        assert response.status_code == 303
        page = client.get(response.location).get_data(as_text=True)
        assert "Der Bericht konnte nicht erstellt werden. Ihre Antworten sind gespeichert." in page
        assert f'href="/a/{aid}/report?lang=de"' in page  # the web page, to print instead
    finish_jobs(kommunal_app)
    assert len(renders) == 1  # a failure is kept for this state of the assessment
    assert stored_answers(kommunal_app, aid) == before
    client.post(f"/a/{aid}/fields/energy", {"q_en_pv_roofs": "4", "n_en_pv_roofs": "neu"})
    client.get(f"/a/{aid}/report.pdf")
    finish_jobs(kommunal_app)
    assert len(renders) == 2  # a change is worth another try


def test_a_render_over_the_time_limit_is_stopped_with_a_clear_message(app_factory, monkeypatch):
    app = app_factory(
        CATALOGUE_DIR=str(PROJECT / "questionnaires"), ACTIVE_CATALOGUE="kommunal", REPORT_TIME_LIMIT=1
    )
    client, aid = upload_full(app)
    stopped = threading.Event()

    def endless(html):
        try:
            while True:
                pass
        finally:
            stopped.set()

    count_renders(monkeypatch, endless)
    client.get(f"/a/{aid}/report.pdf")
    finish_jobs(app)
    assert stopped.is_set()
    page = client.get(f"/a/{aid}/report/status").get_data(as_text=True)
    assert "Der Bericht konnte in der verfügbaren Zeit nicht erstellt werden" in page
    assert "höchstens 1 Sekunde dauern" in page


def test_a_render_whose_worker_died_is_reported_and_a_lost_one_queued_again(kommunal_app, monkeypatch):
    from advisor.db import db
    from advisor.reports import services as report_services
    from advisor.reports.models import ReportCache

    client, aid = upload_full(kommunal_app)
    renders = count_renders(monkeypatch, lambda html: b"%PDF-again")
    client.get(f"/a/{aid}/report.pdf")
    finish_jobs(kommunal_app)
    with kommunal_app.app_context():  # as if the worker was killed mid-render long ago
        row = db.session.scalar(sa.select(ReportCache))
        row.status, row.pdf = "running", None
        row.started_at = utcnow() - timedelta(seconds=60) - report_services.GRACE - timedelta(seconds=1)
        db.session.commit()
    page = client.get(f"/a/{aid}/report/status").get_data(as_text=True)
    assert "in der verfügbaren Zeit nicht erstellt" in page
    with kommunal_app.app_context():  # as if the queue lost the job
        row = db.session.scalar(sa.select(ReportCache))
        row.status = "queued"
        row.requested_at = utcnow() - report_services.QUEUE_PATIENCE - timedelta(seconds=1)
        db.session.commit()
    assert get_report(client, aid).data == b"%PDF-again" and len(renders) == 2


def test_a_duplicate_or_superseded_job_does_nothing(kommunal_app, monkeypatch):
    from advisor.reports.jobs import render_report
    from advisor.reports.models import ReportCache

    client, aid = upload_full(kommunal_app)
    renders = count_renders(monkeypatch, lambda html: b"%PDF-1")
    client.get(f"/a/{aid}/report.pdf")
    finish_jobs(kommunal_app)
    with kommunal_app.app_context():
        row = db.session.scalar(sa.select(ReportCache))
        arguments = (row.assessment_id, row.locale, row.key, TODAY.isoformat())
        render_report(*arguments)  # already done: nothing happens
        assert len(renders) == 1
        row.status = "queued"
        db.session.commit()
    client.post(f"/a/{aid}/fields/energy", {"q_en_pv_roofs": "4", "n_en_pv_roofs": "neu"})
    with kommunal_app.app_context():  # the assessment changed before the job started
        render_report(*arguments)
        assert len(renders) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(ReportCache)) == 0


def test_reports_go_through_redis_to_an_rq_worker(app_factory, redis_url):
    import redis
    from rq import Queue

    redis.Redis.from_url(redis_url).flushdb()
    app = app_factory(
        CATALOGUE_DIR=str(PROJECT / "questionnaires"), ACTIVE_CATALOGUE="kommunal", REDIS_URL=redis_url
    )
    client, aid = upload_full(app)
    assert client.get(f"/a/{aid}/report.pdf").status_code == 303
    queue = Queue("advisor", connection=redis.Redis.from_url(redis_url))
    assert queue.count == 1
    assert "wartet darauf, erstellt zu werden" in client.get(f"/a/{aid}/report/status").get_data(as_text=True)
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    response = client.get(f"/a/{aid}/report.pdf")
    assert response.status_code == 200 and "Musterbach am See" in texts(response.data)[0]
    assert queue.count == 0


def test_the_worker_needs_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "ADVISOR_REDIS_URL is not set" in result.output


def test_html_preview_and_assets(kommunal_app):
    client, aid = upload_full(kommunal_app)
    response = client.get(f"/a/{aid}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Musterbach am See" in html and '<html lang="de">' in html
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert '<meta name="viewport"' in html
    assert f'<a href="/a/{aid}/results">Zurück zum Ergebnis</a>' in html
    for asset in ("report.css", "bullet.svg", "fonts/NotoSans-Bold.ttf"):
        with client.get(f"/report-assets/{asset}") as response:  # a streamed file: close it
            assert response.status_code == 200
    assert client.get("/report-assets/templates/report.html").status_code == 404
    assert client.get("/report-assets/../advisor/config.py").status_code == 404
    assert Client(kommunal_app).get(f"/a/{aid}/report.pdf").status_code == 404


def test_the_english_report_has_an_english_file_name(kommunal_app):
    client, aid = upload_full(kommunal_app)
    response = get_report(client, aid, lang="en")
    assert response.status_code == 200
    assert 'filename="roadmap-musterbach-am-see.pdf"' in response.headers["Content-Disposition"]


def test_cli_report_and_assess_pdf(kommunal_app, tmp_path):
    client, aid = upload_full(kommunal_app)
    runner = kommunal_app.test_cli_runner()
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", aid, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    again = runner.invoke(args=["report", aid, "-o", str(out)])
    assert "from cache" in again.output
    pdf = tmp_path / "assess.pdf"
    result = runner.invoke(args=["assess", str(FULL), "--pdf", str(pdf), "--date", "2026-11-21"])
    assert result.exit_code == 0, result.output
    assert "Musterbach am See" in texts(pdf.read_bytes())[0]


def test_report_of_an_ortsgemeinde_names_its_verbandsgemeinde_duties_and_legal_status(kommunal):
    """The documented example is an Ortsgemeinde in Rhineland-Palatinate."""
    example = PROJECT / "docs" / "examples" / "assessment.json"
    with kommunal.test_request_context():
        checked = exchange.check(kommunal.extensions["advisor.catalogues"], example.read_bytes())
        evaluation = batch.evaluation_of(checked.catalogue, checked, TODAY)
        municipality, notes = batch.municipality_and_notes(checked)
        html, data = report_context.report_html(
            checked.catalogue, evaluation, municipality, notes, "de", TODAY
        )
    assert "Verbandsgemeinde Musterland" in data["profile"]
    assert "Rechtsstand" in html and "1. Dezember 2026" in html
    duties = {d.title: d for d in data["duties"]}
    assert not duties["Kommunale Wärmeplanung"].binds_you  # the Verbandsgemeinde plans (AGWPG)
    assert duties["Barrierefreie Websites und Apps"].binds_you
    assert "Keine Frist" in duties["Verwaltungsleistungen online anbieten (OZG)"].deadline
    internal = next(f for f in data["fields"] if f.id == "internal_processes")
    assert internal.score is None and internal.administered
    assert (
        "Nicht bewertet: Die Aufgaben dieses Handlungsfelds erledigt Ihre Verbandsgemeinde für Ihre Gemeinde"
        in html
    )
    lacks = next(
        t for t in checked.catalogue.profile.municipality_types if t.id == "ortsgemeinde"
    ).lacks_roles
    for card in data["cards"]:
        for text in (card.title, card.summary, card.responsible, *card.first_steps):
            assert "{administration" not in text
            assert not [role for role in lacks if names_role(role, text)], (card.id, text)
    assert any("Ihre Verbandsgemeinde" in c.title for c in data["cards"]) or any(
        "Ihre Verbandsgemeinde" in title for title in data["later"]
    )


def test_key_messages_name_every_field_that_shares_the_top_or_bottom_score(kommunal):
    from advisor.assessments.results import evaluate
    from advisor.core.rules import Fact, worst_answer

    with kommunal.test_request_context():
        catalogue = kommunal.extensions["advisor.catalogues"]["kommunal"]
        titles = {f.id: f.title.get("de") for f in catalogue.fields}
        profile = {
            "municipality_type": "gemeinde",
            "state": "HE",
            "population_band": "5k-10k",
            "staff_band": "20-49",
        }
        lowest = {q.id: worst_answer(q) for q in catalogue.questions.values()}
        even = report_context.key_messages(
            catalogue, evaluate(catalogue, lowest, profile, {}, TODAY), titles, "de"
        )
        assert "Alle Handlungsfelder liegen gleichauf bei 0 Punkten." in even[0]
        assert "Am weitesten" not in even[0]
        citizen = {
            q.id: Fact("answered", 4)
            for q in catalogue.field("citizen_service").questions
            if q.type == "level"
        }
        ahead = evaluate(catalogue, {**lowest, **citizen}, profile, {}, TODAY)
        first = report_context.key_messages(catalogue, ahead, titles, "de")[0]
        assert "Am weitesten ist sie in „Bürgerservice“" in first
        level = "Am meisten zu tun hat sie, gleichauf, in „Interne Verwaltungsabläufe“, "
        assert level + "„Organisationsstrukturen“, „Energie“ und „Mobilität“ (0)." in first


def test_the_radar_labels_its_scale(kommunal):
    with kommunal.test_request_context():
        checked = exchange.check(kommunal.extensions["advisor.catalogues"], FULL.read_bytes())
        evaluation = batch.evaluation_of(checked.catalogue, checked, TODAY)
        municipality, notes = batch.municipality_and_notes(checked)
        html, _ = report_context.report_html(checked.catalogue, evaluation, municipality, notes, "de", TODAY)
    rings = re.findall(r'class="radar-ring-label"[^>]*>(\d+)</text>', html)
    assert rings == ["25", "50", "75", "100"]
    assert re.search(r'class="radar-label" font-size="13"', html)  # 13 of 590 units at 150 mm: 9.4 pt
    assert ".radar { width: 150mm" in (PROJECT / "reports" / "report.css").read_text()
