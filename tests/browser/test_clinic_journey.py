"""The clinic side in a real browser, on a server of its own (so its inbox holds only the
requests sent here).

Three patients send appointment requests through the public pages: one whose check says
to see a doctor (signed up, with a diary shared with the clinic), then one whose check is
urgent, then one who could look after it at home. Staff of the clinic (the admin added
with ``crampcheck staff add`` as an operator would, the others invited with ``crampcheck
staff invite``, each choosing their password with the link), then work them: the front desk sees the
urgent one first and marked, and books the doctor-level one; a clinician reads that
request's check in the patient's own words and its one-page PDF; an admin finds both in
the audit log. The front desk sees no clinical detail and is refused the admin pages;
the status form works with the keyboard alone. Every staff page gets the checks the
patient pages get (no sideways scroll at 390 px nor at 360 px, no serious or critical
axe-core violation, no request to another host, no Content Security Policy error); the
two tests pin problems found and fixed (a page that scrolled sideways, scrolling
tables the keyboard could not reach). An admin also invites a member on the team page
and the member chooses their password with the link, in a browser of their own. Also
makes docs/screenshots/staff-*.png.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Locator, expect

from crampcheck.clinic import load_clinic
from tests.browser.browsing import (
    DOCTOR_TEXT,
    NARROW,
    PHONE,
    SELF_CARE_TEXT,
    URGENT_TEXT,
    Tab,
)
from tests.browser.conftest import Server, serving, tabs_on
from tests.browser.test_journeys import focus_ring, tab_to
from tests.factories import choose_password, invitation_path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
CLINIC = "auger-podiatry"
OTHER_CLINIC = "north-foot"
DESKTOP = {"width": 1024, "height": 768}
"""A small desktop screen, for the screenshots of the staff pages."""
MINUTES_OF_SLACK = 10
"""How far a time the pages show may be from the test's clock."""
URGENT_BADGE = "Urgent — contact within 24 hours"
FORBIDDEN = "Your role does not allow this"
STAFF_COOKIE = "crampcheck_staff"


@dataclass(frozen=True)
class Staff:
    clinic: str
    role: str
    email: str
    name: str
    password: str


FRONT_DESK = Staff(
    CLINIC, "front_desk", "jordan.reyes@auger.example", "Jordan Reyes", "amber kettle orbit 41"
)
CLINICIAN = Staff(
    CLINIC,
    "clinician",
    "priya.natarajan@auger.example",
    "Dr Priya Natarajan",
    "velvet canyon 73 oar",
)
ADMIN = Staff(
    CLINIC, "admin", "sam.whitfield@auger.example", "Sam Whitfield", "granite lily 18 swan"
)
OTHER_DESK = Staff(
    OTHER_CLINIC, "front_desk", "alex.moss@north.example", "Alex Moss", "pebble comet 66 fern"
)
STAFF = (FRONT_DESK, CLINICIAN, ADMIN, OTHER_DESK)


@dataclass(frozen=True)
class Patient:
    urgency: str
    name: str
    text: str
    location: str
    location_name: str
    email: str


DOCTOR = Patient(
    "doctor", "Tomás Rivera", DOCTOR_TEXT, "west-jordan", "West Jordan", "tomas.rivera@example.com"
)
URGENT = Patient(
    "urgent", "Grace Okafor", URGENT_TEXT, "salt-lake-city", "Salt Lake City", "grace@example.com"
)
SELF_CARE = Patient("self_care", "Lena Fischer", SELF_CARE_TEXT, "", "", "lena@example.com")
PATIENT_PASSWORD = "harbour violet 52 kite"
DIARY_DAYS_AGO = (1, 3, 6, 9, 13)
"""The doctor-level patient's diary: an episode on each of these days, at night (UTC)."""


# ---------------------------------------------------------------- the server and the data


def other_clinic_file(folder: Path) -> Path:
    """A second clinic's file, like the public one but with another id and name."""
    data = load_clinic().model_dump(mode="json", exclude_none=True)
    data.update(id=OTHER_CLINIC, name="North Foot Clinic")
    path = folder / "north-foot.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def clinic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own, with a second clinic and the staff added by the
    command line, as an operator would: the admin with a password, the others with an
    invitation link each, with which they choose their own."""
    root = tmp_path_factory.mktemp("clinic-server")
    with serving(root) as running:
        done = running.crampcheck("clinic", "init", str(other_clinic_file(root)))
        assert f"registered clinic {OTHER_CLINIC}" in done.stdout, done.stdout
        for member in STAFF:
            who = ("--clinic", member.clinic, "--role", member.role)
            who += ("--email", member.email, "--name", member.name)
            if member.role == "admin":
                done = running.crampcheck(
                    "staff", "add", *who, "--password-stdin", stdin=member.password + "\n"
                )
                assert f"added {member.role} {member.email}" in done.stdout, done.stdout
                continue
            done = running.crampcheck("staff", "invite", *who, "--base-url", running.base_url)
            assert f"invited {member.role} {member.email}" in done.stdout, done.stdout
            with httpx.Client(base_url=running.base_url, timeout=30, trust_env=False) as http:
                chosen = choose_password(http, invitation_path(done.stdout), member.password)
                assert chosen.status_code == 303, chosen.text
        yield running


def send_request(tab: Tab, patient: Patient, share_diary: bool = False) -> str:
    """The check in words, answered plainly, then the appointment form: the request id."""
    tab.goto("/check")
    tab.describe(patient.text)
    tab.finish()
    assert tab.urgency() == patient.urgency, f"{patient.name}: {tab.urgency()}"
    tab.click(tab.page.locator("#appointment button[type='submit']"))
    expect(tab.page.locator("h1")).to_contain_text("Request an appointment")
    tab.page.fill("#name", patient.name)
    tab.page.fill("#email", patient.email)
    tab.page.select_option("#preferred_location", patient.location)
    tab.page.check("#consent_to_share")
    if share_diary:
        tab.page.check("#share_diary")
    else:
        expect(tab.page.locator("#share_diary")).to_have_count(0)
    tab.click(tab.page.locator("main form[action='/appointment'] button[type='submit']"))
    assert "/appointment/sent/" in tab.page.url, tab.page.url
    return tab.page.url.rsplit("/", 1)[1]


def sign_up_with_a_diary(tab: Tab, patient: Patient) -> None:
    """An account, and a few episodes logged through the diary's API with its session."""
    assert tab.goto("/account/signup") == 200
    tab.page.fill("#email", patient.email)
    tab.page.fill("#password", PATIENT_PASSWORD)
    tab.page.fill("#password_again", PATIENT_PASSWORD)
    tab.click(tab.page.locator("main form[action='/account/signup'] button[type='submit']"))
    assert tab.page.url.endswith("/diary?welcome=1"), tab.page.url
    night = datetime.now(UTC).replace(hour=2, minute=30, second=0, microsecond=0)
    for days in DIARY_DAYS_AGO:
        body = {
            "started_at": (night - timedelta(days=days)).isoformat(),
            "site": "site_calf",
            "side": "left",
            "pain": 5 + days % 3,
            "duration_minutes": 2 + days % 4,
            "activity": "sleeping",
            "tried": ["stretching"],
            "helped": days % 2 == 0,
        }
        response = tab.page.request.post(tab.url("/api/v1/episodes"), data=body)
        assert response.status == 201, response.text()


@pytest.fixture(scope="module")
def sent(browser: Browser, clinic_server: Server) -> dict[str, str]:
    """The three requests, each sent from a browser of its own, the doctor-level one
    first and the urgent one second (so it waits less): patient name -> request id."""
    with tabs_on(browser, clinic_server) as open_tab:
        tomas = open_tab()
        sign_up_with_a_diary(tomas, DOCTOR)
        ids = {DOCTOR.name: send_request(tomas, DOCTOR, share_diary=True)}
        ids[URGENT.name] = send_request(open_tab(), URGENT)
        ids[SELF_CARE.name] = send_request(open_tab(), SELF_CARE)
    return ids


@pytest.fixture
def open_tab(
    browser: Browser, clinic_server: Server, axe_source: str
) -> Iterator[Callable[..., Tab]]:
    """Pages on the module's server, one browser per person, with axe-core."""
    with tabs_on(browser, clinic_server, axe_source) as opener:
        yield opener


# ---------------------------------------------------------------- small helpers


def sign_in(tab: Tab, member: Staff, path: str = "/staff") -> None:
    """Open ``path``, sign in on the page it sends to, and land back on ``path``."""
    tab.goto(path)
    assert "/staff/signin?next=" in tab.page.url, tab.page.url
    tab.page.fill("#email", member.email)
    tab.page.fill("#password", member.password)
    tab.click(sign_in_button(tab))
    assert tab.page.url == tab.url(path), tab.page.url
    expect(tab.page.locator("header .staff-who")).to_contain_text(member.name)


def sign_in_button(tab: Tab) -> Locator:
    return tab.page.locator("main form[action='/staff/signin'] button[type='submit']")


def inbox_rows(tab: Tab) -> Locator:
    return tab.page.locator("main table.inbox tbody tr")


def names_listed(tab: Tab) -> list[str]:
    return [name.strip() for name in inbox_rows(tab).locator("th[scope='row']").all_inner_texts()]


def open_request(tab: Tab, patient: Patient) -> None:
    """From the inbox, the request of ``patient``."""
    tab.click(inbox_rows(tab).locator("th[scope='row'] a", has_text=patient.name))
    expect(tab.page.locator("h1")).to_have_text(f"Request from {patient.name}")


def status_form(tab: Tab) -> Locator:
    return tab.page.locator("main form[action$='/status']")


def move_to(tab: Tab, status: str, label: str) -> None:
    """Choose a status on the request page and send the form."""
    tab.page.locator(f"label[for='status-{status}']").click()
    tab.click(status_form(tab).locator("button[type='submit']"))
    assert tab.page.url.endswith("?done=status"), tab.page.url
    expect(tab.page.locator("main .notice-ok")).to_have_text(f"The request is now: {label}.")


SHOWN_TIME = re.compile(
    r"\w{3}, \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M (?:[A-Z]{2,5}|[+-]\d{2,4})"
)
"""A time as the staff pages show it, in the clinic's locale and zone: "Mon, Mar 2, 2026,
9:15 AM MST" for a US clinic."""


def assert_recent(moment: str) -> None:
    """A ``<time datetime>`` value (ISO 8601 with its offset), close to now."""
    at = datetime.fromisoformat(moment)
    assert abs(datetime.now(UTC) - at) < timedelta(minutes=MINUTES_OF_SLACK), moment


def history(tab: Tab) -> list[list[str]]:
    """The request's status history: [when, who, change, reason] per row, as shown."""
    rows = tab.page.locator("main section[aria-labelledby='status-heading'] table tbody tr")
    return [[cell.strip() for cell in row.locator("td").all_inner_texts()] for row in rows.all()]


def history_times(tab: Tab) -> list[str]:
    """The ``datetime`` of each row of the status history."""
    times = tab.page.locator("main section[aria-labelledby='status-heading'] table tbody time")
    return [t.get_attribute("datetime") or "" for t in times.all()]


def audit_rows(tab: Tab) -> list[dict[str, str]]:
    """The audit log's table on screen, one dict per event, keyed by column heading."""
    table = tab.page.locator("main table.data")
    if not table.count():
        return []
    heads = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    return [
        dict(zip(heads, [c.strip() for c in row.locator("td").all_inner_texts()], strict=True))
        for row in table.locator("tbody tr").all()
    ]


def filter_audit(tab: Tab, **fields: str) -> list[dict[str, str]]:
    """Fill the audit log's filter form (empty for every field not given) and show."""
    tab.page.select_option("#action", fields.get("action", ""))
    for name in ("staff_email", "request_id", "from", "to"):
        tab.page.fill(f"#{name}", fields.get(name, ""))
    tab.click(tab.page.locator("main form.staff-filter button[type='submit']"))
    assert "/staff/audit?" in tab.page.url, tab.page.url
    return audit_rows(tab)


_PIN_TIMES = r"""() => {
  const main = document.querySelector('main');
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    node.textContent = node.textContent
      .replace(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} ([A-Z]{2,5}|[+-]\d{2,4})\b/g, '2026-03-02 09:15 $1')
      .replace(/\w{3}, \w{3} \d{1,2}, \d{4}, \d{1,2}:\d{2}\s[AP]M ([A-Z]{2,5}|[+-]\d{2,4})\b/g,
               'Mon, Mar 2, 2026, 9:15\u202fAM $1')
      .replace(/\(\d+ (minutes?|hours?|days?) ago\)/g, '(25 minutes ago)');
  }
  for (const wait of main.querySelectorAll('table.inbox td > time')) {
    wait.textContent = wait.textContent.startsWith('waited') ? 'waited 25 minutes' : '25 minutes';
  }
}"""


def screenshot_with_pinned_times(tab: Tab, path: Path, top: Locator | None = None) -> None:
    """A screenshot (from ``top`` down when given) whose times and waits read as one fixed
    example (in the zone the page shows), so the picture changes when the page's looks
    do, not with the clock."""
    tab.page.evaluate(_PIN_TIMES)
    if top is None:
        tab.screenshot(path)
    else:
        tab.screenshot_from(top, path)


def pdf_text(body: bytes, folder: Path) -> str | None:
    """The text of a PDF by pdftotext (poppler-utils), or None without it."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    pdf = folder / "summary.pdf"
    pdf.write_bytes(body)
    done = subprocess.run(
        [tool, "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8")


def pdf_info(body: bytes, folder: Path) -> dict[str, str] | None:
    """What pdfinfo (poppler-utils) says of a PDF, or None without it."""
    tool = shutil.which("pdfinfo")
    if tool is None:
        return None
    pdf = folder / "info.pdf"
    pdf.write_bytes(body)
    done = subprocess.run([tool, str(pdf)], capture_output=True, text=True, check=True, timeout=60)
    pairs = (line.split(":", 1) for line in done.stdout.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


# ---------------------------------------------------------------- the journey


def front_desk_books_the_doctor_request(tab: Tab, ids: dict[str, str]) -> None:
    sign_in(tab, FRONT_DESK)
    main = tab.page.locator("main")
    expect(tab.page.locator("h1")).to_have_text("Appointment requests")
    assert names_listed(tab) == [URGENT.name, DOCTOR.name, SELF_CARE.name], (
        "urgent first, then the longest waiting"
    )
    banner = main.locator("section.urgent-banner")
    expect(banner.locator("h2")).to_have_text(
        "Urgent 1 new request must be contacted within 24 hours"
    )
    expect(banner.locator(".badge-urgent")).to_be_visible()
    expect(banner.locator("a[href='/staff?status=open&urgency=urgent']")).to_have_count(1)
    urgent_row, doctor_row, self_care_row = (inbox_rows(tab).nth(i) for i in range(3))
    badge = urgent_row.locator("td").first.locator("strong.badge-urgent")
    expect(badge).to_have_text(URGENT_BADGE)
    expect(badge).to_be_visible()
    expect(urgent_row).to_have_class(re.compile(r"\brow-urgent\b"))
    expect(urgent_row.locator("td[data-label='Preferred location']")).to_have_text(
        URGENT.location_name
    )
    for row, text in ((doctor_row, "Doctor — book"), (self_care_row, "Self-care — no")):
        expect(row.locator(".badge")).to_have_count(0)
        expect(row.locator("td").first).to_contain_text(text)
    expect(doctor_row.locator("td[data-label='Status']")).to_have_text("New")
    badge_box, first_row = badge.bounding_box(), inbox_rows(tab).first.bounding_box()
    assert badge_box and first_row and badge_box["y"] >= first_row["y"], "in the first row"
    assert badge_box["y"] < (doctor_row.bounding_box() or {"y": 0})["y"]
    banner_box = banner.bounding_box()
    screen = (tab.page.viewport_size or PHONE)["height"]
    assert banner_box and banner_box["y"] + banner_box["height"] <= screen, (
        "the urgent banner is on the first screen"
    )
    expect(main.locator(".inbox-count")).to_have_text("3 requests match.")

    open_request(tab, DOCTOR)
    assert tab.page.url.endswith(f"/staff/requests/{ids[DOCTOR.name]}"), tab.page.url
    expect(main.locator(".request-urgency")).to_contain_text("Doctor — book within days to weeks")
    facts = main.locator("dl.request-facts")
    expect(facts).to_contain_text(DOCTOR.email)
    expect(facts).to_contain_text("West Jordan")
    expect(main).to_contain_text("Nobody has moved this request yet.")
    no_clinical_detail(tab)

    move_to(tab, "contacted", "Contacted")
    move_to(tab, "booked", "Booked")
    status = main.locator("section[aria-labelledby='status-heading'] > p").first
    expect(status).to_have_text(re.compile(rf"^Booked – since {SHOWN_TIME.pattern}$"))
    changes = history(tab)
    assert [row[1:3] for row in changes] == [
        [FRONT_DESK.name, "New to Contacted"],
        [FRONT_DESK.name, "Contacted to Booked"],
    ], changes
    for change in changes:
        assert SHOWN_TIME.fullmatch(change[0]), change
    moments = history_times(tab)
    assert len(moments) == 2, moments
    for moment in moments:
        assert_recent(moment)
    expect(status_form(tab).locator("input[name='status']")).to_have_count(2)  # closed, declined


def no_clinical_detail(tab: Tab) -> None:
    """The front desk's view of a request: contact and workflow, nothing clinical."""
    main = tab.page.locator("main")
    expect(main.locator(".clinical-note")).to_contain_text("is for clinicians")
    for hidden in (".snapshot", ".shared-diary", "a[href$='/summary.pdf']", "a[href$='/fhir']"):
        expect(main.locator(hidden)).to_have_count(0)
    for words in ("nifedipine", "rock hard", "eased after stretching", "they wrote"):
        expect(main).not_to_contain_text(words)


def clinician_reads_the_check_and_the_summary(
    tab: Tab, ids: dict[str, str], tmp_path: Path
) -> None:
    sign_in(tab, CLINICIAN)
    assert names_listed(tab) == [URGENT.name, DOCTOR.name, SELF_CARE.name]
    expect(inbox_rows(tab).nth(1).locator("td[data-label='Status']")).to_have_text("Booked")
    open_request(tab, DOCTOR)
    main = tab.page.locator("main")
    expect(main.locator("section[aria-labelledby='status-heading'] > p").first).to_contain_text(
        "Booked"
    )
    assert [row[1] for row in history(tab)] == [FRONT_DESK.name, FRONT_DESK.name]

    snapshot = main.locator("section.snapshot")
    expect(snapshot.locator("h2")).to_have_text("The check, as the person saw it")
    expect(snapshot.locator(".banner-doctor")).to_have_count(1)
    expect(snapshot.locator("blockquote.your-words")).to_have_text(DOCTOR.text)
    expect(snapshot).to_contain_text("nifedipine")
    expect(snapshot.locator(".disclaimer")).to_contain_text("Knowledge base version")

    diary = main.locator("section.shared-diary")
    expect(diary).to_contain_text("Shared by the person with this clinic")
    expect(diary).to_contain_text(f"{len(DIARY_DAYS_AGO)} episodes over")
    images = diary.locator("figure.chart img")
    expect(images).to_have_count(3)
    for index in range(3):
        drawn = images.nth(index).evaluate("img => img.complete && img.naturalWidth > 0")
        assert drawn, f"chart {images.nth(index).get_attribute('src')} was not drawn"

    link = main.locator(f"a[href='/staff/requests/{ids[DOCTOR.name]}/summary.pdf']")
    expect(link).to_have_text("One-page summary (PDF)")
    with tab.page.expect_download() as started:
        link.click()
    saved = started.value
    assert saved.failure() is None, saved.failure()
    assert saved.suggested_filename == f"crampcheck-request-{ids[DOCTOR.name]}.pdf"
    downloaded = Path(saved.path()).read_bytes()
    assert downloaded.startswith(b"%PDF-"), downloaded[:20]

    response = tab.page.request.get(tab.url(link.get_attribute("href") or ""))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf", response.headers
    assert response.headers["cache-control"] == "no-store"
    body = response.body()
    assert body.startswith(b"%PDF-")
    text = pdf_text(body, tmp_path)
    if text is not None:
        assert DOCTOR.name in text, text[:500]
        assert "Said no to" not in text
    else:
        print("pdftotext not found: the PDF's text was not read")
    info = pdf_info(body, tmp_path)
    if info is not None:
        # One page of US Letter: the packaged Utah clinic's paper_size.
        assert info["Pages"] == "1" and info["Page size"].startswith("612 x 792 pts"), info


def admin_finds_both_in_the_audit_log(tab: Tab, ids: dict[str, str]) -> None:
    sign_in(tab, ADMIN)
    nav = tab.page.locator("header nav")
    expect(nav.locator("a[href='/staff/team']")).to_have_text("Team")
    tab.click(nav.locator("a[href='/staff/audit']"))
    expect(tab.page.locator("h1")).to_have_text("Audit log")
    request_id = ids[DOCTOR.name]
    today = datetime.now(UTC).date()
    # the clinic's day may be the UTC day before or after
    days = tuple((today + timedelta(days=d)).isoformat() for d in (-1, 0, 1))

    moves = filter_audit(
        tab,
        action="change_status",
        staff_email=FRONT_DESK.email,
        request_id=request_id,
        **{"from": days[0], "to": days[-1]},
    )
    assert [(e["Who"], e["Role"], e["Action"], e["Request"], e["Detail"]) for e in moves] == [
        (FRONT_DESK.email, "Front desk", "Changed a request's status", request_id, d)
        for d in ("contacted->booked", "new->contacted")
    ], moves
    for event in moves:
        assert event["Patient"] == f"request:{request_id}" and event["Address"] == "127.0.0.1"
        assert event["When"].startswith(days), event
    expect(tab.page.locator("#action")).to_have_value("change_status")
    expect(tab.page.locator("#staff_email")).to_have_value(FRONT_DESK.email)

    reads = filter_audit(tab, action="view_summary_pdf", request_id=request_id)
    assert reads, "the clinician's PDF reads are in the log"
    assert {(e["Who"], e["Role"], e["Action"], e["Request"], e["Detail"]) for e in reads} == {
        (CLINICIAN.email, "Clinician", "Opened a summary PDF", request_id, "with the shared diary")
    }, reads

    nobody = filter_audit(tab, action="view_summary_pdf", staff_email=FRONT_DESK.email)
    assert nobody == []
    expect(tab.page.locator("main")).to_contain_text("No events match these filters.")


@pytest.mark.browser
def test_the_clinic_works_requests_from_the_inbox_to_the_audit_log(
    open_tab: Callable[..., Tab], sent: dict[str, str], tmp_path: Path
) -> None:
    desk = open_tab()
    front_desk_books_the_doctor_request(desk, sent)
    clinician = open_tab()
    clinician_reads_the_check_and_the_summary(clinician, sent, tmp_path)
    admin_finds_both_in_the_audit_log(open_tab(), sent)


# ---------------------------------------------------------------- the front desk's limits


@pytest.mark.browser
def test_the_front_desk_sees_no_clinical_detail_and_no_admin_page(
    open_tab: Callable[..., Tab], sent: dict[str, str]
) -> None:
    tab = open_tab()
    sign_in(tab, FRONT_DESK)
    nav = tab.page.locator("header nav")
    expect(nav.locator("a[href='/staff']")).to_have_text("Inbox")
    expect(nav.locator("a[href='/staff/team'], a[href='/staff/audit']")).to_have_count(0)
    for path in ("/staff/team", "/staff/audit", "/staff/audit?action=sign_in"):
        assert tab.goto(path) == 403, path
        expect(tab.page.locator("h1")).to_have_text(FORBIDDEN)
        expect(tab.page.locator("main a[href='/staff']")).to_have_text("Go to the inbox")
    for name, request_id in sent.items():
        for download in ("summary.pdf", "fhir", "charts/weekly.svg"):
            path = f"/staff/requests/{request_id}/{download}"
            response = tab.page.request.get(tab.url(path))
            assert response.status == 403, (name, path, response.status)
            assert b"%PDF" not in response.body() and name.encode() not in response.body()
        tab.goto(f"/staff/requests/{request_id}")
        expect(tab.page.locator("h1")).to_have_text(f"Request from {name}")
        no_clinical_detail(tab)


@pytest.mark.browser
def test_the_status_form_works_with_the_keyboard_alone(
    open_tab: Callable[..., Tab], sent: dict[str, str]
) -> None:
    tab = open_tab()
    sign_in(tab, FRONT_DESK)
    tab_to(tab, f"main a[href='/staff/requests/{sent[SELF_CARE.name]}']")
    tab.press("Enter")
    expect(tab.page.locator("h1")).to_have_text(f"Request from {SELF_CARE.name}")
    first = status_form(tab).locator("input[name='status']").first
    tab_to(tab, "main input[name='status']")
    assert focus_ring(tab) != "none", "no visible focus on the status choice"
    expect(first).to_have_attribute("value", "contacted")
    tab.page.keyboard.press("Space")
    expect(first).to_be_checked()
    tab_to(tab, "main form[action$='/status'] button[type='submit']")
    assert focus_ring(tab) != "none", "no visible focus on the submit button"
    tab.press("Enter")
    expect(tab.page.locator("main .notice-ok")).to_have_text("The request is now: Contacted.")
    assert [row[1:3] for row in history(tab)] == [[FRONT_DESK.name, "New to Contacted"]]


# ---------------------------------------------------------------- an invitation


@pytest.mark.browser
def test_an_admin_invites_a_member_who_chooses_their_own_password(
    open_tab: Callable[..., Tab],
) -> None:
    """The team page shows the new member's link once; in a browser of their own the
    member opens it, is refused a common password, chooses one and lands in the inbox;
    the link then cannot be used. Each page is checked as every staff page is."""
    admin = open_tab()
    sign_in(admin, ADMIN, "/staff/team")
    admin.page.fill("#name", "Robin Newcomer")
    admin.page.fill("#email", "robin.newcomer@auger.example")
    admin.page.check("#role-front_desk")
    admin.click(admin.page.locator("main form[action='/staff/team'] button[type='submit']"))
    expect(admin.page.locator("main .notice-ok")).to_contain_text("Robin Newcomer was added.")
    panel = admin.page.locator("main section.invitation-link")
    expect(panel.locator("h2")).to_have_text("Invitation link for Robin Newcomer")
    expect(admin.page.locator("main input[type='password']")).to_have_count(0)
    link = admin.page.locator("#invitation-link").input_value()
    assert link.startswith(admin.url("/staff/invite/")), link
    admin.audit("team with a new invitation link")
    admin.goto("/staff/team")
    expect(admin.page.locator("main section.invitation-link")).to_have_count(0)
    waiting = admin.page.locator("#invitations tbody tr", has_text="Robin Newcomer")
    expect(waiting).to_contain_text("robin.newcomer@auger.example")
    admin.audit("team with an invitation not yet accepted")

    robin = open_tab()
    assert robin.goto(link.removeprefix(robin.url(""))) == 200
    expect(robin.page.locator("h1")).to_have_text("Choose your password")
    expect(robin.page.locator("main")).to_contain_text("Welcome, Robin Newcomer.")
    robin.audit("invitation")
    robin.page.fill("#password", "password123")
    robin.page.fill("#password_again", "password123")
    robin.click(robin.page.locator("main form button[type='submit']"))
    expect(robin.page.locator(".error-summary")).to_have_count(1)
    expect(robin.page.locator("#password")).to_have_attribute("aria-invalid", "true")
    robin.audit("invitation with errors")
    robin.page.fill("#password", "saffron ladder 29 tide")
    robin.page.fill("#password_again", "saffron ladder 29 tide")
    robin.click(robin.page.locator("main form button[type='submit']"))
    assert robin.page.url == robin.url("/staff"), robin.page.url
    expect(robin.page.locator("header .staff-who")).to_contain_text("Robin Newcomer")
    assert robin.goto(link.removeprefix(robin.url(""))) == 410
    expect(robin.page.locator("h1")).to_have_text("This link cannot be used")
    robin.audit("invitation link that cannot be used")

    admin.goto("/staff/team")
    expect(admin.page.locator("main")).to_contain_text(
        "Every invitation has been accepted or revoked."
    )
    problems = admin.problems + robin.problems
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- every staff page


def signed_out_pages(tab: Tab) -> None:
    tab.goto("/staff")
    assert "/staff/signin?next=" in tab.page.url, tab.page.url
    expect(tab.page.locator("h1")).to_have_text("Sign in for clinic staff")
    tab.audit("sign in")
    tab.click(sign_in_button(tab))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    expect(tab.page.locator("#email")).to_have_attribute("aria-invalid", "true")
    assert tab.title().startswith("Error:")
    tab.audit("sign in with errors (empty)")
    tab.page.fill("#email", FRONT_DESK.email)
    tab.page.fill("#password", "not the password at all")
    tab.click(sign_in_button(tab))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    cookies = tab.page.context.cookies(tab.url("/staff"))
    assert STAFF_COOKIE not in {c["name"] for c in cookies}, "no session without a password"
    tab.audit("sign in with errors (wrong password)")


def front_desk_pages(tab: Tab, ids: dict[str, str]) -> None:
    sign_in(tab, FRONT_DESK)
    expect(inbox_rows(tab)).to_have_count(3)
    tab.audit("inbox (front desk)")
    tab.page.select_option("#urgency", "urgent")
    tab.click(tab.page.locator("main form.staff-filter button[type='submit']"))
    assert names_listed(tab) == [URGENT.name], tab.page.url
    tab.audit("inbox filtered by urgency")
    tab.page.select_option("#status", "all")
    tab.page.select_option("#urgency", "")
    tab.page.select_option("#location", DOCTOR.location)
    tab.click(tab.page.locator("main form.staff-filter button[type='submit']"))
    assert names_listed(tab) == [DOCTOR.name], tab.page.url
    tab.audit("inbox filtered by status and location")
    tab.page.select_option("#status", "declined")
    tab.page.select_option("#location", "")
    tab.click(tab.page.locator("main form.staff-filter button[type='submit']"))
    expect(inbox_rows(tab)).to_have_count(0)
    expect(tab.page.locator("main")).to_contain_text("No request matches this filter.")
    tab.audit("inbox filtered, nothing matches")
    assert tab.goto("/staff?status=lost&urgency=soon") == 422
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("inbox with filter errors")

    tab.goto(f"/staff/requests/{ids[DOCTOR.name]}")
    tab.audit("request (front desk)")
    tab.click(status_form(tab).locator("button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    assert tab.title().startswith("Error:")
    tab.audit("request (front desk) with errors")
    assert tab.goto("/staff/requests/no-such-request") == 404
    tab.audit("no such request (404)")
    assert tab.goto("/staff/team") == 403
    expect(tab.page.locator("h1")).to_have_text(FORBIDDEN)
    tab.audit("403 (team, front desk)")
    assert tab.goto("/staff/audit") == 403
    tab.audit("403 (audit log, front desk)")


def other_clinic_pages(tab: Tab, ids: dict[str, str]) -> None:
    sign_in(tab, OTHER_DESK)
    expect(tab.page.locator("header .staff-who")).to_contain_text("North Foot Clinic")
    expect(inbox_rows(tab)).to_have_count(0)
    expect(tab.page.locator("main section.urgent-banner")).to_have_count(0)
    expect(tab.page.locator("main .inbox-count")).to_have_text("0 requests match.")
    tab.audit("inbox (empty, another clinic)")
    assert tab.goto(f"/staff/requests/{ids[URGENT.name]}") == 404, "another clinic's request"
    expect(tab.page.locator("main")).not_to_contain_text(URGENT.name)


def clinician_pages(tab: Tab, ids: dict[str, str]) -> None:
    sign_in(tab, CLINICIAN)
    tab.audit("inbox (clinician)")
    tab.goto(f"/staff/requests/{ids[DOCTOR.name]}")
    expect(tab.page.locator("main section.shared-diary figure.chart")).to_have_count(3)
    tab.audit("request (clinician, shared diary)")
    for section in ("snapshot", "diary", "downloads"):
        heading = tab.page.locator(f"#{section}-heading")
        heading.scroll_into_view_if_needed()
        tab.audit(f"request (clinician): section '{heading.inner_text()}'")
    tab.goto(f"/staff/requests/{ids[URGENT.name]}")
    expect(tab.page.locator("main .request-urgent .badge-urgent")).to_have_text(URGENT_BADGE)
    expect(tab.page.locator("main section.shared-diary")).to_contain_text("sent without an account")
    tab.audit("request (clinician, urgent, no account)")
    assert tab.goto("/staff/team") == 403
    tab.audit("403 (team, clinician)")


def admin_pages(tab: Tab) -> None:
    sign_in(tab, ADMIN, "/staff/team")
    expect(tab.page.locator("h1")).to_have_text(f"Team at {load_clinic().name}")
    for member in (FRONT_DESK, CLINICIAN, ADMIN):
        expect(tab.page.locator("main table")).to_contain_text(member.email)
    expect(tab.page.locator("main table")).not_to_contain_text(OTHER_DESK.email)
    tab.audit("team")
    tab.click(tab.page.locator("main form[action='/staff/team'] button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("team with errors")
    tab.goto("/staff/audit")
    expect(tab.page.locator("main table.data tbody tr").first).to_be_visible()
    tab.audit("audit log")
    rows = filter_audit(tab, action="sign_in", staff_email=ADMIN.email)
    assert rows and all(r["Action"] == "Signed in" for r in rows), rows
    tab.audit("audit log filtered")
    assert tab.goto("/staff/audit?from=yesterday&to=2020-01-01&action=nothing") == 422
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("audit log with filter errors")
    tab.click(tab.page.locator("header form[action='/staff/signout'] button"))
    assert tab.page.url.endswith("/staff/signin?done=signed_out"), tab.page.url
    expect(tab.page.locator("main .notice-ok")).to_have_text("You are signed out.")
    tab.audit("sign in (signed out)")


def password_pages(tab: Tab) -> None:
    """The staff member's own password page, and its errors (nothing is changed)."""
    tab.goto("/staff/password")
    expect(tab.page.locator("h1")).to_have_text("Change your password")
    tab.audit("change password")
    tab.click(tab.page.locator("main form[action='/staff/password'] button[type='submit']"))
    expect(tab.page.locator(".error-summary")).to_have_count(1)
    tab.audit("change password with errors")


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [PHONE, NARROW], ids=["390px", "360px"])
def test_every_staff_page_fits_a_phone_and_is_accessible(
    open_tab: Callable[..., Tab], sent: dict[str, str], viewport: dict[str, int]
) -> None:
    """Every staff page, signed out and for each role, with its errors, at 390 px (a
    common phone) and at 360 px (the narrowest, as the patient pages are checked)."""
    tabs = [open_tab(viewport) for _ in range(5)]
    signed_out_pages(tabs[0])
    front_desk_pages(tabs[1], sent)
    password_pages(tabs[1])
    other_clinic_pages(tabs[2], sent)
    clinician_pages(tabs[3], sent)
    admin_pages(tabs[4])
    problems = [p for t in tabs for p in t.problems]
    audited = [name for t in tabs for name in t.audited]
    print(f"checked {len(audited)} staff pages: {audited}")
    assert not problems, f"{len(problems)} problems on {len(audited)} pages:\n" + "\n".join(
        problems
    )
    for tab in tabs:
        assert not tab.failed_requests, tab.failed_requests


@pytest.mark.browser
def test_the_team_table_scrolls_inside_its_box(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(PHONE)
    sign_in(tab, ADMIN, "/staff/team")
    width = tab.page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the team page is {width} px wide"


@pytest.mark.browser
def test_a_table_that_scrolls_can_be_scrolled_with_the_keyboard(
    open_tab: Callable[..., Tab], sent: dict[str, str]
) -> None:
    admin = open_tab(PHONE)
    sign_in(admin, ADMIN, "/staff/audit")
    filter_audit(admin, action="sign_in", staff_email=ADMIN.email)
    desk = open_tab(NARROW)
    sign_in(desk, FRONT_DESK, f"/staff/requests/{sent[DOCTOR.name]}")
    if not history(desk):  # run on its own, before the journey has moved it
        move_to(desk, "contacted", "Contacted")
    expect(
        desk.page.locator("main section[aria-labelledby='status-heading'] table")
    ).to_be_visible()
    found = {
        "audit log filtered (390 px)": admin.axe_violations(),
        "a request's history (360 px)": desk.axe_violations(),
    }
    scrolling = {
        page: [v["targets"] for v in found[page] if v["id"] == "scrollable-region-focusable"]
        for page in found
    }
    assert not any(scrolling.values()), scrolling


# ---------------------------------------------------------------- screenshots


@pytest.mark.browser
def test_screenshots_of_the_inbox_and_a_request(
    open_tab: Callable[..., Tab], sent: dict[str, str]
) -> None:
    """docs/screenshots/staff-inbox.png: the inbox as a clinician sees it on a small
    desktop screen; staff-request.png: the clinician's part of the doctor-level request
    (the downloads, then the check as the person saw it)."""
    tab = open_tab(DESKTOP)
    sign_in(tab, CLINICIAN)
    expect(inbox_rows(tab)).to_have_count(3)
    screenshot_with_pinned_times(tab, SCREENSHOTS / "staff-inbox.png")
    open_request(tab, DOCTOR)
    expect(tab.page.locator("main section.snapshot")).to_be_visible()
    screenshot_with_pinned_times(
        tab, SCREENSHOTS / "staff-request.png", tab.page.locator("#downloads-heading")
    )
