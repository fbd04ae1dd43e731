"""What many tests need made cheaply or built the same way, in one place."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crampcheck.services import accounts


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters (the tests only need hashing to be right, not slow)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy password for timing"))


@contextmanager
def postgres_schema(server_url: str, owner: str | None = None) -> Iterator[str]:
    """A URL whose search_path is a new, empty PostgreSQL schema (owned by ``owner``, if
    given) on the database of ``server_url``; the schema is dropped afterwards."""
    schema = f"test_{uuid.uuid4().hex[:16]}"
    authorization = f' AUTHORIZATION "{owner}"' if owner else ""
    admin = create_engine(server_url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"{authorization}'))
        url = make_url(server_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


INVITATION_LINK = re.compile(r"(https?://\S+?)?(/staff/invite/[A-Za-z0-9_-]{20,100})\s*$", re.M)


def invitation_path(output: str) -> str:
    """The path of the invitation link ``crampcheck staff invite`` printed."""
    found = INVITATION_LINK.search(output)
    assert found is not None, f"no invitation link in {output!r}"
    return found.group(2)


def choose_password(http: httpx.Client, path: str, password: str) -> httpx.Response:
    """Open an invitation link and choose the password with its form, as a browser with
    JavaScript off would: the answer (a 303 to the inbox, with the staff cookie)."""
    page = http.get(path)
    assert page.status_code == 200, page.text[:300]  # noqa: PLR2004
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None, "no form token on the invitation page"
    return http.post(
        path,
        data={"csrf_token": csrf.group(1), "password": password, "password_again": password},
        follow_redirects=False,
    )
