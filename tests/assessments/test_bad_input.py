"""Forged, tampered and oversized posts get a clear 4xx; what was saved stays as it was."""

from __future__ import annotations

import pytest

from tests.conftest import Client, stored_answers

SAVED = {"a_level": ("answered", 2, "vorher"), "a_yes": ("answered", True, "")}


@pytest.fixture
def started(app, client):
    aid, _ = client.start()
    response = client.post(
        f"/a/{aid}/fields/alpha", {"q_a_level": "2", "n_a_level": "vorher", "q_a_yes": "yes"}
    )
    assert response.status_code == 303
    assert stored_answers(app, aid) == SAVED
    return aid


def test_unknown_question_id_is_refused(app, client, started):
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": "4", "q_injected": "1"})
    assert response.status_code == 400
    assert "q_injected" in response.get_data(as_text=True)
    assert stored_answers(app, started) == SAVED


def test_question_of_another_field_is_refused(app, client, started):
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": "4", "q_b_number": "3"})
    assert response.status_code == 400
    assert stored_answers(app, started) == SAVED


@pytest.mark.parametrize("value", ["5", "-1", "2.5", "zwei", "not_responsible"])
def test_out_of_range_level_is_refused(app, client, started, value):
    # a_level does not allow "not responsible": that is out of range too.
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": value, "q_a_yes": "no"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert stored_answers(app, started) == SAVED


def test_special_answer_not_offered_is_refused(app, client, started):
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_yes": "unknown"})
    assert response.status_code == 422
    assert stored_answers(app, started) == SAVED


@pytest.mark.parametrize(
    "data",
    [
        {"q_b_number": "5001"},
        {"q_b_number": "12,5"},  # the question wants a whole number
        {"q_b_share": "viele"},
        {"q_b_share": "nan"},
        {"q_b_multi": ["x", "w"]},
        {"q_b_multi": ["x", "none"]},  # "none of these" is exclusive
        {"q_b_number": "3", "s_b_number": "unknown"},  # b_number allows no special answer
        {"q_b_multi": ["x"], "s_b_multi": "not_responsible"},  # answer and "not responsible" together
        {"n_b_share": "x" * 2001},
    ],
)
def test_invalid_values_keep_the_page_and_change_nothing(app, client, started, data):
    response = client.post(f"/a/{started}/fields/beta", {"q_b_share": "50", **data})
    assert response.status_code in (400, 422)
    assert stored_answers(app, started) == SAVED


def test_invalid_value_is_shown_with_the_input_kept(client, started):
    response = client.post(f"/a/{started}/fields/beta", {"q_b_number": "9999", "n_b_number": "mein Text"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'value="9999"' in page
    assert ">mein Text</textarea>" in page
    assert 'aria-invalid="true"' in page


def test_missing_csrf_token_is_refused(app, client, started):
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": "4"}, csrf=False)
    assert response.status_code == 400
    assert "Das Formular ist abgelaufen" in response.get_data(as_text=True)
    assert stored_answers(app, started) == SAVED


def test_wrong_csrf_token_is_refused(app, client, started):
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": "4", "csrf_token": "forged"})
    assert response.status_code == 400
    assert stored_answers(app, started) == SAVED


def test_csrf_token_of_another_session_is_refused(app, client, started):
    foreign = Client(app).csrf()
    response = client.post(f"/a/{started}/fields/alpha", {"q_a_level": "4", "csrf_token": foreign})
    assert response.status_code == 400
    assert stored_answers(app, started) == SAVED


def test_oversized_body_is_refused(app, client, started):
    response = client.post(
        f"/a/{started}/fields/alpha", {"q_a_level": "4", "n_a_level": "x" * (1024 * 1024 + 10)}
    )
    assert response.status_code == 413
    assert "zu groß" in response.get_data(as_text=True)
    assert stored_answers(app, started) == SAVED


def test_unknown_field_and_unknown_assessment_are_404(client, started):
    assert client.get(f"/a/{started}/fields/nonexistent").status_code == 404
    assert client.get("/a/00000000000000000000000000000000/summary").status_code == 404
    assert client.post("/a/00000000000000000000000000000000/complete").status_code == 404


def test_profile_with_unknown_option_is_refused(app, client, started):
    response = client.post(f"/a/{started}/profile", {"municipality_type": "kaiserreich", "state": "XX"})
    assert response.status_code == 422
    assert 'value="kaiserreich"' not in response.get_data(as_text=True)


def test_priorities_out_of_range_are_refused(client, started):
    assert client.post(f"/a/{started}/priorities", {"relevance_alpha": "6"}).status_code == 422
    assert client.post(f"/a/{started}/priorities", {"target_beta": "5"}).status_code == 422
    assert client.post(f"/a/{started}/priorities", {"relevance_gamma": "3"}).status_code == 400
