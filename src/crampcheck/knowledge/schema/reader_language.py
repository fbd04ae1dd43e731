"""The phrases the reader reads a finding in, in a language other than English."""

from __future__ import annotations

from pydantic import Field

from crampcheck.knowledge.schema.base import Strict
from crampcheck.knowledge.schema.findings import WordPair


class FindingPhrases(Strict):
    """How people say one finding in the language: the same four lists a finding has
    in English (see :class:`~crampcheck.knowledge.schema.findings.Finding`)."""

    lexicon: tuple[str, ...] = ()
    lay: tuple[str, ...] = ()
    nearby: tuple[WordPair, ...] = ()
    denials: tuple[str, ...] = Field(
        default=(), description="phrases that say the finding is absent ('sin fiebre')"
    )


class ReaderPhrases(Strict):
    """One file of a language's phrases, keyed by finding id."""

    phrases: dict[str, FindingPhrases]
