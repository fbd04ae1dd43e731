"""The words the knowledge base gives each urgency level and each kind of episode, for
every page and export that names them.

They are data (``level_headings``, ``level_names`` and ``kind_words`` in ``policy.yaml``),
written once: the person's result, the clinician's copy of it, the clinic's inbox, the
one-page summary, the FHIR export and the leaflet all read them from here or from the
knowledge base itself, so a change of wording is one edit of the data. In another language
they are the knowledge base's overlay's (``data/es/policy.yaml``), not the catalogue's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from crampcheck.domain.i18n import current_language
from crampcheck.domain.types import Kind, Urgency
from crampcheck.knowledge.loader import KnowledgeBase, default_knowledge, in_language
from crampcheck.knowledge.schema import KindWords, LevelHeading


@dataclass(frozen=True)
class Vocabulary:
    """One knowledge base's words for the levels and kinds."""

    level_headings: Mapping[Urgency, LevelHeading]
    """Each level's heading and by when, at the top of the person's result."""
    level_names: Mapping[Urgency, str]
    """Each level's short name, as the clinic calls it."""
    kind_words: Mapping[Kind, KindWords]
    """What each kind is called in each place that names it."""

    @classmethod
    def of(cls, kb: KnowledgeBase) -> Vocabulary:
        """The words of ``kb``."""
        policy = kb.policy
        return cls(policy.level_headings, policy.level_names, policy.kind_words)


def packaged_vocabulary() -> Vocabulary:
    """The words of the knowledge base that ships with crampcheck, in the language of the
    moment (the person's: the Spanish overlay's words on a Spanish page)."""
    return _packaged_vocabulary(current_language())


@cache
def _packaged_vocabulary(language: str) -> Vocabulary:
    return Vocabulary.of(in_language(default_knowledge(), language))
