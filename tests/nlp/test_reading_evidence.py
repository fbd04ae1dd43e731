"""Every finding the clinic sees says where it came from: read in the person's words,
read and then confirmed by them on the confirm step, or answered to a question."""

from __future__ import annotations

from crampcheck.domain.types import FindingState
from crampcheck.fhir.questionnaire import CONFIRMED_SUFFIX, questionnaire, questionnaire_response
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.report.summary import findings_of
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict

TEXT = "My calf cramps at night and it is not swollen."
P, A = FindingState.PRESENT, FindingState.ABSENT


def _rows(pipeline: Pipeline, answers: dict[str, FindingState] | None) -> list[dict]:
    result = pipeline.check_text(TEXT, 50, None, answers)
    return result_to_dict(result, pipeline.kb)["findings"]


def test_a_finding_kept_on_the_confirm_step_is_marked_confirmed(pipeline: Pipeline) -> None:
    rows = _rows(pipeline, {"sustained_contraction": P, "swelling": A})
    confirmed = {r["id"] for r in rows if r.get("confirmed")}
    assert confirmed == {"sustained_contraction", "swelling"}
    # each confirmed row keeps the words and their place in the description
    for row in rows:
        if row.get("confirmed"):
            assert TEXT[row["start"] : row["end"]] == row["text"]


def test_a_finding_only_read_or_corrected_is_not_confirmed(pipeline: Pipeline) -> None:
    assert not any(r.get("confirmed") for r in _rows(pipeline, None))
    corrected = _rows(pipeline, {"sustained_contraction": A})
    assert not any(r.get("confirmed") for r in corrected)


def test_the_pdf_and_fhir_carry_the_confirmation(pipeline: Pipeline, kb: KnowledgeBase) -> None:
    rows = _rows(pipeline, {"sustained_contraction": P})
    lines = {line.id: line for line in findings_of(rows, kb)}
    assert lines["sustained_contraction"].confirmed
    assert not lines["site_calf"].confirmed

    snapshot = {"findings": rows, "description": TEXT, "kb_version": kb.version}
    response = questionnaire_response(
        snapshot, kb, response_id="r1", patient_ref="Patient/p1", authored="2026-12-06"
    )
    text = str(response)
    assert f"sustained_contraction{CONFIRMED_SUFFIX}" in text
    assert f"site_calf{CONFIRMED_SUFFIX}" not in text
    defined = str(questionnaire(kb))
    assert f"sustained_contraction{CONFIRMED_SUFFIX}" in defined
