"""The JSON API under /api/v1, /healthz (alive) and /readyz (ready for requests); the
OpenAPI description is at /openapi.json."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Header, HTTPException, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy import text

from crampcheck.domain.types import FindingState
from crampcheck.services.appointments import AppointmentError, RequestInput, request_appointment
from crampcheck.services.database import not_ready_because
from crampcheck.services.interview import next_question
from crampcheck.services.metrics import count_check
from crampcheck.services.request_next_steps import next_steps, reference_of
from crampcheck.web.api.errors import ApiRoute, field_error
from crampcheck.web.api.schemas import (
    AppointmentIn,
    AppointmentOut,
    AssessmentOut,
    CheckIn,
    ClinicOut,
    ErrorOut,
    HealthOut,
    InterviewOut,
    ReadyOut,
)
from crampcheck.web.auth import signed_in
from crampcheck.web.checking import assessment_payload, given, run_check
from crampcheck.web.deps import SessionDep, StateDep
from crampcheck.web.i18n import _
from crampcheck.web.mailing import send_request_emails

router = APIRouter(prefix="/api/v1", route_class=ApiRoute)
health_router = APIRouter(route_class=ApiRoute)

# The check routes are CPU-bound (reading the text and assessing it take about half a
# millisecond) and touch no database, so they run on the event loop: as plain `def`
# routes each request would hop to one of the threadpool's 40 threads, which then
# contend for the GIL, and under load that made the slowest requests several times
# slower. They also return the assessment as a ready JSONResponse: re-validating and
# re-serialising the ~16 KB payload through the response model cost more than the
# assessment itself. The response models still describe the responses in the OpenAPI
# document, and tests/test_web_api.py holds every response to them. The assessment has
# exactly the keys `crampcheck assess --json` prints, plus ``outside_scope``.


@router.post("/assess", response_model=AssessmentOut, operation_id="assess", tags=["check"])
async def assess(body: CheckIn, state: StateDep) -> JSONResponse:
    """Assess an episode from free text and/or structured findings."""
    payload = assessment_payload(state, run_check(state, body))
    count_check(str(payload["urgency"]), "api")
    return JSONResponse(payload)


@router.post("/interview", response_model=InterviewOut, operation_id="interview", tags=["check"])
async def interview(body: CheckIn, state: StateDep) -> JSONResponse:
    """Stateless adaptive interview: send what is known, get the next question or the answer."""
    result = run_check(state, body)
    question = next_question(result.case, state.pipeline.kb)
    answered = sum(1 for s in result.case.findings.values() if s is not FindingState.UNKNOWN)
    if question is None:
        payload = assessment_payload(state, result)
        count_check(str(payload["urgency"]), "api")
        return JSONResponse(
            {"done": True, "answered": answered, "question": None, "assessment": payload}
        )
    return JSONResponse(
        {
            "done": False,
            "answered": answered,
            "question": {
                "id": question.id,
                "text": question.text,
                "why": question.why,
                "select": question.select,
                "options": [{"id": o.finding_id, "label": o.label} for o in question.options],
                "unit": question.unit,
                "none_of_these": (
                    _("None of these") if question.select in ("many", "one") else None
                ),
            },
            "assessment": None,
        }
    )


@router.get("/knowledge/findings", operation_id="knowledge_findings", tags=["knowledge"])
def knowledge_findings(state: StateDep) -> list[dict[str, Any]]:
    """Every finding with its question, "why we ask", answer type and codes."""
    return [
        {
            "id": f.id,
            "label": f.label,
            "category": f.category,
            "question": f.question,
            "why": f.why,
            "answer": f.answer,
            "unit": f.unit,
            "codes": [c.model_dump() for c in f.codes],
            "source_ids": list(f.sources),
        }
        for f in state.pipeline.kb.findings.values()
    ]


@router.get("/knowledge/questions", operation_id="knowledge_questions", tags=["knowledge"])
def knowledge_questions(state: StateDep) -> list[dict[str, Any]]:
    """The interview's question screens (at most eight options each), in knowledge-base
    order: where it is, the emergency signs, then the rest; ``topic`` names what a
    screen is part of."""
    kb = state.pipeline.kb
    return [
        {
            "id": g.id,
            "text": g.text,
            "why": g.why,
            "select": g.select,
            "screen": g.screen,
            "topic": g.topic,
            "options": [{"id": m, "label": kb.findings[m].label} for m in g.members],
        }
        for g in kb.groups
    ]


@router.get("/knowledge/conditions", operation_id="knowledge_conditions", tags=["knowledge"])
def knowledge_conditions(state: StateDep) -> list[dict[str, Any]]:
    """Conditions crampcheck can name as possible causes, with their evidence."""
    return [c.model_dump(mode="json") for c in state.pipeline.kb.conditions.values()]


@router.get("/knowledge/advice", operation_id="knowledge_advice", tags=["knowledge"])
def knowledge_advice(state: StateDep) -> list[dict[str, Any]]:
    """Home care, professional options and safety-net advice, with evidence and sources."""
    number = state.settings.emergency_number
    items = []
    for advice in state.pipeline.kb.advice:
        spec = advice.spec.model_dump(mode="json", exclude={"when", "unless"})
        spec["title"] = spec["title"].replace("{emergency_number}", number)
        spec["text"] = spec["text"].replace("{emergency_number}", number)
        spec["cautions"] = [
            {"text": c["text"], "source_ids": c["sources"]} for c in spec["cautions"]
        ]
        items.append(spec)
    return items


@router.get("/knowledge/sources", operation_id="knowledge_sources", tags=["knowledge"])
def knowledge_sources(state: StateDep) -> list[dict[str, Any]]:
    """Every public page a statement rests on."""
    return [s.model_dump(mode="json") for s in state.pipeline.kb.sources.values()]


@router.get("/clinic", response_model=ClinicOut, operation_id="clinic", tags=["clinic"])
def clinic(state: StateDep) -> dict[str, Any]:
    """The clinic: name, specialty, locations, phone, hours and a nurse line where known."""
    c = state.clinic
    return {
        **c.model_dump(
            include={
                "id",
                "name",
                "clinician",
                "specialty",
                "phone",
                "hours",
                "about",
                "nurse_line",
            }
        ),
        "phone_link": c.phone_link,
        "nurse_line_link": c.nurse_line_link,
        "locations": [
            {
                **loc.model_dump(exclude={"hours"}),
                "hours": loc.hours_text,
                "opening_hours": [{**row.model_dump(), "label": row.label} for row in loc.hours],
            }
            for loc in c.locations
        ],
        "emergency_number": state.settings.emergency_number,
    }


@router.post(
    "/appointment-requests",
    response_model=AppointmentOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_appointment_request",
    tags=["clinic"],
    responses={
        200: {"model": AppointmentOut, "description": "Sent before with this idempotency key"},
        409: {"model": ErrorOut},
    },
)
def create_appointment_request(
    body: AppointmentIn,
    request: Request,
    state: StateDep,
    session: SessionDep,
    background: BackgroundTasks,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="a new key per request (a UUID): the same request sent again "
            "with it (a retry) is stored once and answered 200 with the first's "
            "confirmation; the key sent again with a different request is refused (422)",
        ),
    ] = None,
) -> dict[str, Any] | JSONResponse:
    """Ask the clinic for an appointment; the check is re-assessed and stored as seen.
    Signed in, the request is linked to the account, and ``share_diary`` shares the
    diary with the clinic too. With an idempotency key (the ``Idempotency-Key`` header
    or the ``idempotency_key`` field), sending it again stores nothing new."""
    who = signed_in(request, session)
    data = RequestInput(
        name=body.name,
        phone=body.phone,
        email=str(body.email) if body.email else None,
        preferred_location=body.preferred_location,
        preferred_times=body.preferred_times,
        consent_to_share=body.consent_to_share,
        date_of_birth=body.date_of_birth,
        reason=body.reason,
    )
    key = idempotency_key if idempotency_key is not None else body.idempotency_key
    try:
        requested = request_appointment(
            session,
            state.clinic,
            state.pipeline,
            data,
            given(body.check),
            user_id=who.user.id if who else None,
            share_diary=body.share_diary,
            idempotency_key=key,
        )
    except AppointmentError as error:
        if error.field == "check":
            return JSONResponse({"detail": error.message}, status_code=409)
        return field_error(error.field, error.message)
    if requested.changed:
        return field_error(
            "idempotency_key",
            "This idempotency key was used for a different request, which was kept. "
            "Send a new key with each new request.",
        )
    stored = requested.request
    if not requested.repeated:
        # a retry of a request already made sends no second confirmation
        send_request_emails(background, state, data.email, stored.urgency)
    answer = {
        "id": stored.id,
        "reference": reference_of(stored.id),
        "status": stored.status,
        "urgency": stored.urgency,
        "clinic": state.clinic.name,
        "next_steps": next_steps(
            state.pipeline, state.clinic.name, stored.urgency, state.settings.emergency_number
        ),
        "diary_shared": requested.diary_shared,
        "repeated": requested.repeated,
    }
    return JSONResponse(answer, status_code=200) if requested.repeated else answer


@health_router.get("/healthz", response_model=HealthOut, operation_id="health", tags=["health"])
def healthz(session: SessionDep, state: StateDep) -> dict[str, Any]:
    """Liveness and database reachability."""
    try:
        session.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - report any database failure as unavailable
        raise HTTPException(status_code=503, detail="database unavailable") from error
    return {"status": "ok", "database": "ok", "kb_version": state.pipeline.kb.version}


@health_router.get(
    "/readyz",
    response_model=ReadyOut,
    operation_id="ready",
    tags=["health"],
    responses={503: {"model": ReadyOut, "description": "Not ready, and why."}},
)
def readyz(session: SessionDep) -> JSONResponse:
    """Readiness: whether this process should be sent requests (the database answers
    and has every migration this version needs). 503 with the reason when not."""
    reason = not_ready_because(session)
    if reason is not None:
        return JSONResponse({"status": "not ready", "reason": reason}, status_code=503)
    return JSONResponse({"status": "ready", "reason": None})
