"""Word pairs: a finding said in two parts with other words between them.

"my pee this morning was the colour of flat Coke": one word of a finding's ``words``
and one of its ``with`` words, at most ``within`` words apart, in either order, in one
sentence, with no punctuation and no negation between them. Pairs are looked for after
the phrases and never override a phrase for another symptom or sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from crampcheck.knowledge.loader import KnowledgeBase

SPANS = "medspacy_spans"

NON_BLOCKING_CATEGORIES = ("site", "context", "history", "medicine")
"""A pair may span a body part, side or background fact ("foot is whiter", "wine every
night ... and stopped"), never another symptom or sign."""


class WordPairs:
    """The knowledge base's word pairs, indexed by the norms of their words."""

    def __init__(
        self,
        kb: KnowledgeBase,
        norms: Callable[[Iterable[str]], list[str]],
        negations: Iterable[str],
    ) -> None:
        self._kb = kb
        self._by_norm = self._index(norms)
        self._negations = frozenset(negations)
        self._non_blocking = frozenset(
            f.id for f in kb.findings.values() if f.category in NON_BLOCKING_CATEGORIES
        )
        self._sites = frozenset(f.id for f in kb.findings.values() if f.category == "site")
        self._danger = frozenset(s.finding for s in kb.emergency_signs)
        self._implied = {f.id: frozenset(f.implies) for f in kb.findings.values()}
        self._category = {f.id: f.category for f in kb.findings.values()}
        self._named = [
            (finding.id, number, frozenset(pair.with_named))
            for finding in kb.findings.values()
            for number, pair in enumerate(finding.nearby)
            if pair.with_named
        ]

    def _index(
        self, norms: Callable[[Iterable[str]], list[str]]
    ) -> dict[str, list[tuple[str, int, int]]]:
        """Each word of a word pair, by its norm: (finding, pair number, side)."""
        index: dict[str, list[tuple[str, int, int]]] = {}
        for finding in self._kb.findings.values():
            for number, pair in enumerate(finding.nearby):
                for side, words in enumerate((pair.words, pair.with_words)):
                    for norm in norms(words):
                        index.setdefault(norm, []).append((finding.id, number, side))
        return index

    def matches(self, doc: Doc) -> list[tuple[str, int, int, int]]:
        """(finding, start, end, head) for each word pair in the text (``head``: the
        position of its first group's word): one word of each side,
        at most ``within`` words apart, in the same sentence, with no punctuation and no
        negation between them ("my pee isn't dark" is not a pair)."""
        index = self._by_norm
        seen: dict[tuple[str, int, int], list[int]] = {}
        for token in doc:
            for finding_id, number, side in index.get(token.norm_, ()):
                seen.setdefault((finding_id, number, side), []).append(token.i)
        if not seen:
            return []
        self._add_named(doc, seen)
        matches = []
        for (finding_id, number, side), positions in seen.items():
            if side != 0:
                continue
            others = seen.get((finding_id, number, 1))
            if not others:
                continue
            within = self._kb.findings[finding_id].nearby[number].within
            for i in positions:
                for j in others:
                    start, end = min(i, j), max(i, j)
                    if start == end or end - start - 1 > within:
                        continue
                    gap = doc[start + 1 : end]
                    if doc[end].is_sent_start or any(
                        t.is_punct or t.is_sent_start or t.norm_ in self._negations for t in gap
                    ):
                        continue
                    matches.append((finding_id, start, end + 1, i))
        return matches

    def _add_named(self, doc: Doc, seen: dict[tuple[str, int, int], list[int]]) -> None:
        """Where a pair's other part may be a named finding (a medicine), the words of
        each phrase of such a finding count as that part."""
        for finding_id, number, categories in self._named:
            if (finding_id, number, 0) not in seen:
                continue
            for span in doc.spans[SPANS]:
                if self._category.get(span.label_) in categories:
                    seen.setdefault((finding_id, number, 1), []).extend(range(span.start, span.end))

    def add(self, doc: Doc) -> Doc:
        """Word pairs become findings only where no phrase was found: a phrase says
        more exactly what was meant ("can't catch my breath" is not undone by a pair
        reaching past it), nor where its head word belongs to a longer phrase of
        something else that its other word is not part of ("hot yoga" is not a hot leg);
        a body part's phrase ("the corner of my mouth") never stops a pair. A symptom's
        or sign's pair does not take its other word from such a phrase either: "in the
        heat and my legs cramped" is the weather, not a warm leg. A body part, side or
        background fact inside a pair stays.
        A one-word reading of the pair's head word gives way to the pair ("stopped" is
        not "it eased" in "wine every night ... and stopped"); a one-word reading of its
        other word stays beside it ("walk ... my calf cramped" is a cramp on walking)."""
        matches = self.matches(doc)
        if not matches:
            return doc
        spans = list(doc.spans[SPANS])
        heads = {(start, end, label): head for label, start, end, head in matches}
        candidates = [Span(doc, start, end, label=label) for label, start, end, _ in matches]
        admissible: list[Span] = []
        for pair in candidates:
            head = heads[(pair.start, pair.end, pair.label_)]
            tail = pair.end - 1 if head == pair.start else pair.start
            # A phrase for what the pair says more exactly never blocks it: "se me duerme"
            # is numbness, and with "las nalgas" numbness where one sits.
            implied = self._implied.get(pair.label_, frozenset())
            blocking = [
                s
                for s in spans
                if s.label_ not in self._non_blocking
                and s.label_ not in implied
                and s.start < pair.end
                and pair.start < s.end
            ]
            # A symptom or sign does not borrow its other word from a longer phrase of
            # something else either; background facts may share words with each other,
            # and a danger sign keeps its pair ("pee looks like iced coffee" is dark
            # urine, whatever else "coffee" says).
            sign = pair.label_ not in self._non_blocking and pair.label_ not in self._danger
            taken = any(
                len(s) > 1
                and s.label_ != pair.label_
                and s.label_ not in implied
                and s.label_ not in self._sites
                and (s.start <= head < s.end or (sign and s.start <= tail < s.end))
                and not (s.start <= head < s.end and s.start <= tail < s.end)
                for s in spans
            )
            if not taken and all(len(s) == 1 and s.start in (head, tail) for s in blocking):
                admissible.append(pair)
        # The longest pair of each finding; pairs of different findings may share
        # words ("every practice" is exercise, and a frequent one).
        by_finding: dict[str, list[Span]] = {}
        for pair in admissible:
            by_finding.setdefault(pair.label_, []).append(pair)
        added = [span for spans_of in by_finding.values() for span in filter_spans(spans_of)]
        yielded = {
            (s.start, s.end, s.label_)
            for pair in added
            for s in spans
            if len(s) == 1
            and s.label_ not in self._non_blocking
            and s.start == heads[(pair.start, pair.end, pair.label_)]
        }
        if added:
            kept = [s for s in spans if (s.start, s.end, s.label_) not in yielded]
            doc.spans[SPANS] = kept + added
        return doc
