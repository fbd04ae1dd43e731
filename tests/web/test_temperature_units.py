"""A US clinic's patients are asked and shown temperatures in °F, and so are its staff
(the request page, the one-page summary, FHIR with its UCUM code); the knowledge base
and the record keep °C. A clinic elsewhere (en_GB) asks and shows °C."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.clinic.model import DEFAULT_CLINIC
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from tests.web.test_check_addresses import QUESTION, described
from tests.web.test_staff_inbox import add_member, as_member, make_request
from tests.web.test_web_pages import form_to, main_of, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")

FEVER_TEXT = (
    "I started sertraline last month and now my legs twitch and jump, I'm sweaty, I have "
    "diarrhea and a fever"
)
"""Asks for the temperature: 38 °C or more with these signs is severe serotonin syndrome."""
MEASURED_TEXT = "My calves keep cramping and twitching and my temp is 101.3"


def answered_with_a_temperature(client: TestClient, typed: str) -> tuple[str, str]:
    """From the description of a fever, every question answered plainly but the
    temperature (``typed``): the temperature question's page and the result's."""
    html = client.get(described(client, FEVER_TEXT)).text
    response = submit(client, form_to(html, "/check/confirm"), ("action", "continue"))
    asked = ""
    for _ in range(40):
        if response.status_code == 303 and QUESTION.match(response.headers["location"]):
            response = client.get(response.headers["location"])
        if response.status_code == 303:
            assert asked, "the temperature was not asked"
            return asked, client.get(response.headers["location"]).text
        form = form_to(response.text, "/check/questions")
        fields: dict[str, object] = dict(form.fields)
        if 'name="number"' in response.text:
            if "temperature" in response.text:
                asked = response.text
                fields |= {"number": typed, "action": "answer"}
            else:
                fields["action"] = "dont_know"
        elif ("action", "no") in form.buttons:
            fields["action"] = "no"
        else:
            fields |= {"action": "answer", "chosen": [], "none": "none"}
        response = client.post(form.action, data=fields, follow_redirects=False)
    raise AssertionError("no result")


def test_a_us_clinic_asks_and_shows_fahrenheit(client: TestClient) -> None:
    asked, result = answered_with_a_temperature(client, "100")
    question = main_of(asked)
    assert "what is your temperature in °F?" in question and "°C" not in question
    assert "Your answer, in °F" in question
    # Kept as 37.8 °C, below the 38 °C that would make it an emergency; shown as typed.
    page = main_of(result)
    assert "100 °F" in page and "37.8" not in page
    assert "Call 911 now" not in page
    _asked, hot = answered_with_a_temperature(client, "101.3")
    assert "Call 911 now" in main_of(hot)


def test_the_confirm_step_shows_a_temperature_read_in_the_words_in_fahrenheit(
    client: TestClient,
) -> None:
    page = main_of(client.get(described(client, MEASURED_TEXT)).text)
    assert re.search(r"body temperature \(°F\): <strong>101\.3 °F</strong>", page), page


def test_the_clinic_reads_fahrenheit_on_the_request_the_summary_and_fhir(
    app: FastAPI, client: TestClient
) -> None:
    request_id = make_request(app, MEASURED_TEXT)
    as_member(client, add_member(app, "clinician"))
    page = main_of(client.get(f"/staff/requests/{request_id}").text)
    assert "101.3 °F" in page and "38.5" not in page
    bundle = client.get(f"/staff/requests/{request_id}/fhir").json()
    quantities = [
        answer["valueQuantity"]
        for answer in _answers(bundle)
        if "valueQuantity" in answer and answer["valueQuantity"].get("unit") == "°F"
    ]
    assert quantities == [
        {"value": 101.3, "unit": "°F", "system": "http://unitsofmeasure.org", "code": "[degF]"}
    ]
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = client.get(f"/staff/requests/{request_id}/summary.pdf").content
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "101.3 °F" in text and "38.5" not in text


def _answers(node: object) -> Iterator[dict[str, object]]:
    """Every answer of every QuestionnaireResponse item in a FHIR bundle."""
    if isinstance(node, dict):
        if "linkId" in node:
            yield from node.get("answer", ())
        for value in node.values():
            yield from _answers(value)
    elif isinstance(node, list):
        for item in node:
            yield from _answers(item)


@pytest.fixture
def uk_client(web_settings: Settings, pipeline: Pipeline, tmp_path: Path) -> Iterator[TestClient]:
    """The application for a clinic in the UK (locale en_GB)."""
    from importlib import resources

    from crampcheck.web.app import create_app

    data = yaml.safe_load(
        (resources.files("crampcheck.clinic.data") / DEFAULT_CLINIC).read_text(encoding="utf-8")
    )
    data.update(id="north-uk", locale="en_GB", time_zone="Europe/London", care_pathway="UK")
    clinic_file = tmp_path / "north-uk.yaml"
    clinic_file.write_text(json.dumps(data), encoding="utf-8")
    settings = web_settings.model_copy(update={"clinic_file": clinic_file})
    upgrade(settings.effective_database_url)
    application: FastAPI = create_app(settings, pipeline)
    with TestClient(application) as test_client:
        yield test_client
    application.state.crampcheck.engine.dispose()


def test_a_clinic_elsewhere_asks_and_shows_celsius(uk_client: TestClient) -> None:
    asked, result = answered_with_a_temperature(uk_client, "37.5")
    assert "what is your temperature in °C?" in main_of(asked)
    assert "37.5 °C" in main_of(result) and "99.5" not in main_of(result)
