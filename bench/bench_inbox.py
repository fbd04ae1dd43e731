"""Clinic inbox at clinic-network scale: the inbox and one request page on PostgreSQL.

    .venv/bin/python bench/bench_inbox.py [--patients 10000] [--episodes 1000000]
        [--requests 50000] [--repeats 40]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/crampcheck_test]

Loads synthetic diaries (``bench_diary.py``'s loader, ``crampcheck demo-data``'s
generator) into a fresh PostgreSQL schema, then appointment requests: nine in ten for
the installation's clinic and one in ten for a second registered clinic (the inbox must
scope by clinic), each with the snapshot the app stores (``snapshot_of`` of
``assessment_payload`` of a real check of a dev vignette; about twenty distinct ones,
reused), their status history, and diary shares for most linked patients. Then it times,
through the real application in process (Starlette's TestClient: routing, the staff
session, the queries, the audit write and commit, the template):

- ``GET /staff`` (open requests), ``?status=all``, ``?status=all&urgency=urgent``, and
  the last page of ``?status=all``;
- ``GET /staff/requests/{id}`` as a clinician, for the most urgent open request whose
  patient shares a diary (and one of the diary charts that page shows), and as the
  front desk;
- the same service calls without the web layer;
- baselines in the same run: ``GET /healthz`` through the same client, and a
  primary-key fetch.

Each is timed ``--repeats`` times after a warm-up, interleaved (one of each per round) so
that the machine's load falls on all of them alike; median and p95 are printed, with
each median as a multiple of the ``/healthz`` median. It then shows where a page's time
goes (each SQL statement from the engine's cursor events, the commit, the template) and
the plans of the inbox's queries (``EXPLAIN (ANALYZE, BUFFERS)`` with the parameters of
a real request), saying which index each uses and whether it sorts.

``--keep`` leaves the schema in place and ``--reuse`` measures what a ``--keep`` run left
without loading it again (the load figures are then those of the earlier run). No test gates on
these numbers: they are the machine's and its load's.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import tempfile
import time
import uuid
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, func, insert, select
from sqlalchemy.orm import Session, load_only

from _common import (
    DEFAULT_VIGNETTES,
    REPO,
    fresh_postgres_schema,
    machine_info,
    median_p95,
    schema_url,
    vignette_texts,
)
from crampcheck.clinic import Clinic
from crampcheck.domain.types import Sex, Urgency, urgency_order
from crampcheck.services import demo_data, diary
from crampcheck.services import inbox as inbox_service
from crampcheck.services.appointments import snapshot_of
from crampcheck.services.clinics import register_clinic
from crampcheck.services.inbox import InboxFilter
from crampcheck.services.inbox_cursor import Cursor, InboxKey, encode
from crampcheck.services.pipeline import Pipeline, default_pipeline
from crampcheck.services.sharing import is_shared
from crampcheck.services.staff import add_staff, start_staff_session
from crampcheck.settings import Settings
from crampcheck.storage.database import upgrade
from crampcheck.storage.tables import (
    AppointmentRequest,
    DiaryShare,
    Episode,
    RequestStatusChange,
    StaffMember,
    User,
)
from crampcheck.web.checking import assessment_payload
from crampcheck.web.staff_auth import STAFF_COOKIE, STAFF_PATH
from crampcheck.web.state import AppState

with warnings.catch_warnings():  # starlette warns once when it finds httpx, not httpx2
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

TARGET_MS = 100.0
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/crampcheck_test"
SCHEMA = "crampcheck_bench_inbox"
BATCH = 5_000
SECOND_CLINIC_SHARE = 0.10
OPEN_SHARE = 0.0075
"""Open requests: some hundreds of a clinic's 45,000 (the rest closed or declined)."""
URGENCY_MIX = ((Urgency.URGENT, 0.03), (Urgency.DOCTOR, 0.55), (Urgency.SELF_CARE, 0.42))
LINKED_SHARE = 0.5
"""Requests made signed in (linked to a patient account)."""
SHARING_SHARE = 0.85
"""Linked patients who share their diary with the clinic (a few revoked it later)."""
REVOKED_SHARE = 0.05
DISTINCT_SNAPSHOTS = 20
BENCH_SECRET = "bench-inbox-secret-key-not-for-production-0123456789"  # nosec B105
SECRET = BENCH_SECRET.encode()
STAFF_PASSWORD = "bench inbox staff password"  # nosec B105
TIMES = ("weekday mornings", "after 5 pm", "any time", "Tuesdays or Thursdays", None)


# ---------------------------------------------------------------- loading


@dataclass(frozen=True)
class Snapshot:
    """One real check as the app stores it with a request."""

    urgency: str
    kind: str
    kb_version: str
    snapshot: dict[str, Any]


def real_snapshots(state: AppState, vignettes: Path, wanted: int) -> list[Snapshot]:
    """About ``wanted`` distinct checks of the dev vignettes, as ``create_request`` stores
    them (``snapshot_of(assessment_payload(...))``), mixed over the non-emergency levels
    (an emergency cannot be requested)."""
    items = [(t, age, Sex(sex) if sex else None) for t, age, sex in vignette_texts(vignettes)]
    results = state.pipeline.check_texts(items)
    by_urgency: dict[str, list[Snapshot]] = defaultdict(list)
    for (description, _age, _sex), result in zip(items, results, strict=True):
        payload = assessment_payload(state, result)
        if payload["urgency"] == Urgency.EMERGENCY.value:
            continue
        by_urgency[payload["urgency"]].append(
            Snapshot(
                payload["urgency"],
                payload["kind"],
                payload["kb_version"],
                snapshot_of(payload, description),
            )
        )
    chosen: list[Snapshot] = []
    pools = [by_urgency[u.value] for u, _ in URGENCY_MIX]
    while len(chosen) < wanted and any(pools):
        for pool in pools:
            if pool and len(chosen) < wanted:
                chosen.append(pool.pop(0))
    missing = [u.value for u, _ in URGENCY_MIX if not any(s.urgency == u.value for s in chosen)]
    if missing:
        raise SystemExit(f"no vignette gave a check of urgency {', '.join(missing)}")
    return chosen


def _pick_urgency(rng: random.Random) -> Urgency:
    roll = rng.random()
    total = 0.0
    for level, share in URGENCY_MIX:
        total += share
        if roll <= total:
            return level
    return URGENCY_MIX[-1][0]


def _history(
    rng: random.Random, status: str, created: datetime, changed: datetime
) -> list[tuple[str, str, datetime]]:
    """(from, to, at) of the moves that led to ``status``, the last one at ``changed``."""
    paths = {
        "new": [],
        "contacted": ["contacted"],
        "booked": rng.choice((["contacted", "booked"], ["booked"])),
        "closed": ["contacted", "booked", "closed"],
        "declined": rng.choice((["declined"], ["contacted", "declined"])),
    }
    steps = paths[status]
    moves = []
    before = "new"
    span = (changed - created) / max(1, len(steps))
    for i, step in enumerate(steps):
        at = changed if i == len(steps) - 1 else created + span * (i + 1)
        moves.append((before, step, at))
        before = step
    return moves


@dataclass(frozen=True)
class LoadSummary:
    diaries_s: float
    requests_s: float
    vacuum_s: float
    requests: int
    status_changes: int
    shares: int


def load_requests(
    engine: Engine,
    clinics: list[tuple[Clinic, int]],
    staff: dict[str, StaffMember],
    snapshots: list[Snapshot],
    seed: int,
    now: datetime,
) -> tuple[int, int, int]:
    """Write the requests (with their status history) and the diary shares in batches
    with SQLAlchemy Core's executemany; (requests, status changes, shares) written."""
    rng = random.Random(seed)  # nosec B311 - reproducible synthetic data
    with engine.connect() as connection:
        user_ids = list(
            connection.scalars(
                select(User.id).where(User.email.like(f"demo-%@{demo_data.DEMO_DOMAIN}"))
            )
        )
    by_level: dict[str, list[Snapshot]] = defaultdict(list)
    for snap in snapshots:
        by_level[snap.urgency].append(snap)
    requests: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    shares: dict[tuple[str, str], dict[str, Any]] = {}
    written = [0, 0]

    def flush(connection: Any, force: bool = False) -> None:
        """Write the batch: the requests first, then the changes that refer to them."""
        if requests and (force or len(requests) >= BATCH):
            connection.execute(insert(AppointmentRequest), requests)
            written[0] += len(requests)
            requests.clear()
            if changes:
                connection.execute(insert(RequestStatusChange), changes)
                written[1] += len(changes)
                changes.clear()

    number = 0
    with engine.begin() as connection:
        for clinic, count in clinics:
            member = staff[clinic.id]
            open_count = max(3, round(count * OPEN_SHARE))
            locations = [loc.id for loc in clinic.locations]
            for i in range(count):
                number += 1
                is_open = i < open_count
                if is_open:  # open requests came in over the last three weeks
                    created = now - timedelta(days=rng.random() * 21)
                    status = rng.choices(("new", "contacted", "booked"), (5, 3, 2))[0]
                else:  # the rest over two years, and were dealt with within two weeks
                    created = now - timedelta(days=21 + rng.random() * (730 - 21))
                    status = rng.choices(("closed", "declined"), (4, 1))[0]
                level = _pick_urgency(rng)
                snap = rng.choice(by_level[level.value])
                changed = (
                    None
                    if status == "new"
                    else min(now, created + timedelta(hours=1 + rng.random() * 14 * 24))
                )
                user_id = rng.choice(user_ids) if rng.random() < LINKED_SHARE else None
                request_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                requests.append(
                    {
                        "clinic_id": clinic.id,
                        "id": request_id,
                        "created_at": created,
                        "name": f"Synthetic Patient {number:06d}",
                        "phone": f"+1 555 01{number % 100:02d}" if rng.random() < 0.8 else None,
                        "email": f"patient-{number:06d}@example.invalid",
                        "preferred_location": rng.choice([*locations, None]),
                        "preferred_times": rng.choice(TIMES),
                        "consent_to_share": True,
                        "urgency": snap.urgency,
                        "kind": snap.kind,
                        "kb_version": snap.kb_version,
                        "status": status,
                        "snapshot": snap.snapshot,
                        "user_id": user_id,
                        "urgency_order": urgency_order(Urgency(snap.urgency)),
                        "status_changed_at": changed,
                        "decline_reason": (
                            "Outside what the clinic treats; referred to the GP."
                            if status == "declined"
                            else None
                        ),
                    }
                )
                if changed is not None:
                    for before, after, at in _history(rng, status, created, changed):
                        changes.append(
                            {
                                "clinic_id": clinic.id,
                                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                "request_id": request_id,
                                "at": at,
                                "staff_id": member.id,
                                "staff_name": member.name,
                                "from_status": before,
                                "to_status": after,
                                "reason": "Synthetic reason." if after == "declined" else None,
                            }
                        )
                key = (clinic.id, user_id or "")
                if user_id and key not in shares and rng.random() < SHARING_SHARE:
                    shares[key] = {
                        "clinic_id": clinic.id,
                        "user_id": user_id,
                        "shared_at": created,
                        "revoked_at": (
                            created + timedelta(days=30) if rng.random() < REVOKED_SHARE else None
                        ),
                    }
                flush(connection)
        flush(connection, force=True)
        rows = list(shares.values())
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(DiaryShare), rows[start : start + BATCH])
    return written[0], written[1], len(shares)


def make_staff(state: AppState, second: Clinic) -> tuple[dict[str, StaffMember], dict[str, str]]:
    """A clinician and a front desk member at the clinic, one clinician at the second;
    (a member per clinic for the history rows, a session token per role)."""
    members: dict[str, StaffMember] = {}
    tokens: dict[str, str] = {}
    with state.sessions() as session, session.begin():
        for clinic_id, role, email in (
            (state.clinic.id, "clinician", "clinician@bench.example.com"),
            (state.clinic.id, "front_desk", "desk@bench.example.com"),
            (second.id, "clinician", "clinician@second.example.com"),
        ):
            member = add_staff(
                session,
                clinic_id=clinic_id,
                email=email,
                name=f"Bench {role.replace('_', ' ')} ({clinic_id})",
                role=role,
                password=STAFF_PASSWORD,
            )
            members.setdefault(clinic_id, member)
            if clinic_id == state.clinic.id:
                tokens[role] = start_staff_session(session, member).token
    return members, tokens


def second_clinic(state: AppState) -> Clinic:
    """Another registered clinic of the installation (its rows must never show)."""
    return state.clinic.model_copy(
        update={"id": "bench-second-clinic", "name": "Second Clinic (synthetic)"}
    )


# ---------------------------------------------------------------- measuring


@contextmanager
def sql_log(engine: Engine) -> Iterator[list[tuple[str, Any, float]]]:
    """Every statement run on ``engine`` meanwhile: (SQL, parameters, seconds)."""
    log: list[tuple[str, Any, float]] = []

    def before(_conn: Any, _cursor: Any, _sql: str, _params: Any, context: Any, _many: Any) -> None:
        context._bench_start = time.perf_counter()

    def after(_conn: Any, _cursor: Any, sql: str, params: Any, context: Any, _many: Any) -> None:
        log.append((sql, params, time.perf_counter() - context._bench_start))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def statement_label(sql: str) -> str:
    """A short name for one of the statements a staff page runs."""
    flat = " ".join(sql.split())
    checks = (
        ("INSERT INTO audit_events", "audit event INSERT"),
        ("UPDATE audit_chain_heads", "audit chain head"),
        ("FROM staff_sessions", "staff session by token"),
        ("FROM staff WHERE", "staff member by key"),
        ("count(*) AS count_1 FROM (SELECT", "inbox: count of the filter"),
        ("GROUP BY appointment_requests.status", "inbox: count per status"),
        ("count(*) AS count_1 FROM appointment_requests WHERE", "banner: open urgent count"),
        ("ORDER BY appointment_requests.urgency_order", "inbox: the page of rows"),
        ("FROM request_status_changes", "request: status history"),
        ("FROM diary_shares", "request: diary share"),
        ("FROM episodes", "request: diary queries"),
        ("FROM appointment_requests", "request: the request row"),
        ("FROM clinics", "clinic record"),
        ("SELECT 1", "pool pre-ping / SELECT 1"),
    )
    for needle, label in checks:
        if needle in flat:
            return label
    return flat[:60]


def explain(engine: Engine, sql: str, params: Any) -> list[str]:
    """``EXPLAIN (ANALYZE, BUFFERS)`` of a captured statement with its parameters."""
    with engine.connect() as connection:
        rows = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        plan = [row[0] for row in rows]
        connection.rollback()
    return plan


def plan_verdict(plan: list[str]) -> str:
    indexes = sorted(
        set(
            re.findall(
                r"(?:Index|Index Only|Bitmap Index) Scan (?:Backward )?"
                r"using (\w+)",
                " ".join(plan),
            )
        )
    )
    scans = sorted(
        {
            m
            for m in re.findall(
                r"(Seq Scan|Index Only Scan|Index Scan|"
                r"Bitmap Heap Scan)",
                " ".join(plan),
            )
        }
    )
    sorts = [
        line.strip().removeprefix("->").strip()
        for line in plan
        if re.search(r"\b(Incremental Sort|Sort)\b  ", line)
    ]
    sort_methods = [line.strip() for line in plan if "Sort Method" in line]
    inbox = [i for i in indexes if i.startswith("ix_appointment_requests_inbox")]
    parts = [
        f"indexes: {', '.join(indexes) or 'none'}",
        f"scans: {', '.join(scans) or 'none'}",
        "uses ix_appointment_requests_inbox*: " + (f"yes ({', '.join(inbox)})" if inbox else "no"),
        f"sorts: {'; '.join(s.split('  (')[0] for s in sorts) or 'no'}",
    ]
    if sort_methods:
        parts.append("; ".join(sort_methods))
    return " | ".join(parts)


@dataclass
class Case:
    name: str
    call: Callable[[], object]
    times: list[float]


def measure(cases: list[Case], repeats: int, warmup: int = 3) -> None:
    """Time every case ``repeats`` times, one of each per round (after ``warmup`` rounds)."""
    for _ in range(warmup):
        for case in cases:
            case.call()
    for _ in range(repeats):
        for case in cases:
            start = time.perf_counter()
            case.call()
            case.times.append(time.perf_counter() - start)


def get_ok(client: TestClient, path: str, needle: str | None = None) -> Callable[[], object]:
    """A GET that must answer 200 (and contain ``needle``), or the run stops."""

    def call() -> object:
        response = client.get(path)
        if response.status_code != 200 or (needle is not None and needle not in response.text):
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.text[:300]}")
        return response

    return call


def in_session(state: AppState, work: Callable[[Session], object]) -> Callable[[], object]:
    """``work`` in a session of its own (as each request has), rolled back afterwards."""

    def call() -> object:
        with state.sessions() as session:
            try:
                return work(session)
            finally:
                session.rollback()

    return call


def offset_page(
    session: Session, clinic_id: str, where: InboxFilter, page: int
) -> list[AppointmentRequest]:
    """Page ``page`` as the inbox read it before keyset paging: the same count, filter,
    columns and order, skipping ``(page - 1) * PAGE_SIZE`` rows with OFFSET (the baseline
    of the deep-page figures)."""
    session.scalar(
        select(func.count()).select_from(inbox_service.filtered(clinic_id, where).subquery())
    )
    return list(
        session.scalars(
            inbox_service.filtered(clinic_id, where)
            .options(load_only(*inbox_service.LIST_COLUMNS))
            .order_by(*inbox_service.inbox_order(where))
            .limit(inbox_service.PAGE_SIZE)
            .offset((page - 1) * inbox_service.PAGE_SIZE)
        )
    )


def keyset_cursor_at(session: Session, clinic_id: str, where: InboxFilter, page: int) -> str:
    """The page link the inbox gives for page ``page`` (reached by following "Next page"
    from the first): made here from the last row of the page before it."""
    previous = offset_page(session, clinic_id, where, page - 1)
    row = previous[-1]
    key = InboxKey(row.urgency_order, 0 if row.status == "new" else 1, row.created_at, row.id)
    position = (page - 1) * inbox_service.PAGE_SIZE
    return encode(Cursor(True, key, position), where.values, clinic_id, SECRET)


def request_page_ready(client: TestClient, request_id: str) -> str | None:
    """None when ``/staff/requests/{id}`` renders, else why not."""
    try:
        response = client.get(f"/staff/requests/{request_id}")
    except Exception as error:  # noqa: BLE001 - the page may be mid-construction
        return f"{type(error).__name__}: {error}"
    if response.status_code != 200:
        return f"answered {response.status_code}"
    return None


def pick_request(engine: Engine, clinic_id: str) -> tuple[str, str, int]:
    """(request id, patient id, their episodes) of the most urgent open request whose
    patient shares their diary with the clinic; the one a clinician opens first."""
    with engine.connect() as connection:
        row = connection.execute(
            select(AppointmentRequest.id, AppointmentRequest.user_id)
            .join(
                DiaryShare,
                (DiaryShare.clinic_id == AppointmentRequest.clinic_id)
                & (DiaryShare.user_id == AppointmentRequest.user_id),
            )
            .where(
                AppointmentRequest.clinic_id == clinic_id,
                AppointmentRequest.status.in_([s.value for s in inbox_service.OPEN_STATUSES]),
                DiaryShare.revoked_at.is_(None),
            )
            .order_by(AppointmentRequest.urgency_order, AppointmentRequest.created_at)
            .limit(1)
        ).one()
        episodes = connection.scalar(
            select(func.count()).select_from(Episode).where(Episode.user_id == row.user_id)
        )
    return row.id, row.user_id, int(episodes or 0)


# ---------------------------------------------------------------- the run


def build_app(url: str, pipeline: Pipeline, data_dir: Path) -> Any:
    from crampcheck.web.app import create_app

    settings = Settings(
        environment="test",
        secret_key=BENCH_SECRET,
        data_dir=data_dir,
        database_url=url,
        clinic_file=None,
        emergency_number="911",
    )
    return create_app(settings, pipeline)


def load(
    url: str, state: AppState, args: argparse.Namespace, pipeline_s: float
) -> tuple[LoadSummary, dict[str, str]]:
    engine = state.engine
    diaries = demo_data.generate(engine, args.patients, args.episodes, seed=7)
    print(
        f"diaries: {diaries.patients:,} patients, {diaries.episodes:,} episodes "
        f"in {diaries.seconds:.1f} s"
    )
    started = time.perf_counter()
    snapshots = real_snapshots(state, args.vignettes, DISTINCT_SNAPSHOTS)
    snapshots_s = time.perf_counter() - started
    sizes = [len(json.dumps(s.snapshot)) for s in snapshots]
    mix = ", ".join(
        f"{u.value} {sum(s.urgency == u.value for s in snapshots)}" for u, _ in URGENCY_MIX
    )
    print(
        f"snapshots: {len(snapshots)} distinct real checks ({mix}), "
        f"{statistics.median(sizes) / 1024:.1f} KB median, in {snapshots_s:.1f} s "
        f"(reader already loaded in {pipeline_s:.1f} s)"
    )
    second = second_clinic(state)
    with state.sessions() as session, session.begin():
        register_clinic(session, second)
    members, tokens = make_staff(state, second)
    other = round(args.requests * SECOND_CLINIC_SHARE)
    started = time.perf_counter()
    written, history_rows, shares = load_requests(
        engine,
        [(state.clinic, args.requests - other), (second, other)],
        members,
        snapshots,
        seed=11,
        now=datetime.now(UTC),
    )
    requests_s = time.perf_counter() - started
    started = time.perf_counter()
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM (ANALYZE)"
        )
    vacuum_s = time.perf_counter() - started
    summary = LoadSummary(diaries.seconds, requests_s, vacuum_s, written, history_rows, shares)
    print(
        f"requests: {written:,} ({args.requests - other:,} + {other:,} at the second clinic), "
        f"{history_rows:,} status changes, {shares:,} diary shares in {requests_s:.1f} s; "
        f"VACUUM ANALYZE {vacuum_s:.1f} s"
    )
    return summary, tokens


def sessions_for_reuse(state: AppState) -> dict[str, str]:
    """New staff sessions for the members an earlier run made (``--reuse``)."""
    tokens = {}
    with state.sessions() as session, session.begin():
        for role in ("clinician", "front_desk"):
            member = session.scalars(
                select(StaffMember).where(
                    StaffMember.clinic_id == state.clinic.id, StaffMember.role == role
                )
            ).first()
            if member is None:
                raise SystemExit("--reuse: the schema has no bench staff; run without --reuse")
            tokens[role] = start_staff_session(session, member).token
    return tokens


def table_sizes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT relname, n_live_tup, pg_size_pretty(pg_total_relation_size(relid)), "
            "pg_size_pretty(pg_relation_size(relid)) FROM pg_stat_user_tables "
            "WHERE relname IN ('appointment_requests', 'episodes', 'request_status_changes', "
            "'diary_shares', 'audit_events') ORDER BY relname"
        ).all()
    return [f"  {r[0]:24} {r[1]:>10,} rows  {r[2]:>8} total ({r[3]} heap)" for r in rows]


def run(args: argparse.Namespace, url: str, data_dir: Path) -> None:
    started = time.perf_counter()
    pipeline = default_pipeline()
    pipeline.reader  # noqa: B018 - load the reader before timing anything
    pipeline_s = time.perf_counter() - started
    if not args.reuse:
        upgrade(url)
    app = build_app(url, pipeline, data_dir)
    state: AppState = app.state.crampcheck
    clinic_id = state.clinic.id
    if args.reuse:
        tokens = sessions_for_reuse(state)
        summary = None
    else:
        summary, tokens = load(url, state, args, pipeline_s)
    for line in table_sizes(state.engine):
        print(line)
    request_id, user_id, episodes = pick_request(state.engine, clinic_id)
    with state.sessions() as session:
        totals = dict(
            session.execute(
                select(AppointmentRequest.clinic_id, func.count()).group_by(
                    AppointmentRequest.clinic_id
                )
            ).all()
        )
        open_total = inbox_service.inbox(session, clinic_id, InboxFilter(), secret=SECRET).total
        urgent_total = inbox_service.inbox(
            session, clinic_id, InboxFilter("all", urgency="urgent"), secret=SECRET
        ).total
        all_total = inbox_service.inbox(session, clinic_id, InboxFilter("all"), secret=SECRET).total
        some_user = session.scalars(select(User.id).limit(1).offset(10)).one()
    print(
        f"clinic {clinic_id}: {totals.get(clinic_id, 0):,} requests, {open_total} open, "
        f"{urgent_total:,} urgent; second clinic: {sum(totals.values()) - totals[clinic_id]:,}"
    )
    if all_total != totals.get(clinic_id, 0):
        raise SystemExit(f"the inbox lists {all_total:,} requests, not this clinic's own")
    print(f"timed request page: {request_id} (patient shares a diary of {episodes} episodes)")

    with TestClient(app) as clinician, TestClient(app) as desk:
        for client, role in ((clinician, "clinician"), (desk, "front_desk")):
            client.cookies.set(
                STAFF_COOKIE, tokens[role], domain="testserver.local", path=STAFF_PATH
            )
        page_problem = request_page_ready(clinician, request_id)
        first_all = clinician.get("/staff?status=all").text
        found_last = re.search(r'<a href="/staff\?([^"]+)" rel="last">', first_all)
        if found_last is None:
            raise SystemExit("the inbox's first page of ?status=all has no link to its last page")
        last_query = found_last.group(1).replace("&amp;", "&")
        where_all = InboxFilter("all")
        all_count = totals.get(clinic_id, 0)
        deep = max(1, -(-all_count // inbox_service.PAGE_SIZE))
        middle = deep // 2
        with state.sessions() as session:
            middle_cursor = keyset_cursor_at(session, clinic_id, where_all, middle)
            last_cursor = inbox_service.inbox(
                session, clinic_id, where_all, secret=SECRET, with_counts=False
            ).last
        web = [
            Case("GET /healthz (baseline)", get_ok(clinician, "/healthz"), []),
            Case("GET /staff (open)", get_ok(clinician, "/staff", "inbox-row"), []),
            Case("GET /staff?status=all", get_ok(clinician, "/staff?status=all", "inbox-row"), []),
            Case(
                "GET /staff?status=all&urgency=urgent",
                get_ok(clinician, "/staff?status=all&urgency=urgent", "inbox-row"),
                [],
            ),
            Case(
                "GET /staff?status=all, last page",
                get_ok(clinician, f"/staff?{last_query}", "inbox-row"),
                [],
            ),
        ]
        if page_problem is None:
            web += [
                Case(
                    "GET /staff/requests/{id} clinician",
                    get_ok(clinician, f"/staff/requests/{request_id}", "/charts/weekly.svg"),
                    [],
                ),
                Case(
                    "  + one of its 3 charts (weekly.svg)",
                    get_ok(clinician, f"/staff/requests/{request_id}/charts/weekly.svg", "<svg"),
                    [],
                ),
                Case(
                    "GET /staff/requests/{id} front desk",
                    get_ok(desk, f"/staff/requests/{request_id}"),
                    [],
                ),
            ]
        else:
            print(f"request page not measured: {page_problem}")
        kb = pipeline.kb

        def request_services(session: Session) -> object:
            found = inbox_service.get_request(session, clinic_id, request_id)
            assert found is not None and found.user_id is not None
            inbox_service.history(session, found)
            if is_shared(session, found.user_id, clinic_id):
                return diary.patterns(session, found.user_id, kb, now=datetime.now(UTC), zone=UTC)
            return found

        with state.sessions() as pk_session:
            services = [
                Case(
                    "baseline: primary-key fetch",
                    lambda: pk_session.get(User, some_user, populate_existing=True),
                    [],
                ),
                Case(
                    "inbox() open",
                    in_session(
                        state,
                        lambda s: inbox_service.inbox(s, clinic_id, InboxFilter(), secret=SECRET),
                    ),
                    [],
                ),
                Case(
                    "inbox() all",
                    in_session(
                        state,
                        lambda s: inbox_service.inbox(
                            s, clinic_id, InboxFilter("all"), secret=SECRET
                        ),
                    ),
                    [],
                ),
                Case(
                    "inbox() all, urgent",
                    in_session(
                        state,
                        lambda s: inbox_service.inbox(
                            s, clinic_id, InboxFilter("all", urgency="urgent"), secret=SECRET
                        ),
                    ),
                    [],
                ),
                Case(
                    f"before: OFFSET, all, page {middle} of {deep}",
                    in_session(state, lambda s: offset_page(s, clinic_id, where_all, middle)),
                    [],
                ),
                Case(
                    f"after: keyset, all, page {middle} of {deep}",
                    in_session(
                        state,
                        lambda s: inbox_service.inbox(
                            s, clinic_id, where_all, middle_cursor, secret=SECRET
                        ),
                    ),
                    [],
                ),
                Case(
                    "before: OFFSET, all, last page",
                    in_session(state, lambda s: offset_page(s, clinic_id, where_all, deep)),
                    [],
                ),
                Case(
                    "after: keyset, all, last page",
                    in_session(
                        state,
                        lambda s: inbox_service.inbox(
                            s, clinic_id, where_all, last_cursor, secret=SECRET
                        ),
                    ),
                    [],
                ),
                Case(
                    "get_request+history+share+patterns",
                    in_session(state, request_services),
                    [],
                ),
            ]
            measure(web + services, args.repeats)
        base_ms = report(web, services, args, summary)
        statement_breakdown(state, clinician, request_id if page_problem is None else None, base_ms)
        plans(state, clinician, (last_query, f"status=all&cursor={middle_cursor}"))
        with sql_log(state.engine) as log, state.sessions() as session:
            offset_page(session, clinic_id, where_all, deep)
        for sql, params, _seconds in log:
            if " OFFSET " in sql:
                plan = explain(state.engine, sql, params)
                print(f"\n--- before (OFFSET, page {deep}): {' '.join(sql.split())[-90:]}")
                for line in plan:
                    print(f"    {line}")
                print(f"    => {plan_verdict(plan)}")


def report(
    web: list[Case],
    services: list[Case],
    args: argparse.Namespace,
    summary: LoadSummary | None,
) -> float:
    """Print the table; the baseline's median in ms."""
    base = statistics.median(web[0].times)
    print(
        f"\n{args.patients:,} patients / {args.episodes:,} episodes / {args.requests:,} "
        f"requests; {args.repeats} timed rounds (after 3 warm-up rounds), interleaved"
    )
    if summary is not None:
        total = summary.diaries_s + summary.requests_s + summary.vacuum_s
        print(
            f"load: diaries {summary.diaries_s:.1f} s + requests {summary.requests_s:.1f} s "
            f"+ VACUUM ANALYZE {summary.vacuum_s:.1f} s = {total:.1f} s"
        )
    print(f"\n{'measured':42} {'median ms':>10} {'p95 ms':>9} {'x /healthz':>11}  target")
    for case in web + services:
        median, p95 = median_p95(case.times)
        verdict = ""
        if case.name.startswith("GET /staff"):
            verdict = "met" if median * 1000 <= TARGET_MS else "NOT met"
        print(
            f"{case.name:42} {median * 1000:10.2f} {p95 * 1000:9.2f} {median / base:10.1f}x  "
            f"{verdict}"
        )
    pairs: dict[str, dict[str, Case]] = defaultdict(dict)
    for case in services:
        if case.name.startswith(("before: OFFSET, ", "after: keyset, ")):
            side, page = case.name.split(", ", 1)
            pairs[page][side] = case
    for page, sides in pairs.items():
        before, after = sides.get("before: OFFSET"), sides.get("after: keyset")
        if before is not None and after is not None:
            ratio = statistics.median(before.times) / statistics.median(after.times)
            print(f"{page}: OFFSET / keyset = {ratio:.1f}x (medians in the same run)")
    return base * 1000


@contextmanager
def template_timer() -> Iterator[list[float]]:
    """Seconds of every Jinja ``Template.render`` meanwhile (a page renders one template,
    which extends and includes the others)."""
    import jinja2

    spent: list[float] = []
    original = jinja2.Template.render

    def render(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        start = time.perf_counter()
        try:
            return original(self, *args, **kwargs)
        finally:
            spent.append(time.perf_counter() - start)

    jinja2.Template.render = render  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        jinja2.Template.render = original  # type: ignore[method-assign]


def statement_breakdown(
    state: AppState, client: TestClient, request_id: str | None, base_ms: float
) -> None:
    """Where a page's time goes: each statement, the commit, the template, the rest
    (medians over 15 requests of each page; the parts' medians need not add up)."""
    pages = ["/staff", "/staff?status=all", "/staff?status=all&urgency=urgent"]
    if request_id is not None:
        pages.append(f"/staff/requests/{request_id}")
    commit_times: list[float] = []
    marks: dict[str, float] = {}

    def before_commit(_conn: Any) -> None:
        marks["commit"] = time.perf_counter()

    def after_commit(_session: Any) -> None:
        if "commit" in marks:
            commit_times.append(time.perf_counter() - marks.pop("commit"))

    event.listen(state.engine, "commit", before_commit)
    event.listen(state.sessions, "after_commit", after_commit)
    try:
        for path in pages:
            per_label: dict[str, list[float]] = defaultdict(list)
            walls, renders = [], []
            commit_times.clear()
            for _ in range(15):
                with sql_log(state.engine) as log, template_timer() as rendered:
                    start = time.perf_counter()
                    client.get(path)
                    walls.append(time.perf_counter() - start)
                renders.append(sum(rendered))
                sums: dict[str, float] = defaultdict(float)
                for sql, _params, seconds in log:
                    sums[statement_label(sql)] += seconds
                for label, seconds in sums.items():
                    per_label[label].append(seconds)
            shown = path if request_id is None else path.replace(request_id, "{id}")
            wall = statistics.median(walls) * 1000
            print(f"\nwhere GET {shown} spends its time (ms, median of 15; whole {wall:.1f}):")
            in_sql = 0.0
            for label, seconds in sorted(per_label.items(), key=lambda kv: -sum(kv[1])):
                ms = statistics.median(seconds) * 1000
                in_sql += ms
                print(f"  SQL  {label:40} {ms:7.2f}")
            commit = statistics.median(commit_times) * 1000 if commit_times else 0.0
            render = statistics.median(renders) * 1000
            rest = wall - in_sql - commit - render - base_ms
            print(f"  SQL  {'all statements':40} {in_sql:7.2f}")
            print(f"       {'COMMIT (writes the audit event)':40} {commit:7.2f}")
            print(f"       {'template rendering (Jinja)':40} {render:7.2f}")
            print(f"       {'/healthz baseline (client, app, pool)':40} {base_ms:7.2f}")
            print(f"       {'rest (ORM objects, views, routing)':40} {rest:7.2f}")
    finally:
        event.remove(state.engine, "commit", before_commit)
        event.remove(state.sessions, "after_commit", after_commit)


def plans(state: AppState, client: TestClient, deep_queries: tuple[str, ...]) -> None:
    """The plans of the inbox's queries, captured from a real request of each filter
    (each distinct statement once)."""
    seen: set[str] = set()
    paths = ("/staff", "/staff?status=all", "/staff?status=all&urgency=urgent")
    for path in (*paths, *(f"/staff?{query}" for query in deep_queries)):
        with sql_log(state.engine) as log:
            client.get(path)
        for sql, params, _seconds in log:
            label = statement_label(sql)
            key = sql + repr(params)
            if not label.startswith(("inbox", "banner")) or key in seen:
                continue
            seen.add(key)
            plan = explain(state.engine, sql, params)
            shown = re.sub(r"cursor=[^&]+", "cursor=...", path)
            print(f"\n--- GET {shown}: {label}")
            print(f"    {' '.join(sql.split())[:150]}...")
            for line in plan:
                print(f"    {line}")
            print(f"    => {plan_verdict(plan)}")


def source_state() -> str:
    """The commit measured, and which files under src/ differ from it (work in progress)."""
    import subprocess  # nosec B404 - fixed git commands

    def git(*words: str) -> str:
        try:
            done = subprocess.run(  # nosec B603 B607
                ["git", *words], cwd=REPO, capture_output=True, text=True, check=True
            )
        except (OSError, subprocess.CalledProcessError):
            return ""
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = [line[3:] for line in git("status", "--porcelain", "--", "src").splitlines()]
    if not changed:
        return f"src/ at {commit}, clean"
    names = ", ".join(Path(name).name for name in changed[:8])
    more = f" and {len(changed) - 8} more" if len(changed) > 8 else ""
    return f"src/ at {commit} plus {len(changed)} uncommitted files ({names}{more})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--episodes", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=40, help="timed rounds (at least 30)")
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="a PostgreSQL URL")
    parser.add_argument(
        "--schema", default=SCHEMA, help="dropped and recreated (default %(default)s)"
    )
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument("--keep", action="store_true", help="leave the schema after the run")
    parser.add_argument(
        "--reuse", action="store_true", help="measure the schema an earlier --keep run left"
    )
    args = parser.parse_args()
    for line in machine_info("not pinned (the app and PostgreSQL share the 2 cores)"):
        print(line)
    print(f"source:    {source_state()}")
    print(f"database:  {args.postgres.split('@')[-1]} schema {args.schema}")
    with tempfile.TemporaryDirectory() as tmp:
        if args.reuse:
            run(args, schema_url(args.postgres, args.schema), Path(tmp))
            return
        with fresh_postgres_schema(args.postgres, args.schema, keep=args.keep) as url:
            run(args, url, Path(tmp))


if __name__ == "__main__":
    main()
