"""Running a check for the web (the pages and the API share it): a check as a client sent
it, turned into what the check service takes, and the assessment every interface returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from crampcheck.domain.types import FindingState, Sex
from crampcheck.services import check_steps
from crampcheck.services.check_steps import Given
from crampcheck.services.pipeline import CheckResult
from crampcheck.services.serialize import assessment_payload as serialized_assessment
from crampcheck.web.state import AppState


class SentCheck(Protocol):
    """A check as the API's body or the pages' carried state holds it (both validated)."""

    @property
    def text(self) -> str | None: ...
    @property
    def age(self) -> int | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def findings(self) -> Mapping[str, str]: ...
    @property
    def values(self) -> Mapping[str, float]: ...


def given(check: SentCheck) -> Given:
    """A check as a client sent it, as the check service takes it."""
    return Given(
        text=check.text,
        age=check.age,
        sex=Sex(check.sex) if check.sex else None,
        answers={k: FindingState(v) for k, v in check.findings.items()},
        values=dict(check.values),
    )


def run_check(state: AppState, check: SentCheck) -> CheckResult:
    """Read the text (if any), add the explicit answers (they win), and assess once."""
    return check_steps.run(state.pipeline, given(check))


def assessment_payload(state: AppState, result: CheckResult) -> dict[str, Any]:
    """The assessment as JSON-ready data, with the clinic-scope note when it applies."""
    return serialized_assessment(result, state.pipeline.kb, state.clinic)
