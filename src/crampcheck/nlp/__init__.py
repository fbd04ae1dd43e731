"""Free text to findings: the lexicon-driven reader and the quantity reader."""

from crampcheck.nlp.reader import MAX_TEXT_CHARS, Extracted, Reader, Reading, TextTooLongError

__all__ = ["MAX_TEXT_CHARS", "Extracted", "Reader", "Reading", "TextTooLongError"]
