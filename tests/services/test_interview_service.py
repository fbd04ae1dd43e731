"""The interview step, one implementation for the pages, the API and the terminal."""

from __future__ import annotations

import math

import pytest

from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.domain.units import FAHRENHEIT, using_temperature_unit
from crampcheck.engine.rules import with_implications
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.evaluation import read_vignettes, simulate_interview
from crampcheck.services.interview import (
    Question,
    Reply,
    ReplyError,
    apply_reply,
    next_question,
    progress,
    question_by_id,
)
from crampcheck.services.pipeline import Pipeline
from tests.conftest import DEV_VIGNETTES


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
        ("emergency_heart_stroke", Reply(chosen=("not_a_finding",)), "not_an_option"),
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
    question = question_by_id("emergency_heart_stroke", Case(), kb)
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


# ------------------------------------------------ issue 14: short screens, "None of these"


def test_a_list_takes_none_of_these_but_never_a_blank(kb: KnowledgeBase) -> None:
    question = question_by_id("emergency_heart_stroke", Case(), kb)
    with pytest.raises(ReplyError) as blank:
        apply_reply(Case(), question, Reply())
    assert blank.value.reason == "choose", "a blank is not a no, even on the emergency screen"
    with pytest.raises(ReplyError) as both:
        apply_reply(Case(), question, Reply(chosen=("chest_pain",), none=True))
    assert both.value.reason == "none_and_chosen", "a ticked sign is never lost to 'None'"
    case = apply_reply(Case(), question, Reply(none=True))
    assert {case.findings[o.finding_id] for o in question.options} == {FindingState.ABSENT}


def test_every_screen_shows_at_most_eight_options(kb: KnowledgeBase) -> None:
    assert kb.groups and all(len(g.members) <= 8 for g in kb.groups)


def test_the_progress_estimate_never_goes_backwards_on_any_development_vignette(
    pipeline: Pipeline,
) -> None:
    vignettes, _ = read_vignettes(DEV_VIGNETTES)
    for vignette in vignettes:
        run = simulate_interview(pipeline, vignette)
        said = pipeline.check_text(vignette.text, vignette.age, vignette.sex).case
        truth = with_implications(said, pipeline.kb)
        case = Case(age=vignette.age, sex=vignette.sex)
        last_total: int | None = None
        done = -1.0
        for number, question_id in enumerate(run.question_ids, start=1):
            shown = progress(pipeline.check_case(case), pipeline.kb, number, last_total)
            assert shown.done >= done, (vignette.id, number, shown)
            done, last_total = shown.done, shown.total
            question = question_by_id(question_id, case, pipeline.kb)
            case = _answer_from(truth, case, question, pipeline.kb)
        assert next_question(case, pipeline.kb) is None


def _answer_from(truth: Case, case: Case, question: Question, kb: KnowledgeBase) -> Case:
    """Answer as the simulated person of the evaluation does (a kind of trouble of
    "which of these apply" is ticked when a finding behind it is present)."""
    if question.select in ("many", "one"):
        chosen = tuple(
            o.finding_id
            for o in question.options
            if any(
                truth.state(f) is FindingState.PRESENT
                for f in (o.finding_id, *kb.opens.get(o.finding_id, ()))
            )
        )
        return apply_reply(case, question, Reply(chosen=chosen, none=not chosen))
    if question.select == "boolean":
        present = truth.state(question.options[0].finding_id) is FindingState.PRESENT
        return apply_reply(case, question, Reply(yes=present))
    value = truth.value(question.options[0].finding_id)
    return apply_reply(case, question, Reply(number=value, dont_know=value is None))


def _screens_asked(
    pipeline: Pipeline, text: str, sex: Sex | None = None, ticks: frozenset[str] = frozenset()
) -> list[str]:
    """The screens a person is shown after describing ``text``, ticking the options in
    ``ticks`` where shown, answering every other list "None of these", every yes/no
    "No" and every number "Don't know"."""
    case = pipeline.check_text(text, 40, sex).case
    asked: list[str] = []
    while (question := next_question(case, pipeline.kb)) is not None:
        asked.append(question.id)
        if question.select in ("many", "one"):
            chosen = [o.finding_id for o in question.options if o.finding_id in ticks]
            case = apply_reply(case, question, Reply(chosen=chosen, none=not chosen))
        elif question.select == "boolean":
            case = apply_reply(case, question, Reply(yes=False))
        else:
            case = apply_reply(case, question, Reply(dont_know=True))
    return asked


@pytest.mark.parametrize(
    "text",
    [
        "CALFF CRAMP PAINFULL AT NIGHT FOR 2 WEKS",
        "My calf cramps at night and it is really painful",
        "Painful cramp in my foot when I swim",
    ],
)
def test_a_cramp_far_from_the_groin_is_never_asked_about_a_testicle(
    pipeline: Pipeline, text: str
) -> None:
    """Issue 14: the walk-through's all-caps calf cramp was asked "Is the pain in a
    testicle (a ball) or the scrotum?" (its pain opened the screen whatever the place)."""
    asked = _screens_asked(pipeline, text, Sex.MALE)
    assert "with_it_testicle" not in asked, asked


@pytest.mark.parametrize(
    "text",
    ["Cramp in my groin and it hurts", "It hurts a lot, like a cramp"],
)
def test_pain_near_the_groin_or_with_no_place_named_is_asked_about_a_testicle(
    pipeline: Pipeline, text: str
) -> None:
    """A twisted testicle can feel like a cramp in the groin: where the place is near
    it, or not named at all, the screen is still asked once it can matter (a severe
    pain here); a person who said no to every sign that goes with a twisted testicle is
    not asked where a pain is that could not change the answer."""
    severe = frozenset({"any_pain", "pain_severe"})
    assert "with_it_testicle" in _screens_asked(pipeline, text, Sex.MALE, severe)
    assert "with_it_testicle" not in _screens_asked(pipeline, text, Sex.MALE)


def test_a_temperature_asked_in_fahrenheit_is_kept_in_celsius(pipeline: Pipeline) -> None:
    """A US clinic's patient is asked in °F (the clinic's locale); the rules read °C."""
    feverish = Case(findings={"fever": FindingState.PRESENT, "twitching": FindingState.PRESENT})
    with using_temperature_unit(FAHRENHEIT):
        kb = pipeline.kb
        question = question_by_id("temperature_c", feverish, kb)
        assert question.unit == "°F" and question.text.endswith("temperature in °F?")
        case = apply_reply(feverish, question, Reply(number=101.3))
        assert case.value("temperature_c") == 38.5
        hot = apply_reply(feverish, question, Reply(number=104))
        assert pipeline.check_case(hot).case.value("temperature_c") == 40.0
        assert with_implications(hot, kb).state("high_fever") is FindingState.PRESENT
        with pytest.raises(ReplyError):
            apply_reply(feverish, question, Reply(number=20))  # below freezing in °C
    question = question_by_id("temperature_c", feverish, pipeline.kb)
    assert question.unit == "°C" and question.text.endswith("temperature in °C?")
    assert apply_reply(feverish, question, Reply(number=38.5)).value("temperature_c") == 38.5
