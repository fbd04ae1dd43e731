"""What a Spanish-speaking person takes away, in Spanish: their emails (the request's
confirmation, the password reset, the sign-up link) and the diary's summary to print
for a doctor; the clinic's notice of an urgent request stays in English, the clinic's
language."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from tests.services.test_accounts import page_sign_up
from tests.services.test_diary import log, user_id
from tests.smtp import SmtpServer, body, link_in
from tests.web.test_email import (  # noqa: F401 - fixtures
    CLINIC_ADDRESS,
    ask_reset,
    assert_no_clinical_words,
    mail_app,
    mail_client,
    make_account,
    request_body,
    sign_up_page,
)
from tests.web.test_spanish_pages import SPANISH

pytestmark = pytest.mark.usefixtures("fast_hashing")

URGENT = (
    "Tengo la pantorrilla izquierda hinchada, roja y caliente desde hace dos días, después "
    "de un vuelo largo. No tengo fiebre."
)
ENGLISH_WORDS = ("Hello", "What happens next", "Please do not reply", "The link works once")


def _spanish(text: str) -> None:
    for english in ENGLISH_WORDS:
        assert english not in text, english


def test_a_spanish_request_is_confirmed_in_spanish_and_the_clinic_told_in_english(
    mail_client: TestClient,  # noqa: F811
    smtp_server: SmtpServer,
) -> None:
    response = mail_client.post(
        "/api/v1/appointment-requests", json=request_body(URGENT), headers=SPANISH
    )
    assert response.status_code == 201, response.text
    assert response.json()["urgency"] == "urgent"
    (confirmation,) = smtp_server.mailbox.to("ana@example.org")
    text = body(confirmation)
    assert confirmation["Content-Language"] == "es"
    assert confirmation["Subject"].endswith("recibimos su solicitud de cita")
    assert text.startswith("Hola:")
    assert "Qué pasa ahora" in text and "Teléfono: (801) 845-3960" in text
    assert "llame al 911" in text and "Por favor no lo responda" in text
    _spanish(text)
    (notice,) = smtp_server.mailbox.to(CLINIC_ADDRESS)
    assert notice["Content-Language"] == "en"
    assert notice["Subject"] == "crampcheck: a new request to look at soon"
    assert "should be looked at soon" in body(notice) and "Hola" not in body(notice)
    for message in (confirmation, notice):
        assert_no_clinical_words(message["Subject"] + "\n" + body(message))
        for word in ("pantorrilla", "hinchad", "urgente", "dolor", "síntoma", "vuelo"):
            assert word not in body(message).lower(), word


def test_account_emails_follow_the_page_language(
    mail_app: FastAPI,  # noqa: F811
    mail_client: TestClient,  # noqa: F811
    smtp_server: SmtpServer,
) -> None:
    make_account(mail_app, "ana@example.com")
    mail_client.headers.update(SPANISH)
    ask_reset(mail_client, "ana@example.com")
    sign_up_page(mail_client, "nuevo@example.com")
    (reset,) = smtp_server.mailbox.to("ana@example.com")
    assert reset["Subject"] == "Cambie su contraseña de crampcheck"
    assert "durante 1 hora" in body(reset) or re.search(r"durante \d+ horas", body(reset))
    assert link_in(reset)
    (confirm,) = smtp_server.mailbox.to("nuevo@example.com")
    assert confirm["Subject"] == "Termine de crear su cuenta de crampcheck"
    assert "abra este enlace" in body(confirm)
    for message in (reset, confirm):
        assert message["Content-Language"] == "es"
        _spanish(body(message))


def test_the_diary_summary_prints_in_spanish(client: TestClient, app: FastAPI) -> None:
    client.headers.update(SPANISH)
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    log(
        app,
        owner,
        site="site_calf",
        pain=6,
        duration_minutes=0.5,
        started_at=now - timedelta(days=3),
    )
    log(app, owner, feel="twitch", site="site_eyelid", started_at=now - timedelta(days=5))
    html = client.get("/diary/summary").text
    main = html[html.index("<main") : html.index("</main>")]
    text = " ".join(re.sub(r"<[^>]+>", " ", main).split())
    assert '<html lang="es"' in html
    assert "para mi médico" in text
    assert "6/10" in text and "30 segundos" in text
    # Dates and times as written in Spanish in the US (the clinic's country).
    assert re.search(r"Impreso el [a-z]{3}, \d+ de [a-z]{3} de \d{4}, \d+:\d\d [ap]\.m\.", text)
    for english in ("for my doctor", "Cramps", "Twitching", "seconds", "Calf", "Eyelid", "Printed"):
        assert english not in text, english
