"""One check, end to end: text (or structured answers) in, assessment out."""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from crampcheck.domain.assessment import Assessment
from crampcheck.domain.i18n import current_language
from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.domain.units import current_temperature_unit
from crampcheck.engine.assess import DEFAULT_CARE_PATHWAY, assess, care_terms
from crampcheck.knowledge.loader import KnowledgeBase, default_knowledge, in_language

# What loading the knowledge base raises when it is invalid (default_pipeline, the rule
# cases), offered here so that the command line can say so without reaching below.
from crampcheck.knowledge.loader import KnowledgeError as KnowledgeError
from crampcheck.knowledge.units import in_units
from crampcheck.nlp.language import READ_LANGUAGES, TextLanguage, function_words_of_others
from crampcheck.nlp.reader import Reader, Reading, reader_for
from crampcheck.nlp.tokenizer import spelling_left_alone
from crampcheck.services.metrics import reader_timer


@dataclass(frozen=True)
class CheckResult:
    """A finished check: what was read (if text was given), the case and the assessment."""

    case: Case
    assessment: Assessment
    reading: Reading | None = None
    confirmed: frozenset[str] = frozenset()
    """Findings read in the words that the person then confirmed (kept as read on the
    confirm step), as against findings only read."""


class Pipeline:
    """The knowledge base and the reader, loaded once and reused for every check."""

    VOCABULARY_LIMIT = 50_000
    """New words the reader may keep before it is built afresh. spaCy 3.7 keeps every
    string it has read for the life of its pipeline (about 0.8 KB each, measured), so
    descriptions with new words (a medicine's name, a typo) grew a server's memory
    without bound (a 10-minute soak: +0.7 MB a minute); a fresh reader (about 0.2 s to
    build, and one full garbage collection) bounds that at about 40 MB."""

    READING_CACHE_SIZE = 512
    """The stateless interview sends the same description with every answer, so recent
    readings are kept (they are immutable) rather than read again at each step."""

    def __init__(
        self,
        kb: KnowledgeBase,
        emergency_number: str = "911",
        word_limit: int | None = None,
        care_pathway: str = DEFAULT_CARE_PATHWAY,
    ) -> None:
        self.english_kb = kb
        """The knowledge base as written (English): what the reader reads words with."""
        if care_pathway not in kb.care_pathways:
            known = ", ".join(sorted(kb.care_pathways))
            raise ValueError(f"unknown care pathway {care_pathway!r} (known: {known})")
        self.care_pathway = care_pathway
        if word_limit is not None:
            self.VOCABULARY_LIMIT = word_limit
        self.emergency_number = emergency_number
        self.renewals = 0
        """How many times the reader was built afresh (see VOCABULARY_LIMIT)."""
        self._readers: dict[str, Reader] = {}
        self._renewing = threading.Lock()
        self._readings = _Recent(self.READING_CACHE_SIZE)

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base in the language of the moment (the person's): the same
        knowledge as :attr:`english_kb`, with its texts translated where they are, and
        its temperatures in the unit of the moment (the clinic's: °F in the US)."""
        return in_units(
            in_language(self.english_kb, current_language()), current_temperature_unit()
        )

    def _read(self, text: str, language: TextLanguage | None = None) -> Reading:
        """``text`` read (or its reading kept from a recent read); ``language``: what is
        known of its language already (else it is detected here)."""
        found = self._readings.get(text)
        if found is not None:
            return found
        language = language or TextLanguage(text)
        languages = _languages_to_read(language)
        for each in languages or READ_LANGUAGES:
            self._renew_if_grown(each)
        with reader_timer():
            reading = self._read_in(language, languages)
        self._readings.put(text, reading)
        return reading

    def _read_in(self, language: TextLanguage, languages: tuple[str, ...]) -> Reading:
        """``text`` read in each of ``languages``, merged (present wins). A text in
        neither language is still read in both, so that a wrong guess never hides a
        warning sign; only when neither reads anything is it said to be in neither."""
        text = language.text
        readings = [self._read_one(text, each, languages) for each in languages]
        if not languages:
            readings = [self.reader_in(each).read(text) for each in READ_LANGUAGES]
            if not any(r.findings for r in readings):
                return Reading(text, (), (), (), languages=())
            readings = [r for r in readings if r.findings]
        return _merged(language, readings)

    def _read_one(self, text: str, language: str, languages: tuple[str, ...]) -> Reading:
        """``text`` read in ``language``. When it is read in other languages too, only
        words written as they are count (no spelling correction into this language's
        words) and nothing is taken from the other languages' function words alone."""
        reader = self.reader_in(language)
        if languages == (language,):
            return reader.read(text)
        with spelling_left_alone():
            reading = reader.read(text)
        return reading.without_words(function_words_of_others(language))

    def _read_many_in(
        self, detected: Sequence[TextLanguage], languages: tuple[str, ...]
    ) -> list[Reading]:
        """Texts to read in the same ``languages`` (at least one), read in one batch per
        language and merged as :meth:`_read_in` does for one; each is kept as read."""
        texts = [language.text for language in detected]
        per_language: list[list[Reading]] = []
        for language in languages:
            self._renew_if_grown(language)
            reader = self.reader_in(language)
            if languages == (language,):
                per_language.append(reader.read_many(texts))
                continue
            with spelling_left_alone():
                read = reader.read_many(texts)
            others = function_words_of_others(language)
            per_language.append([reading.without_words(others) for reading in read])
        result = []
        for i, text_language in enumerate(detected):
            reading = _merged(text_language, [each[i] for each in per_language])
            self._readings.put(text_language.text, reading)
            result.append(reading)
        return result

    def _renew_if_grown(self, language: str = "en") -> None:
        """Before a read: replace a reader once it has kept more than VOCABULARY_LIMIT
        new words. Reads in flight finish on the old one; what was frozen with it is
        unfrozen for one collection so that it can be freed, and the rest frozen again."""
        current = self._readers.get(language)
        if current is None or current.learned_words() <= self.VOCABULARY_LIMIT:
            return
        with self._renewing:
            if self._readers.get(language) is not current:
                return  # another thread renewed it meanwhile
            self._readers[language] = reader_for(self.english_kb, language)
            self.renewals += 1
        del current
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    @property
    def reader(self) -> Reader:
        """The English free-text reader, built on first use (it takes a moment)."""
        return self.reader_in("en")

    def reader_in(self, language: str) -> Reader:
        """The free-text reader of ``language``, built on first use."""
        found = self._readers.get(language)
        if found is None:
            found = reader_for(self.english_kb, language)
            self._readers[language] = found
            # The knowledge base and the language pipeline live as long as the process:
            # freezing them keeps the garbage collector from walking ~200,000 objects
            # again at every full collection (about a tenth of the time of a check).
            gc.collect()
            gc.freeze()
        return found

    def care_terms(self, emergency_number: str | None = None) -> dict[str, str]:
        """The words filled into the knowledge base's texts for this clinic: the
        emergency number and the places to get care in its country."""
        return care_terms(self.kb, emergency_number or self.emergency_number, self.care_pathway)

    def check_case(self, case: Case) -> CheckResult:
        """Assess a structured case."""
        return CheckResult(case, assess(case, self.kb, self.emergency_number, self.care_pathway))

    def check_text(
        self,
        text: str,
        age: int | None = None,
        sex: Sex | None = None,
        answers: Mapping[str, FindingState] | None = None,
        values: Mapping[str, float] | None = None,
    ) -> CheckResult:
        """Read a description, add any explicit answers (they win), and assess it."""
        reading = self._read(text)
        return self.assess_read(_case_of(reading, age, sex, answers, values), reading, answers)

    def read_case(
        self,
        text: str | None,
        age: int | None,
        sex: Sex | None,
        answers: Mapping[str, FindingState] | None = None,
        values: Mapping[str, float] | None = None,
    ) -> tuple[Case, Reading | None]:
        """The case a check describes, not yet assessed: what the words say (when there
        are any) with the explicit answers on top (they win), and the reading itself."""
        if not (text and text.strip()):
            case = Case(age=age, sex=sex, findings=dict(answers or {}), values=dict(values or {}))
            return case, None
        reading = self._read(text)
        return _case_of(reading, age, sex, answers, values), reading

    def assess_read(
        self,
        case: Case,
        reading: Reading | None,
        answers: Mapping[str, FindingState] | None = None,
    ) -> CheckResult:
        """Assess a case once: with the reading it came from (if any) and which of the
        findings read in the words the person's answers then confirmed."""
        assessment = assess(case, self.kb, self.emergency_number, self.care_pathway)
        if reading is None:
            return CheckResult(case, assessment)
        if not answers:
            return CheckResult(case, assessment, reading)  # nothing confirmed
        read = reading.states()
        confirmed = frozenset(
            finding_id
            for finding_id, state in (answers or {}).items()
            if read.get(finding_id) is state
        )
        return CheckResult(case, assessment, reading, confirmed)

    def check_texts(self, items: Sequence[tuple[str, int | None, Sex | None]]) -> list[CheckResult]:
        """Assess many descriptions in one batch."""
        self._renew_if_grown()
        texts = [text for text, _, _ in items]
        detected = [TextLanguage(text) for text in texts]
        languages = [_languages_to_read(language) for language in detected]
        english = [i for i, found in enumerate(languages) if found == ("en",)]
        readings: list[Reading | None] = [None] * len(texts)
        for i, reading in zip(
            english, self.reader.read_many([texts[i] for i in english]), strict=True
        ):
            readings[i] = reading
        # The others are read as a single check reads them (English too, beside Spanish),
        # so that a batch (and ``eval``) scores what a person would be shown; those in
        # the same languages are read together.
        others: dict[tuple[str, ...], list[int]] = {}
        for i, found in enumerate(languages):
            if readings[i] is None:
                kept = self._readings.get(texts[i])
                if kept is not None:
                    readings[i] = kept
                elif found:
                    others.setdefault(found, []).append(i)
        for found, chosen in others.items():
            for i, reading in zip(
                chosen, self._read_many_in([detected[i] for i in chosen], found), strict=True
            ):
                readings[i] = reading
        for i in range(len(texts)):
            if readings[i] is None:  # in neither language: read both ways, one at a time
                readings[i] = self._read(texts[i], detected[i])
        return [
            self.assess_read(reading.to_case(age, sex), reading)
            for reading, (_, age, sex) in zip(readings, items, strict=True)
            if reading is not None
        ]


def _languages_to_read(language: TextLanguage) -> tuple[str, ...]:
    """The languages to read a text in: those it is likely written in, and English
    beside any other, always: names or a few words in Spanish must not stop an English
    warning sign being read ("Jose Maria Lopez: chest pain"). A text in a third language
    is left to be said to be in neither (no languages)."""
    languages = language.languages()
    if languages and "en" not in languages and not language.in_neither():
        return ("en", *languages)
    return languages


def _merged(language: TextLanguage, readings: Sequence[Reading]) -> Reading:
    """One text's readings in several languages as one (present wins); nothing read of a
    text in neither language is said to be in neither."""
    reading = readings[0]
    for other in readings[1:]:
        reading = reading.merged(other)
    if not reading.findings and language.in_neither():
        return Reading(language.text, (), (), (), languages=())
    return reading


class _Recent:
    """The most recent readings by their text, at most ``size`` of them (thread-safe)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._kept: OrderedDict[str, Reading] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> Reading | None:
        with self._lock:
            found = self._kept.get(text)
            if found is not None:
                self._kept.move_to_end(text)
            return found

    def put(self, text: str, reading: Reading) -> None:
        with self._lock:
            self._kept[text] = reading
            self._kept.move_to_end(text)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)


def _case_of(
    reading: Reading,
    age: int | None,
    sex: Sex | None,
    answers: Mapping[str, FindingState] | None,
    values: Mapping[str, float] | None,
) -> Case:
    case = reading.to_case(age, sex)
    return case.with_answers(answers, values) if answers or values else case


@cache
def default_pipeline() -> Pipeline:
    """The packaged knowledge base with its reader, shared within one process."""
    return Pipeline(default_knowledge())


def packaged_pipeline(
    emergency_number: str = "911",
    word_limit: int | None = None,
    care_pathway: str = DEFAULT_CARE_PATHWAY,
) -> Pipeline:
    """A pipeline of its own over the packaged knowledge base, for an installation's
    settings: its emergency number, reader word limit and clinic's care pathway (see
    :class:`Pipeline`)."""
    return Pipeline(default_knowledge(), emergency_number, word_limit, care_pathway)
