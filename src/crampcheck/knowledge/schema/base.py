"""The strict base of every knowledge-base model, and sources and codes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from crampcheck.domain.links import web_address


class Strict(BaseModel):
    """Base for knowledge models: immutable, no unknown keys."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A public page a statement rests on."""

    id: str
    title: str
    publisher: str
    year: int | None = None
    url: str | None = None
    accessed: str = Field(description="date the page was read, ISO 8601")
    note: str | None = None

    @field_validator("url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        """Every page that cites the source links to it: an http(s) address only."""
        return None if value is None else web_address(value)


class Code(Strict):
    """A classification code a source gives for a finding or condition."""

    system: Literal["ICD-10-CM", "ICD-10"]
    code: str
    display: str
