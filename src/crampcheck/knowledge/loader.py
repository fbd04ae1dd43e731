"""Load, validate and compile the knowledge base shipped inside the package.

Files are read with ``importlib.resources`` (so they load from a wheel too), parsed
into the strict models of :mod:`crampcheck.knowledge.schema`, then cross-checked:
every finding, condition and source a record names must exist. Any problem raises
:class:`KnowledgeError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from crampcheck.domain.types import Urgency
from crampcheck.knowledge.conditions import Condition, ConditionSyntaxError, compile_condition
from crampcheck.knowledge.schema import (
    Advice,
    CarePathway,
    ConditionRef,
    DiaryMapping,
    EmergencySign,
    Finding,
    Lexicon,
    Policy,
    QuestionGroup,
    Rule,
    RuleCase,
    Source,
)

M = TypeVar("M", bound=BaseModel)

DATA_PACKAGE = "crampcheck.knowledge.data"
DIARY_MAPPING_FILE = "diary_mapping.yaml"
EMERGENCY_SIGNS_FILE = "emergency_signs.yaml"


class KnowledgeError(ValueError):
    """The knowledge base is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class CompiledRule:
    """A triage rule with its conditions compiled."""

    spec: Rule
    when: Condition
    unless: Condition | None
    leaves: tuple[str, ...] = ()
    unless_leaves: tuple[str, ...] = ()
    leaf_mask: int = 0

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class CompiledAdvice:
    """An advice item with its conditions compiled."""

    spec: Advice
    when: Condition | None
    unless: Condition | None
    cautions: tuple[tuple[Condition | None, int], ...]
    contraindications: tuple[Condition, ...] = ()
    """One compiled condition per ``spec.contraindications`` entry, in order."""


@dataclass(frozen=True)
class KnowledgeBase:
    """Everything crampcheck knows, immutable, every reference resolved."""

    version: str
    sources: Mapping[str, Source]
    findings: Mapping[str, Finding]
    conditions: Mapping[str, ConditionRef]
    rules: tuple[CompiledRule, ...]
    """Rules for one check (the triage engine's)."""
    advice: tuple[CompiledAdvice, ...]
    groups: tuple[QuestionGroup, ...]
    policy: Policy
    lexicon: Lexicon
    diary_mapping: DiaryMapping
    """What a diary episode's answers, and the diary's escalations, mean as findings."""
    emergency_signs: tuple[EmergencySign, ...] = ()
    """The one list of emergency signs (screen, home page, Learn pages, safety net)."""
    care_pathways: Mapping[str, CarePathway] = field(default_factory=dict)
    """Each country's places to get care, by id (US, UK)."""
    group_of: Mapping[str, QuestionGroup] = field(default_factory=dict)
    derived: Mapping[str, Condition] = field(default_factory=dict)
    bit_of: Mapping[str, int] = field(default_factory=dict)
    """Each finding's bit in the engine's bit sets (knowledge-base order)."""

    condition_masks: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    """Per condition: bit sets of its key, supporting and against findings."""
    diary_rules: tuple[CompiledRule, ...] = ()
    """Rules that read an episode diary's patterns (escalation over time)."""
    finding_ids: tuple[str, ...] = ()
    """Finding ids in bit order: bit ``1 << i`` is ``finding_ids[i]``."""
    red_flags: frozenset[str] = frozenset()
    """Symptoms and signs that an urgent or emergency rule reads: warning signs that are
    never silently taken as absent, and never lower the urgency when reported."""

    def finding_of_bit(self, bit: int) -> str:
        """The finding whose (single) bit this is."""
        return self.finding_ids[bit.bit_length() - 1]

    def finding(self, finding_id: str) -> Finding:
        """The finding with this id (KeyError when unknown)."""
        return self.findings[finding_id]

    def rule(self, rule_id: str) -> CompiledRule:
        """The rule with this id (KeyError when unknown)."""
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def counts(self) -> dict[str, int]:
        """How many records of each kind the knowledge base holds."""
        cases = sum(
            len(r.spec.cases.fire) + len(r.spec.cases.not_fire)
            for r in self.rules + self.diary_rules
            if r.spec.cases is not None
        )
        return {
            "sources": len(self.sources),
            "findings": len(self.findings),
            "conditions": len(self.conditions),
            "rules": len(self.rules),
            "diary_rules": len(self.diary_rules),
            "advice": len(self.advice),
            "question_groups": len(self.groups),
            "cases": cases,
            "advice_cases": sum(
                len(a.spec.cases.offer) + len(a.spec.cases.withhold)
                for a in self.advice
                if a.spec.cases is not None
            ),
            "emergency_signs": len(self.emergency_signs),
        }


def _read_yaml(entry: Traversable) -> Any:
    try:
        return yaml.safe_load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{entry.name}: not valid YAML: {error}") from None


def _parse(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in error.errors()
        )
        raise KnowledgeError(f"{where}: {problems}") from None


def _records(model: type[M], entry: Traversable, key: str) -> Iterator[tuple[M, str]]:
    data = _read_yaml(entry)
    # Keys starting with "x-" hold shared YAML anchors, not records.
    if not isinstance(data, dict) or {k for k in data if not str(k).startswith("x-")} != {key}:
        raise KnowledgeError(f"{entry.name}: expected one top-level key '{key}'")
    items = data[key]
    if not isinstance(items, list):
        raise KnowledgeError(f"{entry.name}: '{key}' must be a list")
    for index, item in enumerate(items):
        label = item.get("id", index) if isinstance(item, dict) else index
        where = f"{entry.name}: {key}[{label}]"
        yield _parse(model, item, where), where


def _by_id(records: Iterable[tuple[M, str]]) -> tuple[dict[str, M], dict[str, str]]:
    found: dict[str, M] = {}
    where_of: dict[str, str] = {}
    for record, where in records:
        record_id = str(getattr(record, "id"))  # noqa: B009 - every record model has an id
        if record_id in found:
            raise KnowledgeError(
                f"{where}: duplicate id '{record_id}' (also {where_of[record_id]})"
            )
        found[record_id] = record
        where_of[record_id] = where
    return found, where_of


def _files(root: Traversable, prefix: str) -> list[Traversable]:
    return sorted(
        (e for e in root.iterdir() if e.name.startswith(prefix) and e.name.endswith(".yaml")),
        key=lambda e: e.name,
    )


def load_knowledge(root: Traversable | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless ``root`` is given)."""
    root = root or resources.files(DATA_PACKAGE)
    digest = hashlib.sha256()
    for entry in sorted(
        (e for e in root.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
    ):
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())

    sources, _ = _by_id(_records(Source, root / "sources.yaml", "sources"))
    findings, finding_where = _by_id(
        r for f in _files(root, "findings") for r in _records(Finding, f, "findings")
    )
    conditions, condition_where = _by_id(
        _records(ConditionRef, root / "conditions.yaml", "conditions")
    )
    rule_specs, rule_where = _by_id(
        r for f in _files(root, "rules") for r in _records(Rule, f, "rules")
    )
    advice_specs, advice_where = _by_id(_records(Advice, root / "advice.yaml", "advice"))
    groups, group_where = _by_id(_records(QuestionGroup, root / "questions.yaml", "groups"))
    care_pathways, pathway_where = _by_id(
        _records(CarePathway, root / "care_pathways.yaml", "care_pathways")
    )
    emergency_signs = tuple(
        sign for sign, _ in _records(EmergencySign, root / EMERGENCY_SIGNS_FILE, "emergency_signs")
    )
    policy = _parse(Policy, _read_yaml(root / "policy.yaml"), "policy.yaml")
    lexicon = _parse(Lexicon, _read_yaml(root / "lexicon.yaml"), "lexicon.yaml")
    diary_mapping = _parse(DiaryMapping, _read_yaml(root / DIARY_MAPPING_FILE), DIARY_MAPPING_FILE)

    index = {finding_id: position for position, finding_id in enumerate(findings)}
    check = _References(findings, sources, conditions, index)
    check.findings(lexicon.compared_findings, "lexicon.yaml.compared_findings")
    derived: dict[str, Condition] = {}
    for fid, finding in findings.items():
        check.sources(finding.sources, f"{finding_where[fid]}.sources")
        check.findings(finding.implies, f"{finding_where[fid]}.implies")
        if finding.present_when is not None:
            derived[fid] = check.condition(
                finding.present_when, f"{finding_where[fid]}.present_when"
            )
    for cid, condition in conditions.items():
        where = condition_where[cid]
        check.sources(condition.sources, f"{where}.sources")
        for key in ("key", "supporting", "against"):
            check.findings(getattr(condition, key), f"{where}.{key}")

    rules: list[CompiledRule] = []
    for rid, rule in rule_specs.items():
        where = rule_where[rid]
        check.sources(rule.sources, f"{where}.sources")
        check.conditions(rule.suggests, f"{where}.suggests")
        when = check.condition(rule.when, f"{where}.when")
        unless = None if rule.unless is None else check.condition(rule.unless, f"{where}.unless")
        if rule.cases is not None:
            for label, cases in (("fire", rule.cases.fire), ("not_fire", rule.cases.not_fire)):
                _check_cases(check, cases, f"{where}.cases.{label}")
        rules.append(
            CompiledRule(
                rule,
                when,
                unless,
                tuple(dict.fromkeys(when.findings())),
                tuple(dict.fromkeys(unless.findings())) if unless is not None else (),
                sum(1 << index[f] for f in dict.fromkeys(when.findings())),
            )
        )

    advice: list[CompiledAdvice] = []
    for aid, item in advice_specs.items():
        where = advice_where[aid]
        if item.steps_from == "emergency_signs":
            if item.steps:
                raise KnowledgeError(f"{where}: steps and steps_from cannot both be given")
            item = item.model_copy(
                update={
                    "steps": tuple(sign.label for sign in emergency_signs),
                    "sources": tuple(
                        dict.fromkeys(
                            item.sources
                            + tuple(src for sign in emergency_signs for src in sign.sources)
                        )
                    ),
                }
            )
        check.sources(item.sources, f"{where}.sources")
        if item.evidence is not None:
            check.sources(item.evidence.sources, f"{where}.evidence.sources")
        contraindications = []
        for i, contraindication in enumerate(item.contraindications):
            check.sources(contraindication.sources, f"{where}.contraindications[{i}].sources")
            contraindications.append(
                check.condition(contraindication.when, f"{where}.contraindications[{i}].when")
            )
        if item.taken_as is not None:
            check.findings((item.taken_as,), f"{where}.taken_as")
        if item.cases is not None:
            for label, cases in (("offer", item.cases.offer), ("withhold", item.cases.withhold)):
                _check_cases(check, cases, f"{where}.cases.{label}")
        cautions = []
        for i, caution in enumerate(item.cautions):
            check.sources(caution.sources, f"{where}.cautions[{i}].sources")
            compiled = (
                None
                if caution.when is None
                else check.condition(caution.when, f"{where}.cautions[{i}].when")
            )
            cautions.append((compiled, i))
        advice.append(
            CompiledAdvice(
                item,
                None if item.when is None else check.condition(item.when, f"{where}.when"),
                None if item.unless is None else check.condition(item.unless, f"{where}.unless"),
                tuple(cautions),
                tuple(contraindications),
            )
        )

    for pid, pathway in care_pathways.items():
        check.sources(pathway.sources, f"{pathway_where[pid]}.sources")
    seen_signs: set[str] = set()
    for i, sign in enumerate(emergency_signs):
        where = f"{EMERGENCY_SIGNS_FILE}: emergency_signs[{sign.finding}]"
        check.findings((sign.finding,), where)
        check.sources(sign.sources, f"{where}.sources")
        if sign.finding in seen_signs:
            raise KnowledgeError(f"{where}: listed twice (position {i})")
        seen_signs.add(sign.finding)
    for gid, group in list(groups.items()):
        if group.members_from == "emergency_signs":
            if group.members:
                raise KnowledgeError(
                    f"{group_where[gid]}: members and members_from cannot both be given"
                )
            groups[gid] = group.model_copy(
                update={"members": tuple(sign.finding for sign in emergency_signs)}
            )
        elif not group.members:
            raise KnowledgeError(f"{group_where[gid]}: needs members or members_from")
    group_of: dict[str, QuestionGroup] = {}
    for gid, group in groups.items():
        check.findings(group.members, f"{group_where[gid]}.members")
        for member in group.members:
            if member in group_of:
                raise KnowledgeError(
                    f"{group_where[gid]}.members: '{member}' is already in group "
                    f"'{group_of[member].id}'"
                )
            group_of[member] = group
    check.sources(policy.sources, "policy.yaml: sources")
    check.findings(policy.describes_episode, "policy.yaml: describes_episode")
    check.findings(policy.not_red_flags, "policy.yaml: not_red_flags")
    for i, signal in enumerate(policy.kind_signals):
        check.findings((signal.finding,), f"policy.yaml: kind_signals[{i}].finding")

    diary_rules = tuple(r for r in rules if r.spec.applies_to == "diary")
    rules = [r for r in rules if r.spec.applies_to == "check"]
    _check_diary_mapping(diary_mapping, check, findings, {r.id for r in diary_rules})
    red_flags = frozenset(
        f
        for rule in rules
        if rule.spec.level in (Urgency.URGENT, Urgency.EMERGENCY)
        for f in rule.leaves
        if findings[f].category in ("symptom", "sign")
        and findings[f].answer == "boolean"
        and f not in policy.describes_episode
        and f not in policy.not_red_flags
    ) | frozenset(seen_signs)
    return KnowledgeBase(
        red_flags=red_flags,
        emergency_signs=emergency_signs,
        care_pathways=MappingProxyType(care_pathways),
        version=f"{policy_version(policy)}+{digest.hexdigest()[:10]}",
        sources=MappingProxyType(sources),
        findings=MappingProxyType(findings),
        conditions=MappingProxyType(conditions),
        rules=tuple(rules),
        diary_rules=diary_rules,
        advice=tuple(advice),
        groups=tuple(groups.values()),
        policy=policy,
        lexicon=lexicon,
        diary_mapping=diary_mapping,
        group_of=MappingProxyType(group_of),
        derived=MappingProxyType(derived),
        bit_of=MappingProxyType({f: 1 << i for f, i in index.items()}),
        finding_ids=tuple(index),
        condition_masks=MappingProxyType(
            {
                cid: tuple(  # type: ignore[misc]
                    sum(1 << index[f] for f in getattr(condition, key))
                    for key in ("key", "supporting", "against")
                )
                for cid, condition in conditions.items()
            }
        ),
    )


def _check_cases(check: _References, cases: Iterable[RuleCase], where: str) -> None:
    """Every finding a shipped case names must exist, and a case needs text or findings."""
    for i, case in enumerate(cases):
        check.findings(tuple(case.findings), f"{where}[{i}].findings")
        check.findings(tuple(case.values), f"{where}[{i}].values")
        if case.text is None and not case.findings and not case.values:
            raise KnowledgeError(f"{where}[{i}]: needs text or findings")


def _check_diary_mapping(
    mapping: DiaryMapping,
    check: _References,
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


def policy_version(policy: Policy) -> str:
    """The knowledge base's release name (bumped when clinical content changes)."""
    from crampcheck import __version__

    del policy
    return __version__


class _References:
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


@cache
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
