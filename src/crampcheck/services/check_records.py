"""Checks kept on the server, so that nothing is lost to reload, Back or Forward, and a
finished check can be reopened, printed and shared.

- A **draft** is a check in progress (the words, age and sex, and the answers so far). The
  describe step stores one and sends the browser to its address; reloading or coming
  back to that address shows the same step again. Drafts last a day.
- A **result** is a finished check as the person saw it: what the result page showed
  (``view``), the check itself (``state``), a dated reference such as
  ``CC-2026-12-06-7KQ2`` and an address that works for :data:`RESULT_LIFETIME`. When it
  expires, what it held is erased; the address then answers "gone" for a while longer,
  and after :data:`FORGET_AFTER` it is forgotten altogether.

Both are found by a random token that only the address holds: the database keeps its
SHA-256 (like a session token's), so a copy of the database opens no result.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, null, select, update
from sqlalchemy.orm import Session

from crampcheck.services.accounts import token_hash
from crampcheck.storage.tables import CheckDraft, CheckResultRecord
from crampcheck.storage.times import aware

DRAFT_LIFETIME = timedelta(days=1)
"""How long a check in progress is kept: long enough to finish it, short enough that
a description typed on a shared computer does not linger."""
RESULT_LIFETIME = timedelta(days=30)
"""How long a result's address works (stated on the result page)."""
FORGET_AFTER = timedelta(days=90)
"""How long after expiring an address still answers "this link has expired" (410)
instead of "not found" (404); its content is already erased."""
TOKEN_BYTES = 24
"""An address's randomness (192 bits): unguessable, and short enough to read out."""
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
"""Letters and digits that cannot be mistaken for one another when read aloud or
copied by hand (no 0/O, 1/I/L, U/V)."""
REFERENCE_LETTERS = 4
MAX_REFERENCE_TRIES = 20


@dataclass(frozen=True)
class StoredResult:
    """A result found by its address."""

    reference: str
    created_at: datetime
    expires_at: datetime
    urgency: str
    view: dict[str, Any]
    state: dict[str, Any]


class ResultGone(LookupError):
    """The address was a result's, but it has expired."""


# ---------------------------------------------------------------- drafts


def save_draft(session: Session, state: dict[str, Any], now: datetime | None = None) -> str:
    """Keep a check in progress; the token for its address. Expired drafts go first."""
    now = now or datetime.now(UTC)
    session.execute(delete(CheckDraft).where(CheckDraft.expires_at < now))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(
        CheckDraft(
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + DRAFT_LIFETIME,
            state=state,
        )
    )
    return token


def load_draft(session: Session, token: str, now: datetime | None = None) -> dict[str, Any] | None:
    """The check in progress at this address, or None (unknown or expired)."""
    now = now or datetime.now(UTC)
    draft = session.get(CheckDraft, token_hash(token))
    if draft is None or aware(draft.expires_at) <= now:
        return None
    return dict(draft.state)


# ---------------------------------------------------------------- results


def new_reference(session: Session, now: datetime, zone: ZoneInfo) -> str:
    """A dated reference not yet used: ``CC-`` the date (in ``zone``) and four letters."""
    day = now.astimezone(zone).date().isoformat()
    for _ in range(MAX_REFERENCE_TRIES):
        letters = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LETTERS))
        reference = f"CC-{day}-{letters}"
        taken = session.scalar(
            select(CheckResultRecord.token_hash).where(CheckResultRecord.reference == reference)
        )
        if taken is None:
            return reference
    raise RuntimeError("no free reference for today")  # 20 tries over 810,000 letters


def save_result(
    session: Session,
    *,
    view: dict[str, Any],
    state: dict[str, Any],
    urgency: str,
    kb_version: str,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> tuple[str, str]:
    """Keep a finished check as the person saw it; its token and reference. Expired
    results are erased (and long-expired ones forgotten) first."""
    now = now or datetime.now(UTC)
    purge_results(session, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    reference = new_reference(session, now, zone)
    session.add(
        CheckResultRecord(
            token_hash=token_hash(token),
            reference=reference,
            created_at=now,
            expires_at=now + RESULT_LIFETIME,
            urgency=urgency,
            kb_version=kb_version,
            view=view,
            state=state,
        )
    )
    return token, reference


def load_result(session: Session, token: str, now: datetime | None = None) -> StoredResult | None:
    """The result at this address; None when unknown, :class:`ResultGone` when expired."""
    now = now or datetime.now(UTC)
    if not token or len(token) > 100:
        return None
    record = session.get(CheckResultRecord, token_hash(token))
    if record is None:
        return None
    if aware(record.expires_at) <= now or record.view is None:
        raise ResultGone(record.reference)
    return StoredResult(
        reference=record.reference,
        created_at=aware(record.created_at),
        expires_at=aware(record.expires_at),
        urgency=record.urgency,
        view=dict(record.view),
        state=dict(record.state or {}),
    )


def purge_results(session: Session, now: datetime | None = None) -> None:
    """Erase what expired results held, and forget those expired long ago."""
    now = now or datetime.now(UTC)
    session.execute(
        update(CheckResultRecord)
        .where(CheckResultRecord.expires_at <= now, CheckResultRecord.view.is_not(None))
        .values(view=null(), state=null())
    )
    forgotten = now - FORGET_AFTER
    session.execute(delete(CheckResultRecord).where(CheckResultRecord.expires_at < forgotten))
