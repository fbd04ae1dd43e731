"""The command line: ``crampcheck`` and its subcommands (one module a concern: the
commands and their parsing in :mod:`.main`, clinics and staff in :mod:`.clinic`, the
terminal interview, the evaluation report and the rendering of a result)."""

from crampcheck.cli.main import (
    BATCH_SIZE,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    MAX_AGE,
    MIN_AGE,
    SERVER_OPTIONS,
    main,
    serve_app,
)

__all__ = [
    "BATCH_SIZE",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_UNREADABLE",
    "EXIT_USAGE",
    "MAX_AGE",
    "MIN_AGE",
    "SERVER_OPTIONS",
    "main",
    "serve_app",
]
