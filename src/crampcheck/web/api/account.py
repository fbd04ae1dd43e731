"""The JSON API for accounts: sign up, sign in and out, change the password, delete.

A session is the ``crampcheck_session`` cookie (set by sign-up and sign-in) or the
``token`` of their response, sent as ``Authorization: Bearer <token>``. Password hashing
is slow on purpose, so these routes are plain ``def`` and run off the event loop.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, BackgroundTasks, Request, Response, status
from fastapi.responses import JSONResponse

from crampcheck.domain.times import aware as _utc
from crampcheck.services import account_links, accounts
from crampcheck.services.accounts import AccountError, StartedSession, ThrottledError
from crampcheck.storage.tables import User
from crampcheck.web.api.errors import (
    SIGN_IN_RESPONSES,
    ApiRoute,
    field_error,
    refused,
    throttled,
)
from crampcheck.web.api.schemas import (
    DeleteAccountIn,
    ErrorOut,
    PasswordIn,
    SessionOut,
    SignInIn,
    SignUpIn,
)
from crampcheck.web.auth import (
    DbDep,
    UserDep,
    clear_session_cookie,
    client_address,
    cookie_token,
    set_session_cookie,
)
from crampcheck.web.deps import StateDep
from crampcheck.web.mailing import CHECK_EMAIL, send_registration_email

router = APIRouter(prefix="/api/v1", route_class=ApiRoute, tags=["account"])

UNAUTHORIZED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorOut, "description": "Not signed in"}
}


def account_payload(user: User) -> dict[str, Any]:
    """The account as the API shows it."""
    return {"id": user.id, "email": user.email, "created_at": _utc(user.created_at)}


def session_payload(started: StartedSession, user: User) -> dict[str, Any]:
    """A new session as the API returns it (:class:`SessionOut` adds its token type)."""
    return {
        "token": started.token,
        "expires_at": started.expires_at,
        "account": account_payload(user),
    }


@router.post(
    "/auth/signup",
    response_model=SessionOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="sign_up",
    responses={
        202: {
            "model": ErrorOut,
            "description": "With email set up: check your email (whether or not the "
            "address had an account; nobody is signed in)",
        },
        429: {"model": ErrorOut, "description": "Too many sign-ups from this address"},
    },
)
def sign_up(
    body: SignUpIn,
    request: Request,
    response: Response,
    db: DbDep,
    state: StateDep,
    background: BackgroundTasks,
) -> Any:
    """Create an account. With email set up, the answer is 202 "check your email" whether
    or not the address had an account, and the emailed link finishes the account;
    without it, 201 with a session for a new address (an error for a taken one)."""
    if state.mailer.configured:
        try:
            done = account_links.register(
                db, body.email, body.password, client=client_address(request)
            )
        except AccountError as error:
            return refused(error, error.field)
        send_registration_email(background, state, done)
        return JSONResponse({"detail": CHECK_EMAIL}, status_code=202)
    try:
        user = accounts.sign_up(db, body.email, body.password, client=client_address(request))
    except AccountError as error:
        return refused(error, error.field)
    started = accounts.start_session(db, user)
    set_session_cookie(response, request, started)
    return session_payload(started, user)


@router.post(
    "/auth/signin",
    response_model=SessionOut,
    operation_id="sign_in",
    responses=SIGN_IN_RESPONSES,
)
def sign_in(body: SignInIn, request: Request, response: Response, db: DbDep) -> Any:
    """Sign in: a new session every time (the one this browser held ends).

    An unknown email address and a wrong password get the same answer.
    """
    try:
        user = accounts.authenticate(db, body.email, body.password, client_address(request))
    except AccountError as error:
        return refused(error)
    accounts.end_session(db, cookie_token(request))
    started = accounts.start_session(db, user)
    set_session_cookie(response, request, started)
    return session_payload(started, user)


@router.post(
    "/auth/signout",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="sign_out",
    responses=UNAUTHORIZED,
)
def sign_out(request: Request, who: UserDep, db: DbDep) -> Response:
    """End this session."""
    accounts.end_session(db, who.token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    if who.via_cookie:
        clear_session_cookie(response, request)
    return response


@router.post(
    "/auth/password",
    response_model=SessionOut,
    operation_id="change_password",
    responses={**UNAUTHORIZED, 429: {"model": ErrorOut, "description": "Too many attempts"}},
)
def change_password(
    body: PasswordIn, request: Request, response: Response, who: UserDep, db: DbDep
) -> Any:
    """Change the password. Every session of the account ends; a new one is returned."""
    try:
        started = accounts.change_password(db, who.user, body.current_password, body.new_password)
    except AccountError as error:
        return refused(error, "new_password" if error.field == "password" else error.field)
    if who.via_cookie:
        set_session_cookie(response, request, started)
    return session_payload(started, who.user)


@router.delete(
    "/account",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_account",
    responses={**UNAUTHORIZED, 429: {"model": ErrorOut, "description": "Too many attempts"}},
)
def delete_account(body: DeleteAccountIn, request: Request, who: UserDep, db: DbDep) -> Response:
    """Delete the account and its whole diary, for good (the password confirms it)."""
    try:
        accounts.authenticate(db, who.user.email, body.password, client_address(request))
    except ThrottledError as error:
        return throttled(error)
    except AccountError:
        return field_error("password", "The password is not right.")
    accounts.delete_account(db, who.user)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(response, request)
    return response
