"""Accounts: sign-up, sign-in (throttled), sessions and password changes.

Passwords are hashed with argon2id. A session is a random token held by the client;
only its SHA-256 is stored, so a database leak does not hand out sessions. Messages
never tell whether an email address has an account.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources
from typing import NamedTuple, TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from crampcheck.domain.i18n import N_
from crampcheck.services import throttle
from crampcheck.services.input_errors import FieldError, add_unless_taken
from crampcheck.services.throttle import SignInCounters
from crampcheck.storage.tables import Episode, StaffMember, StaffSession, User, UserSession
from crampcheck.storage.times import aware as _aware

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256
SESSION_LIFETIME = timedelta(days=14)

SIGN_IN_FAILED = N_("The email address or password is not right.")
THROTTLED = N_("Too many attempts to sign in. Please wait 15 minutes and try again.")
SIGN_UP_THROTTLED = N_("Too many new accounts from here. Please wait 15 minutes and try again.")
SIGN_UP_FAILED = N_(
    "We could not create an account with these details. If you already have an account, "
    "sign in instead."
)

_hasher = PasswordHasher()  # argon2id with the library's recommended parameters
_DUMMY_HASH = _hasher.hash("a password that nobody has, used to even out timing")


class AccountError(FieldError):
    """Input the person can fix; ``field`` names the form field at fault."""


class ThrottledError(AccountError):
    """Too many failed sign-ins for this account or address."""


@cache
def common_passwords() -> frozenset[str]:
    """Passwords too common to allow (shipped with the project)."""
    text = (resources.files("crampcheck.services") / "data" / "common_passwords.txt").read_text(
        encoding="utf-8"
    )
    return frozenset(
        line.strip().lower() for line in text.splitlines() if line and not line.startswith("#")
    )


def normalise_email(email: str) -> str:
    """The address in canonical form, or :class:`AccountError` when it is not one."""
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise AccountError("email", N_("Please enter a valid email address.")) from None


def check_password(password: str, email: str | None = None) -> None:
    """Refuse passwords that are short, very long, common, or the email address itself."""
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(
            "password",
            N_("Please use a password of at least %(count)d characters."),
            count=PASSWORD_MIN_LENGTH,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError(
            "password",
            N_("Please use a password of at most %(count)d characters."),
            count=PASSWORD_MAX_LENGTH,
        )
    lowered = password.lower()
    if lowered in common_passwords() or (email and lowered in {email, email.split("@")[0]}):
        raise AccountError(
            "password",
            N_("That password is too common or too easy to guess; please choose another."),
        )


def count_sign_up(session: Session, client: str, now: datetime) -> None:
    """Count a sign-up from the network address ``client`` (in the caller's transaction):
    :class:`ThrottledError` once it has made too many."""
    counter = throttle.sign_up_counter(client)
    if throttle.reserve(session, counter, now) > counter.limit:
        raise ThrottledError("email", SIGN_UP_THROTTLED)


def sign_up(
    session: Session,
    email: str,
    password: str,
    now: datetime | None = None,
    *,
    client: str | None = None,
    confirmed: bool = True,
) -> User:
    """Create an account (in the caller's transaction), refusing an address that has one.

    The sign-up pages and API go through
    :func:`crampcheck.services.account_links.register` instead, which creates it with
    ``confirmed=False`` (no password sign-in until a link sent to the address is
    followed) and does not tell whether the address had an account; this is for callers
    that may know (the demo data, the tests).

    Sign-up attempts from one network address (``client``) are throttled: a long run of
    sign-ups is someone finding out which addresses have accounts, or filling the
    database. The password is hashed before the address is looked up, so that a refusal
    for an address that has an account takes as long as creating one (the security
    review's L7: 3.6 ms against 295 ms told them apart).
    """
    now = now or datetime.now(UTC)
    address = normalise_email(email)
    check_password(password, address)
    if client:
        count_sign_up(session, client, now)
    password_hash = hash_password(password)
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise AccountError("email", SIGN_UP_FAILED)
    user = User(
        id=str(uuid.uuid4()),
        email=address,
        password_hash=password_hash,
        created_at=now,
        password_changed_at=now,
        email_confirmed_at=now if confirmed else None,
    )
    # Another sign-up for the same address may win the race between the check above and
    # this insert.
    add_unless_taken(session, user, AccountError("email", SIGN_UP_FAILED))
    return user


class Attempt(NamedTuple):
    """What a password check found: whether it was right, and how many failed sign-ins
    the account has had in the current window after it (0 when it was right)."""

    right: bool
    account_failures: int


def check_credentials(
    session: Session,
    counters: SignInCounters,
    stored_hash: str | None,
    password: str,
    now: datetime,
) -> Attempt:
    """Verify a password under throttling: the attempt is counted first (so parallel
    attempts cannot slip past the limit), then :class:`ThrottledError` when a counter is
    over its limit; otherwise the attempt. A right password clears the account's counter
    and takes its attempt back from the address's, which keeps counting the guesses
    made from there at other accounts. ``stored_hash`` is None for an unknown account,
    which still costs one hash."""
    counts = [throttle.reserve(session, counter, now) for counter in counters.each()]
    if any(n > counter.limit for n, counter in zip(counts, counters.each(), strict=True)):
        raise ThrottledError("email", THROTTLED)
    if not verify_password(stored_hash, password):
        return Attempt(right=False, account_failures=counts[0])
    throttle.clear(session, counters.account)
    if counters.address is not None:
        throttle.refund(session, counters.address)
    return Attempt(right=True, account_failures=0)


def authenticate(
    session: Session, email: str, password: str, address: str | None, now: datetime | None = None
) -> User:
    """The account for these credentials; the same error for an unknown email, a wrong
    password, and an account whose address was never confirmed (a sign-up must not
    become a way to learn that the address was new), and :class:`ThrottledError` after
    too many failures."""
    now = now or datetime.now(UTC)
    try:
        canonical = normalise_email(email)
    except AccountError:
        raise AccountError("email", SIGN_IN_FAILED) from None
    user = session.scalar(select(User).where(User.email == canonical))
    counters = SignInCounters.for_sign_in(canonical, address)
    stored = user.password_hash if user else None
    right = check_credentials(session, counters, stored, password, now).right
    if not right or user is None or user.email_confirmed_at is None:
        raise AccountError("email", SIGN_IN_FAILED)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def hash_password(password: str) -> str:
    """The argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Whether the password matches; an unknown account (None) costs the same time."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password[:PASSWORD_MAX_LENGTH]) and (
            stored_hash is not None
        )
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def token_hash(token: str) -> str:
    """What is stored of a session token: its SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class StartedSession:
    """A new session, a person's or a staff member's: the token for the client, and when
    it expires."""

    token: str
    expires_at: datetime


def start_session(session: Session, user: User, now: datetime | None = None) -> StartedSession:
    """A fresh session token for this user (a new one at every sign-in); the user's
    expired sessions are removed at the same time."""
    now = now or datetime.now(UTC)
    session.execute(
        delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + SESSION_LIFETIME
    session.add(
        UserSession(
            token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=expires
        )
    )
    return StartedSession(token, expires)


SessionRow = TypeVar("SessionRow", UserSession, StaffSession)
PasswordHolder = TypeVar("PasswordHolder", User, StaffMember)


def live_session(
    session: Session, table: type[SessionRow], token: str | None, now: datetime | None = None
) -> SessionRow | None:
    """The stored session (a patient's or a staff member's) a token opens, or None: an
    unknown or oversized token, or one whose session expired (which is removed here)."""
    if not token or len(token) > 100:
        return None
    row = session.get(table, token_hash(token))
    if row is None:
        return None
    if _aware(row.expires_at) <= (now or datetime.now(UTC)):
        session.delete(row)
        return None
    return row


def user_for_session(
    session: Session, token: str | None, now: datetime | None = None
) -> User | None:
    """The signed-in user for a session token, or None (unknown or expired)."""
    row = live_session(session, UserSession, token, now)
    return None if row is None else session.get(User, row.user_id)


def drop_session(session: Session, table: type[SessionRow], token: str | None) -> None:
    """Sign out the stored session (a patient's or a staff member's) a token opens."""
    if token:
        session.execute(delete(table).where(table.token_hash == token_hash(token)))


def end_session(session: Session, token: str | None) -> None:
    """Sign out this session."""
    drop_session(session, UserSession, token)


def change_password(
    session: Session, user: User, current: str, new: str, now: datetime | None = None
) -> StartedSession:
    """Change the password, end every session, and start a new one for this client.
    Wrong current passwords count towards the account's sign-in throttle, so a stolen
    session cannot be used to guess the password."""
    now = now or datetime.now(UTC)
    replace_password(session, user, current, new, now, SignInCounters.for_sign_in(user.email, None))
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    return start_session(session, user, now)


def replace_password(
    session: Session,
    holder: PasswordHolder,
    current: str,
    new: str,
    now: datetime,
    counters: SignInCounters,
) -> None:
    """Give an account (a patient's or a staff member's) a new password: the current one
    is checked first under the account's sign-in throttle (``counters``), and the new one
    must meet the sign-up rules."""
    verify_current(session, counters, holder.password_hash, current, now)
    check_password(new, holder.email)
    holder.password_hash = hash_password(new)
    holder.password_changed_at = now


def verify_current(
    session: Session, counters: SignInCounters, stored_hash: str, current: str, now: datetime
) -> None:
    """Check the current password before a change, under the account's throttle:
    :class:`AccountError` (or :class:`ThrottledError`) on the ``current_password`` field."""
    try:
        right = check_credentials(session, counters, stored_hash, current, now).right
    except ThrottledError:
        raise ThrottledError("current_password", THROTTLED) from None
    if not right:
        raise AccountError("current_password", N_("The current password is not right."))


def delete_account(session: Session, user: User) -> None:
    """Delete the account and everything in it (a hard delete)."""
    session.execute(delete(Episode).where(Episode.user_id == user.id))
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))
    throttle.clear(session, throttle.account_counter(user.email, "acct"))
    session.delete(user)


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison for tokens."""
    return hmac.compare_digest(a.encode(), b.encode())
