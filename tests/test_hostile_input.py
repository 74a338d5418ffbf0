"""Generated hostile bodies to every POST route and to the import: never a 5xx, and a refusal
changes nothing saved (issue 12, finding 4)."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from advisor.assessments.models import Assessment
from advisor.assessments.services import PROFILE_FIELDS
from advisor.db import db
from tests.conftest import PROJECT, Client

#: Values that broke or could break something: NUL, huge and odd numbers, markup, long text.
NASTY = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "9" * 5000,
        "1e400",
        "-1",
        "nan",
        "inf",
        "0x10",
        "<script>x</script>",
        "ü" * 3000,
        "",
        " ",
    ]
)
VALUES = st.one_of(NASTY, st.text(max_size=40), st.integers().map(str))
KEYS = st.one_of(
    st.sampled_from(
        [
            *PROFILE_FIELDS,
            *(
                f"{kind}_{qid}"
                for kind in ("q", "s", "n", "h", "keep")
                for qid in ("a_level", "a_single", "b_multi", "b_number", "b_share")
            ),
            *("relevance_alpha", "target_alpha", "capacity", "nav", "next", "link", "token"),
        ]
    ),
    st.text(max_size=12),
)
BODIES = st.dictionaries(KEYS, st.lists(VALUES, min_size=1, max_size=3), max_size=8)
ROUTES = [
    "profile",
    "fields/alpha",
    "fields/beta",
    "priorities",
    "results",
    "complete",
    "notice",
    "upgrade",
    "link",
    "delete",  # refused without its confirmation box, which the keys above never tick
]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | NASTY,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10) | NASTY, inner, max_size=4)
    ),
    max_leaves=20,
)
EXAMPLE = json.loads((PROJECT / "tests" / "fixtures" / "exchange_2026_2.json").read_text())


def saved(app, aid: str) -> tuple:
    """Everything stored about the assessment, to compare before and after a refusal."""
    with app.app_context():
        a = db.session.scalar(sa.select(Assessment).where(Assessment.public_id == aid))
        return (
            a.revision,
            a.status,
            tuple(sorted(a.profile().items(), key=str)),
            a.municipality_name,
            a.capacity_days_per_year,
            tuple(sorted((x.question_id, x.state, json.dumps(x.value), x.note) for x in a.answers)),
            tuple(sorted((p.field_id, p.relevance, p.target_level) for p in a.priorities)),
        )


@pytest.fixture
def started(app):
    client = Client(app)
    aid, _ = client.start()
    client.profile(aid)
    client.post(f"/a/{aid}/fields/alpha", {"q_a_level": "2", "n_a_level": "vorher"})
    return client, aid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(route=st.sampled_from(ROUTES), body=BODIES, with_csrf=st.booleans())
@example(route="profile", body={"municipality_name": ["a\x00b"]}, with_csrf=True)
@example(route="fields/alpha", body={"q_a_level": ["3"], "n_a_level": ["\x00"]}, with_csrf=True)
@example(route="priorities", body={"capacity": ["9" * 5000]}, with_csrf=True)
def test_no_post_to_a_page_fails_and_a_refusal_changes_nothing(app, started, route, body, with_csrf):
    client, aid = started
    before = saved(app, aid)
    data = {key: values for key, values in body.items()}
    if with_csrf:
        data["csrf_token"] = client.csrf()
    response = client.http.post(f"/a/{aid}/{route}", data=data)
    assert response.status_code < 500, (route, body)
    if response.status_code >= 400:
        assert saved(app, aid) == before, (route, body)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=BODIES)
def test_no_post_to_the_start_or_resume_fails(app, body):
    client = Client(app)
    for url in ("/resume", "/assessments"):
        assert client.http.post(url, data={**body, "csrf_token": client.csrf()}).status_code < 500


def mutated(document: dict, path: list, value) -> dict:
    """The example file with one entry (found by ``path`` indices) replaced by ``value``."""
    copy = json.loads(json.dumps(document))
    node = copy
    for step in path[:-1]:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys or not isinstance(node, (dict, list)):
            break
        child = node[keys[step % len(keys)]]
        if not isinstance(child, (dict, list)):
            break
        node = child
    if isinstance(node, dict) and node:
        node[list(node)[path[-1] % len(node)]] = value
    return copy


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    raw=st.one_of(
        JSON.map(lambda v: json.dumps(v).encode()),
        st.tuples(st.lists(st.integers(0, 20), min_size=1, max_size=4), JSON).map(
            lambda pv: json.dumps(mutated(EXAMPLE, *pv)).encode()
        ),
        st.sampled_from(
            [b"[" * 5000 + b"]" * 5000, b'{"a":' * 3000 + b"1" + b"}" * 3000, b"\x00", b"\xff\xfe"]
        ),
        st.binary(max_size=200),
    )
)
@example(raw=json.dumps(mutated(EXAMPLE, [6, 0], "a\x00b")).encode())
@example(raw=json.dumps(EXAMPLE).replace('"value": 2', '"value": ' + "9" * 5000, 1).encode())
@example(raw=json.dumps({**EXAMPLE, "exported_at": "2026-12-02T10:00:00"}).encode())
def test_no_import_fails_and_a_refusal_creates_nothing(kommunal_app, raw):
    kommunal_app.extensions["advisor.limiter"].enabled = False  # many imports a minute, on purpose
    client = Client(kommunal_app)
    with kommunal_app.app_context():
        count = db.session.scalar(sa.select(sa.func.count()).select_from(Assessment))
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf(), "file": FileStorage(io.BytesIO(raw), "f.json")}
    )
    response = client.http.post(
        "/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code < 500, raw[:200]
    if response.status_code >= 400:
        with kommunal_app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(Assessment)) == count


@pytest.mark.parametrize(
    "raw, says",
    [
        (json.dumps(mutated(EXAMPLE, [6, 0], "a\x00b")).encode(), "enthält ein NUL-Zeichen"),
        (b"[" * 5000 + b"]" * 5000, "zu tief verschachtelt"),
        (b'{"a":' * 20 + b"1" + b"}" * 20, "zu tief verschachtelt"),
        (
            json.dumps(EXAMPLE).replace('"value": 2', '"value": ' + "9" * 5000, 1).encode(),
            "mehr als 15 Ziffern",
        ),
        (
            json.dumps({**EXAMPLE, "exported_at": "2026-12-02T10:00:00"}).encode(),
            "exported_at: Erwartet wird",
        ),
        (
            json.dumps({**EXAMPLE, "completed_at": "9999-12-31T23:59:59-12:00"}).encode(),
            "completed_at: Erwartet",
        ),
    ],
)
def test_hostile_files_are_refused_with_a_reason(kommunal_app, raw, says):
    client = Client(kommunal_app)
    boundary, body = encode_multipart(
        {"csrf_token": client.csrf(), "file": FileStorage(io.BytesIO(raw), "f.json")}
    )
    response = client.http.post(
        "/import", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 422 and says in response.get_data(as_text=True)


def test_a_nul_in_a_form_is_refused_with_a_reason(client):
    aid, _ = client.start()
    response = client.post(f"/a/{aid}/profile", {"municipality_name": "Muster\x00dorf"})
    assert response.status_code == 400 and "NUL-Zeichen" in response.get_data(as_text=True)
