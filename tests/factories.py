"""What many tests need made cheaply or built the same way, in one place."""

from __future__ import annotations

import re

import httpx
import pytest
from argon2 import PasswordHasher

from crampcheck.services import accounts


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters (the tests only need hashing to be right, not slow)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy password for timing"))


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
