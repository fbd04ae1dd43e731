"""A check done in Spanish, as the clinic receives it (issue 15, item 4): the request
keeps the language the person used, and the staff request page, the one-page PDF summary
and the FHIR bundle show the person's words as written, the language ("Spanish") and the
findings, urgency and reasons in English, the clinic's language; the Spanish answer they
read stays within reach on the request page."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from crampcheck.domain.snapshot import CLINIC_COPY, Snapshot
from tests.web.test_spanish_pages import SPANISH
from tests.web.test_staff_inbox import add_member, as_member
from tests.web.test_web_pages import appointment_form, form_to, stored, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")

WORDS = "Me dan calambres en la mano derecha cuando escribo mucho rato, se me quitan cuando paro."
FILLED = {
    "name": "Rosa Hernández",
    "phone": "(801) 555-0199",
    "consent_to_share": "yes",
}


def _spanish_request(client: TestClient, app: FastAPI) -> str:
    """A check done on the Spanish pages (the browser asks for Spanish), then an
    appointment request from its result; the request's id."""
    client.headers.update(SPANISH)
    html = appointment_form(client, WORDS)
    assert 'lang="es"' in html
    response = submit(client, form_to(html, "/appointment"), change=FILLED)
    assert response.status_code == 303, response.text
    (row,) = stored(app)
    return str(row.id)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_request_keeps_the_language_and_the_check_in_english(
    client: TestClient, app: FastAPI
) -> None:
    _spanish_request(client, app)
    (row,) = stored(app)
    kept = Snapshot.read(row.snapshot)
    assert kept.version == 3
    assert kept.language == "es"
    assert kept.written_in == ("es",)
    assert kept.description == WORDS
    spanish, english = row.snapshot, row.snapshot[CLINIC_COPY]
    assert english["language"] == "en"
    # The same check: the same answer, read from the same words...
    assert english["urgency"] == spanish["urgency"] and english["kind"] == spanish["kind"]
    assert [r["rule_id"] for r in english["reasons"]] == [r["rule_id"] for r in spanish["reasons"]]
    assert [(f["id"], f["text"]) for f in english["findings"]] == [
        (f["id"], f["text"]) for f in spanish["findings"]
    ]
    # ...in two languages.
    assert english["action"] != spanish["action"]
    assert "doctor" in english["action"].lower() and "médico" in spanish["action"]
    labels = {f["id"]: f["label"] for f in english["findings"]}
    assert labels["site_hand"] == "hand" or "hand" in labels["site_hand"].lower()
    # Read in the clinic's language, the snapshot is the English one with their words.
    clinic = kept.in_language("en")
    assert clinic["action"] == english["action"] and clinic["description"] == WORDS
    assert kept.in_language("es")["action"] == spanish["action"]


def test_the_staff_page_shows_english_the_language_and_their_words(
    client: TestClient, app: FastAPI
) -> None:
    request_id = _spanish_request(client, app)
    as_member(client, add_member(app, "clinician"))
    page = client.get(f"/staff/requests/{request_id}")
    assert page.status_code == 200
    html = page.text
    text = _text(html)
    assert '<html lang="en"' in html, "the clinic's side stays in English"
    assert "Language: Spanish" in text
    assert "They did the check in Spanish" in text
    assert "Their words are written in Spanish." in text
    # Their words, as written, marked as Spanish.
    assert re.search(r'<blockquote class="your-words" lang="es"><p>Me dan calambres', html)
    # The findings in English, each with the Spanish words it was read from.
    assert re.search(r"[Hh]and\b[^<]*<span class=\"quote\">they wrote “mano", html), html
    # The answer and the reasons in English; the Spanish answer they read within reach.
    row = stored(app)[0]
    english_action = row.snapshot[CLINIC_COPY]["action"]
    assert str(english_action) in text
    assert 'class="as-shown"' in html and '<div lang="es">' in html
    assert str(row.snapshot["action"]) in text
    assert "The answer as they read it, in Spanish" in text


def _pdf_text(body: bytes, folder: Path) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    path = folder / "summary.pdf"
    path.write_bytes(body)
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return " ".join(done.stdout.decode("utf-8").split())


def test_the_summary_pdf_is_in_english_with_their_spanish_words(
    client: TestClient, app: FastAPI, tmp_path: Path
) -> None:
    request_id = _spanish_request(client, app)
    as_member(client, add_member(app, "clinician"))
    pdf = client.get(f"/staff/requests/{request_id}/summary.pdf")
    assert pdf.status_code == 200
    text = _pdf_text(pdf.content, tmp_path)
    assert "Language: Spanish (the check was in Spanish)" in text
    assert "Written in Spanish and quoted as written" in text
    assert "Me dan calambres en la mano derecha" in text
    row = stored(app)[0]
    english = row.snapshot[CLINIC_COPY]
    assert "Triage:" in text and english["action"][:40] in text
    assert row.snapshot["action"][:40] not in text, "the Spanish answer is not printed"
    assert "Hand" in text or "hand" in text


def _resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_the_fhir_bundle_carries_the_language_and_english(client: TestClient, app: FastAPI) -> None:
    request_id = _spanish_request(client, app)
    as_member(client, add_member(app, "clinician"))
    response = client.get(f"/staff/requests/{request_id}/fhir")
    assert response.status_code == 200
    bundle = json.loads(response.text)
    (patient,) = _resources(bundle, "Patient")
    (communication,) = patient["communication"]
    assert communication["preferred"] is True
    assert communication["language"]["coding"] == [
        {"system": "urn:ietf:bcp:47", "code": "es", "display": "Spanish"}
    ]
    (risk,) = _resources(bundle, "RiskAssessment")
    english = stored(app)[0].snapshot[CLINIC_COPY]
    assert risk["mitigation"] == english["action"]
    assert risk["note"][0]["text"].startswith("The person did the check in Spanish")
    notes = [n["text"] for n in risk["note"][1:]]
    assert len(notes) == len(english["reasons"]) > 0
    for note, reason in zip(notes, english["reasons"], strict=True):
        assert reason["text"] in note
    (response_resource,) = _resources(bundle, "QuestionnaireResponse")
    answers = json.dumps(response_resource, ensure_ascii=False)
    assert WORDS in answers, "their words as written"


def test_an_english_check_is_unchanged_on_the_clinic_side(client: TestClient, app: FastAPI) -> None:
    html = appointment_form(client)
    assert submit(client, form_to(html, "/appointment"), change=FILLED).status_code == 303
    (row,) = stored(app)
    assert row.snapshot["language"] == "en" and CLINIC_COPY not in row.snapshot
    as_member(client, add_member(app, "clinician"))
    page = client.get(f"/staff/requests/{row.id}").text
    assert "Language:" not in _text(page) and "as-shown" not in page
