"""Shared helpers for the benchmarks: machine description, timing, vignette loading.

Benchmarks are scripts, never tests: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIGNETTES = REPO.parent / "shared" / "vignettes" / "dev.jsonl"


def pin_to_one_core() -> str:
    """Run on a single CPU (the first this process may use); return a description."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    allowed = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {allowed[0]})
    return f"pinned to CPU {allowed[0]} (of {len(allowed)} allowed)"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info(pinning: str) -> list[str]:
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return [
        f"platform:  {platform.platform()}",
        f"python:    {platform.python_implementation()} {platform.python_version()}"
        f" ({sys.executable})",
        f"cpu:       {cpu_model()}",
        f"cores:     {os.cpu_count()} logical; {pinning}",
        f"load avg:  {load} (a shared machine: expect noise)",
    ]


def timed(function: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of each of ``repeats`` calls (after one warm-up call)."""
    function()
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def cpu_timed(function: Callable[[], object], repeats: int) -> list[float]:
    """CPU seconds of this process (``time.process_time``) for each of ``repeats`` runs."""
    times = []
    for _ in range(repeats):
        start = time.process_time()
        function()
        times.append(time.process_time() - start)
    return times


def summary(times: list[float]) -> tuple[float, float]:
    """(best, median) of a list of timings."""
    return min(times), statistics.median(times)


def median_p95(times: list[float]) -> tuple[float, float]:
    """(median, 95th percentile) of a list of timings (nearest rank, no interpolation)."""
    ordered = sorted(times)
    rank = max(1, -(-95 * len(ordered) // 100))  # ceil(0.95 n)
    return statistics.median(ordered), ordered[rank - 1]


@contextmanager
def fresh_postgres_schema(url: str, schema: str, *, keep: bool = False) -> Iterator[str]:
    """An empty schema ``schema`` in the PostgreSQL database at ``url`` (dropped first if it
    exists, and again afterwards unless ``keep``); yields a URL whose connections use it
    (``options=-csearch_path=<schema>``, as the tests' PostgreSQL fixture builds it)."""
    from sqlalchemy import create_engine, text

    if not schema.isidentifier():
        raise SystemExit(f"not a plain schema name: {schema!r}")
    admin = create_engine(url)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield schema_url(url, schema)
    finally:
        if not keep:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def schema_url(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema``."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return parsed.render_as_string(hide_password=False)


def vignette_texts(path: Path) -> list[tuple[str, int | None, str | None]]:
    """(text, age, sex) of every usable line of a vignette file."""
    from crampcheck.services.evaluation import read_vignettes

    if not path.is_file():
        raise SystemExit(f"vignette file not found: {path} (pass --vignettes FILE)")
    vignettes, problems = read_vignettes(path)
    for problem in problems:
        print(f"skipped {path.name}: {problem}", file=sys.stderr)
    if not vignettes:
        raise SystemExit(f"no usable vignettes in {path}")
    return [(v.text, v.age, v.sex.value if v.sex else None) for v in vignettes]
