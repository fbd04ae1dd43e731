"""Sending the same appointment request twice stores it once.

A request carries an idempotency key: the appointment form makes one when it is shown
(a hidden field), and an API client sends its own (the ``Idempotency-Key`` header or
the ``idempotency_key`` field). The key is unique per clinic in the database, so of two
requests with one key (Back and send again, a double tap, a retry after a lost answer)
only the first is stored, even when both arrive at once; the second is answered with the
first's confirmation.

With the key, the request's fingerprint is stored (SHA-256 of everything that was sent),
so a key sent again with a *different* request can be told from a repeat: the form then
says the first was kept, and the API refuses the second (the key must be new).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.storage.tables import AppointmentRequest

if TYPE_CHECKING:
    from crampcheck.services.appointments import RequestInput
    from crampcheck.services.check_steps import Given

KEY_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{8,64}$")
"""An idempotency key: 8 to 64 letters, digits and ``_ . : -`` (a UUID fits)."""

KEY_MESSAGE = (
    "The idempotency key must be 8 to 64 letters, digits and the characters _ . : - "
    "(a UUID, for example)."
)


def valid_key(key: str) -> bool:
    """Whether ``key`` is a well-formed idempotency key."""
    return KEY_PATTERN.fullmatch(key) is not None


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    return value


def fingerprint(data: RequestInput, given: Given, *, user_id: str | None, share_diary: bool) -> str:
    """SHA-256 of everything a request was sent with, in one canonical form."""
    sent = {
        "form": _plain(asdict(data)),
        "check": {
            "text": given.text,
            "age": given.age,
            "sex": given.sex.value if given.sex else None,
            "answers": _plain({k: v.value for k, v in given.answers.items()}),
            "values": _plain(dict(given.values)),
        },
        "user_id": user_id,
        "share_diary": share_diary,
    }
    canonical = json.dumps(sent, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def find_by_key(session: Session, clinic_id: str, key: str) -> AppointmentRequest | None:
    """The request this clinic already stored with ``key``, or None."""
    return session.scalar(
        select(AppointmentRequest).where(
            AppointmentRequest.clinic_id == clinic_id,
            AppointmentRequest.idempotency_key == key,
        )
    )
