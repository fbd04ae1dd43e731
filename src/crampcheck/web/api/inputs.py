"""The base of every JSON body the API takes: unknown keys refused, and text that cannot
be stored or shown (a lone surrogate, NUL or another control character) refused with a
422 before anything reads it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, model_validator

from crampcheck.domain.limits import unusable_text


class StrictInput(BaseModel):
    """A request body: extra keys are an error, and so is unusable text anywhere."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _valid_text(cls, data: Any) -> Any:
        problem = unusable_text(data)
        if problem is not None:
            raise ValueError(f"The body holds {problem}; please send it again.")
        return data


def _usable_path_text(value: str) -> str:
    problem = unusable_text(value)
    if problem is not None:
        raise ValueError(f"The address holds {problem}.")
    return value


PathId = Annotated[str, AfterValidator(_usable_path_text)]
"""An id in the path: text no person types is a 422, checked after the route's guards (an
anonymous caller still gets 401), before any database sees it."""
