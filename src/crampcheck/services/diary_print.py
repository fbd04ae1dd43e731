"""The episodes on the diary's summary for a doctor (``/diary/summary``), which prints on
one sheet of Letter paper: the last 8 weeks' episodes, each listed when there are few,
summed up week by week when there are many (a typical diary of 30 episodes would fill a
second page as a list). The patterns above them on the page are the diary's own per-kind
measurement (:func:`crampcheck.services.diary.patterns_by_kind`); this only says which
episodes the page lists, or how each week went.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy.orm import Session

from crampcheck.domain.diary import FEELS
from crampcheck.services.diary import list_episodes
from crampcheck.storage.tables import Episode
from crampcheck.storage.times import aware

PRINTED_WEEKS = 8
"""The weeks of episodes the summary shows: the last 4 weeks and the 4 before them, the
two periods its "more or less often" compares."""
LISTED_AT_MOST = 12
"""The most episodes listed one by one; more are summed up week by week, so the page
stays one sheet."""


@dataclass(frozen=True)
class PrintedWeek:
    """One of the last 8 weeks (from ``start``, a day of the person's zone): how many
    episodes of each kind, how many at night, the worst pain and the longest episode."""

    start: date
    episodes: int
    kinds: tuple[tuple[str, int], ...]
    """(kind, episodes) for each kind logged that week, in the diary's order of kinds."""
    night: int
    worst_pain: int | None
    longest_minutes: float | None


@dataclass(frozen=True)
class PrintedEpisodes:
    """What the summary shows of the last 8 weeks' episodes: ``listed`` (oldest first)
    when there are few, otherwise ``weeks`` (oldest first) and nothing listed."""

    total: int
    listed: tuple[Episode, ...]
    weeks: tuple[PrintedWeek, ...]


def printed_episodes(
    session: Session, user_id: str, now: datetime, zone: tzinfo
) -> PrintedEpisodes:
    """The last :data:`PRINTED_WEEKS` weeks of this person's diary for the summary,
    weeks counted back from ``now`` as the diary's charts count them, each labelled by
    its first day in ``zone``."""
    since = now - timedelta(weeks=PRINTED_WEEKS)
    found = list(reversed(list_episodes(session, user_id, since=since, limit=500)))
    if len(found) <= LISTED_AT_MOST:
        return PrintedEpisodes(len(found), tuple(found), ())
    return PrintedEpisodes(len(found), (), week_lines(found, now, zone))


def week_lines(episodes: list[Episode], now: datetime, zone: tzinfo) -> tuple[PrintedWeek, ...]:
    """Each of the last 8 weeks summed up (oldest first; a week without episodes too)."""
    lines = []
    for week in range(PRINTED_WEEKS):
        start = now - timedelta(weeks=PRINTED_WEEKS - week)
        end = start + timedelta(weeks=1)
        these = [e for e in episodes if start <= aware(e.started_at) < end]
        pains = [e.pain for e in these if e.pain is not None]
        lengths = [e.duration_minutes for e in these if e.duration_minutes is not None]
        kinds = tuple(
            (kind, count)
            for kind in FEELS
            if (count := sum(1 for e in these if (e.feel or "cramp") == kind))
        )
        lines.append(
            PrintedWeek(
                start=start.astimezone(zone).date(),
                episodes=len(these),
                kinds=kinds,
                night=sum(1 for e in these if e.at_night),
                worst_pain=max(pains, default=None),
                longest_minutes=max(lengths, default=None),
            )
        )
    return tuple(lines)
