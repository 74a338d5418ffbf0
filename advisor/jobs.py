"""Background jobs: RQ on Redis when ``REDIS_URL`` is set, else a small in-process pool.

Both run the same job functions, named by import path and given plain ids (never ORM
objects), each in an application context of its own. A job owns its transaction: it
commits where its work is done. Both enforce the same time limit with RQ's death
penalties, which raise :class:`JobTimeoutException` inside the job: the RQ work horse
through SIGALRM, the in-process pool through an asynchronous exception in the job's thread
(``TimerDeathPenalty``). A job that must not run twice checks its own state when it starts.

Without Redis (``make run``) the pool lives in the web process: at most ``JOB_THREADS``
jobs run at a time and further jobs wait in order. With Redis, ``flask worker`` (or
``rq worker advisor`` with the same settings) runs them in processes of their own, so a
slow job never holds up a page.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from datetime import UTC, datetime, timedelta
from importlib import import_module
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from rq.timeouts import JobTimeoutException, TimerDeathPenalty
from sqlalchemy import event
from sqlalchemy.orm import Session

QUEUE_NAME = "advisor"
log = logging.getLogger(__name__)

__all__ = ["JobTimeoutException", "after_commit", "cancel", "init_app", "submit"]


def _function(path: str) -> Callable:
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


class LocalQueue:
    """A bounded thread pool in this process; jobs beyond its size wait in order."""

    def __init__(self, app: Flask, threads: int) -> None:
        self.app = app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="advisor-job")
        self.pending: dict[str, Future] = {}
        self.lock = threading.Lock()
        self.stopped = threading.Event()

    def schedule_daily(self, path: str, hour: int, zone: str, timeout: int) -> None:
        """Submit the job at ``path`` every day at ``hour`` o'clock (a thread that waits)."""

        def loop() -> None:
            while not self.stopped.wait(seconds_until(hour, zone, datetime.now(UTC))):
                self.submit(path, (), f"daily-{path}", timeout)

        threading.Thread(target=loop, name="advisor-daily", daemon=True).start()

    def submit(self, path: str, args: tuple, job_id: str, timeout: int) -> None:
        future = self.executor.submit(self._run, path, args, timeout)
        with self.lock:
            self.pending[job_id] = future
        future.add_done_callback(lambda _: self._forget(job_id, future))

    def _forget(self, job_id: str, future: Future) -> None:
        with self.lock:
            if self.pending.get(job_id) is future:
                del self.pending[job_id]

    def _run(self, path: str, args: tuple, timeout: int) -> None:
        with self.app.app_context():
            try:
                with TimerDeathPenalty(timeout, JobTimeoutException):
                    _function(path)(*args)
            except Exception:  # noqa: BLE001 - a failed job is logged; the pool goes on
                log.exception("background job %s%r failed", path, args)

    def cancel(self, job_id: str) -> None:
        with self.lock:
            future = self.pending.get(job_id)
        if future is not None:
            future.cancel()  # only a job still waiting; a running one checks its state itself

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every job submitted so far has finished (tests, shutdown)."""
        with self.lock:
            futures = list(self.pending.values())
        done, not_done = wait_futures(futures, timeout=timeout)
        return not not_done

    def close(self) -> None:
        """Finish the running jobs, drop the waiting ones (they are queued again on demand)."""
        self.stopped.set()
        self.executor.shutdown(wait=True, cancel_futures=True)


class RedisQueue:
    """Jobs in Redis for RQ workers (``flask worker``)."""

    def __init__(self, url: str) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(url)
        self.queue = Queue(QUEUE_NAME, connection=self.connection)

    def submit(self, path: str, args: tuple, job_id: str, timeout: int) -> None:
        # The job's state is advisor's own (in the database); RQ keeps failures a day for
        # the operator (`rq info`), results not at all.
        self.queue.enqueue_call(
            func=path, args=args, job_id=job_id, timeout=timeout, result_ttl=0, failure_ttl=86400
        )

    def schedule_daily(self, path: str, hour: int, zone: str, timeout: int) -> None:
        """Schedule the next run of ``path`` once, however many workers start; it reschedules itself."""
        from rq.job import Job

        now = datetime.now(UTC)
        when = now + timedelta(seconds=seconds_until(hour, zone, now))
        name = f"daily-{path.replace('.', '_')}-{when.date().isoformat()}"
        if not Job.exists(name, connection=self.connection):
            self.queue.enqueue_at(
                when, run_daily, path, hour, zone, timeout, job_id=name, job_timeout=timeout, result_ttl=0
            )

    def cancel(self, job_id: str) -> None:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job, JobStatus

        try:
            job = Job.fetch(job_id, connection=self.connection)
        except NoSuchJobError:
            return
        if job.get_status() in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED):
            job.delete()  # a started job is left to its worker: it finds its work gone

    def wait(self, timeout: float | None = None) -> bool:
        return True  # the workers are other processes

    def close(self) -> None:
        self.connection.close()


#: Jobs run once a day, and the setting holding their hour (None: not scheduled).
DAILY = (
    ("advisor.assessments.retention.purge_job", "PURGE_AT_HOUR"),
    ("advisor.stats.services.snapshot_job", "STATS_SNAPSHOT_AT_HOUR"),
)
DAILY_TIMEOUT = 3600


def seconds_until(hour: int, zone: str, now: datetime) -> float:
    """Seconds from ``now`` to the next ``hour`` o'clock in time zone ``zone`` (at least one)."""
    local = now.astimezone(ZoneInfo(zone))
    target = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if target <= local:
        target = (local + timedelta(days=1)).replace(hour=hour, minute=0, second=0, microsecond=0)
    return max(1.0, (target.astimezone(UTC) - now).total_seconds())


def run_daily(path: str, hour: int, zone: str, timeout: int) -> None:
    """A scheduled daily job on Redis: run it, then schedule tomorrow's run."""
    try:
        _function(path)()
    finally:
        queue().schedule_daily(path, hour, zone, timeout)


def schedule_daily_jobs(app: Flask) -> None:
    """Schedule the daily jobs whose hour is configured (the purge, the statistics snapshot)."""
    for path, setting in DAILY:
        hour = app.config.get(setting)
        if hour is not None:
            hour = int(hour)
            app.extensions["advisor.jobs"].schedule_daily(
                path, hour, app.config["BABEL_DEFAULT_TIMEZONE"], DAILY_TIMEOUT
            )


def init_app(app: Flask) -> None:
    """Choose the queue: Redis when configured, the in-process pool otherwise.

    The in-process pool runs the daily jobs itself; with Redis, ``flask worker`` schedules
    them in RQ (its scheduler moves them to the queue when due).
    """
    url = app.config.get("REDIS_URL")
    queue = RedisQueue(url) if url else LocalQueue(app, int(app.config["JOB_THREADS"]))
    app.extensions["advisor.jobs"] = queue
    if not url:
        schedule_daily_jobs(app)


def queue() -> LocalQueue | RedisQueue:
    """The job queue of the current application."""
    return current_app.extensions["advisor.jobs"]


def submit(path: str, *args, job_id: str, timeout: int) -> None:
    """Run the function at ``path`` with ``args`` in the background, stopped after ``timeout`` s."""
    queue().submit(path, args, job_id, timeout)


def cancel(job_id: str) -> None:
    """Drop a job that has not started yet (a started one finds its work gone and stops)."""
    queue().cancel(job_id)


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed; never after a rollback.

    Jobs are submitted this way, so a worker never looks for rows it cannot see yet.
    """
    session.info.setdefault("after_commit", []).append(callback)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    for callback in session.info.pop("after_commit", []):
        callback()


@event.listens_for(Session, "after_soft_rollback")
def _forget_after_rollback(session: Session, previous_transaction) -> None:
    session.info.pop("after_commit", None)


def worker_process_setup(app: Flask) -> None:
    """Prepare ``flask worker``: import the renderer once, give forked jobs fresh connections."""
    from advisor.db import db
    from advisor.reports.render import warm_up

    warm_up()  # every work horse is forked from this process and inherits the import
    with app.app_context():
        engine = db.engine
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
