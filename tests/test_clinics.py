"""Registering clinics: the public clinic's file is the source of truth at start-up."""

from __future__ import annotations

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from crampcheck.clinic import load_clinic
from crampcheck.services.clinics import ensure_registered, get_clinic, register_clinic
from crampcheck.storage.database import upgrade


def test_start_up_registers_the_public_clinic_then_keeps_it_up_to_date(db_url: str) -> None:
    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        clinic = load_clinic()
        stale = clinic.model_copy(update={"name": "An old name", "time_zone": "UTC"})
        ensure_registered(engine, stale)
        with Session(engine) as session:
            assert get_clinic(session, clinic.id) == stale
        ensure_registered(engine, clinic)  # the file changed since
        with Session(engine) as session:
            stored = get_clinic(session, clinic.id)
            assert stored == clinic and stored is not None
            assert stored.time_zone == "America/Denver"
        ensure_registered(engine, clinic)  # idempotent
        with Session(engine) as session, session.begin():
            assert register_clinic(session, clinic) == "unchanged"
    finally:
        engine.dispose()
