"""Turning a check sent by a client into the assessment object every interface returns."""

from __future__ import annotations

from typing import Any

from crampcheck.domain.types import Case, FindingState, Sex
from crampcheck.services.pipeline import CheckResult
from crampcheck.services.serialize import assessment_payload as serialized_assessment
from crampcheck.web.api.schemas import CheckIn
from crampcheck.web.state import AppState


def run_check(state: AppState, check: CheckIn) -> CheckResult:
    """Read the text (if any), add the explicit answers (they win), and assess."""
    pipeline = state.pipeline
    sex = Sex(check.sex) if check.sex else None
    answers = {k: FindingState(v) for k, v in check.findings.items()}
    if check.text and check.text.strip():
        return pipeline.check_text(check.text, check.age, sex, answers, check.values)
    return pipeline.check_case(Case(age=check.age, sex=sex, findings=answers, values=check.values))


def assessment_payload(state: AppState, result: CheckResult) -> dict[str, Any]:
    """The assessment as JSON-ready data, with the clinic-scope note when it applies."""
    return serialized_assessment(result, state.pipeline.kb, state.clinic)
