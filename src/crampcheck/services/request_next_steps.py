"""What a person who asked the clinic for an appointment is told happens next.

The words are the knowledge base's (``request_next_steps`` in ``policy.yaml``), one text
per urgency, with the clinic's name and its country's places to get care filled in.
"""

from __future__ import annotations

from crampcheck.domain.types import Urgency
from crampcheck.services.pipeline import Pipeline


def next_steps(pipeline: Pipeline, clinic_name: str, urgency: str, emergency_number: str) -> str:
    """What happens next after a request at ``urgency`` (a stored urgency that is not
    known reads as a doctor-level one: never less than that)."""
    try:
        level = Urgency(urgency)
    except ValueError:
        level = Urgency.DOCTOR
    text = pipeline.kb.policy.request_next_steps[level]
    for key, value in {**pipeline.care_terms(emergency_number), "clinic": clinic_name}.items():
        text = text.replace("{" + key + "}", value)
    return text


def reference_of(request_id: str) -> str:
    """A request's short reference, as the person quotes it to the clinic: the first
    eight characters of its id, in capitals ("3F2A9C01")."""
    return request_id[:8].upper()
