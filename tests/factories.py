"""What many tests need made cheaply or built the same way, in one place."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from crampcheck.services import accounts


def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters (the tests only need hashing to be right, not slow)."""
    hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    monkeypatch.setattr(accounts, "_DUMMY_HASH", hasher.hash("dummy password for timing"))
