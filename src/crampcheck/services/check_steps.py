"""A check's steps, for every way in (the pages, the API, the terminal): assess what was
said, confirm what was read in the words, answer one question - each step reading the
words at most once (recent readings are cached) and assessing the case exactly once.

A check is carried whole between steps (:class:`Given`): the person's words, age and
sex, and their explicit answers and measured values, which win over what the words say.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from crampcheck.domain.types import FindingState, Sex
from crampcheck.services.interview import Question, Reply, apply_reply, question_by_id
from crampcheck.services.pipeline import CheckResult, Pipeline


@dataclass(frozen=True)
class Given:
    """Everything a check knows so far."""

    text: str | None = None
    age: int | None = None
    sex: Sex | None = None
    answers: Mapping[str, FindingState] = field(default_factory=dict)
    values: Mapping[str, float] = field(default_factory=dict)

    def words_only(self) -> Given:
        """The words, age and sex alone (the answers given so far set aside)."""
        return Given(self.text, self.age, self.sex)


@dataclass(frozen=True)
class Answered:
    """One question answered: what the answer set, and the check assessed with it."""

    question: Question
    answers: dict[str, FindingState]
    """The state of each of the question's findings, as the reply set it."""
    values: dict[str, float]
    """The number the reply gave, for a number question."""
    result: CheckResult


def run(pipeline: Pipeline, given: Given) -> CheckResult:
    """Read the words (if any), put the explicit answers on top, and assess once."""
    case, reading = pipeline.read_case(
        given.text, given.age, given.sex, given.answers, given.values
    )
    return pipeline.assess_read(case, reading, given.answers)


def confirm(
    pipeline: Pipeline, given: Given, kept: Iterable[str], also_denied: Iterable[str]
) -> tuple[dict[str, FindingState], CheckResult]:
    """The confirm step: of the findings read in the words, those read as present stay
    present only when ``kept``; those read as absent stay absent only when the person
    kept them in ``also_denied``, else they become unknown (asked again). Returns the
    answers this makes and the check assessed with them (the words read once)."""
    case, reading = pipeline.read_case(given.text, given.age, given.sex)
    read = reading.states() if reading is not None else {}
    kept_present, kept_absent = set(kept), set(also_denied)
    answers: dict[str, FindingState] = {}
    for finding_id, read_state in read.items():
        if read_state is FindingState.PRESENT:
            keep = finding_id in kept_present
            answers[finding_id] = FindingState.PRESENT if keep else FindingState.ABSENT
        else:
            keep = finding_id in kept_absent
            answers[finding_id] = FindingState.ABSENT if keep else FindingState.UNKNOWN
    return answers, pipeline.assess_read(case.with_answers(answers), reading, answers)


def open_question(pipeline: Pipeline, given: Given, question_id: str) -> Question:
    """The question ``question_id`` names, if it is still open for this check (the case
    is read, not assessed); :class:`~crampcheck.services.interview.AnswerError` if not."""
    case, _reading = pipeline.read_case(
        given.text, given.age, given.sex, given.answers, given.values
    )
    return question_by_id(question_id, case, pipeline.kb)


def answer(pipeline: Pipeline, given: Given, question: Question, reply: Reply) -> Answered:
    """Apply a reply to its question and assess the check with it, once;
    :class:`~crampcheck.services.interview.ReplyError` when the question cannot take
    the reply."""
    case, reading = pipeline.read_case(
        given.text, given.age, given.sex, given.answers, given.values
    )
    answered = apply_reply(case, question, reply)
    option_ids = [o.finding_id for o in question.options]
    answers = {f: answered.findings[f] for f in option_ids if f in answered.findings}
    values = {
        f: answered.values[f]
        for f in option_ids
        if question.select == "number" and f in answered.values
    }
    result = pipeline.assess_read(answered, reading, {**given.answers, **answers})
    return Answered(question, answers, values, result)
