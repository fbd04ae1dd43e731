"""The check carried between pages in one hidden form field, and reading form fields.

Pages keep no server-side session: every form of the check carries the whole check so
far (the words, age, sex, explicit answers and measured values) as JSON in the hidden
field ``state``, plus ``steps``, how many findings each interview answer set (so Back
can undo the last answer). The field is validated on every POST like any API input.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, ValidationError, model_validator
from starlette.datastructures import FormData

from crampcheck.services.check_steps import Given
from crampcheck.web.api.schemas import CheckIn

STATE_FIELD = "state"
MAX_STATE_CHARS = 40_000
MAX_STEPS = 80
MAX_STEP_FINDINGS = 60


class BadState(ValueError):
    """The carried check is missing, too large or not valid."""


class FlowState(CheckIn):
    """A check in progress: what :class:`CheckIn` holds, plus the answers' history.

    ``steps`` holds, per interview answer, how many findings it set: an answer's findings
    are always the last ones added to ``findings`` (JSON objects keep their order), so
    Back removes the last ``steps[-1]`` of them. This keeps the hidden field small.
    """

    steps: list[int] = Field(default_factory=list, max_length=MAX_STEPS)
    about: int | None = Field(default=None, ge=1, le=MAX_STEPS + 1)
    """The total "of about" shown at the last question, which the next may not exceed
    (so the progress bar never goes backwards)."""

    @model_validator(mode="after")
    def _steps_fit(self) -> FlowState:
        if any(not 0 <= n <= MAX_STEP_FINDINGS for n in self.steps):
            raise ValueError("a step sets too many findings")
        if sum(self.steps) > len(self.findings):
            raise ValueError("the steps set more findings than the check holds")
        return self

    @classmethod
    def from_given(cls, given: Given) -> FlowState:
        """A check the services put together (from a diary episode or the diary's
        patterns), validated as a carried check."""
        return cls.model_validate(
            {
                "text": given.text,
                "age": given.age,
                "sex": given.sex.value if given.sex else None,
                "findings": {k: s.value for k, s in given.answers.items()},
                "values": dict(given.values),
            }
        )

    def check(self) -> CheckIn:
        """The check alone (what run_check and the API take)."""
        return CheckIn.model_validate(self.model_dump(exclude={"steps", "about"}))

    @property
    def has_text(self) -> bool:
        """Whether the check began with words (not only with answers)."""
        return bool(self.text and self.text.strip())

    def encode(self) -> str:
        """The hidden field's value."""
        return self.model_dump_json(exclude_defaults=True)

    def last_step(self) -> list[str]:
        """The findings the last interview answer set."""
        if not self.steps or not self.steps[-1]:
            return []
        return list(self.findings)[-self.steps[-1] :]

    def with_step(self, findings: dict[str, str], values: dict[str, float]) -> FlowState:
        """This state with one more interview answer recorded (its findings last)."""
        data = self.model_dump()
        kept = {k: v for k, v in self.findings.items() if k not in findings}
        data["findings"] = {**kept, **findings}
        data["values"] = {**self.values, **values}
        data["steps"] = [*self.steps, len(findings)]
        return FlowState.model_validate(data)

    def without_last_step(self) -> FlowState:
        """This state with the last interview answer undone."""
        if not self.steps:
            return self
        last = set(self.last_step())
        data = self.model_dump()
        data["findings"] = {k: v for k, v in self.findings.items() if k not in last}
        data["values"] = {k: v for k, v in self.values.items() if k not in last}
        data["steps"] = self.steps[:-1]
        return FlowState.model_validate(data)


def decode_state(form: FormData) -> FlowState:
    """The carried check from a submitted form; :class:`BadState` when it cannot be used."""
    raw = form.get(STATE_FIELD)
    if not isinstance(raw, str) or not raw.strip():
        raise BadState("missing")
    if len(raw) > MAX_STATE_CHARS:
        raise BadState("too large")
    try:
        return FlowState.model_validate_json(raw)
    except (ValidationError, ValueError, RecursionError) as error:
        raise BadState("invalid") from error


def text_field(form: FormData, name: str, max_chars: int = 5000) -> str:
    """A text field's value ('' when absent, not text, or longer than ``max_chars``)."""
    value = form.get(name)
    if not isinstance(value, str):
        return ""
    return value[: max_chars + 1]


def list_field(form: FormData, name: str, limit: int = 200) -> list[str]:
    """Every text value of a repeated field (checkboxes), at most ``limit``."""
    return [v for v in form.getlist(name)[:limit] if isinstance(v, str)]


def state_from_check(check: CheckIn | dict[str, Any]) -> FlowState:
    """A fresh state holding this check and no interview history."""
    data = check.model_dump() if isinstance(check, CheckIn) else dict(check)
    return FlowState.model_validate(data)


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def whole_number(text: str) -> int | None:
    """A form field read as a whole number of ASCII digits, or None (``str.isdigit``
    also accepts digits such as "²" that ``int`` refuses)."""
    text = text.strip()
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
