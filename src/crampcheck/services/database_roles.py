"""The application's own database role: given its rights by the tables' owner.

``crampcheck db grant-app-role NAME`` runs :func:`grant_app_role` with the owner's URL
(the ``owner_database_url`` setting); the application then connects as NAME
(``database_url``). What NAME may do is in :mod:`crampcheck.storage.privileges`.
"""

from __future__ import annotations

from sqlalchemy import Engine

from crampcheck.storage.privileges import PrivilegeError, TableGrant
from crampcheck.storage.privileges import grant_app_role as _grant

__all__ = ["PrivilegeError", "TableGrant", "grant_app_role"]


def grant_app_role(engine: Engine, role: str) -> list[TableGrant]:
    """Give ``role`` the application's rights on the database behind ``engine`` (the
    owner's), all in one transaction; :class:`PrivilegeError` when it cannot be."""
    with engine.begin() as connection:
        return _grant(connection, role.strip())
