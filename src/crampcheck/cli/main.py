"""The ``crampcheck`` command line: a thin shell over the services.

Exit codes: 0 success; 1 a check failed (``kb check`` found a problem); 2 invalid
input or usage; 3 an input file could not be read; 4 some lines of a JSONL file were
invalid (the others were processed).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rich.console import Console

from crampcheck.cli import checks
from crampcheck.cli import clinic as cli_clinic
from crampcheck.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    MAX_AGE,
    MIN_AGE,
    InputError,
    first_line,
    say,
)
from crampcheck.cli.serving import WORKER_APP, serve_app, serve_workers
from crampcheck.domain.i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, using_language
from crampcheck.domain.types import Sex
from crampcheck.services.pipeline import KnowledgeError


class _InvalidSettings(Exception):
    """The settings are invalid; the one-line message has been printed already."""


def _age(value: str) -> int:
    try:
        age = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"age must be a whole number, got {value!r}") from None
    if not MIN_AGE <= age <= MAX_AGE:
        raise argparse.ArgumentTypeError(f"age must be between {MIN_AGE} and {MAX_AGE}")
    return age


def _language(value: str) -> str:
    """A language crampcheck speaks, by its code (``es``; ``es-MX`` is Spanish too)."""
    base = value.strip().replace("_", "-").split("-")[0].lower()
    if base not in LANGUAGES:
        known = ", ".join(f"{code} ({LANGUAGE_NAMES[code]})" for code in LANGUAGES)
        raise argparse.ArgumentTypeError(f"unknown language {value!r}: choose one of {known}")
    return base


def _add_language(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        type=_language,
        default=DEFAULT_LANGUAGE,
        metavar="LANG",
        help=f"the language of the answer: {', '.join(LANGUAGES)} (default {DEFAULT_LANGUAGE})",
    )


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one clear line and exit code 2."""

    def error(self, message: str) -> Any:
        self.exit(EXIT_USAGE, f"crampcheck: error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="crampcheck",
        description="Triage and self-care for muscle cramps and spasms. Not a diagnosis: "
        "in an emergency call 911.",
    )
    commands = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=_Parser
    )

    assess = commands.add_parser("assess", help="check an episode described in words")
    source = assess.add_mutually_exclusive_group(required=True)
    source.add_argument("--text", help="the episode in your own words")
    source.add_argument(
        "--jsonl",
        type=Path,
        metavar="FILE",
        help='batch: one {"id", "text", "age", "sex"} object a line',
    )
    assess.add_argument("--age", type=_age, help="age in years")
    assess.add_argument("--sex", choices=[s.value for s in Sex])
    assess.add_argument("--json", action="store_true", help="print one JSON object")
    _add_language(assess)

    interview = commands.add_parser(
        "interview", help="the adaptive interview, one question at a time"
    )
    interview.add_argument("--age", type=_age)
    interview.add_argument("--sex", choices=[s.value for s in Sex])
    interview.add_argument("--json", action="store_true", help="print the final result as JSON")
    _add_language(interview)

    evaluate = commands.add_parser(
        "eval", help="score vignette files (one report per file, each a vignette set)"
    )
    evaluate.add_argument("file", type=Path, nargs="+")
    evaluate.add_argument(
        "--interview", action="store_true", help="run the vignettes through the simulated interview"
    )
    evaluate.add_argument("--json", action="store_true")

    kb = commands.add_parser("kb", help="knowledge-base tools")
    kb_commands = kb.add_subparsers(
        dest="kb_command", required=True, metavar="KB_COMMAND", parser_class=_Parser
    )
    kb_commands.add_parser("check", help="validate the knowledge base and run every rule case")

    serve = commands.add_parser(
        "serve", help="run the web application (creates and migrates the database first)"
    )
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port to listen on (default 8000)")
    serve.add_argument(
        "--workers",
        type=int,
        help="worker processes, each with its own copy of the knowledge base and reader "
        "(default 1; about one per core)",
    )

    db = commands.add_parser("db", help="database tools")
    db_commands = db.add_subparsers(
        dest="db_command", required=True, metavar="DB_COMMAND", parser_class=_Parser
    )
    db_commands.add_parser(
        "upgrade", help="apply database migrations up to the newest (as the tables' owner)"
    )
    grant = db_commands.add_parser(
        "grant-app-role",
        help="give a PostgreSQL role the application's rights: its tables, but audit events "
        "only added and read",
    )
    grant.add_argument("role", help="an existing role that is not the tables' owner")

    backup = commands.add_parser("backup", help="write a consistent copy of the database")
    backup.add_argument("file", type=Path, help="where to write the backup")
    restore = commands.add_parser(
        "restore", help="replace the database's contents with a backup (stop the server first)"
    )
    restore.add_argument("file", type=Path, help="a file written by crampcheck backup")

    demo = commands.add_parser(
        "demo-data", help="write synthetic diaries (marked as synthetic) for demos and benchmarks"
    )
    demo.add_argument("--patients", type=_positive, required=True, help="accounts to create")
    demo.add_argument(
        "--episodes", type=_positive, required=True, help="episodes to spread between them"
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    cli_clinic.add_commands(commands, _Parser)
    return parser


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if not 1 <= number <= 100_000_000:
        raise argparse.ArgumentTypeError("must be from 1 to 100000000")
    return number


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    out = Console(soft_wrap=False, highlight=False)
    err = Console(stderr=True, highlight=False)
    try:
        if args.command == "serve":
            return _serve(args, err)
        if args.command == "db":
            if args.db_command == "grant-app-role":
                return _db_grant_app_role(args.role, out, err)
            return _db_upgrade(out, err)
        if args.command in ("backup", "restore"):
            return _backup_or_restore(args, out, err)
        if args.command == "demo-data":
            return _demo_data(args, out, err)
        if args.command == "audit":
            return cli_clinic.run_audit(args, out, err, _settings(err))
        if args.command in ("clinic", "staff", "report"):
            return cli_clinic.run(args, out, err, _settings(err))
        if args.command == "assess":
            with using_language(args.lang):
                return checks.assess(args, out, err)
        if args.command == "interview":
            with using_language(args.lang):
                return checks.interview(args, out)
        if args.command == "eval":
            return checks.evaluate(args, out, err)
        return checks.kb_check(out)
    except InputError as error:
        err.print(f"crampcheck: {error}", markup=False)
        return EXIT_USAGE
    except _InvalidSettings:
        return EXIT_USAGE
    except KnowledgeError as error:
        err.print(f"crampcheck: the knowledge base is invalid: {error}", markup=False)
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.print("crampcheck: interrupted")
        return 130
    except BrokenPipeError:
        # The reader of our output went away (for example `| head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        return EXIT_OK


def _settings(err: Console, **overrides: Any) -> Any:
    """The settings from the environment and the options; if they are invalid, one line
    saying why and :class:`_InvalidSettings` (exit code 2)."""
    from pydantic import ValidationError

    from crampcheck.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            cause = problem.get("ctx", {}).get("error")
            message = str(cause) if isinstance(cause, Exception) else problem["msg"]
            field = ".".join(str(p) for p in problem["loc"])
            problems.append(f"CRAMPCHECK_{field.upper()}: {message}" if field else message)
        say(err, "crampcheck: invalid setting: " + "; ".join(problems))
        raise _InvalidSettings from None


def _db_upgrade(out: Console, err: Console) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crampcheck.services.database import migrate

    settings = _settings(err)
    url = settings.effective_owner_database_url
    try:
        revision = migrate(url)
    except (SQLAlchemyError, OSError) as error:
        say(err, f"crampcheck: cannot migrate the database: {first_line(error)}")
        return EXIT_FAILED
    out.print(f"database at migration {revision}", markup=False)
    return EXIT_OK


def _db_grant_app_role(role: str, out: Console, err: Console) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crampcheck.services.database import make_engine
    from crampcheck.services.database_roles import PrivilegeError, grant_app_role

    settings = _settings(err)
    engine = make_engine(settings.effective_owner_database_url)
    try:
        grants = grant_app_role(engine, role)
    except PrivilegeError as error:
        say(err, f"crampcheck: {error}")
        return EXIT_FAILED
    except SQLAlchemyError as error:
        say(err, f"crampcheck: cannot grant the role's rights: {first_line(error)}")
        return EXIT_FAILED
    finally:
        engine.dispose()
    say(out, f"the role {role} may now, on each table:")
    for grant in grants:
        say(out, f"  {grant.table}: {', '.join(grant.privileges)}")
    return EXIT_OK


def _backup_or_restore(args: argparse.Namespace, out: Console, err: Console) -> int:
    from crampcheck.services.database import BackupError, backup, restore

    settings = _settings(err)
    try:
        if args.command == "backup":
            backup(settings.effective_database_url, args.file)
            out.print(f"backed up the database to {args.file}", markup=False)
        else:
            # Restoring drops and creates the tables: the owner's work.
            restore(settings.effective_owner_database_url, args.file)
            out.print(f"restored the database from {args.file}", markup=False)
    except (BackupError, OSError) as error:
        err.print(f"crampcheck: {error}", markup=False)
        return EXIT_FAILED
    return EXIT_OK


def _demo_data(args: argparse.Namespace, out: Console, err: Console) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from crampcheck.services.demo_data import DEMO_DOMAIN, DEMO_PASSWORD, write_demo_data

    if args.episodes < args.patients:
        err.print("crampcheck: error: --episodes must be at least --patients", markup=False)
        return EXIT_USAGE
    settings = _settings(err)
    try:
        summary = write_demo_data(
            settings.effective_database_url, args.patients, args.episodes, seed=args.seed
        )
    except (SQLAlchemyError, OSError) as error:
        err.print(f"crampcheck: cannot write the demo data: {error}".splitlines()[0], markup=False)
        return EXIT_FAILED
    out.print(
        f"wrote {summary.patients} synthetic accounts (demo-N@{DEMO_DOMAIN}, password "
        f"'{DEMO_PASSWORD}') and {summary.episodes} episodes in {summary.seconds:.1f} s",
        markup=False,
    )
    return EXIT_OK


def _serve(args: argparse.Namespace, err: Console) -> int:
    settings = _settings(err, host=args.host, port=args.port, workers=args.workers)

    from sqlalchemy.exc import SQLAlchemyError

    from crampcheck.clinic import ClinicError, load_clinic
    from crampcheck.services import metrics
    from crampcheck.services.database import upgrade
    from crampcheck.web.request_log import log_config

    try:
        # A previous run's metric files first, before any process of this run writes one.
        metrics.clear_multiprocess_dir()
        upgrade(settings.effective_database_url)
        if settings.workers > 1:
            # Each worker builds the application itself: only what would stop them all
            # is checked here, once, so that it is said once and the exit code says it.
            load_clinic(settings.clinic_file)
        else:
            from crampcheck.web.app import create_app

            app = create_app(settings)
    except ClinicError as error:
        err.print(f"crampcheck: {error}", markup=False)
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as error:
        say(err, f"crampcheck: cannot prepare the database: {first_line(error)}")
        return EXIT_FAILED
    if settings.metrics_port is not None:
        # In the serving process (the parent of the workers, when there are several),
        # adding up every worker's metric files when PROMETHEUS_MULTIPROC_DIR is set.
        try:
            served = metrics.start_metrics_server(settings.metrics_host, settings.metrics_port)
        except OSError as error:
            say(err, f"crampcheck: cannot serve the metrics: {first_line(error)}")
            return EXIT_FAILED
        err.print(f"metrics on http://{served.host}:{served.port}/metrics", markup=False)
    logging = log_config(settings)
    where = f"http://{settings.host}:{settings.port}"
    if settings.workers == 1:
        err.print(f"crampcheck serving on {where}", markup=False)
        serve_app(app, settings.host, settings.port, settings.shutdown_timeout, logging)
        return EXIT_OK
    # The workers read their settings from the environment they inherit: the options
    # given here must be in it.
    os.environ.update(CRAMPCHECK_HOST=settings.host, CRAMPCHECK_PORT=str(settings.port))
    err.print(f"crampcheck serving on {where} with {settings.workers} workers", markup=False)
    started = serve_workers(
        WORKER_APP,
        settings.host,
        settings.port,
        settings.workers,
        settings.shutdown_timeout,
        logging,
    )
    if not started:
        err.print("crampcheck: a worker process could not start (see above)", markup=False)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
