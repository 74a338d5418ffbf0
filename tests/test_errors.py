"""Error pages: German, helpful, no stack traces; security headers on every response."""

from __future__ import annotations

import re


def test_404_page_is_german_and_helpful(client):
    response = client.get("/nirgendwo")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Seite nicht gefunden" in page
    assert "persönlichen Link" in page


def test_405_page(client):
    response = client.post("/language/de")
    assert response.status_code in (400, 405)  # CSRF is checked before routing of the method


def test_500_page_hides_the_stack_trace(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/explode")
    def explode():
        raise RuntimeError("secret internal detail")

    response = app.test_client().get("/explode")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Etwas ist schiefgelaufen" in page
    assert "secret internal detail" not in page
    assert "Traceback" not in page


def test_403_page(app_factory):
    from flask import abort

    app = app_factory()

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    response = app.test_client().get("/forbidden")
    assert response.status_code == 403
    assert "Kein Zugriff" in response.get_data(as_text=True)


def test_security_headers(client):
    response = client.get("/")
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_pages_load_nothing_from_other_hosts(client):
    aid, _ = client.start()
    for url in ("/", f"/a/{aid}/profile", f"/a/{aid}/fields/alpha", f"/a/{aid}/summary"):
        page = client.get(url).get_data(as_text=True)
        assert not re.search(r'(src|href|action)="(https?:)?//', page)
        assert "<script" not in page
