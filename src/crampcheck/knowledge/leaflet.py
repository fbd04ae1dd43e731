"""Checking the Learn leaflet (``learn.yaml``): every source, advice item and page it
names exists, and no sentence a person reads is said twice (within a page or across
pages), so the leaflet reads as written once."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from crampcheck.knowledge.compiled import KnowledgeError
from crampcheck.knowledge.references import References
from crampcheck.knowledge.schema.learn import Leaflet, Statement

LEAFLET_FILE = "learn.yaml"
REPEAT_WORDS = 8
"""A sentence of more than this many words may appear once in the whole leaflet."""

_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+")


def sentences(text: str) -> list[str]:
    """The sentences of a text, compared by their words (case and punctuation aside)."""
    return [s for s in (_normal(part) for part in _SENTENCE_END.split(text)) if s]


def _normal(sentence: str) -> str:
    return " ".join(re.findall(r"[a-z0-9']+", sentence.lower()))


def _statements(leaflet: Leaflet) -> Iterator[tuple[str, Statement]]:
    for page in leaflet.pages:
        where = f"{LEAFLET_FILE}: pages[{page.slug}]"
        for i, statement in enumerate(page.intro):
            yield f"{where}.intro[{i}]", statement
        for s, section in enumerate(page.sections):
            for key in ("paragraphs", "points"):
                for i, statement in enumerate(getattr(section, key)):
                    yield f"{where}.sections[{s}].{key}[{i}]", statement
    for drawing in leaflet.drawings:
        yield f"{LEAFLET_FILE}: drawings[{drawing.id}].how", drawing.how


def check_leaflet(check: References, leaflet: Leaflet, advice: Mapping[str, object]) -> None:
    """Sources, advice and slugs exist and are unique; no long sentence is repeated."""
    slugs: set[str] = set()
    for page in leaflet.pages:
        if page.slug in slugs:
            raise KnowledgeError(f"{LEAFLET_FILE}: pages[{page.slug}]: slug used twice")
        slugs.add(page.slug)
    seen: dict[str, str] = {}
    for where, statement in _statements(leaflet):
        check.sources(statement.sources, f"{where}.sources")
        for sentence in sentences(statement.text):
            if len(sentence.split()) <= REPEAT_WORDS:
                continue
            if sentence in seen:
                raise KnowledgeError(f"{where}: repeats a sentence of {seen[sentence]}")
            seen[sentence] = where
    ids: set[str] = set()
    for drawing in leaflet.drawings:
        where = f"{LEAFLET_FILE}: drawings[{drawing.id}]"
        if drawing.id in ids:
            raise KnowledgeError(f"{where}: id used twice")
        ids.add(drawing.id)
        if drawing.advice not in advice:
            raise KnowledgeError(f"{where}.advice: unknown advice '{drawing.advice}'")
