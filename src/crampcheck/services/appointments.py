"""Appointment requests: validated, stored with the assessment exactly as it was shown."""

from __future__ import annotations

import uuid
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.appointment import AppointmentRecord, RequestDetails
from crampcheck.domain.birth import birth_date_problem
from crampcheck.domain.i18n import (
    CLINIC_LANGUAGE,
    DEFAULT_LANGUAGE,
    N_,
    current_language,
    using_language,
)
from crampcheck.domain.snapshot import CLINIC_COPY, SNAPSHOT_VERSION, Snapshot
from crampcheck.domain.times import aware
from crampcheck.domain.types import Urgency, urgency_order
from crampcheck.nlp.language import languages_of
from crampcheck.services import check_steps, request_repeats, sharing
from crampcheck.services.check_steps import Given
from crampcheck.services.input_errors import FieldError
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import assessment_payload
from crampcheck.storage.tables import AppointmentRequest

MAX_REASON = 1000
"""The longest reason for a request accepted, in characters."""


class AppointmentError(FieldError):
    """A request that cannot be accepted; ``field`` names the input at fault."""


RequestInput = RequestDetails
"""What the person typed into the appointment form."""


def validate_request(
    data: RequestInput, clinic: Clinic, assessment: dict[str, Any], today: date | None = None
) -> None:
    """Raise :class:`AppointmentError` for anything the clinic could not act on."""
    if assessment["urgency"] == Urgency.EMERGENCY.value:
        raise AppointmentError(
            "check",
            "This check points to an emergency: call the emergency number now "
            "instead of requesting an appointment.",
        )
    if not data.name.strip():
        raise AppointmentError("name", "Please give your name.")
    if not (data.phone and data.phone.strip()) and not (data.email and data.email.strip()):
        raise AppointmentError("phone", "Please give a phone number or an email address.")
    if data.preferred_location and clinic.location(data.preferred_location) is None:
        raise AppointmentError("preferred_location", "Please choose one of the clinic's locations.")
    if data.date_of_birth is not None:
        problem = birth_date_problem(data.date_of_birth, today or datetime.now(UTC).date())
        if problem:
            raise AppointmentError("date_of_birth", problem)
    if data.reason and len(data.reason.strip()) > MAX_REASON:
        raise AppointmentError(
            "reason", f"Please keep the reason to {MAX_REASON} characters or fewer."
        )
    if not data.consent_to_share:
        raise AppointmentError(
            "consent_to_share", "Please agree to share your check with the clinic, or call it."
        )


SNAPSHOT_KEYS = (
    "urgency",
    "action",
    "kind",
    "kind_reasons",
    "findings",
    "reasons",
    "causes",
    "open_questions",
    "advice",
    "withheld",
    "outside_scope",
    "ignored_mentions",
    "sources",
    "kb_version",
    "disclaimer",
)
"""What a snapshot keeps of an assessment."""


def snapshot_of(
    assessment: dict[str, Any],
    text: str | None,
    *,
    language: str = DEFAULT_LANGUAGE,
    written_in: tuple[str, ...] = (),
    in_clinic_language: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The part of an assessment the clinic needs, frozen as the person saw it, with its
    version (see :mod:`crampcheck.domain.snapshot`, which reads every version): the
    language it was shown in, the languages the words are written in, and, for a check
    shown in another language than the clinic's, the same check in the clinic's."""
    snapshot = {key: assessment[key] for key in SNAPSHOT_KEYS if key in assessment}
    snapshot["description"] = text
    snapshot["version"] = SNAPSHOT_VERSION
    snapshot["language"] = language
    snapshot["written_in"] = list(written_in)
    if in_clinic_language is not None and language != CLINIC_LANGUAGE:
        copy = {k: in_clinic_language[k] for k in SNAPSHOT_KEYS if k in in_clinic_language}
        snapshot[CLINIC_COPY] = {"language": CLINIC_LANGUAGE, **copy}
    return snapshot


def checked_snapshot(
    pipeline: Pipeline, clinic: Clinic, given: Given
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A check assessed for a request, and its snapshot as stored: in the language of
    the moment (the person's), and, when that is not the clinic's, in the clinic's too
    (the words are read once; only the texts differ)."""
    language = current_language()
    result = check_steps.run(pipeline, given)
    assessment = assessment_payload(result, pipeline.kb, clinic)
    copy = None
    if language != CLINIC_LANGUAGE:
        with using_language(CLINIC_LANGUAGE):
            copy = assessment_payload(check_steps.run(pipeline, given), pipeline.kb, clinic)
    written_in = languages_of(given.text) if given.text and given.text.strip() else ()
    snapshot = snapshot_of(
        assessment, given.text, language=language, written_in=written_in, in_clinic_language=copy
    )
    return assessment, snapshot


def create_request(
    session: Session,
    clinic: Clinic,
    data: RequestInput,
    assessment: dict[str, Any],
    text: str | None,
    now: datetime | None = None,
    user_id: str | None = None,
    *,
    given: Given | None = None,
    snapshot: dict[str, Any] | None = None,
    idempotency_key: str | None = None,
    fingerprint: str | None = None,
) -> AppointmentRequest:
    """Validate a request and add it to the caller's transaction; ``user_id`` links it
    to the signed-in person's account (so a shared diary can go with it); the age and
    sex of the check (``given``) are kept beside it; ``snapshot`` is the check as stored
    (see :func:`checked_snapshot`), else made from ``assessment`` and ``text``; an
    ``idempotency_key`` is kept with the ``fingerprint`` of what was sent with it (see
    :mod:`crampcheck.services.request_repeats`)."""
    now = now or datetime.now(UTC)
    validate_request(data, clinic, assessment, now.date())
    request = AppointmentRequest(
        clinic_id=clinic.id,
        id=str(uuid.uuid4()),
        created_at=now,
        name=data.name.strip(),
        phone=(data.phone or "").strip() or None,
        email=(data.email or "").strip() or None,
        preferred_location=data.preferred_location or None,
        preferred_times=(data.preferred_times or "").strip() or None,
        consent_to_share=data.consent_to_share,
        urgency=assessment["urgency"],
        kind=assessment["kind"],
        kb_version=assessment["kb_version"],
        status="new",
        snapshot=snapshot if snapshot is not None else snapshot_of(assessment, text),
        user_id=user_id,
        urgency_order=urgency_order(Urgency(assessment["urgency"])),
        date_of_birth=data.date_of_birth,
        reason=(data.reason or "").strip() or None,
        check_age=given.age if given else None,
        check_sex=given.sex.value if given and given.sex else None,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
    )
    session.add(request)
    return request


def get_request(session: Session, clinic_id: str, request_id: str) -> AppointmentRequest | None:
    """One request of this clinic, or None."""
    return session.scalar(
        select(AppointmentRequest).where(
            AppointmentRequest.clinic_id == clinic_id, AppointmentRequest.id == request_id
        )
    )


def request_record(request: AppointmentRequest, language: str | None = None) -> AppointmentRecord:
    """A stored request as the one-page summary and the FHIR export read it; with a
    ``language``, its check in that language where the snapshot keeps it (see
    :meth:`Snapshot.in_language`), the person's words as they wrote them."""
    stored = request.snapshot
    snapshot = Snapshot.read(stored).in_language(language) if language else stored
    return AppointmentRecord(
        clinic_id=request.clinic_id,
        id=request.id,
        created_at=aware(request.created_at),
        name=request.name,
        phone=request.phone,
        email=request.email,
        preferred_location=request.preferred_location,
        preferred_times=request.preferred_times,
        consent_to_share=request.consent_to_share,
        urgency=request.urgency,
        kind=request.kind,
        kb_version=request.kb_version,
        status=request.status,
        snapshot=dict(snapshot) if language else stored,
        date_of_birth=request.date_of_birth,
        reason=request.reason,
        check_age=request.check_age,
        check_sex=request.check_sex,
    )


@dataclass(frozen=True)
class Requested:
    """A stored request, and whether the person's diary now goes with it.

    ``repeated``: the request had been sent before with the same idempotency key, and
    this is that first request (nothing new was stored); ``changed``: the repeat was
    sent with something different from the first (which was kept as it was)."""

    request: AppointmentRequest
    diary_shared: bool
    repeated: bool = False
    changed: bool = False


def request_appointment(
    session: Session,
    clinic: Clinic,
    pipeline: Pipeline,
    data: RequestInput,
    given: Given,
    *,
    user_id: str | None = None,
    share_diary: bool = False,
    idempotency_key: str | None = None,
) -> Requested:
    """Ask the clinic for an appointment, for every way in (the form and the API).

    The check is assessed again here, so what is stored is what the person was shown;
    an emergency is refused (call instead). Signed in (``user_id``), the request is
    linked to the account and ``share_diary`` shares the diary with the clinic too;
    asking to share a diary without being signed in is refused. Everything happens in
    the caller's transaction: a refusal stores nothing.

    With an ``idempotency_key`` (see :mod:`crampcheck.services.request_repeats`), a
    request already stored with it is returned instead of storing another, even when
    the two arrive at once."""
    if share_diary and user_id is None:
        raise AppointmentError("share_diary", N_("Sign in to share your diary with the clinic."))
    sent = None
    if idempotency_key is not None:
        if not request_repeats.valid_key(idempotency_key):
            raise AppointmentError("idempotency_key", request_repeats.KEY_MESSAGE)
        sent = request_repeats.fingerprint(data, given, user_id=user_id, share_diary=share_diary)
        earlier = request_repeats.find_by_key(session, clinic.id, idempotency_key)
        if earlier is not None:
            return _repeat(session, earlier, sent)
    assessment, snapshot = checked_snapshot(pipeline, clinic, given)
    # With a key, a savepoint: when a request with the same key is stored by another
    # transaction between the look-up above and this insert, the unique index refuses
    # this one, and only this insert is undone.
    insert = nullcontext() if idempotency_key is None else session.begin_nested()
    try:
        with insert:
            stored = create_request(
                session,
                clinic,
                data,
                assessment,
                given.text,
                user_id=user_id,
                given=given,
                snapshot=snapshot,
                idempotency_key=idempotency_key,
                fingerprint=sent,
            )
    except IntegrityError:
        earlier = (
            None
            if idempotency_key is None
            else request_repeats.find_by_key(session, clinic.id, idempotency_key)
        )
        if earlier is None:
            raise
        return _repeat(session, earlier, sent)
    if share_diary and user_id is not None:
        sharing.share_diary(session, user_id, clinic.id)
    return Requested(stored, diary_shared=share_diary)


def _repeat(session: Session, earlier: AppointmentRequest, sent: str | None) -> Requested:
    """The answer to a request sent again: the one stored first (and whether the
    person's diary is shared with the clinic now)."""
    changed = earlier.request_fingerprint is not None and earlier.request_fingerprint != sent
    shared = earlier.user_id is not None and sharing.is_shared(
        session, earlier.user_id, earlier.clinic_id
    )
    return Requested(earlier, diary_shared=shared, repeated=True, changed=changed)
