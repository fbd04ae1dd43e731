"""The adaptive interview: emergency screen first, stops when nothing can change."""

from __future__ import annotations

import pytest

from crampcheck.domain.types import Case, FindingState, Urgency
from crampcheck.engine import AnswerError, answer, assess, next_question
from crampcheck.engine.interview import question_by_id
from crampcheck.knowledge import KnowledgeBase


def test_where_it_is_comes_first_then_the_emergency_signs(kb: KnowledgeBase) -> None:
    """Issue 14: the location first, then the red-flag screens, the relevant one first."""
    question = next_question(Case(), kb)
    assert question is not None
    assert question.id == "where_limbs"
    assert question.select == "many"
    assert question.why
    calf = answer(Case(), question, chosen=["site_calf"])
    follow = next_question(calf, kb)
    assert follow is not None and follow.id == "emergency_limb_back"
    chest = answer(
        answer(Case(), question, chosen=[]),
        question_by_id("where_body", Case(), kb),
        chosen=["site_chest"],
    )
    follow = next_question(chest, kb)
    assert follow is not None and follow.id == "emergency_heart_stroke"


def test_one_screen_answer_makes_an_emergency(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_heart_stroke", Case(), kb)
    after = answer(Case(), question, chosen=["chest_pain"])
    assert assess(after, kb).urgency is Urgency.EMERGENCY


def test_interview_stops_when_nothing_can_change(kb: KnowledgeBase) -> None:
    case = Case(age=40)
    asked = []
    while (question := next_question(case, kb)) is not None:
        asked.append(question.id)
        assert len(asked) < 30
        if question.select in ("many", "one"):
            case = answer(case, question, chosen=[])
        elif question.select == "boolean":
            case = answer(case, question, yes=False)
        else:
            case = answer(case, question, dont_know=True)
    assert asked[0] == "where_limbs"
    red_flags = [g.id for g in kb.groups if g.screen]
    assert set(red_flags) <= set(asked), "no red-flag screen is skipped"
    assert len(asked) == len(set(asked)), "no question is asked twice"
    assert assess(case, kb).urgency is kb.policy.no_findings_level


def test_dont_know_is_never_taken_as_absent(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_heart_stroke", Case(), kb)
    after = answer(Case(), question, dont_know=True)
    assert all(after.state(o.finding_id) is FindingState.UNKNOWN for o in question.options)
    follow = next_question(after, kb)
    assert follow is None or follow.id != "emergency_heart_stroke"
    open_ids = {q.finding_id for q in assess(after, kb).open_questions}
    assert open_ids & {o.finding_id for o in question.options}


def test_answers_that_do_not_fit_are_refused(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_heart_stroke", Case(), kb)
    with pytest.raises(AnswerError):
        answer(Case(), question, chosen=["not_an_option"])
    number = question_by_id("episode_minutes", Case(), kb)
    with pytest.raises(AnswerError):
        answer(Case(), number, number=-3)
    with pytest.raises(AnswerError):
        question_by_id("no_such_question", Case(), kb)


def test_a_number_answer_is_recorded(kb: KnowledgeBase) -> None:
    question = question_by_id("episode_minutes", Case(), kb)
    after = answer(Case(), question, number=25)
    assert after.value("episode_minutes") == 25
