"""Rate limits on resume-link lookups, imports and report renders, with a translated 429
(issue 12, finding 6); counted in Redis across workers when configured."""

from __future__ import annotations

import secrets

from tests.assessments.test_exchange import upload
from tests.conftest import PROJECT, Client, get_report, make_app, reset_schema


def test_resume_lookups_are_limited_with_a_translated_page(app_factory):
    app = app_factory(RATE_LIMIT_RESUME="3 per minute")
    client = Client(app)
    statuses = [client.get(f"/r/{secrets.token_urlsafe(32)}").status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    refused = client.get(f"/r/{secrets.token_urlsafe(32)}")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    page = refused.get_data(as_text=True)
    assert "Zu viele Anfragen" in page and "Bitte warten Sie eine Minute" in page
    # The form on the start page counts against the same kind of limit, separately.
    assert client.post("/resume", {"link": "x" * 43}).status_code in (303, 404)
    # So does a respondent's personal link of a guided session.
    assert [client.get(f"/s/{secrets.token_urlsafe(32)}").status_code for _ in range(4)] == [404] * 3 + [429]


def test_imports_are_limited_but_the_form_is_not(app_factory):
    app = app_factory(RATE_LIMIT_IMPORT="2 per minute")
    client = Client(app)
    assert [upload(client, b"{}").status_code for _ in range(2)] == [422, 422]
    assert upload(client, b"{}").status_code == 429
    assert client.get("/import").status_code == 200


def test_only_report_renders_count(app_factory):
    from tests.reports.test_report import upload_full

    app = app_factory(
        RATE_LIMIT_REPORT="2 per minute",
        CATALOGUE_DIR=str(PROJECT / "questionnaires"),
        ACTIVE_CATALOGUE="kommunal",
    )
    client, aid = upload_full(app)
    assert get_report(client, aid).status_code == 200  # the first render
    for _ in range(3):  # the finished report, and looks at its progress, cost nothing
        assert client.get(f"/a/{aid}/report.pdf").status_code == 200
        assert client.get(f"/a/{aid}/report/status.json").status_code == 200
    assert client.get(f"/a/{aid}/report.pdf?lang=en").status_code == 303  # the second render
    refused = client.get(f"/a/{aid}/report/status?lang=en")  # the routes share one count
    assert refused.status_code == 429 and "Zu viele Anfragen" in refused.get_data(as_text=True)


def test_two_workers_share_their_counts_in_redis(tmp_path, redis_url):
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    config = {"REDIS_URL": redis_url, "RATE_LIMIT_RESUME": "4 per minute"}
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    workers = [make_app(url, tmp_path, **config) for _ in range(2)]
    reset_schema(workers[0])
    assert workers[0].config["RATELIMIT_STORAGE_URI"] == redis_url
    clients = [worker.test_client() for worker in workers]
    statuses = [clients[i % 2].get(f"/r/{secrets.token_urlsafe(32)}").status_code for i in range(5)]
    assert statuses == [404, 404, 404, 404, 429]
