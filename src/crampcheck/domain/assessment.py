"""The result of a triage: what crampcheck tells a person, every part cited.

All types are immutable and carry source ids, so any statement shown to a person
can be traced to the public page it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crampcheck.domain.types import Kind, Urgency


@dataclass(frozen=True)
class Reason:
    """A triage rule that fired: why the urgency (or kind) is what it is."""

    rule_id: str
    level: Urgency
    text: str
    source_ids: tuple[str, ...]
    kind: Kind | None = None


@dataclass(frozen=True)
class Evidence:
    """Why a finding counts for or against a possible cause."""

    finding_id: str
    label: str


@dataclass(frozen=True)
class Cause:
    """A condition that could be behind the episode, with the evidence both ways.

    Never a diagnosis: the wording shown is "can be caused by", "could be".
    """

    id: str
    name: str
    kind: Kind
    summary: str
    supporting: tuple[Evidence, ...]
    against: tuple[Evidence, ...]
    source_ids: tuple[str, ...]
    flagged_by_rule: bool
    clinician: str | None = None


@dataclass(frozen=True)
class AdviceItem:
    """One piece of advice fitted to the case, with cautions already applied."""

    id: str
    kind: Literal["home", "professional", "safety_net", "first_aid", "avoid"]
    title: str
    text: str
    steps: tuple[str, ...]
    cautions: tuple[str, ...]
    evidence: str | None
    evidence_strength: str | None
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class WithheldAdvice:
    """Advice left out because of something the person said, and what to do instead.

    ``titles`` are the items withheld for one shared reason; ``stop`` is set when the
    person already uses what was withheld (a painkiller, a medicine) and should stop."""

    advice_ids: tuple[str, ...]
    titles: tuple[str, ...]
    because: str
    instead: str | None
    stop: str | None
    source_ids: tuple[str, ...]


@dataclass(frozen=True)
class OpenQuestion:
    """A finding not yet known whose answer could still raise the urgency or change the kind."""

    finding_id: str
    question: str
    why: str
    could_raise_to: Urgency | None
    could_change_kind_to: Kind | None


@dataclass(frozen=True)
class Assessment:
    """Everything the engine concluded about one case."""

    urgency: Urgency
    action: str
    reasons: tuple[Reason, ...]
    kind: Kind
    kind_reasons: tuple[str, ...]
    causes: tuple[Cause, ...]
    advice: tuple[AdviceItem, ...]
    open_questions: tuple[OpenQuestion, ...]
    recognised_findings: int
    kb_version: str
    disclaimer: str
    withheld: tuple[WithheldAdvice, ...] = ()
    """Advice not offered because it could harm this person, each with why."""
