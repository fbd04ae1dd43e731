"""The interview, one question at a time, for every way in (pages, API, terminal).

What to ask next, about how many questions are left, which question an id names, and a
person's reply applied to the case. Each shell reads its own input (a form, a JSON body,
a typed line) into a :class:`Reply` and words a :class:`ReplyError` in its own language;
what a reply means and which replies a question takes are decided here, once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from crampcheck.domain.types import Case
from crampcheck.domain.units import FAHRENHEIT, to_celsius
from crampcheck.engine.interview import (
    AnswerError,
    Option,
    Question,
    answer,
    question_by_id,
    screens_left,
)
from crampcheck.engine.interview import next_question as _next_question
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.pipeline import CheckResult

__all__ = [
    "MAX_NUMBER",
    "AnswerError",
    "Option",
    "Progress",
    "Question",
    "Reply",
    "ReplyError",
    "apply_reply",
    "next_question",
    "progress",
    "question_by_id",
    "questions_left",
]

MAX_NUMBER = 100_000.0
"""The largest number a question takes (minutes, days, a temperature, a pain score)."""

Reason = Literal["not_an_option", "only_one", "yes_or_no", "number", "choose", "none_and_chosen"]
"""Why a reply is refused. ``choose``: nothing chosen and not "None of these" either (a
blank is not "no"); ``none_and_chosen``: "None of these" together with an option."""


class ReplyError(AnswerError):
    """A reply its question cannot take; ``reason`` says why, for the shell to word."""

    def __init__(self, reason: Reason, question: Question) -> None:
        super().__init__(f"{reason}: {question.id}")
        self.reason: Reason = reason
        self.question = question


@dataclass(frozen=True)
class Reply:
    """A person's reply to one question: "don't know", the options chosen or "None of
    these" (``none``), yes or no, or a number (NaN when what was typed is not one)."""

    dont_know: bool = False
    chosen: tuple[str, ...] = ()
    none: bool = False
    yes: bool | None = None
    number: float | None = None


@dataclass(frozen=True)
class Progress:
    """Where a person is in the interview: this question's number and about how many
    questions there are in all (never fewer than ``number``)."""

    number: int
    total: int

    @property
    def done(self) -> float:
        """The share already answered, from 0 to 1 (what a progress bar shows)."""
        return (self.number - 1) / self.total


def next_question(case: Case, kb: KnowledgeBase) -> Question | None:
    """The most useful question still open; None when nothing could change the answer
    or it is an emergency (a person in danger should act, not answer)."""
    return _next_question(case, kb)


def questions_left(result: CheckResult, kb: KnowledgeBase) -> int:
    """About how many questions are still open (an estimate for a progress bar): one
    for each screen still to come, counted as the interview chooses them."""
    return screens_left(result.case, kb)


def progress(
    result: CheckResult, kb: KnowledgeBase, number: int, last_total: int | None = None
) -> Progress:
    """The progress to show at question ``number``: about how many questions in all,
    never more than ``last_total`` (the total shown at the question before), so the
    share done never goes backwards even when an answer opens new questions."""
    total = number - 1 + max(1, questions_left(result, kb))
    if last_total is not None:
        total = min(total, last_total)
    return Progress(number, max(number, total))


def apply_reply(case: Case, question: Question, reply: Reply) -> Case:
    """The case with ``question`` answered by ``reply``; :class:`ReplyError` when the
    question cannot take it. A list of options takes the options chosen or "None of
    these", never both and never neither: a blank is not taken as "no". A number is
    typed in the question's unit and kept in the knowledge base's (a temperature asked
    in °F is kept in °C)."""
    if reply.dont_know:
        return answer(case, question, dont_know=True)
    if question.select in ("many", "one"):
        options = {o.finding_id for o in question.options}
        if any(c not in options for c in reply.chosen):
            raise ReplyError("not_an_option", question)
        if reply.none and reply.chosen:
            raise ReplyError("none_and_chosen", question)
        if not reply.none and not reply.chosen:
            raise ReplyError("choose", question)
        if question.select == "one" and len(reply.chosen) > 1:
            raise ReplyError("only_one", question)
        return answer(case, question, chosen=list(reply.chosen))
    if question.select == "boolean":
        if reply.yes is None:
            raise ReplyError("yes_or_no", question)
        return answer(case, question, yes=reply.yes)
    number = reply.number
    if number is None or not math.isfinite(number) or not 0 <= number <= MAX_NUMBER:
        raise ReplyError("number", question)
    # A temperature asked in °F is kept in the knowledge base's °C (101.3 -> 38.5).
    stored = to_celsius(number, question.unit) if question.unit == FAHRENHEIT else number
    if stored < 0:
        raise ReplyError("number", question)
    return answer(case, question, number=stored)
