"""Issue 12's measure: acknowledged answers under load and a killed worker, two browsers on one
page, and the start page while eight worst-case reports render.

The app runs under gunicorn (2 sync workers) on PostgreSQL, with Redis and one
``flask worker`` (RQ) for the reports, as in production; the report scenario runs a second
time without Redis (reports in the web processes' thread pools, as ``make run``).

    .venv/bin/python bench/robustness.py [--respondents 50] [--duration 60] [--trials 20]
        [--reports 8] [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/test]
        [--redis-url redis://127.0.0.1:6379/14] [--modes redis,local]

Scenarios, in one run and side by side:

1. ``respondents``: N people answer their own assessments for D seconds, each like a
   browser (load the page, change one answer and its note, POST, follow the redirect).
   Halfway through, one gunicorn worker is killed with SIGKILL. Afterwards every
   acknowledged answer (a 303) must be stored, or a later one of the same respondent.
   Counted: acknowledged saves, failed requests, 5xx, acknowledged answers lost.
2. ``two browsers``: in each trial two browsers open the same page of one assessment;
   (a) A saves question 1, then B saves question 2 from its older copy: both must stay;
   (b) both change question 1: B must see the conflict page, A's answer must stay.
   Counted: silent losses (an acknowledged answer gone without a conflict page).
3. ``reports``: K assessments with maximal notes (every question, 2,000 characters in
   Latin, Greek and Cyrillic script) ask for their PDF at the same moment while one
   client measures ``GET /`` back to back; the same client measured it idle just before.
   Counted: p50/p99 of ``/`` idle and under load, 5xx, and how each report ended.

Results go to ``bench/results/robustness-<timestamp>.json`` (git-ignored). Exit status 1
when the run itself failed, 2 when an aim was missed: no acknowledged answer lost, no
silent loss, p99 of ``/`` under 200 ms with Redis, no 5xx anywhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import answer_post as ap  # noqa: E402  (the shared gunicorn and browser helpers)

ROOT, RESULTS = ap.ROOT, ap.RESULTS
FULL = ROOT / "tests" / "fixtures" / "full_assessment.json"
AIM_HOME_P99_MS = 200.0
HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
NAME_VALUE = re.compile(r'name="([^"]+)"[^>]*value="([^"]*)"')


def hidden_inputs(page: str) -> dict[str, str]:
    """The hidden inputs of a page (CSRF token, the fingerprints of what the page shows)."""
    values = {}
    for tag in HIDDEN.findall(page):
        match = NAME_VALUE.search(tag)
        if match:
            values[match.group(1)] = match.group(2).replace("&#34;", '"').replace("&amp;", "&")
    return values


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_assessment(base: str) -> tuple[ap.Browser, str]:
    browser = ap.Browser(base)
    _, page = browser.get("/")
    status, url, _ = browser.post("/assessments", urllib.parse.urlencode({"csrf_token": ap.csrf_token(page)}))
    match = re.search(r"/a/([0-9a-f]+)/link", url)
    if status != 200 or not match:
        raise ap.BenchError(f"starting an assessment ended at {status} {url}")
    return browser, match.group(1)


def level_questions(catalogue) -> dict[str, list[str]]:
    return {f.id: [q.id for q in f.questions if q.type == "level"] for f in catalogue.fields}


# -- 1: respondents and a killed worker -----------------------------------------------------


@dataclass
class Respondent:
    index: int
    acked: dict[str, int] = field(default_factory=dict)  # question -> sequence number
    saves: int = 0
    failures: int = 0
    server_errors: int = 0
    lost: int = 0


def respond(base: str, fields: dict[str, list[str]], r: Respondent, stop_at: float) -> None:
    field_id = list(fields)[r.index % len(fields)]
    questions = fields[field_id]
    browser, aid = start_assessment(base)
    path = f"/a/{aid}/fields/{field_id}"
    model: dict[str, tuple[int, str]] = {}  # what this respondent believes is stored
    seq = 0
    while time.monotonic() < stop_at:
        seq += 1
        question = questions[seq % len(questions)]
        try:
            _, page = browser.get(path)
            form = hidden_inputs(page)
            wanted = dict(model)
            wanted[question] = (seq % 5, f"r{r.index}-{seq}")
            pairs = list(form.items())
            for qid, (level, note) in wanted.items():
                pairs += [(f"q_{qid}", str(level)), (f"n_{qid}", note)]
            pairs.append(("nav", "stay"))
            status, _, _ = browser.post(path, urllib.parse.urlencode(pairs), follow=False)
        except (urllib.error.URLError, OSError, ap.BenchError):
            r.failures += 1  # e.g. the connection of the killed worker: not acknowledged
            continue
        if status == 303:
            r.saves += 1
            model = wanted
            r.acked[question] = seq
        elif status >= 500:
            r.server_errors += 1
        else:
            r.failures += 1
    _, page = browser.get(path)
    for question, acked in r.acked.items():
        found = re.search(rf'id="n_{question}"[^>]*>r{r.index}-(\d+)</textarea>', page)
        if found is None or int(found.group(1)) < acked:
            r.lost += 1


def gunicorn_workers(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == master:
                children.append(int(entry.name))
    return children


def scenario_respondents(base: str, server: ap.Server, count: int, duration: float) -> dict:
    sys.path.insert(0, str(ROOT))
    from advisor.catalogue import load_catalogue

    fields = level_questions(load_catalogue(str(ap.CATALOGUE)))
    people = [Respondent(i) for i in range(count)]
    stop_at = time.monotonic() + duration
    threads = [threading.Thread(target=respond, args=(base, fields, p, stop_at)) for p in people]
    for thread in threads:
        thread.start()
    killed = None
    if not threading.Event().wait(duration / 2):  # halfway: SIGKILL one worker
        workers = gunicorn_workers(server.process.pid)
        if workers:
            killed = workers[0]
            os.kill(killed, signal.SIGKILL)
    for thread in threads:
        thread.join()
    return {
        "respondents": count,
        "duration_s": duration,
        "killed_worker": killed,
        "acknowledged_saves": sum(p.saves for p in people),
        "failed_requests": sum(p.failures for p in people),
        "server_errors_5xx": sum(p.server_errors for p in people),
        "acknowledged_answers_lost": sum(p.lost for p in people),
    }


# -- 2: two browsers on one page ------------------------------------------------------------


def second_browser(base: str, first: ap.Browser, aid: str) -> ap.Browser:
    _, page = first.get(f"/a/{aid}/link")
    link = re.search(r'<textarea id="resume-url"[^>]*>([^<]+)</textarea>', page).group(1)
    other = ap.Browser(base)
    other.get(urllib.parse.urlsplit(link).path)
    return other


def post_page(browser: ap.Browser, path: str, page: str, answers: dict[str, int]) -> tuple[int, str]:
    pairs = list(hidden_inputs(page).items())
    pairs += [(f"q_{qid}", str(level)) for qid, level in answers.items()] + [("nav", "stay")]
    status, _, text = browser.post(path, urllib.parse.urlencode(pairs), follow=False)
    return status, text


def stored(browser: ap.Browser, aid: str) -> dict:
    _, text = browser.get(f"/a/{aid}/export.json")
    return {qid: a.get("value") for qid, a in json.loads(text)["answers"].items()}


def scenario_two_browsers(base: str, trials: int) -> dict:
    sys.path.insert(0, str(ROOT))
    from advisor.catalogue import load_catalogue

    field_id, questions = next(iter(level_questions(load_catalogue(str(ap.CATALOGUE))).items()))
    q1, q2 = questions[:2]
    path_of = lambda aid: f"/a/{aid}/fields/{field_id}"  # noqa: E731
    silent = {"different_questions": 0, "same_question": 0}
    conflicts_shown = 0
    for _ in range(trials):
        a, aid = start_assessment(base)
        b = second_browser(base, a, aid)
        path = path_of(aid)
        # (a) different questions
        _, page_a = a.get(path)
        _, page_b = b.get(path)
        status_a, _ = post_page(a, path, page_a, {q1: 1})
        status_b, _ = post_page(b, path, page_b, {q2: 2})
        now = stored(a, aid)
        if (status_a == 303 and now.get(q1) != 1) or (status_b == 303 and now.get(q2) != 2):
            silent["different_questions"] += 1
        # (b) the same question
        _, page_a = a.get(path)
        _, page_b = b.get(path)
        status_a, _ = post_page(a, path, page_a, {q1: 3, q2: 2})
        status_b, text_b = post_page(b, path, page_b, {q1: 4, q2: 2})
        conflict = status_b == 200 and f'name="keep_{q1}"' in text_b
        conflicts_shown += conflict
        now = stored(a, aid)
        if status_a == 303 and now.get(q1) != 3 and not conflict:
            silent["same_question"] += 1
    return {"trials": trials, "silent_losses": silent, "conflict_pages_shown": conflicts_shown}


# -- 3: worst-case reports while the start page is measured ---------------------------------


def worst_case_file() -> bytes:
    document = json.loads(FULL.read_text("utf-8"))
    sample = "Straße Ärger Öl – αβγδ ελληνικά – кириллица и пр. "
    for index, answer in enumerate(document["answers"].values()):
        answer["note"] = ((sample + f"#{index} ") * 60)[:2000]
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def measure_home(base: str, seconds: float) -> dict:
    browser = ap.Browser(base)
    latencies, server_errors = [], 0
    stop_at = time.monotonic() + seconds
    while time.monotonic() < stop_at:
        started = time.perf_counter()
        try:
            with browser.opener.open(base + "/", timeout=60) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            server_errors += exc.code >= 500
        latencies.append((time.perf_counter() - started) * 1000)
    return {
        "requests": len(latencies),
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(max(latencies), 1),
        "server_errors_5xx": server_errors,
    }


def report_state(browser: ap.Browser, aid: str) -> str:
    _, text = browser.get(f"/a/{aid}/report/status.json")
    return json.loads(text)["status"]


def scenario_reports(base: str, count: int, seconds: float, patience: float) -> dict:
    content = worst_case_file()
    people = []
    for _ in range(count):
        browser = ap.Browser(base)
        _, page = browser.get("/import")
        boundary = secrets.token_hex(8)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
                f"{ap.csrf_token(page)}\r\n--{boundary}\r\nContent-Disposition: form-data; "
                f'name="file"; filename="a.json"\r\nContent-Type: application/json\r\n\r\n'
            ).encode()
            + content
            + f"\r\n--{boundary}--\r\n".encode()
        )
        request = urllib.request.Request(
            base + "/import", data=body, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        try:
            with browser.no_redirect.open(request, timeout=60) as response:  # noqa: S310
                raise ap.BenchError(f"import answered {response.status}")
        except urllib.error.HTTPError as exc:
            match = re.search(r"/a/([0-9a-f]+)/", exc.headers.get("Location", ""))
            if exc.code != 303 or match is None:
                raise ap.BenchError(f"import answered {exc.code}") from None
            people.append((browser, match.group(1)))
    idle = measure_home(base, seconds)
    asked_at = time.monotonic()
    statuses = []
    barrier = threading.Barrier(count)

    def ask(browser: ap.Browser, aid: str) -> None:
        barrier.wait()
        try:
            with browser.no_redirect.open(f"{base}/a/{aid}/report.pdf", timeout=60) as response:  # noqa: S310
                statuses.append(response.status)
        except urllib.error.HTTPError as exc:
            statuses.append(exc.code)

    askers = [threading.Thread(target=ask, args=person) for person in people]
    for thread in askers:
        thread.start()
    loaded = measure_home(base, seconds)
    for thread in askers:
        thread.join()
    outcome: dict[str, str] = {}
    finished_s: list[float] = []
    deadline = time.monotonic() + patience
    pending = {aid: browser for browser, aid in people}
    while pending and time.monotonic() < deadline:
        for aid, browser in list(pending.items()):
            state = report_state(browser, aid)
            if state in ("ready", "failed"):
                outcome[aid] = state
                finished_s.append(time.monotonic() - asked_at)
                del pending[aid]
        threading.Event().wait(1)
    for aid in pending:
        outcome[aid] = "still pending"
    return {
        "reports": count,
        "first_responses": sorted(statuses),
        "home_idle": idle,
        "home_while_rendering": loaded,
        "report_outcomes": {state: list(outcome.values()).count(state) for state in set(outcome.values())},
        "seconds_until_each_finished": [round(s, 1) for s in sorted(finished_s)],
    }


# -- the run --------------------------------------------------------------------------------


def environment(tmp: Path, database_url: str, redis_url: str | None) -> dict:
    env = dict(os.environ)
    env.update(
        ADVISOR_ENV="production",
        ADVISOR_SECRET_KEY=secrets.token_hex(32),
        ADVISOR_SESSION_COOKIE_SECURE="false",
        ADVISOR_DATABASE_URL=database_url,
        ADVISOR_INSTANCE_PATH=str(tmp / "instance"),
        ADVISOR_OPERATOR_NAME="Benchmark",
        # Every simulated person comes from 127.0.0.1: lift the per-address limits that the
        # scenarios would otherwise hit (the limits themselves are tested in tests/).
        ADVISOR_RATE_LIMIT_RESUME="10000 per minute",
        ADVISOR_RATE_LIMIT_IMPORT="10000 per minute",
        ADVISOR_RATE_LIMIT_REPORT="10000 per minute",
    )
    env.pop("ADVISOR_REDIS_URL", None)
    if redis_url:
        env["ADVISOR_REDIS_URL"] = redis_url
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50)
    parser.add_argument("--duration", type=float, default=60, help="seconds of answering (60)")
    parser.add_argument("--trials", type=int, default=20, help="two-browser trials (20)")
    parser.add_argument("--reports", type=int, default=8)
    parser.add_argument("--home-seconds", type=float, default=20, help="seconds `/` is measured (20)")
    parser.add_argument("--patience", type=float, default=600, help="seconds to wait for reports (600)")
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--modes", default="redis,local", help="redis, local or both (redis,local)")
    args = parser.parse_args(argv)

    import redis

    info = ap.machine()
    report: dict = {"machine": info, "settings": vars(args), "modes": {}}
    schema, database_url = ap.create_schema(args.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="advisor-robust-") as tmp:
            tmp_path = Path(tmp)
            upgrade = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                cwd=ROOT,
                env=environment(tmp_path, database_url, None),
                capture_output=True,
                text=True,
                timeout=120,
            )
            if upgrade.returncode != 0:
                raise ap.BenchError(f"db upgrade failed:\n{upgrade.stderr}")
            for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
                redis_url = args.redis_url if mode == "redis" else None
                if redis_url:
                    redis.Redis.from_url(redis_url).flushdb()
                env = environment(tmp_path, database_url, redis_url)
                server = ap.Server(f"advisor-{mode}", "wsgi:app", 2, env, tmp_path, ROOT)
                worker = None
                if redis_url:
                    log = (tmp_path / "worker.log").open("wb")
                    worker = subprocess.Popen(
                        [sys.executable, "-m", "flask", "--app", "wsgi", "worker"],
                        cwd=ROOT,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                try:
                    server.wait_until_up()
                    results = {}
                    if mode == "redis":
                        print(f"[{mode}] {args.respondents} respondents, {args.duration:g} s, worker killed")
                        results["respondents"] = scenario_respondents(
                            server.url, server, args.respondents, args.duration
                        )
                        print(f"  {results['respondents']}")
                        print(f"[{mode}] two browsers, {args.trials} trials")
                        results["two_browsers"] = scenario_two_browsers(server.url, args.trials)
                        print(f"  {results['two_browsers']}")
                    print(f"[{mode}] {args.reports} worst-case reports while GET / is measured")
                    results["reports"] = scenario_reports(
                        server.url, args.reports, args.home_seconds, args.patience
                    )
                    print(f"  {results['reports']}")
                    report["modes"][mode] = results
                finally:
                    server.stop()
                    if worker is not None:
                        os.killpg(worker.pid, signal.SIGTERM)
                        worker.wait(timeout=60)
    except ap.BenchError as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        ap.drop_schema(args.database_url, schema)

    aims = {}
    redis_results = report["modes"].get("redis", {})
    if "respondents" in redis_results:
        aims["no_acknowledged_answer_lost"] = redis_results["respondents"]["acknowledged_answers_lost"] == 0
        aims["no_silent_loss"] = not any(redis_results["two_browsers"]["silent_losses"].values())
    if "reports" in redis_results:
        aims["home_p99_under_200ms_while_rendering"] = (
            redis_results["reports"]["home_while_rendering"]["p99_ms"] < AIM_HOME_P99_MS
        )
    aims["no_5xx"] = all(
        results.get("respondents", {}).get("server_errors_5xx", 0) == 0
        and results["reports"]["home_while_rendering"]["server_errors_5xx"] == 0
        and results["reports"]["home_idle"]["server_errors_5xx"] == 0
        for results in report["modes"].values()
    )
    report["aims"] = aims
    for name, met in aims.items():
        print(f"{name}: {'met' if met else 'NOT MET'}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"robustness-{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"results: {path.relative_to(ROOT)}")
    return 0 if all(aims.values()) else 2


if __name__ == "__main__":
    sys.exit(main())
