"""What a duration times: the problem, or another event named in its clause."""

from __future__ import annotations

import re
from collections.abc import Sequence

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.reader_language import fold
from crampcheck.nlp.normalise import Normalised
from crampcheck.nlp.reading import Extracted

_WORD = re.compile(r"[\w']+")


class EventTiming:
    """Decides whether a duration belongs to the problem, from the knowledge base's
    clause breaks, owner categories and words, and event categories."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.durations = frozenset(
            f.id for f in kb.findings.values() if f.measure and f.measure.dimension == "duration"
        )
        self._category = {f.id: f.category for f in kb.findings.values()}
        self._clause_breaks = tuple(kb.lexicon.clause_breaks)
        self._owner_categories = frozenset(kb.lexicon.duration_owner_categories)
        self._owner_findings = frozenset(kb.lexicon.duration_owner_findings)
        self._event_categories = frozenset(kb.lexicon.duration_event_categories)
        self._owner_words = frozenset(w.lower() for w in kb.lexicon.duration_owner_words)
        self._event_words = frozenset(w.lower() for w in kb.lexicon.duration_event_words)
        self._from_event = frozenset(w.lower() for w in kb.lexicon.duration_from_event_cues)
        self._fold = kb.lexicon.fold_accents  # "operación" is the lexicon's "operacion"

    def times_another_event(
        self,
        start: int,
        end: int,
        original: str,
        findings: Sequence[Extracted],
        normalised: Normalised,
    ) -> bool:
        """A duration whose clause names a medicine, an operation, a journey, an illness,
        an appointment or another background event and no symptom, sign or body part
        ("had my thyroid out 2 days ago", "had mono 3 weeks ago", "the meet is in 2
        weeks") times that event, not the problem. ``start`` and ``end`` are offsets into
        ``normalised.text``."""
        text = normalised.text
        left = max((text.rfind(b, 0, start) for b in self._clause_breaks), default=-1)
        rights = [i for i in (text.find(b, end) for b in self._clause_breaks) if i >= 0]
        right = min(rights) if rights else len(text)
        clause_start, clause_end = normalised.span(max(left, 0), right)
        clause = original[clause_start:clause_end].lower()
        words = set(_WORD.findall(fold(clause) if self._fold else clause))
        if self._owner_words & words:
            return False  # "it started seven weeks ago": the problem, by its pronoun
        inside = [f for f in findings if clause_start <= f.start and f.end <= clause_end]
        owners = [
            f
            for f in inside
            if self._category.get(f.finding_id) in self._owner_categories
            or f.finding_id in self._owner_findings
        ]
        events = [f for f in inside if self._category.get(f.finding_id) in self._event_categories]
        # "had mono 3 wks ago", "the meet is in 2 wks": an event named by a word alone,
        # unless the clause measures from it ("started after the tournament 3 days ago")
        named = bool(self._event_words & words) and not self._from_event & words
        return bool(events or named) and not owners
