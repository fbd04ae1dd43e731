"""What keeps the clinic's summary to one page: which "no" answers are worth printing,
and how much of the person's own words.

An interview counts every box left unticked as "no", so a check can hold a hundred
denials; nearly all of them say nothing about this case. The page prints only the
denials of warning signs that could have changed this answer: the red flags (see
:attr:`KnowledgeBase.red_flags`) the person said no to where a "yes" would have made a
rule at or above the level the check gave fire. Those are what a clinician needs to
know were asked and denied; the rest are on the request page.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crampcheck.domain.types import Case, FindingState, Urgency
from crampcheck.knowledge.compiled import CompiledRule
from crampcheck.knowledge.loader import KnowledgeBase

WORDS_LIMIT = 600
"""Characters of the person's description printed before it is cut (with a note)."""
REASON_LIMIT = 200
"""Characters of the reason given on the form printed before it is cut (with a note)."""


@dataclass(frozen=True)
class Excerpt:
    """Some of a text: what is printed, and how many characters were left out."""

    text: str
    left_out: int

    @property
    def cut(self) -> bool:
        return self.left_out > 0


def excerpt(text: str, limit: int) -> Excerpt:
    """``text`` up to about ``limit`` characters, cut at a word and marked with an
    ellipsis; ``left_out`` counts the characters not printed."""
    text = text.strip()
    if len(text) <= limit:
        return Excerpt(text, 0)
    head = text[:limit]
    space = head.rfind(" ")
    if space > limit * 0.6:
        head = head[:space]
    head = head.rstrip(" ,;:.-")
    return Excerpt(f"{head} …", len(text) - len(head))


def relevant_denials(case: Case, urgency: str, kb: KnowledgeBase) -> tuple[str, ...]:
    """The red flags the person said no to whose "yes" would have made a rule at or
    above the check's level fire that did not (every rule when the level is unknown):
    the denials this answer rests on, in the knowledge base's order of findings."""
    try:
        level: Urgency | None = Urgency(urgency)
    except ValueError:
        level = None
    rules = [
        rule
        for rule in kb.rules
        if (level is None or rule.spec.level >= level) and not _fires(rule, case)
    ]
    denied = [
        f for f in kb.findings if f in kb.red_flags and case.findings.get(f) is FindingState.ABSENT
    ]
    return tuple(
        f
        for f in denied
        if any(_fires(rule, _with_yes(case, f)) for rule in rules if f in rule.leaves)
    )


def _with_yes(case: Case, finding_id: str) -> Case:
    return replace(case, findings={**case.findings, finding_id: FindingState.PRESENT})


def _fires(rule: CompiledRule, case: Case) -> bool:
    if rule.when.evaluate(case) is not True:
        return False
    return rule.unless is None or rule.unless.evaluate(case) is not True
