"""Links sent by email to an account's address: a password reset, and the confirmation
that finishes a new account.

A link carries a random token (``secrets.token_urlsafe(32)``); only its SHA-256 is
stored, in ``account_tokens``. It works once and for a limited time: a reset for an
hour, a confirmation for a day. Nothing here logs or audits a token.

**Asking for a reset** (:func:`request_reset`) answers the same whether or not the
address has an account, and does the same work either way: the token is made and
hashed, the throttles counted, and only the row and the email depend on the account.
Requests are throttled per network address and per email address (counted whether or
not the address has an account, so the throttle itself tells nothing).

**Using a reset** (:func:`reset_password`) sets the new password under the sign-up
rules, ends every session of the account, uses up every reset link it had, and counts
as confirming the address (the person read an email sent to it).

**Signing up** (:func:`register`) answers the same whether or not the address has an
account (the security review's L7): a new address gets an account that cannot be signed
in to yet and a confirmation link; an address with an account gets a notice with a
reset link instead, and its account is left as it was. The password is hashed either
way. The confirmation page asks for the password chosen at sign-up, so someone who is
sent a link for an account they did not make cannot finish it for whoever made it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from crampcheck.domain.i18n import N_
from crampcheck.services import throttle
from crampcheck.services.accounts import (
    SIGN_UP_FAILED,
    THROTTLED,
    AccountError,
    StartedSession,
    ThrottledError,
    check_credentials,
    check_password,
    count_sign_up,
    hash_password,
    normalise_email,
    sign_up,
    start_session,
    token_hash,
)
from crampcheck.services.throttle import Counter, SignInCounters
from crampcheck.storage.tables import AccountToken, User, UserSession
from crampcheck.storage.times import aware

Purpose = Literal["reset", "confirm"]
LIFETIME: dict[Purpose, timedelta] = {
    "reset": timedelta(hours=1),
    "confirm": timedelta(hours=24),
}
MAX_RESETS_PER_EMAIL = 3
MAX_RESETS_PER_ADDRESS = 10
RESET_THROTTLED = N_("Too many reset requests. Please wait 15 minutes and try again.")
LINK_UNUSABLE = (
    "This link cannot be used: it was used already, or it is too old, or it was cut short. "
    "Ask for a new one."
)


class LinkUnusable(Exception):
    """The link is unknown, used, expired, or not for this purpose."""


@dataclass(frozen=True)
class Issued:
    """A link made for an account: the token to put in the email, and its account."""

    user: User
    token: str


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def _store(session: Session, user: User, purpose: Purpose, hashed: str, now: datetime) -> None:
    session.add(
        AccountToken(
            token_hash=hashed,
            user_id=user.id,
            purpose=purpose,
            created_at=now,
            expires_at=now + LIFETIME[purpose],
        )
    )


def issue(session: Session, user: User, purpose: Purpose, now: datetime | None = None) -> str:
    """A new link token of this purpose for the account (its hash stored)."""
    now = now or datetime.now(UTC)
    token, hashed = _new_token()
    _store(session, user, purpose, hashed, now)
    return token


def _reset_counters(email: str, client: str | None) -> list[Counter]:
    """The throttles a reset request counts against: its email address's (in the
    ``reset`` realm) and, when known, the network address's."""
    counters = [Counter(throttle.account_counter(email, "reset").key, MAX_RESETS_PER_EMAIL)]
    if client:
        counters.append(Counter(f"reset:addr:{client[:64]}", MAX_RESETS_PER_ADDRESS))
    return counters


def request_reset(
    session: Session, email: str, client: str | None, now: datetime | None = None
) -> Issued | None:
    """Ask for a reset link for ``email``: the link for its account, or None when the
    address has none. :class:`AccountError` for something that is not an address, and
    :class:`ThrottledError` after too many requests for it or from ``client``."""
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    counters = _reset_counters(address, client)
    counts = [throttle.reserve(session, counter, now) for counter in counters]
    if any(n > counter.limit for n, counter in zip(counts, counters, strict=True)):
        raise ThrottledError("email", RESET_THROTTLED)
    token, hashed = _new_token()  # made either way, so both answers do the same work
    user = session.scalar(select(User).where(User.email == address))
    if user is None:
        return None
    _store(session, user, "reset", hashed, now)
    return Issued(user, token)


def _find(session: Session, token: str, purpose: Purpose, now: datetime) -> AccountToken:
    if not token or len(token) > 100:
        raise LinkUnusable
    row = session.get(AccountToken, token_hash(token))
    if row is None or row.purpose != purpose or row.used_at is not None:
        raise LinkUnusable
    if aware(row.expires_at) <= now:
        raise LinkUnusable
    return row


def link_account(
    session: Session, token: str, purpose: Purpose, now: datetime | None = None
) -> User:
    """The account a usable link is for (nothing is written); :class:`LinkUnusable`."""
    row = _find(session, token, purpose, now or datetime.now(UTC))
    user = session.get(User, row.user_id)
    if user is None:
        raise LinkUnusable
    return user


def reset_password(
    session: Session, token: str, new_password: str, now: datetime | None = None
) -> User:
    """Set a new password with a reset link: every session of the account ends, and
    every reset link it had is used up. :class:`LinkUnusable`, or :class:`AccountError`
    for a password the rules refuse (the link then still works)."""
    now = now or datetime.now(UTC)
    row = _find(session, token, "reset", now)
    user = session.get(User, row.user_id)
    if user is None:
        raise LinkUnusable
    check_password(new_password, user.email)
    # Used up in one statement that only succeeds once, however many sends race.
    used = session.execute(
        update(AccountToken)
        .where(AccountToken.token_hash == row.token_hash, AccountToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(used, "rowcount", 0) != 1:
        raise LinkUnusable
    user.password_hash = hash_password(new_password)
    user.password_changed_at = now
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == "reset",
            AccountToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    throttle.clear(session, throttle.account_counter(user.email, "acct"))
    return user


def confirm_account(
    session: Session,
    token: str,
    password: str,
    client: str | None,
    now: datetime | None = None,
) -> StartedSession:
    """Finish a new account with its confirmation link and the password chosen at sign-up;
    a new session. The password is checked under the sign-in throttles; a wrong one
    leaves the link working (:class:`AccountError`)."""
    now = now or datetime.now(UTC)
    row = _find(session, token, "confirm", now)
    user = session.get(User, row.user_id)
    if user is None:
        raise LinkUnusable
    counters = SignInCounters.for_sign_in(user.email, client)
    try:
        right = check_credentials(session, counters, user.password_hash, password, now).right
    except ThrottledError:
        raise ThrottledError("password", THROTTLED) from None
    if not right:
        raise AccountError("password", N_("That is not the password you chose when signing up."))
    row.used_at = now
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    return start_session(session, user, now)


@dataclass(frozen=True)
class Registration:
    """What a sign-up did: ``created`` a new account (``token`` confirms it), or found
    the account the address already had (``token`` resets its password)."""

    user: User
    created: bool
    token: str


def register(
    session: Session,
    email: str,
    password: str,
    now: datetime | None = None,
    *,
    client: str | None = None,
) -> Registration:
    """Sign up without telling whether the address has an account: the same answer and
    the same work (one password hash, one link) either way. :class:`AccountError` for
    an address or password the rules refuse, :class:`ThrottledError` after too many
    sign-ups from ``client``."""
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    check_password(password, address)
    existing = session.scalar(select(User).where(User.email == address))
    if existing is None:
        try:
            user = sign_up(session, address, password, now, client=client, confirmed=False)
        except AccountError as error:
            if isinstance(error, ThrottledError) or error.message != SIGN_UP_FAILED:
                raise
            # Another sign-up for the address won the race: as if it had been there.
            existing = session.scalar(select(User).where(User.email == address))
            if existing is None:
                raise
        else:
            return Registration(user, True, issue(session, user, "confirm", now))
    else:
        if client:
            count_sign_up(session, client, now)
        hash_password(password)  # the same work as creating the account
    return Registration(existing, False, issue(session, existing, "reset", now))
