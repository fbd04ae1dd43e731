"""The clinic commands of the ``crampcheck`` command line.

``clinic init FILE`` registers (or updates) a clinic from its clinic file; ``clinic
list`` shows the registered clinics; ``staff add`` creates an admin account with a
password (asked twice at a terminal, or read from standard input with
``--password-stdin``): the operator's way to a clinic's first admin; ``staff invite``
adds a member of any role without a password and prints the one-time link with which
they choose their own, and ``staff reinvite`` prints a new link for an existing member
(a forgotten password, or a lost or expired link: their password and sessions end);
``report REQUEST_ID -o FILE`` writes a request's one-page PDF summary; ``audit verify``
checks each clinic's audit chain (exit code 1 when one is broken). What changes a
clinic's staff or reads its data is recorded in its audit trail as done at the command
line.

Why ``staff add`` takes only admins: whoever chooses a member's password can sign in as
them, and the audit log would then put the operator's reads under the member's name
(the security review's L8). Someone has to choose the first admin's password, and the
operator, who holds the database itself, is the one who can; every other member
chooses their own with a link, which the first admin can then hand out from the team
page.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from rich.console import Console

from crampcheck.cli.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, first_line, say

ROLES = ("clinician", "front_desk", "admin")
ONLY_ADMINS = (
    "crampcheck: staff add gives a password, and only a clinic's admin gets one that way; "
    "a {role} chooses their own: crampcheck staff invite prints the link for it"
)


def add_commands(commands: Any, parser_class: type[argparse.ArgumentParser]) -> None:
    """Add ``clinic``, ``staff`` and ``report`` to the command line's sub-commands."""
    clinic = commands.add_parser("clinic", help="clinics of this installation")
    clinic_commands = clinic.add_subparsers(
        dest="clinic_command", required=True, metavar="CLINIC_COMMAND", parser_class=parser_class
    )
    init = clinic_commands.add_parser("init", help="register or update a clinic from its file")
    init.add_argument("file", type=Path, help="a clinic file (YAML)")
    clinic_commands.add_parser("list", help="list the registered clinics")

    staff = commands.add_parser("staff", help="clinic staff accounts")
    staff_commands = staff.add_subparsers(
        dest="staff_command", required=True, metavar="STAFF_COMMAND", parser_class=parser_class
    )
    add = staff_commands.add_parser(
        "add", help="create a clinic's admin with a password you give (the first admin)"
    )
    add.add_argument("--clinic", required=True, help="the clinic's id")
    add.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="admin (other roles choose their own password: use staff invite)",
    )
    add.add_argument("--email", required=True, help="the address they sign in with")
    add.add_argument("--name", required=True, help="their name as colleagues see it")
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from standard input instead of asking for it",
    )
    invite = staff_commands.add_parser(
        "invite",
        help="add a staff member without a password and print the link with which they "
        "choose their own",
    )
    invite.add_argument("--clinic", required=True, help="the clinic's id")
    invite.add_argument("--role", required=True, choices=ROLES, help="their role")
    invite.add_argument("--email", required=True, help="the address they sign in with")
    invite.add_argument("--name", required=True, help="their name as colleagues see it")
    _base_url_option(invite)
    reinvite = staff_commands.add_parser(
        "reinvite",
        help="print a new link for a staff member (a forgotten password, or a lost or "
        "expired link); their password and sessions end",
    )
    reinvite.add_argument("--email", required=True, help="the address they sign in with")
    _base_url_option(reinvite)

    report = commands.add_parser("report", help="write a request's one-page PDF summary")
    report.add_argument("request_id", help="the appointment request's id")
    report.add_argument("-o", "--output", type=Path, required=True, help="the PDF to write")
    report.add_argument("--clinic", help="the clinic's id (when ids could repeat)")

    audit = commands.add_parser("audit", help="the clinics' audit logs")
    audit_commands = audit.add_subparsers(
        dest="audit_command", required=True, metavar="AUDIT_COMMAND", parser_class=parser_class
    )
    verify = audit_commands.add_parser(
        "verify",
        help="check that each clinic's audit log is whole (no event changed or removed)",
    )
    verify.add_argument("--clinic", help="only this clinic's log")


def _base_url_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--base-url",
        help="the address staff open the site at, such as https://clinic.example "
        "(default: http://HOST:PORT of crampcheck serve's settings)",
    )


def run(args: argparse.Namespace, out: Console, err: Console, settings: Any) -> int:
    """Run one of the clinic commands; returns the exit code."""
    from sqlalchemy.exc import SQLAlchemyError

    from crampcheck.clinic import ClinicError, load_clinic
    from crampcheck.services.clinics import ensure_registered
    from crampcheck.services.database import make_engine, upgrade

    base_url = ""
    if args.command == "staff" and args.staff_command in ("invite", "reinvite"):
        try:
            base_url = _base_url(args, settings)
        except _UsageError as error:
            say(err, f"crampcheck: {error}")
            return EXIT_USAGE
    url = settings.effective_database_url
    try:
        upgrade(url)
        engine = make_engine(url)
        # The installation's public clinic (the settings' clinic file) always exists.
        ensure_registered(engine, load_clinic(settings.clinic_file))
    except ClinicError as error:
        say(err, f"crampcheck: {error}")
        return EXIT_USAGE
    except (SQLAlchemyError, OSError) as error:
        say(err, f"crampcheck: cannot open the database: {first_line(error)}")
        return EXIT_FAILED
    try:
        if args.command == "clinic":
            if args.clinic_command == "init":
                return _clinic_init(engine, args.file, out, err)
            return _clinic_list(engine, out)
        if args.command == "staff":
            if args.staff_command == "invite":
                return _staff_invite(engine, args, base_url, out, err)
            if args.staff_command == "reinvite":
                return _staff_reinvite(engine, args, base_url, out, err)
            return _staff_add(engine, args, out, err)
        return _report(engine, args, out, err)
    except SQLAlchemyError as error:
        say(err, f"crampcheck: database error: {first_line(error)}")
        return EXIT_FAILED
    finally:
        engine.dispose()


def run_audit(args: argparse.Namespace, out: Console, err: Console, settings: Any) -> int:
    """``audit verify``: each clinic's chain whole, or the first event where it breaks.
    Reads only, so it runs as the application's database role too."""
    from sqlalchemy.exc import SQLAlchemyError
    from sqlalchemy.orm import Session

    from crampcheck.services.audit import verify
    from crampcheck.services.database import make_engine

    engine = make_engine(settings.effective_database_url)
    try:
        with Session(engine) as session:
            checks = verify(session, args.clinic)
    except SQLAlchemyError as error:
        say(err, f"crampcheck: cannot read the audit log: {first_line(error)}")
        return EXIT_FAILED
    finally:
        engine.dispose()
    if not checks:
        say(out, "no audit events yet")
    for check in checks:
        if check.whole and not check.events:
            say(out, f"clinic {check.clinic_id}: no audit events")
        elif check.whole:
            say(
                out,
                f"clinic {check.clinic_id}: whole, {check.events} events; "
                f"last hash {check.last_hash}",
            )
        else:
            which = f"event {check.broken_at}"
            if check.event_id:
                which += f" (id {check.event_id})"
            before = {0: "it is the first", 1: "the event before it is whole"}.get(
                check.events, f"the {check.events} events before it are whole"
            )
            say(out, f"clinic {check.clinic_id}: BROKEN at {which}: {check.problem}; {before}")
    return EXIT_OK if all(check.whole for check in checks) else EXIT_FAILED


def _clinic_init(engine: Any, file: Path, out: Console, err: Console) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.clinic import ClinicError, load_clinic
    from crampcheck.services.clinics import register_clinic

    try:
        clinic = load_clinic(file)
    except ClinicError as error:
        say(err, f"crampcheck: {error}")
        return EXIT_USAGE
    with Session(engine) as session, session.begin():
        done = register_clinic(session, clinic)
    if done == "unchanged":
        say(out, f"clinic {clinic.id} ({clinic.name}) is already up to date")
    else:
        places = len(clinic.locations)
        say(out, f"{done} clinic {clinic.id} ({clinic.name}) with {places} locations")
    return EXIT_OK


def _clinic_list(engine: Any, out: Console) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.services.clinics import list_clinics

    with Session(engine) as session:
        clinics = list_clinics(session)
    if not clinics:
        say(out, "no clinics registered yet (crampcheck clinic init FILE)")
    for clinic in clinics:
        places = ", ".join(location.id for location in clinic.locations)
        say(out, f"{clinic.id}\t{clinic.name}\t{places}")
    return EXIT_OK


def _password(args: argparse.Namespace, err: Console) -> str | None:
    """The new member's password from standard input or asked twice at a terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        say(err, "crampcheck: no terminal to ask for the password; use --password-stdin")
        return None
    first = getpass.getpass("Password for the new staff member: ")
    if getpass.getpass("The same password again: ") != first:
        say(err, "crampcheck: the two passwords differ")
        return None
    return first


def _staff_add(engine: Any, args: argparse.Namespace, out: Console, err: Console) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.services.accounts import AccountError
    from crampcheck.services.audit import AuditAction, record_operator
    from crampcheck.services.staff import add_staff

    if args.role != "admin":
        say(err, ONLY_ADMINS.format(role=args.role))
        return EXIT_USAGE
    password = _password(args, err)
    if password is None:
        return EXIT_USAGE
    try:
        with Session(engine) as session, session.begin():
            member = add_staff(
                session,
                clinic_id=args.clinic,
                email=args.email,
                name=args.name,
                role=args.role,
                password=password,
            )
            record_operator(
                session,
                member.clinic_id,
                AuditAction.ADD_STAFF,
                detail=f"Added {member.name} <{member.email}> as {member.role}, with a "
                "password the operator gave (crampcheck staff add)",
            )
            summary = f"added {member.role} {member.email} to clinic {member.clinic_id}"
    except AccountError as error:
        say(err, f"crampcheck: {error.message}")
        return EXIT_USAGE
    say(out, summary)
    return EXIT_OK


def _base_url(args: argparse.Namespace, settings: Any) -> str:
    """Where the links printed point: ``--base-url``, or crampcheck serve's address."""
    from crampcheck.domain.links import web_address

    if args.base_url is None:
        host = settings.host if ":" not in settings.host else f"[{settings.host}]"
        return f"http://{host}:{settings.port}"
    try:
        return web_address(args.base_url).rstrip("/")
    except ValueError as error:
        raise _UsageError(f"--base-url: {error}") from None


class _UsageError(Exception):
    """An option that will not do; the message says why (exit code 2)."""


def _say_link(out: Console, summary: str, base_url: str, issued: Any) -> None:
    """The invitation's link, on a line of its own so that it can be copied whole."""
    until = issued.expires_at.strftime("%Y-%m-%d %H:%M UTC")
    say(out, f"{summary}; the link works once, until {until}:")
    say(out, f"{base_url}/staff/invite/{issued.token}")


def _staff_invite(
    engine: Any, args: argparse.Namespace, base_url: str, out: Console, err: Console
) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.services.accounts import AccountError
    from crampcheck.services.invitations import invite_staff

    try:
        with Session(engine) as session, session.begin():
            issued = invite_staff(
                session,
                None,
                clinic_id=args.clinic,
                email=args.email,
                name=args.name,
                role=args.role,
            )
            member = issued.member
            summary = f"invited {member.role} {member.email} to clinic {member.clinic_id}"
    except AccountError as error:
        say(err, f"crampcheck: {error.message}")
        return EXIT_USAGE
    _say_link(out, summary, base_url, issued)
    return EXIT_OK


def _staff_reinvite(
    engine: Any, args: argparse.Namespace, base_url: str, out: Console, err: Console
) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.services.accounts import AccountError
    from crampcheck.services.invitations import reissue_invitation
    from crampcheck.services.staff import find_member_by_email

    try:
        with Session(engine) as session, session.begin():
            member = find_member_by_email(session, args.email)
            if member is None:
                say(err, "crampcheck: no staff member has this email address")
                return EXIT_USAGE
            issued = reissue_invitation(session, None, member)
            summary = (
                f"new link for {member.role} {member.email} of clinic {member.clinic_id}; "
                "any earlier link, their password and their sessions no longer work"
            )
    except AccountError as error:
        say(err, f"crampcheck: {error.message}")
        return EXIT_USAGE
    _say_link(out, summary, base_url, issued)
    return EXIT_OK


def _report(engine: Any, args: argparse.Namespace, out: Console, err: Console) -> int:
    from sqlalchemy.orm import Session

    from crampcheck.services.summary_report import ReportError, operator_report

    try:
        with Session(engine) as session, session.begin():
            pdf = operator_report(session, args.request_id, args.clinic)
    except ReportError as error:
        say(err, f"crampcheck: {error}")
        return EXIT_FAILED
    try:
        # Health data: readable by its owner only, whatever the umask, also when an
        # older file is written over.
        descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            if os.name == "posix":
                os.fchmod(descriptor, 0o600)
            file.write(pdf)
    except OSError as error:
        say(err, f"crampcheck: cannot write {args.output}: {error.strerror}")
        return EXIT_FAILED
    say(out, f"wrote the summary of request {args.request_id} to {args.output}")
    return EXIT_OK
