"""Invitations (the security review's L8: an admin who chose a clinician's password could
sign in as them). A member added by an admin has no usable password until they choose
one with their one-time link; only the link's SHA-256 is stored; a link works once,
for 72 hours, and stops working when revoked, when a new one is issued and when its
member is deactivated; a new link for a member who forgot their password ends that
password and their sessions; signing in to an invited account costs what signing in to
an unknown address costs; every step is in the clinic's audit log, never the token.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.clinic import load_clinic
from crampcheck.services import accounts, audit, invitations, staff, throttle
from crampcheck.services.accounts import AccountError
from crampcheck.services.clinics import register_clinic
from crampcheck.services.invitations import INVITATION_LIFETIME, InvitationUnusable
from crampcheck.storage.database import make_engine, session_factory, upgrade
from crampcheck.storage.tables import AuditEvent, StaffInvitation, StaffMember, StaffSession

CLINIC = "auger-podiatry"
ADMIN = "ada.admin@clinic.example"
DOCTOR = "dana.doctor@clinic.example"
PASSWORD = "plum orbit lantern 42"
MEMBERS_OWN = "juniper dial 5 comet"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("fast_hashing")


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on a migrated database holding the clinic and its admin."""
    upgrade(db_url)
    engine: Engine = make_engine(db_url)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        register_clinic(session, load_clinic())
        staff.add_staff(
            session,
            clinic_id=CLINIC,
            email=ADMIN,
            name="Ada Admin",
            role="admin",
            password=PASSWORD,
        )
    yield factory
    engine.dispose()


def admin(session: Session) -> StaffMember:
    found = session.scalar(select(StaffMember).where(StaffMember.email == ADMIN))
    assert found is not None
    return found


def member(session: Session, email: str = DOCTOR) -> StaffMember:
    found = session.scalar(select(StaffMember).where(StaffMember.email == email))
    assert found is not None
    return found


def invite(
    sessions: sessionmaker[Session], email: str = DOCTOR, now: datetime = NOW
) -> invitations.IssuedInvitation:
    with sessions() as session, session.begin():
        return invitations.invite_staff(
            session,
            admin(session),
            clinic_id=CLINIC,
            email=email,
            name="Dana Doctor",
            role="clinician",
            address="203.0.113.7",
            now=now,
        )


def accept(
    sessions: sessionmaker[Session], token: str, password: str = MEMBERS_OWN, now: datetime = NOW
) -> StaffMember:
    with sessions() as session, session.begin():
        return invitations.accept_invitation(
            session, token, password, address="198.51.100.4", now=now
        )


def can_sign_in(sessions: sessionmaker[Session], email: str, password: str) -> bool:
    with sessions() as session, session.begin():
        try:
            staff.authenticate_staff(session, email, password, None, now=NOW)
        except AccountError:
            return False
        return True


def unusable(sessions: sessionmaker[Session], token: str, now: datetime = NOW) -> bool | None:
    """None when the link can be used; else whether it was once an invitation."""
    with sessions() as session:
        try:
            invitations.invitee(session, token, now=now)
        except InvitationUnusable as error:
            return error.known
    return None


def events(sessions: sessionmaker[Session], *actions: str) -> list[AuditEvent]:
    with sessions() as session:
        query = select(AuditEvent).order_by(AuditEvent.seq)
        if actions:
            query = query.where(AuditEvent.action.in_(actions))
        return list(session.scalars(query))


# ---------------------------------------------------------------- issuing


def test_an_invited_member_has_no_password_and_only_the_tokens_hash_is_stored(
    sessions: sessionmaker[Session],
) -> None:
    issued = invite(sessions)
    assert len(issued.token) >= 43, "256 random bits"  # noqa: PLR2004
    assert issued.expires_at == NOW + INVITATION_LIFETIME == NOW + timedelta(hours=72)
    with sessions() as session:
        dana = member(session)
        assert dana.password_hash == staff.NO_PASSWORD and not staff.has_password(dana)
        (row,) = session.scalars(select(StaffInvitation))
        assert row.token_hash == hashlib.sha256(issued.token.encode()).hexdigest()
        stored = [str(getattr(row, column.key)) for column in StaffInvitation.__table__.columns]
        assert not any(issued.token in value for value in stored), "the token is not kept"
    (event,) = events(sessions, "invite_staff")
    assert (event.staff_email, event.role, event.address) == (ADMIN, "admin", "203.0.113.7")
    assert event.detail is not None and "Dana Doctor" in event.detail and DOCTOR in event.detail
    assert "clinician" in event.detail and "2026-12-04 09:00 UTC" in event.detail
    assert issued.token not in event.detail


def test_an_invited_account_cannot_sign_in_with_any_password(
    sessions: sessionmaker[Session],
) -> None:
    invite(sessions)
    for guess in (PASSWORD, MEMBERS_OWN, staff.NO_PASSWORD, "", "!"):
        assert not can_sign_in(sessions, DOCTOR, guess), guess


def test_signing_in_to_an_invited_account_costs_what_an_unknown_address_costs(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counted, not timed: both verify one password against the same dummy hash, so
    neither the answer nor its time tells an invited account from no account."""
    invite(sessions)
    verified: list[str] = []
    real = accounts._hasher

    class Counting:
        """The hasher, noting each hash a password is verified against."""

        def verify(self, hash: str, password: str) -> bool:
            verified.append(hash)
            return real.verify(hash, password)

        def __getattr__(self, name: str) -> object:
            return getattr(real, name)

    monkeypatch.setattr(accounts, "_hasher", Counting())
    errors = []
    for email in (DOCTOR, "nobody@clinic.example"):
        with sessions() as session, session.begin():
            with pytest.raises(AccountError) as refused:
                staff.authenticate_staff(session, email, MEMBERS_OWN, None, now=NOW)
            errors.append(refused.value.message)
    assert verified == [accounts._DUMMY_HASH, accounts._DUMMY_HASH]
    assert errors == [accounts.SIGN_IN_FAILED] * 2


# ---------------------------------------------------------------- accepting


def test_the_member_chooses_their_password_once_and_is_audited(
    sessions: sessionmaker[Session],
) -> None:
    issued = invite(sessions)
    with sessions() as session:
        greeted = invitations.invitee(session, issued.token, now=NOW)
    assert (greeted.name, greeted.email, greeted.role) == ("Dana Doctor", DOCTOR, "clinician")
    accepted = accept(sessions, issued.token, now=NOW + timedelta(hours=1))
    assert accepted.email == DOCTOR
    assert can_sign_in(sessions, DOCTOR, MEMBERS_OWN)
    assert not can_sign_in(sessions, DOCTOR, PASSWORD), "the admin's password is not theirs"
    assert unusable(sessions, issued.token) is True
    with pytest.raises(InvitationUnusable) as again:
        accept(sessions, issued.token, "another fine password 7")
    assert again.value.known
    assert can_sign_in(sessions, DOCTOR, MEMBERS_OWN), "the second try changed nothing"
    (event,) = events(sessions, "accept_invitation")
    assert (event.staff_email, event.role, event.address) == (DOCTOR, "clinician", "198.51.100.4")
    assert event.detail and issued.token not in event.detail and MEMBERS_OWN not in event.detail
    with sessions() as session:
        (check,) = audit.verify(session, CLINIC)
        assert check.whole


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 10 characters"), ("password123", "too common"), (DOCTOR, "too common")],
)
def test_the_password_rules_apply_and_a_refused_password_leaves_the_link_working(
    sessions: sessionmaker[Session], password: str, message: str
) -> None:
    issued = invite(sessions)
    with pytest.raises(AccountError) as refused:
        accept(sessions, issued.token, password)
    assert message in refused.value.message
    assert unusable(sessions, issued.token) is None
    with sessions() as session:
        assert not staff.has_password(member(session))
    assert events(sessions, "accept_invitation") == []
    accept(sessions, issued.token)
    assert can_sign_in(sessions, DOCTOR, MEMBERS_OWN)


def test_a_link_stops_working_when_it_expires(sessions: sessionmaker[Session]) -> None:
    issued = invite(sessions)
    last_minute = NOW + INVITATION_LIFETIME - timedelta(minutes=1)
    assert unusable(sessions, issued.token, now=last_minute) is None
    expired = NOW + INVITATION_LIFETIME
    assert unusable(sessions, issued.token, now=expired) is True
    with pytest.raises(InvitationUnusable):
        accept(sessions, issued.token, now=expired)
    assert not can_sign_in(sessions, DOCTOR, MEMBERS_OWN)


def test_an_unknown_or_malformed_link_was_never_an_invitation(
    sessions: sessionmaker[Session],
) -> None:
    issued = invite(sessions)
    for token in (issued.token[:-1] + ("A" if issued.token[-1] != "A" else "B"), "", "x" * 500):
        assert unusable(sessions, token) is False
        with pytest.raises(InvitationUnusable):
            accept(sessions, token)


def test_a_revoked_link_stops_working_and_the_member_still_has_no_password(
    sessions: sessionmaker[Session],
) -> None:
    issued = invite(sessions)
    with sessions() as session, session.begin():
        dana = member(session)
        assert invitations.revoke_invitation(session, admin(session), dana, address="203.0.113.7")
        assert not invitations.revoke_invitation(session, admin(session), dana)
    assert unusable(sessions, issued.token) is True
    with pytest.raises(InvitationUnusable):
        accept(sessions, issued.token)
    assert not can_sign_in(sessions, DOCTOR, MEMBERS_OWN)
    (event,) = events(sessions, "revoke_invitation")
    assert event.staff_email == ADMIN and event.detail and DOCTOR in event.detail
    assert issued.token not in event.detail


def test_a_new_link_ends_the_old_one(sessions: sessionmaker[Session]) -> None:
    first = invite(sessions)
    with sessions() as session, session.begin():
        second = invitations.reissue_invitation(session, admin(session), member(session), now=NOW)
    assert second.token != first.token
    assert unusable(sessions, first.token) is True
    accept(sessions, second.token)
    assert can_sign_in(sessions, DOCTOR, MEMBERS_OWN)
    (event,) = events(sessions, "reissue_invitation")
    assert event.detail and "the earlier link no longer works" in event.detail
    assert first.token not in event.detail and second.token not in event.detail
    with sessions() as session:
        rows = session.scalars(select(StaffInvitation).order_by(StaffInvitation.created_at))
        assert [(r.used_at is None, r.revoked_at is None) for r in rows] == [
            (True, False),
            (False, True),
        ]


def test_a_forgotten_password_is_a_new_link_that_ends_the_password_and_the_sessions(
    sessions: sessionmaker[Session],
) -> None:
    accept(sessions, invite(sessions).token)
    with sessions() as session, session.begin():
        held = staff.start_staff_session(session, member(session), now=NOW).token
    with sessions() as session, session.begin():
        issued = invitations.reissue_invitation(session, admin(session), member(session), now=NOW)
    assert not can_sign_in(sessions, DOCTOR, MEMBERS_OWN), "the old password no longer works"
    with sessions() as session:
        assert staff.staff_for_session(session, held, now=NOW) is None
        assert session.scalars(select(StaffSession)).all() == []
    (event,) = events(sessions, "reissue_invitation")
    assert event.detail and "their password was removed and their sessions ended" in event.detail
    accept(sessions, issued.token, "a brand new one 88")
    assert can_sign_in(sessions, DOCTOR, "a brand new one 88")


def test_nobody_gives_themselves_a_new_link(sessions: sessionmaker[Session]) -> None:
    with sessions() as session, session.begin():
        me = admin(session)
        with pytest.raises(AccountError, match="change your own password"):
            invitations.reissue_invitation(session, me, me)
    assert can_sign_in(sessions, ADMIN, PASSWORD)


def test_a_deactivated_member_gets_no_link_and_their_link_stops_working(
    sessions: sessionmaker[Session],
) -> None:
    issued = invite(sessions)
    with sessions() as session, session.begin():
        staff.set_active(session, CLINIC, member(session).id, False)
    assert unusable(sessions, issued.token) is True
    with pytest.raises(InvitationUnusable):
        accept(sessions, issued.token)
    with sessions() as session, session.begin(), pytest.raises(AccountError, match="Activate"):
        invitations.reissue_invitation(session, admin(session), member(session))


def test_accepting_clears_the_accounts_count_of_failed_sign_ins(
    sessions: sessionmaker[Session],
) -> None:
    """Guesses at an invited account must not lock its member out once they chose."""
    issued = invite(sessions)
    for _ in range(throttle.MAX_FAILURES_PER_ACCOUNT):
        assert not can_sign_in(sessions, DOCTOR, "a guess at it 123")
    accept(sessions, issued.token)
    assert can_sign_in(sessions, DOCTOR, MEMBERS_OWN)


def test_the_open_invitations_are_listed_with_their_expiry(
    sessions: sessionmaker[Session],
) -> None:
    invite(sessions)
    invite(sessions, "late@clinic.example", now=NOW - timedelta(hours=80))
    accept(sessions, invite(sessions, "quick@clinic.example").token)
    with sessions() as session:
        waiting = invitations.open_invitations(session, CLINIC, now=NOW)
        assert [(i.member.email, i.expires_at, i.expired) for i in waiting] == [
            ("late@clinic.example", NOW - timedelta(hours=8), True),
            (DOCTOR, NOW + INVITATION_LIFETIME, False),
        ]
        assert invitations.open_invitations(session, "another-clinic", now=NOW) == []


def test_the_operator_invites_from_the_command_line_as_the_operator(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session, session.begin():
        issued = invitations.invite_staff(
            session, None, clinic_id=CLINIC, email=DOCTOR, name="Dana Doctor", role="clinician"
        )
        invitations.reissue_invitation(session, None, issued.member)
    found = events(sessions, "invite_staff", "reissue_invitation")
    assert [(e.action, e.role, e.staff_id) for e in found] == [
        ("invite_staff", "operator", "-"),
        ("reissue_invitation", "operator", "-"),
    ]
    assert all(e.staff_email.startswith("command line (") for e in found)


def test_an_address_that_has_an_account_is_not_invited_again(
    sessions: sessionmaker[Session],
) -> None:
    invite(sessions)
    with pytest.raises(AccountError, match="already exists"):
        invite(sessions, DOCTOR.upper())
    with sessions() as session:
        assert len(session.scalars(select(StaffInvitation)).all()) == 1
