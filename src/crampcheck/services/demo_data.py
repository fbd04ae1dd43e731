"""Synthetic diaries for demonstrations and benchmarks - clearly marked as synthetic.

Every generated account uses an address at ``example.invalid`` (a domain that cannot
exist) and one shared, known password, and every episode's notes say "synthetic".
Rows are written in bulk (PostgreSQL: COPY; SQLite: batched inserts).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select

from crampcheck.domain.diary import ENTRY_FIELDS
from crampcheck.services.accounts import _hasher
from crampcheck.storage.database import make_engine, upgrade
from crampcheck.storage.tables import Episode, User

# Published, synthetic accounts only (bandit B105).
DEMO_PASSWORD = "synthetic diary password"  # nosec B105
DEMO_DOMAIN = "example.invalid"
SYNTHETIC_NOTE = "synthetic demo episode"
BATCH = 20_000

SITES = (
    ("site_calf", 0.5),
    ("site_foot", 0.25),
    ("site_thigh", 0.1),
    ("site_hand", 0.08),
    ("site_eyelid", 0.07),
)
ACTIVITIES = ("sleeping", "resting", "exercise", "walking", "working", "writing")
CONTEXTS = ("hot_environment", "low_fluid", "poor_sleep", "new_medicine", "stress", "caffeine")
TREATMENTS = ("stretching", "massage", "heat", "cold", "fluids", "nsaid")


@dataclass(frozen=True)
class DemoSummary:
    """What was written."""

    patients: int
    episodes: int
    seconds: float


def _weighted_site(rng: random.Random) -> str:
    roll = rng.random()
    total = 0.0
    for site, weight in SITES:
        total += weight
        if roll <= total:
            return site
    return SITES[0][0]


def _patient_episodes(
    rng: random.Random, user_id: str, count: int, now: datetime
) -> Iterator[dict[str, object]]:
    night_person = rng.random() < 0.5
    base_pain = rng.randint(2, 7)
    worsening = rng.random() < 0.2
    for _ in range(count):
        days_ago = rng.random() * 180
        started = now - timedelta(days=days_ago)
        if night_person and rng.random() < 0.7:
            started = started.replace(hour=rng.choice((1, 2, 3, 4, 23)))
        at_night = started.hour >= 22 or started.hour < 6
        pain = max(
            0,
            min(
                10,
                base_pain + rng.randint(-2, 2) + (int((180 - days_ago) / 60) if worsening else 0),
            ),
        )
        site = _weighted_site(rng)
        tried = rng.sample(TREATMENTS, k=rng.choice((0, 1, 1, 2)))
        yield {
            "user_id": user_id,
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "started_at": started,
            "created_at": started,
            "updated_at": started,
            "site": site,
            "side": rng.choice(("left", "right", None)),
            "duration_minutes": round(rng.lognormvariate(0.8, 0.7), 1),
            "pain": pain,
            "feel": "twitch" if site == "site_eyelid" else "cramp",
            "activity": "sleeping" if at_night else rng.choice(ACTIVITIES),
            "at_night": at_night,
            "context": rng.sample(CONTEXTS, k=rng.choice((0, 0, 1, 2))),
            "tried": tried,
            "helped": (rng.random() < 0.6) if tried else None,
            "notes": SYNTHETIC_NOTE,
            "check": None,
        }


def write_demo_data(url: str, patients: int, episodes: int, seed: int = 1) -> DemoSummary:
    """``crampcheck demo-data``: bring the database at ``url`` to the newest migration and
    write ``patients`` synthetic accounts with ``episodes`` episodes between them."""
    upgrade(url)
    engine = make_engine(url)
    try:
        return generate(engine, patients, episodes, seed=seed)
    finally:
        engine.dispose()


def generate(
    engine: Engine, patients: int, episodes: int, seed: int = 1, now: datetime | None = None
) -> DemoSummary:
    """Write ``patients`` synthetic accounts with ``episodes`` episodes between them."""
    import time

    started = time.perf_counter()
    now = now or datetime.now(UTC)
    # Reproducible synthetic data, not security (bandit B311).
    rng = random.Random(seed)  # nosec B311
    password_hash = _hasher.hash(DEMO_PASSWORD)
    with engine.connect() as connection:
        # Number after any synthetic accounts already there, so a second run adds more.
        first = (
            connection.scalar(
                select(func.count())
                .select_from(User)
                .where(User.email.like(f"demo-%@{DEMO_DOMAIN}"))
            )
            or 0
        )
    users = [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "email": f"demo-{first + i:07d}@{DEMO_DOMAIN}",
            "password_hash": password_hash,
            "created_at": now - timedelta(days=200),
            "password_changed_at": now - timedelta(days=200),
        }
        for i in range(patients)
    ]
    per_patient = [episodes // patients] * patients
    for i in range(episodes % patients):
        per_patient[i] += 1
    with engine.begin() as connection:
        connection.execute(insert(User), users)
    rows = (
        row
        for user, count in zip(users, per_patient, strict=True)
        for row in _patient_episodes(rng, str(user["id"]), count, now)
    )
    if engine.dialect.name == "postgresql":
        _copy_episodes(engine, rows)
    else:
        batch: list[dict[str, object]] = []
        with engine.begin() as connection:
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    connection.execute(insert(Episode), batch)
                    batch.clear()
            if batch:
                connection.execute(insert(Episode), batch)
    return DemoSummary(patients, episodes, time.perf_counter() - started)


COLUMNS = ("user_id", "id", "created_at", "updated_at", *ENTRY_FIELDS, "check")


def _copy_episodes(engine: Engine, rows: Iterator[dict[str, object]]) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        quoted = ", ".join(f'"{c}"' for c in COLUMNS)
        with cursor.copy(f"COPY episodes ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    [
                        json.dumps(row[c])
                        if c in ("context", "tried", "check") and row[c] is not None
                        else row[c]
                        for c in COLUMNS
                    ]
                )
        raw.commit()
    finally:
        raw.close()
