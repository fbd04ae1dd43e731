"""One appointment request as a FHIR R4 Bundle for the clinic's other systems.

The bundle holds what the clinic received, in standard resources:

- ``ServiceRequest``: the request to be contacted for an appointment, its workflow
  status, its priority (from the triage urgency), the clinic and preferred location,
  and the preferred times;
- ``Patient``: the person, with only the name and contact details they typed, their
  date of birth when they gave it, their sex as given in the check (``gender``) and the
  language they did the check in (``communication``);
- ``RiskAssessment``: the triage the person saw (urgency, kind, possible causes, and the
  rules that fired with their sources), based on the answers and the diary;
- ``QuestionnaireResponse`` answering the check's ``Questionnaire`` (both included);
- ``Observation``: one per diary episode, when the person shared their diary.

Every resource is validated by fhir.resources' R4B models. Ids are derived from the
clinic and request ids (uuid5), so exporting the same request again gives the same
bundle apart from its timestamp; the Questionnaire's id comes from the knowledge-base
version, since it is the same resource in every export from that version.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from crampcheck.clinic import Clinic
from crampcheck.domain.appointment import AppointmentRecord
from crampcheck.domain.diary import EpisodeRecord
from crampcheck.domain.i18n import CLINIC_LANGUAGE, language_name, using_language
from crampcheck.domain.snapshot import Snapshot
from crampcheck.domain.types import Kind, Urgency
from crampcheck.fhir.diary import CRAMPCHECK, _iso, episode_observation
from crampcheck.fhir.questionnaire import codings, questionnaire, questionnaire_response
from crampcheck.knowledge.loader import KnowledgeBase

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{CRAMPCHECK}:appointment-request")
"""uuid5 namespace of every id derived from an appointment request."""

REQUEST_SYSTEM = f"{CRAMPCHECK}:appointment-request"
URGENCY_SYSTEM = f"{CRAMPCHECK}:urgency"
KIND_SYSTEM = f"{CRAMPCHECK}:kind"
CONDITION_SYSTEM = f"{CRAMPCHECK}:condition"
METHOD_SYSTEM = f"{CRAMPCHECK}:method"

STATUS: Mapping[str, str] = {
    "new": "active",
    "contacted": "active",
    "booked": "active",
    "closed": "completed",
    "declined": "revoked",
}
"""ServiceRequest.status of each request status. A booked request stays ``active``: the
consultation it asks for is scheduled, not yet done; ``closed`` means the clinic has
finished with it, and ``declined`` that the clinic will not act on it."""

PRIORITY: Mapping[Urgency, str] = {
    Urgency.SELF_CARE: "routine",
    Urgency.DOCTOR: "routine",
    Urgency.URGENT: "urgent",
    Urgency.EMERGENCY: "stat",
}
"""ServiceRequest.priority of each urgency (an emergency is never a request in practice:
the form refuses it and sends the person to the emergency number)."""


LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
"""The code system of a language (BCP 47: ``es``, ``en``), as FHIR's ``Patient.communication``
binds it."""

GENDERS = frozenset({"female", "male"})
"""The check's answers to its sex question, each also a FHIR AdministrativeGender code."""


def resource_id(request: AppointmentRecord, role: str) -> str:
    """The id of one resource of this request's bundle (the same at every export)."""
    return str(uuid.uuid5(NAMESPACE, f"{request.clinic_id}/{request.id}/{role}"))


def _ref(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def patient(request: AppointmentRecord, patient_id: str) -> dict[str, Any]:
    """The person as they named themselves on the form, with the contacts they gave,
    the date of birth they typed (``birthDate``) and the sex they gave in the check
    (``gender``: the check asks female or male), each only when given.

    No identifier is added: the clinic matches the person to its own records.
    """
    telecom = [
        {"system": system, "value": value}
        for system, value in (("phone", request.phone), ("email", request.email))
        if value
    ]
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": patient_id,
        "name": [{"text": request.name}],
    }
    if telecom:
        resource["telecom"] = telecom
    if request.check_sex in GENDERS:
        resource["gender"] = request.check_sex
    if request.date_of_birth is not None:
        resource["birthDate"] = request.date_of_birth.isoformat()
    language = Snapshot.read(request.snapshot).language
    if language is not None:
        # The language they chose to do the check in: what the clinic needs to know to
        # call them back (or book an interpreter).
        named = _language_display(language)
        resource["communication"] = [
            {
                "language": {
                    "coding": [{"system": LANGUAGE_SYSTEM, "code": language, "display": named}],
                    "text": named,
                },
                "preferred": True,
            }
        ]
    return resource


def _language_display(language: str) -> str:
    with using_language(CLINIC_LANGUAGE):
        return language_name(language)


def _reason_note(reason: Mapping[str, Any]) -> dict[str, Any]:
    sources = ", ".join(reason.get("source_ids") or ()) or "none"
    return {
        "text": f"Rule {reason['rule_id']} ({reason['level']}): {reason['text']} "
        f"Sources: {sources}."
    }


def urgency_display(urgency: Urgency, kb: KnowledgeBase) -> str:
    """How soon care is needed, in the knowledge base's words: "Urgent: contact within
    24 hours"."""
    return kb.policy.level_label(urgency.value, separator=": ")


def _urgency_prediction(
    urgency: Urgency, snapshot: Mapping[str, Any], kb: KnowledgeBase
) -> dict[str, Any]:
    display = urgency_display(urgency, kb)
    prediction: dict[str, Any] = {
        "outcome": {
            "coding": [
                {
                    "system": URGENCY_SYSTEM,
                    "code": urgency.value,
                    "display": display,
                }
            ],
            "text": display,
        }
    }
    texts = [str(r["text"]) for r in snapshot.get("reasons") or ()]
    if texts:
        prediction["rationale"] = " ".join(texts)
    return prediction


def kind_display(kind: Kind, kb: KnowledgeBase) -> str:
    """What the episode is, as the kind's code displays (the knowledge base's
    ``kind_words``)."""
    return kb.policy.kind_words[kind].display


def _kind_prediction(kind: Kind, snapshot: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    display = kind_display(kind, kb)
    prediction: dict[str, Any] = {
        "outcome": {
            "coding": [{"system": KIND_SYSTEM, "code": kind.value, "display": display}],
            "text": display,
        }
    }
    reasons = [str(r) for r in snapshot.get("kind_reasons") or ()]
    if reasons:
        prediction["rationale"] = " ".join(reasons)
    return prediction


def _cause_prediction(cause: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """A possible cause the check named: crampcheck's condition id and, when the knowledge
    base gives them, its ICD-10 codes; the rationale is the evidence for and against."""
    known = kb.conditions.get(str(cause["id"]))
    coding = [{"system": CONDITION_SYSTEM, "code": str(cause["id"]), "display": cause["name"]}]
    if known is not None:
        coding.extend(codings(known.codes))
    rationale = [str(cause.get("summary") or "")]
    if cause.get("for"):
        rationale.append("For: " + "; ".join(cause["for"]) + ".")
    if cause.get("against"):
        rationale.append("Against: " + "; ".join(cause["against"]) + ".")
    return {
        "outcome": {"coding": coding, "text": f"Possible cause: {cause['name']}"},
        "rationale": " ".join(r for r in rationale if r),
    }


def risk_assessment(
    request: AppointmentRecord,
    kb: KnowledgeBase,
    *,
    assessment_id: str,
    patient_ref: str,
    basis: Sequence[str],
) -> dict[str, Any]:
    """The triage as a RiskAssessment.

    RiskAssessment rather than ClinicalImpression: the triage is an automated estimate
    of how soon care is needed and what the episode may be, made by rules, not a
    clinician's appraisal of a problem (ClinicalImpression's ``assessor`` is a
    practitioner). Its predictions are possibilities, never a diagnosis: the first is the
    urgency, the second the kind, then each possible cause the person was shown.
    ``basis`` is the questionnaire response and the diary observations; ``mitigation``
    is the action the person was told; each rule that fired is a note with its sources.
    """
    snapshot = request.snapshot
    kb_version = str(snapshot.get("kb_version") or request.kb_version)
    predictions = [
        _urgency_prediction(Urgency(request.urgency), snapshot, kb),
        _kind_prediction(Kind(request.kind), snapshot, kb),
        *(_cause_prediction(c, kb) for c in snapshot.get("causes") or ()),
    ]
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment",
        "id": assessment_id,
        "status": "final",
        "method": {
            "coding": [
                {"system": METHOD_SYSTEM, "code": "triage-rules", "display": "crampcheck triage"}
            ],
            "text": f"crampcheck triage rules, knowledge base {kb_version}",
        },
        "subject": {"reference": patient_ref},
        "occurrenceDateTime": _iso(request.created_at),
        "basis": [{"reference": ref} for ref in basis],
        "prediction": predictions,
    }
    if snapshot.get("action"):
        resource["mitigation"] = str(snapshot["action"])
    notes = [_reason_note(r) for r in snapshot.get("reasons") or ()]
    language = Snapshot.read(snapshot).language
    if language is not None and language != CLINIC_LANGUAGE:
        named = _language_display(language)
        notes.insert(
            0,
            {
                "text": f"The person did the check in {named}: their description is kept as "
                f"they wrote it; this assessment is the same check in "
                f"{_language_display(CLINIC_LANGUAGE)}."
            },
        )
    if notes:
        resource["note"] = notes
    return resource


def _location_code(request: AppointmentRecord, clinic: Clinic) -> list[dict[str, Any]]:
    if not request.preferred_location:
        return []
    location = clinic.location(request.preferred_location)
    if location is None:
        return [{"text": request.preferred_location}]
    place = ", ".join(p for p in (location.address or location.city, location.region) if p)
    return [
        {
            "coding": [
                {
                    "system": f"{CRAMPCHECK}:clinic:{clinic.id}:location",
                    "code": location.id,
                    "display": location.name,
                }
            ],
            "text": f"{location.name} ({place})",
        }
    ]


def service_request(
    request: AppointmentRecord,
    clinic: Clinic,
    *,
    request_id: str,
    patient_ref: str,
    assessment_ref: str,
    response_ref: str,
) -> dict[str, Any]:
    """The request for an appointment as a ServiceRequest.

    Intent ``proposal``: the person asks, and the clinic decides whether and when to
    book; nothing is ordered or authorised. Status follows the clinic's workflow (see
    :data:`STATUS`); priority follows the triage urgency (see :data:`PRIORITY`). The
    preferred times are free text, so they go in ``occurrenceTiming.code.text`` and a
    note rather than being guessed into dates.
    """
    if request.status not in STATUS:
        raise ValueError(f"unknown request status '{request.status}'")
    notes = []
    if request.preferred_times:
        notes.append({"text": f"Preferred times: {request.preferred_times}"})
    if request.consent_to_share:
        notes.append({"text": "The person agreed to share their check with the clinic."})
    resource: dict[str, Any] = {
        "resourceType": "ServiceRequest",
        "id": request_id,
        "identifier": [{"system": REQUEST_SYSTEM, "value": request.id}],
        "status": STATUS[request.status],
        "intent": "proposal",
        "priority": PRIORITY[Urgency(request.urgency)],
        "code": {"text": f"Appointment: {clinic.specialty}"},
        "subject": {"reference": patient_ref},
        "authoredOn": _iso(request.created_at),
        "requester": {"reference": patient_ref},
        "performerType": {"text": clinic.specialty},
        "performer": [{"display": clinic.name}],
        "reasonReference": [{"reference": assessment_ref}],
        "supportingInfo": [{"reference": response_ref}],
    }
    if request.preferred_times:
        resource["occurrenceTiming"] = {"code": {"text": request.preferred_times}}
    location = _location_code(request, clinic)
    if location:
        resource["locationCode"] = location
    if notes:
        resource["note"] = notes
    return resource


def request_bundle(
    request: AppointmentRecord,
    episodes: Sequence[EpisodeRecord] | None,
    kb: KnowledgeBase,
    clinic: Clinic,
    now: datetime | None = None,
) -> dict[str, Any]:
    """One appointment request as a validated FHIR R4 Bundle (JSON data).

    Type ``collection``: the bundle is a set of related resources handed over for the
    clinic's systems to file as they see fit. It is not a ``document`` (no attested
    Composition is being authored; the request is live and its status changes), nor a
    ``transaction`` (it tells no server what to create). ``episodes`` is None when the
    person has not shared their diary; then no Observation is included.

    The Questionnaire is the given knowledge base's; the triage itself is the snapshot the
    person saw, and the RiskAssessment's method names the knowledge-base version it used.
    """
    now = now or datetime.now(UTC)
    ids = {role: resource_id(request, role) for role in ("patient", "risk", "response", "service")}
    patient_ref = _ref(ids["patient"])
    form = questionnaire(kb)
    observations = [episode_observation(e, patient_ref, kb) for e in episodes or ()]
    authored = _iso(request.created_at)
    response = questionnaire_response(
        request.snapshot,
        kb,
        response_id=ids["response"],
        patient_ref=patient_ref,
        authored=authored,
    )
    basis = [_ref(ids["response"]), *(_ref(o["id"]) for o in observations)]
    risk = risk_assessment(
        request, kb, assessment_id=ids["risk"], patient_ref=patient_ref, basis=basis
    )
    service = service_request(
        request,
        clinic,
        request_id=ids["service"],
        patient_ref=patient_ref,
        assessment_ref=_ref(ids["risk"]),
        response_ref=_ref(ids["response"]),
    )
    resources = [service, patient(request, ids["patient"]), risk, response, form, *observations]
    bundle = Bundle.model_validate(
        {
            "resourceType": "Bundle",
            "id": resource_id(request, "bundle"),
            "type": "collection",
            "timestamp": _iso(now),
            "entry": [{"fullUrl": _ref(r["id"]), "resource": r} for r in resources],
        }
    )
    data: dict[str, Any] = bundle.model_dump(mode="json", exclude_none=True)
    return data
