#!/usr/bin/env python3
"""Bootstrap and everyday commands for crampcheck development.

Needs only Python 3.11+ and its standard library; everything else is installed into
.venv from PyPI, pinned by constraints.txt.

    python3 dev.py run [ARGS...]         run crampcheck (default: crampcheck --help)
    python3 dev.py test [PYTEST_ARGS...] ruff check, ruff format --check, mypy, lint-imports,
                                         bandit, pytest
    python3 dev.py lock                  regenerate constraints.txt in a throwaway venv
    python3 dev.py catalogues [--check]  extract the translatable messages and update each
                                         language's catalogue (--check: list untranslated)
    python3 dev.py audit DATABASE        check constraints.txt for known vulnerabilities,
                                         offline, against OSV's PyPI all.zip

.venv is created on first use and reinstalled only when pyproject.toml or
constraints.txt changes (their hash is kept in .venv/crampcheck-install.stamp).
"""

# This file must stay parseable by old Python 3 versions so that the version check
# below can print a clear message instead of a SyntaxError: no walrus, match,
# positional-only parameters or other post-3.6 syntax above or below this point.
import sys

if sys.version_info < (3, 11):  # noqa: UP036 - the gate is the point
    sys.stderr.write(
        "error: crampcheck needs Python 3.11 or newer, but this is Python {}.{}.{} ({}).\n"  # noqa: UP032
        "Install Python 3.11+ and run this script with it, e.g. `python3.11 dev.py ...`.\n".format(
            sys.version_info[0], sys.version_info[1], sys.version_info[2], sys.executable
        )
    )
    sys.exit(1)

import hashlib  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYPROJECT = ROOT / "pyproject.toml"
CONSTRAINTS = ROOT / "constraints.txt"
STAMP = VENV / "crampcheck-install.stamp"
# Bump when the way the venv is installed changes, to force one reinstall everywhere.
STAMP_FORMAT = "1"
LINT_PATHS = ("src", "tests", "bench", "tools")
AUDIT_SCRIPT = ROOT / "tools" / "audit_dependencies.py"
CATALOGUES_SCRIPT = ROOT / "tools" / "catalogues.py"
PYTEST_NO_TESTS_COLLECTED = 5

USAGE = """\
usage: python3 dev.py COMMAND [ARGS...]

commands:
  run [ARGS...]          set up .venv if needed, then run `crampcheck ARGS...`
                         (no ARGS: `crampcheck --help`)
  test [PYTEST_ARGS...]  set up .venv if needed, then run ruff check, ruff format --check,
                         mypy and pytest (with PYTEST_ARGS); stops at the first failure
  lock                   regenerate constraints.txt from pyproject.toml in a throwaway venv
  catalogues [--check]   extract every translatable message into src/crampcheck/locale and
                         merge it into each language's .po; --check changes nothing and
                         lists the messages a catalogue does not translate (exit 1)
  audit DATABASE         check constraints.txt for known vulnerabilities against a local
                         copy of OSV's PyPI database (all.zip, or a folder of records);
                         nothing is downloaded: exit 0 none known, 1 found, 2 unreadable
"""


class DevError(Exception):
    """A failure with a message for the user and an exit code; printed without a traceback."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    print("[dev] " + message, flush=True)


def header(title: str) -> None:
    print("\n==> " + title, flush=True)


def fail(message: str) -> None:
    print("\nFAILED: " + message, file=sys.stderr, flush=True)


def bin_dir(venv: Path) -> Path:
    return venv / ("Scripts" if os.name == "nt" else "bin")


def venv_python(venv: Path) -> Path:
    return bin_dir(venv) / ("python.exe" if os.name == "nt" else "python")


def venv_tool(venv: Path, name: str) -> Path:
    return bin_dir(venv) / (name + ".exe" if os.name == "nt" else name)


def child_env(venv: Path) -> dict[str, str]:
    """Environment for commands run inside the venv: its bin directory comes first on PATH."""
    env = dict(os.environ)
    env["VIRTUAL_ENV"] = str(venv)
    env["PATH"] = str(bin_dir(venv)) + os.pathsep + env.get("PATH", "")
    env.pop("PYTHONHOME", None)
    return env


def check_call(cmd: list[str], what: str, env: dict[str, str] | None = None) -> None:
    try:
        code = subprocess.call(cmd, cwd=str(ROOT), env=env)
    except OSError as exc:
        raise DevError(f"{what} failed: could not start {cmd[0]}: {exc}") from exc
    if code != 0:
        raise DevError(f"{what} failed (exit code {code}); see the output above.")


def create_venv(venv: Path) -> None:
    say(f"creating a virtual environment in {venv} with Python {platform.python_version()}")
    result = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)],
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    if result.returncode != 0 or not venv_python(venv).exists():
        shutil.rmtree(venv, ignore_errors=True)
        hint = ""
        if "ensurepip" in result.stdout:
            hint = (
                "\nOn Debian or Ubuntu, install the venv module first: "
                "sudo apt-get install python3-venv"
            )
        raise DevError(
            f"could not create a virtual environment with {sys.executable} -m venv:\n"
            f"{result.stdout.strip()}{hint}"
        )


def venv_works(venv: Path) -> bool:
    python = venv_python(venv)
    if not python.exists():
        return False
    try:
        result = subprocess.run(
            [str(python), "-c", "import sys; assert sys.version_info >= (3, 11)"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return False
    return result.returncode == 0


def install_fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(("format " + STAMP_FORMAT + "\n").encode())
    for path in (PYPROJECT, CONSTRAINTS):
        digest.update(path.name.encode() + b"\0")
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
        digest.update(b"\0")
    return digest.hexdigest()


def pip_install(venv: Path, args: list[str], what: str) -> None:
    cmd = [str(venv_python(venv)), "-m", "pip", "install", "--quiet", "--progress-bar", "off"]
    check_call(cmd + args, what, env=child_env(venv))


def install_project(venv: Path, constraints: Path | None, fresh: bool) -> None:
    started = time.monotonic()
    say("upgrading pip")
    pip_install(venv, ["--upgrade", "pip"], "upgrading pip")
    args = ["--editable", ".[dev]"]
    if constraints is not None:
        args = ["--constraint", str(constraints)] + args
        say(f"installing crampcheck and its dev tools, pinned by {constraints.name}")
    else:
        say(f"installing crampcheck and its dev tools (no {CONSTRAINTS.name} yet: unpinned)")
    if fresh:
        say("this downloads from PyPI and takes a minute or two the first time")
    pip_install(venv, args, "installing crampcheck")
    say(f"installed in {time.monotonic() - started:.0f}s")


def ensure_venv() -> Path:
    """Create and install .venv if needed; return its path."""
    if not PYPROJECT.exists():
        raise DevError(f"{PYPROJECT} is missing; run dev.py from a crampcheck checkout.")
    if VENV.exists() and not venv_works(VENV):
        say(f"{VENV} is broken or was made by an older Python; recreating it")
        shutil.rmtree(VENV)
    fresh = not VENV.exists()
    if fresh:
        create_venv(VENV)

    fingerprint = install_fingerprint()
    if STAMP.exists() and STAMP.read_text().strip() == fingerprint:
        say(".venv is up to date (pyproject.toml and constraints.txt unchanged)")
        return VENV

    if STAMP.exists():
        say("pyproject.toml or constraints.txt changed since the last install; reinstalling")
        STAMP.unlink()
    if not CONSTRAINTS.exists():
        say(f"warning: {CONSTRAINTS} not found; run `python3 dev.py lock` to create it")
    install_project(VENV, CONSTRAINTS if CONSTRAINTS.exists() else None, fresh)
    STAMP.write_text(fingerprint + "\n")
    return VENV


def cmd_run(args: list[str]) -> int:
    venv = ensure_venv()
    exe = venv_tool(venv, "crampcheck")
    if not exe.exists():
        raise DevError(f"{exe} was not installed; check [project.scripts] in pyproject.toml")
    argv = [str(exe)] + (args or ["--help"])
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "nt":
        return subprocess.call(argv, env=child_env(venv))
    os.execve(str(exe), argv, child_env(venv))
    return 0  # not reached


BROWSER_PACKAGES = ROOT / "tests" / "browser"


def ensure_browser_packages() -> None:
    """Install the npm packages the browser tests inject (axe-core), when npm exists.

    Without npm the browser tests skip themselves with a reason (and fail in CI).
    """
    if not (BROWSER_PACKAGES / "package.json").exists():
        return
    if (BROWSER_PACKAGES / "node_modules" / "axe-core" / "axe.min.js").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: browser accessibility checks will be skipped")
        return
    say("installing browser-test packages with npm ci")
    code = subprocess.call(
        [npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=str(BROWSER_PACKAGES)
    )
    if code != 0:
        say("npm ci failed: browser accessibility checks will be skipped")


def cmd_test(pytest_args: list[str]) -> int:
    venv = ensure_venv()
    env = child_env(venv)
    ensure_browser_packages()
    paths = [p for p in LINT_PATHS if (ROOT / p).is_dir()]
    missing = [p for p in LINT_PATHS if p not in paths]
    if missing:
        say(f"skipping lint of missing directories: {', '.join(missing)}")
    ruff = str(venv_tool(venv, "ruff"))

    # (title, command, is_pytest)
    steps = [
        ("ruff check " + " ".join(paths), [ruff, "check", *paths], False),
        ("ruff format --check " + " ".join(paths), [ruff, "format", "--check", *paths], False),
        ("mypy", [str(venv_tool(venv, "mypy"))], False),
        (
            "lint-imports (the layers in pyproject.toml)",
            [str(venv_tool(venv, "lint-imports")), "--no-cache"],
            False,
        ),
        (
            "bandit -r src/crampcheck",
            [str(venv_tool(venv, "bandit")), "-q", "-c", "pyproject.toml", "-r", "src/crampcheck"],
            False,
        ),
        (
            " ".join(["pytest", *pytest_args]),
            [str(venv_tool(venv, "pytest")), *pytest_args],
            True,
        ),
    ]
    for number, (title, cmd, is_pytest) in enumerate(steps, 1):
        header(f"[{number}/{len(steps)}] {title}")
        try:
            code = subprocess.call(cmd, cwd=str(ROOT), env=env)
        except OSError as exc:
            raise DevError(f"could not start {cmd[0]}: {exc}; delete .venv and retry") from exc
        if is_pytest and code == PYTEST_NO_TESTS_COLLECTED:
            fail("pytest collected no tests (exit code 5); that counts as a failure")
            return code
        if code != 0:
            fail(f"{title} (exit code {code})")
            return code
    return 0


def cmd_lock(args: list[str]) -> int:
    if args:
        raise DevError("lock takes no arguments", code=2)
    if not PYPROJECT.exists():
        raise DevError(f"{PYPROJECT} is missing")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="crampcheck-lock-") as tmp:
        venv = Path(tmp) / "venv"
        create_venv(venv)
        say("upgrading pip")
        pip_install(venv, ["--upgrade", "pip"], "upgrading pip")
        say("resolving the newest versions pyproject.toml allows (this takes a minute or two)")
        pip_install(venv, ["--editable", ".[dev]"], "installing crampcheck")
        say("freezing")
        result = subprocess.run(
            [str(venv_python(venv)), "-m", "pip", "freeze", "--exclude-editable"],
            cwd=str(ROOT),
            env=child_env(venv),
            stdout=subprocess.PIPE,
            text=True,
        )
        if result.returncode != 0:
            raise DevError(f"pip freeze failed (exit code {result.returncode})")
        pins = [line for line in result.stdout.splitlines() if line.strip()]
    bad = [line for line in pins if " @ " in line or line.startswith("-e")]
    if bad:
        raise DevError("pip freeze produced non-PyPI requirements:\n  " + "\n  ".join(bad))

    header_lines = [
        "# Locked versions of every package that crampcheck and its dev tools install.",
        "# Used as `pip install -c constraints.txt -e '.[dev]'` by dev.py.",
        "#",
        "# Do not edit by hand. To regenerate (for instance after changing the",
        "# dependency ranges in pyproject.toml), run:",
        "#",
        "#     python3 dev.py lock",
        "#",
        "# which installs '.[dev]' into a throwaway venv and writes",
        "# `pip freeze --exclude-editable` here.",
        f"# Generated with Python {platform.python_version()} on "
        f"{platform.system()} {platform.machine()}.",
    ]
    CONSTRAINTS.write_text("\n".join(header_lines + pins) + "\n")
    say(f"wrote {CONSTRAINTS.name} ({len(pins)} packages) in {time.monotonic() - started:.0f}s")
    return 0


def cmd_audit(args: list[str]) -> int:
    if not args or args[0].startswith("-") and args[0] not in ("-h", "--help"):
        raise DevError("audit needs the vulnerability database: python3 dev.py audit FILE", 2)
    venv = ensure_venv()
    sys.stdout.flush()
    return subprocess.call(
        [str(venv_python(venv)), str(AUDIT_SCRIPT), *args], cwd=str(ROOT), env=child_env(venv)
    )


def cmd_catalogues(args: list[str]) -> int:
    venv = ensure_venv()
    sys.stdout.flush()
    return subprocess.call(
        [str(venv_python(venv)), str(CATALOGUES_SCRIPT), *args], cwd=str(ROOT), env=child_env(venv)
    )


COMMANDS = {
    "run": cmd_run,
    "test": cmd_test,
    "lock": cmd_lock,
    "audit": cmd_audit,
    "catalogues": cmd_catalogues,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0 if argv else 2
    command = COMMANDS.get(argv[0])
    if command is None:
        sys.stderr.write(f"error: unknown command {argv[0]!r}\n\n{USAGE}")
        return 2
    try:
        return command(argv[1:])
    except DevError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return exc.code
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr, flush=True)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
