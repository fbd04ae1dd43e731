"""The adaptive interview: which question to ask next, and when to stop.

Where it is comes first (the ``first`` topic's screens, until a place is chosen); then
every screen of the emergency signs, none skipped and every option shown, the one most
relevant to what is already known first. After them only what could still change the
answer for this person is asked (:func:`~crampcheck.engine.relevance.could_change`):
first "which of these apply", offering the kinds of trouble (``opened_by`` in the
knowledge base) whose screens hold such findings; a kind answered no closes its screens.
Then the screen holding the most useful open finding, showing only the options that could
change the urgency or the kind; once nothing left could raise the answer more than one
level (a self-care answer that only a doctor's cause could change), those options are
gathered from their screens onto one (the knowledge base's ``gathers`` topic), eight at
a time, instead of one screen each. The interview stops as soon as nothing could change
the answer, and at once when the answer is an emergency. Questions, their screens, the
kinds of trouble and "why we ask" come from the knowledge base: this module only orders
and trims them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from crampcheck.domain.assessment import Assessment
from crampcheck.domain.types import Case, FindingState, Urgency
from crampcheck.engine.assess import assess
from crampcheck.engine.relevance import could_change
from crampcheck.engine.rules import candidates, is_unasked, with_implications
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import QuestionGroup

Select = Literal["many", "one", "boolean", "number"]


@dataclass(frozen=True)
class Option:
    """One answer a person can pick: a finding and its plain-language label."""

    finding_id: str
    label: str


@dataclass(frozen=True)
class Question:
    """The next thing to ask, with why it matters.

    ``select`` says how to answer: ``many`` (tick all that apply), ``one`` (pick one),
    ``boolean`` (yes / no / don't know) or ``number`` (a quantity in ``unit``).
    """

    id: str
    text: str
    why: str
    select: Select
    options: tuple[Option, ...]
    unit: str | None = None


class AnswerError(ValueError):
    """An answer that does not fit its question."""


def next_question(case: Case, kb: KnowledgeBase) -> Question | None:
    """The most useful question still open, or None when nothing could change the answer."""
    case = as_answered(case, kb)
    assessment = assess(case, kb)
    if assessment.urgency is Urgency.EMERGENCY:
        # Nothing can raise it further, and a person in danger should act, not answer.
        return None
    where = _where_screen(case, kb)
    if where is not None:
        return _group_question(where.id, case, kb)
    red_flags = red_flag_screens(case, kb)
    if red_flags:
        # Every emergency screen is asked, whatever else is known.
        return _group_question(red_flags[0].id, case, kb)
    found = could_change(case, kb, assessment)
    if not found:
        return None
    openers = openers_to_ask(case, kb, found)
    if openers:
        return _group_question(kb.group_of[openers[0]].id, case, kb, relevant=set(found))
    gathered = _gathered(found, case, kb, assessment)
    if gathered is not None:
        return gathered
    return _best_question(found, case, kb)


MAX_GATHERED = 8
"""The most options a gathered screen shows (as any screen: see MAX_SCREEN_OPTIONS)."""


def _gathered(
    found: Sequence[str], case: Case, kb: KnowledgeBase, assessment: Assessment
) -> Question | None:
    """The knowledge base's gathering screen (``gathers`` in questions.yaml) filled with
    the most useful open findings of other screens, when no answer left could raise the
    answer more than one level above where it is (a self-care answer with nothing open
    but what could make it a doctor's; never while an emergency is still possible) and
    they lie on two screens or more; None otherwise (each screen is then asked on its
    own). Only findings of ordinary "tick all that apply" screens are gathered: not
    where it is, the emergency signs, the kinds of trouble, a screen whose options answer
    one question (which side) or a "pick one"; nor a number."""
    gathering = kb.gathered
    if gathering is None or assessment.urgency is Urgency.EMERGENCY:
        return None
    ceiling = assessment.urgency.rank + 1
    reach = candidates(case, kb, assessment.urgency, assessment.kind)
    if any(c.raise_to is not None and c.raise_to.rank > ceiling for c in reach):
        return None
    options: list[str] = []
    for finding_id in found:
        group = kb.group_of.get(finding_id)
        if group is None or group.first or group.screen or group.whole:
            continue
        if group.select != "many" or finding_id in kb.opens:
            continue
        options.append(finding_id)
        if len(options) == MAX_GATHERED:
            break
    if len({kb.group_of[f].id for f in options}) < 2:
        return None
    return Question(
        id=gathering.id,
        text=gathering.text,
        why=gathering.why,
        select="many",
        options=tuple(Option(m, kb.findings[m].label) for m in options),
    )


MAX_ESTIMATED_SCREENS = 40
"""Where the estimate of the screens still to come stops counting."""


def screens_left(case: Case, kb: KnowledgeBase) -> int:
    """About how many questions are still to come (an estimate for a progress bar): as
    many as the interview would still ask a person who answers "None of these", "no" or
    "don't know" from here on, as most answers are. A tick can open more."""
    left = 0
    while left < MAX_ESTIMATED_SCREENS:
        question = next_question(case, kb)
        if question is None:
            break
        left += 1
        if question.select in ("many", "one"):
            case = answer(case, question, chosen=())
        elif question.select == "boolean":
            case = answer(case, question, yes=False)
        else:
            case = answer(case, question, dont_know=True)
    return left


def as_answered(case: Case, kb: KnowledgeBase) -> Case:
    """The case as the interview reasons over it: with its implications, the findings
    behind a "which of these apply" option answered no taken as no (the person said they
    have none of that kind of trouble), and the options of a screen whose ``asked_when``
    does not hold taken as no (it cannot be relevant: a testicle for a calf cramp), as
    is a finding asked on its own whose ``asked_when`` does not hold, so that rules
    needing them are settled. Only the interview's choices use this; the
    record keeps what the person actually said."""
    case = with_implications(case, kb)
    closed = {
        f: FindingState.ABSENT
        for opener, behind in kb.opens.items()
        if case.state(opener) is FindingState.ABSENT
        for f in behind
        if is_unasked(case, f)
    }
    for group in kb.groups:
        condition = kb.asked_when.get(group.id)
        # A place or a fact not said does not open the screen: only True does.
        if condition is not None and condition.evaluate(case) is not True:
            closed.update((f, FindingState.ABSENT) for f in group.members if is_unasked(case, f))
    for finding_id, condition in kb.alone_when.items():
        # The same for a finding asked on its own (a temperature, once a fever is said).
        if is_unasked(case, finding_id) and condition.evaluate(case) is not True:
            closed[finding_id] = FindingState.ABSENT
    return case.with_answers(closed) if closed else case


def openers_to_ask(case: Case, kb: KnowledgeBase, found: Sequence[str]) -> list[str]:
    """The options of "which of these apply" worth showing: unasked, none of the findings
    behind them already present, and one of those findings open in ``found``."""
    relevant = set(found)
    return [
        opener
        for opener, behind in kb.opens.items()
        if is_unasked(case, opener)
        and not any(case.state(f) is FindingState.PRESENT for f in behind)
        and any(f in relevant for f in behind)
    ]


MAX_SCREENS_WEIGHED = 4
"""How many screens of the most useful open findings are weighed against each other."""


def _best_question(found: Sequence[str], case: Case, kb: KnowledgeBase) -> Question:
    """The screen holding the most useful finding still open, showing only the findings
    on it that could change the answer; a finding on no screen is asked on its own.

    Where several screens hold findings that could raise the answer as high as the most
    useful one (a rule of "the back, and a tearing pain": either screen can settle it),
    the one whose "None of these" would leave the fewest screens still to ask comes
    first, so that one answer rules out what another screen would only have asked again."""
    first = found[0]
    group = kb.group_of.get(first)
    if group is not None:
        chosen = _most_settling(found, case, kb) or group.id
        return _group_question(chosen, case, kb, relevant=set(found))
    finding = kb.findings[first]
    select: Select = "number" if finding.answer == "number" else "boolean"
    return Question(
        id=finding.id,
        text=finding.question,
        why=finding.why,
        select=select,
        options=(Option(finding.id, finding.label),),
        unit=finding.unit,
    )


def _most_settling(found: Sequence[str], case: Case, kb: KnowledgeBase) -> str | None:
    """Of the screens holding the open findings that could raise the answer as high as
    the first one could (at most :data:`MAX_SCREENS_WEIGHED`, in order of usefulness),
    the one whose "None of these" leaves the fewest screens with a finding that could
    still change the answer (then the fewest such findings, then the most useful)."""
    full = as_answered(case, kb)
    assessment = assess(full, kb)
    reach = {
        # What could still make it an emergency is weighed only against what is as
        # likely to show one as soon (as decisive, its rule as far on); the rest by level.
        c.finding_id: c.priority[:3] if c.priority[0] >= Urgency.EMERGENCY.rank else c.priority[:1]
        for c in candidates(full, kb, assessment.urgency, assessment.kind)
    }
    top = reach.get(found[0])
    if top is None:
        return None
    screens: list[str] = []
    for finding_id in found:
        group = kb.group_of.get(finding_id)
        if group is None or group.id in screens or finding_id not in reach:
            continue
        if reach[finding_id] == top:
            screens.append(group.id)
            if len(screens) == MAX_SCREENS_WEIGHED:
                break
    if len(screens) < 2:
        return None
    relevant = set(found)

    def left_after_none(group_id: str) -> tuple[int, int]:
        question = _group_question(group_id, case, kb, relevant=relevant)
        after = as_answered(answer(case, question, chosen=()), kb)
        still = could_change(after, kb, assess(after, kb))
        return len({kb.group_of[f].id if f in kb.group_of else f for f in still}), len(still)

    return min(screens, key=lambda g: (*left_after_none(g), screens.index(g)))


def _where_screen(case: Case, kb: KnowledgeBase) -> QuestionGroup | None:
    """The next screen of where it is, until a place is known: None once one of the
    ``first`` screens' options is present, or every one has been answered."""
    screens = [g for g in kb.groups if g.first]
    if any(case.state(m) is FindingState.PRESENT for g in screens for m in g.members):
        return None
    return next((g for g in screens if any(is_unasked(case, m) for m in g.members)), None)


def red_flag_screens(case: Case, kb: KnowledgeBase) -> list[QuestionGroup]:
    """The red-flag screens still to ask (any option unasked), most relevant first: the
    most of their ``asked_first_when`` findings present, then knowledge-base order. A
    screen leaves this list only when every one of its options has an answer."""
    screens = [
        (position, g)
        for position, g in enumerate(kb.groups)
        if g.screen and any(is_unasked(case, m) for m in g.members)
    ]
    present = {f for f, state in case.findings.items() if state is FindingState.PRESENT}

    def relevance(item: tuple[int, QuestionGroup]) -> tuple[int, int]:
        position, group = item
        return (-len(present.intersection(group.asked_first_when)), position)

    return [g for _, g in sorted(screens, key=relevance)]


def _group_question(
    group_id: str, case: Case, kb: KnowledgeBase, relevant: set[str] | None = None
) -> Question:
    """A screen's unasked options: all of them on a screen of the emergency signs, of
    where it is until a place is known, and of a ``whole`` screen (its options answer one
    question); on any other, only those that could still change the answer (all unasked
    ones when none could, for a client asking for that screen by its id)."""
    group = next(g for g in kb.groups if g.id == group_id)
    full = as_answered(case, kb)
    members = [m for m in group.members if is_unasked(full, m)]
    placed = group.first and _where_screen(full, kb) is None
    if not (group.screen or (group.first and not placed)):
        if relevant is None:
            relevant = set(could_change(full, kb, assess(full, kb)))
        if any(m in kb.opens for m in group.members):
            # "Which of these apply": the kinds of trouble that could change the answer.
            relevant = set(openers_to_ask(full, kb, list(relevant)))
        if not group.whole:
            # A screen whose options answer one question ("which side") shows them all.
            members = [m for m in members if m in relevant] or members
    return Question(
        id=group.id,
        # Once a place is known, a screen of places asks about other places: "Is it also
        # in any of these places?", not "Where is it?" again.
        text=group.also_text if placed and group.also_text else group.text,
        why=group.why,
        select=group.select,
        options=tuple(Option(m, kb.findings[m].label) for m in members),
    )


def question_by_id(question_id: str, case: Case, kb: KnowledgeBase) -> Question:
    """Rebuild a question from its id (for stateless clients that send it back)."""
    if kb.gathered is not None and question_id == kb.gathered.id:
        # Filled from the case, as it was when it was asked.
        found = next_question(case, kb)
        if found is None or found.id != question_id:
            raise AnswerError(f"'{question_id}' is not open")
        return found
    if any(g.id == question_id for g in kb.groups):
        return _group_question(question_id, case, kb)
    finding = kb.findings.get(question_id)
    if finding is None:
        raise AnswerError(f"unknown question '{question_id}'")
    select: Select = "number" if finding.answer == "number" else "boolean"
    return Question(
        finding.id,
        finding.question,
        finding.why,
        select,
        (Option(finding.id, finding.label),),
        finding.unit,
    )


def answer(
    case: Case,
    question: Question,
    *,
    chosen: Sequence[str] = (),
    yes: bool | None = None,
    number: float | None = None,
    dont_know: bool = False,
) -> Case:
    """Record an answer: the case with the question's findings now known.

    For ``many``/``one`` questions, ``chosen`` lists the options picked; every other
    option becomes absent ("none of these" is an empty list). ``dont_know`` records
    each option as asked-but-unknown, so it is not asked again and never taken as absent.
    """
    option_ids = [o.finding_id for o in question.options]
    if dont_know:
        return case.with_answers({f: FindingState.UNKNOWN for f in option_ids})
    if question.select in ("many", "one"):
        unknown = [c for c in chosen if c not in option_ids]
        if unknown:
            raise AnswerError(f"not an option of '{question.id}': {', '.join(unknown)}")
        if question.select == "one" and len(chosen) > 1:
            raise AnswerError(f"'{question.id}' takes one answer")
        states: Mapping[str, FindingState] = {
            f: FindingState.PRESENT if f in chosen else FindingState.ABSENT for f in option_ids
        }
        return case.with_answers(states)
    (finding_id,) = option_ids
    if question.select == "boolean":
        if yes is None:
            raise AnswerError(f"'{question.id}' takes yes, no or don't know")
        state = FindingState.PRESENT if yes else FindingState.ABSENT
        return case.with_answers({finding_id: state})
    if number is None or number != number or number < 0:
        raise AnswerError(f"'{question.id}' takes a number of {question.unit or 'units'}")
    return case.with_answers({finding_id: FindingState.PRESENT}, {finding_id: float(number)})
