"""The home page, the Learn leaflet and the clinic page (issue 14, item 7)."""

from __future__ import annotations

from pathlib import Path

import yaml
from starlette.testclient import TestClient

from crampcheck.clinic import load_clinic
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings


def test_the_clinic_page_shows_each_locations_address_and_opening_hours(
    web_settings: Settings, pipeline: Pipeline, tmp_path: Path
) -> None:
    from crampcheck.storage.database import upgrade
    from crampcheck.web.app import create_app

    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data["locations"][1].update(
        address="100 Example Way, Suite 2",
        postal_code="84070",
        hours=[
            {"days": "Mon-Thu", "opens": "08:00", "closes": "17:00"},
            {"days": "Fri", "opens": "08:00", "closes": "12:00"},
        ],
    )
    clinic_file = tmp_path / "clinic.yaml"
    clinic_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    upgrade(web_settings.effective_database_url)
    app = create_app(web_settings.model_copy(update={"clinic_file": clinic_file}), pipeline)
    try:
        with TestClient(app) as client:
            html = client.get("/clinic").text
            api = client.get("/api/v1/clinic").json()
    finally:
        app.state.crampcheck.engine.dispose()
    sandy = html[html.index("<h3>Sandy</h3>") : html.index("<h3>West Jordan</h3>")]
    assert "<address>100 Example Way, Suite 2<br>Sandy, Utah 84070</address>" in sandy
    assert "<li>Mon\u2013Thu 8:00 AM \u2013 5:00 PM</li>" in sandy
    assert "<li>Fri 8:00 AM \u2013 12:00 PM</li>" in sandy
    assert "<li>Closed Sat, Sun</li>" in sandy
    salt_lake = html[html.index("<h3>Salt Lake City</h3>") : html.index("<h3>Sandy</h3>")]
    assert "Street address not published" in salt_lake
    assert "Call the clinic for opening hours." in salt_lake
    located = api["locations"][1]
    assert located["hours"] == "Mon\u2013Thu 8:00 AM \u2013 5:00 PM; Fri 8:00 AM \u2013 12:00 PM"
    assert located["opening_hours"][1] == {
        "days": "Fri",
        "opens": "08:00",
        "closes": "12:00",
        "label": "Fri 8:00 AM \u2013 12:00 PM",
    }
    assert api["locations"][0]["hours"] is None and api["locations"][0]["opening_hours"] == []
