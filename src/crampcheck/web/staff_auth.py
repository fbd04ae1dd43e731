"""Who on the clinic's staff is signed in, and what their role lets them do.

Staff hold their own session cookie, ``crampcheck_staff`` (``HttpOnly``,
``SameSite=Strict``, ``Secure`` over HTTPS, sent only to ``/staff``), separate from
patients' sessions; API clients send the token as ``Authorization: Bearer <token>``
to ``/api/staff``. Forms carry a token signed over the session (see
:mod:`crampcheck.web.auth`); the sign-in form's nonce lives in a cookie of its own.

Every guard answers 401 to someone not signed in as staff and 403 to a role without
the permission; a request of another clinic is a 404, as if it did not exist.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crampcheck.services.roles import Permission, allowed
from crampcheck.services.staff import (
    STAFF_SESSION_LIFETIME,
    end_staff_session,
    staff_for_session,
    start_staff_session,
)
from crampcheck.storage.tables import StaffMember
from crampcheck.web.auth import (
    CSRF_FIELD,
    DbDep,
    bearer_token,
    looks_like_token,
    set_private_cookie,
    sign,
)
from crampcheck.web.state import AppState

STAFF_COOKIE = "crampcheck_staff"
STAFF_FORM_COOKIE = "crampcheck_staff_form"
STAFF_PATH = "/staff"
FORM_MAX_AGE = 2 * 60 * 60
NOT_STAFF = "Not signed in as clinic staff."
FORBIDDEN = "Your role does not allow this."


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


def staff_cookie_token(request: Request) -> str | None:
    """The staff session token from the cookie, if it looks like one."""
    token = request.cookies.get(STAFF_COOKIE)
    return token if looks_like_token(token) else None


def set_staff_cookie(response: Response, request: Request, token: str) -> None:
    """Hand the browser its (new) staff session."""
    max_age = int(STAFF_SESSION_LIFETIME.total_seconds())
    set_private_cookie(response, request, STAFF_COOKIE, token, max_age=max_age, path=STAFF_PATH)


def begin_staff_session(
    response: Response, request: Request, db: Session, member: StaffMember
) -> None:
    """Sign ``member`` in on this browser: the session its cookie held ends (whoever's it
    was) and the cookie gets the new one."""
    end_staff_session(db, staff_cookie_token(request))
    set_staff_cookie(response, request, start_staff_session(db, member).token)


def clear_staff_cookie(response: Response, request: Request) -> None:
    """Remove the staff session cookie."""
    response.delete_cookie(
        STAFF_COOKIE, path=STAFF_PATH, secure=_https(request), httponly=True, samesite="strict"
    )


@dataclass(frozen=True)
class StaffSignedIn:
    """The signed-in staff member and the token that proved it."""

    member: StaffMember
    token: str

    def can(self, permission: Permission) -> bool:
        """Whether this member's role carries the permission."""
        return allowed(self.member.role, permission)


def staff_signed_in(request: Request, db: Session, *, cookie: bool) -> StaffSignedIn | None:
    """The staff member of the bearer token (API) or the staff cookie (pages), or None."""
    token = staff_cookie_token(request) if cookie else bearer_token(request)
    if token is None:
        return None
    member = staff_for_session(db, token)
    return StaffSignedIn(member, token) if member is not None else None


def require_staff_api(request: Request, db: DbDep) -> StaffSignedIn:
    """The staff API's guard: a staff bearer token, or 401."""
    who = staff_signed_in(request, db, cookie=False)
    if who is None:
        raise HTTPException(401, NOT_STAFF, headers={"WWW-Authenticate": "Bearer"})
    return who


StaffApiDep = Annotated[StaffSignedIn, Depends(require_staff_api)]


def require_permission(who: StaffSignedIn, permission: Permission) -> None:
    """403 unless the member's role carries the permission."""
    if not who.can(permission):
        raise HTTPException(403, FORBIDDEN)


# ---------------------------------------------------------------- form tokens (CSRF)


def staff_csrf(state: AppState, token: str) -> str:
    """The form token for a signed-in staff session."""
    return sign(state, "staff-form", token)


def staff_csrf_valid(state: AppState, token: str, form: FormData) -> bool:
    """Whether the form carries this staff session's token."""
    sent = form.get(CSRF_FIELD)
    return isinstance(sent, str) and hmac.compare_digest(
        sent.encode(), staff_csrf(state, token).encode()
    )


def signin_csrf(request: Request, state: AppState) -> tuple[str, str]:
    """(nonce, token) for the staff sign-in form (a new nonce when there is none)."""
    held = request.cookies.get(STAFF_FORM_COOKIE)
    nonce = held if held is not None and looks_like_token(held) else secrets.token_urlsafe(32)
    return nonce, sign(state, "staff-signin", nonce)


def signin_csrf_valid(request: Request, state: AppState, form: FormData) -> bool:
    """Whether the sign-in form's token signs the form cookie's nonce."""
    nonce = request.cookies.get(STAFF_FORM_COOKIE)
    sent = form.get(CSRF_FIELD)
    if not looks_like_token(nonce) or not isinstance(sent, str):
        return False
    expected = sign(state, "staff-signin", nonce or "")
    return hmac.compare_digest(sent.encode(), expected.encode())


def set_signin_cookie(response: Response, request: Request, nonce: str) -> None:
    """Keep the sign-in form's nonce (only the staff pages receive it)."""
    set_private_cookie(
        response, request, STAFF_FORM_COOKIE, nonce, max_age=FORM_MAX_AGE, path=STAFF_PATH
    )
