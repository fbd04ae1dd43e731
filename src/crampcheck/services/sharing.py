"""A patient's diary shared with a clinic, explicitly, until they revoke it.

Staff read a diary only while a share is active; revoking takes effect at once (the
next page a clinician opens no longer shows it).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck.services.clinics import get_clinic
from crampcheck.storage.tables import DiaryShare


def share_diary(
    session: Session, user_id: str, clinic_id: str, now: datetime | None = None
) -> DiaryShare:
    """Share the diary with the clinic (again, when it was revoked)."""
    now = now or datetime.now(UTC)
    share = session.get(DiaryShare, (clinic_id, user_id))
    if share is None:
        share = DiaryShare(clinic_id=clinic_id, user_id=user_id, shared_at=now, revoked_at=None)
        session.add(share)
    elif share.revoked_at is not None:
        share.shared_at = now
        share.revoked_at = None
    return share


def revoke_share(
    session: Session, user_id: str, clinic_id: str, now: datetime | None = None
) -> bool:
    """Stop sharing; False when the diary was not shared with this clinic."""
    share = session.get(DiaryShare, (clinic_id, user_id))
    if share is None or share.revoked_at is not None:
        return False
    share.revoked_at = now or datetime.now(UTC)
    return True


def is_shared(session: Session, user_id: str | None, clinic_id: str) -> bool:
    """Whether the clinic may read this person's diary now."""
    if user_id is None:
        return False
    share = session.get(DiaryShare, (clinic_id, user_id))
    return share is not None and share.revoked_at is None


def shares_of(session: Session, user_id: str) -> list[DiaryShare]:
    """Every clinic this person shares (or shared) their diary with."""
    return list(
        session.scalars(
            select(DiaryShare)
            .where(DiaryShare.user_id == user_id)
            .order_by(DiaryShare.shared_at.desc())
        )
    )


def sharing_rows(db: Session, user_id: str, public_clinic_id: str) -> dict[str, Any]:
    """What the account page shows about sharing: each share (``since`` and ``until``
    are the stored times, for the page to write in the person's zone and locale), and
    whether this site's clinic can be offered a new one."""
    rows = []
    active_ids = set()
    for share in shares_of(db, user_id):
        clinic = get_clinic(db, share.clinic_id)
        active = share.revoked_at is None
        if active:
            active_ids.add(share.clinic_id)
        rows.append(
            {
                "clinic_id": share.clinic_id,
                "clinic_name": clinic.name if clinic else share.clinic_id,
                "since": share.shared_at,
                "until": share.revoked_at,
                "active": active,
            }
        )
    return {"shares": rows, "can_share_public": public_clinic_id not in active_ids}
