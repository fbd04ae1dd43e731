"""The adaptive interview: emergency screen first, stops when nothing can change."""

from __future__ import annotations

import pytest

from crampcheck.domain.types import Case, FindingState, Urgency
from crampcheck.engine import AnswerError, answer, assess, next_question
from crampcheck.engine.interview import Question, question_by_id
from crampcheck.knowledge import KnowledgeBase


def test_where_it_is_comes_first_then_the_emergency_signs(kb: KnowledgeBase) -> None:
    """Issue 14: the location first, then the red-flag screens, the relevant one first."""
    question = next_question(Case(), kb)
    assert question is not None
    assert question.id == "where"
    assert question.select == "many"
    assert question.why
    calf = answer(Case(), question, chosen=["site_calf"])
    follow = next_question(calf, kb)
    assert follow is not None and follow.id == "emergency_limb_back"
    chest = answer(Case(), question, chosen=["site_chest"])
    follow = next_question(chest, kb)
    assert follow is not None and follow.id == "emergency_heart_stroke"
    jaw = answer(
        answer(Case(), question, chosen=[]),
        question_by_id("where_else", Case(), kb),
        chosen=["site_jaw"],
    )
    follow = next_question(jaw, kb)
    assert follow is not None and follow.id == "emergency_whole_body"


def test_one_screen_answer_makes_an_emergency(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_heart_stroke", Case(), kb)
    after = answer(Case(), question, chosen=["chest_pain"])
    assert assess(after, kb).urgency is Urgency.EMERGENCY


def test_interview_stops_when_nothing_can_change(kb: KnowledgeBase) -> None:
    case = Case(age=40)
    asked: list[str] = []
    while (question := next_question(case, kb)) is not None:
        asked.append(question.id)
        assert len(asked) < 30
        if question.select in ("many", "one"):
            case = answer(case, question, chosen=[])
        elif question.select == "boolean":
            case = answer(case, question, yes=False)
        else:
            case = answer(case, question, dont_know=True)
    assert asked[0] == "where"
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


# ------------------------------------------- issue 14: only what could change the answer


def _walk(
    case: Case, kb: KnowledgeBase, yes: frozenset[str] = frozenset()
) -> tuple[Case, list[Question]]:
    """Answer every question: tick the options in ``yes``, "None of these" otherwise;
    "no" to a yes/no question and "don't know" to a number. The case and the questions."""
    asked: list[Question] = []
    while (question := next_question(case, kb)) is not None:
        asked.append(question)
        assert len(asked) < 40
        if question.select in ("many", "one"):
            case = answer(
                case,
                question,
                chosen=[o.finding_id for o in question.options if o.finding_id in yes],
            )
        elif question.select == "boolean":
            case = answer(case, question, yes=question.options[0].finding_id in yes)
        else:
            case = answer(case, question, dont_know=True)
    return case, asked


def test_the_emergency_screens_show_every_sign_and_the_rest_only_what_could_change(
    kb: KnowledgeBase,
) -> None:
    from crampcheck.engine.interview import as_answered
    from crampcheck.engine.relevance import could_change

    yes = frozenset({"site_calf", "sustained_contraction", "any_trigger", "exertion"})
    case = Case(age=40)
    asked: list[str] = []
    while (question := next_question(case, kb)) is not None:
        asked.append(question.id)
        group = next((g for g in kb.groups if g.id == question.id), None)
        if group is not None and group.screen:
            assert [o.finding_id for o in question.options] == list(group.members)
        elif group is not None and not group.first and question.id != "which_apply":
            full = as_answered(case, kb)
            open_now = set(could_change(full, kb, assess(full, kb)))
            shown = {o.finding_id for o in question.options}
            if group.whole:
                # Its options answer one question: all shown once one could change it.
                assert shown & open_now, question.id
            else:
                assert shown <= open_now, question.id
        chosen = [o.finding_id for o in question.options if o.finding_id in yes]
        if question.select == "many":
            case = answer(case, question, chosen=chosen)
        elif question.select == "boolean":
            case = answer(case, question, yes=question.options[0].finding_id in yes)
        else:
            case = answer(case, question, dont_know=True)
    assert {g.id for g in kb.groups if g.screen} <= set(asked), "no red-flag screen is skipped"
    assert asked.index("which_apply") == 4, asked
    assert assess(case, kb).urgency is Urgency.SELF_CARE
    full = as_answered(case, kb)
    assert could_change(full, kb, assess(full, kb)) == [], "it stops when nothing could change"


def test_a_kind_of_trouble_answered_no_closes_its_screens(kb: KnowledgeBase) -> None:
    """'Which of these apply': a kind answered no is never asked about, screen by screen;
    a kind ticked opens its screens, with the options that could change the answer."""
    calf = frozenset({"site_calf", "sustained_contraction"})
    _, asked = _walk(Case(age=40), kb, calf)
    ids = [q.id for q in asked]
    chooser = asked[ids.index("which_apply")]
    offered = {o.finding_id for o in chooser.options}
    assert offered and offered <= set(kb.opens) and len(chooser.options) <= 8
    closed = {g.id for g in kb.groups if g.opened_by in offered}
    assert closed and not closed & set(ids), ids
    assert len(ids) <= 12, ids

    _, asked = _walk(Case(age=40), kb, calf | {"any_medicine_or_condition"})
    ids = [q.id for q in asked]
    opened = [q for q in asked if q.id.startswith(("medicines_", "health_"))]
    assert opened, ids
    assert all(len(q.options) <= 8 for q in opened)


def test_a_kind_of_trouble_answered_no_is_not_recorded_as_a_no_to_each_finding(
    kb: KnowledgeBase,
) -> None:
    """The record keeps what the person said: a 'no' to a kind of trouble settles the
    interview's choices, not the findings behind it."""
    case, asked = _walk(Case(age=40), kb, frozenset({"site_calf", "sustained_contraction"}))
    chooser = next(q for q in asked if q.id == "which_apply")
    for option in chooser.options:
        assert case.state(option.finding_id) is FindingState.ABSENT
        assert all(f not in case.findings for f in kb.opens[option.finding_id])


def test_a_screen_asked_for_by_its_id_shows_what_the_interview_showed(kb: KnowledgeBase) -> None:
    """Stateless clients send the question's id back: the options they are checked
    against are the ones the person saw."""
    case = Case(age=40)
    yes = frozenset({"site_calf", "sustained_contraction", "any_pain", "pain"})
    while (question := next_question(case, kb)) is not None:
        assert question_by_id(question.id, case, kb) == question
        case = (
            answer(
                case,
                question,
                chosen=[o.finding_id for o in question.options if o.finding_id in yes],
            )
            if question.select == "many"
            else answer(case, question, dont_know=True)
        )


def test_the_estimate_of_screens_left_is_what_none_of_these_would_take(kb: KnowledgeBase) -> None:
    from crampcheck.engine.interview import screens_left

    _, asked = _walk(Case(age=40), kb)
    assert screens_left(Case(age=40), kb) == len(asked)
    calf = frozenset({"site_calf", "sustained_contraction", "any_pain", "pain"})
    case, asked = _walk(Case(age=40), kb, calf)
    assert screens_left(Case(age=40), kb) <= len(asked), "a tick can open more"
    assert screens_left(case, kb) == 0
