"""Cross-checks of the knowledge base: every finding, condition and source a record
names must exist; a problem raises :class:`KnowledgeError` naming the file and the key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crampcheck.knowledge.compiled import KnowledgeError
from crampcheck.knowledge.condition_syntax import ConditionSyntaxError, compile_condition
from crampcheck.knowledge.conditions import Condition
from crampcheck.knowledge.schema import (
    ConditionRef,
    DiaryMapping,
    Finding,
    RuleCase,
    Source,
)

DIARY_MAPPING_FILE = "diary_mapping.yaml"


class References:
    """Checks that every id a record names exists, naming the key when not."""

    def __init__(
        self,
        findings: Mapping[str, Finding],
        sources: Mapping[str, Source],
        conditions: Mapping[str, ConditionRef],
        index: Mapping[str, int],
    ) -> None:
        self._findings = findings
        self._sources = sources
        self._conditions = conditions
        self._index = index

    def findings(self, ids: Iterable[str], where: str) -> None:
        self._exist(ids, self._findings, "finding", where)

    def sources(self, ids: Iterable[str], where: str) -> None:
        self._exist(ids, self._sources, "source", where)

    def conditions(self, ids: Iterable[str], where: str) -> None:
        self._exist(ids, self._conditions, "condition", where)

    def condition(self, spec: Any, where: str) -> Condition:
        try:
            compiled = compile_condition(spec, where, self._index)
        except ConditionSyntaxError as error:
            raise KnowledgeError(str(error)) from None
        self.findings(compiled.findings(), where)
        return compiled

    @staticmethod
    def _exist(ids: Iterable[str], known: Mapping[str, Any], what: str, where: str) -> None:
        for item in ids:
            if item not in known:
                raise KnowledgeError(f"{where}: unknown {what} '{item}'")


def check_cases(check: References, cases: Iterable[RuleCase], where: str) -> None:
    """Every finding a shipped case names must exist, and a case needs text or findings."""
    for i, case in enumerate(cases):
        check.findings(tuple(case.findings), f"{where}[{i}].findings")
        check.findings(tuple(case.values), f"{where}[{i}].values")
        if case.text is None and not case.findings and not case.values:
            raise KnowledgeError(f"{where}[{i}]: needs text or findings")


def check_diary_mapping(
    mapping: DiaryMapping,
    check: References,
    findings: Mapping[str, Finding],
    diary_rule_ids: set[str],
) -> None:
    """Every finding, source and diary rule the diary mapping names must exist, and the
    quantities it fills must be number findings."""
    where = DIARY_MAPPING_FILE
    episode, request = mapping.episode, mapping.request
    for name in ("feel", "side", "activity", "tried"):
        answers: dict[str, str] = getattr(episode, name)
        for answer, finding_id in answers.items():
            check.findings((finding_id,), f"{where}: episode.{name}.{answer}")
    for kind, feel in episode.feel_of_kind.items():
        if feel not in episode.feel:
            raise KnowledgeError(
                f"{where}: episode.feel_of_kind.{kind}: unknown feel answer '{feel}' "
                f"(not in episode.feel)"
            )
    singles = {
        "episode.at_night": episode.at_night,
        "episode.duration": episode.duration,
        "episode.pain_score": episode.pain_score,
        "episode.pain": episode.pain,
        "episode.severe_pain.finding": episode.severe_pain.finding,
        "episode.helped": episode.helped,
        "episode.not_helped.finding": episode.not_helped.finding,
        "request.diary_days": request.diary_days,
        "request.night": request.night,
    }
    for key, finding_id in singles.items():
        check.findings((finding_id,), f"{where}: {key}")
    check.findings(episode.not_helped_from, f"{where}: episode.not_helped_from")
    check.sources(episode.severe_pain.sources, f"{where}: episode.severe_pain.sources")
    check.sources(episode.not_helped.sources, f"{where}: episode.not_helped.sources")
    numbers = {
        "episode.duration": episode.duration,
        "episode.pain_score": episode.pain_score,
        "request.diary_days": request.diary_days,
    }
    for name in ("frequent", "recurrent"):
        threshold = getattr(request, name)
        check.findings((threshold.finding,), f"{where}: request.{name}.finding")
        check.findings((threshold.metric,), f"{where}: request.{name}.metric")
        check.sources(threshold.sources, f"{where}: request.{name}.sources")
        numbers[f"request.{name}.metric"] = threshold.metric
    for key, finding_id in numbers.items():
        if findings[finding_id].answer != "number":
            raise KnowledgeError(f"{where}: {key}: '{finding_id}' is not a number finding")
    for rule_id, finding_ids in request.escalations.items():
        if rule_id not in diary_rule_ids:
            raise KnowledgeError(f"{where}: request.escalations: unknown diary rule '{rule_id}'")
        check.findings(finding_ids, f"{where}: request.escalations.{rule_id}")
