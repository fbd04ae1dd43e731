"""Which language a description is written in: English, Spanish, both, or neither.

langdetect (a port of Google's language-detection, its language profiles shipped in
the package; nothing is fetched) gives each language a probability. A description is
read in each of the reader's languages that it is likely to be in, so that a
Spanglish text ("tengo un cramp en la pierna and it won't stop") and a short or
unclear one is read in both, and a warning sign is never lost to a wrong guess; only
a text with little chance of being in either is said to be in neither.
"""

from __future__ import annotations

import re
import threading

from langdetect import DetectorFactory, detector_factory
from langdetect.lang_detect_exception import LangDetectException
from spacy.lang.en.stop_words import STOP_WORDS as ENGLISH_STOP_WORDS
from spacy.lang.es.stop_words import STOP_WORDS as SPANISH_STOP_WORDS

READ_LANGUAGES = ("en", "es")
"""The languages the reader reads."""

_SURE = 0.9
"""A language this likely on its own is read alone."""
_POSSIBLE = 0.2
"""A language at least this likely (in the whole text or one of its sentences) is read."""
_PIECES = re.compile(r"[.!?;,:\n]+| (?:and|but|y|pero) ")
_MIN_PIECE_WORDS = 3
_SHORT = 8
"""Fewer words than this are too few to say a text is in neither language."""
_KIN = {"es": ("ca", "gl")}
"""Languages a few words of Spanish are often taken for ("me falta el aire": Catalan)."""
_WORDS = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")
_ONLY = {
    "en": frozenset(ENGLISH_STOP_WORDS - SPANISH_STOP_WORDS),
    "es": frozenset(SPANISH_STOP_WORDS - ENGLISH_STOP_WORDS),
}
"""Each language's own function words (spaCy's stop-word lists, less the words both
share, such as "a", "me", "no"): "the", "my", "was" are English; "el", "mi", "estaba"
Spanish."""
_PLAIN = 4
"""A text with at least this many function words of one language and none of the other
is plainly in that language: no statistical detection needed (it costs ~40 ms)."""
_lock = threading.Lock()
_factory: DetectorFactory | None = None


def _detector_factory() -> DetectorFactory:
    global _factory
    with _lock:
        if _factory is None:
            factory = DetectorFactory()
            factory.load_profile(detector_factory.PROFILES_DIRECTORY)
            factory.set_seed(0)  # the same answer for the same text, every time
            _factory = factory
        return _factory


def _probabilities(text: str) -> dict[str, float]:
    detector = _detector_factory().create()
    detector.append(text)
    try:
        return {found.lang: found.prob for found in detector.get_probabilities()}
    except LangDetectException:  # no letters at all ("???", "12 10/10")
        return {}


class TextLanguage:
    """The language questions about one text, asked as often as needed: the statistical
    detection of the whole text (some milliseconds) is made once for all of them."""

    __slots__ = ("_whole", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._whole: dict[str, float] | None = None

    def probabilities(self, piece: str) -> dict[str, float]:
        """Each language's probability for ``piece`` of the text (or the whole)."""
        if piece != self.text:
            return _probabilities(piece)
        if self._whole is None:
            self._whole = _probabilities(self.text)
        return self._whole

    def languages(self) -> tuple[str, ...]:
        """See :func:`languages_of`."""
        text = self.text
        plain = _plainly_in(text)
        if plain is not None:
            return (plain,)
        whole = self.probabilities(text)
        if not whole:
            return ("en",)
        for language in READ_LANGUAGES:
            if whole.get(language, 0.0) >= _SURE and not _mixed(self, language):
                return (language,)
        found = {lang for lang in READ_LANGUAGES if whole.get(lang, 0.0) >= _POSSIBLE}
        for piece in _PIECES.split(text):
            if len(piece.split()) >= _MIN_PIECE_WORDS:
                said = self.probabilities(piece)
                found |= {lang for lang in READ_LANGUAGES if _likelihood(said, lang) >= _POSSIBLE}
        if not found and len(text.split()) < _SHORT:
            return READ_LANGUAGES  # too short to tell: read it both ways
        return tuple(lang for lang in READ_LANGUAGES if lang in found)

    def in_neither(self) -> bool:
        """See :func:`in_neither`."""
        whole = self.probabilities(self.text)
        return bool(whole) and all(_likelihood(whole, lang) < _POSSIBLE for lang in READ_LANGUAGES)


def languages_of(text: str) -> tuple[str, ...]:
    """The reader's languages to read ``text`` in: ``("en",)``, ``("es",)``, both,
    or none for a text in neither language. A text with no letters (nothing to go
    on) is read in English, the clinic's language."""
    return TextLanguage(text).languages()


def _plainly_in(text: str) -> str | None:
    """The language whose own function words a text uses, when it uses several of one
    and not one of the other; None when it mixes them or has too few to tell."""
    words = [w.lower() for w in _WORDS.findall(text)]
    counts = {lang: sum(w in own for w in words) for lang, own in _ONLY.items()}
    found = [lang for lang, n in counts.items() if n]
    if len(found) == 1 and counts[found[0]] >= _PLAIN:
        return found[0]
    return None


def _mixed(text: TextLanguage, language: str) -> bool:
    """Whether a sentence of a text that is mostly in ``language`` is in the other."""
    for piece in _PIECES.split(text.text):
        if len(piece.split()) >= _MIN_PIECE_WORDS:
            said = text.probabilities(piece)
            for other in READ_LANGUAGES:
                if other != language and _likelihood(said, other) >= 0.5:
                    return True
    return False


def _likelihood(said: dict[str, float], language: str) -> float:
    """How likely a piece is in ``language``, counting the languages a few of its
    words are often taken for."""
    return sum(said.get(k, 0.0) for k in (language, *_KIN.get(language, ())))


def function_words_of_others(language: str) -> frozenset[str]:
    """The function words of the reader's other languages, not of ``language``: in a
    text read in both, a finding the ``language`` reader took from these alone was
    read from the other language's words."""
    return frozenset().union(*(own for other, own in _ONLY.items() if other != language))


def in_neither(text: str) -> bool:
    """Whether the text as a whole is most likely in a language the reader does not
    read ("j'ai une crampe au mollet": French)."""
    return TextLanguage(text).in_neither()
