"""Load, validate and compile the knowledge base shipped inside the package.

Files are read with ``importlib.resources`` (so they load from a wheel too), parsed
into the strict models of :mod:`crampcheck.knowledge.schema`, then each section is
compiled and cross-checked (:mod:`.sections`, :mod:`.references`): every finding,
condition and source a record names must exist. Any problem raises
:class:`KnowledgeError` naming the file and the key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from fnmatch import fnmatch
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from crampcheck.domain.problems import listed
from crampcheck.knowledge import strict_yaml
from crampcheck.knowledge.compiled import (
    CompiledAdvice,
    CompiledRule,
    KnowledgeBase,
    KnowledgeError,
)
from crampcheck.knowledge.leaflet import LEAFLET_FILE, check_leaflet
from crampcheck.knowledge.references import DIARY_MAPPING_FILE, References, check_diary_mapping
from crampcheck.knowledge.schema import (
    Advice,
    CarePathway,
    ConditionRef,
    DiaryMapping,
    EmergencySign,
    Finding,
    Lexicon,
    Policy,
    QuestionTopic,
    Rule,
    Source,
)
from crampcheck.knowledge.schema.learn import Leaflet
from crampcheck.knowledge.sections import (
    EMERGENCY_SIGNS_FILE,
    check_care_pathways,
    check_emergency_signs,
    check_findings_and_conditions,
    check_policy,
    compile_advice,
    compile_alone_conditions,
    compile_groups,
    compile_openers,
    compile_rules,
    compile_screen_conditions,
    condition_masks,
    red_flags_of,
)
from crampcheck.knowledge.translations import TRANSLATED_FILES, Coverage, coverage, overlay
from crampcheck.knowledge.units import check_temperature_texts

__all__ = [
    "DATA_PACKAGE",
    "CompiledAdvice",
    "CompiledRule",
    "KnowledgeBase",
    "KnowledgeError",
    "default_knowledge",
    "in_language",
    "translation_coverage",
    "load_knowledge",
    "policy_version",
]

M = TypeVar("M", bound=BaseModel)

DATA_PACKAGE = "crampcheck.knowledge.data"

ENGLISH = "en"
"""The language the knowledge base is written in; others are overlays on it."""


def _read_yaml(entry: Traversable, language: str = ENGLISH, root: Traversable | None = None) -> Any:
    """A file of the knowledge base, with ``language``'s texts put in (see
    :mod:`.translations`) when ``root`` (the English files' folder) has an overlay for it
    in ``root/<language>/``."""
    english = _parse_yaml(entry)
    if language == ENGLISH or root is None:
        return english
    translated = root / language / entry.name
    if not translated.is_file():
        return english
    return overlay(english, _parse_yaml(translated), f"{language}/{entry.name}")


def _parse_yaml(entry: Traversable) -> Any:
    try:
        return strict_yaml.load(entry.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise KnowledgeError(f"{entry.name}: not valid YAML: {error}") from None


def _parse(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise KnowledgeError(f"{where}: {listed(error.errors())}") from None


def _records(
    model: type[M],
    entry: Traversable,
    key: str,
    language: str = ENGLISH,
    root: Traversable | None = None,
) -> Iterator[tuple[M, str]]:
    data = _read_yaml(entry, language, root)
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


def _digest(root: Traversable) -> str:
    """A hash of every YAML file of the knowledge base (names and contents)."""
    digest = hashlib.sha256()
    for entry in sorted(
        (e for e in root.iterdir() if e.name.endswith(".yaml")), key=lambda e: e.name
    ):
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()


def load_knowledge(root: Traversable | None = None, language: str = ENGLISH) -> KnowledgeBase:
    """Load and validate the knowledge base (the packaged one unless ``root`` is given),
    its texts in ``language`` where ``root/<language>/`` translates them."""
    root = root or resources.files(DATA_PACKAGE)
    sources, _ = _by_id(
        # A reader of another language is sent to a source's page in it, where it has one.
        (source.in_language(language), where)
        for source, where in _records(Source, root / "sources.yaml", "sources", language, root)
    )
    findings, finding_where = _by_id(
        r
        for f in _files(root, "findings")
        for r in _records(Finding, f, "findings", language, root)
    )
    conditions, condition_where = _by_id(
        _records(ConditionRef, root / "conditions.yaml", "conditions", language, root)
    )
    rule_specs, rule_where = _by_id(
        r for f in _files(root, "rules") for r in _records(Rule, f, "rules", language, root)
    )
    advice_specs, advice_where = _by_id(
        _records(Advice, root / "advice.yaml", "advice", language, root)
    )
    group_specs, group_where = _by_id(
        _records(QuestionTopic, root / "questions.yaml", "topics", language, root)
    )
    care_pathways, pathway_where = _by_id(
        _records(CarePathway, root / "care_pathways.yaml", "care_pathways", language, root)
    )
    emergency_signs = tuple(
        sign
        for sign, _ in _records(
            EmergencySign, root / EMERGENCY_SIGNS_FILE, "emergency_signs", language, root
        )
    )
    policy = _parse(Policy, _read_yaml(root / "policy.yaml", language, root), "policy.yaml")
    lexicon = _parse(Lexicon, _read_yaml(root / "lexicon.yaml", language, root), "lexicon.yaml")
    diary_mapping = _parse(
        DiaryMapping, _read_yaml(root / DIARY_MAPPING_FILE, language, root), DIARY_MAPPING_FILE
    )
    leaflet = _parse(Leaflet, _read_yaml(root / LEAFLET_FILE, language, root), LEAFLET_FILE)

    index = {finding_id: position for position, finding_id in enumerate(findings)}
    check = References(findings, sources, conditions, index)
    check.findings(lexicon.compared_findings, "lexicon.yaml.compared_findings")
    check.findings(lexicon.duration_owner_findings, "lexicon.yaml.duration_owner_findings")
    for rule in lexicon.context_rules:
        check.findings(rule.only_for, f"lexicon.yaml.context_rules[{rule.literal!r}].only_for")
    derived = check_findings_and_conditions(
        check, findings, finding_where, conditions, condition_where, language
    )
    check_temperature_texts(findings, finding_where)
    all_rules = compile_rules(check, rule_specs, rule_where, index)
    advice = compile_advice(check, advice_specs, advice_where, emergency_signs)
    check_care_pathways(check, care_pathways, pathway_where)
    emergency_findings = check_emergency_signs(check, emergency_signs)
    groups, group_of = compile_groups(check, group_specs, group_where, emergency_signs)
    gathering = [groups.pop(gid) for gid in [g.id for g in groups.values() if g.gathers]]
    if len(gathering) > 1:
        raise KnowledgeError("questions.yaml: at most one topic gathers")
    check_policy(check, policy)
    check_leaflet(check, leaflet, advice_specs)
    diary_rules = tuple(r for r in all_rules if r.spec.applies_to == "diary")
    rules = [r for r in all_rules if r.spec.applies_to == "check"]
    check_diary_mapping(diary_mapping, check, findings, {r.id for r in diary_rules})
    red_flags = red_flags_of(rules, findings, policy, emergency_findings)
    return KnowledgeBase(
        red_flags=red_flags,
        red_flag_bits=sum(1 << index[f] for f in red_flags if f in index),
        emergency_signs=emergency_signs,
        care_pathways=MappingProxyType(care_pathways),
        version=f"{policy_version(policy)}+{_digest(root)[:10]}",
        sources=MappingProxyType(sources),
        findings=MappingProxyType(findings),
        conditions=MappingProxyType(conditions),
        rules=tuple(rules),
        diary_rules=diary_rules,
        advice=tuple(advice),
        groups=tuple(groups.values()),
        gathered=gathering[0] if gathering else None,
        policy=policy,
        lexicon=lexicon,
        diary_mapping=diary_mapping,
        leaflet=leaflet,
        group_of=MappingProxyType(group_of),
        opens=MappingProxyType(compile_openers(groups, group_of)),
        asked_when=MappingProxyType(compile_screen_conditions(check, group_specs, group_where)),
        alone_when=MappingProxyType(
            compile_alone_conditions(check, findings, finding_where, group_of)
        ),
        derived=MappingProxyType(derived),
        bit_of=MappingProxyType({f: 1 << i for f, i in index.items()}),
        finding_ids=tuple(index),
        condition_masks=MappingProxyType(condition_masks(conditions, index)),
        language=language,
        root=root,
    )


def translation_coverage(kb: KnowledgeBase, language: str) -> Coverage:
    """How many of the texts a person reads in ``kb`` have their ``language`` text (the
    overlay is validated on the way: see :func:`in_language`)."""
    root = kb.root or resources.files(DATA_PACKAGE)
    in_language(kb, language)
    names = sorted(
        {e.name for pattern in TRANSLATED_FILES for e in root.iterdir() if fnmatch(e.name, pattern)}
    )
    english = {name: _parse_yaml(root / name) for name in names}
    overlays = {
        name: _parse_yaml(root / language / name)
        for name in names
        if (root / language / name).is_file()
    }
    return coverage(english, overlays, language)


def in_language(kb: KnowledgeBase, language: str) -> KnowledgeBase:
    """``kb`` with its texts in ``language`` (English where a text has no translation),
    loaded and validated once, then kept beside it."""
    if language == kb.language or kb.root is None:
        return kb
    found = kb.translations.get(language)
    if found is None:
        found = load_knowledge(kb.root, language)
        kb.translations[language] = found
    return found


def policy_version(policy: Policy) -> str:
    """The knowledge base's release name (bumped when clinical content changes)."""
    from crampcheck import __version__

    del policy
    return __version__


@cache
def default_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, loaded once per process."""
    return load_knowledge()
