"""Browser-test fixtures: the real server and Debian's Chromium driven by Playwright.

``server`` runs ``crampcheck serve`` from .venv on a free port with a data folder of its
own (one per test session), waits for /healthz, and stops it afterwards; its log must
show no traceback. :func:`serving` does the same for a module that wants a server of
its own, and :meth:`Server.crampcheck` runs a command line against a server's data
(``staff add``, ``clinic init``). ``browser`` is /usr/bin/chromium, headless. ``tab``
(390 x 844) and ``narrow_tab`` (360 x 780) are pages in fresh browser contexts, each wrapped in a
:class:`~tests.browser.browsing.Tab`; after every test no page may have asked another
host for anything, hit the Content Security Policy or thrown a script error.
:func:`tabs_on` opens as many such pages as a test needs (one per person), on any
server, with the same checks when it ends.

Without Chromium or axe-core the tests skip, saying why; with ``CI=true`` they fail
instead, so CI can never pass by skipping them. (.ci/run installs Chromium and npm;
``python3 dev.py test`` installs axe-core with ``npm ci`` in this folder.)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from tests.browser.browsing import NARROW, PHONE, Tab

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
CRAMPCHECK = Path(sys.executable).with_name("crampcheck")
STARTUP_SECONDS = 90
TIMEOUT_MS = 15_000


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> None:
    """Skip for ``reason``, or fail when running in CI (CI=true)."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true, so browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------- the server


@dataclass(frozen=True)
class Server:
    base_url: str
    data_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    """The environment ``crampcheck serve`` runs with (its data folder and database)."""

    @property
    def database(self) -> Path:
        return self.data_dir / "crampcheck.sqlite3"

    def crampcheck(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        """Run ``crampcheck ARGS`` with the server's environment, so it uses the same
        database; fails the test when it exits with anything but 0."""
        done = subprocess.run(
            [str(CRAMPCHECK), *args],
            env=dict(self.env),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (
            f"crampcheck {' '.join(args)} exited with {done.returncode}: {done.stdout}{done.stderr}"
        )
        return done


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for_health(process: subprocess.Popen[bytes], base_url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    with httpx.Client(base_url=base_url, timeout=5, trust_env=False) as http:
        while True:
            if process.poll() is not None:
                raise AssertionError(f"crampcheck serve exited: {log.read_text()}")
            try:
                if http.get("/healthz").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"crampcheck serve did not answer /healthz within {STARTUP_SECONDS} s: "
                    f"{log.read_text()}"
                )
            time.sleep(0.2)


@contextmanager
def serving(root: Path, settings: Mapping[str, str] | None = None) -> Iterator[Server]:
    """``crampcheck serve`` on a free port, with an empty data folder in ``root`` and any
    further ``CRAMPCHECK_*`` ``settings``; on exit it stops, and its log must show no
    traceback and no error."""
    data_dir = root / "data"
    log = root / "serve.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CRAMPCHECK_")}
    env.update(
        CRAMPCHECK_ENVIRONMENT="development",
        CRAMPCHECK_DATA_DIR=str(data_dir),
        HOME=str(root),
    )
    env.update(settings or {})
    env.pop("XDG_DATA_HOME", None)
    base_url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(CRAMPCHECK), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_health(process, base_url, log)
        yield Server(base_url, data_dir, env)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and "ERROR" not in text, f"server log:\n{text}"


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """``crampcheck serve`` on a free port, with an empty data folder of its own."""
    with serving(tmp_path_factory.mktemp("browser-server")) as running:
        yield running


# ---------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(f"Chromium not found at {CHROMIUM} (Debian: apt-get install chromium)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        unavailable(
            f"axe-core not found at {AXE} (run `npm ci` in tests/browser; "
            "python3 dev.py test does when npm is installed)"
        )
    return AXE.read_text(encoding="utf-8")


def _open_tab(
    browser: Browser, server: Server, viewport: dict[str, int], axe_source: str | None = None
) -> Iterator[Tab]:
    context = browser.new_context(viewport=viewport, device_scale_factor=1, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    tab = Tab(context.new_page(), server.base_url, axe_source)
    try:
        yield tab
    finally:
        context.close()
    assert not tab.foreign_requests(), f"requests to other hosts: {tab.foreign_requests()}"
    assert not tab.csp_errors, f"Content Security Policy errors: {tab.csp_errors}"
    assert not tab.script_errors, f"script errors: {tab.script_errors}"


@pytest.fixture
def tab(browser: Browser, server: Server) -> Iterator[Tab]:
    """A phone-sized page (390 x 844) in a fresh browser context."""
    yield from _open_tab(browser, server, PHONE)


@pytest.fixture
def narrow_tab(axe_source: str, browser: Browser, server: Server) -> Iterator[Tab]:
    """A 360 x 780 page in a fresh browser context, with axe-core for :meth:`Tab.audit`."""
    yield from _open_tab(browser, server, NARROW, axe_source)


@contextmanager
def tabs_on(
    browser: Browser, server: Server, axe_source: str | None = None
) -> Iterator[Callable[..., Tab]]:
    """A function opening pages on ``server``, each in a fresh browser context (its own
    cookies: one per person), ``PHONE``-sized unless given a viewport, with axe-core when
    ``axe_source`` is given. On exit every page is closed and checked as ``tab`` is."""
    opened: list[Iterator[Tab]] = []

    def open_tab(viewport: dict[str, int] | None = None) -> Tab:
        pages = _open_tab(browser, server, viewport or PHONE, axe_source)
        opened.append(pages)
        return next(pages)

    try:
        yield open_tab
    finally:
        failures: list[AssertionError] = []
        for pages in opened:
            try:
                next(pages, None)
            except AssertionError as failure:
                failures.append(failure)
        if failures:
            raise failures[0]
