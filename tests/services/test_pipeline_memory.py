"""The reader does not grow without bound: spaCy keeps every word it has read, so after
VOCABULARY_LIMIT new words the pipeline builds a fresh reader, the old one is freed, and
readings stay the same (the soak benchmark found the growth: +0.7 MB a minute)."""

from __future__ import annotations

import weakref

from crampcheck.knowledge import default_knowledge
from crampcheck.services.pipeline import Pipeline

KNOWN = "Calf cramp at night for 10 minutes, it eased when I stretched. No swelling."


def findings(pipeline: Pipeline) -> list[tuple[str, str]]:
    (result,) = pipeline.check_texts([(KNOWN, None, None)])  # read, not from the cache
    return sorted((f, s.value) for f, s in result.case.findings.items())


def test_new_words_renew_the_reader_and_free_the_old_one() -> None:
    pipeline = Pipeline(default_knowledge())
    pipeline.VOCABULARY_LIMIT = 200
    before = findings(pipeline)
    first = weakref.ref(pipeline.reader)
    for number in range(400):
        pipeline.check_text(f"Cramp in my calf, I take zorbamycin{number} and velqa{number}x.")
        assert pipeline.reader.learned_words() <= pipeline.VOCABULARY_LIMIT + 10
    assert pipeline.renewals >= 3
    assert first() is None, "the old reader was freed"
    assert findings(pipeline) == before


def test_texts_without_new_words_never_renew_it() -> None:
    pipeline = Pipeline(default_knowledge())
    pipeline.VOCABULARY_LIMIT = 200
    pipeline.check_texts([(KNOWN, None, None)])
    learned = pipeline.reader.learned_words()  # the words of this text, once
    for _ in range(30):
        pipeline.check_texts([(KNOWN, None, None)] * 10)
    assert pipeline.renewals == 0 and pipeline.reader.learned_words() == learned
