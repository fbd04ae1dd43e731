"""Clinics of one installation: the public clinic's file is the source of truth at
start-up, and several clinic sites share one database without mixing their requests."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from crampcheck.clinic import load_clinic
from crampcheck.services.clinics import (
    ensure_registered,
    get_clinic,
    list_clinics,
    register_clinic,
)
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.staff import add_staff, start_staff_session
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from crampcheck.storage.tables import ClinicRecord


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


def test_two_clinic_sites_on_one_database_keep_their_requests_apart(
    web_settings: Settings, pipeline: Pipeline, tmp_path: Path
) -> None:
    """Each clinic's public site is a server with its own clinic file on the shared
    database: a request sent on a site goes to that site's clinic, and the other
    clinic's staff never see it."""
    from crampcheck.web.app import create_app

    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data.update(id="north-foot", name="North Foot Clinic")
    north_file = tmp_path / "north.yaml"
    north_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    upgrade(web_settings.effective_database_url)
    auger = create_app(web_settings, pipeline)
    north = create_app(web_settings.model_copy(update={"clinic_file": north_file}), pipeline)
    try:
        body = {
            "name": "Nora North",
            "phone": "(801) 555-0101",
            "consent_to_share": True,
            "check": {"text": "Calf cramps most nights for a month."},
        }
        with TestClient(north) as client:
            sent = client.post("/api/v1/appointment-requests", json=body)
            assert sent.status_code == 201 and sent.json()["clinic"] == "North Foot Clinic"
        tokens = {}
        with auger.state.crampcheck.sessions() as session, session.begin():
            for clinic_id in ("auger-podiatry", "north-foot"):
                member = add_staff(
                    session,
                    clinic_id=clinic_id,
                    email=f"desk@{clinic_id}.example",
                    name="Desk",
                    role="front_desk",
                    password="plum orbit lantern 42",
                )
                tokens[clinic_id] = start_staff_session(session, member).token
        with TestClient(auger) as client:  # either server serves every clinic's staff
            for clinic_id, token in tokens.items():
                listed = client.get(
                    "/api/staff/requests", headers={"authorization": f"Bearer {token}"}
                ).json()
                names = [item["name"] for item in listed["items"]]
                assert names == (["Nora North"] if clinic_id == "north-foot" else []), clinic_id
    finally:
        auger.state.crampcheck.engine.dispose()
        north.state.crampcheck.engine.dispose()


def test_a_clinic_stored_with_a_script_website_keeps_working_without_it(db_url: str) -> None:
    """A clinic registered before websites were checked: its staff pages still open, and
    the address that is not a web address is dropped."""
    upgrade(db_url)
    engine = create_engine(db_url)
    try:
        definition = load_clinic().model_dump(mode="json")
        definition.update(id="north-foot", website="javascript:alert(1)")
        with Session(engine) as session, session.begin():
            session.add(
                ClinicRecord(
                    id="north-foot",
                    name="North Foot Clinic",
                    definition=definition,
                    created_at=datetime(2026, 1, 1, tzinfo=UTC),
                    updated_at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
        with Session(engine) as session:
            stored = get_clinic(session, "north-foot")
            assert stored is not None and stored.website is None
            assert [c.website for c in list_clinics(session) if c.id == "north-foot"] == [None]
    finally:
        engine.dispose()


def test_the_clinic_page_links_to_an_http_website(
    web_settings: Settings, pipeline: Pipeline, tmp_path: Path
) -> None:
    from crampcheck.web.app import create_app

    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data.update(website="https://auger-podiatry.example/cramps")
    clinic_file = tmp_path / "clinic.yaml"
    clinic_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    upgrade(web_settings.effective_database_url)
    app = create_app(web_settings.model_copy(update={"clinic_file": clinic_file}), pipeline)
    try:
        with TestClient(app) as client:
            html = client.get("/clinic").text
        assert 'href="https://auger-podiatry.example/cramps"' in html
    finally:
        app.state.crampcheck.engine.dispose()
