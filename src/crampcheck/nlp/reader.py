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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, cast

import spacy
from medspacy.context import ConTextRule
from medspacy.ner import TargetRule
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.nlp.normalise import Normalised, normalise
from crampcheck.nlp.quantities import QuantityReader
from crampcheck.nlp.spelling import Correction, Speller

MAX_TEXT_CHARS = 5000
"""The longest description accepted; longer text is refused with a clear message."""

_ABSENT_SUFFIX = "|absent"
_SHADOW = "_shadow"
_SPANS = "medspacy_spans"
_CORRECTIONS = "crampcheck_corrections"
_WORDS = "crampcheck_words"
_WORD = re.compile(r"[\w']+")
_CONTEXT = "medspacy_context"
_NEARBY = "_nearby_word"
"""The words of word pairs are listed among the phrases (for stems and spelling) but
are not findings on their own."""

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
    hedged: bool = False
    """Said with a hedge ("maybe a bit swollen?"): counted as present, and shown as
    something the person was not sure of, to confirm."""


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
    corrections: tuple[Correction, ...] = ()
    """Misspelt words read as a knowledge-base word, where they made a finding."""

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


def _scope_of(direction: str, scope: int) -> int:
    """A terminator's own reach is one token.

    medspaCy checks that a terminator's scope overlaps a modifier's before it cuts the
    modifier short, and its overlap test misses a scope that wholly contains the other;
    a one-token scope around the terminator always overlaps instead.
    """
    return 1 if direction == "TERMINATE" else scope


def _words(doc: Any) -> list[str]:
    """The doc's words in lower case, made once per doc (the scope checks slice them
    many times)."""
    words: list[str] | None = doc.user_data.get(_WORDS)
    if words is None:
        words = [t.lower_ for t in doc]
        doc.user_data[_WORDS] = words
    return words


class NormalisingTokenizer:
    """spaCy's tokenizer, then wildcard norms: a token starting with a lexicon stem
    written ``cramp*`` gets the NORM ``cramp*``.

    The knowledge base writes ``cramp*`` for cramp, cramps, cramped, cramping. Giving
    every such token the same norm - in the text and in the lexicon's own phrases,
    which are made with this same tokenizer - lets one fast phrase matcher on NORM
    find them all, instead of a regular expression tested on every token.
    """

    def __init__(
        self,
        tokenizer: Any,
        stems: Iterable[str],
        equivalents: dict[str, str] | None = None,
        speller: Speller | None = None,
    ) -> None:
        self._tokenizer = tokenizer
        self._equivalents = dict(equivalents or {})
        self._speller = speller
        self._by_start: dict[str, list[str]] = {}
        for stem in sorted(set(stems), key=len, reverse=True):
            self._by_start.setdefault(stem[:2], []).append(stem)

    def _stem_norm(self, lower: str) -> str | None:
        for stem in self._by_start.get(lower[:2], ()):
            if lower.startswith(stem):
                return stem + "*"
        return None

    def __call__(self, text: str) -> Doc:
        doc: Doc = self._tokenizer(text)
        equivalents = self._equivalents
        speller = self._speller
        corrections: list[Correction] = []
        for token in doc:
            lower = token.lower_
            norm = self._stem_norm(lower)
            if norm is not None:
                token.norm_ = norm
                continue
            same = equivalents.get(token.norm_) or equivalents.get(lower)
            if same is not None:
                token.norm_ = same
                continue
            meant = speller.correct(lower) if speller is not None and token.is_alpha else None
            if meant is not None:
                token.norm_ = self._stem_norm(meant) or equivalents.get(meant) or meant
                corrections.append(Correction(token.text, meant, token.idx, token.idx + len(token)))
        if corrections:
            doc.user_data[_CORRECTIONS] = corrections
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        """spaCy calls this for batches; each text is normalised like a single one."""
        del batch_size
        for text in texts:
            yield self(text)


class TextTooLongError(ValueError):
    """The text is longer than :data:`MAX_TEXT_CHARS`."""


class Reader:
    """Reads free text into findings. Build once per knowledge base; it is reusable."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._kb = kb
        self._nlp = spacy.blank("en")
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
        self._pair_index_by_norm = self._pair_index()
        # A negation between the two words of a pair ("my pee isn't dark") breaks it.
        self._negation_norms = frozenset(
            self._norms(
                rule.literal
                for rule in kb.lexicon.context_rules
                if rule.category == "NEGATED_EXISTENCE" and " " not in rule.literal
            )
        )
        # A pair may span a body part, side or background fact ("foot is whiter", "wine
        # every night ... and stopped"), never another symptom or sign.
        self._sites = frozenset(
            f.id
            for f in kb.findings.values()
            if f.category in ("site", "context", "history", "medicine")
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
        context.add(
            [
                ConTextRule(
                    rule.literal,
                    rule.category,
                    pattern=list(rule.pattern) if rule.pattern else None,
                    direction=rule.direction,
                    max_scope=rule.max_scope or _scope_of(rule.direction, scope),
                )
                for rule in kb.lexicon.context_rules
                if rule.category != "TERMINATE"
            ]
        )
        # Terminators ("but", ",", "and my" ...) are applied here rather than by ConText:
        # as ConText modifiers, every comma cost a scope computation against every
        # finding; here it is one scan of the words between a modifier and its finding.
        self._terminators = tuple(
            tuple(t.lower_ for t in self._nlp.make_doc(rule.literal))
            for rule in kb.lexicon.context_rules
            if rule.category == "TERMINATE"
        )
        self._quantities = QuantityReader(kb)
        self._connectors = frozenset(c.lower() for c in kb.lexicon.list_connectors)
        self._final_connectors = frozenset(c.lower() for c in kb.lexicon.list_final_connectors)
        self._form_separators = frozenset(kb.lexicon.form_separators)
        self._durations = frozenset(
            f.id for f in kb.findings.values() if f.measure and f.measure.dimension == "duration"
        )
        self._category = {f.id: f.category for f in kb.findings.values()}
        self._clause_breaks = tuple(kb.lexicon.clause_breaks)
        self._owner_categories = frozenset(kb.lexicon.duration_owner_categories)
        self._event_categories = frozenset(kb.lexicon.duration_event_categories)
        self._owner_words = frozenset(w.lower() for w in kb.lexicon.duration_owner_words)
        self._form_no = frozenset(a.lower() for a in kb.lexicon.form_answers_no)
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
            yield phrase, _SHADOW

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
        which the tokenizer normalises like every word it covers."""
        for phrase, label in self._phrases():
            if label.startswith(_NEARBY):
                continue
            literal = " ".join(
                w[:-1] if w.endswith("*") and len(w) > 1 else w for w in phrase.split()
            )
            yield TargetRule(literal.lower(), label)

    def _pair_index(self) -> dict[str, list[tuple[str, int, int]]]:
        """Each word of a word pair, by its norm: (finding, pair number, side)."""
        index: dict[str, list[tuple[str, int, int]]] = {}
        for finding in self._kb.findings.values():
            for number, pair in enumerate(finding.nearby):
                for side, words in enumerate((pair.words, pair.with_words)):
                    for norm in self._norms(words):
                        index.setdefault(norm, []).append((finding.id, number, side))
        return index

    def _pair_matches(self, doc: Doc) -> list[tuple[str, int, int, int]]:
        """(finding, start, end, head) for each word pair in the text (``head``: the
        position of its first group's word): one word of each side,
        at most ``within`` words apart, in the same sentence, with no punctuation and no
        negation between them ("my pee isn't dark" is not a pair)."""
        index = self._pair_index_by_norm
        seen: dict[tuple[str, int, int], list[int]] = {}
        for token in doc:
            for finding_id, number, side in index.get(token.norm_, ()):
                seen.setdefault((finding_id, number, side), []).append(token.i)
        if not seen:
            return []
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
                        t.is_punct or t.is_sent_start or t.norm_ in self._negation_norms
                        for t in gap
                    ):
                        continue
                    matches.append((finding_id, start, end + 1, i))
        return matches

    def _add_pairs(self, doc: Doc) -> Doc:
        """Word pairs become findings only where no phrase was found: a phrase says
        more exactly what was meant ("can't catch my breath" is not undone by a pair
        reaching past it). A body part, side or background fact inside a pair stays.
        A one-word reading of the pair's head word gives way to the pair ("stopped" is
        not "it eased" in "wine every night ... and stopped"); a one-word reading of its
        other word stays beside it ("walk ... my calf cramped" is a cramp on walking)."""
        matches = self._pair_matches(doc)
        if not matches:
            return doc
        spans = list(doc.spans[_SPANS])
        heads = {(start, end, label): head for label, start, end, head in matches}
        candidates = [Span(doc, start, end, label=label) for label, start, end, _ in matches]
        admissible: list[Span] = []
        for pair in candidates:
            head = heads[(pair.start, pair.end, pair.label_)]
            tail = pair.end - 1 if head == pair.start else pair.start
            blocking = [
                s
                for s in spans
                if s.label_ not in self._sites and s.start < pair.end and pair.start < s.end
            ]
            if all(len(s) == 1 and s.start in (head, tail) for s in blocking):
                admissible.append(pair)
        added = filter_spans(admissible)
        yielded = {
            (s.start, s.end, s.label_)
            for pair in added
            for s in spans
            if len(s) == 1
            and s.label_ not in self._sites
            and s.start == heads[(pair.start, pair.end, pair.label_)]
        }
        if added:
            kept = [s for s in spans if (s.start, s.end, s.label_) not in yielded]
            doc.spans[_SPANS] = kept + added
        return doc

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
        result: Doc = self._context(self._add_pairs(doc))
        return result

    def read_many(self, texts: Sequence[str]) -> list[Reading]:
        """Read many texts in one batch (faster than one at a time)."""
        checked = [self._checked(t) for t in texts]
        docs = (
            self._context(self._add_pairs(doc))
            for doc in self._nlp.pipe([c.text for c in checked], disable=[_CONTEXT])
        )
        return [self._reading(t, c, doc) for t, c, doc in zip(texts, checked, docs, strict=True)]

    @staticmethod
    def _checked(text: str) -> Normalised:
        if len(text) > MAX_TEXT_CHARS:
            raise TextTooLongError(
                f"the description is {len(text)} characters; the limit is {MAX_TEXT_CHARS}"
            )
        return normalise(text)

    def _categories(self, doc: Any, span: Any) -> set[str]:
        """The modifier categories that reach this span, less those cut off by a
        terminator between the modifier and the span."""
        categories: set[str] = set()
        words = _words(doc)
        for modifier in span._.modifiers:
            start, end = modifier.modifier_span
            between = words[end : span.start] if end <= span.start else words[span.end : start]
            if not self._terminated(between):
                categories.add(modifier.category)
        return categories

    def _terminated(self, words: list[str]) -> bool:
        for phrase in self._terminators:
            size = len(phrase)
            for i in range(len(words) - size + 1):
                if tuple(words[i : i + size]) == phrase:
                    return True
        return False

    def _answered_no(self, doc: Any, span: Any) -> bool:
        """A finding answered like a form ("Confused: no."): a separator, a "no" and
        then the end of the clause."""
        after = _words(doc)[span.end : span.end + 3]
        return (
            len(after) >= 2
            and after[0] in self._form_separators
            and after[1] in self._form_no
            and (len(after) == 2 or doc[span.end + 2].is_punct)
        )

    def _negated_from(self, doc: Any, span: Any) -> str | None:
        """ "before" or "after" when a negation reaches this span from that side."""
        words = _words(doc)
        for modifier in span._.modifiers:
            if modifier.category != "NEGATED_EXISTENCE":
                continue
            start, end = modifier.modifier_span
            before = end <= span.start
            between = words[end : span.start] if before else words[span.end : start]
            if not self._terminated(between):
                return "before" if before else "after"
        return None

    def _spread_negation(self, doc: Any) -> set[tuple[int, int, str]]:
        """Spans negated by reaching along a list from a negated item.

        "No swelling, redness, numbness or weakness": the negation's own reach may end
        before the last items, so items joined only by list words share it. Commas alone
        make a list only when it goes on to a final "or"/"nor"/"and"; after that final
        item the list is over, so in "nothing like chest pain or breathlessness, just a
        calf cramp" the cramp is not denied. A negation written after its list
        ("fever, chills or sweats: none") reaches back along it the same way.
        """
        spans = sorted(
            (s for s in doc.spans[_SPANS] if s.label_ != _SHADOW), key=lambda s: (s.start, s.end)
        )
        sides = [self._negated_from(doc, span) for span in spans]
        spread: set[int] = set()
        for direction, side in ((1, "before"), (-1, "after")):
            for i, negation in enumerate(sides):
                if negation != side:
                    continue
                spread.update(self._list_after(doc, spans, i, direction))
        return {(spans[i].start, spans[i].end, spans[i].label_) for i in spread if sides[i] is None}

    def _list_after(self, doc: Any, spans: list[Any], first: int, step: int) -> set[int]:
        """The indexes of the items that share ``spans[first]``'s list, walking away
        from its negation (``step`` 1: forward, -1: backward).

        Forward, items joined by commas wait until a final connector confirms the list,
        and the first comma after the final item ends it. Backward (the negation came
        last), the final connector comes first, and the commas after it are the list.
        """
        connectors, finals = self._connectors, self._final_connectors
        words = _words(doc)
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

    def _times_another_event(
        self,
        text: str,
        start: int,
        end: int,
        original: str,
        findings: Sequence[Extracted],
        normalised: Normalised,
    ) -> bool:
        """A duration whose clause names a medicine, an operation, a journey or another
        background event and no symptom, sign or body part ("had my thyroid out 2 days
        ago", "five days ago the doctor put her on clarithromycin") times that event,
        not the problem."""
        left = max((text.rfind(b, 0, start) for b in self._clause_breaks), default=-1)
        rights = [i for i in (text.find(b, end) for b in self._clause_breaks) if i >= 0]
        right = min(rights) if rights else len(text)
        clause_start, clause_end = normalised.span(max(left, 0), right)
        if self._owner_words & set(_WORD.findall(original[clause_start:clause_end].lower())):
            return False  # "it started seven weeks ago": the problem, by its pronoun
        inside = [f for f in findings if clause_start <= f.start and f.end <= clause_end]
        owners = [f for f in inside if self._category.get(f.finding_id) in self._owner_categories]
        events = [f for f in inside if self._category.get(f.finding_id) in self._event_categories]
        return bool(events) and not owners

    def _reading(self, original: str, normalised: Normalised, doc: Any) -> Reading:
        findings: list[Extracted] = []
        ignored: list[Ignored] = []
        spread: set[tuple[int, int, str]] = (
            self._spread_negation(doc) if self._connectors else set()
        )
        for ent in doc.spans[_SPANS]:
            label: str = ent.label_
            if label == _SHADOW:
                continue
            finding_id, denial = (
                (label[: -len(_ABSENT_SUFFIX)], True)
                if label.endswith(_ABSENT_SUFFIX)
                else (label, False)
            )
            start, end = normalised.span(ent.start_char, ent.end_char)
            span_text = original[start:end]
            categories = self._categories(doc, ent)
            if "FAMILY" in categories:
                ignored.append(Ignored(finding_id, "other_person", span_text, start, end))
                continue
            if "HYPOTHETICAL" in categories:
                ignored.append(Ignored(finding_id, "hypothetical", span_text, start, end))
                continue
            negated = (
                "NEGATED_EXISTENCE" in categories
                or (ent.start, ent.end, label) in spread
                or self._answered_no(doc, ent)
            )
            if denial and negated:
                continue
            state = FindingState.ABSENT if (denial or negated) else FindingState.PRESENT
            hedged = state is FindingState.PRESENT and "POSSIBLE_EXISTENCE" in categories
            findings.append(Extracted(finding_id, state, span_text, start, end, hedged=hedged))
        read_findings = list(findings)
        for quantity in self._quantities.read(normalised.text):
            start, end = normalised.span(quantity.start, quantity.end)
            if quantity.finding_id in self._durations and self._times_another_event(
                normalised.text, quantity.start, quantity.end, original, read_findings, normalised
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
            for c in doc.user_data.get(_CORRECTIONS, ())
        ]
        used = [
            c for c in corrections if any(f.start <= c.start and c.end <= f.end for f in findings)
        ]
        return Reading(original, tuple(findings), tuple(ignored), tuple(used))
