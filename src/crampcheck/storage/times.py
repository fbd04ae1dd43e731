"""Times as they come back from the database: see :func:`crampcheck.domain.times.aware`
(every time is stored in UTC, and SQLite gives it back without a zone)."""

from __future__ import annotations

from crampcheck.domain.times import aware

__all__ = ["aware"]
