"""The clinic's one-page PDF summary of an appointment request.

A real check (the packaged pipeline) is frozen into an appointment request record the
way the appointment service stores it; the diary is Episode objects built in memory and
measured as the diary service measures them. The
PDF is read back with poppler's ``pdftotext -layout`` and ``pdfinfo``: without them the
PDF tests are skipped, except in CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import typing
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from crampcheck.clinic import Clinic, load_clinic
from crampcheck.domain.appointment import AppointmentRecord
from crampcheck.domain.diary import DiaryEpisode, KindPatterns
from crampcheck.knowledge import KnowledgeBase
from crampcheck.knowledge.schema import Finding
from crampcheck.report.pdf import RefuseAllFetcher, html_to_pdf, summary_html, summary_pdf
from crampcheck.report.summary import (
    CONDITION_CATEGORIES,
    MEDICINE_CATEGORIES,
    RequestSummary,
    build_summary,
    causes_of,
    final_states,
    findings_of,
    urgency_words,
)
from crampcheck.services.appointments import snapshot_of
from crampcheck.services.diary import as_measured, by_kind
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict
from crampcheck.storage.tables import Episode

NOW = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)
TYPICAL_TEXT = (
    "For about three months I get painful cramps in my right calf most nights and they "
    "wake me up. They last about 5 minutes. I started taking furosemide in the spring and "
    "I also take atorvastatin. I have diabetes. No swelling. Stretching helps a bit but "
    "massage doesn't."
)
HOSTILE = "<script>alert(1)</script>"
HOSTILE_IMAGE = "<img src=http://example.com/x>"


# ---------------------------------------------------------------- reading a PDF back


def _poppler(tool: str) -> str:
    """The path of a poppler tool: skipped when missing, a failure in CI."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (poppler-utils) is not installed, so the PDF cannot be read back"
        if os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}:
            pytest.fail(f"{message}; CI must install poppler-utils")
        pytest.skip(message)
    return path


def pdf_text(pdf: bytes, tmp: Path) -> str:
    """The PDF's text as ``pdftotext -layout`` lays it out (columns side by side)."""
    path = tmp / "summary.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    )
    return done.stdout


def pdf_pages(pdf: bytes, tmp: Path) -> int:
    """The number of pages ``pdfinfo`` reports."""
    path = tmp / "pages.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True, timeout=30
    )
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("Pages:")]
    return int(line.split()[1])


def squash(text: str) -> str:
    """Whitespace collapsed, so a sentence wrapped over full-width lines reads whole."""
    return " ".join(text.split())


GUTTER = 2
"""Characters left of a heading still taken as its column (a box's padding)."""


def under(text: str, heading: str, until: str) -> str:
    """The text below ``heading`` in its own column of the -layout output, up to the
    heading ``until`` in the same column (both headings of one unbreakable block)."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if heading in line)
    column = max(lines[start].index(heading) - GUTTER, 0)
    width = max(len(line) for line in lines) // 2
    below = []
    for line in lines[start + 1 :]:
        part = line[column : column + width]
        if until in part:
            return "\n".join(below)
        below.append(part)
    raise AssertionError(f"{until!r} is not below {heading!r} in the same column")


# ---------------------------------------------------------------- a request and a diary


def make_request(pipeline: Pipeline, clinic: Clinic, text: str) -> AppointmentRecord:
    """An appointment request as the appointment service stores it, as the summary reads it."""
    assessment = result_to_dict(pipeline.check_text(text, 67, None), pipeline.kb)
    return AppointmentRecord(
        clinic_id=clinic.id,
        id="5b0e7c2a-3d4f-4a1b-9c8d-7e6f5a4b3c2d",
        created_at=NOW - timedelta(hours=3),
        name="Ana Example",
        phone="(801) 555-0100",
        email="ana@example.org",
        preferred_location="sandy",
        preferred_times="weekday mornings",
        consent_to_share=True,
        urgency=assessment["urgency"],
        kind=assessment["kind"],
        kb_version=assessment["kb_version"],
        status="new",
        snapshot=snapshot_of(assessment, text),
    )


def episode(at: datetime, index: int, **fields: Any) -> DiaryEpisode:
    values: dict[str, Any] = {
        "user_id": "someone",
        "id": f"00000000-0000-4000-8000-{index:012d}",
        "started_at": at,
        "created_at": at,
        "updated_at": at,
        "site": "site_calf",
        "side": "right",
        "duration_minutes": 5.0,
        "pain": 5,
        "feel": "cramp",
        "activity": None,
        "at_night": True,
        "context": [],
        "tried": [],
        "helped": None,
        "notes": None,
        "check": None,
    }
    values.update(fields)
    return as_measured(Episode(**values))


def three_month_diary() -> list[DiaryEpisode]:
    """About three months of a typical diary: a cramp every two or three days, mostly
    at night in the calf, stretching or massage tried, relief now and then."""
    episodes = []
    for index, day in enumerate(d for d in range(1, 92) if d % 5 in (0, 2)):
        tried = [["stretching"], ["stretching", "massage"], [], ["fluids"]][index % 4]
        episodes.append(
            episode(
                NOW - timedelta(days=day, hours=index % 7),
                index,
                site="site_foot" if index % 6 == 0 else "site_calf",
                pain=3 + (index * 5) % 7,
                duration_minutes=float(2 + index % 9),
                at_night=index % 4 != 3,
                tried=tried,
                helped=[True, False, None][index % 3] if tried else None,
            )
        )
    return episodes


def measured(
    episodes: list[DiaryEpisode], kb: KnowledgeBase, clinic: Clinic, now: datetime = NOW
) -> tuple[KindPatterns, ...]:
    """The diary measured per kind as the request's summary service measures it (days
    and weeks in the clinic's zone)."""
    return by_kind(episodes, now, clinic.zone, kb)


@dataclass(frozen=True)
class Rendered:
    summary: RequestSummary
    html: str
    pdf: bytes
    text: str


@pytest.fixture(scope="module")
def clinic() -> Clinic:
    return load_clinic()


@pytest.fixture(scope="module")
def typical(pipeline: Pipeline, clinic: Clinic) -> AppointmentRecord:
    return make_request(pipeline, clinic, TYPICAL_TEXT)


def render(summary: RequestSummary, tmp: Path) -> Rendered:
    pdf = summary_pdf(summary)
    return Rendered(summary, summary_html(summary), pdf, pdf_text(pdf, tmp))


@pytest.fixture(scope="module")
def shared(
    typical: AppointmentRecord,
    pipeline: Pipeline,
    clinic: Clinic,
    tmp_path_factory: pytest.TempPathFactory,
) -> Rendered:
    summary = build_summary(
        typical, measured(three_month_diary(), pipeline.kb, clinic), pipeline.kb, clinic, now=NOW
    )
    return render(summary, tmp_path_factory.mktemp("shared"))


@pytest.fixture(scope="module")
def not_shared(
    typical: AppointmentRecord,
    pipeline: Pipeline,
    clinic: Clinic,
    tmp_path_factory: pytest.TempPathFactory,
) -> Rendered:
    summary = build_summary(typical, None, pipeline.kb, clinic, now=NOW)
    return render(summary, tmp_path_factory.mktemp("not-shared"))


# ---------------------------------------------------------------- what the page says


def test_the_page_says_who_asked_how_urgent_and_why(shared: Rendered, kb: KnowledgeBase) -> None:
    text, summary = shared.text, shared.summary
    assert "Ana Example" in text and "(801) 555-0100" in text and "ana@example.org" in text
    assert "Sandy" in text and "weekday mornings" in text
    label, when = urgency_words(summary.urgency, kb)
    assert label and when
    assert f"Triage: {label}" in text
    assert summary.action and squash(summary.action) in squash(text)

    reason = summary.reasons[0]
    source = kb.sources[reason.sources[0].id]
    assert reason.rule_id in text
    assert source.id in text and source.title in text


def test_the_page_quotes_the_patients_own_words(shared: Rendered) -> None:
    text = shared.text
    assert "“painful”" in text and "“furosemide”" in text and "“three months”" in text
    # A denied warning sign that could have changed the answer is listed as denied,
    # with the word it was read from (one list, not a line per denial).
    assert [line.id for line in shared.summary.denials] == ["swelling"]
    assert "swelling (<q>swelling</q>)" in shared.html
    assert "the patient said no to" in text and text.count("said no to") == 1
    words = shared.summary.words
    assert words is not None and words.text == TYPICAL_TEXT and not words.cut


def test_the_page_carries_the_kb_version_and_the_disclaimer(
    shared: Rendered, kb: KnowledgeBase
) -> None:
    assert shared.summary.kb_version == kb.version
    assert kb.version in shared.text
    assert shared.summary.disclaimer
    assert squash(shared.summary.disclaimer) in squash(shared.text)


def test_possible_causes_are_could_be_never_a_diagnosis(shared: Rendered) -> None:
    assert shared.summary.causes
    assert "could be; not a diagnosis" in shared.text.lower()
    assert shared.summary.causes[0].name in shared.text
    for rendered in (shared.html, shared.text):
        assert "you have" not in rendered.lower()


# ---------------------------------------------------------------- medicines and conditions


def test_a_medicine_in_the_description_is_listed_under_medications(shared: Rendered) -> None:
    flat = squash(shared.text)
    medicines = flat.split("Medications mentioned:")[1].split("Conditions and history")[0]
    assert "“atorvastatin”" in medicines and "“furosemide”" in medicines
    assert "statin" in medicines
    conditions = flat.split("Conditions and history mentioned:")[1].split(".")[0]
    assert "“diabetes”" in conditions and "atorvastatin" not in conditions
    ids = {line.id for line in shared.summary.medicines}
    assert {"drug_statin", "drug_loop_diuretic"} <= ids
    assert not ids & {line.id for line in shared.summary.findings}


def test_medicines_and_conditions_are_the_knowledge_bases_categories(kb: KnowledgeBase) -> None:
    categories = set(typing.get_args(Finding.model_fields["category"].annotation))
    assert categories >= MEDICINE_CATEGORIES and categories >= CONDITION_CATEGORIES
    assert not MEDICINE_CATEGORIES & CONDITION_CATEGORIES
    rows = [
        {"id": f.id, "label": f.label, "state": "present", "text": f.id, "value": None}
        for f in kb.findings.values()
    ]
    lines = findings_of(rows, kb)
    assert len(lines) == len(kb.findings)
    medicines = {f.id for f in kb.findings.values() if f.category in MEDICINE_CATEGORIES}
    history = {f.id for f in kb.findings.values() if f.category in CONDITION_CATEGORIES}
    assert medicines and history
    for line in lines:
        category = kb.findings[line.id].category
        assert (line.id in medicines) == (category == "medicine")
        assert (line.id in history) == (category == "history")


# ---------------------------------------------------------------- the diary


def test_a_shared_diary_shows_its_charts_and_figures(shared: Rendered) -> None:
    assert shared.summary.diary is not None
    (diary,) = shared.summary.diary
    assert diary.kind == "cramp" and diary.heading == "Cramps"
    assert diary.total == len(three_month_diary())
    text = shared.text
    assert "Episodes per week, last 12 weeks" in text
    assert "Average pain per week (0 to 10), last 12 weeks" in shared.html
    assert f"{diary.total} episodes over {diary.diary_days} days" in text
    assert f"Last 4 weeks: {diary.last_4_weeks}" in text
    assert "Diary not shared" not in text
    # The charts are the diary's own SVG, inline (no image is fetched).
    assert diary.weekly_chart.svg in shared.html and diary.pain_chart.svg in shared.html
    assert "<img" not in shared.html


def test_what_was_tried_and_what_helped(shared: Rendered) -> None:
    assert shared.summary.diary is not None
    (diary,) = shared.summary.diary
    treatments = {h.treatment: (h.tried, h.relieved) for h in diary.home_care}
    assert set(treatments) == {"Stretching", "Massage", "Water or a sports drink"}
    assert all(0 < relieved < tried for tried, relieved in treatments.values())
    recent = [e for e in three_month_diary() if NOW - e.started_at < timedelta(days=84)]
    tried = [e for e in recent if e.tried]
    assert diary.recent == len(recent) and diary.episodes_with_care == len(tried)
    assert diary.care_did_not_help == sum(1 for e in tried if e.helped is False)
    assert diary.care_helped == sum(1 for e in tried if e.helped is True)
    assert diary.care_not_recorded == sum(1 for e in tried if e.helped is None)
    assert "What was tried and what helped" in shared.text
    table = under(shared.text, "Home care (last 12 weeks)", "Something was tried in")
    (line,) = [x for x in table.splitlines() if "Stretching" in x]
    assert line.split() == ["Stretching", *(str(n) for n in treatments["Stretching"])]


def test_diary_figures_are_those_of_the_diary_service(kb: KnowledgeBase, clinic: Clinic) -> None:
    """Two episodes in each of the last 12 weeks, pain 2 then 6 in the latest week: the
    weekly counts, the pain series and the trend are the diary service's."""
    episodes = [
        episode(NOW - timedelta(weeks=week, days=1, hours=hour), week * 2 + i, pain=2 + 4 * i)
        for week in range(12)
        for i, hour in enumerate((1, 5))
    ]
    request = AppointmentRecord(
        clinic_id=clinic.id,
        id="r",
        created_at=NOW,
        name="B",
        phone="1",
        email=None,
        preferred_location=None,
        preferred_times=None,
        consent_to_share=True,
        urgency="doctor",
        kind="cramp",
        kb_version=kb.version,
        status="new",
        snapshot={},
    )
    kinds = build_summary(request, measured(episodes, kb, clinic), kb, clinic, now=NOW).diary
    assert kinds is not None
    (diary,) = kinds
    assert (diary.total, diary.last_4_weeks, diary.previous_4_weeks) == (24, 8, 8)
    assert diary.per_week == "2" and diary.trend == "about as often as before"
    assert diary.median_pain == "4" and diary.median_duration == "5 minutes"
    assert diary.weekly_chart.title == "Episodes per week, last 12 weeks"
    assert diary.weekly_chart.svg.count("<rect") == 1 + 12  # background and 12 bars
    assert diary.pain_chart.svg.count("<circle") == 12


def test_each_kind_of_episode_is_counted_apart_and_the_page_stays_one(
    typical: AppointmentRecord, kb: KnowledgeBase, clinic: Clinic, tmp_path: Path
) -> None:
    """Three months of calf cramps and three weeks of eyelid twitching: twitching is not
    added to the cramps' counts, each kind has its own figures and charts, a 3-week-old
    kind never reads "more often", and the page is still one page."""
    cramps = three_month_diary()
    twitches = [
        episode(
            NOW - timedelta(days=day, hours=2),
            1000 + day,
            feel="twitch",
            site="site_eyelid",
            pain=0,
            at_night=False,
            duration_minutes=0.5,
        )
        for day in range(1, 21)
    ]
    rendered = render(
        build_summary(typical, measured(cramps + twitches, kb, clinic), kb, clinic, now=NOW),
        tmp_path,
    )
    assert rendered.summary.diary is not None
    cramping, twitching = rendered.summary.diary
    assert (twitching.kind, twitching.total) == ("twitch", len(twitches))
    assert (cramping.kind, cramping.total) == ("cramp", len(cramps))
    assert twitching.sites == (("Eyelid", len(twitches)),)
    assert "Eyelid" not in dict(cramping.sites)
    assert twitching.median_duration == "30 seconds"
    assert twitching.trend.startswith("too short a diary to tell a trend")
    assert "more often" not in twitching.trend
    text = squash(rendered.text)
    assert "Twitching" in text and "Cramps" in text
    assert "twitching is not added to cramps" in squash(rendered.html)
    assert f"{len(cramps)} episodes over" in text and f"{len(twitches)} episodes over" in text
    assert f"{len(cramps) + len(twitches)} episodes" not in text
    assert rendered.html.count('<div class="title">Episodes per week, last 12 weeks') == 2
    assert pdf_pages(rendered.pdf, tmp_path) == 1


def test_times_are_in_the_clinics_time_zone(shared: Rendered, kb: KnowledgeBase) -> None:
    """NOW is 12:00 UTC and the request came 3 hours before: 05:00 and 02:00 in Utah."""
    assert shared.summary.time_zone == "America/Denver"
    assert "Received Mon, Mar 3, 2025, 2:00 AM MST" in shared.text
    assert "Printed Mon, Mar 3, 2025, 5:00 AM MST" in shared.text
    assert "clinic time: America/Denver" in shared.text
    assert "with days and weeks in the clinic's time zone, America/Denver" in shared.html
    assert "UTC" not in shared.text


def test_the_diarys_weeks_start_on_the_clinics_days(
    typical: AppointmentRecord, kb: KnowledgeBase, clinic: Clinic
) -> None:
    """At 03:00 UTC on 3 March it is still the 2nd in Utah: the weeks the chart labels
    start a day earlier than they would in UTC (Dec 8, not Dec 9)."""
    early = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    kinds = build_summary(
        typical, measured(three_month_diary(), kb, clinic, early), kb, clinic, now=early
    ).diary
    assert kinds is not None
    (diary,) = kinds
    assert ">Dec 8<" in diary.weekly_chart.svg and ">Dec 9<" not in diary.weekly_chart.svg
    in_utc = clinic.model_copy(update={"time_zone": "UTC"})
    utc_diary = build_summary(
        typical, measured(three_month_diary(), kb, in_utc, early), kb, in_utc, now=early
    ).diary
    assert utc_diary is not None and ">Dec 9<" in utc_diary[0].weekly_chart.svg


def test_dates_and_chart_weeks_are_written_in_the_clinics_locale(
    typical: AppointmentRecord, kb: KnowledgeBase, clinic: Clinic, tmp_path: Path
) -> None:
    """Read back from the PDF: a US clinic's page writes "Mar 3, 2025, 2:00 AM" and its
    charts' weeks "Dec 8"; the same request for a clinic in the UK (en_GB, A4) writes
    "3 Mar 2025, 09:00", "8 Dec" and a date of birth of 23/04/1958, never 04/23/1958,
    which a British reader would take for a day that does not exist."""
    early = datetime(2025, 3, 3, 3, 0, tzinfo=UTC)
    request = replace(typical, date_of_birth=date(1958, 4, 23))
    us = render(
        build_summary(request, measured(three_month_diary(), kb, clinic, early), kb, clinic, early),
        tmp_path,
    )
    us_text = squash(us.text)
    assert "Received Mon, Mar 3, 2025, 2:00 AM MST" in us_text
    assert "born 4/23/1958" in us_text
    assert "Dec 8" in us.text and "8 Dec" not in us.text

    uk = clinic.model_copy(
        update={"time_zone": "Europe/London", "locale": "en_GB", "paper_size": "a4"}
    )
    rendered = render(
        build_summary(request, measured(three_month_diary(), kb, uk, early), kb, uk, early),
        tmp_path,
    )
    text = squash(rendered.text)
    assert "Received Mon, 3 Mar 2025, 09:00" in text
    assert "Printed Mon, 3 Mar 2025, 03:00" in text
    assert "born 23/04/1958" in text and "04/23/1958" not in text
    diary = rendered.summary.diary
    assert diary is not None
    assert ">9 Dec<" in diary[0].weekly_chart.svg and ">Dec 9<" not in diary[0].weekly_chart.svg
    assert ">9 Dec<" in diary[0].pain_chart.svg
    assert "9 Dec" in rendered.text and "Dec 9" not in rendered.text
    assert "PM" not in text and "AM" not in text
    assert pdf_pages(rendered.pdf, tmp_path) == 1


def test_a_clinic_without_a_time_zone_prints_utc(
    typical: AppointmentRecord, kb: KnowledgeBase, clinic: Clinic
) -> None:
    definition = clinic.model_dump(mode="json")
    del definition["time_zone"]
    summary = build_summary(typical, None, kb, Clinic.model_validate(definition), now=NOW)
    html = summary_html(summary)
    assert "Received Mon, Mar 3, 2025, 9:00 AM UTC" in html and "clinic time: UTC" in html


def test_a_diary_not_shared_is_said_plainly(not_shared: Rendered, tmp_path: Path) -> None:
    assert not_shared.summary.diary is None
    assert "Diary not shared" in not_shared.text
    assert "did not share an episode diary" in not_shared.text
    assert "Episodes per week" not in not_shared.text
    assert pdf_pages(not_shared.pdf, tmp_path) == 1


def test_a_shared_diary_without_episodes_says_so(
    typical: AppointmentRecord, kb: KnowledgeBase, clinic: Clinic
) -> None:
    summary = build_summary(typical, measured([], kb, clinic), kb, clinic, now=NOW)
    assert summary.diary == ()
    html = summary_html(summary)
    assert "no episodes yet" in html and "Diary not shared" not in html


def test_a_typical_request_with_a_three_month_diary_fits_on_one_page(
    shared: Rendered, tmp_path: Path
) -> None:
    assert pdf_pages(shared.pdf, tmp_path) == 1


def test_the_date_of_birth_age_sex_and_reason_from_the_form_are_on_the_page(
    typical: AppointmentRecord, pipeline: Pipeline, clinic: Clinic, tmp_path: Path
) -> None:
    request = replace(
        typical,
        date_of_birth=date(1958, 4, 23),
        check_age=67,
        check_sex="female",
        reason="Cramps wake me most nights and I cannot work.",
    )
    rendered = render(
        build_summary(
            request,
            measured(three_month_diary(), pipeline.kb, clinic),
            pipeline.kb,
            clinic,
            now=NOW,
        ),
        tmp_path,
    )
    text = squash(rendered.text)
    assert "born 4/23/1958, age 66, sex: female" in text
    assert "Why they ask, on the form:" in text
    html = squash(rendered.html)
    assert "Why they ask, on the form:</span> Cramps wake me most nights and I cannot work." in html


def test_without_a_date_of_birth_the_checks_age_is_shown_as_such(
    typical: AppointmentRecord, pipeline: Pipeline, clinic: Clinic
) -> None:
    summary = build_summary(replace(typical, check_age=67), None, pipeline.kb, clinic, now=NOW)
    assert summary.age == 67 and summary.date_of_birth is None
    assert "age 67 (as given in the check)" in summary_html(summary)


# ---------------------------------------------------------------- findings and causes


def test_one_state_per_finding_as_the_check_used_it(kb: KnowledgeBase) -> None:
    rows = [
        {"id": "pain", "label": "pain", "state": "absent", "text": "pain"},
        {"id": "pain", "label": "pain", "state": "present", "text": "painful"},
        {"id": "swelling", "label": "swelling", "state": "present", "text": "swollen"},
        {"id": "swelling", "label": "swelling", "state": "absent", "text": None},
    ]
    assert final_states(rows) == {"pain": "present", "swelling": "absent"}
    lines = {line.id: line for line in findings_of(rows, kb)}
    assert lines["pain"].words == ("painful",) and not lines["pain"].answered
    assert lines["swelling"].words == () and lines["swelling"].answered


def test_a_denied_key_finding_reads_said_no(kb: KnowledgeBase) -> None:
    condition = next(c for c in kb.conditions.values() if c.key)
    label = kb.findings[condition.key[0]].label
    rows = [{"id": condition.key[0], "label": label, "state": "absent", "text": "no"}]
    causes = [{"id": condition.id, "name": condition.name, "against": [label]}]
    snapshot = {"findings": rows, "causes": causes}
    (cause,) = causes_of(snapshot, findings_of(rows, kb), kb)
    assert cause.against == (f"said no to “{label}”",)


# ---------------------------------------------------------------- nothing hostile, nothing fetched


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every attempt to resolve a name or open a connection, refused and recorded."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("the network is off in this test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    yield attempts


def test_hostile_text_is_escaped_and_nothing_is_fetched(
    pipeline: Pipeline,
    clinic: Clinic,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    no_network: list[object],
) -> None:
    asked: list[str] = []
    refuse = RefuseAllFetcher.fetch

    def spy(self: RefuseAllFetcher, url: str, headers: object = None) -> None:
        asked.append(url)
        refuse(self, url, headers)

    monkeypatch.setattr(RefuseAllFetcher, "fetch", spy)
    text = f"{HOSTILE} {HOSTILE_IMAGE} {TYPICAL_TEXT}"
    request = replace(
        make_request(pipeline, clinic, text),
        name="Ana <b>Example</b>",
        preferred_times='"><img src="file:///etc/passwd">',
    )
    summary = build_summary(
        request, measured(three_month_diary(), pipeline.kb, clinic), pipeline.kb, clinic, now=NOW
    )

    html = summary_html(summary)
    assert HOSTILE not in html and HOSTILE_IMAGE not in html and "<b>Example" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<script" not in html

    pdf = summary_pdf(summary)
    shown = pdf_text(pdf, tmp_path)
    assert HOSTILE in shown and "Ana <b>Example</b>" in shown
    assert asked == [] and no_network == []


def test_the_renderer_refuses_every_url(no_network: list[object]) -> None:
    html = (
        '<link rel="stylesheet" href="http://example.com/a.css">'
        '<style>@import url("https://example.com/b.css");'
        'p { background: url("file:///etc/passwd"); }</style>'
        '<p>x</p><img src="http://example.com/x"><img src="data:image/png;base64,AAAA">'
    )
    fetcher = RefuseAllFetcher()
    pdf = html_to_pdf(html, fetcher)
    assert pdf.startswith(b"%PDF")
    assert set(fetcher.refused) == {
        "http://example.com/a.css",
        "https://example.com/b.css",
        "file:///etc/passwd",
        "http://example.com/x",
        "data:image/png;base64,AAAA",
    }
    assert no_network == []
