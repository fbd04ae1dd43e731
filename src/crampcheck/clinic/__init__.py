"""The clinic that receives appointment requests: name, locations, phone, scope."""

from crampcheck.clinic.model import Clinic, ClinicError, Location, load_clinic

__all__ = ["Clinic", "ClinicError", "Location", "load_clinic"]
