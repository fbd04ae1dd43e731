"""Pure mappers from crampcheck's records to FHIR R4 resources (fhir.resources, R4B models)."""

from crampcheck.fhir.diary import diary_bundle
from crampcheck.fhir.questionnaire import questionnaire
from crampcheck.fhir.request import request_bundle

__all__ = ["diary_bundle", "questionnaire", "request_bundle"]
