"""What counts as a valid answer to a catalogue question.

One set of rules serves the wizard's forms, the JSON import and the CLI, so a
value the web form refuses can never enter through a file either.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from typing import Any

from advisor.catalogue import Question
from advisor.i18n import lazy_gettext as _l

from .models import AnswerState

NOTE_MAX_LENGTH = 2000


class InvalidAnswer(ValueError):
    """An answer does not fit its question; ``message`` is a translatable text."""

    def __init__(self, message: Any, question_id: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.question_id = question_id


@dataclass(frozen=True)
class AnswerInput:
    """An answer as submitted: a state, a value for ANSWERED (or None to clear), a note."""

    state: AnswerState
    value: Any = None
    note: str = ""


def normalise(question: Question, answer: AnswerInput) -> AnswerInput:
    """Check ``answer`` against ``question``; return it in canonical form or raise InvalidAnswer."""
    note = (answer.note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidAnswer(_l("The note is longer than %(max)s characters.", max=NOTE_MAX_LENGTH))
    if answer.state is AnswerState.UNKNOWN:
        if not question.allow_unknown:
            raise InvalidAnswer(_l("“Don't know” is not offered for this question."))
        return AnswerInput(AnswerState.UNKNOWN, None, note)
    if answer.state is AnswerState.NOT_RESPONSIBLE:
        if not question.offers_not_responsible:
            raise InvalidAnswer(_l("“Not responsible” is not offered for this question."))
        return AnswerInput(AnswerState.NOT_RESPONSIBLE, None, note)
    if answer.value is None:
        return AnswerInput(AnswerState.ANSWERED, None, note)
    return AnswerInput(AnswerState.ANSWERED, _value(question, answer.value), note)


def _value(question: Question, value: Any) -> Any:
    kind = question.type
    if kind == "level":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4:
            raise InvalidAnswer(_l("The level must be a whole number from 0 to 4."))
        return value
    if kind == "yes_no":
        if not isinstance(value, bool):
            raise InvalidAnswer(_l("The answer must be yes or no."))
        return value
    option_ids = [o.id for o in question.options or []]
    if kind == "single":
        if value not in option_ids:
            raise InvalidAnswer(_l("Please choose one of the options offered."))
        return value
    if kind == "multiple":
        if not isinstance(value, list) or any(v not in option_ids for v in value):
            raise InvalidAnswer(_l("Please choose only options offered."))
        if len(set(value)) != len(value):
            raise InvalidAnswer(_l("An option was chosen twice."))
        chosen = set(value)
        exclusive = {o.id for o in question.options or [] if o.exclusive} & chosen
        if exclusive and len(chosen) > 1:
            raise InvalidAnswer(_l("“None of these” cannot be combined with other options."))
        # Keep the catalogue's order so equal answers compare equal.
        return [o for o in option_ids if o in chosen] or None
    # number
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InvalidAnswer(_l("Please enter a number."))
    low, high = question.min, question.max
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidAnswer(
            _l("Please enter a number from %(min)s to %(max)s.", min=_fmt(low), max=_fmt(high))
        )
    if question.integer:
        if value != int(value):
            raise InvalidAnswer(_l("Please enter a whole number."))
        return int(value)
    return float(value)


def _fmt(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if number == int(number) else str(number)


def is_answered(state: AnswerState | None, value: Any) -> bool:
    """An answer counts as given when it states something: a value, unknown, or not responsible."""
    if state is None:
        return False
    return state is not AnswerState.ANSWERED or value is not None


#: The fingerprint of "no answer": no row, or an answer with nothing in it.
NO_ANSWER = "-"


def fingerprint(state: AnswerState | None, value: Any, note: str | None) -> str:
    """A short, stable digest of an answer as stored, to tell whether it changed since a page showed it."""
    if not is_answered(state, value) and not note:
        return NO_ANSWER
    raw = json.dumps([state.value if state else None, value, note or ""], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]
