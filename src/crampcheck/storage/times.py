"""Times as they come back from the database."""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    """A stored time with its zone: every time is stored in UTC, and SQLite gives it
    back without a zone (PostgreSQL with one)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
