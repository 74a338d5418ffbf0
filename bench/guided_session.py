"""Issue 13's measure: N respondents answer one guided assessment at once while the advisor's
projector view polls for their answers.

The app runs under gunicorn (sync workers) on PostgreSQL, as in production. An advisor
signs in, creates the assessment, invites N respondents and reveals the question on the
projector. Each respondent opens their personal link in a browser of their own (urllib
with cookies) and, for D seconds, answers that question like a person: load the page,
choose a level and write a note ``bench <respondent>-<seq>``, save, think for T seconds.
Meanwhile one observer does what the projector's script does: poll ``version.json`` every
P seconds and, when it changed, load the projector page and read which notes it shows.

    .venv/bin/python bench/guided_session.py [--respondents 30] [--duration 60]
        [--think 1.0] [--poll 2.0] [--workers 4]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]

Counted:

* answers lost: a respondent's last acknowledged save (303) that is not what the database
  holds for them afterwards (each respondent saves one after another, so their last
  acknowledged save must be the stored one);
* save to projector: for every acknowledged save, the time from its acknowledgement until
  the projector page shows it or a later save of the same respondent (median, p95);
* the answer save itself: the POST until its 303 (p50, p95, p99), and failed requests / 5xx.

Results go to ``bench/results/guided-session-<timestamp>.json`` (git-ignored). Exit status 1
when the run failed, 2 when an aim was missed: no answer lost, no 5xx, save to projector
p95 under 3 s.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import answer_post as ap  # noqa: E402  (the shared gunicorn and browser helpers)
import robustness  # noqa: E402  (its server environment)

ROOT, RESULTS = ap.ROOT, ap.RESULTS
AIM_PROJECTOR_P95_S = 3.0
PASSWORD = "Kanal Fahrrad Wolke Zitrone"
LINK = re.compile(r'<textarea id="respondent-url"[^>]*>\s*([^<\s]+)\s*</textarea>')
NOTE = re.compile(r"bench (\d+)-(\d+)")
QUESTION = "cs_online_services"  # the first question of the first field, asked of every municipality
FIELD = "citizen_service"


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def environment(tmp: Path, database_url: str) -> dict:
    """As for the robustness benchmark (no Redis), and sign-ins are not limited either."""
    env = robustness.environment(tmp, database_url, None)
    env["ADVISOR_RATE_LIMIT_LOGIN"] = "10000 per minute"
    return env


def flask(env: dict, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise ap.BenchError(f"flask {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def form(browser: ap.Browser, page_path: str, **values: str) -> str:
    _, page = browser.get(page_path)
    return urllib.parse.urlencode({"csrf_token": ap.csrf_token(page), **values})


def prepare(base: str, env: dict, count: int) -> tuple[ap.Browser, str, list[str]]:
    """An advisor signed in, the guided assessment, the respondents' links; the question revealed."""
    output = flask(env, "users", "create", "bench-advisor@example.org", "--role", "advisor")
    link_path = urllib.parse.urlparse(re.search(r"(https?://\S+/account/link/\S+)", output).group(1)).path
    advisor = ap.Browser(base)
    status, _, _ = advisor.post(link_path, form(advisor, link_path, password=PASSWORD, confirm=PASSWORD))
    if status != 200:
        raise ap.BenchError(f"setting the advisor's password answered {status}")
    status, _, page = advisor.post(
        "/advisor/assessments", form(advisor, "/advisor", municipality_name="Benchmarkhausen")
    )
    aid = re.search(r"/a/([0-9a-f]{32})/profile", page).group(1)
    profile = {"municipality_type": "gemeinde", "state": "HE", "population_band": "2k-5k", "nav": "stay"}
    advisor.post(f"/a/{aid}/profile", form(advisor, f"/a/{aid}/profile", **profile))
    links = []
    for number in range(count):
        values = {"name": f"Person {number}", "role": f"Rolle {number}"}
        _, _, page = advisor.post(
            f"/a/{aid}/session/respondents", form(advisor, f"/a/{aid}/session", **values)
        )
        links.append(LINK.search(page).group(1))
    projector = f"/a/{aid}/session/projector/{QUESTION}"
    advisor.post(projector + "/reveal", form(advisor, projector, shown="1"))
    return advisor, aid, links


class Log:
    """What every thread saw, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.acks: dict[tuple[int, int], float] = {}  # (respondent, seq) -> acknowledged at
        self.last: dict[int, tuple[int, int]] = {}  # respondent -> (seq, level) of the last ack
        self.save_ms: list[float] = []
        self.get_ms: list[float] = []
        self.failed = 0
        self.server_errors = 0
        self.shown: dict[int, list[tuple[float, int]]] = {}  # respondent -> [(seen at, seq)]
        self.polls = 0
        self.page_loads = 0
        self.page_ms: list[float] = []


def respond(base: str, link: str, number: int, stop_at: float, think: float, log: Log) -> None:
    browser = ap.Browser(base)
    url, _ = browser.get(urllib.parse.urlparse(link).path)
    home = urllib.parse.urlparse(url).path
    page_path = f"{home}/fields/{FIELD}"
    rng = random.Random(number)
    seq = 0
    while time.monotonic() < stop_at:
        seq += 1
        level = rng.randrange(5)
        try:
            loading = time.monotonic()
            body = form(
                browser, page_path, **{f"q_{QUESTION}": str(level), f"n_{QUESTION}": f"bench {number}-{seq}"}
            )
            loaded = time.monotonic()
            started = time.monotonic()
            status, _, _ = browser.post(page_path, body, follow=False)
            done = time.monotonic()
        except (OSError, urllib.error.URLError, ap.BenchError):
            with log.lock:
                log.failed += 1
            continue
        with log.lock:
            log.get_ms.append((loaded - loading) * 1000)
            if status == 303:
                log.save_ms.append((done - started) * 1000)
                log.acks[(number, seq)] = done
                log.last[number] = (seq, level)
            else:
                log.failed += 1
                log.server_errors += status >= 500
        time.sleep(rng.uniform(0.5 * think, 1.5 * think))  # a person reads and thinks


def observe(advisor: ap.Browser, aid: str, stop_at: float, poll: float, log: Log) -> None:
    """What the projector's script does: poll the version, reload the live part when it changed."""
    version = None
    projector = f"/a/{aid}/session/projector/{QUESTION}"
    while time.monotonic() < stop_at:
        tick = time.monotonic()
        try:
            _, body = advisor.get(f"/a/{aid}/session/version.json")
            log.polls += 1
            current = json.loads(body)["version"]
            if current != version:
                version = current
                started = time.monotonic()
                _, page = advisor.get(projector)
                seen = time.monotonic()
                log.page_loads += 1
                log.page_ms.append((seen - started) * 1000)
                live = page.split('id="live"', 1)[1].split("</section>", 1)[0]
                with log.lock:
                    for who, seq in NOTE.findall(live):
                        log.shown.setdefault(int(who), []).append((seen, int(seq)))
        except (OSError, urllib.error.URLError, ValueError):
            pass
        time.sleep(max(0.0, poll - (time.monotonic() - tick)))


def latencies(log: Log) -> list[float]:
    """Per acknowledged save: until the projector showed it or a later save of the same respondent."""
    result = []
    for (who, seq), acked in log.acks.items():
        seen = [at for at, shown in log.shown.get(who, []) if shown >= seq and at >= acked]
        if seen:
            result.append(min(seen) - acked)
    return result


def stored(database_url: str, aid: str) -> dict[int, tuple[int, str]]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text(
                    "SELECT r.label, a.value, a.note FROM respondent_answers a "
                    "JOIN respondents r ON r.id = a.respondent_id "
                    "JOIN assessments s ON s.id = r.assessment_id "
                    "WHERE s.public_id = :aid AND a.question_id = :q"
                ),
                {"aid": aid, "q": QUESTION},
            ).all()
    finally:
        engine.dispose()
    return {
        int(label.split()[-1]): (json.loads(value) if isinstance(value, str) else value, note)
        for label, value, note in rows
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=30)
    parser.add_argument("--duration", type=float, default=60, help="seconds of answering (60)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds between saves (1.0)")
    parser.add_argument("--poll", type=float, default=2.0, help="projector poll seconds (2.0)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (4)")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args(argv)

    report: dict = {"machine": ap.machine(), "settings": vars(args)}
    schema, database_url = ap.create_schema(args.database_url)
    log = Log()
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-guided-") as tmp:
            tmp_path = Path(tmp)
            env = environment(tmp_path, database_url)
            flask(env, "db", "upgrade")
            server = ap.Server("guided", "wsgi:app", args.workers, env, tmp_path, ROOT)
            try:
                server.wait_until_up()
                advisor, aid, links = prepare(server.url, env, args.respondents)
                stop_at = time.monotonic() + args.duration
                threads = [
                    threading.Thread(
                        target=respond, args=(server.url, link, n, stop_at, args.think, log), daemon=True
                    )
                    for n, link in enumerate(links)
                ]
                until = stop_at + 2 * args.poll
                threads.append(threading.Thread(target=observe, args=(advisor, aid, until, args.poll, log)))
                print(f"{args.respondents} respondents answer for {args.duration:g} s; the projector polls")
                for thread in threads:
                    thread.start()
                for thread in threads:
                    thread.join(timeout=args.duration + 120)
                database = stored(database_url, aid)
            finally:
                server.stop()
    except ap.BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        ap.drop_schema(args.database_url, schema)

    lost = [
        who for who, (seq, level) in log.last.items() if database.get(who) != (level, f"bench {who}-{seq}")
    ]
    waits = latencies(log)
    report["results"] = {
        "acknowledged_saves": len(log.acks),
        "failed_requests": log.failed,
        "server_errors": log.server_errors,
        "answers_lost": len(lost),
        "save_ms": {
            "p50": round(percentile(log.save_ms, 0.50), 1),
            "p95": round(percentile(log.save_ms, 0.95), 1),
            "p99": round(percentile(log.save_ms, 0.99), 1),
        },
        "page_get_ms": {
            "p50": round(percentile(log.get_ms, 0.50), 1),
            "p95": round(percentile(log.get_ms, 0.95), 1),
        },
        "save_to_projector_s": {
            "measured": len(waits),
            "median": round(percentile(waits, 0.50), 2),
            "p95": round(percentile(waits, 0.95), 2),
            "max": round(max(waits), 2) if waits else None,
        },
        "projector_polls": log.polls,
        "projector_page_loads": log.page_loads,
        "projector_page_ms": {
            "p50": round(percentile(log.page_ms, 0.50), 1),
            "max": round(max(log.page_ms), 1) if log.page_ms else None,
        },
    }
    aims = {
        "no_answer_lost": not lost,
        "no_server_error": log.server_errors == 0,
        "projector_p95_under_3s": report["results"]["save_to_projector_s"]["p95"] < AIM_PROJECTOR_P95_S,
    }
    report["aims"] = aims
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"guided-session-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print(json.dumps(report["results"], indent=2))
    print(f"aims: {aims}\nwritten to {out.relative_to(ROOT)}")
    return 0 if all(aims.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
