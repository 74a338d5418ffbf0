"""Data protection an operator can sign (issue 12, finding 10): deletion on request, the purge
of abandoned assessments on a schedule, and the Impressum and privacy pages."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from advisor import jobs
from advisor.assessments import retention
from advisor.assessments.models import Answer, Assessment, BrowserGrant, Status
from advisor.config import ConfigurationError
from advisor.db import db, utcnow
from advisor.reports.models import ReportCache
from tests.conftest import PROJECT, Client, count_rows, finish_jobs, make_app
from tests.reports.test_report import held_renders, upload_full

# -- deletion by the municipality ---------------------------------------------------------


def test_deleting_needs_a_confirmation_then_everything_is_gone(app, client):
    aid, link = client.start()
    client.profile(aid)
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "2", "n_a_level": "Notiz"})
    other = Client(app)
    other.get(link.replace("http://advisor.test", ""))
    page = client.get(f"/a/{aid}/delete").get_data(as_text=True)
    assert "Diese Selbsteinschätzung wird endgültig gelöscht" in page
    assert f'href="/a/{aid}/export.json"' in page  # keep a copy first
    unconfirmed = client.post(f"/a/{aid}/delete", {})
    assert unconfirmed.status_code == 422
    assert "Bitte bestätigen Sie mit dem Häkchen" in unconfirmed.get_data(as_text=True)
    assert count_rows(app, Assessment) == 1 and count_rows(app, Answer) == 1
    deleted = client.post(f"/a/{aid}/delete", {"confirm": "y"})
    assert deleted.status_code == 303 and deleted.location.endswith("/")
    assert "Ihre Selbsteinschätzung wurde mit allen Antworten" in client.get("/").get_data(as_text=True)
    for model in (Assessment, Answer, BrowserGrant):
        assert count_rows(app, model) == 0, model
    assert client.get(f"/a/{aid}/summary").status_code == 404
    assert other.get(f"/a/{aid}/summary").status_code == 404
    assert client.get(link.replace("http://advisor.test", "")).status_code == 404
    assert Client(app).post(f"/a/{aid}/delete", {"confirm": "y"}).status_code == 404  # foreign: nothing


def test_deleting_drops_the_report_and_a_render_still_waiting(app_factory, monkeypatch):
    app = app_factory(
        CATALOGUE_DIR=str(PROJECT / "questionnaires"), ACTIVE_CATALOGUE="kommunal", JOB_THREADS=1
    )
    release, renders = held_renders(monkeypatch, b"%PDF")
    first, first_aid = upload_full(app)
    second, second_aid = upload_full(app)
    first.get(f"/a/{first_aid}/report.pdf")  # takes the only render thread
    second.get(f"/a/{second_aid}/report.pdf")  # waits for it
    assert count_rows(app, ReportCache) == 2
    assert second.post(f"/a/{second_aid}/delete", {"confirm": "y"}).status_code == 303
    release.set()
    finish_jobs(app)
    assert len(renders) == 1 and count_rows(app, ReportCache) == 1


def test_deleting_removes_a_queued_render_from_redis(app_factory, redis_url):
    import redis
    from rq import Queue

    redis.Redis.from_url(redis_url).flushdb()
    app = app_factory(
        CATALOGUE_DIR=str(PROJECT / "questionnaires"), ACTIVE_CATALOGUE="kommunal", REDIS_URL=redis_url
    )
    client, aid = upload_full(app)
    client.get(f"/a/{aid}/report.pdf")
    queue = Queue("advisor", connection=redis.Redis.from_url(redis_url))
    assert queue.count == 1
    client.post(f"/a/{aid}/delete", {"confirm": "y"})
    assert queue.count == 0


# -- the purge ------------------------------------------------------------------------------


def age(app, aid: str, days: int, status: Status | None = None) -> None:
    with app.app_context():
        values = {"updated_at": utcnow() - timedelta(days=days)}
        if status is not None:
            values["status"] = status
        db.session.execute(sa.update(Assessment).where(Assessment.public_id == aid).values(**values))
        db.session.commit()


def test_purge_deletes_abandoned_unfinished_assessments_only(app, client, runner):
    old, _ = client.start()
    recent, _ = client.start()
    done, _ = client.start()
    age(app, old, 400)
    age(app, recent, 300)
    age(app, done, 400, Status.COMPLETED)
    dry = runner.invoke(args=["assessments", "purge", "--older-than", "12m", "--dry-run"])
    assert dry.exit_code == 0 and "would delete 1 unfinished and 0 completed" in dry.output
    assert count_rows(app, Assessment) == 3
    result = runner.invoke(args=["assessments", "purge", "--older-than", "12m"])
    assert result.exit_code == 0 and "deleted 1 unfinished and 0 completed" in result.output
    assert client.get(f"/a/{old}/summary").status_code == 404
    assert client.get(f"/a/{recent}/summary").status_code == 200
    assert client.get(f"/a/{done}/summary").status_code == 200
    wrong = runner.invoke(args=["assessments", "purge", "--older-than", "twelve months"])
    assert wrong.exit_code == 2 and "not a period" in wrong.output


def test_purge_by_configuration_completed_ones_and_unused_grants(app_factory):
    app = app_factory(PURGE_UNFINISHED_AFTER="30d", PURGE_COMPLETED_AFTER="2y", GRANT_RETENTION_DAYS=7)
    client = Client(app)
    unfinished, _ = client.start()
    completed, _ = client.start()
    kept, _ = client.start()
    age(app, unfinished, 31)
    age(app, completed, 731, Status.COMPLETED)
    with app.app_context():
        db.session.execute(sa.update(BrowserGrant).values(used_at=utcnow() - timedelta(days=8)))
        db.session.commit()
        retention.purge_job()
    assert count_rows(app, Assessment) == 1 and count_rows(app, BrowserGrant) == 0
    with app.app_context():
        assert db.session.scalar(sa.select(Assessment.public_id)) == kept


@pytest.mark.parametrize(
    ("period", "now", "expected"),
    [
        ("12m", datetime(2026, 12, 2, 9, tzinfo=UTC), datetime(2025, 12, 2, 9, tzinfo=UTC)),
        ("1m", datetime(2026, 3, 31, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)),
        ("2y", datetime(2028, 2, 29, tzinfo=UTC), datetime(2026, 2, 28, tzinfo=UTC)),
        ("8w", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 10, 7, tzinfo=UTC)),
        ("30d", datetime(2026, 12, 2, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)),
    ],
)
def test_periods_count_calendar_months(period, now, expected):
    assert retention.before(period, now) == expected


def test_a_bad_period_in_the_settings_stops_the_start(tmp_path):
    with pytest.raises(ConfigurationError, match="PURGE_UNFINISHED_AFTER"):
        make_app(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path, PURGE_UNFINISHED_AFTER="soon")


def test_the_daily_hour_is_local_time():
    berlin_winter = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)  # 02:30 in Berlin
    assert jobs.seconds_until(3, "Europe/Berlin", berlin_winter) == 30 * 60
    assert jobs.seconds_until(3, "Europe/Berlin", berlin_winter + timedelta(hours=1)) == 23.5 * 3600


ran = threading.Event()


def mark_ran() -> None:
    ran.set()


def test_without_redis_the_web_process_runs_daily_jobs(app, monkeypatch):
    monkeypatch.setattr(jobs, "seconds_until", lambda hour, zone, now: 0.01)
    ran.clear()
    queue = app.extensions["advisor.jobs"]
    queue.schedule_daily("tests.test_retention.mark_ran", 3, "Europe/Berlin", 60)
    assert ran.wait(30)
    queue.close()  # stops the schedule too


def test_with_redis_the_worker_schedules_the_purge_once(app_factory, redis_url):
    import redis
    from rq import Queue
    from rq.registry import ScheduledJobRegistry

    redis.Redis.from_url(redis_url).flushdb()
    app = app_factory(REDIS_URL=redis_url, PURGE_AT_HOUR=3)
    connection = redis.Redis.from_url(redis_url)
    registry = ScheduledJobRegistry(queue=Queue("advisor", connection=connection))
    jobs.schedule_daily_jobs(app)
    jobs.schedule_daily_jobs(app)  # a second worker starting
    assert len(registry.get_job_ids()) == 1
    client = Client(app)
    stale, _ = client.start()
    age(app, stale, 400)
    from rq.job import Job

    Job.fetch(registry.get_job_ids()[0], connection=connection).delete()  # as once it has run
    with app.app_context():  # what the due job does: the purge, then schedule the next run
        jobs.run_daily("advisor.assessments.retention.purge_job", 3, "Europe/Berlin", 60)
    assert count_rows(app, Assessment) == 0
    assert len(registry.get_job_ids()) == 1


# -- Impressum and privacy notice ------------------------------------------------------------


def test_every_page_links_the_legal_notice_and_the_privacy_notice(client):
    aid, _ = client.start()
    for url in ("/", f"/a/{aid}/summary", "/does-not-exist"):
        page = client.get(url).get_data(as_text=True)
        assert '<a href="/impressum">Impressum</a>' in page
        assert '<a href="/datenschutz">Datenschutz</a>' in page


def test_the_legal_notice_names_the_configured_operator(app_factory):
    app = app_factory(
        OPERATOR_NAME="Kompetenzzentrum <Digitale> Kommune",
        OPERATOR_ADDRESS="Musterstraße 1\n12345 Musterstadt",
        OPERATOR_EMAIL="kontakt@example.org",
        OPERATOR_REPRESENTATIVE="Dr. Erika Muster",
    )
    page = Client(app).get("/impressum").get_data(as_text=True)
    assert "Kompetenzzentrum &lt;Digitale&gt; Kommune<br>Musterstraße 1<br>12345 Musterstadt" in page
    assert "Vertreten durch: Dr. Erika Muster" in page and 'href="mailto:kontakt@example.org"' in page
    unnamed = Client(app_factory()).get("/impressum").get_data(as_text=True)
    assert "hat seine Angaben noch nicht hinterlegt" in unnamed


def test_the_privacy_notice_says_what_the_settings_do(app_factory):
    app = app_factory(PURGE_UNFINISHED_AFTER="6m", GRANT_RETENTION_DAYS=14, ACCESS_LOG_RETENTION_DAYS=7)
    page = Client(app).get("/datenschutz").get_data(as_text=True)
    assert "wird 6 Monate nach der letzten Änderung automatisch gelöscht" in page
    assert "bleibt gespeichert, bis Sie sie löschen" in page
    assert "14 Tage nicht benutzt" in page and "nach 7 Tagen gelöscht" in page
    assert "§ 25 Abs. 2 Nr. 2 TDDDG" in page and "Art. 6 Abs. 1 UAbs. 1 Buchst. e DSGVO" in page
    private = app_factory(OPERATOR_PUBLIC_BODY=False, PURGE_COMPLETED_AFTER="1y", BACKUP_RETENTION_DAYS=30)
    page = Client(private).get("/datenschutz").get_data(as_text=True)
    assert "Buchst. f DSGVO" in page and "wird 1 Jahr nach der letzten Änderung" in page
    assert "spätestens nach 30 Tagen" in page
    english = Client(app)
    english.get("/language/en")
    assert "deleted automatically 6 months after it was last changed" in english.get(
        "/datenschutz"
    ).get_data(as_text=True)


def test_an_operator_can_supply_its_own_pages(app_factory, tmp_path):
    (tmp_path / "datenschutz.de.html").write_text("<h1>Datenschutz der Stadt</h1>", "utf-8")
    app = app_factory(PRIVACY_FILE=str(tmp_path / "datenschutz.{lang}.html"))
    client = Client(app)
    assert "<h1>Datenschutz der Stadt</h1>" in client.get("/datenschutz").get_data(as_text=True)
    client.get("/language/en")  # no English file: the German one
    assert "<h1>Datenschutz der Stadt</h1>" in client.get("/datenschutz").get_data(as_text=True)


def test_unused_respondent_grants_are_purged_but_the_respondents_stay(app_factory):
    from advisor.advising import session as guided
    from advisor.advising.models import RespondentGrant
    from advisor.assessments.models import Respondent

    app = app_factory(GRANT_RETENTION_DAYS=7, PURGE_UNFINISHED_AFTER=None, PURGE_COMPLETED_AFTER=None)
    client = Client(app)
    aid, _ = client.start()
    with app.app_context():
        assessment = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        old, old_token = guided.invite(db.session, assessment, "Anna", "Hauptamt")
        new, new_token = guided.invite(db.session, assessment, "Ben", "IT")
        guided.grant(db.session, "browser-a", old, old_token)
        guided.grant(db.session, "browser-b", new, new_token)
        db.session.execute(
            sa.update(RespondentGrant)
            .where(RespondentGrant.respondent_id == old.id)
            .values(used_at=utcnow() - timedelta(days=8))
        )
        db.session.commit()
        retention.purge_job()
        assert guided.opened(db.session, "browser-a", old.public_id) is None
        assert guided.opened(db.session, "browser-b", new.public_id) is not None
    assert count_rows(app, RespondentGrant) == 1 and count_rows(app, Respondent) == 2
