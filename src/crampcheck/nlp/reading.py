"""What the reader took from one text: findings with the words they came from, the
mentions it set aside (someone else's, hypothetical), and the spelling corrections it
made - every offset an offset into the person's own text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.nlp.spelling import Correction

Mention = Literal["present", "absent", "other_person", "hypothetical", "other_event"]


@dataclass(frozen=True)
class Extracted:
    """One finding read from the text, with the words it came from."""

    finding_id: str
    state: FindingState
    text: str
    start: int
    end: int
    value: float | None = None
    hedged: bool = False
    """Said with a hedge ("maybe a bit swollen?"): counted as present, and shown as
    something the person was not sure of, to confirm."""


@dataclass(frozen=True)
class Ignored:
    """A mention that was read but not used: about someone else, hypothetical, or how
    often the person does something else ("I walk most days")."""

    finding_id: str
    reason: Literal["other_person", "hypothetical", "other_event"]
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """Everything the reader took from one text."""

    text: str
    findings: tuple[Extracted, ...]
    ignored: tuple[Ignored, ...]
    corrections: tuple[Correction, ...] = ()
    """Misspelt words read as a knowledge-base word, where they made a finding."""
    languages: tuple[str, ...] = ("en",)
    """The languages it was read in: one, both ("en", "es") for a text that mixes
    them, or none for a text in neither (nothing was read)."""

    def merged(self, other: Reading) -> Reading:
        """This reading and another of the same text (in another language) as one:
        their findings side by side, so present still wins over absent. As within one
        reading, a longer phrase says more exactly what was meant: a word one reader
        took inside a longer phrase the other read as something else is dropped ("ganas
        de vomitar" is nausea, not the English stem "vomit"), and so is a word the other
        reader read as the same finding but set aside ("que me ponga alcohol" is a
        suggestion, not drinking)."""
        findings = (
            *self._not_overruled_by(other),
            *other._not_overruled_by(self),
        )
        return Reading(
            self.text,
            tuple(sorted(findings, key=lambda f: (f.start, f.end))),
            (*self.ignored, *other.ignored),
            (*self.corrections, *other.corrections),
            (*self.languages, *other.languages),
        )

    def _not_overruled_by(self, other: Reading) -> list[Extracted]:
        """This reading's findings less those the other reading says more exactly: a
        word inside a longer phrase of another finding, read or set aside, or inside the
        other's words for the same finding set aside."""
        spans = [(o.finding_id, o.start, o.end) for o in other.findings if o.value is None] + [
            (i.finding_id, i.start, i.end) for i in other.ignored
        ]
        set_aside = [(i.finding_id, i.start, i.end) for i in other.ignored]
        return [
            item
            for item in self.findings
            if not any(
                start <= item.start
                and item.end <= end
                and end - start > item.end - item.start
                and finding_id != item.finding_id
                for finding_id, start, end in spans
            )
            and not any(
                finding_id == item.finding_id and start <= item.start and item.end <= end
                for finding_id, start, end in set_aside
            )
        ]

    def without_words(self, words: frozenset[str]) -> Reading:
        """This reading less the findings read from nothing but ``words`` (another
        language's function words: "nada" is Spanish for nothing, not slang for
        "nothing helps", in a Spanish sentence)."""
        kept = tuple(
            item
            for item in self.findings
            if not all(word in words for word in item.text.lower().split())
        )
        return Reading(self.text, kept, self.ignored, self.corrections, self.languages)

    def states(self) -> dict[str, FindingState]:
        """One state per finding: present wins over absent."""
        result: dict[str, FindingState] = {}
        for item in self.findings:
            if result.get(item.finding_id) is FindingState.PRESENT:
                continue
            result[item.finding_id] = item.state
        return result

    def hedged(self) -> frozenset[str]:
        """Findings present only through hedged mentions ("could be a little puffy?")."""
        said = {f.finding_id for f in self.findings if f.state is FindingState.PRESENT}
        sure = {
            f.finding_id for f in self.findings if f.state is FindingState.PRESENT and not f.hedged
        }
        return frozenset(said - sure)

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
