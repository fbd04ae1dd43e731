"""Email, against a real SMTP server (aiosmtpd on 127.0.0.1): password reset, new-account
confirmation and the sign-up notice (the security review's L7), appointment emails, TLS,
a server that is down, and no clinical detail in any email."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from starlette.testclient import TestClient

from crampcheck.services import account_links, accounts
from crampcheck.services.mail import Email, Mailer
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from crampcheck.storage.tables import AccountToken, AppointmentRequest, User, UserSession
from tests.services.test_accounts import PASSWORD, SESSION
from tests.smtp import (
    SmtpServer,
    body,
    free_port,
    link_in,
    run_server,
    self_signed,
    server_context,
)
from tests.web.test_staff_inbox import URGENT_TEXT
from tests.web.test_web_api import SELF_CARE_TEXT
from tests.web.test_web_pages import form_to, submit

pytestmark = pytest.mark.usefixtures("fast_hashing")

NEW_PASSWORD = "a brand new staple horse"
CLINIC_ADDRESS = "front-desk@auger-podiatry.example"
PUBLIC_URL = "https://care.example-clinic.com"
# Words no email may carry: what a check found, how urgent it was, what it could be.
CLINICAL = (
    "urgent",
    "within 24 hours",
    "calf",
    "swollen",
    "cramp",
    "clot",
    "dvt",
    "thrombosis",
    "symptom",
    "pain",
    "flight",
    "self-care",
    "self care",
    "see a doctor",
    "finding",
    "diagnos",
)


def mail_settings(base: Settings, server: SmtpServer, **changes: Any) -> Settings:
    values = {
        **base.model_dump(),
        "mail_host": server.host,
        "mail_port": server.port,
        "mail_tls": "none",
        "mail_sender": "no-reply@auger-podiatry.example",
        "mail_clinic_address": CLINIC_ADDRESS,
        "public_url": PUBLIC_URL,
        **changes,
    }
    return Settings(**values)


@pytest.fixture
def mail_app(web_settings: Settings, smtp_server: SmtpServer, pipeline: Any) -> Iterator[FastAPI]:
    from crampcheck.web.app import create_app

    settings = mail_settings(web_settings, smtp_server)
    upgrade(settings.effective_database_url)
    application = create_app(settings, pipeline)
    yield application
    application.state.crampcheck.engine.dispose()


@pytest.fixture
def mail_client(mail_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(mail_app) as client:
        yield client


def path_of(link: str) -> str:
    assert link.startswith(PUBLIC_URL + "/"), "links use the configured address, not Host"
    return urlsplit(link).path


def make_account(app: FastAPI, email: str = "ana@example.com") -> str:
    with app.state.crampcheck.sessions() as session, session.begin():
        return accounts.sign_up(session, email, PASSWORD).id


def ask_reset(client: TestClient, email: str) -> Any:
    html = client.get("/account/reset").text
    return submit(client, form_to(html, "/account/reset"), change={"email": email})


def choose(client: TestClient, path: str, password: str = NEW_PASSWORD) -> Any:
    page = client.get(path)
    if page.status_code != 200:  # noqa: PLR2004
        return page
    return submit(
        client,
        form_to(page.text, path),
        change={"password": password, "password_again": password},
    )


def sign_up_page(client: TestClient, email: str, password: str = PASSWORD) -> Any:
    html = client.get("/account/signup").text
    return submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": email, "password": password, "password_again": password},
    )


def assert_no_clinical_words(text: str) -> None:
    lowered = text.lower().replace("crampcheck", "")  # the product's name may be said
    found = [word for word in CLINICAL if word in lowered]
    assert not found, f"clinical words in an email: {found}"


# ---------------------------------------------------------------- password reset


def test_a_reset_link_arrives_works_once_and_signs_every_device_out(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app)
    with TestClient(mail_app) as elsewhere:  # another device, signed in
        html = elsewhere.get("/account/signin").text
        submit(
            elsewhere,
            form_to(html, "/account/signin"),
            change={"email": "ana@example.com", "password": PASSWORD},
        )
        assert elsewhere.get("/diary").status_code == 200  # noqa: PLR2004

        answer = ask_reset(mail_client, "ana@example.com")
        assert answer.status_code == 200 and "Check your email" in answer.text  # noqa: PLR2004
        (message,) = smtp_server.mailbox.to("ana@example.com")
        assert message["From"] == "no-reply@auger-podiatry.example"
        assert "Reset your crampcheck password" in message["Subject"]
        link = link_in(message)
        token = path_of(link).rsplit("/", 1)[1]
        with mail_app.state.crampcheck.sessions() as session:
            (row,) = session.scalars(select(AccountToken))
            assert token not in row.token_hash and row.purpose == "reset"
            assert row.expires_at - row.created_at == timedelta(hours=1)

        done = choose(mail_client, path_of(link))
        assert done.status_code == 303 and done.headers["location"] == "/account/signin?done=reset"  # noqa: PLR2004
        assert elsewhere.get("/diary", follow_redirects=False).status_code == 303  # noqa: PLR2004
    with mail_app.state.crampcheck.sessions() as session:
        assert not list(session.scalars(select(UserSession)))

    again = choose(mail_client, path_of(link), "yet another staple horse")
    assert again.status_code == 410 and "cannot be used" in again.text  # noqa: PLR2004
    html = mail_client.get("/account/signin").text
    new = submit(
        mail_client,
        form_to(html, "/account/signin"),
        change={"email": "ana@example.com", "password": NEW_PASSWORD},
    )
    assert new.status_code == 303 and SESSION in mail_client.cookies  # noqa: PLR2004


def test_a_reset_password_follows_the_sign_up_rules_and_the_link_still_works(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app)
    ask_reset(mail_client, "ana@example.com")
    path = path_of(link_in(smtp_server.mailbox.to("ana@example.com")[0]))
    refused = choose(mail_client, path, "short")
    assert refused.status_code == 422 and "at least 10 characters" in refused.text  # noqa: PLR2004
    assert choose(mail_client, path).status_code == 303  # noqa: PLR2004


def test_an_expired_reset_link_is_refused(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app)
    ask_reset(mail_client, "ana@example.com")
    path = path_of(link_in(smtp_server.mailbox.to("ana@example.com")[0]))
    with mail_app.state.crampcheck.sessions() as session, session.begin():
        session.execute(
            update(AccountToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert mail_client.get(path).status_code == 410  # noqa: PLR2004
    assert choose(mail_client, path).status_code == 410  # noqa: PLR2004
    with mail_app.state.crampcheck.sessions() as session:
        user = session.scalars(select(User)).one()
        assert accounts.verify_password(user.password_hash, PASSWORD)


def test_an_unknown_address_gets_the_same_page_the_same_work_and_no_email(
    mail_app: FastAPI,
    mail_client: TestClient,
    smtp_server: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_account(mail_app)
    made: list[int] = []
    real = account_links._new_token

    def counting() -> tuple[str, str]:
        made.append(1)
        return real()

    monkeypatch.setattr(account_links, "_new_token", counting)
    known = ask_reset(mail_client, "ana@example.com")
    unknown = ask_reset(mail_client, "nobody@example.com")
    assert made == [1, 1], "a token is made and hashed either way"
    assert (known.status_code, unknown.status_code) == (200, 200)

    def main(html: str) -> str:
        return html.split("<main", 1)[1].split("</main>", 1)[0]

    assert main(known.text) == main(unknown.text)
    assert smtp_server.mailbox.to("nobody@example.com") == []
    assert len(smtp_server.mailbox.messages) == 1


def test_reset_requests_are_throttled_per_email_address(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app)
    for _ in range(account_links.MAX_RESETS_PER_EMAIL):
        assert ask_reset(mail_client, "ana@example.com").status_code == 200  # noqa: PLR2004
    refused = ask_reset(mail_client, "ana@example.com")
    assert refused.status_code == 429 and "Too many reset requests" in refused.text  # noqa: PLR2004
    unknown = [ask_reset(mail_client, "nobody@example.com") for _ in range(4)]
    assert [r.status_code for r in unknown] == [200, 200, 200, 429], "the same for no account"
    assert len(smtp_server.mailbox.to("ana@example.com")) == account_links.MAX_RESETS_PER_EMAIL


def test_reset_requests_are_throttled_per_network_address(mail_app: FastAPI) -> None:
    with TestClient(mail_app, client=("198.51.100.30", 1)) as one:
        codes = [
            ask_reset(one, f"someone-{n}@example.com").status_code
            for n in range(account_links.MAX_RESETS_PER_ADDRESS + 1)
        ]
    assert codes[-1] == 429 and set(codes[:-1]) == {200}  # noqa: PLR2004


def test_without_email_the_reset_page_says_to_contact_the_clinic(client: TestClient) -> None:
    html = client.get("/account/signin").text
    assert 'href="/account/reset"' in html and "Forgot password?" in html
    page = client.get("/account/reset")
    assert page.status_code == 200 and "cannot send email" in page.text  # noqa: PLR2004
    assert "(801) 845-3960" in page.text and 'action="/account/reset"' not in page.text


# ---------------------------------------------------------------- sign-up (L7)


def test_sign_up_gives_one_answer_whether_or_not_the_address_has_an_account(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app, "taken@example.com")
    with TestClient(mail_app, client=("198.51.100.40", 1)) as other:
        taken = sign_up_page(other, "taken@example.com", "somebody else's password")
        new = sign_up_page(other, "new@example.com")
    assert (taken.status_code, new.status_code) == (200, 200)

    def main(html: str) -> str:
        return html.split("<main", 1)[1].split("</main>", 1)[0]

    assert main(taken.text) == main(new.text) and "Check your email" in taken.text
    assert SESSION not in other.cookies, "nobody is signed in by a sign-up"

    (notice,) = smtp_server.mailbox.to("taken@example.com")
    assert "already has an account" in body(notice)
    with mail_app.state.crampcheck.sessions() as session:
        user = session.scalars(select(User).where(User.email == "taken@example.com")).one()
        assert accounts.verify_password(user.password_hash, PASSWORD), "left as it was"
    assert choose(mail_client, path_of(link_in(notice))).status_code == 303  # noqa: PLR2004

    (confirm,) = smtp_server.mailbox.to("new@example.com")
    assert "finish creating" in body(confirm).lower()


def test_a_new_account_signs_in_only_after_its_confirmation_link(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    sign_up_page(mail_client, "new@example.com")
    html = mail_client.get("/account/signin").text
    before = submit(
        mail_client,
        form_to(html, "/account/signin"),
        change={"email": "new@example.com", "password": PASSWORD},
    )
    assert before.status_code == 422, "a password alone would say the address was new"  # noqa: PLR2004
    assert "email address or password is not right" in before.text

    path = path_of(link_in(smtp_server.mailbox.to("new@example.com")[0]))
    page = mail_client.get(path).text
    wrong = submit(mail_client, form_to(page, path), change={"password": "not the password"})
    assert wrong.status_code == 422  # noqa: PLR2004
    page = mail_client.get(path).text
    done = submit(mail_client, form_to(page, path), change={"password": PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == "/diary?welcome=1"  # noqa: PLR2004
    assert mail_client.get("/diary").status_code == 200  # noqa: PLR2004
    assert mail_client.get(path).status_code == 410, "the link works once"  # noqa: PLR2004


# ---------------------------------------------------------------- appointment requests


def request_body(text: str, **changes: Any) -> dict[str, Any]:
    return {
        "name": "Ana Example",
        "phone": "(801) 555-0100",
        "email": "ana@example.org",
        "preferred_location": "sandy",
        "preferred_times": "weekday mornings",
        "consent_to_share": True,
        "check": {"text": text, "age": 45, "sex": "female"},
        **changes,
    }


def test_a_request_is_confirmed_to_the_patient_and_the_clinic_hears_only_of_urgent_ones(
    mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    calm = mail_client.post("/api/v1/appointment-requests", json=request_body(SELF_CARE_TEXT))
    assert calm.status_code == 201 and calm.json()["urgency"] == "self_care"  # noqa: PLR2004
    (confirmation,) = smtp_server.mailbox.to("ana@example.org")
    text = body(confirmation)
    assert "Dr. Elizabeth Auger, Podiatrist" in text and "(801) 845-3960" in text
    assert "What happens next" in text
    assert smtp_server.mailbox.to(CLINIC_ADDRESS) == []

    urgent = mail_client.post("/api/v1/appointment-requests", json=request_body(URGENT_TEXT))
    assert urgent.json()["urgency"] == "urgent"
    assert len(smtp_server.mailbox.to("ana@example.org")) == 2  # noqa: PLR2004
    (notice,) = smtp_server.mailbox.to(CLINIC_ADDRESS)
    assert link_in(notice) == f"{PUBLIC_URL}/staff"
    assert "Ana" not in body(notice) and "Example" not in notice["Subject"]


def test_a_request_sent_again_is_confirmed_once(
    mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    # a network retry of the same request (same idempotency key) is stored once and
    # must not mail the patient or the clinic a second time
    headers = {"Idempotency-Key": "7f1d2c9e-5b1a-4c1e-9d5e-2a4b6c8d0e1f"}
    first = mail_client.post(
        "/api/v1/appointment-requests", json=request_body(URGENT_TEXT), headers=headers
    )
    again = mail_client.post(
        "/api/v1/appointment-requests", json=request_body(URGENT_TEXT), headers=headers
    )
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert len(smtp_server.mailbox.to("ana@example.org")) == 1
    assert len(smtp_server.mailbox.to(CLINIC_ADDRESS)) == 1


def test_no_email_carries_clinical_detail(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    mail_client.post("/api/v1/appointment-requests", json=request_body(URGENT_TEXT))
    mail_client.post("/api/v1/appointment-requests", json=request_body(SELF_CARE_TEXT))
    make_account(mail_app)
    ask_reset(mail_client, "ana@example.com")
    sign_up_page(mail_client, "ana@example.com")
    sign_up_page(mail_client, "new@example.com")
    kinds = {m["Subject"] for m in smtp_server.mailbox.messages}
    assert len(smtp_server.mailbox.messages) == 6 and len(kinds) == 5  # noqa: PLR2004
    for message in smtp_server.mailbox.messages:
        assert_no_clinical_words(message["Subject"] + "\n" + body(message))
    notice = smtp_server.mailbox.to(CLINIC_ADDRESS)[0]
    assert "Ana Example" not in body(notice) and "801) 555" not in body(notice)


def test_the_appointment_form_sends_the_confirmation_too(
    mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    from tests.web.test_web_pages import SELF_CARE_TEXT as PAGE_TEXT
    from tests.web.test_web_pages import appointment_form

    html = appointment_form(mail_client, PAGE_TEXT)
    response = submit(
        mail_client,
        form_to(html, "/appointment"),
        change={
            "name": "Ben Example",
            "email": "ben@example.org",
            "preferred_location": "sandy",
            "consent_to_share": "yes",
        },
    )
    assert response.status_code == 303, response.text  # noqa: PLR2004
    (message,) = smtp_server.mailbox.to("ben@example.org")
    assert "received your appointment request" in body(message)


def test_with_the_smtp_server_down_the_request_is_still_saved(
    web_settings: Settings, pipeline: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from crampcheck.web.app import create_app

    down = SmtpServer("127.0.0.1", free_port(), mailbox=None)  # type: ignore[arg-type]
    settings = mail_settings(web_settings, down)
    upgrade(settings.effective_database_url)
    app = create_app(settings, pipeline)
    with caplog.at_level(logging.WARNING, "crampcheck.mail"), TestClient(app) as client:
        response = client.post("/api/v1/appointment-requests", json=request_body(URGENT_TEXT))
        assert response.status_code == 201, response.text  # noqa: PLR2004
        with app.state.crampcheck.sessions() as session:
            (row,) = session.scalars(select(AppointmentRequest))
            assert row.email == "ana@example.org"
        reset = ask_reset(client, "someone@example.com")
        assert reset.status_code == 200  # noqa: PLR2004
    app.state.crampcheck.engine.dispose()
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "email not sent: ConnectionRefusedError" in logged
    assert "ana@example.org" not in logged and "auger-podiatry.example" not in logged


# ---------------------------------------------------------------- TLS


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_email_goes_over_verified_tls(tmp_path: Path, mode: str) -> None:
    certificate = self_signed(tmp_path)
    context = server_context(certificate)
    options: dict[str, Any] = (
        {"tls_context": context, "require_starttls": True}
        if mode == "starttls"
        else {"ssl_context": context}
    )
    server_iter = run_server(**options)
    server = next(server_iter)
    try:
        mailer = Mailer(
            host=server.host,
            port=server.port,
            tls=mode,  # type: ignore[arg-type]
            username="",
            password="",
            sender="no-reply@auger-podiatry.example",
            ca_file=certificate.cert,
            timeout=10,
        )
        assert mailer.send(Email("ana@example.org", "Hello", "A test."))
        (message,) = server.mailbox.to("ana@example.org")
        assert body(message).strip() == "A test."
        untrusted = Mailer(**{**mailer.__dict__, "ca_file": None})
        assert not untrusted.send(Email("ana@example.org", "Hello", "Not sent.")), (
            "a certificate nobody vouches for is refused"
        )
        assert len(server.mailbox.to("ana@example.org")) == 1
    finally:
        next(server_iter, None)


def test_a_mail_password_is_never_sent_in_clear_to_another_machine(web_settings: Settings) -> None:
    with pytest.raises(ValueError, match="unencrypted"):
        Settings(
            **{
                **web_settings.model_dump(),
                "mail_host": "smtp.example.com",
                "mail_tls": "none",
                "mail_username": "crampcheck",
            }
        )


def test_the_api_sign_up_answers_alike_and_signs_nobody_in(
    mail_app: FastAPI, mail_client: TestClient, smtp_server: SmtpServer
) -> None:
    make_account(mail_app, "taken@example.com")
    answers = [
        mail_client.post("/api/v1/auth/signup", json={"email": email, "password": PASSWORD})
        for email in ("taken@example.com", "new@example.com")
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json() and "token" not in answers[0].json()
    assert SESSION not in mail_client.cookies
    assert len(smtp_server.mailbox.to("taken@example.com")) == 1
    assert len(smtp_server.mailbox.to("new@example.com")) == 1
    signin = mail_client.post(
        "/api/v1/auth/signin", json={"email": "new@example.com", "password": PASSWORD}
    )
    assert signin.status_code == 401  # noqa: PLR2004
