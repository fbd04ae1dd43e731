"""spaCy's tokenizer with the knowledge base's norms: wildcard stems, word forms read as
one, and misspellings read as the lexicon word they were meant to be."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from spacy.tokens import Doc

from crampcheck.nlp.spelling import Correction, Speller

CORRECTIONS = "crampcheck_corrections"
"""Where a doc keeps the corrections its tokenizer made (``doc.user_data``)."""

_CORRECTING: ContextVar[bool] = ContextVar("crampcheck_correcting", default=True)


@contextmanager
def spelling_left_alone() -> Iterator[None]:
    """Within this block (in this thread or task only) no word is spelling-corrected.

    A text in another language read for its English words ("tengo un cramp") is full
    of words the English speller does not know and would "correct" into clinical ones
    ("concreto" into a medicine's name): there, only words written as they are count."""
    token = _CORRECTING.set(False)
    try:
        yield
    finally:
        _CORRECTING.reset(token)


class NormalisingTokenizer:
    """spaCy's tokenizer, then wildcard norms: a token starting with a lexicon stem
    written ``cramp*`` gets the NORM ``cramp*``.

    The knowledge base writes ``cramp*`` for cramp, cramps, cramped, cramping. Giving
    every such token the same norm - in the text and in the lexicon's own phrases,
    which are made with this same tokenizer - lets one fast phrase matcher on NORM
    find them all, instead of a regular expression tested on every token.
    """

    DECISIONS_KEPT = 50_000
    """Words whose norm decision is remembered (as many as the speller remembers)."""

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
        self._decisions: dict[tuple[int, int, bool], tuple[str | None, str | None]] = {}
        """What :meth:`_decide` said for each (word as written, spaCy's norm), by their
        hashes, with spelling correction on or off: a word is decided once, not at every
        occurrence."""
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
        decisions = self._decisions
        correcting = _CORRECTING.get()
        corrections: list[Correction] = []
        for token in doc:
            key = (token.orth, token.norm, correcting)
            decision = decisions.get(key)
            if decision is None:
                decision = self._decide(token.lower_, token.norm_, token.is_alpha, correcting)
                if len(decisions) < self.DECISIONS_KEPT:
                    decisions[key] = decision
            norm, meant = decision
            if norm is not None:
                token.norm_ = norm
            if meant is not None:
                corrections.append(Correction(token.text, meant, token.idx, token.idx + len(token)))
        if corrections:
            doc.user_data[CORRECTIONS] = corrections
        return doc

    def _decide(
        self, lower: str, norm: str, is_alpha: bool, correcting: bool = True
    ) -> tuple[str | None, str | None]:
        """A word's new norm (None: leave spaCy's) and the lexicon word it was corrected
        to (None: not corrected): a wildcard stem first, then a word form read as one,
        then a misspelling."""
        stem = self._stem_norm(lower)
        if stem is not None:
            return stem, None
        equivalents = self._equivalents
        same = equivalents.get(norm) or equivalents.get(lower)
        if same is not None:
            return same, None
        speller = self._speller if correcting else None
        meant = speller.correct(lower) if speller is not None and is_alpha else None
        if meant is not None:
            return self._stem_norm(meant) or equivalents.get(meant) or meant, meant
        return None, None

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        """spaCy calls this for batches; each text is normalised like a single one."""
        del batch_size
        for text in texts:
            yield self(text)
