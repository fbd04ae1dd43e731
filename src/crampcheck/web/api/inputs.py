"""The base of every JSON body the API takes: unknown keys refused, and text that cannot
be stored or shown (a lone surrogate) refused with a 422 before anything reads it."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from crampcheck.domain.limits import LONE_SURROGATE, has_lone_surrogate


class StrictInput(BaseModel):
    """A request body: extra keys are an error, and so is a lone surrogate anywhere."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _valid_text(cls, data: Any) -> Any:
        if has_lone_surrogate(data):
            raise ValueError(f"The body holds {LONE_SURROGATE}; please send it again.")
        return data
