"""Issue 14: a self-care case no longer rules out each doctor-level cause one screen at a
time. Once no answer left could raise the answer more than one level, the open findings
of several screens are asked together on the knowledge base's gathering screen (eight at
most); never while an emergency (or, for self-care, an urgent) finding is still open.
And after a place is known, the screen of places asks about other places, not "Where is
it?" again."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from crampcheck.domain.types import Case, FindingState, Urgency
from crampcheck.engine import answer, assess, next_question
from crampcheck.engine.interview import AnswerError, Question, as_answered, question_by_id
from crampcheck.engine.rules import candidates
from crampcheck.knowledge import KnowledgeBase
from crampcheck.knowledge.schema import QuestionTopic

P = FindingState.PRESENT

NIGHT_CALF = Case(
    age=40,
    findings={
        "site_calf": P,
        "sustained_contraction": P,
        "at_night": P,
        "eased_by_stretching": P,
    },
)
"""A night calf cramp eased by stretching: self-care, as the words give it."""

KINDS = frozenset({"any_pattern", "any_trigger"})
"""Ticked on "which of these apply": how often it comes and what brings it on."""


def _until_gathered(case: Case, kb: KnowledgeBase) -> tuple[Case, Question, list[str]]:
    """Answer "None of these" (or no, don't know) until the gathering screen comes, but
    for the kinds of trouble of :data:`KINDS`."""
    asked: list[str] = []
    while (question := next_question(case, kb)) is not None:
        asked.append(question.id)
        if kb.gathered is not None and question.id == kb.gathered.id:
            return case, question, asked
        assert len(asked) < 40
        if question.select in ("many", "one"):
            chosen = [o.finding_id for o in question.options if o.finding_id in KINDS]
            case = answer(case, question, chosen=chosen)
        elif question.select == "boolean":
            case = answer(case, question, yes=False)
        else:
            case = answer(case, question, dont_know=True)
    raise AssertionError(f"no gathering screen: {asked}")


def test_doctor_level_findings_of_several_screens_are_asked_together(kb: KnowledgeBase) -> None:
    assert kb.gathered is not None and kb.gathered.id not in {g.id for g in kb.groups}
    case, question, asked = _until_gathered(NIGHT_CALF, kb)
    options = [o.finding_id for o in question.options]
    assert 2 <= len(options) <= 8
    homes = {kb.group_of[f].id for f in options}
    assert len(homes) >= 2, homes
    # Every emergency screen came before it, and nothing left could make it urgent.
    assert {g.id for g in kb.groups if g.screen} <= set(asked)
    full = as_answered(case, kb)
    level = assess(full, kb)
    assert level.urgency is Urgency.SELF_CARE
    reach = candidates(full, kb, level.urgency, level.kind)
    assert all(c.raise_to is None or c.raise_to <= Urgency.DOCTOR for c in reach)
    # "None of these" settles every one of them at once ...
    after = answer(case, question, chosen=[])
    assert all(after.state(f) is FindingState.ABSENT for f in options)
    assert assess(after, kb).urgency is Urgency.SELF_CARE
    # ... and a tick takes it to a doctor, as its own screen would have.
    ticked = answer(case, question, chosen=[options[0]])
    assert assess(as_answered(ticked, kb), kb).urgency is Urgency.DOCTOR


def test_the_gathered_screen_is_rebuilt_from_its_id(kb: KnowledgeBase) -> None:
    case, question, _asked = _until_gathered(NIGHT_CALF, kb)
    assert question_by_id(question.id, case, kb) == question
    with pytest.raises(AnswerError, match="is not open"):
        question_by_id(question.id, Case(age=40), kb)


def test_never_while_an_emergency_sign_is_open(kb: KnowledgeBase) -> None:
    """With nothing said, the emergency screens are all asked before anything else."""
    question = next_question(Case(age=40, findings={"site_calf": P}), kb)
    assert question is not None and kb.gathered is not None
    assert question.id != kb.gathered.id


def test_a_gathering_topic_has_one_empty_screen() -> None:
    with pytest.raises(ValidationError, match="gathering topic"):
        QuestionTopic.model_validate(
            {
                "id": "more",
                "why": "why",
                "gathers": True,
                "screens": [{"id": "more", "text": "Any of these?", "members": ["fever"]}],
            }
        )


def test_after_a_place_is_known_places_are_asked_as_also(kb: KnowledgeBase) -> None:
    first = next_question(Case(age=40), kb)
    assert first is not None and first.id == "where"
    assert first.text.startswith("Where is it?")
    seen = []
    case = NIGHT_CALF
    while (question := next_question(case, kb)) is not None:
        if question.id in ("where", "where_else"):
            seen.append(question)
        case = (
            answer(case, question, chosen=[])
            if question.select == "many"
            else (answer(case, question, dont_know=True))
        )
    assert seen, "no other place asked about"
    for question in seen:
        assert question.text == "Is it also in any of these places? Tick all that apply."
        assert "site_calf" not in {o.finding_id for o in question.options}
