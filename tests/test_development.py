"""Development since the earlier round (issue 15, item 3): numbers, projection, page and report.

The pure parts (the projection from a set of measures, the phase due, the projection check)
with plain data; the assembled section against scores worked out by hand on the mini
catalogue, on SQLite and PostgreSQL: a follow-up on the same catalogue, one on a catalogue
whose migration renamed a question, three rounds in the chart, and an earlier round that is
not stored here.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.assessments import development, rounds
from advisor.assessments.models import (
    Answer,
    AnswerState,
    Assessment,
    CatalogueSnapshot,
    MeasureProgress,
    ProgressStatus,
    Status,
)
from advisor.assessments.results import of_assessment
from advisor.catalogue import catalogue_as_dict, load_catalogue
from advisor.core import roadmap, scoring
from advisor.core.comparison import MET_TOLERANCE, ProjectionCheck, check_projection
from advisor.core.rules import Fact
from advisor.db import db
from advisor.web import catalogues
from tests.conftest import CATALOGUES, Client

MINI = load_catalogue(CATALOGUES / "mini")
MEASURES = {m.id: m for m in MINI.measures}
PROFILE = {"municipality_type": "stadt", "state": "NW", "population_band": "100k+", "staff_band": "1000+"}
DAY = date(2025, 1, 15)
EARLIER_DONE = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
LATER_DONE = datetime(2026, 2, 20, 10, 0, tzinfo=UTC)


def a(value):
    return Fact("answered", value)


#: The earlier round: alpha (0.25 + 1 + 0) / 3 = 41.7, beta (0.25 + 0.1 + 0) / 3 = 11.7, overall 26.7.
EARLIER = {
    "a_level": a(1),
    "a_single": a("two"),
    "a_yes": a(False),
    "b_multi": a(["z"]),
    "b_number": a(100),
    "b_share": Fact("unknown", None),
}


# -- pure: the projection from measures, the phase due, the check ---------------------------


def test_the_projection_of_a_set_of_measures_by_hand():
    result = scoring.score(MINI, {**EARLIER, "a_single": a("one")}, PROFILE, {}, DAY)
    assert result.field("alpha").score == pytest.approx(100 * 0.25 / 3)
    # "Grundlagen A" raises a_level to 3 and a_single to 4: (0.75 + 1 + 0) / 3.
    projected = roadmap.project(result, MEASURES, ["m_a_basics"])
    assert projected["alpha"] == pytest.approx(100 * 1.75 / 3)
    assert projected["beta"] == pytest.approx(result.field("beta").score)
    # "Verantwortliche Person" raises a_level to 2 only: below what m_a_basics reaches, so adds nothing.
    assert roadmap.project(result, MEASURES, ["m_a_basics", "m_lead"]) == projected
    assert roadmap.project(result, MEASURES, ["m_lead"])["alpha"] == pytest.approx(100 * 0.5 / 3)
    # Nothing done, unknown ids: the scores as they are.
    assert roadmap.project(result, MEASURES, ["no_such_measure"]) == {
        f.field_id: f.score for f in result.fields
    }


def test_a_question_that_does_not_count_is_not_raised():
    result = scoring.score(MINI, {**EARLIER, "a_single": Fact("not_responsible", None)}, PROFILE, {}, DAY)
    # a_single is out of the maximum: (0.75 + 0) / 2 after m_a_basics.
    assert roadmap.project(result, MEASURES, ["m_a_basics"])["alpha"] == pytest.approx(100 * 0.75 / 2)


levels = st.sampled_from([0, 1, 2, 3, 4])
mini_answers = st.fixed_dictionaries(
    {
        "a_level": st.one_of(levels.map(a), st.just(Fact("unknown", None))),
        "a_single": st.sampled_from([a("one"), a("two"), Fact("not_responsible", None)]),
        "a_yes": st.sampled_from([a(True), a(False)]),
        "b_multi": st.sampled_from([a([]), a(["z"]), a(["x", "y"]), a(["none"])]),
        "b_number": st.integers(0, 5000).map(a),
        "b_share": st.one_of(st.integers(0, 100).map(a), st.just(Fact("unknown", None))),
    }
)


@settings(max_examples=60, deadline=None)
@given(mini_answers, st.sampled_from(["lt20", "20-49", "1000+"]))
def test_each_phase_projects_what_its_measures_and_those_before_reach(answers, staff):
    """The roadmap's phases and ``project`` are one implementation: a phase's projection is that
    of the measures planned up to it; projections never fall below the score now."""
    profile = {**PROFILE, "staff_band": staff}
    result = scoring.score(MINI, answers, profile, {}, DAY)
    plan = roadmap.build(MINI, result, answers, profile, {}, DAY)
    for phase in plan.phases:
        upto = [i.measure_id for i in plan.items if i.phase <= phase.number]
        assert roadmap.project(result, MEASURES, upto) == pytest.approx(phase.projected)
        for f in result.fields:
            if f.score is not None:
                assert phase.projected[f.field_id] >= f.score - 1e-9


def test_the_phase_due_is_the_last_one_finished_and_phase_one_while_it_runs():
    result = scoring.score(MINI, EARLIER, PROFILE, {}, DAY)
    plan = roadmap.build(MINI, result, EARLIER, PROFILE, {}, DAY)
    due = {months: roadmap.phase_due(plan, months).number for months in (0, 5, 6, 17, 18, 35, 36, 80)}
    assert due == {0: 1, 5: 1, 6: 1, 17: 1, 18: 2, 35: 2, 36: 3, 80: 3}
    assert roadmap.phase_due(roadmap.Roadmap((), (), ()), 12) is None


def test_a_projection_is_met_within_half_a_point():
    assert MET_TOLERANCE == 0.5
    assert ProjectionCheck("f", 60.0, None, 59.5).met is True
    assert ProjectionCheck("f", 60.0, None, 59.5).short == 0.0
    missed = ProjectionCheck("f", 60.0, 55.0, 59.4)
    assert missed.met is False and missed.short == pytest.approx(0.6)
    assert ProjectionCheck("f", None, None, 50.0).met is None
    assert ProjectionCheck("f", 50.0, None, None).short is None
    checks = check_projection({"x": 40.0, "y": 10.0}, {"x": 35.0}, {"y": 9.0, "x": 50.0, "new": 5.0})
    assert [(c.field_id, c.met, c.from_done) for c in checks] == [("y", False, None), ("x", True, 35.0)]


@given(st.floats(0, 100), st.floats(0, 100))
def test_met_and_short_agree(planned, now):
    check = ProjectionCheck("f", planned, None, now)
    assert check.met == (now >= planned - MET_TOLERANCE)
    assert check.short == (0.0 if check.met else planned - now)
    assert check.short >= 0


def test_the_chart_places_rounds_and_breaks_lines_at_gaps():
    chart = development.line_chart(
        [("1/1/24", "Jan 1, 2024"), ("1/1/25", "Jan 1, 2025"), ("1/1/26", "Jan 1, 2026")],
        [
            ("Overall", [20.0, None, 100.0], ("#000", "", "circle"), True),
            ("A", [0.0, 50.4, 49.6], ("#111", "2 3", "square"), False),
        ],
    )
    assert [x for x, _short, _full in chart.rounds] == [development.LEFT, 214.0, development.RIGHT]
    overall, field = chart.series
    assert overall.values == (20, None, 100) and overall.segments == ()  # no two neighbours known
    assert overall.points[2] == (development.RIGHT, development.TOP)
    assert field.values == (0, 50, 50) and len(field.segments) == 1 and len(field.segments[0]) == 3
    assert field.points[0][1] == development.BOTTOM
    assert "Overall: 20 → – → 100" in chart.description and "A: 0 → 50 → 50" in chart.description


def test_every_line_style_draws_in_the_svg_macro():
    """Overall and five fields: each has its own marker shape and dash pattern, in plain SVG."""
    from advisor.reports.render import environment

    styles = [development.OVERALL_STYLE, *development.FIELD_STYLES]
    assert len({marker for _c, _d, marker in styles}) == len(styles)
    assert len({dash for _c, dash, _m in styles}) == len(styles)
    chart = development.line_chart(
        [("a", "A"), ("b", "B")],
        [(f"L{i}", [10.0 * i, 20.0 * i], style, i == 0) for i, style in enumerate(styles)],
    )
    template = environment({}).from_string(
        '{% from "_charts.html" import line_chart %}{{ line_chart(chart, "Scores <&>", font="Report Sans") }}'
    )
    svg = template.render(chart=chart)
    assert svg.count("<polyline") == 6 and "Scores &lt;&amp;&gt;" in svg
    assert svg.count("<circle") == 4  # overall's dots and the ring's
    assert svg.count("<rect") == 2 and svg.count("<polygon") == 4 and svg.count("<path") == 2
    assert 'font-family="Report Sans"' in svg and "<title" in svg and "<desc" in svg


# -- the assembled section: rounds in the database ---------------------------------------


def find(aid: str) -> Assessment:
    return db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))


def first_round(app, client: Client) -> str:
    """The earlier round as in EARLIER, completed on 15 January 2025 (English pages)."""
    client.get("/language/en")
    aid, _ = client.start()
    client.profile(aid, staff_band="1000+", municipality_name="Musterstadt")
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "1", "q_a_single": "two", "q_a_yes": "no"})
    client.post(f"/a/{aid}/fields/beta", {"q_b_multi": ["z"], "q_b_number": "100", "s_b_share": "unknown"})
    assert client.post(f"/a/{aid}/complete").status_code == 303
    with app.app_context():
        find(aid).completed_at = EARLIER_DONE
        db.session.commit()
    return aid


def follow_up(app, client: Client, aid: str, board: dict | None = None) -> str:
    """Mark the earlier round's board, start the follow-up and open it in this browser."""
    with app.app_context():
        earlier = find(aid)
        for measure_id, (status, on) in (board or {}).items():
            earlier.measure_progress.append(
                MeasureProgress(measure_id=measure_id, status=status, on_date=on, note="")
            )
        later, token = rounds.start_follow_up(db.session, catalogues(), earlier)
        db.session.commit()
        later_aid = later.public_id
    assert client.get(f"/r/{token}").status_code == 303
    return later_aid


def complete_on(app, client: Client, aid: str, when: datetime) -> None:
    assert client.post(f"/a/{aid}/complete").status_code == 303
    with app.app_context():
        find(aid).completed_at = when
        db.session.commit()


def page_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(html: str) -> str:
    return re.search(r'<section id="development".*?</section>', html, re.S).group(0)


BOARD = {
    "m_lead": (ProgressStatus.DONE, date(2025, 3, 1)),
    # Done only after the follow-up was completed: started, as far as the comparison goes.
    "m_a_yes": (ProgressStatus.DONE, date(2026, 3, 10)),
}


def test_the_follow_up_shows_the_development_since_the_earlier_round(app, client):
    earlier = first_round(app, client)
    later = follow_up(app, client, earlier, BOARD)
    # alpha (0.5 + 1 + 1) / 3 = 83.3; beta (1 + 0.2 + 0.5) / 3 = 56.7; overall 70.
    client.post(f"/a/{later}/fields/alpha", {"q_a_level": "2", "q_a_single": "two", "q_a_yes": "yes"})
    client.post(f"/a/{later}/fields/beta", {"q_b_multi": ["x", "y"], "q_b_number": "200", "q_b_share": "50"})
    complete_on(app, client, later, LATER_DONE)

    with app.app_context():
        assessment = find(later)
        catalogue = catalogues()["mini"]
        evaluation = of_assessment(catalogue, assessment, date(2026, 3, 20))
        with app.test_request_context():
            dev = development.for_report(
                db.session, catalogues(), catalogue, assessment, evaluation, "en", date(2026, 3, 20)
            )
    assert dev.status == "shown" and dev.since == "January 15, 2025" and dev.provisional == 0
    rows = {
        r.title: (r.before, r.band_before, r.after, r.band_after, r.delta) for r in (dev.overall, *dev.fields)
    }
    assert rows == {
        "Overall": (27, "Foundations", 70, "Advanced", 43),
        "Alpha": (42, "Developing", 83, "Leading", 41),
        "Beta": (12, "Starting out", 57, "Developing", 45),
    }
    moved = {g.kind: [(q.question, q.before, q.after) for q in g.questions] for g in dev.moved}
    assert moved == {
        "up": [
            ("How far is A?", "Level 1: First steps", "Level 2: Partly in place"),
            ("Is there B?", "No", "Yes"),
            ("What exists?", "Z", "X; Y"),
            ("How many?", "100 pieces", "200 pieces"),
        ],
        "now_known": [("Which share?", "Don't know", "50 per cent")],
    }
    # The earlier roadmap planned m_lead, m_a_basics and m_a_yes (all in phase 1).
    assert [(m.title, m.on) for m in dev.done] == [("Responsible person", "March 1, 2025")]
    assert (dev.planned, dev.planned_done, dev.started, dev.still_open) == (3, 1, 1, 1)
    # 13 months: phase 1 (to month 6) is due. Its projection: alpha (0.75 + 1 + 1) / 3 = 91.7,
    # beta unchanged 11.7; m_lead alone: alpha (0.5 + 1 + 0) / 3 = 50.
    assert (dev.months, dev.phase, dev.phase_end, dev.phase_due) == (13, 1, 6, True)
    projection = {r.title: (r.planned, r.from_done, r.now, r.met, r.verdict) for r in dev.projection}
    assert projection == {
        "Alpha": (92, 50, 83, False, "not met (8 points short)"),
        "Beta": (12, 12, 57, True, "met"),
    }
    assert [full for _x, _short, full in dev.chart.rounds] == ["Jan 15, 2025", "Feb 20, 2026"]
    assert [(s.label, s.values) for s in dev.chart.series] == [
        ("Overall", (27, 70)),
        ("Alpha", (42, 83)),
        ("Beta", (12, 57)),
    ]

    html = client.get(f"/a/{later}/results").get_data(as_text=True)
    part = section(html)
    text = page_text(part)
    assert "Development since January 15, 2025" in text
    assert html.index('id="development"') < html.index('id="strengths-title"')
    assert "Overall 27 (Foundations) 70 (Advanced) +43" in text
    assert "Alpha 42 (Developing) 83 (Leading) +41" in text
    assert "Improved (4)" in text and "Now known (1)" in text
    assert "How far is A? (Alpha: then Level 1: First steps, now Level 2: Partly in place)" in text
    assert "Which share? (Beta: then Don&#39;t know, now 50 per cent)" in text  # escaped
    assert "Of the 3 measures the earlier roadmap planned: 1 done, 1 started, 1 still open." in text
    assert "Responsible person – done on March 1, 2025" in text
    assert "13 months have passed since the earlier round: phase 1 of its roadmap (to month 6)" in text
    assert "Alpha 92 50 83 not met (8 points short)" in text and "Beta 12 12 57 met" in text
    # The chart: an image with title and description, the table beside it in a focusable region.
    assert 'role="img"' in part and 'aria-describedby="rounds-chart-desc"' in part
    assert '<title id="rounds-chart-title">' in part and 'viewBox="0 0 400 240"' in part
    assert 'width="100%"' in part and "stroke-dasharray" in part
    assert 'class="table-scroll" role="region" tabindex="0" aria-labelledby="rounds-caption"' in part
    assert "Jan 15, 2025 Feb 20, 2026" in text and "Overall 27 70 Alpha 42 83 Beta 12 57" in text
    assert "provisional" not in text

    report = client.get(f"/a/{later}/report?lang=en").get_data(as_text=True)
    assert '<a href="#development">Development since January 15, 2025</a>' in report
    part = section(report)
    text = page_text(part)
    assert "Overall 27 (Foundations) 70 (Advanced) +43" in text
    assert "Alpha 92 50 83 not met (8 points short)" in text
    assert 'font-family="Report Sans"' in part and "table-scroll" not in part
    assert "Overall 27 70 Alpha 42 83 Beta 12 57" in text
    assert report.index('id="summary"') < report.index('id="development"') < report.index('id="roadmap"')
    # The earlier round's page has no such section: it is a first round.
    assert 'id="development"' not in client.get(f"/a/{earlier}/results").get_data(as_text=True)


def test_the_report_shows_the_state_of_each_measure_on_this_rounds_board(app, client):
    earlier = first_round(app, client)
    later = follow_up(app, client, earlier)
    client.post(f"/a/{later}/fields/alpha", {"q_a_level": "1", "q_a_single": "one", "q_a_yes": "no"})
    with app.app_context():
        assessment = find(later)
        assessment.measure_progress.append(
            MeasureProgress(
                measure_id="m_lead", status=ProgressStatus.STARTED, on_date=date(2025, 6, 2), note=""
            )
        )
        db.session.commit()
    report = client.get(f"/a/{later}/report?lang=en").get_data(as_text=True)
    card = re.search(r'<article class="card" id="m-m_lead".*?</article>', report, re.S).group(0)
    assert "State: Started on June 2, 2025" in page_text(card)
    other = re.search(r'<article class="card" id="m-m_a_basics".*?</article>', report, re.S).group(0)
    assert "State:" not in page_text(other)


def test_unconfirmed_answers_make_the_comparison_provisional(app, client):
    earlier = first_round(app, client)
    later = follow_up(app, client, earlier)
    client.post(f"/a/{later}/fields/alpha", {"q_a_level": "3", "q_a_single": "two", "q_a_yes": "yes"})
    text = page_text(section(client.get(f"/a/{later}/results").get_data(as_text=True)))
    # Beta's three earlier answers are shown but not confirmed yet: they count as not answered.
    assert "3 answers carried over from the earlier round are not confirmed yet" in text
    assert "this comparison is provisional" in text
    assert "No longer known (2)" in text  # b_share was "don't know" then


def test_three_rounds_in_the_chart_and_a_report_key_that_follows_the_link(app, client):
    from advisor.reports.services import cache_key

    first = first_round(app, client)
    second = follow_up(app, client, first)
    client.post(f"/a/{second}/fields/alpha", {"q_a_level": "2", "q_a_single": "two", "q_a_yes": "no"})
    complete_on(app, client, second, LATER_DONE)
    third = follow_up(app, client, second)
    client.post(f"/a/{third}/fields/alpha", {"q_a_level": "4", "q_a_single": "two", "q_a_yes": "yes"})
    html = client.get(f"/a/{third}/results").get_data(as_text=True)
    text = page_text(section(html))
    assert "Development since February 20, 2026" in text
    # alpha 41.7 (1), 50 (2, beta unconfirmed), (1 + 1 + 1) / 3 = 100 (3).
    assert re.search(r"Jan 15, 2025 Feb 20, 2026 \w{3} \d{1,2}, \d{4}", text)
    assert "Alpha 42 50 100" in text
    assert section(html).count("<polyline") == 3  # overall, alpha, beta: one line each

    with app.app_context():
        today = date(2026, 6, 1)
        assessment = find(third)
        linked = cache_key(catalogues()["mini"], assessment, today)
        db.session.delete(find(first))
        db.session.commit()
        assert cache_key(catalogues()["mini"], find(third), today) != linked
        assessment = find(third)
        shorter = cache_key(catalogues()["mini"], assessment, today)
        assessment.predecessor_hash = "0" * 64
        assert cache_key(catalogues()["mini"], assessment, today) != shorter


def test_an_earlier_round_not_stored_here_is_a_notice(app, client):
    earlier = first_round(app, client)
    later = follow_up(app, client, earlier)
    with app.app_context():
        db.session.delete(find(earlier))
        db.session.commit()
        assessment = find(later)
        assert assessment.predecessor is None and assessment.predecessor_hash
    text = page_text(section(client.get(f"/a/{later}/results").get_data(as_text=True)))
    assert "The earlier round is not stored here; import its exchange file to see the development." in text
    report = page_text(section(client.get(f"/a/{later}/report?lang=en").get_data(as_text=True)))
    assert "import its exchange file" in report


# -- a follow-up on a newer catalogue version ---------------------------------------------


def renamed_catalogue(tmp_path):
    """Catalogue "mini" 2.0: a_level renamed a_stage (with markup in its text), a new question b_new."""
    root = tmp_path / "catalogues"
    shutil.copytree(CATALOGUES, root)
    mini = root / "mini"
    for path in [mini / "fields" / "alpha.yaml", mini / "measures" / "all.yaml"]:
        path.write_text(path.read_text().replace("a_level", "a_stage"))
    alpha = mini / "fields" / "alpha.yaml"
    alpha.write_text(alpha.read_text().replace('"How far is A?"', '"How far is <A> & co?"'))
    beta = mini / "fields" / "beta.yaml"
    beta.write_text(
        beta.read_text()
        + '  - id: b_new\n    type: yes_no\n    text: {de: "Gibt es N?", en: "Is there N?"}\n'
    )
    measures = mini / "measures" / "all.yaml"
    measures.write_text(
        measures.read_text()
        .replace(
            "      - when: [{question: b_number, below: 100}]\n",
            "      - when: [{question: b_number, below: 100}]\n"
            '      - when: [{question: b_new, in: ["no"]}]\n',
        )
        .replace(
            "      - {question: b_share, to_level: 3}\n",
            "      - {question: b_share, to_level: 3}\n      - {question: b_new, to_level: 4}\n",
        )
    )
    head = mini / "catalogue.yaml"
    head.write_text(
        head.read_text().replace('version: "1.0"', 'version: "2.0"')
        + '\nmigrations:\n  - from_version: "1.0"\n    renamed: {a_level: a_stage}\n'
    )
    return root


def test_a_question_the_catalogue_renamed_is_compared_under_its_new_id(app_factory, tmp_path):
    app = app_factory(CATALOGUE_DIR=str(renamed_catalogue(tmp_path)))
    client = Client(app)
    client.get("/language/en")
    aid, _ = client.start()
    client.profile(aid, staff_band="1000+")
    with app.app_context():
        assert catalogues()["mini"].version == "2.0"
        db.session.add(
            CatalogueSnapshot(
                hash=MINI.hash, catalogue_id="mini", version="1.0", content=catalogue_as_dict(MINI)
            )
        )
        earlier = find(aid)
        earlier.catalogue_version, earlier.catalogue_hash = "1.0", MINI.hash
        earlier.answers = [
            Answer(question_id="a_level", state=AnswerState.ANSWERED, value=1, note=""),
            Answer(question_id="a_single", state=AnswerState.ANSWERED, value="two", note=""),
            Answer(question_id="a_yes", state=AnswerState.ANSWERED, value=False, note=""),
        ]
        # Completed here, not through a page: opening a round in progress would carry it onto 2.0.
        earlier.status, earlier.completed_at = Status.COMPLETED, EARLIER_DONE
        db.session.commit()
    later = follow_up(app, client, aid)
    client.post(f"/a/{later}/fields/alpha", {"q_a_stage": "3", "q_a_single": "two", "q_a_yes": "no"})
    client.post(f"/a/{later}/fields/beta", {"q_b_new": "yes"})

    with app.app_context():
        assert (find(aid).catalogue_version, find(later).catalogue_version) == ("1.0", "2.0")
        assert development.renames(catalogues()["mini"], "1.0", MINI) == {"a_level": "a_stage"}
    html = client.get(f"/a/{later}/results").get_data(as_text=True)
    part = section(html)
    text = page_text(part)
    # alpha (0.25 + 1 + 0) / 3 = 41.7 then, (0.75 + 1 + 0) / 3 = 58.3 now.
    assert "Alpha 42 (Developing) 58 (Developing) +16" in text
    assert (
        "How far is &lt;A&gt; &amp; co? (Alpha: then Level 1: First steps, now Level 3: Largely in place)"
        in text
    )
    assert "<A>" not in part
    assert "New questions (1)" in text and "Is there N? (Beta: now Yes)" in text
    assert "Removed from the questionnaire" not in text  # a_level is a_stage, not gone
    assert "No longer known" not in text  # beta was not answered then either
