"""Benchmark the results page of repeat assessments (issue 15).

    .venv/bin/python bench/rounds.py [--rounds 12] [--runs 15]

Builds one municipality's chain of rounds on the shipped catalogue (SQLite in a temporary
folder, every round completed with all questions answered and a few measures marked done
on its board), then times GET /a/<id>/results, interleaved, for the first round (no
development section) and for rounds 2, 6 and the last (the development section scores
every stored round for its chart). Prints the medians and their ratio to the first round:
ratios, because this machine's absolute times drift.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_chain(app, rounds: int) -> list[str]:
    """Resume tokens of ``rounds`` completed rounds of one municipality, oldest first."""
    from advisor.assessments import rounds as round_service
    from advisor.assessments import services
    from advisor.assessments.answers import AnswerInput
    from advisor.assessments.models import AnswerState, MeasureProgress, ProgressStatus
    from advisor.db import db
    from advisor.web import active_catalogue, catalogues

    rng = random.Random(15)
    with app.test_request_context():
        catalogue = active_catalogue()
        assessment, token = services.create_assessment(db.session, catalogue)
        services.save_profile(
            db.session,
            catalogue,
            assessment,
            {
                "municipality_name": "Benchdorf",
                "municipality_type": "gemeinde",
                "state": "HE",
                "population_band": "2k-5k",
                "staff_band": "20-49",
            },
        )
        tokens = []
        levels = {q.id: rng.randint(0, 2) for q in catalogue.questions.values() if q.type == "level"}
        for number in range(rounds):
            answers = {
                qid: AnswerInput(AnswerState.ANSWERED, min(4, level + number // 3))
                for qid, level in levels.items()
            }
            services.save_answers(db.session, catalogue, assessment, answers)
            services.complete(db.session, assessment)
            plan = round_service.board_measures(db.session, catalogue, assessment, date.today())
            for measure_id in plan[:3]:
                assessment.measure_progress.append(
                    MeasureProgress(measure_id=measure_id, status=ProgressStatus.DONE, on_date=date.today())
                )
            db.session.commit()
            tokens.append(token)
            if number < rounds - 1:
                assessment, token = round_service.start_follow_up(db.session, catalogues(), assessment)
                db.session.commit()
    return tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    from tests.conftest import make_app, reset_schema

    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(
            f"sqlite:///{tmp}/bench.sqlite3",
            Path(tmp),
            CATALOGUE_DIR=str(ROOT / "questionnaires"),
            ACTIVE_CATALOGUE="kommunal",
            RATELIMIT_ENABLED=False,
        )
        reset_schema(app)
        tokens = build_chain(app, args.rounds)
        client = app.test_client()
        pages = {}
        for index in sorted({0, 1, 5, args.rounds - 1} & set(range(args.rounds))):
            response = client.get(f"/r/{tokens[index]}")
            aid = response.location.split("/")[2]
            pages[index + 1] = f"/a/{aid}/results"
            assert client.get(pages[index + 1]).status_code == 200
        times: dict[int, list[float]] = {n: [] for n in pages}
        for _ in range(args.runs):
            for number, url in pages.items():
                start = time.perf_counter()
                response = client.get(url)
                times[number].append(time.perf_counter() - start)
                assert response.status_code == 200
        first = median(times[1])
        result = {
            f"round_{n}": {
                "median_ms": round(median(t) * 1000, 1),
                "ratio": round(median(t) / first, 2),
            }
            for n, t in times.items()
        }
        print(json.dumps(result, indent=2))
        app.extensions["advisor.jobs"].close()


if __name__ == "__main__":
    main()
