"""The knowledge base in Spanish: overlays keyed by the English items' ids put Spanish
texts in, and the result is the same knowledge (ids, rules, lexicon) validated as the
English one is; a broken overlay is refused, and the share translated never drops."""

from __future__ import annotations

import pytest

from crampcheck.domain.i18n import using_language
from crampcheck.knowledge.compiled import KnowledgeError
from crampcheck.knowledge.loader import default_knowledge, in_language, translation_coverage
from crampcheck.knowledge.translations import coverage, overlay, texts
from crampcheck.services.pipeline import Pipeline

SPANISH_TEXTS_AT_LEAST = 1382
"""The Spanish texts of the knowledge base today: raise it as texts are translated; a
change that loses one fails here; ``kb check`` fails on any gap."""


def test_the_share_translated_never_drops() -> None:
    found = translation_coverage(default_knowledge(), "es")
    assert found.translated >= SPANISH_TEXTS_AT_LEAST, found.missing[:10]
    assert found.total > 1000
    assert found.translated + len(found.missing) == found.total


def test_the_spanish_knowledge_is_the_same_knowledge_in_other_words() -> None:
    english = default_knowledge()
    spanish = in_language(english, "es")
    assert spanish.language == "es"
    assert spanish.finding_ids == english.finding_ids
    assert [r.id for r in spanish.rules] == [r.id for r in english.rules]
    assert spanish.lexicon == english.lexicon
    assert spanish.version == english.version
    assert spanish.findings["site_calf"].label == "la pantorrilla"
    assert english.findings["site_calf"].label == "the calf"
    assert {s.label for s in spanish.emergency_signs} >= {"Dolor o presión en el pecho"}
    assert in_language(english, "es") is spanish  # loaded once


def test_the_pipeline_gives_the_knowledge_in_the_person_language(pipeline: Pipeline) -> None:
    assert pipeline.kb.language == "en"
    with using_language("es"):
        assert pipeline.kb.language == "es"
        result = pipeline.check_text("chest pain and my calf is cramping")
    assert result.assessment.urgency.value == "emergency"
    assert "Llame al 911 ahora" in result.assessment.action
    english = pipeline.check_text("chest pain and my calf is cramping")
    assert "Call 911 now" in english.assessment.action


@pytest.mark.parametrize(
    ("english", "translated", "problem"),
    [
        (
            {"findings": [{"id": "a", "label": "x"}]},
            {"findings": {"b": {"label": "y"}}},
            "no item 'b'",
        ),
        (
            {"findings": [{"id": "a", "lexicon": ["cramp"]}]},
            {"findings": {"a": {"lexicon": ["calambre"]}}},
            "not a text to translate",
        ),
        ({"findings": [{"id": "a", "label": "x"}]}, {"findings": {"a": {"label": " "}}}, "empty"),
        ({"disclaimer": "call {emergency_number}"}, {"disclaimer": "llame ya"}, "drops"),
        ({"steps": ["one", "two"]}, {"steps": ["uno"]}, "one entry for each"),
        ({"findings": [{"id": "a", "label": "x"}]}, {"findings": {"a": {"colour": "y"}}}, "no key"),
    ],
)
def test_a_broken_overlay_is_refused(english: object, translated: object, problem: str) -> None:
    with pytest.raises(KnowledgeError, match=problem):
        overlay(english, translated, "es/test.yaml")


def test_an_overlay_keeps_what_it_does_not_translate() -> None:
    english = {"findings": [{"id": "a", "label": "x", "why": "w", "lexicon": ["x"]}]}
    merged = overlay(english, {"findings": {"a": {"label": "equis"}}}, "es/test.yaml")
    assert merged == {"findings": [{"id": "a", "label": "equis", "why": "w", "lexicon": ["x"]}]}


def test_the_advice_texts_are_counted_and_translated() -> None:
    """advice.yaml's records sit under ``advice``, the name a rule gives its list of
    advice ids: its titles, steps, cautions and contraindications are still texts."""
    english = {
        "advice": [
            {
                "id": "a",
                "title": "Stretch",
                "steps": ["Hold it"],
                "contraindications": [{"when": "swelling", "because": "b", "instead": "i"}],
            }
        ]
    }
    assert dict(texts(english)) == {
        ("advice", "[a]", "title"): "Stretch",
        ("advice", "[a]", "steps", "[0]"): "Hold it",
        ("advice", "[a]", "contraindications", "[0]", "because"): "b",
        ("advice", "[a]", "contraindications", "[0]", "instead"): "i",
    }
    # A rule's advice ids are still not texts.
    assert not dict(texts({"rules": [{"id": "r", "advice": ["stretch"]}]}))
    # An overlay may share a text through its own x- anchor, as the English file does.
    translated = {
        "x-because": "porque",
        "advice": {"a": {"contraindications": [{"because": "porque", "instead": None}]}},
    }
    merged = overlay(english, translated, "es/advice.yaml")
    assert merged["advice"][0]["contraindications"][0]["because"] == "porque"
    assert merged["advice"][0]["contraindications"][0]["when"] == "swelling"
    assert "x-because" not in merged
    titles = {
        language: {a.spec.id: a.spec.title for a in kb.advice}
        for language, kb in (
            ("en", default_knowledge()),
            ("es", in_language(default_knowledge(), "es")),
        )
    }
    assert titles["es"]["stretch"] != titles["en"]["stretch"]


def test_a_word_both_languages_share_counts_but_a_copied_sentence_does_not() -> None:
    english = {
        "findings": [
            {"id": "diabetes", "label": "diabetes", "why": "Diabetes can damage the nerves."},
            {"id": "fever", "label": "fever", "why": "A fever can come with cramps."},
        ]
    }
    overlays = {
        "findings.yaml": {
            "findings": {
                "diabetes": {"label": "diabetes", "why": "Diabetes can damage the nerves."},
                "fever": {"label": "fiebre"},
            }
        }
    }
    found = coverage({"findings.yaml": english}, overlays, "es")
    assert (found.translated, found.total) == (2, 4)
    assert found.missing == (
        "findings.yaml: findings.[diabetes].why",
        "findings.yaml: findings.[fever].why",
    )


def test_the_level_and_kind_words_follow_the_language() -> None:
    from crampcheck.domain.types import Kind, Urgency
    from crampcheck.services.vocabulary import packaged_vocabulary

    english = packaged_vocabulary()
    assert english.level_headings[Urgency.URGENT].by_when == "Today, within 24 hours"
    with using_language("es"):
        spanish = packaged_vocabulary()
    assert spanish.level_headings[Urgency.EMERGENCY].heading == "Esto podría ser una emergencia"
    assert spanish.level_headings[Urgency.URGENT].by_when == "Hoy, dentro de 24 horas"
    assert spanish.kind_words[Kind.SPASM].topic == "Espasmos y tics"
    # Every level's and kind's words a person reads have their Spanish.
    for level in Urgency:
        heading = spanish.level_headings[level]
        assert heading != english.level_headings[level], level
    for kind in Kind:
        for field in ("heading", "label", "summary", "topic"):
            assert getattr(spanish.kind_words[kind], field) != getattr(
                english.kind_words[kind], field
            ), (kind, field)
