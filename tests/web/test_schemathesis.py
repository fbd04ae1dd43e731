"""The whole OpenAPI document, fuzzed with schemathesis: every operation of the JSON API
gets generated valid and invalid requests, anonymous, signed in as a patient and signed
in as clinic staff; every response must
be free of server errors and match what the document promises (status code, content
type, headers, body), and invalid requests must be refused with a 4xx.

The application is created in-process on a SQLite database in a temporary directory
(after ``upgrade``) and called through schemathesis's ASGI transport, so no server runs.
Generation is derandomized and the example database is off, so each run sends the same
requests and a failure reproduces.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    ignored_auth,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crampcheck.services import throttle
from crampcheck.services.pipeline import Pipeline
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from crampcheck.web.auth import SESSION_COOKIE
from tests.conftest import TEST_SECRET
from tests.factories import cheap_password_hashing

with warnings.catch_warnings():
    from starlette.exceptions import StarletteDeprecationWarning

    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

pytestmark = pytest.mark.slow

EXAMPLES = 50
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
    # Invalid requests must be refused (4xx), and a session must matter where documented.
    negative_data_rejection,
    ignored_auth,
]
PASSWORD = "correct horse battery staple"
# These end the session they are sent with (or every session of the account), so each
# example gets an account of its own instead of the shared one.
ENDS_SESSIONS = {"sign_out", "change_password", "delete_account"}
FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)


class Api:
    """The application under test, a client of our own for sign-ups, and a shared account."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.numbers = itertools.count(1)
        self.shared_token = self.sign_up()

    def sign_up(self) -> str:
        email = f"fuzz{next(self.numbers)}@example.com"
        response = self.client.post(
            "/api/v1/auth/signup", json={"email": email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        self.client.cookies.clear()
        return token

    def staff_token(self, role: str = "clinician") -> str:
        """A new session of a staff member of the app's clinic (a new member each time)."""
        from crampcheck.services.staff import add_staff, start_staff_session

        state = self.client.app.state.crampcheck  # type: ignore[attr-defined]
        with state.sessions() as session, session.begin():
            member = add_staff(
                session,
                clinic_id=state.clinic.id,
                email=f"staff{next(self.numbers)}@clinic.example",
                name="Fuzz Staff",
                role=role,
                password=PASSWORD,
            )
            return start_staff_session(session, member).token

    def appointment_request(self) -> str:
        """The id of a new appointment request to the app's clinic."""
        response = self.client.post(
            "/api/v1/appointment-requests",
            json={
                "name": "Fuzz Patient",
                "phone": "(801) 555-0100",
                "consent_to_share": True,
                "check": {"text": "Calf cramps most nights for a month."},
            },
        )
        assert response.status_code == 201, response.text
        request_id: str = response.json()["id"]
        return request_id

    def episode(self) -> str:
        """The id of a new episode of the shared account."""
        response = self.client.post(
            "/api/v1/episodes",
            json={"started_at": datetime.now(UTC).isoformat(), "site": "site_calf"},
            headers={"authorization": f"Bearer {self.shared_token}"},
        )
        assert response.status_code == 201, response.text
        episode_id: str = response.json()["id"]
        return episode_id


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, pipeline: Pipeline) -> Iterator[Api]:
    from crampcheck.web.app import create_app

    tmp = tmp_path_factory.mktemp("schemathesis")
    web_settings = Settings(
        environment="test",
        secret_key=TEST_SECRET,
        data_dir=tmp / "data",
        database_url=f"sqlite:///{tmp / 'db' / 'crampcheck.sqlite3'}",
        clinic_file=None,
        emergency_number="911",
        max_body_bytes=64 * 1024,
    )
    with pytest.MonkeyPatch.context() as patch:
        cheap_password_hashing(patch)
        # Every generated sign-up comes from one test client; the sign-up throttle has
        # its own tests (tests/services/test_sign_up_privacy.py).
        patch.setattr(throttle, "MAX_SIGN_UPS_PER_ADDRESS", 1_000_000)
        upgrade(web_settings.effective_database_url)
        app = create_app(web_settings, pipeline)
        with TestClient(app) as client:
            yield Api(client)
        app.state.crampcheck.engine.dispose()


@pytest.fixture(scope="module")
def api_schema(api: Api) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", api.client.app)


def operations(api_schema: Any) -> list[schemathesis.APIOperation]:
    found = [result.ok() for result in api_schema.get_all_operations()]
    assert len(found) >= 20, "the document lost operations"
    return found


# Called before each request with the operation id, the generation mode and the case; may
# adjust the case, and returns the headers to send.
Prepare = Callable[[str, GenerationMode, schemathesis.Case], dict[str, str]]
Seen = set[tuple[str, str, int]]


def fuzz(
    operation: schemathesis.APIOperation, mode: GenerationMode, prepare: Prepare, seen: Seen
) -> None:
    """Send generated requests to one operation; the first failing check raises."""
    operation_id = operation.definition.raw.get("operationId", operation.label)

    @FUZZ
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: schemathesis.Case) -> None:
        headers = prepare(operation_id, mode, case)
        response = case.call_and_validate(headers=headers, checks=CHECKS)
        seen.add((operation_id, mode.value, response.status_code))

    try:
        run()
    except Unsatisfiable:
        # Nothing of the request can be made invalid (no body, no constrained parameter).
        if mode is not GenerationMode.NEGATIVE:
            raise


def fuzz_all(api_schema: Any, prepare: Prepare) -> Seen:
    """Every operation, with valid and with invalid requests; all failures are reported
    together. Returns (operation id, mode, status code) of every response."""
    failures = []
    seen: Seen = set()
    for operation in operations(api_schema):
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                fuzz(operation, mode, prepare, seen)
            except Exception as error:  # noqa: BLE001 - collected and reported below
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
    return seen


def statuses(seen: Seen, operation_id: str) -> set[int]:
    return {status for op, _mode, status in seen if op == operation_id}


def test_the_document_covers_the_api(api_schema: Any) -> None:
    paths = api_schema.raw_schema["paths"]
    assert "/api/v1/assess" in paths and "/api/v1/episodes/{episode_id}" in paths
    assert "/healthz" in paths
    assert not any(p.startswith("/account") for p in paths), "pages stay out of the document"


@pytest.mark.parametrize(
    "query", ["since=0", "until=0.0", "since=1700000000", "until=2025-01-20", "since=yesterday"]
)
def test_times_in_the_query_must_be_dates_and_times(api: Api, query: str) -> None:
    """Found by the fuzzing: a number was read as seconds since 1970 (until=0.0 was
    1 January 1970) and a bare date as midnight, although the document says date-time."""
    response = api.client.get(
        f"/api/v1/episodes?{query}", headers={"authorization": f"Bearer {api.shared_token}"}
    )
    assert response.status_code == 422, response.text


@pytest.mark.parametrize("started_at", [0, 1700000000, "1700000000", "2025-01-20"])
def test_an_episode_time_must_be_a_date_and_time(api: Api, started_at: object) -> None:
    response = api.client.post(
        "/api/v1/episodes",
        json={"started_at": started_at},
        headers={"authorization": f"Bearer {api.shared_token}"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", "started_at"]


def test_anonymous(api_schema: Any) -> None:
    seen = fuzz_all(api_schema, lambda _operation_id, _mode, _case: {})
    for operation_id in ("list_episodes", "get_episode", "diary_patterns", "export_data"):
        assert statuses(seen, operation_id) == {401}, operation_id
    assert 200 in statuses(seen, "assess") and 200 in statuses(seen, "knowledge_findings")


def test_signed_in(api_schema: Any, api: Api) -> None:
    examples = itertools.count()

    def prepare(operation_id: str, mode: GenerationMode, case: schemathesis.Case) -> dict[str, str]:
        alternate = next(examples) % 2 == 0
        signing_up = operation_id == "sign_up" and isinstance(case.body, dict)
        if mode is GenerationMode.POSITIVE and signing_up:
            # A real, unused email address and a password that is not a common one: rules
            # the document cannot state. Every positive sign-up gets them, so a new account
            # is made however many examples the operations before it took.
            number = next(api.numbers)
            case.body["email"] = f"fuzz-signup{number}@example.com"
            case.body["password"] = f"fuzzed sign-up password {number}"
        if mode is GenerationMode.POSITIVE and alternate:
            # Rules the document cannot state (a time within the last ten years, an
            # episode that exists) would otherwise turn nearly every generated request
            # away before it reaches the handler's main path.
            if isinstance(case.body, dict) and "started_at" in case.body:
                case.body["started_at"] = (datetime.now(UTC) - timedelta(days=1)).isoformat()
            if "episode_id" in (case.path_parameters or {}):
                case.path_parameters["episode_id"] = api.episode()
        if operation_id in ENDS_SESSIONS:
            # A session cookie, as a browser sends it, of an account of its own.
            return {"cookie": f"{SESSION_COOKIE}={api.sign_up()}"}
        return {"authorization": f"Bearer {api.shared_token}"}

    seen = fuzz_all(api_schema, prepare)
    expected = {
        "sign_up": 201,
        "sign_out": 204,
        "create_episode": 201,
        "list_episodes": 200,
        "get_episode": 200,
        "update_episode": 200,
        "delete_episode": 204,
        "diary_patterns": 200,
        "export_data": 200,
    }
    for operation_id, status in expected.items():
        assert status in statuses(seen, operation_id), (operation_id, statuses(seen, operation_id))


STAFF_ENDS_SESSION = {"staff_sign_out"}


def test_staff_signed_in(api_schema: Any, api: Api) -> None:
    """Every operation with a clinician's bearer token: the staff API works, and every
    patient operation treats the staff token as no session at all."""
    examples = itertools.count()
    token = api.staff_token()

    def prepare(operation_id: str, mode: GenerationMode, case: schemathesis.Case) -> dict[str, str]:
        alternate = next(examples) % 2 == 0
        owned = "request_id" in (case.path_parameters or {})
        if mode is GenerationMode.POSITIVE and alternate and owned:
            case.path_parameters["request_id"] = api.appointment_request()
        if operation_id in STAFF_ENDS_SESSION:
            return {"authorization": f"Bearer {api.staff_token()}"}
        return {"authorization": f"Bearer {token}"}

    seen = fuzz_all(api_schema, prepare)
    for operation_id in ("staff_inbox", "staff_get_request", "staff_request_fhir"):
        assert 200 in statuses(seen, operation_id), (operation_id, statuses(seen, operation_id))
    assert 204 in statuses(seen, "staff_sign_out")
    for operation_id in ("list_episodes", "diary_patterns", "export_data", "list_shares"):
        assert statuses(seen, operation_id) == {401}, operation_id
