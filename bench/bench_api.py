"""Load the real server: POST /api/v1/assess against a bare JSON endpoint in the same process.

The server is the application `crampcheck serve` runs (create_app on a migrated SQLite
database in a temporary folder, uvicorn with the same options), started in a child
process on 127.0.0.1 and a free port. Before serving, this script (never the product)
adds one route, POST /bench/bare, a plain synchronous endpoint that returns a constant
JSON object: the baseline is the same process, middleware, threadpool and HTTP stack
doing no work. Both are driven with 50 concurrent keep-alive connections by `wrk`
(Debian package `wrk`) or, without it or with --loader python, by an asyncio + httpx
load generator (far slower: then the loader, not the server, may be the limit).

On a machine with two or more CPUs the server is pinned to one CPU and the load
generator to another, so the figures are those of one server process on one core.

    .venv/bin/python bench/bench_api.py [--seconds S] [--rounds R] [--connections C]
                                        [--loader wrk|python] [--profile]

Targets: assess at least 60% of the bare endpoint's requests per second, and p99
latency of assess at most 25 ms. Only ever loads 127.0.0.1.

    .venv/bin/python bench/bench_api.py --workers 1,2 [--no-nginx]

compares worker processes instead (`crampcheck serve --workers N`): for each N, assess
under the same load straight to the server and through nginx (TLS, with
docs/deploy/nginx-crampcheck.conf), the rounds alternating, then the memory of each
process. Nothing is pinned: N workers need N cores, and the load generator (and nginx)
share them. Targets: 2 workers at least 1.7x the requests per second of 1, and nginx
costing at most 15% of the requests per second.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import DEFAULT_VIGNETTES, machine_info  # noqa: E402

HOST = "127.0.0.1"
ASSESS = "/api/v1/assess"
BARE = "/bench/bare"
TARGET_RATIO = 0.60
TARGET_P99_MS = 25.0
TARGET_SCALING = 1.7
TARGET_PROXY_COST = 0.15
FALLBACK_TEXT = (
    "For the last two weeks my right calf cramps up at night, the muscle goes hard for a "
    "few minutes and it wakes me up. I started a new water tablet last month. No swelling."
)


# ---------------------------------------------------------------- the server (child process)


def serve(
    port: int, data_dir: Path, cpu: int | None, profile_to: Path | None, gc_freeze: bool
) -> None:
    """Run the application as `crampcheck serve` does, plus the bare endpoint; with
    ``profile_to``, under cProfile (stats written there when the server stops); without
    ``gc_freeze``, as serve did before it froze the loaded objects (for comparison)."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})
    os.environ["CRAMPCHECK_DATA_DIR"] = str(data_dir)
    os.environ.pop("CRAMPCHECK_DATABASE_URL", None)
    from crampcheck.cli import serve_app
    from crampcheck.settings import Settings
    from crampcheck.storage.database import upgrade
    from crampcheck.web.app import create_app

    settings = Settings(host=HOST, port=port)
    upgrade(settings.effective_database_url)
    app = create_app(settings)

    @app.post(BARE, include_in_schema=False)
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    if not gc_freeze:
        import uvicorn

        from crampcheck.cli import SERVER_OPTIONS

        uvicorn.run(app, host=HOST, port=port, **SERVER_OPTIONS)
        return
    if profile_to is None:
        serve_app(app, HOST, port)
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(serve_app, app, HOST, port)
    profiler.dump_stats(profile_to)


def bench_app() -> Any:
    """The application of one worker of `crampcheck serve --workers N`, plus the bare
    endpoint (imported by name in each worker process)."""
    from crampcheck.cli.serving import worker_app

    app = worker_app()

    @app.post(BARE, include_in_schema=False)
    async def bare() -> dict[str, str]:
        return {"status": "ok"}

    return app


def serve_workers(port: int, data_dir: Path, workers: int) -> None:
    """Run the application as `crampcheck serve --workers N` does (N > 1)."""
    os.environ["CRAMPCHECK_DATA_DIR"] = str(data_dir)
    os.environ.pop("CRAMPCHECK_DATABASE_URL", None)
    from crampcheck.cli.serving import serve_workers as serve_in_workers
    from crampcheck.settings import Settings
    from crampcheck.storage.database import upgrade

    upgrade(Settings().effective_database_url)
    if not serve_in_workers("bench_api:bench_app", HOST, port, workers, 30):
        raise SystemExit("a worker did not start")


# ---------------------------------------------------------------- load generators


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p99_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(value: str) -> float:
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", value)
    if not match:
        raise ValueError(f"cannot read wrk's latency {value!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def run_wrk(
    url: str, body: bytes, seconds: float, connections: int, cpu: int | None, workdir: Path
) -> Result:
    script = workdir / "post.lua"
    script.write_text(
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"wrk.body = {json.dumps(body.decode())}\n",
        encoding="utf-8",
    )
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        "-s",
        str(script),
        url,
    ]
    if cpu is not None and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    total = re.search(r"^\s+(\d+) requests in ([0-9.]+)(m?s)", output, re.MULTILINE)
    if total is None or set(latency) != {"50", "99"}:
        raise SystemExit(f"cannot read wrk's output:\n{output}")
    elapsed = float(total.group(2)) * (0.001 if total.group(3) == "ms" else 1.0)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    if socket_errors:
        print(f"  wrk: socket errors: {socket_errors.group(1)}")
    return Result(
        requests=int(total.group(1)),
        errors=int(errors.group(1)) if errors else 0,
        seconds=elapsed,
        p50_ms=_ms(latency["50"]),
        p99_ms=_ms(latency["99"]),
    )


def run_python(url: str, body: bytes, seconds: float, connections: int, limit: int) -> Result:
    """Closed loop: ``connections`` workers, each sending its next request on its own
    connection as soon as the last answer arrived, until ``seconds`` or ``limit`` requests."""
    import httpx

    async def drive() -> Result:
        latencies: list[float] = []
        errors = 0
        limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
        headers = {"content-type": "application/json"}
        async with httpx.AsyncClient(limits=limits, timeout=30, trust_env=False) as client:
            start = time.perf_counter()
            deadline = start + seconds

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline and len(latencies) < limit:
                    sent = time.perf_counter()
                    response = await client.post(url, content=body, headers=headers)
                    latencies.append(time.perf_counter() - sent)
                    errors += response.status_code >= 300

            await asyncio.gather(*(worker() for _ in range(connections)))
            elapsed = time.perf_counter() - start
        latencies.sort()
        return Result(
            requests=len(latencies),
            errors=errors,
            seconds=elapsed,
            p50_ms=1000 * latencies[len(latencies) // 2],
            p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        )

    return asyncio.run(drive())


# ---------------------------------------------------------------- the run


def vignette_text(path: Path) -> str:
    """The dev vignette of median length (a realistic description), or a built-in one."""
    if not path.is_file():
        print(f"vignettes not found at {path}; using a built-in description")
        return FALLBACK_TEXT
    texts = [json.loads(line)["text"] for line in path.read_text().splitlines() if line.strip()]
    texts.sort(key=len)
    return texts[len(texts) // 2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def wait_ready(base: str, server: subprocess.Popen[bytes], timeout: float = 120) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=2, trust_env=False).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not become ready")
        time.sleep(0.2)


def profile_in_process(text: str, repeats: int = 400) -> None:
    """Where one request's time goes, measured in this process: each stage of /assess, and
    whole requests driven straight into the ASGI application (no HTTP, no sockets)."""
    from starlette.responses import JSONResponse

    from crampcheck.services.pipeline import default_pipeline
    from crampcheck.settings import Settings
    from crampcheck.storage.database import upgrade
    from crampcheck.web.api.common import assessment_payload, run_check
    from crampcheck.web.api.schemas import CheckIn
    from crampcheck.web.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp))
        upgrade(settings.effective_database_url)
        app = create_app(settings, default_pipeline())

        @app.post(BARE, include_in_schema=False)
        async def bare() -> dict[str, str]:
            return {"status": "ok"}

        import gc

        gc.collect()
        gc.freeze()  # as serve_app does
        state = app.state.crampcheck
        raw = json.dumps({"text": text}).encode()
        check = CheckIn.model_validate_json(raw)
        result = run_check(state, check)
        payload = assessment_payload(state, result)

        def asgi_request(path: str) -> Any:
            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "POST",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "root_path": "",
                "query_string": b"",
                "headers": [
                    (b"host", b"127.0.0.1"),
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(raw)).encode()),
                ],
                "client": ("127.0.0.1", 1),
                "server": ("127.0.0.1", 80),
                "state": {},
            }

            async def receive() -> dict[str, Any]:
                return {"type": "http.request", "body": raw, "more_body": False}

            async def send(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    assert message["status"] == 200, message

            async def call() -> None:
                await app(scope, receive, send)

            return call

        def per_call_us(function: Any) -> float:
            function()
            start = time.perf_counter()
            for _ in range(repeats):
                function()
            return (time.perf_counter() - start) / repeats * 1e6

        def per_request_us(path: str) -> float:
            call = asgi_request(path)

            async def many() -> float:
                await call()
                start = time.perf_counter()
                for _ in range(repeats):
                    await call()
                return (time.perf_counter() - start) / repeats * 1e6

            return asyncio.run(many())

        stages = [
            ("read the body into CheckIn", lambda: CheckIn.model_validate_json(raw)),
            ("reader + engine (run_check)", lambda: run_check(state, check)),
            (
                "assessment_payload (to dict + clinic scope)",
                lambda: assessment_payload(state, result),
            ),
            ("JSONResponse of the 16 KB assessment", lambda: JSONResponse(payload)),
        ]
        print(f"\nwhere one request's time goes (in process, {repeats} calls each):")
        for name, function in stages:
            print(f"  {name:<46} {per_call_us(function):8.0f} µs")
        assess_us, bare_us = per_request_us(ASSESS), per_request_us(BARE)
        print(f"  {'whole POST /api/v1/assess through the ASGI app':<46} {assess_us:8.0f} µs")
        print(f"  {'whole POST /bench/bare through the ASGI app':<46} {bare_us:8.0f} µs")


def start_server(
    port: int, data_dir: Path, cpu: int | None, profile_to: Path | None, gc_freeze: bool = True
) -> Any:
    command = [sys.executable, __file__, "--serve", str(port), str(data_dir)]
    command += ["-" if cpu is None else str(cpu), "-" if profile_to is None else str(profile_to)]
    command += ["freeze" if gc_freeze else "no-freeze"]
    server = subprocess.Popen(command)
    try:
        wait_ready(f"http://{HOST}:{port}", server)
    except BaseException:
        stop_server(server)
        raise
    return server


def stop_server(server: Any) -> None:
    """Ctrl-C: uvicorn shuts down gracefully (and the profile, if any, is written)."""
    server.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=60)
    if server.poll() is None:
        server.kill()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each load run")
    parser.add_argument("--rounds", type=int, default=3, help="load runs per endpoint")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--loader", choices=["wrk", "python"], default=None)
    parser.add_argument(
        "--max-requests", type=int, default=200_000, help="python loader: bound per run"
    )
    parser.add_argument("--vignettes", type=Path, default=DEFAULT_VIGNETTES)
    parser.add_argument("--no-pin", action="store_true", help="do not pin server and loader")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="then profile a second server under assess load, and break one request down",
    )
    parser.add_argument(
        "--no-gc-freeze",
        action="store_true",
        help="serve without freezing the loaded objects (what crampcheck serve did before)",
    )
    parser.add_argument(
        "--workers",
        type=lambda text: [int(n) for n in text.split(",")],
        help="compare these numbers of worker processes (such as 1,2), each straight and "
        "through nginx",
    )
    parser.add_argument("--no-nginx", action="store_true", help="with --workers: not through nginx")
    parser.add_argument(
        "--serve-workers", nargs=3, metavar=("PORT", "DATA_DIR", "N"), help=argparse.SUPPRESS
    )
    parser.add_argument(
        "--serve",
        nargs=5,
        metavar=("PORT", "DATA_DIR", "CPU", "PROFILE", "FREEZE"),
        help=argparse.SUPPRESS,
    )
    args = parser.parse_args(argv)

    if args.serve_workers:
        port_arg, data_dir, workers_arg = args.serve_workers
        serve_workers(int(port_arg), Path(data_dir), int(workers_arg))
        return 0
    if args.workers:
        return compare_workers(args)
    if args.serve:
        port_arg, data_dir, cpu_arg, profile_arg, freeze_arg = args.serve
        serve(
            int(port_arg),
            Path(data_dir),
            None if cpu_arg == "-" else int(cpu_arg),
            None if profile_arg == "-" else Path(profile_arg),
            freeze_arg == "freeze",
        )
        return 0

    loader = args.loader or ("wrk" if shutil.which("wrk") else "python")
    if loader == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --loader python")
    allowed = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    pin = not args.no_pin and len(allowed) >= 2
    server_cpu, loader_cpu = (allowed[0], allowed[1]) if pin else (None, None)
    pinning = (
        f"server pinned to CPU {server_cpu}, load generator to CPU {loader_cpu}"
        if pin
        else "not pinned"
    )
    text = vignette_text(args.vignettes)
    body = json.dumps({"text": text}).encode()

    for line in machine_info(pinning):
        print(line)
    print(
        f"loader:    {loader}, {args.connections} connections, {args.seconds:g} s x {args.rounds}"
    )
    if args.no_gc_freeze:
        print("server:    --no-gc-freeze: loaded objects NOT frozen (unlike crampcheck serve)")
    print(f"request:   POST {ASSESS} with a {len(text)}-character vignette:\n           {text!r}")
    if loader == "python" and loader_cpu is not None:
        os.sched_setaffinity(0, {loader_cpu})

    with tempfile.TemporaryDirectory(prefix="crampcheck-bench-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        base = f"http://{HOST}:{port}"

        def load(path: str, seconds: float) -> Result:
            if loader == "wrk":
                return run_wrk(base + path, body, seconds, args.connections, loader_cpu, tmp)
            return run_python(base + path, body, seconds, args.connections, args.max_requests)

        server = start_server(port, tmp / "data", server_cpu, None, not args.no_gc_freeze)
        try:
            import httpx

            answer = httpx.post(
                base + ASSESS,
                content=body,
                timeout=10,
                trust_env=False,
                headers={"content-type": "application/json"},
            )
            answer.raise_for_status()
            data = answer.json()
            print(
                f"answer:    urgency {data['urgency']}, kind {data['kind']}, "
                f"{len(answer.content)} bytes"
            )
            load(BARE, 2)  # warm-up
            load(ASSESS, 2)
            results: dict[str, list[Result]] = {BARE: [], ASSESS: []}
            columns = ("round", "endpoint", "req/s", "p50 ms", "p99 ms", "errors")
            print("\n{:<6} {:<16} {:>8} {:>8} {:>8} {:>7}".format(*columns))
            for number in range(1, args.rounds + 1):
                for path in (BARE, ASSESS):
                    result = load(path, args.seconds)
                    results[path].append(result)
                    print(
                        f"{number:<6} {path:<16} {result.rps:8.0f} {result.p50_ms:8.2f} "
                        f"{result.p99_ms:8.2f} {result.errors:7d}"
                    )
        finally:
            stop_server(server)

        report(results)

        if args.profile:
            stats_file = tmp / "server.prof"
            server = start_server(port, tmp / "data", server_cpu, stats_file)
            try:
                warm = load(ASSESS, 2)
                profiled = load(ASSESS, args.seconds)
            finally:
                stop_server(server)
            requests = warm.requests + profiled.requests + 1  # and the readiness check
            print(f"\nserver profile: {requests} assess requests under cProfile")
            print_profile(stats_file, requests)
            profile_in_process(text)
    return 0


def compare_workers(args: argparse.Namespace) -> int:
    """`--workers 1,2`: assess straight and through nginx with each number of workers."""
    from _scaling import nginx_command, process_memory, running_nginx, server_processes

    loader = args.loader or ("wrk" if shutil.which("wrk") else "python")
    via_nginx = not args.no_nginx
    if via_nginx and nginx_command() is None:
        raise SystemExit("nginx is not installed (apt-get install nginx), or use --no-nginx")
    text = vignette_text(args.vignettes)
    body = json.dumps({"text": text}).encode()
    for line in machine_info("not pinned: the workers, nginx and the load generator share"):
        print(line)
    print(
        f"loader:    {loader}, {args.connections} connections, {args.seconds:g} s x {args.rounds}"
        f" per way"
    )
    print(f"request:   POST {ASSESS} with a {len(text)}-character vignette")
    figures: dict[tuple[int, str], list[Result]] = {}
    memory: dict[int, list[tuple[str, float, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="crampcheck-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for workers in args.workers:
            port = free_port()
            direct = f"http://{HOST}:{port}"
            if workers == 1:
                command = [sys.executable, __file__, "--serve", str(port), str(tmp / "data")]
                command += ["-", "-", "freeze"]
            else:
                command = [sys.executable, __file__, "--serve-workers", str(port)]
                command += [str(tmp / "data"), str(workers)]
            server = subprocess.Popen(command)
            try:
                wait_ready(direct, server)
                if workers > 1:  # every worker up, not only the first
                    deadline = time.monotonic() + 120
                    while [k for k, _ in server_processes(server.pid)].count("worker") < workers:
                        if time.monotonic() > deadline:
                            raise SystemExit("the workers did not all start")
                        time.sleep(0.2)
                    time.sleep(5)  # the last worker's reader is loaded once it serves
                ways = {"direct": direct}
                with contextlib.ExitStack() as stack:
                    if via_nginx:
                        folder = tmp / f"nginx-{workers}"
                        ways["nginx"] = stack.enter_context(
                            running_nginx(folder, free_port(), free_port(), f"{HOST}:{port}")
                        )
                    for base in ways.values():  # warm-up
                        load_once(loader, base + ASSESS, body, 2, args, tmp)
                    print(f"\n{workers} worker(s):")
                    for number in range(1, args.rounds + 1):
                        for way, base in ways.items():
                            result = load_once(loader, base + ASSESS, body, args.seconds, args, tmp)
                            figures.setdefault((workers, way), []).append(result)
                            print(
                                f"  round {number} {way:<7} {result.rps:8.0f} req/s  p50 "
                                f"{result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms  "
                                f"errors {result.errors}"
                            )
                memory[workers] = [
                    (kind, *process_memory(pid)) for kind, pid in server_processes(server.pid)
                ]
            finally:
                stop_server(server)
    report_workers(args.workers, figures, memory)
    return 0


def load_once(
    loader: str, url: str, body: bytes, seconds: float, args: argparse.Namespace, tmp: Path
) -> Result:
    if loader == "wrk":
        return run_wrk(url, body, seconds, args.connections, None, tmp)
    return run_python(url, body, seconds, args.connections, args.max_requests)


def report_workers(
    counts: list[int],
    figures: dict[tuple[int, str], list[Result]],
    memory: dict[int, list[tuple[str, float, float, float]]],
) -> None:
    print("\nmedian of the rounds (assess):")
    print(f"  {'workers':>7} {'way':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    rps: dict[tuple[int, str], float] = {}
    for (workers, way), results in figures.items():
        rps[workers, way] = statistics.median(r.rps for r in results)
        p50 = statistics.median(r.p50_ms for r in results)
        p99 = statistics.median(r.p99_ms for r in results)
        print(f"  {workers:>7} {way:<7} {rps[workers, way]:8.0f} {p50:8.2f} {p99:8.2f}")
    if (1, "direct") in rps:
        for workers in counts:
            if workers > 1 and (workers, "direct") in rps:
                gain = rps[workers, "direct"] / rps[1, "direct"]
                verdict = "met" if workers != 2 or gain >= TARGET_SCALING else "missed"
                target = f" (target >= {TARGET_SCALING}x: {verdict})" if workers == 2 else ""  # noqa: PLR2004
                print(f"  {workers} workers / 1 worker: {gain:.2f}x{target}")
    for workers in counts:
        if (workers, "nginx") in rps:
            cost = 1 - rps[workers, "nginx"] / rps[workers, "direct"]
            verdict = "met" if cost <= TARGET_PROXY_COST else "missed"
            print(
                f"  nginx costs {cost:.1%} of {workers} worker(s)' req/s "
                f"(target <= {TARGET_PROXY_COST:.0%}: {verdict})"
            )
    print("\nmemory after the load (MB: resident, proportional, private):")
    for workers, processes in memory.items():
        for kind, rss, pss, private in processes:
            print(f"  {workers} worker(s), {kind:<7} {rss:7.0f} {pss:7.0f} {private:7.0f}")


def report(results: dict[str, list[Result]]) -> None:
    bare_rps = statistics.median(r.rps for r in results[BARE])
    assess_rps = statistics.median(r.rps for r in results[ASSESS])
    p50 = statistics.median(r.p50_ms for r in results[ASSESS])
    p99 = statistics.median(r.p99_ms for r in results[ASSESS])
    bare_p99 = statistics.median(r.p99_ms for r in results[BARE])
    ratio = assess_rps / bare_rps
    errors = sum(r.errors for rs in results.values() for r in rs)
    print("\nmedian of the rounds:")
    print(f"  bare endpoint   {bare_rps:8.0f} req/s   p99 {bare_p99:.2f} ms")
    print(f"  assess          {assess_rps:8.0f} req/s   p50 {p50:.2f} ms   p99 {p99:.2f} ms")
    print(f"  per request     {1e3 / assess_rps:8.2f} ms assess, {1e3 / bare_rps:.2f} ms bare")
    verdict = "met" if ratio >= TARGET_RATIO else "missed"
    print(f"  assess / bare   {ratio:8.1%}       (target >= {TARGET_RATIO:.0%}: {verdict})")
    verdict = "met" if p99 <= TARGET_P99_MS else "missed"
    print(f"  assess p99      {p99:8.2f} ms    (target <= {TARGET_P99_MS:g} ms: {verdict})")
    if errors:
        print(f"  non-2xx responses: {errors}")


def print_profile(stats_file: Path, requests: int, top: int = 25) -> None:
    """The functions with the most time of their own, in µs per request."""
    import pstats

    stats = pstats.Stats(str(stats_file))
    rows = []
    for (filename, line, name), (_cc, calls, own, cumulative, _callers) in stats.stats.items():
        where = f"{Path(filename).parent.name}/{Path(filename).name}:{line}({name})"
        rows.append((own, cumulative, calls, where))
    rows.sort(reverse=True)
    total = sum(row[0] for row in rows)
    print(f"  total {1e6 * total / requests:.0f} µs of profiled CPU per request; top by own time:")
    print(f"  {'own µs/req':>10} {'cum µs/req':>10} {'calls/req':>9}  function")
    for own, cumulative, calls, where in rows[:top]:
        print(
            f"  {1e6 * own / requests:10.1f} {1e6 * cumulative / requests:10.1f} "
            f"{calls / requests:9.1f}  {where}"
        )


if __name__ == "__main__":
    sys.exit(main())
