"""Throttles: counters of attempts in a fixed window, to slow down guessing.

A sign-in touches two counters: one for the account it names (by a hash of the address,
in its *realm*: patients and staff count apart) and one for the client's network address
(also per realm, so a flood of patients' failures never locks the clinic's staff out, and
the other way round). A correct password clears the account's counter only, never the
address's: otherwise one correct sign-in to an attacker's own account would reset the
count of their guesses at everyone else's (the security review's M3).

Sign-up has a counter per address of its own: every attempt counts, successful or not,
since a successful one says as much about which addresses have accounts as a refusal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crampcheck.storage.tables import LoginThrottle

WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20
MAX_SIGN_UPS_PER_ADDRESS = 10
_ADDRESS_CHARACTERS = 64  # an IPv6 address is at most 45; the key column holds 80


@dataclass(frozen=True)
class Counter:
    """One throttle counter: its key in the table and how many attempts it allows in a
    window."""

    key: str
    limit: int


def account_counter(email: str, realm: str) -> Counter:
    """The counter of failed sign-ins to one account (``realm`` ``acct`` for patients,
    ``staff`` for the clinic's staff)."""
    return Counter(
        f"{realm}:" + hashlib.sha256(email.encode()).hexdigest()[:64], MAX_FAILURES_PER_ACCOUNT
    )


def address_counter(address: str, realm: str) -> Counter:
    """The counter of failed sign-ins from one network address, in one realm."""
    return Counter(f"addr:{realm}:{address[:_ADDRESS_CHARACTERS]}", MAX_FAILURES_PER_ADDRESS)


def sign_up_counter(address: str) -> Counter:
    """The counter of sign-up attempts from one network address."""
    return Counter(f"signup:{address[:_ADDRESS_CHARACTERS]}", MAX_SIGN_UPS_PER_ADDRESS)


@dataclass(frozen=True)
class SignInCounters:
    """The counters one sign-in touches: the account's, and the address's when known."""

    account: Counter
    address: Counter | None

    @classmethod
    def for_sign_in(cls, email: str, address: str | None, realm: str = "acct") -> SignInCounters:
        """The counters for a sign-in to ``email`` from ``address`` in ``realm``."""
        return cls(
            account_counter(email, realm),
            address_counter(address, realm) if address else None,
        )

    def each(self) -> tuple[Counter, ...]:
        """Every counter this sign-in touches."""
        return (self.account,) if self.address is None else (self.account, self.address)


def reserve(session: Session, counter: Counter, now: datetime) -> int:
    """Count one attempt now, before the slow work it guards, and return the count in
    the current window (1 when this attempt opened a new one).

    One statement reads and writes the counter (an upsert that returns the new count),
    so attempts sent in parallel each see the count the others left: a count read first
    and written after a password check let 30 parallel guesses through a limit of 5 (the
    closing review of the throttles). The counter's row stays locked until the caller's
    transaction ends, so attempts on one counter take turns."""
    threshold = now - WINDOW
    expired = LoginThrottle.window_started_at < threshold
    insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(LoginThrottle)
        .values(key=counter.key, failures=1, window_started_at=now)
        .on_conflict_do_update(
            index_elements=[LoginThrottle.key],
            set_={
                "failures": case((expired, 1), else_=LoginThrottle.failures + 1),
                "window_started_at": case((expired, now), else_=LoginThrottle.window_started_at),
            },
        )
        .returning(LoginThrottle.failures)
    )
    return int(session.execute(statement).scalar_one())


def refund(session: Session, counter: Counter) -> None:
    """Take back an attempt :func:`reserve` counted that turned out not to be a failure
    (a right password does not count against its address)."""
    session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == counter.key, LoginThrottle.failures > 0)
        .values(failures=LoginThrottle.failures - 1)
    )


def clear(session: Session, counter: Counter) -> None:
    """Forget a counter (after a correct password for its account)."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == counter.key))
