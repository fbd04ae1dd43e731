"""Sources in Spanish: a MedlinePlus page's Spanish page is at a known address
(``medlineplus.gov/spanish/`` + the same path), kept as data (``urls.es``) and checked by
the schema; a Spanish knowledge base cites it, the English one the English page."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from crampcheck.knowledge.loader import default_knowledge, in_language
from crampcheck.knowledge.schema.base import Source, medlineplus_spanish

SHOCK = "https://medlineplus.gov/ency/article/000039.htm"
SHOCK_ES = "https://medlineplus.gov/spanish/ency/article/000039.htm"


def _source(**changes: Any) -> Source:
    data = {
        "id": "medlineplus-shock",
        "title": "Shock",
        "publisher": "MedlinePlus",
        "url": SHOCK,
        "accessed": "2026-12-06",
    }
    return Source.model_validate({**data, **changes})


def test_the_known_spanish_addresses_of_medlineplus() -> None:
    assert medlineplus_spanish(SHOCK) == SHOCK_ES
    assert (
        medlineplus_spanish("https://medlineplus.gov/musclecramps.html")
        == "https://medlineplus.gov/spanish/musclecramps.html"
    )
    # Drug information is named otherwise in Spanish (a682530-es.html): no known address.
    assert medlineplus_spanish("https://medlineplus.gov/druginfo/meds/a682530.html") is None
    assert medlineplus_spanish(SHOCK_ES) is None
    assert medlineplus_spanish("https://www.nhs.uk/conditions/fainting/") is None


def test_the_schema_takes_only_the_spanish_page_at_its_known_address() -> None:
    assert _source(urls={"es": SHOCK_ES}).in_language("es").url == SHOCK_ES
    assert _source(urls={"es": SHOCK_ES}).in_language("en").url == SHOCK
    assert _source().in_language("es").url == SHOCK, "no Spanish page: the English one"
    with pytest.raises(ValidationError, match="is https://medlineplus.gov/spanish/ency/article"):
        _source(urls={"es": "https://medlineplus.gov/spanish/ency/article/000093.htm"})
    with pytest.raises(ValidationError, match="no Spanish page at a known address"):
        _source(
            url="https://medlineplus.gov/druginfo/meds/a682530.html",
            urls={"es": "https://medlineplus.gov/spanish/druginfo/meds/a682530.html"},
        )
    with pytest.raises(ValidationError, match="without a url"):
        _source(url=None, urls={"es": SHOCK_ES})
    with pytest.raises(ValidationError):
        _source(urls={"es": "javascript:alert(1)"})
    with pytest.raises(ValidationError):
        _source(urls={"fr": "https://medlineplus.gov/spanish/ency/article/000039.htm"})
    # Another publisher's Spanish page is the curator's to give.
    other = _source(url="https://example.org/page", urls={"es": "https://example.org/es/page"})
    assert other.in_language("es").url == "https://example.org/es/page"


def test_every_medlineplus_page_with_a_known_spanish_page_gives_it() -> None:
    sources = default_knowledge().sources
    medlineplus = {s.id: s for s in sources.values() if medlineplus_spanish(s.url or "")}
    assert len(medlineplus) >= 4
    for source in medlineplus.values():
        assert source.urls.get("es") == medlineplus_spanish(str(source.url)), source.id


def test_the_spanish_knowledge_base_cites_the_spanish_pages() -> None:
    english = default_knowledge()
    spanish = in_language(english, "es")
    assert english.sources["medlineplus-shock"].url == SHOCK
    assert spanish.sources["medlineplus-shock"].url == SHOCK_ES
    for source_id, source in english.sources.items():
        expected = source.urls.get("es") or source.url
        assert spanish.sources[source_id].url == expected, source_id
