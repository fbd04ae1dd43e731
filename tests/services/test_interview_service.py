"""The interview step, one implementation for the pages, the API and the terminal."""

from __future__ import annotations

import math

import pytest

from crampcheck.domain.types import Case, FindingState
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.interview import (
    Reply,
    ReplyError,
    apply_reply,
    next_question,
    question_by_id,
)


def test_a_reply_is_applied_and_its_options_settled(kb: KnowledgeBase) -> None:
    question = next_question(Case(), kb)
    assert question is not None and question.select == "many"
    first = question.options[0].finding_id
    case = apply_reply(Case(), question, Reply(chosen=(first,)))
    assert case.findings[first] is FindingState.PRESENT
    assert all(case.findings[o.finding_id] is FindingState.ABSENT for o in question.options[1:])


@pytest.mark.parametrize(
    ("question_id", "reply", "reason"),
    [
        ("emergency_screen", Reply(chosen=("not_a_finding",)), "not_an_option"),
        ("episode_minutes", Reply(number=-3), "number"),
        ("episode_minutes", Reply(number=math.nan), "number"),
        ("episode_minutes", Reply(number=1e9), "number"),
        ("episode_minutes", Reply(), "number"),
    ],
)
def test_a_reply_the_question_cannot_take_is_refused_with_a_reason(
    kb: KnowledgeBase, question_id: str, reply: Reply, reason: str
) -> None:
    question = question_by_id(question_id, Case(), kb)
    with pytest.raises(ReplyError) as refused:
        apply_reply(Case(), question, reply)
    assert refused.value.reason == reason


def test_dont_know_leaves_every_option_asked_but_unknown(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_screen", Case(), kb)
    case = apply_reply(Case(), question, Reply(dont_know=True))
    assert {case.findings[o.finding_id] for o in question.options} == {FindingState.UNKNOWN}


def test_a_boolean_question_needs_yes_or_no(kb: KnowledgeBase) -> None:
    boolean = next(
        f.id
        for f in kb.findings.values()
        if f.answer == "boolean" and f.id not in kb.group_of and f.category == "symptom"
    )
    question = question_by_id(boolean, Case(), kb)
    with pytest.raises(ReplyError) as refused:
        apply_reply(Case(), question, Reply())
    assert refused.value.reason == "yes_or_no"
    assert apply_reply(Case(), question, Reply(yes=True)).findings[boolean] is FindingState.PRESENT
