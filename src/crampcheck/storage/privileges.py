"""What the application's own PostgreSQL role may do, and granting it.

On PostgreSQL crampcheck uses two roles. The owner owns the tables: it runs the
migrations (``crampcheck db upgrade``) and nothing else. The application connects as
another role, which reads and writes the application's tables but may only add and read
audit events: no UPDATE, DELETE or TRUNCATE on ``audit_events``, and, not being the
owner, no ALTER TABLE (so no ``DISABLE TRIGGER``), DROP TRIGGER or DROP TABLE either.

:func:`grant_app_role` gives an existing role exactly those rights on the tables of the
current schema; it is safe to run again, and must be run again after a migration adds
tables. SQLite has no roles: whoever can write its file can do anything, which is what
the audit chain (:mod:`crampcheck.storage.audit_chain`) is for.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
# Tables the application may not change freely; every other table is READ_WRITE.
LIMITED: dict[str, tuple[str, ...]] = {
    "audit_events": ("SELECT", "INSERT"),
    # Appending moves a clinic's head on; removing one is never the application's work.
    "audit_chain_heads": ("SELECT", "INSERT", "UPDATE"),
    "alembic_version": ("SELECT",),
}


class PrivilegeError(Exception):
    """The role cannot be given the application's rights; the message says why."""


@dataclass(frozen=True)
class TableGrant:
    """What the role may now do on one table."""

    table: str
    privileges: tuple[str, ...]


def app_privileges(table: str) -> tuple[str, ...]:
    """What the application's role may do on ``table``."""
    return LIMITED.get(table, READ_WRITE)


def grant_app_role(connection: Connection, role: str) -> list[TableGrant]:
    """Give ``role`` the application's rights on every table of the current schema, and
    no others (what it held before on those tables is revoked first).

    Run as the owner of the tables, in the caller's transaction. Refuses a role that
    does not exist, a superuser, and the tables' owner or a member of it: any of those
    could disable the audit log's triggers.
    """
    if connection.dialect.name != "postgresql":
        raise PrivilegeError(
            f"{connection.dialect.name} has no roles; the application's role is for PostgreSQL"
        )
    found = connection.execute(
        text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if found is None:
        raise PrivilegeError(
            f"there is no role {role!r}; create it first, for example with "
            f"CREATE ROLE {role} LOGIN PASSWORD '...'"
        )
    if found.rolsuper:
        raise PrivilegeError(f"{role!r} is a superuser; the application's role must not be one")
    tables = connection.execute(
        text(
            "SELECT tablename, tableowner, pg_has_role(:role, tableowner, 'MEMBER') AS owns "
            "FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ),
        {"role": role},
    ).all()
    if not tables:
        raise PrivilegeError("the database has no tables yet; run crampcheck db upgrade first")
    owners = sorted({row.tableowner for row in tables if row.owns})
    if owners:
        raise PrivilegeError(
            f"{role!r} owns the tables or is a member of their owner ({', '.join(owners)}); "
            "the application's role must be another one"
        )
    quote = connection.dialect.identifier_preparer.quote
    grantee = quote(role)
    schema = connection.execute(text("SELECT current_schema()")).scalar_one()
    if not connection.execute(
        text("SELECT has_schema_privilege(:role, :schema, 'USAGE')"),
        {"role": role, "schema": schema},
    ).scalar_one():
        _run(connection, f"GRANT USAGE ON SCHEMA {quote(schema)} TO {grantee}")
    grants = []
    for row in tables:
        name = f"{quote(schema)}.{quote(row.tablename)}"
        privileges = app_privileges(row.tablename)
        _run(connection, f"REVOKE ALL ON TABLE {name} FROM {grantee}")
        _run(connection, f"GRANT {', '.join(privileges)} ON TABLE {name} TO {grantee}")
        grants.append(TableGrant(row.tablename, privileges))
    return grants


def _run(connection: Connection, statement: str) -> None:
    """Run a GRANT or REVOKE. Roles and tables cannot be bound parameters; every name in
    ``statement`` was quoted by the dialect and the privileges are this module's own
    words (bandit B608)."""
    connection.execute(text(statement))
