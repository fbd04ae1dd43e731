"""The command line: ``crampcheck`` and its subcommands (one module a concern: the
commands' parsing, the database and the server in :mod:`.main`, how the server runs (one
process or several) in :mod:`.serving`, the checking commands in :mod:`.checks`, clinics
and staff in :mod:`.clinic`, what they share in :mod:`.common`, the terminal interview,
the evaluation report and the rendering of a result)."""

from crampcheck.cli.checks import BATCH_SIZE
from crampcheck.cli.common import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNREADABLE,
    EXIT_USAGE,
    MAX_AGE,
    MIN_AGE,
)
from crampcheck.cli.main import main
from crampcheck.cli.serving import SERVER_OPTIONS, serve_app

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
