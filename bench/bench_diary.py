"""Diary at clinic-network scale: load time, one patient's patterns, one patient's export.

    .venv/bin/python bench/bench_diary.py [--patients 10000] [--episodes 1000000]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/crampcheck_test]

Loads synthetic diaries (``crampcheck demo-data``'s generator) into a fresh SQLite file
and, when a PostgreSQL URL is given, into a fresh schema there; then times one patient's
pattern computation and export, against a baseline in the same run (fetching that
patient's row by primary key). To show that the cost follows one patient's episodes and
not the table, it times the same patient again after adding a tenth more episodes to
*other* patients, and a patient with ten times more episodes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select, text

from _common import machine_info
from crampcheck.knowledge import default_knowledge
from crampcheck.services import demo_data, diary, export
from crampcheck.services.accounts import sign_up
from crampcheck.storage.database import make_engine, session_factory, upgrade
from crampcheck.storage.tables import Episode, User

TARGET_LOAD_S = 60.0
TARGET_PATTERNS_MS = 20.0


def _ms(times: list[float]) -> float:
    return statistics.median(times) * 1000


def _timed(function: Callable[[], object], repeats: int = 15) -> list[float]:
    function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def _patient_with(engine: Engine, episodes: int) -> str:
    """A new patient with exactly ``episodes`` episodes (for the growth comparison)."""
    from datetime import UTC, datetime, timedelta

    factory = session_factory(engine)
    with factory() as session, session.begin():
        user = sign_up(
            session,
            f"growth-{episodes}-{time.time_ns()}@example.com",
            "synthetic growth password",
        )
        now = datetime.now(UTC)
        for i in range(episodes):
            diary.log_episode(
                session,
                user.id,
                diary.EpisodeInput(
                    started_at=now - timedelta(hours=3 * i + 1),
                    site="site_calf",
                    pain=4,
                    duration_minutes=2,
                    tried=("stretching",),
                    helped=True,
                ),
                now=now,
            )
        return user.id


def run(label: str, engine: Engine, patients: int, episodes: int) -> dict[str, float]:
    kb = default_knowledge()
    load = demo_data.generate(engine, patients, episodes, seed=7)
    factory = session_factory(engine)
    with factory() as session:
        some_user = session.scalars(select(User.id).limit(1).offset(patients // 2)).one()
    small = _patient_with(engine, 100)
    large = _patient_with(engine, 1000)
    results: dict[str, float] = {"load_s": load.seconds}
    with factory() as session:
        user = session.get(User, some_user)
        assert user is not None
        results["baseline_ms"] = _ms(
            _timed(lambda: session.get(User, some_user, populate_existing=True))
        )
        results["patterns_ms"] = _ms(_timed(lambda: diary.patterns(session, some_user, kb)))
        results["export_json_ms"] = _ms(_timed(lambda: export.export_json(session, user), 5))
        results["export_fhir_ms"] = _ms(_timed(lambda: export.export_fhir(session, user, kb), 5))
        results["patterns_100_ms"] = _ms(_timed(lambda: diary.patterns(session, small, kb)))
        results["patterns_1000_ms"] = _ms(_timed(lambda: diary.patterns(session, large, kb)))
    demo_data.generate(engine, max(1, patients // 10), max(1, episodes // 10), seed=8)
    with factory() as session:
        results["patterns_100_after_growth_ms"] = _ms(
            _timed(lambda: diary.patterns(session, small, kb))
        )
        per_patient = episodes / patients
        count = session.scalar(
            select(text("count(*)")).select_from(Episode).where(Episode.user_id == some_user)
        )
    print(
        f"\n{label}: {patients:,} patients, {episodes:,} episodes "
        f"(~{per_patient:.0f} a patient; the timed patient has {count})"
    )
    load_verdict = "met" if results["load_s"] <= TARGET_LOAD_S else "NOT met"
    print(
        f"  load (generate + write):          {results['load_s']:8.1f} s   "
        f"target <= {TARGET_LOAD_S:.0f} s: {load_verdict}"
    )
    base = results["baseline_ms"]
    for key, name in (
        ("patterns_ms", "patterns, one patient"),
        ("export_json_ms", "export JSON, one patient"),
        ("export_fhir_ms", "export FHIR, one patient"),
        ("patterns_100_ms", "patterns, patient with 100"),
        ("patterns_1000_ms", "patterns, patient with 1,000"),
        ("patterns_100_after_growth_ms", "patterns, 100, table +10%"),
    ):
        print(f"  {name:32} {results[key]:8.2f} ms  ({results[key] / base:6.0f}x baseline)")
    print(f"  baseline: primary-key fetch      {base:8.3f} ms")
    verdict = "met" if results["patterns_ms"] <= TARGET_PATTERNS_MS else "NOT met"
    print(f"  patterns target <= {TARGET_PATTERNS_MS:.0f} ms: {verdict}")
    growth = results["patterns_100_after_growth_ms"] / results["patterns_100_ms"]
    per_episode = results["patterns_1000_ms"] / results["patterns_100_ms"]
    print(
        f"  cost after the table grew by a tenth: x{growth:.2f}; "
        f"ten times the patient's episodes: x{per_episode:.2f}"
    )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument(
        "--postgres",
        help="a PostgreSQL URL; a schema 'crampcheck_bench' is dropped and recreated in it",
    )
    args = parser.parse_args()
    for line in machine_info("not pinned (database work)"):
        print(line)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        upgrade(url)
        engine = make_engine(url)
        try:
            run("SQLite", engine, args.patients, args.episodes)
        finally:
            engine.dispose()
    if args.postgres:
        admin = make_engine(args.postgres)
        with admin.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS crampcheck_bench CASCADE"))
            connection.execute(text("CREATE SCHEMA crampcheck_bench"))
        url = args.postgres + "?options=-csearch_path%3Dcrampcheck_bench"
        upgrade(url)
        engine = make_engine(url)
        try:
            run("PostgreSQL", engine, args.patients, args.episodes)
        finally:
            engine.dispose()
            with admin.begin() as connection:
                connection.execute(text("DROP SCHEMA IF EXISTS crampcheck_bench CASCADE"))
            admin.dispose()


if __name__ == "__main__":
    main()
