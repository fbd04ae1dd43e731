"""Times with their zone.

Every time crampcheck keeps is in UTC, and SQLite gives a stored time back without its
zone (PostgreSQL with one): a time without a zone is therefore taken to be UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime


def aware(moment: datetime) -> datetime:
    """``moment`` with its zone (UTC when it has none); an aware time is left as it is."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
