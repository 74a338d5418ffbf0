"""Throughput and p99 latency of saving answers, next to a bare Flask hello-world.

Runs the app under gunicorn (sync workers) against a fresh database, creates
one assessment the way a browser does (start page, CSRF token, session cookie),
and lets ``wrk`` POST the first field page of the shipped catalogue from N
concurrent connections, with a different answer on every request. Then the
same ``wrk`` settings are run against ``bench/hello.py`` under gunicorn on the
same machine, and both are printed side by side.

    .venv/bin/python bench/answer_post.py [--duration 15] [--connections 16] [--threads 2]
    .venv/bin/python bench/answer_post.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test

Aims (from the issue): the answer POST reaches at least half the hello-world's
requests per second, and its p99 latency stays under 100 ms. Results are also
written to ``bench/results/answer_post-<timestamp>.json``. The exit status is 1
when the benchmark itself went wrong (a server did not start, a request failed,
the answer was not stored) and, with ``--check``, 2 when an aim was missed.
"""

from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
LUA_SCRIPT = BENCH / "post_answers.lua"
CATALOGUE = ROOT / "questionnaires" / "kommunal"
COOKIE_NAME = "advisor_session"
AIM_RATIO = 0.5
AIM_P99_MS = 100.0


class BenchError(RuntimeError):
    """The benchmark could not run or produced wrong results."""


# -- processes --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn master in its own process group, logging to a file."""

    def __init__(self, name: str, app: str, workers: int, env: dict, log_dir: Path, chdir: Path):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{name}.log"
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--chdir",
            str(chdir),
            app,
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_until_up(self, path: str = "/", timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn ({self.name}) exited:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise BenchError(f"gunicorn ({self.name}) did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)  # master and its workers
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# -- a browser, with urllib -------------------------------------------------------------


class _HiddenInputs(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.values.setdefault(a["name"], a.get("value") or "")


def csrf_token(page: str) -> str:
    parser = _HiddenInputs()
    parser.feed(page)
    token = parser.values.get("csrf_token")
    if not token:
        raise BenchError("no csrf_token hidden input on the page")
    return token


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """Cookies kept like a browser's; ``post(..., follow=False)`` shows the redirect itself."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        self.no_redirect = urllib.request.build_opener(cookies, _NoRedirect)

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=10) as response:
            return response.geturl(), response.read().decode()

    def post(self, path: str, body: str | bytes, follow: bool = True) -> tuple[int, str, str]:
        data = body.encode() if isinstance(body, str) else body
        request = urllib.request.Request(
            self.base + path,
            data=data,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            opener = self.opener if follow else self.no_redirect
            with opener.open(request, timeout=10) as response:
                return response.status, response.geturl(), response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        for c in self.jar:
            if c.name == name:
                return c.value
        raise BenchError(f"no {name} cookie was set")


@dataclass
class Target:
    path: str
    cookie: str
    body_template: str  # "{level}" and "{seq}" are filled in per request
    level_questions: list[str]
    note_question: str
    aid: str


def form_body(csrf: str, questions: list, note_question: str) -> str:
    """The field page's form as a browser posts it: radios chosen, every note, nav=stay."""
    pairs = [("csrf_token", urllib.parse.quote_plus(csrf))]
    for q in questions:
        if q.type == "level":
            pairs.append((f"q_{q.id}", "{level}"))
        note = "bench {seq}" if q.id == note_question else ""
        pairs.append((f"n_{q.id}", urllib.parse.quote_plus(note, safe="{}")))
    pairs.append(("nav", "stay"))
    return "&".join(f"{k}={v}" for k, v in pairs)


def fill(template: str, level: int, seq: str) -> str:
    return template.replace("{level}", str(level)).replace("{seq}", seq)


def prepare_assessment(base_url: str) -> tuple[Browser, Target]:
    """Start an assessment like a browser and check that one answer POST gives 303."""
    sys.path.insert(0, str(ROOT))
    from advisor.catalogue import load_catalogue

    catalogue = load_catalogue(str(CATALOGUE))
    field = catalogue.fields[0]
    levels = [q for q in field.questions if q.type == "level"]
    if not levels:
        raise BenchError(f"field {field.id} has no level questions")

    browser = Browser(base_url)
    _, start_page = browser.get("/")
    status, url, _ = browser.post(
        "/assessments", urllib.parse.urlencode({"csrf_token": csrf_token(start_page)})
    )
    match = re.search(r"/a/([0-9a-f]+)/link", url)
    if status != 200 or not match:
        raise BenchError(f"starting an assessment ended at {status} {url}")
    aid = match.group(1)
    path = f"/a/{aid}/fields/{field.id}"
    _, page = browser.get(path)
    body = form_body(csrf_token(page), field.questions, levels[0].id)

    status, location, text = browser.post(path, fill(body, 4, "check"), follow=False)
    if status != 303 or not location.endswith(path):
        raise BenchError(f"answer POST gave {status} (Location {location!r}), expected 303:\n{text[:2000]}")
    _, page = browser.get(path)  # follow the redirect: shows (and consumes) the flash message
    if "bench check" not in page:
        raise BenchError("the answer saved by the check POST is not shown on the page")
    cookie = f"{COOKIE_NAME}={browser.cookie(COOKIE_NAME)}"
    return browser, Target(path, cookie, body, [q.id for q in levels], levels[0].id, aid)


# -- wrk --------------------------------------------------------------------------------


@dataclass
class Result:
    target: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    non_2xx_3xx: int
    socket_errors: dict
    see_other: int | None = None  # answer POST: responses 303 See Other (saved)
    unexpected_status: int | None = None  # answer POST: responses other than 303
    first_unexpected_status: int | None = None

    @property
    def errors(self) -> int:
        """Socket errors plus failed responses: non-2xx/3xx, and for the POST anything but 303."""
        return sum(self.socket_errors.values()) + max(self.non_2xx_3xx, self.unexpected_status or 0)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise BenchError(f"cannot read wrk latency {text!r}")
    return float(match.group(1)) * UNITS_MS[match.group(2)]


def parse_wrk(target: str, output: str) -> Result:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if not match:
            raise BenchError(f"unexpected wrk output (no {pattern!r}):\n{output}")
        return match

    percentiles = {p: _ms(find(rf"^\s+{p}%\s+(\S+)\s*$").group(1)) for p in (50, 90, 99)}
    total = find(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)")
    non = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", output)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    socket_errors = (
        dict(zip(("connect", "read", "write", "timeout"), map(int, sock.groups()), strict=True))
        if sock
        else {"connect": 0, "read": 0, "write": 0, "timeout": 0}
    )
    status = re.search(r"BENCH_STATUS expected=(\d+) unexpected=(\d+) first_unexpected=(\d+)", output)
    return Result(
        target=target,
        requests=int(total.group(1)),
        seconds=_ms(total.group(2) + total.group(3)) / 1000,
        rps=float(find(r"Requests/sec:\s*([\d.]+)").group(1)),
        p50_ms=percentiles[50],
        p90_ms=percentiles[90],
        p99_ms=percentiles[99],
        non_2xx_3xx=int(non.group(1)) if non else 0,
        socket_errors=socket_errors,
        see_other=int(status.group(1)) if status else None,
        unexpected_status=int(status.group(2)) if status else None,
        first_unexpected_status=(int(status.group(3)) or None) if status else None,
    )


def run_wrk(target: str, url: str, args, duration: float, lua_env: dict | None = None) -> Result:
    command = [
        shutil.which("wrk") or "wrk",
        "--latency",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{duration:g}s",
    ]
    env = dict(os.environ)
    if lua_env is not None:
        command += ["-s", str(LUA_SCRIPT)]
        env.update(lua_env)
    command.append(url)
    completed = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 60)
    if completed.returncode != 0:
        raise BenchError(f"wrk failed ({completed.returncode}):\n{completed.stdout}\n{completed.stderr}")
    return parse_wrk(target, completed.stdout)


# -- database ---------------------------------------------------------------------------


def create_schema(url: str) -> tuple[str, str]:
    """A schema of this run's own on PostgreSQL; return it and the URL that uses it."""
    import sqlalchemy as sa

    schema = f"advisor_bench_{os.getpid()}_{secrets.token_hex(4)}"
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    separator = "&" if "?" in url else "?"
    return schema, f"{url}{separator}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        engine.dispose()


def stored_answers(url: str, aid: str) -> tuple[int, dict[str, tuple]]:
    """The assessment's revision and its answers (value, note) by question id, from the DB."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            assessment_id, revision = connection.execute(
                sa.text("SELECT id, revision FROM assessments WHERE public_id = :aid"), {"aid": aid}
            ).one()
            rows = connection.execute(
                sa.text("SELECT question_id, value, note FROM answers WHERE assessment_id = :id"),
                {"id": assessment_id},
            ).all()
    finally:
        engine.dispose()
    return revision, {q: (json.loads(v) if isinstance(v, str) else v, n) for q, v, n in rows}


def verify_stored(url: str, target: Target, browser: Browser) -> dict:
    """The last answers are in the database and on the page; return what was found."""
    revision, answers = stored_answers(url, target.aid)
    for question in target.level_questions:
        value, _ = answers.get(question, (None, None))
        if value not in range(5):
            raise BenchError(f"answer to {question} not stored (found {value!r})")
    note = answers[target.note_question][1]
    if not re.fullmatch(r"bench \d+-\d+", note or ""):
        raise BenchError(f"note of {target.note_question} is {note!r}, not one written by wrk")
    _, page = browser.get(target.path)
    if note not in page:
        raise BenchError(f"stored note {note!r} is not shown on {target.path}")
    return {"revision": revision, "note": note, "levels": {q: answers[q][0] for q in target.level_questions}}


# -- report -----------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "loadavg_before": os.getloadavg()[0],
    }


def print_table(post: Result, hello: Result) -> None:
    print()
    print(f"{'target':<14} {'requests/s':>11} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for r in (post, hello):
        print(
            f"{r.target:<14} {r.rps:>11.1f} {r.p50_ms:>8.2f} {r.p90_ms:>8.2f} {r.p99_ms:>8.2f} {r.errors:>7}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=15, help="seconds per measured run (15)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up per target (3)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server (2)")
    parser.add_argument(
        "--database-url",
        help="SQLAlchemy URL of a PostgreSQL database to use instead of a fresh SQLite file; "
        "the run works in a schema of its own and drops it afterwards",
    )
    parser.add_argument(
        "--app",
        default="wsgi:app",
        help="gunicorn app of the advisor (wsgi:app); another module on PYTHONPATH that wraps "
        "it lets a change be measured before it is made",
    )
    parser.add_argument("--check", action="store_true", help="exit 2 when an aim is missed")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk, or `make system-packages`)", file=sys.stderr)
        return 1

    info = machine()
    servers: list[Server] = []
    schema = None
    with tempfile.TemporaryDirectory(prefix="advisor-bench-") as tmp:
        tmp_path = Path(tmp)
        try:
            if args.database_url and args.database_url.startswith("postgresql"):
                schema, database_url = create_schema(args.database_url)
            elif args.database_url:
                database_url = args.database_url
            else:
                database_url = f"sqlite:///{tmp_path / 'bench.sqlite3'}"
            env = dict(os.environ)
            env.update(
                ADVISOR_ENV="production",
                ADVISOR_SECRET_KEY=secrets.token_hex(32),
                ADVISOR_SESSION_COOKIE_SECURE="false",
                ADVISOR_DATABASE_URL=database_url,
                ADVISOR_INSTANCE_PATH=str(tmp_path / "instance"),
            )
            upgrade = subprocess.run(
                [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            if upgrade.returncode != 0:
                raise BenchError(f"db upgrade failed:\n{upgrade.stdout}\n{upgrade.stderr}")

            servers.append(Server("advisor", args.app, args.workers, env, tmp_path, ROOT))
            servers.append(Server("hello", "hello:app", args.workers, dict(os.environ), tmp_path, BENCH))
            advisor, hello = servers
            advisor.wait_until_up()
            hello.wait_until_up()

            browser, target = prepare_assessment(advisor.url)
            lua_env = {
                "BENCH_PATH": target.path,
                "BENCH_COOKIE": target.cookie,
                "BENCH_BODY": target.body_template,
            }
            print(
                f"{info['nproc']} CPUs ({info['cpu_model']}); wrk -t{args.threads} -c{args.connections} "
                f"-d{args.duration:g}s after {args.warmup:g}s warm-up; gunicorn --workers {args.workers} "
                f"{args.app}; "
                f"database {make_url(database_url).get_backend_name()}; "
                f"load average before {info['loadavg_before']:.2f}"
            )
            print(f"answer POST: {advisor.url}{target.path}   hello: {hello.url}/")

            saves = 1  # the check POST
            if args.warmup > 0:
                warm = run_wrk("answer POST", advisor.url + target.path, args, args.warmup, lua_env)
                saves += warm.see_other or 0
            post = run_wrk("answer POST", advisor.url + target.path, args, args.duration, lua_env)
            if args.warmup > 0:
                run_wrk("hello-world", hello.url + "/", args, args.warmup)
            hi = run_wrk("hello-world", hello.url + "/", args, args.duration)
            print_table(post, hi)
            saves += post.see_other or 0
            stored = verify_stored(database_url, target, browser)
            stored["saves"] = saves
        except BenchError as exc:
            print(f"benchmark failed: {exc}", file=sys.stderr)
            return 1
        finally:
            for server in servers:
                server.stop()
            if schema:
                drop_schema(args.database_url, schema)

    ratio = post.rps / hi.rps if hi.rps else 0.0
    aims = {
        "ratio_at_least_0.5": ratio >= AIM_RATIO,
        "p99_under_100ms": post.p99_ms < AIM_P99_MS,
    }
    print()
    print(
        f"answer POST / hello-world requests/s: {ratio:.2f}  "
        f"(aim >= {AIM_RATIO}: {'met' if aims['ratio_at_least_0.5'] else 'NOT MET'})"
    )
    print(
        f"answer POST p99: {post.p99_ms:.1f} ms  "
        f"(aim < {AIM_P99_MS:.0f} ms: {'met' if aims['p99_under_100ms'] else 'NOT MET'})"
    )
    print(f"stored after the run: note {stored['note']!r}, levels {stored['levels']}")
    # Every save changes the note, so each one must bump the revision (which starts at 1).
    # Requests still in flight when wrk stops are saved but not counted by wrk, so the
    # revision may exceed the count; below it, increments were lost.
    lost = max(0, saves + 1 - stored["revision"])
    print(
        f"revision {stored['revision']} after at least {saves} counted saves: "
        + (f"{lost} increments LOST to concurrent saves" if lost else "no increment lost")
    )

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    result_file = RESULTS / f"answer_post-{stamp}.json"
    result_file.write_text(
        json.dumps(
            {
                "timestamp": stamp,
                "machine": info,
                "settings": {
                    "duration_s": args.duration,
                    "warmup_s": args.warmup,
                    "connections": args.connections,
                    "threads": args.threads,
                    "gunicorn_workers": args.workers,
                    "database": make_url(database_url).get_backend_name(),
                    "app": args.app,
                },
                "answer_post": {**asdict(post), "errors": post.errors},
                "hello": {**asdict(hi), "errors": hi.errors},
                "ratio": ratio,
                "aims": aims,
                "stored": stored,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"results: {result_file.relative_to(ROOT)}")

    errors = post.errors + hi.errors
    if errors:
        print(f"ERROR: {errors} failed requests (see the table); the numbers are not valid", file=sys.stderr)
        if post.first_unexpected_status:
            print(f"first unexpected answer-POST status: {post.first_unexpected_status}", file=sys.stderr)
        return 1
    if args.check and not all(aims.values()):
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
