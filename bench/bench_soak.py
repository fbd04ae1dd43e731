"""Soak the real server: a steady open-loop mix of checks, diary writes and inbox reads
for ten minutes, watching the server's memory.

The server is `crampcheck serve` itself, started in a child process on 127.0.0.1 and a
free port, on a fresh SQLite database in a temporary folder (or, with --postgres URL, on
a fresh schema of that PostgreSQL database, dropped afterwards). Before it starts, a
front-desk member of the packaged clinic (auger-podiatry) is invited with `crampcheck
staff invite` against the same database; once it answers, the member chooses their
password with the link it printed. This script then signs up a few
patients (POST /api/v1/auth/signup, bearer tokens), signs the staff member in twice
(POST /api/staff/session for a bearer token, and the /staff/signin form for the staff
cookie), and seeds the inbox with appointment requests of several urgencies.

The load generator is this process: asyncio (uvloop when installed) with one keep-alive
connection per worker and uvicorn's own response parser, httptools (httpx's connection
pool cost ~2 ms of CPU a request and, once behind, fell further behind with every
queued request); on two or more CPUs the server is pinned to one and the loader to
another. A 20-second closed-loop calibration with the same mix finds how many requests
a second the server answers flat out; the soak then runs at half that (or --rate) on a
fixed arrival schedule: request i is due at start + i / rate whatever happened to the
ones before, sent by 32 workers, and its latency is counted from when it was due, so a
stall counts against every request it delayed. The mix, by default:

    check        POST /api/v1/assess              55%  varied texts (see below)
    diary write  POST /api/v1/episodes            25%  as one of several patients
    inbox API    GET  /api/staff/requests          8%  staff bearer token, varied filters
    inbox page   GET  /staff                       4%  staff cookie
    baseline     GET  /healthz                     8%  the same server doing almost nothing

The texts are the dev vignettes (../shared/vignettes/dev.jsonl) with a varied opening,
an extra sentence with numbers, and age and sex, so nearly every text is new to the
server's reading cache; --new-words (default 5%) of them also name a medicine that was
never written before (as real people misspell, or name brands), which the reader has
never seen either.

Every few seconds the server's resident memory (VmRSS in /proc/<pid>/status), threads
and open files are sampled. The report gives each kind's error rate, p50/p99 latency
(and as a ratio to the /healthz stream's, the baseline in the same run), throughput,
latency minute by minute, and memory at the start and end with its trend: a
least-squares slope in MB/min over the whole soak and over its last half. Last, every
episode answered 201 is looked up in the database (an acknowledged write must be there).

    .venv/bin/python bench/bench_soak.py [--minutes 10] [--rate R] [--postgres URL]
                                         [--quick] [--new-words 0.05] [--no-pin] [--keep]
    .venv/bin/python bench/bench_soak.py --reader-probe 3000   # no server: memory a new word

Only ever loads 127.0.0.1. A script, not a test: nothing here gates on time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import heapq
import json
import math
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_VIGNETTES, fresh_postgres_schema, machine_info  # noqa: E402

HOST = "127.0.0.1"
CLINIC = "auger-podiatry"
LOCATIONS = ("salt-lake-city", "sandy", "west-jordan")
SECRET = "bench-soak-secret-key-that-is-long-enough-0123456789"
PASSWORD = "soak-bench-password-4711"
STAFF_EMAIL = "front.desk@auger-podiatry.example"
STARTUP_SECONDS = 120.0
STABLE_MB_PER_MIN = 0.2
"""Below this slope over the soak's last half, memory counts as flat."""

KINDS = ("check", "diary write", "inbox API", "inbox page", "healthz")
BASELINE = "healthz"
DEFAULT_MIX = {"check": 55, "diary write": 25, "inbox API": 8, "inbox page": 4, "healthz": 8}
Request = tuple[str, str, str, dict[str, str], bytes | None]
"""(kind, method, path, headers, body)"""
EXPECTED_STATUS = {"check": 200, "diary write": 201, "inbox API": 200, "inbox page": 200}


# ---------------------------------------------------------------- the server (child process)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """This run's settings only: no CRAMPCHECK_* from the caller's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update(
        CRAMPCHECK_ENVIRONMENT="test",
        CRAMPCHECK_SECRET_KEY=SECRET,
        CRAMPCHECK_DATA_DIR=str(data_dir),
        CRAMPCHECK_EMERGENCY_NUMBER="911",
    )
    if database_url:
        env["CRAMPCHECK_DATABASE_URL"] = database_url
    return env


def crampcheck_command() -> list[str]:
    """The `crampcheck` command line with this interpreter (the project's venv)."""
    return [sys.executable, "-c", "import sys; from crampcheck.cli import main; sys.exit(main())"]


def add_staff_member(env: dict[str, str]) -> str:
    """`crampcheck staff invite` a front-desk member, before the server starts; the path
    of the link with which they choose their password."""
    command = crampcheck_command()
    command += ["staff", "invite", "--clinic", CLINIC, "--role", "front_desk"]
    command += ["--email", STAFF_EMAIL, "--name", "Soak Front Desk"]
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, env=env, capture_output=True, text=True, check=False
    )
    link = re.search(r"(/staff/invite/[A-Za-z0-9_-]+)\s*$", done.stdout)
    if done.returncode != 0 or link is None:
        raise SystemExit(f"crampcheck staff invite failed ({done.returncode}):\n{done.stderr}")
    print(f"staff:     {done.stdout.splitlines()[0]}")
    return link.group(1)


def choose_staff_password(base: str, link: str) -> None:
    """The invited member opens their link and chooses PASSWORD, as a browser does."""
    import httpx

    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get(link)
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if page.status_code != 200 or found is None:
            raise SystemExit(f"GET the invitation link: {page.status_code}, no form token found")
        form = {"csrf_token": found.group(1), "password": PASSWORD, "password_again": PASSWORD}
        answer = client.post(link, data=form)
        if answer.status_code != 303:
            raise SystemExit(f"POST the invitation link: {answer.status_code}")


def start_server(env: dict[str, str], port: int, cpu: int | None, log: Path) -> Any:
    """`crampcheck serve` on 127.0.0.1:port; returns once /healthz answers."""
    import httpx

    command = crampcheck_command() + ["serve", "--host", HOST, "--port", str(port)]
    with log.open("ab") as out:
        server = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if cpu is not None:
        os.sched_setaffinity(server.pid, {cpu})  # before it starts any thread
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}:\n{tail(log)}")
        with contextlib.suppress(httpx.TransportError):
            answer = httpx.get(f"http://{HOST}:{port}/healthz", timeout=2, trust_env=False)
            if answer.status_code == 200:
                return server
        if time.monotonic() > deadline:
            stop_server(server)
            raise SystemExit(f"the server did not become ready:\n{tail(log)}")
        time.sleep(0.2)


def stop_server(server: Any) -> None:
    """Ctrl-C (uvicorn shuts down gracefully), then kill if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    if server.poll() is None:
        server.kill()
        server.wait()


def tail(log: Path, lines: int = 40) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


# ---------------------------------------------------------------- the server's process


@dataclass(frozen=True)
class ProcSample:
    at: float  # seconds since the soak started (negative before)
    rss_mb: float
    hwm_mb: float
    threads: int
    open_files: int
    cpu_seconds: float


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def proc_sample(pid: int, at: float) -> ProcSample:
    """Memory, threads, open files and CPU time of process ``pid``, from /proc."""
    fields: dict[str, str] = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            fields[name] = value.strip()
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        after_name = stat.read().rsplit(")", 1)[1].split()
    cpu = (int(after_name[11]) + int(after_name[12])) / CLOCK_TICKS  # utime + stime
    return ProcSample(
        at=at,
        rss_mb=int(fields["VmRSS"].split()[0]) / 1024,
        hwm_mb=int(fields["VmHWM"].split()[0]) / 1024,
        threads=int(fields["Threads"]),
        open_files=len(os.listdir(f"/proc/{pid}/fd")),
        cpu_seconds=cpu,
    )


def slope_mb_per_min(samples: list[ProcSample]) -> float:
    """Least-squares slope of RSS against time, in MB per minute."""
    if len(samples) < 2:
        return 0.0
    xs = [s.at / 60 for s in samples]
    ys = [s.rss_mb for s in samples]
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return 0.0
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread


def own_cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


# ---------------------------------------------------------------- what is sent

OPENINGS = (
    "",
    "Hi, ",
    "Hello. ",
    "Not sure if this matters but ",
    "My wife told me to check this. ",
    "Question about cramps: ",
    "I'm worried. ",
)
EXTRAS = (
    "It has happened {n} times this week.",
    "This started about {n} days ago.",
    "Each time it lasts around {n} minutes.",
    "I walked about {n} km yesterday.",
    "I drink maybe {n} glasses of water a day.",
    "The pain is about {n} out of 10.",
    "I have been on my feet for {n} hours at work.",
    "It woke me up {n} nights in a row.",
    "I'm {age} and otherwise quite healthy.",
    "I run {n} miles most mornings.",
    "",
)
SYLLABLES = (
    *("ba", "co", "di", "fe", "ga", "ho", "ki", "lu"),
    *("mo", "ne", "pi", "ra", "so", "tu", "vi", "ze"),
)


def load_vignettes(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise SystemExit(f"vignette file not found: {path} (pass --vignettes FILE)")
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return [row for row in rows if row.get("text")]


class Texts:
    """Varied, realistic check texts; a share ``new_words`` of them with a word (a
    made-up medicine) that no earlier text had."""

    def __init__(self, vignettes: list[dict[str, Any]], new_words: float, seed: int) -> None:
        self.vignettes = vignettes
        self.new_words = new_words
        self.random = random.Random(seed)
        self.new_words_sent = 0
        self._word_number = seed * 1_000_000

    def new_word(self) -> str:
        """A pronounceable word never produced before in this run (the number in base 16,
        one syllable a digit)."""
        self._word_number += 1
        number, syllables = self._word_number, []
        while number:
            number, digit = divmod(number, len(SYLLABLES))
            syllables.append(SYLLABLES[digit])
        return "".join(syllables).capitalize() + "x"

    def body(self, vignettes: list[dict[str, Any]] | None = None) -> dict[str, Any]:
        pick = self.random
        vignette = pick.choice(vignettes or self.vignettes)
        age = vignette.get("age") or pick.randint(18, 85)
        age = max(16, min(99, age + pick.randint(-3, 3)))
        text = pick.choice(OPENINGS) + vignette["text"]
        extra = pick.choice(EXTRAS).format(n=pick.randint(1, 12), age=age)
        if extra:
            text += " " + extra
        if pick.random() < self.new_words:
            self.new_words_sent += 1
            text += f" I recently started {self.new_word()} for my blood pressure."
        check: dict[str, Any] = {"text": text, "age": age}
        if vignette.get("sex") and pick.random() < 0.8:
            check["sex"] = vignette["sex"]
        return check


SITES = ("site_calf", "site_foot", "site_thigh", "site_leg", "site_hand", "site_back", None)
SIDES = ("left", "right", "both", None)
ACTIVITIES = ("exercise", "resting", "sleeping", "walking", "writing", "working", "other", None)
CONTEXTS = ("hot_environment", "low_fluid", "poor_sleep", "new_medicine", "stress", "caffeine")
TREATMENTS = ("stretching", "massage", "heat", "cold", "fluids", "nsaid")
NOTES = (
    None,
    None,
    "Woke me up at 3am, stretched it out.",
    "After a long shift standing.",
    "Mild, went away quickly.",
    "Worse than last week, toes curled.",
    "Happened during the game.",
)


def episode_body(pick: random.Random, now: datetime) -> dict[str, Any]:
    """One diary episode as the API takes it, at a random moment of the last 60 days."""
    started = now - timedelta(minutes=pick.randint(5, 60 * 24 * 60))
    tried = pick.sample(TREATMENTS, pick.randint(0, 2))
    body: dict[str, Any] = {
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "feel": pick.choice(("cramp", "cramp", "cramp", "twitch", "other")),
        "site": pick.choice(SITES),
        "side": pick.choice(SIDES),
        "duration_minutes": pick.choice((None, 0.5, 1, 2, 3, 5, 10, 20)),
        "pain": pick.choice((None, *range(11))),
        "activity": pick.choice(ACTIVITIES),
        "at_night": pick.random() < 0.4,
        "context": pick.sample(CONTEXTS, pick.randint(0, 2)),
        "tried": tried,
        "helped": pick.choice((True, False, None)) if tried else None,
        "notes": pick.choice(NOTES),
    }
    return body


INBOX_QUERIES = (
    "",
    "",
    "?status=all",
    "?page=2",
    "?urgency=urgent",
    "?location=sandy",
    "?status=new&urgency=doctor",
)
PAGE_QUERIES = ("", "", "?status=all", "?page=2", "?location=west-jordan")


@dataclass
class Identities:
    patient_tokens: list[str]
    staff_token: str
    staff_cookie: str


class Mix:
    """Chooses each request's kind (by weight) and builds it; deterministic given a seed."""

    def __init__(self, weights: dict[str, int], texts: Texts, who: Identities, seed: int) -> None:
        self.kinds = [k for k in KINDS if weights.get(k, 0) > 0]
        self.weights = [weights[k] for k in self.kinds]
        self.texts = texts
        self.who = who
        self.random = random.Random(seed)

    def next(self) -> Request:
        """(kind, method, path, headers, body) of the next request."""
        pick = self.random
        kind = pick.choices(self.kinds, self.weights)[0]
        json_headers = {"content-type": "application/json"}
        if kind == "check":
            body = json.dumps(self.texts.body()).encode()
            return kind, "POST", "/api/v1/assess", json_headers, body
        if kind == "diary write":
            token = pick.choice(self.who.patient_tokens)
            headers = {**json_headers, "authorization": f"Bearer {token}"}
            body = json.dumps(episode_body(pick, datetime.now(UTC))).encode()
            return kind, "POST", "/api/v1/episodes", headers, body
        if kind == "inbox API":
            headers = {"authorization": f"Bearer {self.who.staff_token}"}
            path = "/api/staff/requests" + pick.choice(INBOX_QUERIES)
            return kind, "GET", path, headers, None
        if kind == "inbox page":
            headers = {"cookie": f"crampcheck_staff={self.who.staff_cookie}"}
            return kind, "GET", "/staff" + pick.choice(PAGE_QUERIES), headers, None
        return kind, "GET", "/healthz", {}, None


# ---------------------------------------------------------------- setting the scene


def sign_up_patients(client: Any, count: int) -> list[str]:
    tokens = []
    for number in range(count):
        body = {"email": f"soak.patient{number}@example.org", "password": PASSWORD}
        answer = client.post("/api/v1/auth/signup", json=body)
        if answer.status_code != 201:
            raise SystemExit(f"sign-up failed: {answer.status_code} {answer.text[:500]}")
        tokens.append(answer.json()["token"])
    return tokens


def staff_token(client: Any) -> str:
    body = {"email": STAFF_EMAIL, "password": PASSWORD}
    answer = client.post("/api/staff/session", json=body)
    if answer.status_code != 200:
        raise SystemExit(
            f"POST /api/staff/session failed: {answer.status_code} {answer.text[:500]}"
        )
    token: str = answer.json()["token"]
    return token


def staff_cookie(client: Any) -> str:
    """Sign in through the staff sign-in form, as a browser does; the staff cookie."""
    form = client.get("/staff/signin")
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form.text) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form.text
    )
    if form.status_code != 200 or found is None:
        raise SystemExit(f"GET /staff/signin: {form.status_code}, no form token found")
    answer = client.post(
        "/staff/signin",
        data={"csrf_token": found.group(1), "email": STAFF_EMAIL, "password": PASSWORD},
    )
    cookie = answer.cookies.get("crampcheck_staff")
    if answer.status_code != 303 or not cookie:
        raise SystemExit(f"POST /staff/signin: {answer.status_code} {answer.text[:500]}")
    page = client.get("/staff", headers={"cookie": f"crampcheck_staff={cookie}"})
    if page.status_code != 200:
        raise SystemExit(f"GET /staff with the staff cookie: {page.status_code}")
    return str(cookie)


def seed_requests(
    client: Any, texts: Texts, count: int, pick: random.Random, tokens: list[str]
) -> Counter[str]:
    """Appointment requests from several urgencies' vignettes; a few signed in and
    sharing the diary. Emergencies are refused (409) by design, and counted."""
    calm = [v for v in texts.vignettes if v.get("expected_urgency") != "emergency"]
    urgencies: Counter[str] = Counter()
    for number in range(count):
        body: dict[str, Any] = {
            "name": f"Soak Patient {number}",
            "phone": f"(801) 555-{1000 + number:04d}",
            "preferred_location": pick.choice((*LOCATIONS, None)),
            "preferred_times": pick.choice(("mornings", "after 4pm", None)),
            "consent_to_share": True,
            "check": texts.body(calm),
        }
        headers = {}
        if number % 10 == 0 and tokens:
            headers["authorization"] = f"Bearer {tokens[number % len(tokens)]}"
            body["share_diary"] = True
        answer = client.post("/api/v1/appointment-requests", json=body, headers=headers)
        if answer.status_code == 201:
            urgencies[answer.json()["urgency"]] += 1
        elif answer.status_code == 409:
            urgencies["refused: emergency (409)"] += 1
        else:
            raise SystemExit(
                f"POST /api/v1/appointment-requests: {answer.status_code} {answer.text[:500]}"
            )
    return urgencies


# ---------------------------------------------------------------- load


@dataclass
class KindStats:
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    errors: int = 0
    statuses: Counter[str] = field(default_factory=Counter)

    def add(self, latency: float, ok: bool, status: str) -> None:
        self.latencies.append(latency)
        self.errors += not ok
        self.statuses[status] += 1


@dataclass
class Run:
    kinds: dict[str, KindStats] = field(default_factory=lambda: {k: KindStats() for k in KINDS})
    minutes: dict[int, dict[str, KindStats]] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)  # a few failed exchanges, in full
    lateness: list[float] = field(default_factory=list)  # loader: sent after due, seconds
    start: float = 0.0  # perf_counter seconds
    seconds: float = 0.0
    scheduled: int = 0
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # heap of 8
    episodes: dict[str, tuple[float, bytes]] = field(default_factory=dict)  # id: (due, sent)

    def record(self, kind: str, due: float, latency: float, ok: bool, status: str) -> None:
        self.kinds[kind].add(latency, ok, status)
        if len(self.slowest) < 8:
            heapq.heappush(self.slowest, (latency, due, kind))
        elif latency > self.slowest[0][0]:
            heapq.heapreplace(self.slowest, (latency, due, kind))
        number = int(due // 60)
        if number not in self.minutes:
            self.minutes[number] = {k: KindStats() for k in KINDS}
        self.minutes[number][kind].add(latency, ok, status)

    @property
    def requests(self) -> int:
        return sum(len(s.latencies) for s in self.kinds.values())

    @property
    def errors(self) -> int:
        return sum(s.errors for s in self.kinds.values())


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile (no interpolation); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


class Connection:
    """One keep-alive HTTP/1.1 connection, one request at a time, responses parsed by
    httptools (uvicorn's parser). Far cheaper per request than httpx's pool, so the
    loader keeps its schedule on a busy machine; a connection idle for a while (uvicorn
    closes them after 5 s) or answered with ``Connection: close`` is opened anew."""

    IDLE_SECONDS = 3.0

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, bytes]:
        import httptools

        if self.writer is None or time.perf_counter() - self.last_used > self.IDLE_SECONDS:
            self.close()
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body is not None:
            lines.append(f"content-length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b""))
        answer = _Answer()
        parser = httptools.HttpResponseParser(answer)
        while not answer.complete:
            data = await self.reader.read(65536)
            if not data:
                self.close()
                raise ConnectionError("the server closed the connection")
            parser.feed_data(data)
        status: int = parser.get_status_code()
        if answer.close or not parser.should_keep_alive():
            self.close()
        self.last_used = time.perf_counter()
        return status, bytes(answer.body)


class _Answer:
    """httptools' callbacks for one response."""

    def __init__(self) -> None:
        self.body = bytearray()
        self.complete = False
        self.close = False

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"connection" and value.lower() == b"close":
            self.close = True

    def on_body(self, data: bytes) -> None:
        self.body += data

    def on_message_complete(self) -> None:
        self.complete = True


TIMEOUT_SECONDS = 30.0


async def send(connection: Connection, run: Run, request: Request, due: float) -> None:
    """One request; its latency counted from ``due`` (perf_counter seconds)."""
    kind, method, path, headers, body = request
    run.lateness.append(time.perf_counter() - due)
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS):
            status, answer = await connection.request(method, path, headers, body)
    except (OSError, TimeoutError, ValueError) as error:  # httptools' errors are ValueErrors
        connection.close()
        run.record(kind, due - run.start, time.perf_counter() - due, False, type(error).__name__)
        if len(run.examples) < 8:
            run.examples.append(f"{kind}: {method} {path} -> {type(error).__name__}: {error}")
        return
    ok = status == EXPECTED_STATUS.get(kind, 200)
    run.record(kind, due - run.start, time.perf_counter() - due, ok, str(status))
    if ok and kind == "diary write":
        run.episodes[json.loads(answer)["id"]] = (due - run.start, body or b"")
    if not ok and len(run.examples) < 8:
        sent = (body or b"").decode(errors="replace")[:600]
        run.examples.append(
            f"{kind}: {method} {path}\n      sent: {sent}\n"
            f"      got:  {status} {answer.decode(errors='replace')[:600]}"
        )


async def closed_loop(mix: Mix, port: int, seconds: float, workers: int) -> Run:
    """Flat out: ``workers`` each sending the next request as soon as the last is answered."""
    run = Run()
    run.start = time.perf_counter()
    deadline = run.start + seconds

    async def worker() -> None:
        connection = Connection(HOST, port)
        while time.perf_counter() < deadline:
            await send(connection, run, mix.next(), time.perf_counter())
        connection.close()

    await asyncio.gather(*(worker() for _ in range(workers)))
    run.seconds = time.perf_counter() - run.start
    return run


async def open_loop(
    run: Run,
    mix: Mix,
    port: int,
    rate: float,
    seconds: float,
    connections: int,
    on_tick: Callable[[float, int], None],
    tick_every: float,
) -> Run:
    """A fixed schedule: request i is due at start + i / rate and queued then, whatever
    happened to the earlier ones; ``connections`` workers, each on its own connection,
    send what is queued (time spent queued counts in the latency). ``on_tick(elapsed,
    queued)`` runs every ``tick_every`` seconds."""
    queue: asyncio.Queue[tuple[float, Request] | None] = asyncio.Queue()

    async def worker() -> None:
        connection = Connection(HOST, port)
        while (item := await queue.get()) is not None:
            await send(connection, run, item[1], item[0])
        connection.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    run.start = start = time.perf_counter()
    run.scheduled = total = int(rate * seconds)
    next_tick = 0.0
    for number in range(total):
        due = start + number / rate
        now = time.perf_counter()
        if due > now:
            await asyncio.sleep(due - now)
        elif number % 20 == 0:
            await asyncio.sleep(0)  # behind schedule: still let the workers send
        if due - start >= next_tick:
            on_tick(due - start, queue.qsize())
            next_tick += tick_every
        queue.put_nowait((due, mix.next()))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.wait(workers, timeout=2 * TIMEOUT_SECONDS)
    run.seconds = time.perf_counter() - start
    on_tick(run.seconds, queue.qsize())
    return run


def run_async(coroutine: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(coroutine)


# ---------------------------------------------------------------- the report


def ms(seconds: float) -> str:
    return f"{1000 * seconds:.1f}"


def print_kinds(run: Run, title: str) -> None:
    base = run.kinds[BASELINE].latencies
    base_p50, base_p99 = percentile(base, 0.50), percentile(base, 0.99)
    print(f"\n{title}")
    header = ("kind", "requests", "req/s", "errors", "err %", "p50 ms", "p99 ms", "max ms")
    print("  {:<12} {:>9} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8}".format(*header), end="")
    print(f"  {'p50/base':>8} {'p99/base':>8}")
    for kind in KINDS:
        stats = run.kinds[kind]
        n = len(stats.latencies)
        if not n:
            continue
        p50, p99 = percentile(stats.latencies, 0.50), percentile(stats.latencies, 0.99)
        print(
            f"  {kind:<12} {n:9d} {n / run.seconds:7.1f} {stats.errors:7d} "
            f"{100 * stats.errors / n:7.3f} {ms(p50):>8} {ms(p99):>8} "
            f"{ms(max(stats.latencies)):>8}  {p50 / base_p50:8.1f} {p99 / base_p99:8.1f}"
        )
    everything = [x for s in run.kinds.values() for x in s.latencies]
    print(
        f"  {'all':<12} {run.requests:9d} {run.requests / run.seconds:7.1f} {run.errors:7d} "
        f"{100 * run.errors / max(1, run.requests):7.3f} {ms(percentile(everything, 0.5)):>8} "
        f"{ms(percentile(everything, 0.99)):>8} {ms(max(everything)):>8}"
    )
    statuses = {k: dict(s.statuses) for k, s in run.kinds.items() if s.statuses}
    print(f"  statuses: {statuses}")


def print_minutes(run: Run, samples: list[ProcSample]) -> None:
    print("\nminute by minute (latency from when each request was due):")
    shown = ("check", "diary write", "inbox API", "inbox page", "healthz")
    header = "  min   req/s  errors " + " ".join(f"{k[:11]:>11}" for k in shown)
    print(header + "   RSS MB")
    print("  " + " " * 22 + " ".join(f"{'p50/p99 ms':>11}" for _ in shown))
    for minute in sorted(run.minutes):
        stats = run.minutes[minute]
        n = sum(len(s.latencies) for s in stats.values())
        errors = sum(s.errors for s in stats.values())
        cells = []
        for kind in shown:
            values = stats[kind].latencies
            cells.append(
                f"{1000 * percentile(values, 0.5):4.0f}/{1000 * percentile(values, 0.99):<6.0f}"
                if values
                else f"{'-':>11}"
            )
        in_minute = [s.rss_mb for s in samples if minute * 60 <= s.at < (minute + 1) * 60]
        rss = f"{in_minute[-1]:8.1f}" if in_minute else ""
        print(f"  {minute + 1:3d} {n / 60:7.1f} {errors:7d} " + " ".join(cells) + rss)


def print_memory(ready: ProcSample, samples: list[ProcSample]) -> str:
    """Memory at start and end, and its trend; returns the one-line verdict."""
    soak = [s for s in samples if s.at >= 0]
    first, last = soak[0], soak[-1]
    half = [s for s in soak if s.at >= last.at / 2]
    early = [s for s in soak if s.at < last.at / 2]
    whole_slope, last_slope = slope_mb_per_min(soak), slope_mb_per_min(half)
    peak = max(s.rss_mb for s in soak)
    print(f"\nserver memory (VmRSS, sampled every {soak[1].at - soak[0].at:.0f} s):")
    print(
        f"  when ready, before any load       {ready.rss_mb:8.1f} MB (VmHWM {ready.hwm_mb:.1f} MB)"
    )
    print(f"  soak start (after calibration)    {first.rss_mb:8.1f} MB")
    print(f"  soak end                          {last.rss_mb:8.1f} MB")
    print(f"  change over the soak              {last.rss_mb - first.rss_mb:+8.1f} MB")
    print(f"  peak RSS during the soak          {peak:8.1f} MB (VmHWM {last.hwm_mb:.1f} MB)")
    print(f"  slope, whole soak                 {whole_slope:+8.3f} MB/min")
    print(f"  slope, first half                 {slope_mb_per_min(early):+8.3f} MB/min")
    print(f"  slope, last half                  {last_slope:+8.3f} MB/min")
    print(f"  threads                           {first.threads} -> {last.threads}")
    print(f"  open file descriptors             {first.open_files} -> {last.open_files}")
    if last_slope < STABLE_MB_PER_MIN:
        verdict = (
            f"memory STABLE: the last half's slope {last_slope:+.3f} MB/min is below "
            f"{STABLE_MB_PER_MIN} MB/min"
        )
    else:
        verdict = (
            f"memory GREW: {last_slope:+.3f} MB/min over the last half "
            f"(about {60 * last_slope:.0f} MB an hour at this rate), above {STABLE_MB_PER_MIN}"
            " MB/min"
        )
    print(f"  verdict: {verdict}")
    return verdict


def database_counts(url: str) -> tuple[dict[str, int], set[str]]:
    """Rows of the tables the soak writes, and every episode's id."""
    from sqlalchemy import func, select

    from crampcheck.storage.database import make_engine
    from crampcheck.storage.tables import AppointmentRequest, AuditEvent, Episode

    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            counts = {
                table.__tablename__: connection.scalar(select(func.count()).select_from(table)) or 0
                for table in (Episode, AppointmentRequest, AuditEvent)
            }
            return counts, set(connection.scalars(select(Episode.id)))
    finally:
        engine.dispose()


def check_episodes(runs: tuple[Run, ...], stored: set[str], count: int) -> None:
    """Every episode answered 201 (with its id) must be in the database."""
    acknowledged = {k: v for run in runs for k, v in run.episodes.items()}
    missing = sorted(set(acknowledged) - stored)
    print(
        f"  episodes acknowledged (201), calibration and soak: {len(acknowledged)};"
        f" in the database: {count}; acknowledged but missing: {len(missing)}"
    )
    for episode_id in missing[:5]:
        due, sent = acknowledged[episode_id]
        print(f"    MISSING {episode_id} (due at {due:.1f} s): sent {sent.decode()[:400]}")


# ---------------------------------------------------------------- the run


def parse_mix(text: str | None) -> dict[str, int]:
    if not text:
        return dict(DEFAULT_MIX)
    mix = {k: 0 for k in KINDS}
    names = {k.replace(" ", "-"): k for k in KINDS}
    for part in text.split(","):
        name, _, weight = part.partition("=")
        if name.strip() not in names or not weight.strip().isdigit():
            raise SystemExit(f"--mix: use {','.join(f'{n}=W' for n in names)}")
        mix[names[name.strip()]] = int(weight)
    if not mix[BASELINE]:
        raise SystemExit("--mix: the healthz baseline needs a weight above 0")
    return mix


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak")
    parser.add_argument(
        "--rate", type=float, help="requests a second (default: half the calibrated)"
    )
    parser.add_argument("--postgres", metavar="URL", help="run on a fresh schema of this database")
    parser.add_argument("--quick", action="store_true", help="a 1-minute smoke run")
    parser.add_argument("--calibration-seconds", type=float, default=20.0)
    parser.add_argument("--calibration-workers", type=int, default=16)
    parser.add_argument("--connections", type=int, default=32, help="open loop: workers")
    parser.add_argument("--patients", type=int, default=6)
    parser.add_argument("--requests", type=int, default=80, help="appointment requests seeded")
    parser.add_argument("--new-words", type=float, default=0.05, help="share of checks")
    parser.add_argument("--mix", help="weights, e.g. check=55,diary-write=25,inbox-API=8,...")
    parser.add_argument("--sample-every", type=float, default=3.0, help="seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and loader")
    parser.add_argument(
        "--keep", action="store_true", help="leave the database (folder or schema) afterwards"
    )
    parser.add_argument(
        "--reader-word-limit",
        type=int,
        metavar="N",
        help="the server's CRAMPCHECK_READER_WORD_LIMIT (default: the setting's default)",
    )
    parser.add_argument(
        "--reader-probe",
        type=int,
        metavar="N",
        help="no server: read N texts with a new word each, then N without, in this process,"
        " and print what each cost in memory",
    )
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if args.reader_probe:
        reader_probe(load_vignettes(args.vignettes), args.reader_probe, args.seed)
        return 0
    if args.quick:
        args.minutes = 1.0
        args.calibration_seconds = min(args.calibration_seconds, 8.0)
    if args.postgres:
        from sqlalchemy.engine import make_url

        if make_url(args.postgres).host not in (HOST, "localhost"):
            raise SystemExit("--postgres: only a database on 127.0.0.1")

    weights = parse_mix(args.mix)
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = not args.no_pin and len(allowed) >= 2
    server_cpu, loader_cpu = (allowed[0], allowed[1]) if pin else (None, None)
    pinning = (
        f"server pinned to CPU {server_cpu}, load generator to CPU {loader_cpu}"
        if pin
        else "not pinned"
    )
    for line in machine_info(pinning):
        print(line)
    if loader_cpu is not None:
        os.sched_setaffinity(0, {loader_cpu})
    commit = subprocess.run(
        ["git", "-C", str(Path(__file__).resolve().parents[1]), "describe", "--always", "--dirty"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(f"checkout:  {commit or 'unknown'}")
    print(f"started:   {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
    loader = "asyncio" + (" on uvloop" if _has_uvloop() else "") + ", httptools parser"
    print(f"loader:    {loader}, this process; mix {weights}")
    print(f"texts:     {args.vignettes} with variations; new words in {args.new_words:.0%}")

    vignettes = load_vignettes(args.vignettes)
    database = "SQLite (fresh file)"
    with contextlib.ExitStack() as stack:
        if args.keep:
            tmp = Path(tempfile.mkdtemp(prefix="crampcheck-soak-"))
            print(f"kept:      {tmp}")
        else:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="crampcheck-soak-")))
        url: str | None = None
        if args.postgres:
            schema = f"bench_soak_{os.getpid()}"
            url = stack.enter_context(fresh_postgres_schema(args.postgres, schema, keep=args.keep))
            database = f"PostgreSQL, fresh schema {schema}"
        print(f"database:  {database}")
        env = server_env(tmp / "data", url)
        if args.reader_word_limit is not None:
            env["CRAMPCHECK_READER_WORD_LIMIT"] = str(args.reader_word_limit)
        link = add_staff_member(env)
        port = free_port()
        base = f"http://{HOST}:{port}"
        log = tmp / "server.log"
        server = start_server(env, port, server_cpu, log)
        stack.callback(stop_server, server)
        choose_staff_password(base, link)
        ready = proc_sample(server.pid, -1.0)
        print(f"server:    crampcheck serve, pid {server.pid}, {base}")
        soak(args, weights, vignettes, port, server, ready, url or _sqlite_url(tmp), log)
    return 0


def reader_probe(vignettes: list[dict[str, Any]], count: int, seed: int) -> None:
    """What a check's text leaves behind in the reader: RSS and spaCy's vocabulary after
    ``count`` texts each with a never-seen word, then ``count`` texts without one."""
    from crampcheck.services.pipeline import default_pipeline

    pipeline = default_pipeline()
    vocab = pipeline.reader._nlp.vocab  # noqa: SLF001 - a probe may look inside
    texts = Texts(vignettes, 0.0, seed)
    for _ in range(2 * pipeline.READING_CACHE_SIZE):
        pipeline.check_text(texts.body()["text"])  # warm up; fill the reading cache
    for share, label in ((1.0, "with a never-seen word"), (0.0, "without new words")):
        texts.new_words = share
        before = proc_sample(os.getpid(), 0)
        lexemes, strings = len(vocab), len(vocab.strings)
        for _ in range(count):
            pipeline.check_text(texts.body()["text"])
        after = proc_sample(os.getpid(), 0)
        grew = after.rss_mb - before.rss_mb
        print(
            f"{count} texts {label}: RSS {grew:+.1f} MB ({1024 * grew / count:.2f} KB a text);"
            f" spaCy vocabulary +{len(vocab) - lexemes} lexemes,"
            f" +{len(vocab.strings) - strings} strings"
        )


def _has_uvloop() -> bool:
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return False
    return True


def _sqlite_url(tmp: Path) -> str:
    return f"sqlite:///{tmp / 'data' / 'crampcheck.sqlite3'}"


def soak(
    args: argparse.Namespace,
    weights: dict[str, int],
    vignettes: list[dict[str, Any]],
    port: int,
    server: Any,
    ready: ProcSample,
    url: str,
    log: Path,
) -> None:
    import httpx

    pick = random.Random(args.seed)
    texts = Texts(vignettes, args.new_words, args.seed)
    base = f"http://{HOST}:{port}"
    with httpx.Client(base_url=base, timeout=60, trust_env=False) as client:
        tokens = sign_up_patients(client, args.patients)
        client.cookies.clear()
        who = Identities(tokens, staff_token(client), staff_cookie(client))
        client.cookies.clear()
        seeded = seed_requests(client, texts, args.requests, pick, tokens)
    print(f"setup:     {len(tokens)} patients signed up; staff signed in (bearer and cookie)")
    print(f"seeded:    {args.requests} appointment requests: {dict(seeded)}")

    # Calibration: flat out, the same mix.
    mix = Mix(weights, texts, who, args.seed + 1)
    cpu_before, own_before = proc_sample(server.pid, 0).cpu_seconds, own_cpu_seconds()
    calibration = run_async(
        closed_loop(mix, port, args.calibration_seconds, args.calibration_workers)
    )
    server_cpu = (proc_sample(server.pid, 0).cpu_seconds - cpu_before) / calibration.seconds
    own_cpu = (own_cpu_seconds() - own_before) / calibration.seconds
    flat_out = calibration.requests / calibration.seconds
    print_kinds(
        calibration,
        f"calibration: closed loop, {args.calibration_workers} workers, "
        f"{calibration.seconds:.0f} s: {flat_out:.0f} req/s "
        f"(server CPU {server_cpu:.0%}, loader CPU {own_cpu:.0%} of one core)",
    )
    if own_cpu > 0.85:
        print("  note: the loader was near a full core; the calibration may be the loader's limit")
    rate = args.rate or max(1.0, round(flat_out / 2))
    seconds = 60 * args.minutes
    print(
        f"\nsoak: {rate:g} requests a second on a fixed schedule "
        f"({'--rate' if args.rate else 'half the calibrated rate'}) for {args.minutes:g} min"
        f" = {int(rate * seconds)} requests"
    )

    # The soak.
    samples: list[ProcSample] = []
    run = Run()
    progress = {"next": 60.0}

    def sample(at: float, queued: int) -> None:
        with contextlib.suppress(OSError):
            samples.append(proc_sample(server.pid, at))
        if at >= progress["next"] and samples:
            progress["next"] += 60
            print(
                f"  {at / 60:5.1f} min: {run.requests} answered, {run.errors} errors, "
                f"{queued} queued, server RSS {samples[-1].rss_mb:.1f} MB"
            )

    texts.new_words_sent = 0
    mix = Mix(weights, texts, who, args.seed + 2)
    cpu_before, own_before = proc_sample(server.pid, 0).cpu_seconds, own_cpu_seconds()
    run_async(open_loop(run, mix, port, rate, seconds, args.connections, sample, args.sample_every))
    server_cpu = (samples[-1].cpu_seconds - cpu_before) / run.seconds
    own_cpu = (own_cpu_seconds() - own_before) / run.seconds
    alive = server.poll() is None

    print_kinds(
        run,
        f"soak: {run.requests} of {run.scheduled} scheduled requests answered in "
        f"{run.seconds:.0f} s (server CPU {server_cpu:.0%}, loader CPU {own_cpu:.0%} of one core)",
    )
    late = sorted(run.lateness)
    print(
        f"  loader: sent p50 {ms(percentile(late, 0.5))} ms, p99 {ms(percentile(late, 0.99))} ms,"
        f" max {ms(late[-1])} ms after due (time queued for a free connection counts)"
    )
    slowest = ", ".join(
        f"{kind} due at {due:.1f} s: {1000 * latency:.0f} ms"
        for latency, due, kind in sorted(run.slowest, reverse=True)
    )
    print(f"  slowest: {slowest}")
    print(f"  checks with a never-seen word: {texts.new_words_sent}")
    print_minutes(run, samples)
    verdict = print_memory(ready, samples)
    counts, stored = database_counts(url)
    print(f"\ndatabase at the end: {counts}")
    check_episodes((calibration, run), stored, counts["episodes"])
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        sizes = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
        print(f"  SQLite file (with -wal/-shm): {sizes / 2**20:.1f} MB")
    if run.examples:
        print("\nfailed requests (first few, in full):")
        for example in run.examples:
            print(f"  {example}")
    problems = [
        line for line in tail(log, 400).splitlines() if "Traceback" in line or "ERROR" in line
    ]
    if problems:
        print(f"\nserver log: {len(problems)} error lines; the last lines:\n{tail(log)}")
    print("\nsummary:")
    print(f"  server {'alive' if alive else 'DEAD'} at the end")
    print(
        f"  {run.requests} requests at {run.requests / run.seconds:.1f} req/s "
        f"(target {rate:g}), errors {run.errors} ({100 * run.errors / max(1, run.requests):.3f}%)"
    )
    print(f"  {verdict}")


if __name__ == "__main__":
    sys.exit(main())
