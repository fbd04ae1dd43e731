"""An episode as a check, a check saved as an episode, and the diary's patterns as the
check of an appointment request: the diary's side of running the triage. What each of
the diary's answers, measurements and escalations means as a finding is the knowledge
base's diary mapping (``diary_mapping.yaml``)."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from crampcheck.domain.diary import CONTEXTS, SITES, EpisodeRecord, Patterns
from crampcheck.domain.diary_charts import Counts
from crampcheck.domain.types import FindingState
from crampcheck.knowledge import KnowledgeBase
from crampcheck.services.check_steps import Given
from crampcheck.services.diary import EpisodeInput
from crampcheck.services.pipeline import CheckResult


def episode_check(episode: EpisodeRecord, kb: KnowledgeBase) -> Given:
    """An episode as a check: its answers as the knowledge base's findings, in the order
    the check's flow keeps them."""
    means = kb.diary_mapping.episode
    findings: dict[str, FindingState] = {}
    values: dict[str, float] = {}
    present = FindingState.PRESENT
    if episode.site:
        findings[episode.site] = present
    if episode.side in means.side:
        findings[means.side[episode.side]] = present
    if episode.feel in means.feel:
        findings[means.feel[episode.feel]] = present
    if episode.duration_minutes is not None:
        findings[means.duration] = present
        values[means.duration] = episode.duration_minutes
    if episode.pain is not None:
        findings[means.pain_score] = present
        values[means.pain_score] = float(episode.pain)
        findings[means.pain] = present if episode.pain > 0 else FindingState.ABSENT
        if episode.pain >= means.severe_pain.at_least:
            findings[means.severe_pain.finding] = present
    if episode.activity in means.activity:
        findings[means.activity[episode.activity]] = present
    if episode.at_night:
        findings[means.at_night] = present
    for context in episode.context:
        findings[context] = present
    for treatment in episode.tried:
        if treatment in means.tried:
            findings[means.tried[treatment]] = present
    if episode.tried and episode.helped is True:
        findings[means.helped] = present
    elif episode.tried and episode.helped is False and episode.feel in means.not_helped.feels:
        findings[means.not_helped.finding] = present
    return Given(answers=findings, values=values)


def _present(result: CheckResult) -> set[str]:
    return {f for f, s in result.case.findings.items() if s is FindingState.PRESENT}


def _answer(answers: dict[str, str], present: set[str]) -> str | None:
    """The first answer whose finding is present."""
    return next((a for a, f in answers.items() if f in present), None)


def episode_from_check(
    description: str | None,
    result: CheckResult,
    assessment: dict[str, Any],
    now: datetime,
    kb: KnowledgeBase,
) -> EpisodeInput:
    """A diary episode from a finished check (``description``: the person's words, if
    any), the check kept with it as it was shown."""
    means = kb.diary_mapping.episode
    present = _present(result)
    case = result.case
    site = next((s for s in SITES if s in present), None)
    side = _answer(means.side, present)
    kind = assessment["kind"]
    twitching, contraction = means.feel.get("twitch"), means.feel.get("cramp")
    feel_of_kind = means.feel_of_kind.get(kind)
    if feel_of_kind == "twitch" or (twitching in present and contraction not in present):
        feel = "twitch"
    elif feel_of_kind == "cramp" or contraction in present:
        feel = "cramp"
    else:
        feel = "other"
    minutes = case.value(means.duration)
    score = case.value(means.pain_score)
    # The at-night tick carries an activity that means being at night (sleeping).
    activity = _answer({a: f for a, f in means.activity.items() if f != means.at_night}, present)
    # Each finding reads back as the first answer that means it.
    first_answer = {f: a for a, f in reversed(means.tried.items())}
    tried = tuple(t for t, f in means.tried.items() if f in present and first_answer[f] == t)
    helped: bool | None = None
    if means.helped in present:
        helped = True
    elif any(f in present for f in means.not_helped_from):
        helped = False
    check = {
        "checked_at": now.isoformat(),
        "urgency": assessment["urgency"],
        "kind": kind,
        "action": assessment["action"],
        "description": description,
        "findings": [
            {k: f.get(k) for k in ("id", "label", "state", "value", "text")}
            for f in assessment["findings"]
        ],
        "reasons": [
            {"rule_id": r["rule_id"], "text": r["text"], "source_ids": r["source_ids"]}
            for r in assessment["reasons"]
        ],
        "kb_version": assessment["kb_version"],
    }
    return EpisodeInput(
        started_at=now,
        feel=feel,
        site=site,
        side=side,
        duration_minutes=None if minutes is None else min(max(minutes, 0.0), 1440.0),
        pain=None if score is None else min(max(round(score), 0), 10),
        activity=activity,
        at_night=means.at_night in present,
        context=tuple(c for c in CONTEXTS if c in present),
        tried=tried,
        helped=helped,
        check=check,
    )


def patterns_check(found: Patterns, counts: Counts, summary: str, kb: KnowledgeBase) -> Given:
    """The diary as a check for an appointment request: the summary in words, the
    measured patterns as values, and what each escalation means as findings."""
    means = kb.diary_mapping.request
    present = FindingState.PRESENT
    findings: dict[str, FindingState] = {}
    values: dict[str, float] = {}
    for metric, value in found.metrics.items():
        if metric in kb.findings and math.isfinite(value) and 0 <= value <= 100_000:
            findings[metric] = present
            values[metric] = value
    # What the diary measured is stated outright: answers win over what is read in the
    # summary's words ("At night: 0 of 6" mentions the night, but says no to it).
    values[means.diary_days] = float(found.diary_days)
    findings[means.diary_days] = present
    findings[means.night] = present if counts.night else FindingState.ABSENT
    for threshold in (means.frequent, means.recurrent):
        if found.metrics.get(threshold.metric, 0.0) >= threshold.at_least:
            findings[threshold.finding] = present
        elif threshold.below is not None:
            findings[threshold.finding] = FindingState(threshold.below)
    for escalation in found.escalations:
        for finding in means.escalations.get(escalation.rule_id, ()):
            findings[finding] = present
    if found.sites and found.sites[0][0] in kb.findings:
        findings[found.sites[0][0]] = present
    return Given(text=summary, answers=findings, values=values)
