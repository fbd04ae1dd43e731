"""The phrases the reader reads a finding in, in a language other than English."""

from __future__ import annotations

from pydantic import Field

from crampcheck.knowledge.schema.base import Strict
from crampcheck.knowledge.schema.findings import WordPair


class MeasureWords(Strict):
    """The words around a number that name a measured finding, in the language: the
    word lists of its :class:`~crampcheck.knowledge.schema.findings.Measure` ("tengo 39
    de fiebre", "el corazón a 130"). Its numbers and units stay the knowledge base's."""

    cues: tuple[str, ...] = Field(
        default=(), description="words that, a few words before a number, name it"
    )
    adjacent_cues: tuple[str, ...] = Field(
        default=(), description="words that name a number only right before it"
    )
    bare_followed_by: tuple[str, ...] = Field(
        default=(), description="words that, right after a number with no unit, name it"
    )
    followed_by: tuple[str, ...] = ()
    not_followed_by: tuple[str, ...] = ()


class FindingPhrases(Strict):
    """How people say one finding in the language: the same four lists a finding has
    in English (see :class:`~crampcheck.knowledge.schema.findings.Finding`), and for a
    measured finding the words that name its number."""

    lexicon: tuple[str, ...] = ()
    lay: tuple[str, ...] = ()
    nearby: tuple[WordPair, ...] = ()
    denials: tuple[str, ...] = Field(
        default=(), description="phrases that say the finding is absent ('sin fiebre')"
    )
    measure: MeasureWords = Field(
        default_factory=MeasureWords,
        description="for a measured finding, the words that name its number in the "
        "language (none given: only a number with its unit is read)",
    )


class ReaderPhrases(Strict):
    """One file of a language's phrases, keyed by finding id."""

    phrases: dict[str, FindingPhrases]
