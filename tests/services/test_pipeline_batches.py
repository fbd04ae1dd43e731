"""A batch of descriptions in Spanish (or mixed) is read as single checks read them, in
one pass per language, and the language of each is detected once."""

from __future__ import annotations

import pytest

from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.nlp import language
from crampcheck.services.pipeline import Pipeline

TEXTS = [
    "Mi papá de 70 años tiene calambres en la pierna y la orina oscura desde ayer",
    "tengo un cramp en la pantorrilla and it won't stop, no tengo fiebre",
    "Se me duerme el pie izquierdo y no lo puedo mover desde esta mañana",
    "calambres en las noches, tomo furosemida, no me duele el pecho",
    "Mi hija se cayó y ahora tiene la rodilla hinchada y caliente",
]


def test_a_batch_reads_spanish_texts_as_single_checks_do(
    pipeline: Pipeline, kb: KnowledgeBase
) -> None:
    batch = pipeline.check_texts([(f"{text} (lote)", 40, None) for text in TEXTS])
    alone = Pipeline(kb)  # nothing kept from the batch
    for text, together in zip(TEXTS, batch, strict=True):
        single = alone.check_text(f"{text} (lote)", 40, None)
        assert together.reading == single.reading, text
        assert together.assessment == single.assessment, text
    assert any(r.reading is not None and "es" in r.reading.languages for r in batch)
    assert any(r.reading is not None and r.reading.findings for r in batch)


def test_a_texts_language_is_detected_once_in_a_batch(
    pipeline: Pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Desde el martes tengo calambres en el muslo derecho cuando camino al trabajo"
    detected: list[str] = []
    real = language._probabilities

    def counted(piece: str) -> dict[str, float]:
        detected.append(piece)
        return real(piece)

    monkeypatch.setattr(language, "_probabilities", counted)
    (result,) = pipeline.check_texts([(text, 50, None)])
    assert result.reading is not None and "es" in result.reading.languages
    assert detected.count(text) == 1
