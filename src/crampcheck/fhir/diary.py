"""A person's diary as a FHIR R4 Bundle: the Patient and one Observation per episode.

Each episode is coded with ICD-10-CM R25.2 (cramp and spasm) or R25.3 (fasciculation,
for twitching), with components for duration, pain and body site. Every resource is
built and validated by fhir.resources' R4B models.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from crampcheck.domain.diary import EpisodeRecord
from crampcheck.domain.times import aware
from crampcheck.knowledge.loader import KnowledgeBase

ICD10 = "http://hl7.org/fhir/sid/icd-10-cm"
UCUM = "http://unitsofmeasure.org"
LOINC = "http://loinc.org"
PAIN_SEVERITY_LOINC = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
CRAMPCHECK = "urn:crampcheck"


FEEL_FINDING = {
    "twitch": "twitching",
    "cramp": "sustained_contraction",
    "other": "involuntary_spasm",
}
"""Which knowledge-base finding an episode's feel is; its ICD-10-CM code codes the episode."""


def _code(feel: str, kb: KnowledgeBase) -> dict[str, Any]:
    finding = kb.findings[FEEL_FINDING.get(feel, "sustained_contraction")]
    codes = finding.codes or kb.findings["sustained_contraction"].codes
    return {
        "coding": [{"system": ICD10, "code": c.code, "display": c.display} for c in codes],
        "text": finding.label,
    }


def _iso(moment: datetime) -> str:
    return aware(moment).isoformat()


def episode_observation(
    episode: EpisodeRecord, patient_ref: str, kb: KnowledgeBase
) -> dict[str, Any]:
    """One episode as an Observation (plain data, validated by the Bundle)."""
    components: list[dict[str, Any]] = []
    if episode.duration_minutes is not None:
        components.append(
            {
                "code": {
                    "coding": [
                        {
                            "system": CRAMPCHECK,
                            "code": "duration",
                            "display": "Duration of the episode",
                        }
                    ],
                    "text": "Duration",
                },
                "valueQuantity": {
                    "value": episode.duration_minutes,
                    "unit": "min",
                    "system": UCUM,
                    "code": "min",
                },
            }
        )
    if episode.pain is not None:
        code, display = PAIN_SEVERITY_LOINC
        components.append(
            {
                "code": {
                    "coding": [{"system": LOINC, "code": code, "display": display}],
                    "text": "Pain (0-10)",
                },
                "valueInteger": episode.pain,
            }
        )
    if episode.site is not None:
        label = kb.findings[episode.site].label if episode.site in kb.findings else episode.site
        site_text = f"{label} ({episode.side})" if episode.side else label
        components.append(
            {
                "code": {
                    "coding": [{"system": CRAMPCHECK, "code": "location", "display": "Location"}],
                    "text": "Location",
                },
                "valueString": site_text,
            }
        )
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "id": episode.id,
        "status": "final",
        "category": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/observation-category",
                        "code": "survey",
                        "display": "Survey",
                    }
                ]
            }
        ],
        "code": _code(episode.feel, kb),
        "subject": {"reference": patient_ref},
        "effectiveDateTime": _iso(episode.started_at),
        "issued": _iso(episode.created_at),
    }
    if components:
        observation["component"] = components
    if episode.notes:
        observation["note"] = [{"text": episode.notes}]
    return observation


def diary_bundle(
    patient_id: str,
    email: str,
    episodes: Iterable[EpisodeRecord],
    kb: KnowledgeBase,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The person (their account's id and email address) and their episodes as a
    validated FHIR R4 collection Bundle (JSON data)."""
    now = now or datetime.now(UTC)
    patient_ref = f"urn:uuid:{patient_id}"
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_ref,
            "resource": {
                "resourceType": "Patient",
                "id": patient_id,
                "telecom": [{"system": "email", "value": email}],
            },
        }
    ]
    for episode in episodes:
        entries.append(
            {
                "fullUrl": f"urn:uuid:{episode.id}",
                "resource": episode_observation(episode, patient_ref, kb),
            }
        )
    bundle = Bundle.model_validate(
        {"resourceType": "Bundle", "type": "collection", "timestamp": _iso(now), "entry": entries}
    )
    data: dict[str, Any] = bundle.model_dump(mode="json", exclude_none=True)
    return data
