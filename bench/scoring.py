"""Benchmark the pure scoring + roadmap core and the batch path of `flask assess`.

Aims (issue 4): one assessment under 5 ms; 10,000 assessments in a batch under 10 s.

    .venv/bin/python bench/scoring.py [--count 10000] [--jobs 2]

Assessments are random but valid answers to the shipped catalogue (fixed seed), with
random profiles and priorities, so every run measures the same work.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.assessments.batch import run_batch  # noqa: E402
from advisor.catalogue import load_catalogue  # noqa: E402
from advisor.core import roadmap, scoring  # noqa: E402
from advisor.core.rules import Fact  # noqa: E402

CATALOGUE_DIR = ROOT / "questionnaires"
TODAY = date(2026, 11, 21)
TYPES = ["gemeinde", "ortsgemeinde", "stadt", "kreisfreie_stadt", "verwaltungsverband", "landkreis"]
STATES = ["BY", "RP", "BB", "NW", "NI", "SH"]
POPULATION = ["lt2k", "2k-5k", "5k-10k", "10k-25k", "25k-50k", "50k-100k", "100k-200k", "200k-400k", "400k+"]
STAFF = ["lt20", "20-49", "50-199", "200-999", "1000+"]


def random_assessment(catalogue, rng: random.Random) -> tuple[dict, dict, dict]:
    answers: dict[str, Fact] = {}
    for q in catalogue.questions.values():
        roll = rng.random()
        if roll < 0.05:
            continue
        if roll < 0.12 and q.allow_unknown:
            answers[q.id] = Fact("unknown")
        elif roll < 0.17 and q.offers_not_responsible:
            answers[q.id] = Fact("not_responsible")
        elif q.type == "level":
            answers[q.id] = Fact("answered", rng.randint(0, 4))
        elif q.type == "yes_no":
            answers[q.id] = Fact("answered", rng.random() < 0.5)
        elif q.type == "single":
            answers[q.id] = Fact("answered", rng.choice(q.options).id)
        elif q.type == "multiple":
            answers[q.id] = Fact(
                "answered", [o.id for o in q.options if not o.exclusive and rng.random() < 0.4]
            )
        else:
            value = rng.randint(int(q.min), int(q.max)) if q.integer else rng.uniform(q.min, q.max)
            answers[q.id] = Fact("answered", value)
    profile = {
        "municipality_type": rng.choice(TYPES),
        "population_band": rng.choice(POPULATION),
        "staff_band": rng.choice(STAFF),
        "state": rng.choice(STATES),
    }
    priorities = {
        f.id: scoring.Priority(rng.randint(1, 5), rng.randint(1, 4))
        for f in catalogue.fields
        if rng.random() < 0.8
    }
    return answers, profile, priorities


def exchange_file(catalogue, answers, profile, priorities) -> bytes:
    entries = {}
    for qid, fact in answers.items():
        entries[qid] = {"value": fact.value} if fact.state == "answered" else {"status": fact.state}
    return json.dumps(
        {
            "format": "advisor-assessment",
            "format_version": 1,
            "catalogue": {"id": catalogue.id, "version": catalogue.version},
            "profile": {**profile, "municipality_name": "Bench", "it_provider": ""},
            "priorities": {
                k: {"relevance": v.relevance, "target_level": v.target_level} for k, v in priorities.items()
            },
            "answers": entries,
        }
    ).encode()


def _core_chunk(items) -> int:
    catalogue = load_catalogue(CATALOGUE_DIR / "kommunal")
    for answers, profile, priorities in items:
        result = scoring.score(catalogue, answers, profile, priorities, TODAY)
        roadmap.build(catalogue, result, answers, profile, priorities, TODAY)
    return len(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--single", type=int, default=1000, help="assessments timed one by one")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    catalogue = load_catalogue(CATALOGUE_DIR / "kommunal")
    rng = random.Random(20261121)
    inputs = [random_assessment(catalogue, rng) for _ in range(args.count)]

    def one(item):
        answers, profile, priorities = item
        result = scoring.score(catalogue, answers, profile, priorities, TODAY)
        return roadmap.build(catalogue, result, answers, profile, priorities, TODAY)

    for item in inputs[:50]:  # warm up
        one(item)
    times = []
    for item in inputs[: args.single]:
        start = time.perf_counter()
        one(item)
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    single = {
        "n": len(times),
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(times[int(len(times) * 0.95) - 1], 3),
        "max_ms": round(times[-1], 3),
    }

    start = time.perf_counter()
    for item in inputs:
        one(item)
    core_serial = time.perf_counter() - start

    from concurrent.futures import ProcessPoolExecutor

    chunks = [inputs[i :: args.jobs] for i in range(args.jobs)]
    start = time.perf_counter()
    with ProcessPoolExecutor(args.jobs) as pool:
        done = sum(pool.map(_core_chunk, chunks))
    core_parallel = time.perf_counter() - start
    assert done == len(inputs)

    files = [(f"a{i}.json", exchange_file(catalogue, *item)) for i, item in enumerate(inputs)]
    start = time.perf_counter()
    results = run_batch(str(CATALOGUE_DIR), files, TODAY, jobs=args.jobs)
    batch_parallel = time.perf_counter() - start
    errors = [r for r in results if "error" in r]
    if errors:
        print(f"{len(errors)} files refused, e.g. {errors[0]}", file=sys.stderr)
        return 1

    report = {
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "catalogue": {"questions": catalogue.question_count, "measures": len(catalogue.measures)},
        "one_assessment": single,
        "core_serial_seconds": round(core_serial, 2),
        "core_parallel_seconds": round(core_parallel, 2),
        "files_end_to_end_seconds": round(batch_parallel, 2),
        "jobs": args.jobs,
        "count": args.count,
        "aims": {
            "one_under_5ms": single["median_ms"] < 5,
            "core_batch_under_10s": min(core_serial, core_parallel) < 10,
            "files_batch_under_10s": batch_parallel < 10,
        },
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
