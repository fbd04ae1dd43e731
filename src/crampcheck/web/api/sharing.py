"""The JSON API for sharing one's diary with a clinic, and revoking it.

A clinic's staff can read a patient's diary only while it is shared with that clinic;
revoking takes effect on their next page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, status
from fastapi.responses import Response
from pydantic import BaseModel

from crampcheck.domain.times import aware
from crampcheck.services.clinics import get_clinic
from crampcheck.services.sharing import revoke_share, share_diary, shares_of
from crampcheck.storage.tables import DiaryShare
from crampcheck.web.api.errors import ApiRoute
from crampcheck.web.api.inputs import PathId
from crampcheck.web.api.schemas import ErrorOut
from crampcheck.web.auth import DbDep, UserDep

router = APIRouter(prefix="/api/v1/account/shares", route_class=ApiRoute, tags=["account"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in"},
    404: {"model": ErrorOut, "description": "No such clinic, or not shared with it"},
}


class ShareOut(BaseModel):
    """A clinic the diary is (or was) shared with."""

    clinic_id: str
    clinic_name: str
    shared_at: datetime
    revoked_at: datetime | None
    active: bool


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return aware(moment)


def share_payload(share: DiaryShare, clinic_name: str) -> dict[str, Any]:
    """A share as the API shows it."""
    return {
        "clinic_id": share.clinic_id,
        "clinic_name": clinic_name,
        "shared_at": _utc(share.shared_at),
        "revoked_at": _utc(share.revoked_at),
        "active": share.revoked_at is None,
    }


@router.get("", response_model=list[ShareOut], operation_id="list_shares", responses=RESPONSES)
def list_shares(who: UserDep, db: DbDep) -> list[dict[str, Any]]:
    """Every clinic this account shares (or shared) its diary with."""
    result = []
    for share in shares_of(db, who.user.id):
        clinic = get_clinic(db, share.clinic_id)
        result.append(share_payload(share, clinic.name if clinic else share.clinic_id))
    return result


@router.put(
    "/{clinic_id}", response_model=ShareOut, operation_id="share_diary", responses=RESPONSES
)
def put_share(clinic_id: PathId, who: UserDep, db: DbDep) -> dict[str, Any]:
    """Share the diary with a clinic (again, after a revoke)."""
    clinic = get_clinic(db, clinic_id) if len(clinic_id) <= 64 else None
    if clinic is None:
        raise HTTPException(404, "There is no such clinic.")
    return share_payload(share_diary(db, who.user.id, clinic.id), clinic.name)


@router.delete(
    "/{clinic_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="revoke_share",
    responses=RESPONSES,
)
def delete_share(clinic_id: PathId, who: UserDep, db: DbDep) -> Response:
    """Stop sharing the diary with a clinic; its staff lose access at once."""
    if len(clinic_id) > 64 or not revoke_share(db, who.user.id, clinic_id):
        raise HTTPException(404, "The diary is not shared with this clinic.")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
