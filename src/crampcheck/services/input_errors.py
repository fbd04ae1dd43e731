"""Input a person can fix, as the services refuse it: which input is at fault and what
to tell them. Each service has its own kind (an account, an episode, a request, a
status change) so that a caller catches only the refusals it can show; they all carry
the same two things, said here once.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crampcheck.domain.i18n import _
from crampcheck.storage.tables import Base


class FieldError(ValueError):
    """Input that cannot be accepted; ``field`` names the input at fault (a form field or
    an API body's field), ``message`` says why in words to show the person.

    ``message`` is in English (the API's words); a page shows :meth:`translated`. Every
    message is marked with ``N_`` so the catalogue has it, with ``values`` for the
    numbers in it."""

    def __init__(self, field: str, message: str, **values: int) -> None:
        self.field = field
        self.template = message
        self.values = values
        self.message = message % values if values else message
        super().__init__(self.message)

    def translated(self) -> str:
        """The message in the language of the moment."""
        text = _(self.template)
        return text % self.values if self.values else text


def add_unless_taken(session: Session, row: Base, refusal: FieldError) -> None:
    """Store a new row in a savepoint, so that when a unique index refuses it (another
    transaction took the same address or link between the caller's check and this
    insert) only this insert is undone, and the person is told ``refusal``."""
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise refusal from None
