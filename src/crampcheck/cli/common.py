"""What every part of the ``crampcheck`` command line shares: its exit codes, the error
for input the user can fix, the ages it accepts, and printing a message on one line."""

from __future__ import annotations

from rich.console import Console

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNREADABLE = 3
EXIT_PARTIAL = 4
MIN_AGE, MAX_AGE = 0, 120


class InputError(ValueError):
    """Input the user can fix; the message says what was wrong."""


def say(console: Console, message: str) -> None:
    """Print a message on one line, however narrow the console."""
    console.print(message, markup=False, soft_wrap=True)


def first_line(error: Exception) -> str:
    """An error's message without SQLAlchemy's SQL echo and background link."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
