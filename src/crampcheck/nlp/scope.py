"""How far a modifier reaches: terminators, lists and form answers.

ConText (medspaCy) attaches modifiers - negation, other people, hypotheticals - to
findings. This module decides what the knowledge base's lexicon says it should:
a terminator between a modifier and a finding cuts it off ("no swelling, but some
numbness"); a denial reaches every item of its list and stops at the list's end
("no swelling, redness, or heat", but not "... or breathlessness, just a calf cramp");
a finding answered like a form is denied ("Confused: no."), as is one said and then
denied at the end of its clause ("calentura no tengo").

A phrase that says its own negation ("no se quita", "not easing", "can't breathe")
has its polarity in its own words: no other negation takes it back, whether it stands
just before it ("no, no se quita", "no it is not easing", "rubbing it don't help
none") or reaches it along a list ("no tengo fiebre y no se quita" does not deny that
the cramp is not easing). A negation with another finding between still denies it
with that finding ("no tummy pain that won't go away"); and a denial ("no swelling")
keeps the older rule: a negation of a denial leaves it unsaid.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from crampcheck.knowledge.loader import KnowledgeBase

SPANS = "medspacy_spans"
SHADOW = "_shadow"
DENIAL = "|absent"
"""The suffix of the label of a phrase that denies its finding ("no swelling")."""
WORDS = "crampcheck_words"


_HESITATIONS = frozenset({"...", "…", "..", "...."})
"""An ellipsis after a denial is a hesitation ("falta de aire no... bueno un poquito")."""


def words_of(doc: Any) -> list[str]:
    """The doc's words in lower case, made once per doc (the scope checks slice them
    many times)."""
    words: list[str] | None = doc.user_data.get(WORDS)
    if words is None:
        words = [t.lower_ for t in doc]
        doc.user_data[WORDS] = words
    return words


class Scope:
    """The knowledge base's terminators, list connectors and form answers."""

    def __init__(
        self,
        kb: KnowledgeBase,
        terminators: tuple[tuple[tuple[str, ...], frozenset[str]], ...],
        negations: frozenset[str] = frozenset(),
    ) -> None:
        """``negations``: the norms of the one-word negations ("no", "not", "n't")."""
        self._terminators = terminators
        # Each terminator under its first word, in the lexicon's order, so that a gap
        # is checked once word by word rather than once per terminator.
        self._terminators_by_first: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = {}
        for phrase, not_for in terminators:
            if phrase:
                self._terminators_by_first.setdefault(phrase[0], []).append((phrase, not_for))
        self._empty_terminators = tuple(not_for for phrase, not_for in terminators if not phrase)
        self._negations = negations
        self._connectors = frozenset(c.lower() for c in kb.lexicon.list_connectors)
        self._final_connectors = frozenset(c.lower() for c in kb.lexicon.list_final_connectors)
        self._form_separators = frozenset(kb.lexicon.form_separators)
        self._form_no = frozenset(a.lower() for a in kb.lexicon.form_answers_no)
        self._denied_after = tuple(
            sorted((tuple(p.lower().split()) for p in kb.lexicon.denied_after), key=len)
        )
        self._action_modals = frozenset(m.lower() for m in kb.lexicon.action_modals)
        self._action_ends = frozenset(w.lower() for w in kb.lexicon.action_negation_ends)
        self._places = frozenset(f.id for f in kb.findings.values() if f.category == "site")

    @property
    def has_lists(self) -> bool:
        """Whether the lexicon names list connectors at all."""
        return bool(self._connectors)

    def says_its_own_negation(self, span: Any) -> bool:
        """Whether a phrase has a negation among its own words ("no se quita")."""
        return any(token.norm_ in self._negations for token in span)

    def _keeps_its_polarity(self, doc: Any, span: Any, modifier: Any) -> bool:
        """Whether ``modifier`` is a negation that leaves a finding said in negative
        words as it is: nothing else was read between them ("no, no se quita"). A
        negation with another finding between denies that finding and what it says of
        it ("no tummy pain that won't go away")."""
        if modifier.category != "NEGATED_EXISTENCE" or span.label_.endswith(DENIAL):
            return False
        if not self.says_its_own_negation(span):
            return False
        start, end = modifier.modifier_span
        low, high = (end, span.start) if end <= span.start else (span.end, start)
        return not any(
            low <= other.start and other.end <= high and other.label_ != SHADOW
            for other in doc.spans[SPANS]
        )

    def categories(self, doc: Any, span: Any) -> set[str]:
        """The modifier categories that reach this span, less those cut off by a
        terminator between the modifier and the span, and less a negation of a finding
        said in negative words."""
        categories: set[str] = set()
        words = words_of(doc)
        for modifier in span._.modifiers:
            if self._keeps_its_polarity(doc, span, modifier):
                continue
            start, end = modifier.modifier_span
            if self._denies_an_action(words, start, end, modifier.category, span.label_):
                continue
            between = words[end : span.start] if end <= span.start else words[span.end : start]
            if self._ends_an_action(words, start, end, modifier.category, between):
                continue
            if not self._terminated(between, modifier.category):
                categories.add(modifier.category)
        return categories

    def _denies_an_action(
        self, words: list[str], start: int, end: int, category: str, label: str
    ) -> bool:
        """Whether a negation beside a modal ("won't", "can't", "no puedo") meets a body
        part or side: it denies what the person cannot do with it, not the place."""
        return (
            category == "NEGATED_EXISTENCE"
            and label in self._places
            and self._beside_a_modal(words, start, end)
        )

    def _beside_a_modal(self, words: list[str], start: int, end: int) -> bool:
        """Whether the negation at ``words[start:end]`` is said with a modal ("can't",
        "won't", "no puedo"): it denies what the person can do, an action."""
        return (start > 0 and words[start - 1] in self._action_modals) or (
            end < len(words) and words[end] in self._action_modals
        )

    def _ends_an_action(
        self, words: list[str], start: int, end: int, category: str, between: list[str]
    ) -> bool:
        """Whether a negation that denies an action stops before the finding: "can't
        straighten my legs and my pee looks like cola" - the "and" starts what the
        person says next, which the inability does not deny."""
        # "can't make it stop and go away": a finding straight after the "and" goes on
        # with the same inability, so only an "and" with other words after it ends it
        return (
            category == "NEGATED_EXISTENCE"
            and self._beside_a_modal(words, start, end)
            and any(word in self._action_ends for word in between[:-1])
        )

    def _terminated(self, words: list[str], category: str = "NEGATED_EXISTENCE") -> bool:
        """Whether a terminator (one that does not spare ``category``) stands in
        ``words``, the words between a modifier and the finding it would reach."""
        if any(category not in not_for for not_for in self._empty_terminators):
            return True
        by_first = self._terminators_by_first
        for i, word in enumerate(words):
            for phrase, not_for in by_first.get(word, ()):
                if category not in not_for and tuple(words[i : i + len(phrase)]) == phrase:
                    return True
        return False

    def answered_no(self, doc: Any, span: Any) -> bool:
        """A finding answered like a form ("Confused: no."): a separator, a "no" and
        then the end of the clause."""
        after = words_of(doc)[span.end : span.end + 3]
        if (
            len(after) >= 2
            and after[0] in self._form_separators
            and after[1] in self._form_no
            and (len(after) == 2 or doc[span.end + 2].is_punct)
        ):
            return True
        return self._denied_after_it(doc, span)

    def _denied_after_it(self, doc: Any, span: Any) -> bool:
        """A finding said and then denied at the end of its clause ("calentura no
        tengo.", "debilidad no tengo, puedo sonreír", "dolor no y fiebre tampoco")."""
        words = words_of(doc)
        for phrase in self._denied_after:
            end = span.end + len(phrase)
            if tuple(words[span.end : end]) != phrase:
                continue
            if end == len(words) or words[end] in self._connectors:
                return True
            if doc[end].is_punct and words[end] not in _HESITATIONS:
                return True
        return False

    def _negated_from(self, doc: Any, span: Any) -> tuple[str, Any] | None:
        """ "before" or "after" when a negation reaches this span from that side, with
        the negating modifier (whose rule may deny only some findings)."""
        words = words_of(doc)
        for modifier in span._.modifiers:
            if modifier.category != "NEGATED_EXISTENCE" or self._keeps_its_polarity(
                doc, span, modifier
            ):
                continue
            start, end = modifier.modifier_span
            if self._denies_an_action(words, start, end, modifier.category, span.label_):
                continue
            before = end <= span.start
            between = words[end : span.start] if before else words[span.end : start]
            if self._ends_an_action(words, start, end, modifier.category, between):
                continue
            if not self._terminated(between):
                return ("before" if before else "after"), modifier
        return None

    def spread_negation(
        self, doc: Any, found: Sequence[Any] | None = None
    ) -> set[tuple[int, int, str]]:
        """Spans negated by reaching along a list from a negated item.

        "No swelling, redness, numbness or weakness": the negation's own reach may end
        before the last items, so items joined only by list words share it. Commas alone
        make a list only when it goes on to a final "or"/"nor"/"and"; after that final
        item the list is over, so in "nothing like chest pain or breathlessness, just a
        calf cramp" the cramp is not denied. A negation written after its list
        ("fever, chills or sweats: none") reaches back along it the same way.
        ``found`` is the doc's spans when the caller has them already.
        """
        spans = sorted(
            (s for s in (doc.spans[SPANS] if found is None else found) if s.label_ != SHADOW),
            key=lambda s: (s.start, s.end),
        )
        sides = [self._negated_from(doc, span) for span in spans]
        spread: set[int] = set()
        for direction, side in ((1, "before"), (-1, "after")):
            for i, negation in enumerate(sides):
                if negation is None or negation[0] != side:
                    continue
                # A denial that only some findings take ("the fever went away") spreads
                # only to those: "the fever and the leg pain went away" keeps the pain.
                allows = negation[1].allows
                spread.update(
                    j
                    for j in self._list_after(doc, spans, i, direction)
                    if allows(spans[j].label_.upper())
                )
        # An item said in negative words is no item of a denial's list: "no tengo fiebre y
        # no se quita" denies the fever only, and "sin fiebre y sin hinchazón" both.
        return {
            (spans[i].start, spans[i].end, spans[i].label_)
            for i in spread
            if sides[i] is None and not self.says_its_own_negation(spans[i])
        }

    def _list_after(self, doc: Any, spans: list[Any], first: int, step: int) -> set[int]:
        """The indexes of the items that share ``spans[first]``'s list, walking away
        from its negation (``step`` 1: forward, -1: backward).

        Forward, items joined by commas wait until a final connector confirms the list,
        and the first comma after the final item ends it. Backward (the negation came
        last), the final connector comes first, and the commas after it are the list.
        """
        connectors, finals = self._connectors, self._final_connectors
        words = words_of(doc)
        members: set[int] = set()
        pending: set[int] = set()
        closed = False
        current = first
        j = first + step
        while 0 <= j < len(spans):
            left, right = (spans[current], spans[j]) if step == 1 else (spans[j], spans[current])
            gap = words[left.end : right.start]
            if not all(word in connectors for word in gap):
                break
            if not gap:  # adjacent or overlapping spans are one item ("calf cramp")
                (pending if current in pending else members).add(j)
            elif any(word in finals for word in gap):
                members.update(pending)
                pending.clear()
                members.add(j)
                closed = True
            elif step == 1 and closed:
                break
            else:  # commas only
                (members if closed else pending).add(j)
            current = j
            j += step
        if pending and step == 1:
            # "isn't swollen, red or hot": the list's final connector may lead to a
            # word that is not a finding; it still closes the list.
            following = []
            for word in words[spans[current].end :]:
                if word not in connectors:
                    break
                following.append(word)
            if any(word in finals for word in following):
                members.update(pending)
        return members
