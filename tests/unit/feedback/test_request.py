"""``FeedbackRequest`` field rules (contract 1.3 "Feedback")."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from lightspeed_core.schemas.feedback import FeedbackCategory, FeedbackRequest

BASE: dict[str, Any] = {
    "conversation_id": "f36589cbe1fcb61b0f3fd6d947988b43a393d568af0537c2",
    "user_question": "Say hello",
    "llm_response": "Hello from stub",
}


@pytest.mark.parametrize(
    "extra",
    [
        {"sentiment": 1},
        {"sentiment": -1},
        {"user_feedback": "ok"},
        {"categories": ["incorrect"]},
    ],
)
def test_any_one_form_of_feedback_is_enough(extra: dict[str, Any]) -> None:
    FeedbackRequest.model_validate({**BASE, **extra})


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({}, "At least one form of feedback must be provided"),
        ({"user_feedback": ""}, "At least one form of feedback must be provided"),
        ({"categories": []}, "At least one form of feedback must be provided"),
        ({"sentiment": 0}, "Improper sentiment value of 0, needs to be -1 or 1"),
        ({"sentiment": 2, "user_feedback": "x"}, "Improper sentiment value of 2"),
        ({"categories": ["nonsense"]}, "Input should be 'incorrect'"),
        ({"user_feedback": "x" * 4097}, "at most 4096 characters"),
        ({"sentiment": 1, "conversation_id": "nope"}, "Improper conversation ID 'nope'"),
        ({"sentiment": 1, "unknown": True}, "Extra inputs are not permitted"),
    ],
)
def test_invalid_requests(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FeedbackRequest.model_validate({**BASE, **extra})


@pytest.mark.parametrize("field", ["conversation_id", "user_question", "llm_response"])
def test_required_fields(field: str) -> None:
    body = {**BASE, "sentiment": 1}
    del body[field]
    with pytest.raises(ValidationError, match="Field required"):
        FeedbackRequest.model_validate(body)


def test_categories_are_deduplicated_in_order() -> None:
    request = FeedbackRequest.model_validate(
        {**BASE, "categories": ["unsafe", "incorrect", "unsafe", "other"]}
    )
    assert request.categories == [
        FeedbackCategory.UNSAFE,
        FeedbackCategory.INCORRECT,
        FeedbackCategory.OTHER,
    ]


def test_empty_category_list_becomes_none() -> None:
    request = FeedbackRequest.model_validate({**BASE, "sentiment": -1, "categories": []})
    assert request.categories is None
