"""Checks kept on the server: a draft is found by its token for a day; a result keeps
what was shown with a dated reference for 30 days, then its content is erased (the
address answers "gone") and after 90 more days it is forgotten. Only the token's SHA-256
is stored.

Runs on SQLite, and on PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from crampcheck.services import check_records
from crampcheck.services.check_records import (
    DRAFT_LIFETIME,
    FORGET_AFTER,
    RESULT_LIFETIME,
    ResultGone,
)
from crampcheck.storage.database import make_engine, session_factory, upgrade
from crampcheck.storage.tables import CheckDraft, CheckResultRecord

NOW = datetime(2026, 12, 7, 5, 30, tzinfo=UTC)
DENVER = ZoneInfo("America/Denver")
VIEW = {"urgency": "self_care", "heading": "You can usually look after this at home"}
STATE = {"text": "my calf cramped last night", "findings": {"swelling": "absent"}}


@pytest.fixture
def sessions(db_url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(db_url)
    engine: Engine = make_engine(db_url)
    yield session_factory(engine)
    engine.dispose()


def keep_result(sessions: sessionmaker[Session], now: datetime = NOW) -> tuple[str, str]:
    with sessions() as db, db.begin():
        return check_records.save_result(
            db,
            view=VIEW,
            state=STATE,
            urgency="self_care",
            kb_version="1",
            zone=DENVER,
            now=now,
        )


def test_a_draft_is_found_by_its_token_for_a_day(sessions: sessionmaker[Session]) -> None:
    with sessions() as db, db.begin():
        token = check_records.save_draft(db, STATE, now=NOW)
    with sessions() as db:
        assert check_records.load_draft(db, token, now=NOW) == STATE
        assert check_records.load_draft(db, token, now=NOW + DRAFT_LIFETIME) is None
        assert check_records.load_draft(db, token + "x", now=NOW) is None
        (stored,) = db.scalars(select(CheckDraft))
        assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in str(stored.state)


def test_saving_a_draft_removes_the_expired_ones(sessions: sessionmaker[Session]) -> None:
    with sessions() as db, db.begin():
        check_records.save_draft(db, STATE, now=NOW)
    with sessions() as db, db.begin():
        check_records.save_draft(db, STATE, now=NOW + DRAFT_LIFETIME + timedelta(seconds=1))
    with sessions() as db:
        assert len(list(db.scalars(select(CheckDraft)))) == 1


def test_a_result_keeps_what_was_shown_with_a_dated_reference(
    sessions: sessionmaker[Session],
) -> None:
    token, reference = keep_result(sessions)
    # 05:30 UTC on the 7th is still the 6th in Utah: the reference carries the local date
    assert re.fullmatch(r"CC-2026-12-06-[2-9A-HJKMNP-TV-Z]{4}", reference), reference
    assert len(token) >= 32
    with sessions() as db:
        found = check_records.load_result(db, token, now=NOW + timedelta(days=29))
        assert found is not None
        assert (found.reference, found.view, found.state) == (reference, VIEW, STATE)
        assert found.expires_at == NOW + RESULT_LIFETIME
        (row,) = db.scalars(select(CheckResultRecord))
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert check_records.load_result(db, "not-a-token", now=NOW) is None
        assert check_records.load_result(db, "", now=NOW) is None


def test_references_differ(sessions: sessionmaker[Session]) -> None:
    references = {keep_result(sessions)[1] for _ in range(30)}
    assert len(references) == 30


def test_an_expired_result_is_gone_and_its_content_erased(
    sessions: sessionmaker[Session],
) -> None:
    token, reference = keep_result(sessions)
    later = NOW + RESULT_LIFETIME
    with sessions() as db, pytest.raises(ResultGone):
        check_records.load_result(db, token, now=later)
    keep_result(sessions, now=later)  # any new result erases what expired ones held
    with sessions() as db:
        row = db.scalars(
            select(CheckResultRecord).where(CheckResultRecord.reference == reference)
        ).one()
        assert row.view is None and row.state is None
        with pytest.raises(ResultGone):
            check_records.load_result(db, token, now=later)
    keep_result(sessions, now=later + FORGET_AFTER + timedelta(seconds=1))
    with sessions() as db:
        assert check_records.load_result(db, token, now=later + FORGET_AFTER) is None
