"""The Learn pages: the clinic's patient leaflet, written once in ``learn.yaml``.

Each page is an introduction and sections of statements, every statement with its
sources. A section may also show a list held elsewhere in the knowledge base (the
emergency signs, the conditions, the advice), so the leaflet never restates it in other
words. The drawings of the stretches are described here (what a person who cannot see
them reads) and shown beside the advice they illustrate.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from crampcheck.knowledge.schema.base import Strict

Include = Literal[
    "emergency_signs",
    "conditions",
    "advice_home",
    "advice_avoid",
    "advice_professional",
    "sources",
]
"""A list held elsewhere in the knowledge base that a section shows as it is."""


class Statement(Strict):
    """One paragraph or list item a person reads, with the sources it rests on."""

    text: str = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class LearnSection(Strict):
    """A heading, then paragraphs, a bulleted list and any list from elsewhere."""

    heading: str
    paragraphs: tuple[Statement, ...] = ()
    points: tuple[Statement, ...] = ()
    include: Include | None = None

    @model_validator(mode="after")
    def _not_empty(self) -> LearnSection:
        if not (self.paragraphs or self.points or self.include):
            raise ValueError(f"section {self.heading!r} needs paragraphs, points or include")
        return self


class LearnPage(Strict):
    """One Learn page: its address, title, one-line summary, introduction and sections."""

    slug: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    title: str
    summary: str = Field(description="one line, shown under the title and in the topic list")
    intro: tuple[Statement, ...] = ()
    note: str | None = Field(
        default=None, description="a line about the page itself, not a health statement"
    )
    sections: tuple[LearnSection, ...] = ()


class Drawing(Strict):
    """A line drawing made for crampcheck (``web/static/drawings/<id>.svg``) of one
    stretch, shown beside the advice it illustrates, with how to do the stretch."""

    id: str = Field(pattern=r"^[a-z0-9-]{1,64}$")
    advice: str = Field(description="the advice item the drawing illustrates")
    title: str
    alt: str = Field(
        min_length=20, description="what the drawing shows, for a person who cannot see it"
    )
    how: Statement = Field(description="how to do the stretch, in a sentence or two")


class Leaflet(Strict):
    """Every Learn page, in the order of the topic list, and the drawings."""

    pages: tuple[LearnPage, ...] = Field(min_length=1)
    drawings: tuple[Drawing, ...] = ()
