"""Accounts through the pages and the JSON API: sign-up, sign-in (rotated, throttled,
one message for every failure), sign-out, password change, CSRF on every form, and
account deletion that leaves nothing behind.

Runs on the ``client`` fixture of conftest.py (a fresh database of each backend).
Password hashing uses cheap argon2id parameters here so the tests stay fast; the
parameters are read from each stored hash, so the code under test is unchanged.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.testclient import TestClient

from crampcheck.services import accounts, throttle
from crampcheck.storage.tables import Base, Episode, LoginThrottle, User, UserSession
from tests.web.test_web_pages import form_to, forms_of, submit

PASSWORD = "plum orbit lantern 42"
NEW_PASSWORD = "quiet harbour violin 7"
SESSION = "crampcheck_session"


pytestmark = pytest.mark.usefixtures("fast_hashing")


# ---------------------------------------------------------------- helpers (shared with diary tests)


def page_sign_up(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Create an account with the sign-up page; the new session token."""
    html = client.get("/account/signup").text
    response = submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": email, "password": password, "password_again": password},
    )
    assert response.status_code == 303, response.text
    token: str = client.cookies[SESSION]
    return token


def page_sign_in(
    client: TestClient, email: str, password: str = PASSWORD, expect: int = 303
) -> Any:
    html = client.get("/account/signin").text
    response = submit(
        client, form_to(html, "/account/signin"), change={"email": email, "password": password}
    )
    assert response.status_code == expect, response.text
    return response


def api_sign_up(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Create an account with the API; its bearer token."""
    response = client.post("/api/v1/auth/signup", json={"email": email, "password": password})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def signed_in(client: TestClient, token: str | None = None) -> bool:
    """Whether the API accepts this client's cookie (or the bearer token)."""
    headers = bearer(token) if token else {}
    return client.get("/api/v1/episodes", headers=headers).status_code == 200


def fresh_client(app: FastAPI, base_url: str = "http://testserver") -> TestClient:
    return TestClient(app, base_url=base_url)


def rows(app: FastAPI, table: Any) -> list[Any]:
    with app.state.crampcheck.sessions() as session:
        return list(session.scalars(select(table)))


# ---------------------------------------------------------------- sign up, in and out


def test_sign_up_starts_a_session_in_a_safe_cookie(app: FastAPI) -> None:
    with fresh_client(app, "https://testserver") as client:
        html = client.get("/account/signup").text
        assert 'autocomplete="new-password"' in html and 'type="password"' in html
        response = submit(
            client,
            form_to(html, "/account/signup"),
            change={"email": "Ana@Example.com", "password": PASSWORD, "password_again": PASSWORD},
        )
        assert response.status_code == 303
        assert response.headers["location"].startswith("/diary")
        cookie = next(
            c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION + "=")
        )
        flags = {part.strip().lower() for part in cookie.split(";")}
        assert {"httponly", "secure", "samesite=lax", "path=/"} <= flags
        diary = client.get("/diary")
        assert diary.status_code == 200 and "My diary" in diary.text
        assert 'action="/account/signout"' in diary.text, "the navigation offers Sign out"
    (user,) = rows(app, User)
    assert user.email == "ana@example.com"
    assert user.password_hash.startswith("$argon2id$") and PASSWORD not in user.password_hash
    (session_row,) = rows(app, UserSession)
    assert client.cookies[SESSION] not in session_row.token_hash, "only a hash is stored"


def test_the_cookie_is_not_secure_over_plain_http(client: TestClient) -> None:
    html = client.get("/account/signup").text
    response = submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": "ana@example.com", "password": PASSWORD, "password_again": PASSWORD},
    )
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(SESSION))
    assert "secure" not in cookie.lower() and "httponly" in cookie.lower()


def test_sign_in_rotates_the_session_and_sign_out_ends_it(client: TestClient) -> None:
    first = page_sign_up(client, "ana@example.com")
    assert "Sign in" not in client.get("/").text.split("<main")[0]
    page_sign_in(client, "ana@example.com")
    second = client.cookies[SESSION]
    assert second != first, "a new session token at every sign-in"
    assert not signed_in(client, first), "the session the browser held before has ended"
    assert signed_in(client)

    html = client.get("/diary").text
    response = submit(client, form_to(html, "/account/signout"))
    assert response.status_code == 303
    assert SESSION not in client.cookies
    assert not signed_in(client, second), "sign-out ends the session on the server too"
    page = client.get(response.headers["location"]).text
    assert "You are signed out." in page
    assert 'href="/account/signin"' in page.split("<main")[0]
    redirect = client.get("/diary", follow_redirects=False)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == "/account/signin?next=/diary"


def test_api_sign_in_and_out_with_a_bearer_token(client: TestClient) -> None:
    api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    response = client.post(
        "/api/v1/auth/signin", json={"email": "ANA@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "token_type", "expires_at", "account"}
    assert body["token_type"] == "bearer" and body["account"]["email"] == "ana@example.com"
    token = body["token"]
    client.cookies.clear()
    assert signed_in(client, token)
    again = client.post(
        "/api/v1/auth/signin", json={"email": "ana@example.com", "password": PASSWORD}
    )
    assert again.json()["token"] != token
    client.cookies.clear()
    assert client.post("/api/v1/auth/signout", headers=bearer(token)).status_code == 204
    assert not signed_in(client, token)
    response = client.post("/api/v1/auth/signout", headers=bearer(token))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "Not signed in."}


def test_the_same_message_for_an_unknown_email_and_a_wrong_password(client: TestClient) -> None:
    page_sign_up(client, "ana@example.com")
    client.cookies.clear()
    wrong = page_sign_in(client, "ana@example.com", "not the password at all", expect=422)
    unknown = page_sign_in(client, "nobody@example.com", PASSWORD, expect=422)
    message = "The email address or password is not right."
    for response in (wrong, unknown):
        assert message in response.text
        assert 'aria-invalid="true"' in response.text
        assert "not the password at all" not in response.text, "a password is never shown"
    assert 'value="ana@example.com"' in wrong.text, "the email address typed is kept"
    assert 'value="nobody@example.com"' in unknown.text
    api = [
        client.post("/api/v1/auth/signin", json={"email": e, "password": p})
        for e, p in (("ana@example.com", "wrong password here"), ("nobody@example.com", PASSWORD))
    ]
    assert [r.status_code for r in api] == [401, 401]
    assert api[0].json() == api[1].json() == {"detail": message}


def test_sign_in_is_throttled_after_repeated_failures(client: TestClient) -> None:
    api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        page_sign_in(client, "ana@example.com", "wrong password guess", expect=422)
    # now even the right password is refused for a while, with the throttle's message
    throttled = page_sign_in(client, "ana@example.com", PASSWORD, expect=429)
    assert accounts.THROTTLED in throttled.text
    assert SESSION not in client.cookies
    api = client.post(
        "/api/v1/auth/signin", json={"email": "ana@example.com", "password": PASSWORD}
    )
    assert api.status_code == 429 and api.headers["retry-after"] == "900"
    assert api.json() == {"detail": accounts.THROTTLED}
    # an address without an account is throttled the same way, with the same message
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        page_sign_in(client, "nobody@example.com", "wrong password guess", expect=422)
    unknown = page_sign_in(client, "nobody@example.com", PASSWORD, expect=429)
    assert accounts.THROTTLED in unknown.text


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("password123", "too common"),
        ("qwertyuiop", "too common"),
        ("ana@example.com", "too common"),
    ],
)
def test_short_and_common_passwords_are_refused(
    client: TestClient, app: FastAPI, password: str, message: str
) -> None:
    html = client.get("/account/signup").text
    response = submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": "ana@example.com", "password": password, "password_again": password},
    )
    assert response.status_code == 422
    assert message in response.text
    assert 'id="password-error"' in response.text, "the message is beside the field"
    assert 'value="ana@example.com"' in response.text
    api = client.post(
        "/api/v1/auth/signup", json={"email": "ana@example.com", "password": password}
    )
    assert api.status_code == 422
    assert api.json()["detail"][0]["loc"] == ["body", "password"]
    assert rows(app, User) == []


def test_sign_up_form_problems_are_shown_beside_each_field(client: TestClient) -> None:
    html = client.get("/account/signup").text
    response = submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": "not an email", "password": PASSWORD, "password_again": "something else"},
    )
    assert response.status_code == 422
    page = response.text
    assert "Please enter a valid email address." in page
    assert "The two passwords are not the same." in page
    assert 'value="not an email"' in page
    assert page.count('aria-invalid="true"') == 2
    assert 'href="#email"' in page and 'href="#password_again"' in page
    assert PASSWORD not in page
    page_sign_up(client, "ana@example.com")
    client.cookies.clear()
    html = client.get("/account/signup").text
    taken = submit(
        client,
        form_to(html, "/account/signup"),
        change={"email": "ana@example.com", "password": PASSWORD, "password_again": PASSWORD},
    )
    assert taken.status_code == 422 and accounts.SIGN_UP_FAILED.replace("'", "&#39;") in taken.text


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_the_site(
    client: TestClient,
) -> None:
    page_sign_up(client, "ana@example.com")
    client.cookies.clear()
    redirect = client.get("/diary/patterns", follow_redirects=False)
    assert redirect.headers["location"] == "/account/signin?next=/diary/patterns"
    html = client.get(redirect.headers["location"]).text
    response = submit(
        client,
        form_to(html, "/account/signin"),
        change={"email": "ana@example.com", "password": PASSWORD},
    )
    assert response.headers["location"] == "/diary/patterns"
    for target in ("https://evil.example/", "//evil.example/diary", "/diary/../../x", "/learn"):
        client.cookies.clear()
        html = client.get("/account/signin", params={"next": target}).text
        response = submit(
            client,
            form_to(html, "/account/signin"),
            change={"email": "ana@example.com", "password": PASSWORD},
        )
        assert response.headers["location"] == "/diary", target


# ---------------------------------------------------------------- changing the password


def test_a_password_change_ends_every_session(client: TestClient, app: FastAPI) -> None:
    first = page_sign_up(client, "ana@example.com")
    with fresh_client(app) as other:
        page_sign_in(other, "ana@example.com")
        other_token = other.cookies[SESSION]
    api_token = client.post(
        "/api/v1/auth/signin", json={"email": "ana@example.com", "password": PASSWORD}
    ).json()["token"]
    current = client.cookies[SESSION]
    assert current != first

    html = client.get("/account/password").text
    form = form_to(html, "/account/password")
    wrong = submit(
        client,
        form,
        change={
            "current_password": "not my password",
            "new_password": "short",
            "new_password_again": "short",
        },
    )
    assert wrong.status_code == 422
    assert "at least 10 characters" in wrong.text and "not my password" not in wrong.text
    wrong = submit(
        client,
        form,
        change={
            "current_password": "not my password",
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 422 and "The current password is not right." in wrong.text
    assert signed_in(client), "a failed change ends nothing"

    response = submit(
        client,
        form,
        change={
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_again": NEW_PASSWORD,
        },
    )
    assert response.status_code == 303
    renewed = client.cookies[SESSION]
    assert renewed not in (first, current, other_token, api_token)
    for old in (current, other_token, api_token):
        assert not signed_in(fresh_client(app), old), "every earlier session has ended"
    assert signed_in(client), "this browser has a new session"
    assert "Your password was changed" in client.get(response.headers["location"]).text
    client.cookies.clear()
    page_sign_in(client, "ana@example.com", PASSWORD, expect=422)
    page_sign_in(client, "ana@example.com", NEW_PASSWORD)


def test_api_password_change(client: TestClient, app: FastAPI) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    body = {"current_password": PASSWORD, "new_password": "password123"}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "new_password"]
    body = {"current_password": "wrong one entirely", "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.json()["detail"][0]["loc"] == ["body", "current_password"]
    body = {"current_password": PASSWORD, "new_password": NEW_PASSWORD}
    response = client.post("/api/v1/auth/password", json=body, headers=bearer(token))
    assert response.status_code == 200
    assert SESSION not in client.cookies, "a bearer client gets no cookie"
    new_token = response.json()["token"]
    assert not signed_in(client, token) and signed_in(client, new_token)
    assert client.post("/api/v1/auth/password", json=body).status_code == 401


# ---------------------------------------------------------------- CSRF


def test_sign_up_and_sign_in_need_the_form_token(client: TestClient, app: FastAPI) -> None:
    data = {"email": "ana@example.com", "password": PASSWORD, "password_again": PASSWORD}
    response = client.post("/account/signup", data=data)
    assert response.status_code == 400 and "security check did not match" in response.text
    client.get("/account/signup")  # the form cookie alone is not enough
    response = client.post("/account/signup", data={**data, "csrf_token": "0" * 64})
    assert response.status_code == 400
    assert rows(app, User) == []
    page_sign_up(client, "ana@example.com")
    client.cookies.clear()
    response = client.post(
        "/account/signin", data={"email": "ana@example.com", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert SESSION not in client.cookies


def test_signed_in_forms_need_the_token_of_their_own_session(
    client: TestClient, app: FastAPI
) -> None:
    page_sign_up(client, "ana@example.com")
    with fresh_client(app) as other:
        page_sign_up(other, "ben@example.com")
        others_token = csrf_of(other.get("/account/password").text)
    own = csrf_of(client.get("/account/password").text)
    assert own != others_token
    attempts = [
        (
            "/account/password",
            {
                "current_password": PASSWORD,
                "new_password": NEW_PASSWORD,
                "new_password_again": NEW_PASSWORD,
            },
        ),
        ("/account/delete", {"password": PASSWORD}),
        ("/account/timezone", {"tz": "Europe/London"}),
        ("/diary/new", {"when": "now"}),
        ("/account/signout", {}),
    ]
    before = {u.id: u.password_hash for u in rows(app, User)}
    for path, data in attempts:
        for token in (None, "0" * 64, others_token):
            sent = data if token is None else {**data, "csrf_token": token}
            response = client.post(path, data=sent)
            assert response.status_code == 400, (path, token)
            assert "security check did not match" in response.text
    assert {u.id: u.password_hash for u in rows(app, User)} == before
    assert rows(app, Episode) == []
    assert signed_in(client), "no form without the right token signed anyone out"
    assert "crampcheck_tz" not in client.cookies
    response = client.post(
        "/diary/new", data={"when": "now", "csrf_token": own}, follow_redirects=False
    )
    assert response.status_code == 303


# ---------------------------------------------------------------- the account page and deletion


def test_the_account_page_links_every_download_and_deletion(client: TestClient) -> None:
    page_sign_up(client, "ana@example.com")
    html = client.get("/account").text
    assert "ana@example.com" in html
    for href in (
        "/account/password",
        "/account/timezone",
        "/account/export/json",
        "/account/export/csv",
        "/account/export/fhir",
        "/account/delete",
    ):
        assert f'href="{href}"' in html
    assert client.get("/account/export/xml").status_code == 404


def test_time_zone_is_chosen_and_checked(client: TestClient) -> None:
    page_sign_up(client, "ana@example.com")
    html = client.get("/account/timezone").text
    assert '<option value="America/Denver">' in html
    bad = submit(client, form_to(html, "/account/timezone"), change={"tz": "Mars/Olympus"})
    assert bad.status_code == 422
    assert "Please choose a time zone" in bad.text and 'value="Mars/Olympus"' in bad.text
    good = submit(client, form_to(html, "/account/timezone"), change={"tz": "America/Denver"})
    assert good.status_code == 303
    assert "America/Denver" in client.get("/account").text


@pytest.mark.parametrize("zone", ["localtime", "posixrules", "Factory", "posix/Europe/London"])
def test_a_time_zone_that_is_not_a_place_is_neither_offered_nor_kept(
    client: TestClient, zone: str
) -> None:
    page_sign_up(client, "ana@example.com")
    html = client.get("/account/timezone").text
    assert f'<option value="{zone}">' not in html
    bad = submit(client, form_to(html, "/account/timezone"), change={"tz": zone})
    assert bad.status_code == 422 and "Please choose a time zone" in bad.text
    assert "crampcheck_tz" not in bad.headers.get("set-cookie", "")
    client.cookies.set("crampcheck_tz", zone)  # kept by an older version: ignored
    assert f'value="{zone}"' not in client.get("/account/timezone").text


def every_row(app: FastAPI) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table, as plain data."""
    found: dict[str, list[dict[str, Any]]] = {}
    with app.state.crampcheck.sessions() as session:
        for table in Base.metadata.sorted_tables:
            found[table.name] = [dict(r._mapping) for r in session.execute(table.select())]
    return found


def mentions(row: dict[str, Any], needles: list[str]) -> bool:
    return any(needle in str(value) for value in row.values() for needle in needles)


def test_deleting_the_account_leaves_no_row_behind(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    token = csrf_of(client.get("/diary/new").text)
    for when in ("now", "last_night", "this_morning"):
        client.post("/diary/new", data={"when": when, "site": "site_calf", "csrf_token": token})
    with fresh_client(app) as second_device:
        page_sign_in(second_device, "ana@example.com")
        page_sign_in(second_device, "ana@example.com", "a wrong password guess", expect=422)
    with fresh_client(app) as other:
        page_sign_up(other, "ben@example.com")
        other.post(
            "/diary/new", data={"when": "now", "csrf_token": csrf_of(other.get("/diary/new").text)}
        )
    (ana,) = [u for u in rows(app, User) if u.email == "ana@example.com"]
    account_key = next(r.key for r in rows(app, LoginThrottle) if r.key.startswith("acct:"))
    needles = [ana.id, ana.email, account_key]
    assert sum(mentions(r, needles) for t in every_row(app).values() for r in t) >= 7

    html = client.get("/account/delete").text
    assert "cannot be undone" in html
    wrong = submit(client, form_to(html, "/account/delete"), change={"password": "not it at all"})
    assert wrong.status_code == 422 and "That password is not right." in wrong.text
    assert len(rows(app, User)) == 2, "a wrong password deletes nothing"
    response = submit(client, form_to(html, "/account/delete"), change={"password": PASSWORD})
    assert response.status_code == 303
    assert SESSION not in client.cookies
    assert (
        "Your account and your diary were deleted." in client.get(response.headers["location"]).text
    )

    left = every_row(app)
    for table, table_rows in left.items():
        assert not [r for r in table_rows if mentions(r, needles)], table
    assert [u.email for u in rows(app, User)] == ["ben@example.com"], "others keep theirs"
    assert len(rows(app, Episode)) == 1
    page_sign_in(client, "ana@example.com", expect=422)


def test_deleting_the_account_through_the_api(client: TestClient, app: FastAPI) -> None:
    token = api_sign_up(client, "ana@example.com")
    client.cookies.clear()
    episode = {"started_at": "2025-01-02T03:04:05Z", "site": "site_calf", "pain": 4}
    assert client.post("/api/v1/episodes", json=episode, headers=bearer(token)).status_code == 201
    response = client.request(
        "DELETE", "/api/v1/account", json={"password": "wrong password"}, headers=bearer(token)
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
    assert (
        client.request("DELETE", "/api/v1/account", json={"password": PASSWORD}).status_code == 401
    )
    response = client.request(
        "DELETE", "/api/v1/account", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert response.status_code == 204
    assert not signed_in(client, token)
    installation_tables = {"login_throttle", "clinics"}  # no personal data in either
    for table, table_rows in every_row(app).items():
        assert table_rows == [] or table in installation_tables, table
    assert not [r for r in rows(app, LoginThrottle) if r.key.startswith("acct:")]


# ---------------------------------------------------------------- pages that need a session


@pytest.mark.parametrize(
    "path",
    [
        "/account",
        "/account/password",
        "/account/delete",
        "/account/timezone",
        "/account/export/json",
    ],
)
def test_account_pages_need_a_session(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/account/signin?next={path}"


def test_a_stale_session_cookie_is_dropped(client: TestClient) -> None:
    client.cookies.set(SESSION, "x" * 43)
    response = client.get("/diary", follow_redirects=False)
    assert response.status_code == 303
    assert any(
        c.startswith(f"{SESSION}=") and "max-age=0" in c.lower()
        for c in response.headers.get_list("set-cookie")
    )


def test_sign_in_and_sign_up_pages_have_one_heading_and_labels(client: TestClient) -> None:
    for path in ("/account/signin", "/account/signup"):
        html = client.get(path).text
        assert html.count("<h1") == 1
        for name in ("email", "password"):
            assert f'<label for="{name}">' in html and f'id="{name}"' in html
        assert len(forms_of(html)) == 1
        assert '<script src="/static/tz.js" defer></script>' in html


def test_a_lost_sign_up_race_is_refused_not_crashed(tmp_path: Path) -> None:
    """Two sign-ups for one address at once: the loser gets the usual refusal, and its
    transaction stays usable (the insert is undone on a savepoint)."""
    from unittest import mock

    from sqlalchemy import func, select

    from crampcheck.services import accounts
    from crampcheck.storage.database import make_engine, session_factory, transaction, upgrade
    from crampcheck.storage.tables import User

    url = f"sqlite:///{tmp_path / 'race.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    factory = session_factory(engine)
    with transaction(factory) as session:
        accounts.sign_up(session, "race@example.com", "correct horse battery")
    with transaction(factory) as session:
        real_scalar = session.scalar
        with (
            mock.patch.object(session, "scalar", return_value=None),
            pytest.raises(accounts.AccountError) as refused,
        ):
            accounts.sign_up(session, "race@example.com", "another horse battery")
        assert refused.value.message == accounts.SIGN_UP_FAILED
        assert real_scalar(select(func.count()).select_from(User)) == 1
    engine.dispose()
