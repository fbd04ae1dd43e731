"""The reader: a person's own words in, findings with the text they came from out.

Built on medspaCy: target rules come from the knowledge base's lexicon (every
finding's words and phrases, and the phrases that deny it), and ConText decides
whether each mention is negated ("no swelling"), about someone else ("my father had
a clot"), or hypothetical ("if it gets swollen"). Numbers with units are read by
:mod:`crampcheck.nlp.quantities`. Present wins over absent when both are said, so a
contradiction never hides a warning sign.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import spacy
from medspacy.context import ConTextRule
from medspacy.ner import TargetRule

from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.nlp.quantities import QuantityReader

MAX_TEXT_CHARS = 5000
"""The longest description accepted; longer text is refused with a clear message."""

_ABSENT_SUFFIX = "|absent"
_SHADOW = "_shadow"
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"})

Mention = Literal["present", "absent", "other_person", "hypothetical"]


@dataclass(frozen=True)
class Extracted:
    """One finding read from the text, with the words it came from."""

    finding_id: str
    state: FindingState
    text: str
    start: int
    end: int
    value: float | None = None


@dataclass(frozen=True)
class Ignored:
    """A mention that was read but not used: about someone else, or hypothetical."""

    finding_id: str
    reason: Literal["other_person", "hypothetical"]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """Everything the reader took from one text."""

    text: str
    findings: tuple[Extracted, ...]
    ignored: tuple[Ignored, ...]

    def states(self) -> dict[str, FindingState]:
        """One state per finding: present wins over absent."""
        result: dict[str, FindingState] = {}
        for item in self.findings:
            if result.get(item.finding_id) is FindingState.PRESENT:
                continue
            result[item.finding_id] = item.state
        return result

    def values(self) -> dict[str, float]:
        """One value per measured finding: the largest mentioned (the worst case)."""
        result: dict[str, float] = {}
        for item in self.findings:
            if item.value is not None:
                result[item.finding_id] = max(item.value, result.get(item.finding_id, item.value))
        return result

    def to_case(self, age: int | None = None, sex: Sex | None = None) -> Case:
        """A case built from this reading (findings not mentioned stay unknown)."""
        return Case(age=age, sex=sex, findings=self.states(), values=self.values())


class TextTooLongError(ValueError):
    """The text is longer than :data:`MAX_TEXT_CHARS`."""


def normalise(text: str) -> str:
    """Same-length normalisation: curly quotes straightened, control characters blanked.

    Offsets into the normalised text are offsets into the original one.
    """
    text = text.translate(_QUOTES)
    return "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch not in "\n\t" else ch
        for ch in text
    )


class Reader:
    """Reads free text into findings. Build once per knowledge base; it is reusable."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._nlp = spacy.blank("en")
        self._nlp.add_pipe("sentencizer")
        matcher = cast(Any, self._nlp.add_pipe("medspacy_target_matcher"))
        matcher.add(list(self._target_rules()))
        context = cast(
            Any,
            self._nlp.add_pipe(
                "medspacy_context",
                config={"rules": None, "prune_on_target_overlap": True},
            ),
        )
        dropped = set(kb.lexicon.drop_default_context)
        scope = kb.lexicon.context_max_scope
        defaults = ConTextRule.from_json(context.DEFAULT_RULES_FILEPATH)
        for rule in defaults:
            if rule.max_scope is None:
                rule.max_scope = scope
        context.add([r for r in defaults if r.category not in dropped and r.literal not in dropped])
        context.add(
            [
                ConTextRule(
                    rule.literal,
                    rule.category,
                    pattern=list(rule.pattern) if rule.pattern else None,
                    direction=rule.direction,
                    max_scope=rule.max_scope or scope,
                )
                for rule in kb.lexicon.context_rules
            ]
        )
        self._quantities = QuantityReader(kb)

    def _target_rules(self) -> Iterable[TargetRule]:
        for finding in self._kb.findings.values():
            for phrase in finding.lexicon:
                yield self._rule(phrase, finding.id)
            for phrase in finding.denials:
                yield self._rule(phrase, finding.id + _ABSENT_SUFFIX)
        for phrase in self._kb.lexicon.shadows:
            yield self._rule(phrase, _SHADOW)

    def _rule(self, phrase: str, label: str) -> TargetRule:
        """A target rule matching the phrase token by token, case-insensitively.

        A word ending in ``*`` matches any token starting with it (``swell*``).
        """
        pattern: list[dict[str, Any]] = []
        for word in phrase.split():
            if word.endswith("*") and len(word) > 1:
                pattern.append({"LOWER": {"REGEX": "^" + re.escape(word[:-1].lower())}})
            else:
                pattern.extend({"LOWER": t.text.lower()} for t in self._nlp.make_doc(word))
        return TargetRule(phrase, label, pattern=pattern)

    def read(self, text: str) -> Reading:
        """Read one text (raises :class:`TextTooLongError` above the limit)."""
        return self._reading(text, self._nlp(self._checked(text)))

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        """Read many texts in one batch (faster than one at a time)."""
        checked = [self._checked(t) for t in texts]
        return [
            self._reading(t, doc) for t, doc in zip(texts, self._nlp.pipe(checked), strict=True)
        ]

    @staticmethod
    def _checked(text: str) -> str:
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLongError(
                f"the description is {len(text)} characters; the limit is {MAX_TEXT_CHARS}"
            )
        return normalise(text)

    def _reading(self, original: str, doc: Any) -> Reading:
        findings: list[Extracted] = []
        ignored: list[Ignored] = []
        for ent in doc.ents:
            label: str = ent.label_
            if label == _SHADOW:
                continue
            finding_id, denial = (
                (label[: -len(_ABSENT_SUFFIX)], True)
                if label.endswith(_ABSENT_SUFFIX)
                else (label, False)
            )
            span_text = original[ent.start_char : ent.end_char]
            if bool(ent._.is_family):
                ignored.append(
                    Ignored(finding_id, "other_person", span_text, ent.start_char, ent.end_char)
                )
                continue
            if bool(ent._.is_hypothetical):
                ignored.append(
                    Ignored(finding_id, "hypothetical", span_text, ent.start_char, ent.end_char)
                )
                continue
            negated = bool(ent._.is_negated)
            if denial and negated:
                continue
            state = FindingState.ABSENT if (denial or negated) else FindingState.PRESENT
            findings.append(Extracted(finding_id, state, span_text, ent.start_char, ent.end_char))
        for quantity in self._quantities.read(doc.text):
            findings.append(
                Extracted(
                    quantity.finding_id,
                    FindingState.PRESENT,
                    original[quantity.start : quantity.end],
                    quantity.start,
                    quantity.end,
                    quantity.value,
                )
            )
        findings.sort(key=lambda f: (f.start, f.end))
        return Reading(original, tuple(findings), tuple(ignored))
