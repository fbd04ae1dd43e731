"""No personal data in the server's log: `crampcheck serve`, at its default log level,
runs a whole flow (a check with free text, sign-up, a diary episode, appointment
requests, a clinician invited by the command line who chooses their password with the
link (a refused one first), then reads the request through the API, the pages, the FHIR
export and the summary PDF, and the errors people make on the way) and its stdout and
stderr must not contain the person's name, email address, phone number, password,
session token, invitation link or any of their own words."""

from __future__ import annotations

import re
import subprocess  # nosec B404 - the project's own command line
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.factories import choose_password, invitation_path
from tests.storage.test_durability import Server, server_env, server_factory  # noqa: F401 - fixture

NAME = "Quillonia Vexmarthe"
EMAIL = "quillonia.vexmarthe.7731@example.org"
PHONE = "+1 (555) 013-7946"
PASSWORD = "zanzibar-orchid-9917"
FREE_TEXT = (
    "My left calf seized while I was feeding Zephyrine the axolotl, "
    "it lasted ten minutes and still aches"
)
NOTES = "Marmalade-thimble evening, after the Gruyere tasting"
RACE_EMAIL = "ottoline.brackwater.5512@example.org"
RACERS = 8
PREFERRED_TIMES = "Thursdays after the Oboe-Wrangler rehearsal"


def forbidden(tokens: list[str]) -> list[str]:
    """What must never appear in the log, each searched case-insensitively."""
    words = [
        NAME,
        *NAME.split(),
        EMAIL,
        EMAIL.split("@")[0],
        PHONE,
        re.sub(r"\D", "", PHONE),
        "013-7946",
        PASSWORD,
        *tokens,
        STAFF_EMAIL,
        STAFF_PASSWORD,
        FREE_TEXT,
        "Zephyrine",
        "axolotl",
        NOTES,
        "Marmalade",
        "Gruyere",
        PREFERRED_TIMES,
        "Oboe-Wrangler",
        RACE_EMAIL,
        "ottoline",
        "brackwater",
        "$argon2",
    ]
    return [w for w in words if w]


STAFF_EMAIL = "periwinkle.osgood.4410@clinic.example"
STAFF_PASSWORD = "tamarind-lighthouse-5821"


def read_as_clinic_staff(http: httpx.Client, server: Server, request_id: str) -> list[str]:
    """A clinician, invited by the command line, chooses their password with the link
    (a common one refused first), then reads the request every way the clinic can: the
    API, the FHIR export, the request page and the summary PDF (WeasyPrint logs through
    ``logging``); one wrong password first. Returns the staff session tokens and the
    invitation's token."""
    invited = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-c",
            "import sys; from crampcheck.cli import main; sys.exit(main())",
            "staff",
            "invite",
            "--clinic",
            "auger-podiatry",
            "--role",
            "clinician",
            "--email",
            STAFF_EMAIL,
            "--name",
            "Periwinkle Osgood",
            "--base-url",
            server.base_url,
        ],
        env=server.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert invited.returncode == 0, invited.stderr
    link = invitation_path(invited.stdout)
    with httpx.Client(base_url=server.base_url, timeout=30.0) as browser:
        assert choose_password(browser, link, "password123").status_code == 422  # noqa: PLR2004
        assert choose_password(browser, link, STAFF_PASSWORD).status_code == 303  # noqa: PLR2004
        assert browser.get(link).status_code == 410  # noqa: PLR2004
    wrong = {"email": STAFF_EMAIL, "password": STAFF_PASSWORD + "x"}
    assert http.post("/api/staff/session", json=wrong).status_code == 401  # noqa: PLR2004
    session = http.post(
        "/api/staff/session", json={"email": STAFF_EMAIL, "password": STAFF_PASSWORD}
    )
    assert session.status_code == 200, session.text  # noqa: PLR2004
    token = session.json()["token"]
    staff = {"Authorization": f"Bearer {token}"}
    for path in ("", f"/{request_id}", f"/{request_id}/fhir"):
        assert http.get(f"/api/staff/requests{path}", headers=staff).status_code == 200  # noqa: PLR2004
    cookie = {"Cookie": f"crampcheck_staff={token}"}
    for path in ("", "/summary.pdf"):
        page = http.get(f"/staff/requests/{request_id}{path}", headers=cookie)
        assert page.status_code == 200, page.text[:300]  # noqa: PLR2004
    assert http.get("/staff", headers=cookie).status_code == 200  # noqa: PLR2004
    return [token, link.rsplit("/", 1)[1]]


def sign_up_racing(base_url: str) -> int:
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={"email": RACE_EMAIL, "password": PASSWORD},
        timeout=30.0,
    )
    return response.status_code


def test_the_log_holds_no_personal_data(tmp_path: Path, server_factory: list[Server]) -> None:  # noqa: F811
    log_file = tmp_path / "serve.log"
    server = Server(server_env(tmp_path / "data", None), log_file)
    server_factory.append(server)
    server.start()
    check = {"text": FREE_TEXT, "age": 41, "sex": "female"}

    with httpx.Client(base_url=server.base_url, timeout=30.0) as http:
        assert http.post("/api/v1/assess", json=check).status_code == 200  # noqa: PLR2004
        signed_up = http.post("/api/v1/auth/signup", json={"email": EMAIL, "password": PASSWORD})
        assert signed_up.status_code == 201, signed_up.text  # noqa: PLR2004
        # The same address again, a wrong password, then the right one.
        again = http.post("/api/v1/auth/signup", json={"email": EMAIL, "password": PASSWORD})
        assert again.status_code >= 400  # noqa: PLR2004
        wrong = http.post("/api/v1/auth/signin", json={"email": EMAIL, "password": PASSWORD + "x"})
        assert wrong.status_code == 401  # noqa: PLR2004
        right = http.post("/api/v1/auth/signin", json={"email": EMAIL, "password": PASSWORD})
        assert right.status_code == 200  # noqa: PLR2004
        # Signing in ended the sign-up's session (its cookie): the new token is the one.
        tokens = [signed_up.json()["token"], right.json()["token"]]
        token = tokens[1]
        bearer = {"Authorization": f"Bearer {token}"}
        episode = http.post(
            "/api/v1/episodes",
            json={"started_at": "2026-02-03T04:05:06Z", "site": "site_calf", "notes": NOTES},
            headers=bearer,
        )
        assert episode.status_code == 201, episode.text  # noqa: PLR2004
        future = http.post(
            "/api/v1/episodes",
            json={"started_at": "2099-01-01T00:00:00Z", "notes": NOTES},
            headers=bearer,
        )
        assert future.status_code == 422  # noqa: PLR2004
        assert http.get("/api/v1/episodes", headers=bearer).status_code == 200  # noqa: PLR2004
        assert http.get("/api/v1/export", headers=bearer).status_code < 500  # noqa: PLR2004
        appointment = {
            "name": NAME,
            "email": EMAIL,
            "phone": PHONE,
            "preferred_times": PREFERRED_TIMES,
            "consent_to_share": True,
            "check": check,
        }
        requested = http.post(
            "/api/v1/appointment-requests",
            json={**appointment, "share_diary": True},
            headers=bearer,
        )
        assert requested.status_code == 201, requested.text  # noqa: PLR2004
        staff_tokens = read_as_clinic_staff(http, server, requested.json()["id"])
        no_consent = http.post(
            "/api/v1/appointment-requests", json={**appointment, "consent_to_share": False}
        )
        assert no_consent.status_code == 422  # noqa: PLR2004
        bad_email = http.post("/api/v1/appointment-requests", json={**appointment, "email": NAME})
        assert bad_email.status_code == 422  # noqa: PLR2004
        # A body that is not JSON, and a session that does not exist.
        assert (
            http.post(
                "/api/v1/assess", content=FREE_TEXT, headers={"Content-Type": "application/json"}
            ).status_code
            == 422  # noqa: PLR2004
        )
    # Sign-ups for one address at once: all but one must fail, whatever the database says.
    with ThreadPoolExecutor(max_workers=RACERS) as pool:
        raced = list(pool.map(sign_up_racing, [server.base_url] * RACERS))
    assert raced.count(201) == 1, raced  # noqa: PLR2004
    unknown = httpx.get(  # no cookie here: a token that is no session's
        f"{server.base_url}/api/v1/episodes",
        headers={"Authorization": f"Bearer {'Vexmarthe' * 4}"},
        timeout=30.0,
    )
    assert unknown.status_code == 401  # noqa: PLR2004
    server.stop()

    log = log_file.read_text(errors="replace")
    assert "crampcheck serving on" in log  # the capture works
    leaks = [w for w in forbidden(tokens + staff_tokens) if w.lower() in log.lower()]
    assert not leaks, f"the log holds personal data: {leaks}\n{log[-3000:]}"
