"""The clinic commands: ``clinic init`` / ``clinic list``, ``staff add`` (an admin with
a password: the operator's first admin), ``staff invite`` and ``staff reinvite`` (a link
with which the member chooses their own password) and ``report``.

They run in-process through ``crampcheck.cli.main`` against a database of the test's own
(SQLite, and PostgreSQL when CRAMPCHECK_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess  # nosec B404 - pdftotext on a file the test wrote
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from crampcheck import cli
from crampcheck.clinic import ClinicError, load_clinic
from crampcheck.services import accounts
from crampcheck.services.appointments import RequestInput, create_request
from crampcheck.services.clinics import get_clinic
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict
from crampcheck.storage.database import make_engine
from crampcheck.storage.tables import AuditEvent, ClinicRecord, StaffMember
from tests.factories import cheap_password_hashing

PASSWORD = "plum orbit lantern 42"


@pytest.fixture(autouse=True)
def database(db_url: str, clean_env: pytest.MonkeyPatch, monkeypatch: pytest.MonkeyPatch) -> str:
    clean_env.setenv("CRAMPCHECK_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    cheap_password_hashing(monkeypatch)
    return db_url


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    import sys

    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        code = cli.main(list(argv))
    finally:
        sys.stdin = old
    captured = capsys.readouterr()
    return code, captured.out, " ".join(captured.err.split())


def other_clinic_file(tmp_path: Path) -> Path:
    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data.update(id="north-foot", name="North Foot Clinic")
    path = tmp_path / "north.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_clinic_init_registers_then_updates_and_list_shows_both(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = other_clinic_file(tmp_path)
    code, out, _ = run(capsys, "clinic", "init", str(path))
    assert code == 0 and "registered clinic north-foot (North Foot Clinic)" in out
    code, out, _ = run(capsys, "clinic", "init", str(path))
    assert code == 0 and "clinic north-foot (North Foot Clinic) is already up to date" in out
    path.write_text(path.read_text().replace("North Foot Clinic", "North Foot & Ankle"))
    code, out, _ = run(capsys, "clinic", "init", str(path))
    assert code == 0 and "updated clinic north-foot (North Foot & Ankle)" in out
    code, out, _ = run(capsys, "clinic", "list")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == ["auger-podiatry", "north-foot"]


def test_a_bad_clinic_file_is_refused_with_a_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: Not An Id\nname: x\n", encoding="utf-8")
    code, _, err = run(capsys, "clinic", "init", str(bad))
    assert code == 2 and "bad.yaml" in err and "Traceback" not in err
    code, _, err = run(capsys, "clinic", "init", str(tmp_path / "missing.yaml"))
    assert code == 2 and "cannot read the clinic file" in err


@pytest.mark.parametrize(
    "zone",
    [
        "Mars/Olympus",
        "localtime",
        "posixrules",
        "Factory",
        "posix/America/Denver",
        "../etc/passwd",
        "",
    ],
)
def test_a_clinic_file_with_an_unknown_time_zone_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, zone: str
) -> None:
    path = other_clinic_file(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, "time_zone": zone}), encoding="utf-8")
    with pytest.raises(
        ClinicError, match=re.escape(f"time_zone: Value error, unknown time zone {zone!r}")
    ):
        load_clinic(path)
    code, out, err = run(capsys, "clinic", "init", str(path))
    assert code == 2 and "north.yaml" in err and repr(zone) in err and "Traceback" not in err
    assert "registered" not in out


@pytest.mark.parametrize(
    "website",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://files.north-foot.example/",
        "//north-foot.example/",
        "/clinic",
        "https://",
        "https:north-foot.example",
        "https://north foot.example/",
    ],
)
def test_a_clinic_website_that_is_not_an_http_address_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, website: str
) -> None:
    path = other_clinic_file(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, "website": website}), encoding="utf-8")
    with pytest.raises(ClinicError, match=r"website: Value error, .* is not a web address"):
        load_clinic(path)
    code, out, err = run(capsys, "clinic", "init", str(path))
    assert code == 2 and "north.yaml" in err and "https://" in err and "Traceback" not in err
    assert "registered" not in out


@pytest.mark.parametrize(
    "website", ["https://north-foot.example/", "http://north-foot.example", "HTTPS://N.example"]
)
def test_a_clinic_website_over_http_or_https_is_taken(tmp_path: Path, website: str) -> None:
    path = other_clinic_file(tmp_path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    path.write_text(yaml.safe_dump({**data, "website": website}), encoding="utf-8")
    assert load_clinic(path).website == website


def test_the_packaged_clinic_is_in_utah_time() -> None:
    clinic = load_clinic()
    assert clinic.time_zone == "America/Denver" and clinic.zone == ZoneInfo("America/Denver")


def test_a_clinic_stored_before_time_zones_loads_as_utc(
    capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path
) -> None:
    """A definition kept in the clinics table before clinics had a time zone has none:
    it reads as UTC, and ``clinic init`` with the file brings the zone in."""
    path = other_clinic_file(tmp_path)
    assert run(capsys, "clinic", "init", str(path))[0] == 0
    engine = make_engine(database)
    try:
        with Session(engine) as session, session.begin():
            row = session.get(ClinicRecord, "north-foot")
            assert row is not None and row.definition["time_zone"] == "America/Denver"
            row.definition = {k: v for k, v in row.definition.items() if k != "time_zone"}
        with Session(engine) as session:
            old = get_clinic(session, "north-foot")
            assert old is not None and old.time_zone == "UTC" and old.zone == ZoneInfo("UTC")
        code, out, _ = run(capsys, "clinic", "init", str(path))
        assert code == 0 and "updated clinic north-foot" in out
        with Session(engine) as session:
            new = get_clinic(session, "north-foot")
            assert new is not None and new.time_zone == "America/Denver"
    finally:
        engine.dispose()


def staff_rows(database: str) -> list[StaffMember]:
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(StaffMember).order_by(StaffMember.email)))
    finally:
        engine.dispose()


def audit_rows(database: str) -> list[AuditEvent]:
    engine = make_engine(database)
    try:
        with Session(engine) as session:
            return list(session.scalars(select(AuditEvent).order_by(AuditEvent.seq)))
    finally:
        engine.dispose()


def test_staff_add_with_a_password_from_stdin(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    argv = ("staff", "add", "--clinic", "auger-podiatry", "--role", "admin")
    who = ("--email", "Boss@Example.com", "--name", "Bo Boss", "--password-stdin")
    code, out, _ = run(capsys, *argv, *who, stdin=PASSWORD + "\n")
    assert code == 0 and "added admin boss@example.com to clinic auger-podiatry" in out
    (member,) = staff_rows(database)
    assert member.password_hash.startswith("$argon2id$")
    assert PASSWORD not in member.password_hash
    (event,) = audit_rows(database)
    assert (event.action, event.role, event.staff_id) == ("add_staff", "operator", "-")
    assert event.staff_email.startswith("command line (")
    assert event.detail and "boss@example.com" in event.detail and PASSWORD not in event.detail
    code, _, err = run(capsys, *argv, *who, stdin=PASSWORD + "\n")
    assert code == 2 and "already exists" in err


@pytest.mark.parametrize("role", ["front_desk", "clinician"])
def test_staff_add_gives_a_password_to_an_admin_only(
    capsys: pytest.CaptureFixture[str], database: str, role: str
) -> None:
    """Whoever chooses a member's password can sign in as them: only the operator's
    first admin gets one this way; everyone else chooses their own with a link."""
    argv = ("staff", "add", "--clinic", "auger-podiatry", "--role", role)
    who = ("--email", "desk@example.com", "--name", "Dee Desk", "--password-stdin")
    code, out, err = run(capsys, *argv, *who, stdin=PASSWORD + "\n")
    assert code == 2 and out == ""
    assert "only a clinic's admin" in err and "crampcheck staff invite" in err
    assert staff_rows(database) == [] and audit_rows(database) == []


@pytest.mark.parametrize(
    ("changes", "stdin", "message"),
    [
        ({"--clinic": "nowhere"}, PASSWORD, "There is no clinic 'nowhere'"),
        ({}, "short", "at least 10 characters"),
        ({}, "password123", "too common"),
        ({"--email": "not an address"}, PASSWORD, "valid email address"),
    ],
)
def test_staff_add_refuses_bad_input(
    capsys: pytest.CaptureFixture[str], changes: dict[str, str], stdin: str, message: str
) -> None:
    options = {
        "--clinic": "auger-podiatry",
        "--role": "admin",
        "--email": "boss@example.com",
        "--name": "Bo Boss",
    }
    options.update(changes)
    argv = ["staff", "add", *[part for pair in options.items() for part in pair]]
    code, _, err = run(capsys, *argv, "--password-stdin", stdin=stdin + "\n")
    assert code == 2 and message in err and "Traceback" not in err


def test_staff_add_without_a_terminal_asks_for_password_stdin(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ("staff", "add", "--clinic", "auger-podiatry", "--role", "admin")
    code, _, err = run(capsys, *argv, "--email", "a@example.com", "--name", "A")
    assert code == 2 and "--password-stdin" in err
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--email", "a@example.com"])
    assert exited.value.code == 2 and "--name" in capsys.readouterr().err


INVITE = ("staff", "invite", "--clinic", "auger-podiatry", "--role", "clinician")
DANA = ("--email", "Dana@Example.com", "--name", "Dana Doctor")
LINK = re.compile(r"^(https?://\S+)/staff/invite/([A-Za-z0-9_-]{43})$", re.MULTILINE)


def accept(database: str, token: str, password: str = PASSWORD) -> None:
    from crampcheck.services.invitations import accept_invitation

    engine = make_engine(database)
    try:
        with Session(engine) as session, session.begin():
            accept_invitation(session, token, password)
    finally:
        engine.dispose()


def signs_in(database: str, email: str, password: str) -> bool:
    from crampcheck.services.staff import authenticate_staff

    engine = make_engine(database)
    try:
        with Session(engine) as session, session.begin():
            try:
                authenticate_staff(session, email, password, None)
            except accounts.AccountError:
                return False
            return True
    finally:
        engine.dispose()


def test_staff_invite_prints_the_link_with_which_the_member_chooses_their_password(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    code, out, err = run(capsys, *INVITE, *DANA)
    assert code == 0, err
    assert "invited clinician dana@example.com to clinic auger-podiatry" in out
    assert "the link works once, until" in out
    found = LINK.search(out)
    assert found is not None, out
    assert found.group(1) == "http://127.0.0.1:8000", "crampcheck serve's address by default"
    (member,) = staff_rows(database)
    assert not member.password_hash.startswith("$argon2"), "no password until they choose"
    assert not signs_in(database, "dana@example.com", PASSWORD)
    accept(database, found.group(2))
    assert signs_in(database, "dana@example.com", PASSWORD)
    (event,) = [e for e in audit_rows(database) if e.action == "invite_staff"]
    assert (event.role, event.staff_id) == ("operator", "-")
    assert event.detail and found.group(2) not in event.detail
    code, _, err = run(capsys, *INVITE, *DANA)
    assert code == 2 and "already exists" in err


def test_staff_invite_links_to_the_address_given(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    code, out, _ = run(capsys, *INVITE, *DANA, "--base-url", "https://clinic.example/")
    found = LINK.search(out)
    assert code == 0 and found is not None and found.group(1) == "https://clinic.example"
    someone = ("--email", "x@example.com", "--name", "X")
    for bad in ("javascript:alert(1)", "clinic.example", "https://"):
        code, out, err = run(capsys, *INVITE, *someone, "--base-url", bad)
        assert code == 2 and "--base-url" in err and out == "", bad
    assert len(staff_rows(database)) == 1


def test_staff_reinvite_gives_a_member_who_forgot_their_password_a_new_link(
    capsys: pytest.CaptureFixture[str], database: str
) -> None:
    admin = ("staff", "add", "--clinic", "auger-podiatry", "--role", "admin")
    who = ("--email", "boss@example.com", "--name", "Bo Boss", "--password-stdin")
    assert run(capsys, *admin, *who, stdin=PASSWORD + "\n")[0] == 0
    code, out, err = run(capsys, "staff", "reinvite", "--email", "Boss@Example.com")
    assert code == 0, err
    assert "their password and their sessions no longer work" in out
    found = LINK.search(out)
    assert found is not None
    assert not signs_in(database, "boss@example.com", PASSWORD)
    accept(database, found.group(2), "a brand new one 88")
    assert signs_in(database, "boss@example.com", "a brand new one 88")
    assert [e.action for e in audit_rows(database)] == [
        "add_staff",
        "reissue_invitation",
        "accept_invitation",
    ]
    code, _, err = run(capsys, "staff", "reinvite", "--email", "nobody@example.com")
    assert code == 2 and "no staff member has this email address" in err


def test_report_writes_the_pdf_and_audits_it(
    capsys: pytest.CaptureFixture[str], database: str, tmp_path: Path, pipeline: Pipeline
) -> None:
    assert run(capsys, "clinic", "list")[0] == 0  # registers the public clinic
    result = pipeline.check_text("Calf cramps most nights for a month, I take simvastatin.")
    assessment = result_to_dict(result, pipeline.kb)
    engine = make_engine(database)
    try:
        with Session(engine) as session, session.begin():
            stored = create_request(
                session,
                load_clinic(),
                RequestInput("Ana Example", "(801) 555-0100", None, None, None, True),
                assessment,
                "Calf cramps most nights for a month, I take simvastatin.",
            )
            request_id = stored.id
        output = tmp_path / "summary.pdf"
        code, out, err = run(capsys, "report", request_id, "-o", str(output))
        assert code == 0, err
        assert f"wrote the summary of request {request_id}" in out
        assert output.read_bytes().startswith(b"%PDF")
        assert output.stat().st_mode & 0o777 == 0o600, "health data: the owner's alone"
        output.chmod(0o644)  # written over: private again
        assert run(capsys, "report", request_id, "-o", str(output))[0] == 0
        assert output.stat().st_mode & 0o777 == 0o600
        if shutil.which("pdftotext"):
            text = subprocess.run(  # nosec B603 B607
                ["pdftotext", str(output), "-"], capture_output=True, text=True, check=True
            ).stdout
            assert "Ana Example" in text and "clinic time: America/Denver" in text
            assert re.search(
                r"Received [A-Z][a-z]{2}, [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d\d [AP]M M[SD]T",
                text,
            )
        with Session(engine) as session:
            events = list(session.scalars(select(AuditEvent)))
            assert len(events) == 2  # each report is recorded
            for event in events:
                assert (event.request_id, event.role) == (request_id, "operator")
                assert event.staff_email.startswith("command line (")
    finally:
        engine.dispose()
    code, _, err = run(capsys, "report", "no-such-request", "-o", str(tmp_path / "x.pdf"))
    assert code == 1 and "there is no appointment request 'no-such-request'" in err
    assert not (tmp_path / "x.pdf").exists()


def test_report_output_that_cannot_be_written(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = run(capsys, "report", "x", "-o", str(tmp_path / "missing-dir" / "x.pdf"))
    assert code == 1 and "Traceback" not in err


_ = accounts  # the hashing parameters are patched through this module
