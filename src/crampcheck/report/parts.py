"""What every part of the one-page summary shares: sources cited with their titles, and
numbers written the way the page writes them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crampcheck.knowledge.loader import KnowledgeBase


@dataclass(frozen=True)
class SourceRef:
    """A source a statement rests on; ``title`` is None when the current knowledge base
    no longer has it (the id, as the person was shown it, still identifies it)."""

    id: str
    title: str | None
    publisher: str | None
    year: int | None


def sources_of(source_ids: Iterable[str], kb: KnowledgeBase) -> tuple[SourceRef, ...]:
    """The cited sources with their titles from the knowledge base, in citation order."""
    refs = []
    for source_id in dict.fromkeys(source_ids):
        source = kb.sources.get(source_id)
        refs.append(
            SourceRef(
                id=source_id,
                title=source.title if source else None,
                publisher=source.publisher if source else None,
                year=source.year if source else None,
            )
        )
    return tuple(refs)


def number_text(value: float) -> str:
    """A whole number without decimals, otherwise one decimal."""
    return str(int(value)) if value == int(value) else f"{value:.1f}"
