"""Who is signed in: the session cookie (or a bearer token), and form tokens against CSRF.

A session is the random token from :func:`crampcheck.services.accounts.start_session`.
Browsers hold it in the ``crampcheck_session`` cookie (``HttpOnly``, ``SameSite=Lax``,
``Secure`` over HTTPS); API clients may send it as ``Authorization: Bearer <token>``.

Forms use the appointment form's scheme, a signed double-submit: the form carries
HMAC-SHA256(secret key, purpose + nonce). Before sign-in the nonce lives in an
``HttpOnly``, ``SameSite=Strict`` cookie of its own; once signed in the nonce is the
session itself (a hash of its token), so every form token is tied to the session and
dies with it. Another site can neither read the cookies nor compute the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from fastapi import Depends, HTTPException, Request, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from crampcheck.services.accounts import (
    SESSION_LIFETIME,
    StartedSession,
    user_for_session,
)
from crampcheck.storage.tables import User
from crampcheck.web.deps import get_state
from crampcheck.web.state import AppState

SESSION_COOKIE = "crampcheck_session"
FORM_COOKIE = "crampcheck_form"
FORM_COOKIE_PATH = "/account"
FORM_MAX_AGE = 2 * 60 * 60
CSRF_FIELD = "csrf_token"
NOT_SIGNED_IN = "Not signed in."
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def looks_like_token(value: str | None) -> bool:
    """Whether a cookie or header value has the shape of one of our tokens."""
    return value is not None and _TOKEN.match(value) is not None


def _https(request: Request) -> bool:
    return request.url.scheme == "https"


# ---------------------------------------------------------------- the session cookie


def cookie_token(request: Request) -> str | None:
    """The session token from the cookie, if it looks like one."""
    token = request.cookies.get(SESSION_COOKIE)
    return token if token and _TOKEN.match(token) else None


def bearer_token(request: Request) -> str | None:
    """The token from an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not _TOKEN.match(token):
        return None
    return token


def set_session_cookie(response: Response, request: Request, started: StartedSession) -> None:
    """Hand the browser its (new) session."""
    max_age = int(SESSION_LIFETIME.total_seconds())
    set_private_cookie(
        response, request, SESSION_COOKIE, started.token, max_age=max_age, path="/", samesite="lax"
    )


def clear_session_cookie(response: Response, request: Request) -> None:
    """Remove the session cookie from the browser."""
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=_https(request), httponly=True, samesite="lax"
    )


def client_address(request: Request) -> str | None:
    """The client's address (for sign-in throttling)."""
    return request.client.host if request.client else None


# ---------------------------------------------------------------- database sessions


def get_db(request: Request) -> Iterator[Session]:
    """A database session committed when the route returns (before the response is sent),
    rolled back when it raises."""
    state = get_state(request)
    with state.sessions() as session, session.begin():
        yield session


DbDep = Annotated[Session, Depends(get_db, scope="function")]


@dataclass(frozen=True)
class SignedIn:
    """The signed-in person and the session token that proved it."""

    user: User
    token: str
    via_cookie: bool


def signed_in(request: Request, db: Session) -> SignedIn | None:
    """The person a bearer token (first) or the session cookie belongs to, or None."""
    token = bearer_token(request)
    via_cookie = False
    if token is None:
        token = cookie_token(request)
        via_cookie = True
    if token is None:
        return None
    user = user_for_session(db, token)
    return SignedIn(user, token, via_cookie) if user is not None else None


def require_user(request: Request, db: DbDep) -> SignedIn:
    """The API's guard: the signed-in person, or 401."""
    who = signed_in(request, db)
    if who is None:
        raise HTTPException(401, NOT_SIGNED_IN, headers={"WWW-Authenticate": "Bearer"})
    return who


UserDep = Annotated[SignedIn, Depends(require_user)]


# ---------------------------------------------------------------- form tokens (CSRF)


def sign(state: AppState, purpose: str, nonce: str) -> str:
    """HMAC-SHA256 of purpose and nonce under the secret key (a form token)."""
    key = state.settings.secret_key.get_secret_value().encode()
    return hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).hexdigest()


def _session_nonce(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_csrf(state: AppState, token: str) -> str:
    """The form token for a signed-in session."""
    return sign(state, "session-form", _session_nonce(token))


def session_csrf_valid(state: AppState, token: str, form: FormData) -> bool:
    """Whether the form carries the token of this session."""
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), session_csrf(state, token).encode())


def form_nonce(request: Request) -> str | None:
    """The nonce of the signed-out form cookie, if it looks like one."""
    nonce = request.cookies.get(FORM_COOKIE)
    return nonce if nonce and _TOKEN.match(nonce) else None


def anonymous_csrf(request: Request, state: AppState) -> tuple[str, str]:
    """(nonce, token) for a form shown before sign-in (a new nonce when there is none)."""
    nonce = form_nonce(request) or secrets.token_urlsafe(32)
    return nonce, sign(state, "account-form", nonce)


def anonymous_csrf_valid(request: Request, state: AppState, form: FormData) -> bool:
    """Whether the form's token is the signature of the form cookie's nonce."""
    nonce = form_nonce(request)
    sent = form.get(CSRF_FIELD)
    if nonce is None or not isinstance(sent, str):
        return False
    return hmac.compare_digest(sent.encode(), sign(state, "account-form", nonce).encode())


def set_private_cookie(
    response: Response,
    request: Request,
    name: str,
    value: str,
    *,
    max_age: int,
    path: str,
    samesite: Literal["lax", "strict"] = "strict",
) -> None:
    """Set an ``HttpOnly`` cookie sent only below ``path`` (``Secure`` over HTTPS)."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=path,
        secure=_https(request),
        httponly=True,
        samesite=samesite,
    )


def set_form_cookie(response: Response, request: Request, nonce: str) -> None:
    """Keep the signed-out forms' nonce (only the account pages receive it)."""
    set_private_cookie(
        response, request, FORM_COOKIE, nonce, max_age=FORM_MAX_AGE, path=FORM_COOKIE_PATH
    )


def page_session(request: Request, state: AppState) -> dict[str, Any]:
    """What every page needs to know: whether a session cookie is held (no database
    look-up, so pages stay fast; a stale cookie is cleared by the first page that needs
    the account), and that session's form token."""
    token = cookie_token(request)
    return {
        "signed_in": token is not None,
        "session_csrf": session_csrf(state, token) if token else "",
    }
