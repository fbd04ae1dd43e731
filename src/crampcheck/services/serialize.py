"""The assessment as plain data: the JSON every interface (command line, API, pages)
returns and an appointment request stores."""

from __future__ import annotations

from typing import Any

from crampcheck.clinic import Clinic
from crampcheck.domain.assessment import Assessment
from crampcheck.domain.i18n import _
from crampcheck.domain.types import FindingState, Urgency
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.pipeline import CheckResult
from crampcheck.services.scope import scope_note


def no_findings_notice() -> str:
    """What a result says when nothing in the words was recognised, in the language of
    the moment."""
    return _(
        "No symptom was recognised in the description. The answer below uses only what is "
        "known; please answer the open questions or describe the episode in more detail."
    )


def result_to_dict(result: CheckResult, kb: KnowledgeBase) -> dict[str, Any]:
    """Everything a client needs to show a result, every statement with its source ids."""
    assessment = result.assessment
    data: dict[str, Any] = {
        "urgency": assessment.urgency.value,
        "action": assessment.action,
        "kind": assessment.kind.value,
        "kind_reasons": list(assessment.kind_reasons),
        "findings": _findings(result, kb),
        "ignored_mentions": [
            {"id": i.finding_id, "reason": i.reason, "text": i.text, "start": i.start, "end": i.end}
            for i in (result.reading.ignored if result.reading else ())
        ],
        "reasons": [
            {
                "rule_id": r.rule_id,
                "level": r.level.value,
                "text": r.text,
                "source_ids": list(r.source_ids),
            }
            for r in assessment.reasons
        ],
        "causes": [
            {
                "id": c.id,
                "name": c.name,
                "kind": c.kind.value,
                "summary": c.summary,
                "for": [e.label for e in c.supporting],
                "against": [e.label for e in c.against],
                "flagged_by_rule": c.flagged_by_rule,
                "clinician": c.clinician,
                "source_ids": list(c.source_ids),
            }
            for c in assessment.causes
        ],
        "advice": [
            {
                "id": a.id,
                "kind": a.kind,
                "title": a.title,
                "text": a.text,
                "steps": list(a.steps),
                "cautions": list(a.cautions),
                "evidence": a.evidence,
                "evidence_strength": a.evidence_strength,
                "source_ids": list(a.source_ids),
            }
            for a in assessment.advice
        ],
        "withheld": [
            {
                "advice_ids": list(w.advice_ids),
                "titles": list(w.titles),
                "because": w.because,
                "instead": w.instead,
                "stop": w.stop,
                "source_ids": list(w.source_ids),
            }
            for w in assessment.withheld
        ],
        "open_questions": [
            {
                "id": q.finding_id,
                "question": q.question,
                "why": q.why,
                "could_raise_to": q.could_raise_to.value if q.could_raise_to else None,
                "could_change_kind_to": (
                    q.could_change_kind_to.value if q.could_change_kind_to else None
                ),
            }
            for q in assessment.open_questions
        ],
        "sources": _sources(assessment, kb),
        "kb_version": assessment.kb_version,
        "disclaimer": assessment.disclaimer,
    }
    if assessment.recognised_findings == 0:
        data["notice"] = no_findings_notice()
    return data


def _findings(result: CheckResult, kb: KnowledgeBase) -> list[dict[str, Any]]:
    """What was read in the words (with the span it came from, and whether the person
    confirmed it on the confirm step), then any answers given beside the words (the
    interview, or corrected chips), which have no span."""
    rows: list[dict[str, Any]] = []
    read_states = {}
    if result.reading is not None:
        read_states = result.reading.states()
        rows = [
            _finding_row(
                kb,
                f.finding_id,
                f.state.value,
                f.value,
                f.text,
                f.start,
                f.end,
                confirmed=f.finding_id in result.confirmed and f.state is read_states[f.finding_id],
                hedged=f.hedged,
            )
            for f in result.reading.findings
        ]
    rows.extend(
        _finding_row(kb, finding_id, state.value, result.case.value(finding_id))
        for finding_id, state in result.case.findings.items()
        if read_states.get(finding_id) is not state
    )
    return rows


def _finding_row(
    kb: KnowledgeBase,
    finding_id: str,
    state: str,
    value: float | None,
    text: str | None = None,
    start: int | None = None,
    end: int | None = None,
    *,
    confirmed: bool = False,
    hedged: bool = False,
) -> dict[str, Any]:
    finding = kb.findings.get(finding_id)
    return {
        "id": finding_id,
        "label": finding.label if finding is not None else finding_id,
        "state": state,
        "text": text,
        "start": start,
        "end": end,
        "value": value,
        "confirmed": confirmed,
        "hedged": hedged,
    }


def cited_source_ids(assessment: Assessment) -> list[str]:
    """Every source the assessment cites, in order of first citation."""
    ids: list[str] = []
    for reason in assessment.reasons:
        ids.extend(reason.source_ids)
    for cause in assessment.causes:
        ids.extend(cause.source_ids)
    for advice in assessment.advice:
        ids.extend(advice.source_ids)
    for notice in assessment.withheld:
        ids.extend(notice.source_ids)
    return list(dict.fromkeys(ids))


def _sources(assessment: Assessment, kb: KnowledgeBase) -> list[dict[str, Any]]:
    return [
        {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "year": source.year,
            "url": source.url,
            "accessed": source.accessed,
        }
        for source in (kb.sources[i] for i in cited_source_ids(assessment))
    ]


def assessment_payload(result: CheckResult, kb: KnowledgeBase, clinic: Clinic) -> dict[str, Any]:
    """The assessment as JSON-ready data, with the clinic-scope note when it applies:
    what every interface (the API, the pages, the diary, an appointment request) shows
    and stores."""
    data = result_to_dict(result, kb)
    present = [f for f, s in result.case.findings.items() if s is FindingState.PRESENT]
    # In an emergency the only advice is to call for help, not which clinic fits better.
    note = None if result.assessment.urgency is Urgency.EMERGENCY else scope_note(clinic, present)
    data["outside_scope"] = (
        {"site_ids": list(note.site_ids), "clinicians": list(note.clinicians)} if note else None
    )
    return data
