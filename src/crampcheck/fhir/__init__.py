"""Pure mappers from crampcheck's records to FHIR R4 resources (fhir.resources, R4B models)."""

from crampcheck.fhir.diary import diary_bundle

__all__ = ["diary_bundle"]
