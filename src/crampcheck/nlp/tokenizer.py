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
        speller = self._speller if _CORRECTING.get() else None
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
            doc.user_data[CORRECTIONS] = corrections
        return doc

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        """spaCy calls this for batches; each text is normalised like a single one."""
        del batch_size
        for text in texts:
            yield self(text)
