"""The reader: a person's own words in, findings with the text they came from out.

Built on medspaCy: target rules come from the knowledge base's lexicon (every
finding's words and phrases, and the phrases that deny it), and ConText decides
whether each mention is negated ("no swelling"), about someone else ("my father had
a clot"), or hypothetical ("if it gets swollen"). Numbers with units are read by
:mod:`crampcheck.nlp.quantities`. Present wins over absent when both are said, so a
contradiction never hides a warning sign.

The steps, each in its own module: :mod:`~crampcheck.nlp.normalise` cleans the text
and keeps every offset; :mod:`~crampcheck.nlp.tokenizer` gives words their lexicon
norms and corrects misspellings (:mod:`~crampcheck.nlp.spelling`); the target matcher
finds the phrases, then :mod:`~crampcheck.nlp.pairs` the word pairs; ConText attaches
modifiers, whose reach :mod:`~crampcheck.nlp.scope` decides (terminators, lists, form
answers); :mod:`~crampcheck.nlp.timing` decides what each duration times. The result
is a :class:`~crampcheck.nlp.reading.Reading`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

import spacy
from medspacy.context import ConTextRule
from medspacy.ner import TargetRule
from spacy.matcher import Matcher
from spacy.tokens import Doc

from crampcheck.domain.limits import MAX_TEXT_CHARS
from crampcheck.domain.types import FindingState
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.reader_language import reader_knowledge
from crampcheck.nlp import first_word_matcher
from crampcheck.nlp.normalise import Normalised, normalise
from crampcheck.nlp.pairs import WordPairs
from crampcheck.nlp.quantities import QuantityReader
from crampcheck.nlp.reading import Extracted, Ignored, Reading
from crampcheck.nlp.scope import DENIAL, SHADOW, SPANS, Scope, words_of
from crampcheck.nlp.spelling import Correction, Speller
from crampcheck.nlp.timing import EventTiming
from crampcheck.nlp.tokenizer import CORRECTIONS, NormalisingTokenizer

_ABSENT_SUFFIX = DENIAL
_CONTEXT = "medspacy_context"
_NEARBY = "_nearby_word"
"""The words of word pairs are listed among the phrases (for stems and spelling) but
are not findings on their own."""


def reader_for(kb: KnowledgeBase, language: str = "en") -> Reader:
    """The reader of ``language`` over ``kb`` (its words in that language)."""
    return Reader(reader_knowledge(kb, language), language)


def _scope_of(direction: str, scope: int) -> int:
    """A terminator's own reach is one token.

    medspaCy checks that a terminator's scope overlaps a modifier's before it cuts the
    modifier short, and its overlap test misses a scope that wholly contains the other;
    a one-token scope around the terminator always overlaps instead.
    """
    return 1 if direction == "TERMINATE" else scope


class TextTooLongError(ValueError):
    """The text is longer than :data:`MAX_TEXT_CHARS`."""


class Reader:
    """Reads free text into findings. Build once per knowledge base; it is reusable."""

    def __init__(self, kb: KnowledgeBase, language: str = "en") -> None:
        """``kb``'s words are read in ``language`` (spaCy's tokenizer for it): for a
        language other than English, ``kb`` is
        :func:`~crampcheck.knowledge.reader_language.reader_knowledge`'s."""
        self._kb = kb
        self.language = language
        self._fold = kb.lexicon.fold_accents
        self._nlp = spacy.blank(language)
        stems = self._stems()
        self._nlp.tokenizer = NormalisingTokenizer(
            self._nlp.tokenizer,
            stems,
            kb.lexicon.norm_equivalents,
            Speller(self._vocabulary(), self._stem_meanings())
            if kb.lexicon.correct_spelling
            else None,
        )
        self._nlp.add_pipe("sentencizer")
        matcher = cast(
            Any,
            self._nlp.add_pipe(
                "medspacy_target_matcher",
                config={"phrase_matcher_attr": "NORM", "result_type": "group"},
            ),
        )
        matcher.add(list(self._target_rules()))
        first_word_matcher.install(matcher)  # token patterns tried only where they begin
        # A negation between the two words of a pair ("my pee isn't dark") breaks it.
        # Only one-token negations: "n/a" is three tokens, and its first ("n") is not one.
        self._pairs = WordPairs(
            kb,
            self._norms,
            self._norms(
                rule.literal
                for rule in kb.lexicon.context_rules
                if rule.category == "NEGATED_EXISTENCE"
                and len(self._nlp.tokenizer(rule.literal)) == 1
            ),
        )
        context = cast(
            Any,
            self._nlp.add_pipe(
                _CONTEXT,
                config={
                    "rules": None,
                    "prune_on_target_overlap": True,
                    "input_span_type": "group",
                },
            ),
        )
        self._context = context
        scope = kb.lexicon.context_max_scope
        if kb.lexicon.use_default_context:
            defaults = ConTextRule.from_json(context.DEFAULT_RULES_FILEPATH)
            for rule in defaults:
                rule.max_scope = rule.max_scope or scope
            context.add(defaults)
        danger_signs = {sign.finding for sign in kb.emergency_signs}
        context.add(
            [
                ConTextRule(
                    rule.literal,
                    rule.category,
                    pattern=list(rule.pattern) if rule.pattern else None,
                    direction=rule.direction,
                    max_scope=rule.max_scope or _scope_of(rule.direction, scope),
                    allowed_types=set(rule.only_for) or None,
                    excluded_types=danger_signs if rule.spares_danger_signs else None,
                )
                for rule in kb.lexicon.context_rules
                if rule.category != "TERMINATE"
            ]
        )
        # Terminators ("but", ",", "and my" ...) are applied here rather than by ConText:
        # as ConText modifiers, every comma cost a scope computation against every
        # finding; here it is one scan of the words between a modifier and its finding.
        self._terminators = tuple(
            (tuple(t.lower_ for t in self._nlp.make_doc(rule.literal)), frozenset(rule.not_for))
            for rule in kb.lexicon.context_rules
            if rule.category == "TERMINATE"
        )
        self._quantities = QuantityReader(kb)
        self._timing = EventTiming(kb)
        self._comparison_cues = tuple(
            tuple(t.lower_ for t in self._nlp.make_doc(cue)) for cue in kb.lexicon.comparison_cues
        )
        self._compared = frozenset(kb.lexicon.compared_findings)
        self._lacks = frozenset(f.id for f in kb.findings.values() if f.is_a_lack)
        # A phrase with one of these among its words says its own negation ("no se
        # quita"); a backward one ("fine", "none") is no negation inside a phrase ("fine
        # now" says it eased).
        self._scope = Scope(
            kb,
            self._terminators,
            frozenset(
                self._norms(
                    rule.literal
                    for rule in kb.lexicon.context_rules
                    if rule.category == "NEGATED_EXISTENCE"
                    and rule.direction == "FORWARD"
                    and len(self._nlp.tokenizer(rule.literal)) == 1
                )
            ),
        )
        self._strings_when_built = len(self._nlp.vocab.strings)

    def learned_words(self) -> int:
        """How many strings the language pipeline has kept since it was built: spaCy
        keeps every word it has ever read for the life of the pipeline."""
        return len(self._nlp.vocab.strings) - self._strings_when_built

    def _phrases(self) -> Iterable[tuple[str, str]]:
        for finding in self._kb.findings.values():
            for phrase in (*finding.lexicon, *finding.lay):
                yield phrase, finding.id
            for pair in finding.nearby:
                for word in (*pair.words, *pair.with_words):
                    yield word, _NEARBY + finding.id
            for phrase in finding.denials:
                yield phrase, finding.id + _ABSENT_SUFFIX
        for phrase in self._kb.lexicon.shadows:
            yield phrase, SHADOW

    def _vocabulary(self) -> dict[str, frozenset[str]]:
        """Every word of every phrase the reader matches, with the findings it is a word
        of: the only words a misspelling is ever corrected into."""
        meaning: dict[str, set[str]] = {}
        for phrase, label in self._phrases():
            for word in phrase.replace("-", " ").split():
                word = word.rstrip("*").lower()
                if word.isalpha():
                    finding_id = label.removeprefix(_NEARBY).removesuffix(_ABSENT_SUFFIX)
                    meaning.setdefault(word, set()).add(finding_id)
        return {word: frozenset(ids) for word, ids in meaning.items()}

    def _stem_meanings(self) -> dict[str, frozenset[str]]:
        meaning: dict[str, set[str]] = {}
        for phrase, label in self._phrases():
            for word in phrase.split():
                if word.endswith("*") and len(word) > 1:
                    finding_id = label.removeprefix(_NEARBY).removesuffix(_ABSENT_SUFFIX)
                    meaning.setdefault(word[:-1].lower(), set()).add(finding_id)
        return {stem: frozenset(ids) for stem, ids in meaning.items()}

    def _stems(self) -> set[str]:
        return {
            word[:-1].lower()
            for phrase, _ in self._phrases()
            for word in phrase.split()
            if word.endswith("*") and len(word) > 1
        }

    def _target_rules(self) -> Iterable[TargetRule]:
        """Phrase rules; a wildcard word ``cramp*`` is written as its stem ``cramp``,
        which the tokenizer normalises like every word it covers. Where the lexicon has
        phrase fillers, a phrase of several words also matches with up to two of them
        between any two of its words ("no nos contesta bien" is "no contesta bien")."""
        fillers = sorted(set(self._norms(self._kb.lexicon.phrase_fillers)))
        unfilled = frozenset(self._norms(self._kb.lexicon.no_filler_before))
        for phrase, label in self._phrases():
            if label.startswith(_NEARBY):
                continue
            literal = " ".join(
                w[:-1] if w.endswith("*") and len(w) > 1 else w for w in phrase.split()
            ).lower()
            yield TargetRule(literal, label, pattern=self._with_fillers(literal, fillers, unfilled))

    def clashing_phrases(self) -> list[tuple[str, str, str, str]]:
        """Phrases the target matcher reads as two findings: (phrase, its label, the
        other phrase, its label) where the other phrase's rule matches the whole of
        the first. The longest match wins in the reader, so one phrase must name one
        finding, counting the pronouns that may stand inside a phrase ("no se me quita"
        is "no se quita") and the words a stem covers ("caída" is "caíd*")."""
        rules = list(self._target_rules())
        matcher = Matcher(self._nlp.vocab)
        for number, rule in enumerate(rules):
            pattern = rule.pattern or [{"NORM": t.norm_} for t in self._nlp.tokenizer(rule.literal)]
            matcher.add(str(number), [pattern])
        clashes = set()
        for rule in rules:
            doc = self._nlp.tokenizer(rule.literal)
            for match_id, start, end in matcher(doc):
                other = rules[int(self._nlp.vocab.strings[match_id])]
                if start == 0 and end == len(doc) and other.category != rule.category:
                    clashes.add((rule.literal, rule.category, other.literal, other.category))
        return sorted(clashes)

    def _with_fillers(
        self, literal: str, fillers: list[str], unfilled: frozenset[str]
    ) -> list[dict[str, Any]] | None:
        """A token pattern for ``literal`` with optional fillers between its words (not
        before a word in ``unfilled``), or None (match the phrase as written) when there
        are none to put there."""
        if not fillers or " " not in literal:
            return None
        tokens = list(self._nlp.tokenizer(literal))
        pattern: list[dict[str, Any]] = []
        for i, token in enumerate(tokens):
            pattern.append({"NORM": token.norm_})
            if token.whitespace_ and i < len(tokens) - 1 and tokens[i + 1].norm_ not in unfilled:
                pattern.append({"NORM": {"IN": fillers}, "OP": "{0,2}"})
        return pattern

    def _norms(self, words: Iterable[str]) -> list[str]:
        """The norms the tokenizer gives these words (``dark*`` -> ``dark*``)."""
        result = []
        for word in words:
            stem = word[:-1] if word.endswith("*") and len(word) > 1 else word
            result.append(self._nlp.tokenizer(stem)[0].norm_)
        return result

    def read(self, text: str) -> Reading:
        """Read one text (raises :class:`TextTooLongError` above the limit)."""
        checked = self._checked(text)
        return self._reading(text, checked, self._parse(checked.text))

    def _parse(self, text: str) -> Doc:
        doc = self._nlp(text, disable=[_CONTEXT])
        result: Doc = self._context(self._pairs.add(doc))
        return result

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        """Read many texts in one batch (faster than one at a time)."""
        checked = [self._checked(t) for t in texts]
        docs = (
            self._context(self._pairs.add(doc))
            for doc in self._nlp.pipe([c.text for c in checked], disable=[_CONTEXT])
        )
        return [self._reading(t, c, doc) for t, c, doc in zip(texts, checked, docs, strict=True)]

    def _checked(self, text: str) -> Normalised:
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLongError(
                f"the description is {len(text)} characters; the limit is {MAX_TEXT_CHARS}"
            )
        return normalise(text, self._fold)

    def _after_comparison(self, doc: Any, start: int) -> bool:
        """Whether the words just before ``start`` say what is compared with."""
        words = words_of(doc)[max(0, start - 3) : start]
        return any(
            len(cue) <= len(words) and tuple(words[-len(cue) :]) == cue
            for cue in self._comparison_cues
        )

    def _reading(self, original: str, normalised: Normalised, doc: Any) -> Reading:
        findings: list[Extracted] = []
        ignored: list[Ignored] = []
        found = list(doc.spans[SPANS])  # spaCy makes the span objects at each pass
        spread: set[tuple[int, int, str]] = (
            self._scope.spread_negation(doc, found) if self._scope.has_lists else set()
        )
        for ent in found:
            label: str = ent.label_
            if label == SHADOW:
                continue
            finding_id, denial = (
                (label[: -len(_ABSENT_SUFFIX)], True)
                if label.endswith(_ABSENT_SUFFIX)
                else (label, False)
            )
            if finding_id in self._compared and self._after_comparison(doc, ent.start):
                continue  # "whiter than the left": the side compared with
            start, end = normalised.span(ent.start_char, ent.end_char)
            span_text = original[start:end]
            categories = self._scope.categories(doc, ent)
            if "FAMILY" in categories:
                ignored.append(Ignored(finding_id, "other_person", span_text, start, end))
                continue
            if "HYPOTHETICAL" in categories:
                ignored.append(Ignored(finding_id, "hypothetical", span_text, start, end))
                continue
            if "OTHER_EVENT" in categories:
                # "I walk a mile most days": how often the person walks, not the symptom
                ignored.append(Ignored(finding_id, "other_event", span_text, start, end))
                continue
            negated = (
                "NEGATED_EXISTENCE" in categories
                or (ent.start, ent.end, label) in spread
                or self._scope.answered_no(doc, ent)
            ) and (denial or finding_id not in self._lacks)
            if denial and negated:
                if finding_id in self._lacks:
                    # "not sure my tetanus is up to date": a lack denied is a lack
                    findings.append(
                        Extracted(finding_id, FindingState.PRESENT, span_text, start, end)
                    )
                continue
            state = FindingState.ABSENT if (denial or negated) else FindingState.PRESENT
            hedged = state is FindingState.PRESENT and "POSSIBLE_EXISTENCE" in categories
            findings.append(Extracted(finding_id, state, span_text, start, end, hedged=hedged))
        read_findings = list(findings)
        for quantity in self._quantities.read(normalised.text):
            start, end = normalised.span(quantity.start, quantity.end)
            if quantity.finding_id in self._timing.durations and self._timing.times_another_event(
                quantity.start, quantity.end, original, read_findings, normalised
            ):
                continue
            findings.append(
                Extracted(
                    quantity.finding_id,
                    FindingState.PRESENT,
                    original[start:end],
                    start,
                    end,
                    quantity.value,
                )
            )
        findings.sort(key=lambda f: (f.start, f.end))
        corrections = [
            Correction(c.written, c.read_as, *normalised.span(c.start, c.end))
            for c in doc.user_data.get(CORRECTIONS, ())
        ]
        used = [
            c for c in corrections if any(f.start <= c.start and c.end <= f.end for f in findings)
        ]
        return Reading(
            original, tuple(findings), tuple(ignored), tuple(used), languages=(self.language,)
        )


__all__ = [
    "MAX_TEXT_CHARS",
    "Correction",
    "Extracted",
    "Ignored",
    "Reader",
    "Reading",
    "TextTooLongError",
]
