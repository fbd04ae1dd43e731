"""The clinics of an installation: registered from clinic files, read back by id.

The clinic a patient sees on the public pages is the one the settings name (the
article's podiatrist by default); it is registered when the app starts. More clinics
join with ``crampcheck clinic init FILE``; each clinic's staff see only its own rows.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.links import is_web_address
from crampcheck.storage.tables import ClinicRecord


def register_clinic(
    session: Session, clinic: Clinic, now: datetime | None = None
) -> Literal["registered", "updated", "unchanged"]:
    """Insert the clinic, or update its definition; says which it did."""
    now = now or datetime.now(UTC)
    definition = clinic.model_dump(mode="json")
    row = session.get(ClinicRecord, clinic.id)
    if row is None:
        session.add(
            ClinicRecord(
                id=clinic.id,
                name=clinic.name,
                definition=definition,
                created_at=now,
                updated_at=now,
            )
        )
        return "registered"
    if row.definition == definition and row.name == clinic.name:
        return "unchanged"
    row.definition = definition
    row.name = clinic.name
    row.updated_at = now
    return "updated"


def ensure_registered(engine: Engine, clinic: Clinic) -> None:
    """Register the installation's public clinic, or bring its stored definition up to
    date with its clinic file (which is the source of truth for it); idempotent."""
    try:
        with Session(engine) as session, session.begin():
            register_clinic(session, clinic)
    except IntegrityError:
        pass  # another process registered it between the look-up and the insert


def get_clinic(session: Session, clinic_id: str) -> Clinic | None:
    """A registered clinic by id."""
    row = session.get(ClinicRecord, clinic_id)
    return _stored(row.definition) if row is not None else None


def list_clinics(session: Session) -> list[Clinic]:
    """Every registered clinic, by name."""
    rows = session.scalars(select(ClinicRecord).order_by(ClinicRecord.name))
    return [_stored(row.definition) for row in rows]


def _stored(definition: dict[str, Any]) -> Clinic:
    """A stored clinic. One registered before websites were checked keeps working
    without a website that is not an http(s) address (``clinic init`` now refuses it),
    and one registered before opening hours were rows keeps working without its
    locations' hours written as one line of text (until its clinic file is updated)."""
    website = definition.get("website")
    if website is not None and not is_web_address(website):
        definition = {**definition, "website": None}
    locations = definition.get("locations")
    if isinstance(locations, list) and any(
        isinstance(loc, dict) and isinstance(loc.get("hours"), str) for loc in locations
    ):
        definition = {
            **definition,
            "locations": [
                {k: v for k, v in loc.items() if not (k == "hours" and isinstance(v, str))}
                if isinstance(loc, dict)
                else loc
                for loc in locations
            ],
        }
    return Clinic.model_validate(definition)
