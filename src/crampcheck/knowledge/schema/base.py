"""The strict base of every knowledge-base model, and sources and codes."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from crampcheck.domain.links import web_address


class Strict(BaseModel):
    """Base for knowledge models: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


MEDLINEPLUS_PAGE = re.compile(
    r"https://medlineplus\.gov/(?P<path>ency/article/\d+\.htm|[a-z0-9]+\.html)"
)
"""A MedlinePlus page whose Spanish page is at a known address: a health topic
(``medlineplus.gov/X.html``) or an encyclopedia article (``ency/article/N.htm``); its
Spanish page is the same path under ``medlineplus.gov/spanish/``. Other MedlinePlus pages
(drug information, for one) are named otherwise in Spanish."""


def medlineplus_spanish(url: str) -> str | None:
    """The Spanish page of a MedlinePlus page (see :data:`MEDLINEPLUS_PAGE`), or None."""
    found = MEDLINEPLUS_PAGE.fullmatch(url)
    return f"https://medlineplus.gov/spanish/{found['path']}" if found else None


class Source(Strict):
    """A public page a statement rests on."""

    id: str
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    urls: dict[Literal["es"], str] = Field(
        default_factory=dict,
        description="the same page in another language, by language: what a reader of "
        "that language is sent to (MedlinePlus en español, for one)",
    )
    accessed: str = Field(description="date the page was read, ISO 8601")
    note: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """Every page that cites the source links to it: an http(s) address only."""
        return None if value is None else web_address(value)

    @field_validator("urls")
    @classmethod
    def _web_addresses(cls, value: dict[Literal["es"], str]) -> dict[Literal["es"], str]:
        return {language: web_address(url) for language, url in value.items()}

    @model_validator(mode="after")
    def _same_page(self) -> Source:
        """A page in another language is the same page: a source with no page of its
        own has none in another language, and a MedlinePlus page's Spanish page is the
        one at its known address (a mistyped article number would cite another topic)."""
        if self.urls and self.url is None:
            raise ValueError("a source without a url cannot have one in another language")
        spanish = self.urls.get("es")
        if spanish is not None and self.url and self.url.startswith("https://medlineplus.gov/"):
            expected = medlineplus_spanish(self.url)
            if expected is None:
                raise ValueError(
                    f"{self.url} has no Spanish page at a known address: leave urls.es out"
                )
            if spanish != expected:
                raise ValueError(f"the Spanish page of {self.url} is {expected}, not {spanish}")
        return self

    def in_language(self, language: str) -> Source:
        """The source as a reader of ``language`` is sent to it: its page in that language
        when there is one (the English page otherwise)."""
        url = self.urls.get(language)  # type: ignore[call-overload]
        return self.model_copy(update={"url": url}) if url else self


class Code(Strict):
    """A classification code a source gives for a finding or condition."""

    system: Literal["ICD-10-CM", "ICD-10"]
    code: str
    display: str
