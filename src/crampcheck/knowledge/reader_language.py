"""The reader's words in another language, as data beside the English knowledge base.

English phrases live on each finding (``lexicon``, ``lay``, ``nearby``, ``denials``)
and the reader's other words in ``lexicon.yaml``. Another language has a folder of its
own, ``data/<language>_reader/``: ``lexicon.yaml`` (the same shape as the English one:
number and unit words, negations, hypotheticals, other people, terminators) and
``phrases_*.yaml``, each finding's phrases keyed by its id (and, for a measured finding,
the words that name its number: "tengo 39 de fiebre"). :func:`reader_knowledge`
gives the knowledge base with those words in place of the English ones, which is what
the reader for that language is built from; everything clinical (rules, measures,
categories) stays the knowledge base's own.

Accents are folded away in the words (and, by the reader, in the text) when the
language's lexicon says so: a phone typed "hinchazon" matches "hinchazón".
"""

from __future__ import annotations

import dataclasses
import unicodedata
from importlib.resources.abc import Traversable
from types import MappingProxyType
from typing import Any

from crampcheck.knowledge.compiled import KnowledgeBase, KnowledgeError
from crampcheck.knowledge.loader import _parse, _parse_yaml
from crampcheck.knowledge.schema import Lexicon
from crampcheck.knowledge.schema.reader_language import FindingPhrases, ReaderPhrases

READER_LANGUAGES = ("es",)
"""The languages the reader reads besides English."""

_KEY = "reader:"
_CODES = frozenset({"category", "direction", "only_for", "not_for", "pattern"})
"""Keys whose values are codes, not words: never folded."""


def fold(text: str) -> str:
    """``text`` in lower case without accents, one character for one ("Pantorrilla,
    hinchazón" -> "pantorrilla, hinchazon"), so offsets stay those of the text."""
    if text.isascii():
        return text.lower()
    out = []
    for char in text:
        lower = char.lower()
        if len(lower) != 1:
            lower = char
        if ord(lower) > 127:
            base = unicodedata.normalize("NFD", lower)[0]
            lower = base if base.isascii() else lower
        out.append(lower)
    return "".join(out)


def _folded(data: Any) -> Any:
    if isinstance(data, str):
        return fold(data)
    if isinstance(data, list | tuple):
        return [_folded(item) for item in data]
    if isinstance(data, dict):
        return {
            (fold(k) if isinstance(k, str) else k): v if k in _CODES else _folded(v)
            for k, v in data.items()
        }
    return data


def _folder(kb: KnowledgeBase, language: str) -> Traversable:
    if kb.root is None:
        raise KnowledgeError("the knowledge base has no folder to read a language from")
    folder = kb.root / f"{language}_reader"
    if not folder.is_dir():
        raise KnowledgeError(f"no reader words for the language {language!r}")
    return folder


def _lexicon(folder: Traversable, language: str) -> Lexicon:
    where = f"{language}_reader/lexicon.yaml"
    data = _parse_yaml(folder / "lexicon.yaml")
    lexicon = _parse(Lexicon, data, where)
    return _parse(Lexicon, _folded(data), where) if lexicon.fold_accents else lexicon


def phrases_of(kb: KnowledgeBase, language: str) -> dict[str, FindingPhrases]:
    """Every finding's phrases in ``language`` (as written), checked: each file is a
    :class:`ReaderPhrases`, each id a finding, and no finding in two files."""
    folder = _folder(kb, language)
    found: dict[str, FindingPhrases] = {}
    where_of: dict[str, str] = {}
    files = sorted(
        (e for e in folder.iterdir() if e.name.startswith("phrases") and e.name.endswith(".yaml")),
        key=lambda e: e.name,
    )
    for entry in files:
        where = f"{language}_reader/{entry.name}"
        for finding_id, phrases in _parse(ReaderPhrases, _parse_yaml(entry), where).phrases.items():
            if finding_id not in kb.findings:
                raise KnowledgeError(f"{where}: unknown finding '{finding_id}'")
            if finding_id in found:
                raise KnowledgeError(f"{where}: '{finding_id}' is also in {where_of[finding_id]}")
            found[finding_id] = phrases
            where_of[finding_id] = where
    return found


def reader_knowledge(kb: KnowledgeBase, language: str) -> KnowledgeBase:
    """``kb`` with ``language``'s reader words in place of the English ones: a finding
    with no phrases in the language is not read in it. Built once, kept beside ``kb``."""
    if language == "en":
        return kb
    key = _KEY + language
    cached = kb.translations.get(key)
    if cached is not None:
        return cached
    folder = _folder(kb, language)
    lexicon = _lexicon(folder, language)
    phrases = phrases_of(kb, language)
    findings = {}
    for finding_id, finding in kb.findings.items():
        said = phrases.get(finding_id, FindingPhrases())
        if lexicon.fold_accents:
            said = FindingPhrases.model_validate(_folded(said.model_dump(by_alias=True)))
        update: dict[str, Any] = {
            "lexicon": said.lexicon,
            "lay": said.lay,
            "nearby": said.nearby,
            "denials": said.denials,
        }
        if finding.measure is not None:
            # the words around its number are the language's; its range and scale stay
            update["measure"] = finding.measure.model_copy(update=said.measure.model_dump())
        findings[finding_id] = finding.model_copy(update=update)
    built = dataclasses.replace(
        kb, findings=MappingProxyType(findings), lexicon=lexicon, translations={}
    )
    kb.translations[key] = built
    return built


def missing_phrasings(kb: KnowledgeBase, language: str) -> list[tuple[str, str]]:
    """Findings read in English that have no phrase in ``language``, most important
    first: ``("emergency sign", id)``, then ``("emergency rule", id)`` for a finding an
    emergency rule reads, then ``("other", id)``."""
    phrases = phrases_of(kb, language)
    said = {fid for fid, p in phrases.items() if p.lexicon or p.lay or p.nearby}
    signs = [s.finding for s in kb.emergency_signs]
    in_rules: list[str] = []
    for rule in kb.rules:
        if rule.spec.level.value == "emergency":
            in_rules.extend(f for f in kb.findings if f in _finding_ids(rule.spec.when))
    read = [
        f.id for f in kb.findings.values() if (f.lexicon or f.lay or f.nearby) and not f.measure
    ]
    missing: list[tuple[str, str]] = []
    seen: set[str] = set()
    for importance, ids in (
        ("emergency sign", signs),
        ("emergency rule", in_rules),
        ("other", read),
    ):
        for finding_id in ids:
            if finding_id in seen:
                continue
            seen.add(finding_id)
            if finding_id not in said and finding_id in read:
                missing.append((importance, finding_id))
    return missing


def _finding_ids(when: Any) -> set[str]:
    """Every finding id named in a rule's condition (strings anywhere inside it)."""
    if isinstance(when, str):
        return {when}
    found: set[str] = set()
    if isinstance(when, dict):
        for value in when.values():
            found |= _finding_ids(value)
    elif isinstance(when, list | tuple):
        for item in when:
            found |= _finding_ids(item)
    else:
        dumped = getattr(when, "model_dump", None)
        if dumped is not None:
            found |= _finding_ids(dumped())
    return found
