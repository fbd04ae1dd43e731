"""The episode diary: the service (times, patterns, escalation) and its pages (log, list,
month, edit, delete, check, save a check, patterns with charts, appointment from the
diary, downloads), and one person never reaching another's episodes through a page.

Runs on the ``app``/``client`` fixtures of conftest.py (a fresh database of each backend).
"""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI
from fhir.resources.R4B.bundle import Bundle
from sqlalchemy import select
from starlette.testclient import TestClient

from crampcheck.domain import diary_charts
from crampcheck.domain.diary import MIN_DAYS_WITH_AND_WITHOUT, MIN_DIARY_DAYS_FOR_PATTERNS
from crampcheck.knowledge import KnowledgeBase
from crampcheck.services import accounts, diary, diary_print
from crampcheck.services.diary import EpisodeInput
from crampcheck.storage.database import transaction
from crampcheck.storage.tables import AppointmentRequest, Episode, User
from crampcheck.web.pages import diary as diary_pages
from crampcheck.web.pages import diary_times
from tests.services.test_accounts import (
    PASSWORD,
    csrf_of,
    fresh_client,
    page_sign_up,
)
from tests.web.test_web_pages import SELF_CARE_TEXT, check_text, form_to, forms_of, submit

DENVER = ZoneInfo("America/Denver")
NOW = datetime(2025, 1, 30, 12, 0, tzinfo=UTC)


pytestmark = pytest.mark.usefixtures("fast_hashing")


# ---------------------------------------------------------------- helpers


def make_user(app: FastAPI, email: str = "ana@example.com") -> str:
    with transaction(app.state.crampcheck.sessions) as session:
        return accounts.sign_up(session, email, PASSWORD).id


def user_id(app: FastAPI, email: str) -> str:
    with app.state.crampcheck.sessions() as session:
        found = session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return found


def log(app: FastAPI, owner: str, now: datetime | None = None, **fields: Any) -> str:
    """Log one episode with the service; its id."""
    fields.setdefault("started_at", (now or datetime.now(UTC)) - timedelta(hours=1))
    with transaction(app.state.crampcheck.sessions) as session:
        return diary.log_episode(session, owner, EpisodeInput(**fields), now=now).id


def episodes(app: FastAPI, owner: str | None = None) -> list[Episode]:
    with app.state.crampcheck.sessions() as session:
        query = select(Episode).order_by(Episode.started_at)
        if owner is not None:
            query = query.where(Episode.user_id == owner)
        return list(session.scalars(query))


def patterns(app: FastAPI, owner: str, now: datetime = NOW, **kw: Any) -> diary.Patterns:
    """The patterns of the person's cramps (the kind these tests log)."""
    with app.state.crampcheck.sessions() as session:
        kb = app.state.crampcheck.pipeline.kb
        return diary.patterns_of_kind(session, owner, kb, "cramp", now=now, **kw)


def snapshot(episode: Episode) -> dict[str, Any]:
    return {c.name: getattr(episode, c.name) for c in Episode.__table__.columns}


def unhelped_home_care(app: FastAPI, owner: str, days: int = 20, count: int = 6) -> None:
    """A diary whose home care keeps failing: ``count`` episodes over ``days`` days."""
    now = datetime.now(UTC)
    for i in range(count):
        log(
            app,
            owner,
            started_at=now - timedelta(days=days * i / (count - 1), hours=1),
            site="site_calf",
            pain=5,
            duration_minutes=4,
            tried=("stretching", "massage"),
            helped=False,
        )


def post_form(client: TestClient, path: str, data: dict[str, Any]) -> Any:
    """Post ``data`` with the CSRF token of the page at ``path`` (as the browser would)."""
    token = csrf_of(client.get(path).text)
    return client.post(path, data={**data, "csrf_token": token}, follow_redirects=False)


# ---------------------------------------------------------------- the service


def test_times_are_stored_in_utc_whatever_zone_they_come_in(app: FastAPI) -> None:
    owner = make_user(app)
    evening = datetime(2025, 1, 29, 23, 30, tzinfo=DENVER)  # 06:30 UTC on the 30th
    morning = datetime(2025, 1, 30, 5, 0, tzinfo=UTC)
    first = log(app, owner, NOW, started_at=evening)
    second = log(app, owner, NOW, started_at=morning)
    with app.state.crampcheck.sessions() as session:
        newest_first = [e.id for e in diary.list_episodes(session, owner)]
        tokyo = ZoneInfo("Asia/Tokyo")
        between = diary.list_episodes(
            session,
            owner,
            since=datetime(2025, 1, 30, 14, 0, tzinfo=tokyo),  # 05:00 UTC
            until=datetime(2025, 1, 30, 15, 0, tzinfo=tokyo),  # 06:00 UTC
        )
    assert newest_first == [first, second]
    assert [e.id for e in between] == [second]
    stored = {e.id: e.started_at.replace(tzinfo=UTC) for e in episodes(app)}
    assert stored[first] == datetime(2025, 1, 30, 6, 30, tzinfo=UTC)


def test_patterns_with_too_little_diary_say_so(app: FastAPI) -> None:
    owner = make_user(app)
    for days in (1, 3, 5):
        log(app, owner, NOW, started_at=NOW - timedelta(days=days), context=("low_fluid",))
    found = patterns(app, owner)
    assert found.total == 3 and found.diary_days == 5
    assert found.enough_for_factors is False and found.factors == ()
    assert found.trend == "not enough data"
    assert found.escalations == ()


def test_patterns_with_enough_diary_compare_days_with_and_without(app: FastAPI) -> None:
    owner = make_user(app)
    for day in range(1, 21):
        thirsty = day in (2, 5, 8, 11, 14)
        for _ in range(3 if thirsty else 1):
            log(
                app,
                owner,
                NOW,
                started_at=NOW - timedelta(days=day, hours=2),
                context=("low_fluid",) if thirsty else (),
                pain=4,
                duration_minutes=3,
            )
    found = patterns(app, owner)
    assert found.diary_days >= MIN_DIARY_DAYS_FOR_PATTERNS
    assert found.enough_for_factors is True
    (factor,) = found.factors
    name, with_it, without_it, days_with, days_without = factor
    assert (name, with_it, days_with) == ("low_fluid", 3.0, 5)
    assert days_without >= MIN_DAYS_WITH_AND_WITHOUT and without_it < with_it
    assert found.median_pain == 4 and found.median_duration == 3


def test_home_care_that_does_not_help_escalates_with_its_sources(
    app: FastAPI, kb: KnowledgeBase
) -> None:
    owner = make_user(app)
    unhelped_home_care(app, owner, days=20, count=6)
    found = patterns(app, owner, now=datetime.now(UTC))
    assert ("stretching", 6, 0) in found.home_care
    fired = {e.rule_id: e for e in found.escalations}
    assert "diary-home-care-not-helping" in fired
    escalation = fired["diary-home-care-not-helping"]
    assert escalation.level == "doctor" and escalation.reason
    assert escalation.source_ids and all(s in kb.sources for s in escalation.source_ids)


def test_hours_and_days_are_the_persons_own(app: FastAPI) -> None:
    owner = make_user(app)
    log(app, owner, NOW, started_at=datetime(2025, 1, 29, 10, 0, tzinfo=UTC))  # 03:00 in Denver
    assert patterns(app, owner).hours[10] == 1
    assert patterns(app, owner, zone=DENVER).hours[3] == 1


# ---------------------------------------------------------------- logging, listing, editing


def test_logging_an_episode_takes_a_few_taps(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    html = client.get("/diary/new").text
    form = form_to(html, "/diary/new")
    for preset in diary_times.PRESETS:
        assert ("when", preset) in form.checkboxes
    assert ("when", "now") in form.fields, "now is chosen already"
    assert 'type="datetime-local"' in html and "data-time-zone" in html
    for pain in range(11):
        assert ("pain", str(pain)) in form.checkboxes
    before = datetime.now(DENVER)
    response = submit(
        client,
        form,
        change={
            "when": "last_night",
            "tz": "America/Denver",
            "site": "site_calf",
            "side": "left",
            "pain": "6",
            "duration": "150",
            "duration_unit": "seconds",
            "tried": ["stretching", "massage"],
            "helped": "yes",
            "context": ["low_fluid", "hot_environment"],
        },
    )
    assert response.status_code == 303
    (episode,) = episodes(app)
    assert response.headers["location"] == f"/diary?done=saved&episode={episode.id}"
    started = episode.started_at.replace(tzinfo=UTC).astimezone(DENVER)
    assert started <= before and started.hour in (3, 23)
    assert episode.at_night is True and episode.site == "site_calf" and episode.side == "left"
    assert episode.pain == 6 and episode.duration_minutes == 2.5
    assert episode.tried == ["stretching", "massage"] and episode.helped is True
    assert episode.context == ["low_fluid", "hot_environment"]
    listing = client.get(response.headers["location"]).text
    # "Last night" is a guess: the diary says which time it stored, in US style.
    clock = f"{started.hour % 12 or 12}:00 {'AM' if started.hour < 12 else 'PM'}"
    shown = f"{started:%a}, {started:%b} {started.day}, {started.year}, {clock}"
    assert f"The episode was saved for {shown} {started:%Z}." in listing
    assert f'href="/diary/{episode.id}/edit">Not the right time? Change it' in listing
    assert shown in listing, "shown in the person's time zone"
    assert "Times are in America/Denver." in listing
    assert "6 out of 10" in listing and "2 minutes 30 seconds" in listing
    assert "Last night (3:00 AM)" in client.get("/diary/new").text


@pytest.mark.parametrize("pain", ["\u00b2", "\u0663", "-1", "6.5"])
def test_a_pain_score_that_is_not_plain_digits_is_refused_not_a_crash(
    client: TestClient, pain: str
) -> None:
    page_sign_up(client, "ana@example.com")
    form = form_to(client.get("/diary/new").text, "/diary/new")
    response = submit(client, form, change={"pain": pain})
    assert response.status_code == 422
    assert "Please choose the pain from 0" in response.text


def test_episode_form_problems_are_shown_beside_each_field(
    client: TestClient, app: FastAPI
) -> None:
    page_sign_up(client, "ana@example.com")
    form = form_to(client.get("/diary/new").text, "/diary/new")
    response = submit(
        client,
        form,
        change={
            "at": "last tuesday",
            "site": "site_moon",
            "duration": "ten",
            "pain": "11",
            "tried": ["prayer"],
            "notes": "it was <b>bad</b>",
        },
    )
    assert response.status_code == 422
    page = response.text
    for message in (
        "Please give the date and time like",
        "Please choose one of the options shown.",
        "Please give the minutes as a number",
        "Please choose the pain from 0",
        "Please choose from the options shown.",
    ):
        assert message in page, message
    for field in ("at", "site", "duration", "pain", "tried"):
        assert f'id="{field}-error"' in page and f'href="#{field}"' in page
    assert 'value="last tuesday"' in page and 'value="ten"' in page
    assert "it was &lt;b&gt;bad&lt;/b&gt;</textarea>" in page
    assert 'name="context"' in page
    assert episodes(app) == []

    future = datetime.now(UTC) + timedelta(days=2)
    response = submit(client, form, change={"at": future.strftime("%Y-%m-%dT%H:%M")})
    assert response.status_code == 422
    assert "cannot be in the future" in response.text
    assert 'id="at-error"' in response.text
    assert episodes(app) == []


@pytest.mark.parametrize(
    ("amount", "unit", "stored", "shown"),
    [("30", "seconds", 0.5, "30 seconds"), ("1", "minutes", 1.0, "1 minute")],
)
def test_a_duration_is_given_and_shown_in_seconds_or_minutes(
    client: TestClient, app: FastAPI, amount: str, unit: str, stored: float, shown: str
) -> None:
    """Issue 14: a 30-second cramp was "0.5 minutes", one minute "1 minutes"."""
    page_sign_up(client, "ana@example.com")
    form = form_to(client.get("/diary/new").text, "/diary/new")
    assert ("duration_unit", "seconds") in form.checkboxes
    response = submit(client, form, change={"duration": amount, "duration_unit": unit})
    assert response.status_code == 303
    (episode,) = episodes(app)
    assert episode.duration_minutes == stored
    listing = client.get("/diary").text
    assert f"<dd>{shown}</dd>" in listing and "0.5" not in listing
    edit = form_to(client.get(f"/diary/{episode.id}/edit").text, f"/diary/{episode.id}/edit")
    assert ("duration", amount) in edit.fields and ("duration_unit", unit) in edit.fields


def test_editing_and_deleting_an_episode(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    check = {"urgency": "self_care", "kind": "cramp"}
    episode_id = log(app, owner, site="site_foot", pain=3, feel="cramp", check=check)
    html = client.get(f"/diary/{episode_id}/edit").text
    form = form_to(html, f"/diary/{episode_id}/edit")
    assert ("site", "site_foot") in form.fields and ("pain", "3") in form.fields
    assert any(n == "at" and v for n, v in form.fields)
    response = submit(client, form, change={"pain": "2", "tried": "heat", "helped": "no"})
    assert response.status_code == 303
    (episode,) = episodes(app)
    assert (episode.pain, episode.tried, episode.helped) == (2, ["heat"], False)
    assert episode.check == check, "a saved check stays with the episode"

    confirm = client.get(f"/diary/{episode_id}/delete").text
    assert "Delete this episode?" in confirm
    response = submit(client, form_to(confirm, f"/diary/{episode_id}/delete"))
    assert response.status_code == 303 and response.headers["location"] == "/diary?done=deleted"
    assert episodes(app) == []
    assert client.get(f"/diary/{episode_id}/edit").status_code == 404


def test_the_list_is_newest_first_and_paged(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    for i in range(25):
        log(
            app,
            owner,
            started_at=now - timedelta(days=i, hours=1),
            site="site_foot" if i % 5 == 0 else "site_calf",
        )
    first = client.get("/diary").text
    assert first.count('class="episode"') == diary_pages.PAGE_SIZE
    times = re.findall(r'<h2 class="episode-title">(\d{4}-\d\d-\d\d \d\d:\d\d)', first)
    assert times == sorted(times, reverse=True)
    assert 'href="/diary?page=2">Older episodes' in first
    second = client.get("/diary?page=2").text
    assert second.count('class="episode"') == 5
    assert 'href="/diary?page=1">Newer episodes' in second
    feet = client.get("/diary?site=site_foot").text
    assert feet.count('class="episode"') == 5 and "Only: Foot or toes." in feet
    day = (now - timedelta(days=3, hours=1)).date().isoformat()
    one_day = client.get(f"/diary?day={day}").text
    assert one_day.count('class="episode"') == 1


def test_the_month_shows_how_many_episodes_each_day(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    for when in (
        datetime(2024, 5, 6, 8, tzinfo=UTC),
        datetime(2024, 5, 6, 20, tzinfo=UTC),
        datetime(2024, 5, 20, 9, tzinfo=UTC),
        datetime(2024, 6, 1, 9, tzinfo=UTC),
    ):
        log(app, owner, started_at=when)
    html = client.get("/diary/month?month=2024-05").text
    assert "May 2024" in html and "3 episodes this month." in html
    assert '<a href="/diary?day=2024-05-06">' in html and "2 episodes" in html
    assert '<a href="/diary?day=2024-05-20">' in html and "1 episode<" in html
    assert (
        'href="/diary/month?month=2024-04"' in html and 'href="/diary/month?month=2024-06"' in html
    )
    assert "<table" in html and '<th scope="col"><abbr title="Monday">Mon</abbr></th>' in html
    assert client.get("/diary/month?month=2024-13").status_code == 404


# ---------------------------------------------------------------- checks and the diary


def test_a_check_can_be_saved_to_the_diary(client: TestClient, app: FastAPI) -> None:
    result, _steps = check_text(client, SELF_CARE_TEXT)
    assert "/diary/save-check" not in result, "no save button when signed out"
    page_sign_up(client, "ana@example.com")
    result, _steps = check_text(client, SELF_CARE_TEXT)
    form = form_to(result, "/diary/save-check")
    response = submit(client, form)
    assert response.status_code == 303
    episode_id = response.headers["location"].split("/")[2]
    assert response.headers["location"] == f"/diary/{episode_id}/edit?done=check"
    (episode,) = episodes(app)
    assert episode.id == episode_id
    assert episode.site == "site_calf" and episode.feel == "cramp" and episode.at_night
    assert episode.check is not None
    assert episode.check["urgency"] == "self_care"
    assert episode.check["description"] == SELF_CARE_TEXT
    assert any(f["id"] == "site_calf" for f in episode.check["findings"])
    assert "Your check was saved to your diary." in client.get(response.headers["location"]).text
    bad = client.post("/diary/save-check", data={"state": "{}", "csrf_token": "0" * 64})
    assert bad.status_code == 400
    assert len(episodes(app)) == 1


def test_an_episode_can_be_checked(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    episode_id = log(
        app,
        owner,
        site="site_calf",
        side="left",
        feel="cramp",
        pain=8,
        duration_minutes=5,
        activity="exercise",
        context=("hot_environment",),
        tried=("stretching",),
        helped=False,
    )
    html = client.get(f"/diary/{episode_id}/check").text
    assert 'id="result-heading"' in html
    state = json.loads(next(v for f in forms_of(html) for n, v in f.fields if n == "state"))
    findings = state["findings"]
    for finding in (
        "site_calf",
        "side_left",
        "sustained_contraction",
        "pain_severe",
        "exertion",
        "hot_environment",
        "stretching_tried",
        "cramp_not_easing",
    ):
        assert findings[finding] == "present", finding
    assert state["values"] == {"episode_minutes": 5.0, "pain_score": 8.0}
    assert 'href="/diary">Back to my diary' in html
    assert "/diary/save-check" not in html, "a checked episode is not saved twice"
    twitch = log(app, owner, feel="twitch", site="site_eyelid", pain=0)
    state = json.loads(
        next(
            v
            for f in forms_of(client.get(f"/diary/{twitch}/check").text)
            for n, v in f.fields
            if n == "state"
        )
    )
    assert state["findings"]["twitching"] == "present"
    assert state["findings"]["pain"] == "absent"


# ---------------------------------------------------------------- patterns, charts, appointment


def test_patterns_without_enough_diary_say_so(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    empty = client.get("/diary/patterns").text
    assert "There are no episodes in your diary yet." in empty
    owner = user_id(app, "ana@example.com")
    log(app, owner, site="site_calf", pain=3, duration_minutes=2)
    log(app, owner, started_at=datetime.now(UTC) - timedelta(days=2), site="site_foot")
    html = client.get("/diary/patterns").text
    assert "Not enough diary yet to compare days." in html
    assert "Your diary covers 2 days" in html
    assert "can be said once your diary covers 56 days" in html
    assert "more than before" not in html
    assert "Time to see a doctor" not in html and "/appointment/new" not in html
    assert "Calf: 1 episode" in html and "Foot or toes: 1 episode" in html
    assert "Half of them lasted 2 minutes or less (from 1 episode with a length)" in html
    assert "not a diagnosis" in html


def test_patterns_show_factors_with_their_counts(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    for day in range(1, 21):
        poor_sleep = day in (3, 6, 9, 12)
        for _ in range(2 if poor_sleep else 1):
            log(
                app,
                owner,
                started_at=now - timedelta(days=day),
                context=("poor_sleep",) if poor_sleep else (),
            )
    html = client.get("/diary/patterns").text
    assert "Poor sleep:</strong> on the 4 days with it, 2 episodes a day" in html
    assert "More episodes go with it." in html
    assert "it does not prove that one causes the other" in html


def test_an_escalation_says_see_a_doctor_and_leads_to_an_appointment(
    client: TestClient, app: FastAPI, kb: KnowledgeBase
) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    unhelped_home_care(app, owner, days=20, count=6)
    html = client.get("/diary/patterns").text
    assert "Time to see a doctor" in html
    rule = next(r for r in kb.diary_rules if r.id == "diary-home-care-not-helping")
    assert rule.spec.reason in html
    for source_id in rule.spec.sources:
        source = kb.sources[source_id]
        assert source.title in html.replace("&#39;", "'")
        if source.url:
            assert f'href="{source.url}"' in html
    assert "Stretching: tried 6 times, followed by relief 0 times." in html
    summary = re.search(r"<p>(Summary of my crampcheck diary:[^<]*)</p>", html)
    assert summary and "6 episodes" in summary.group(1)

    response = submit(client, form_to(html, "/appointment/new"))
    assert response.status_code == 200, response.text
    assert 'name="csrf_token"' in response.text
    response = submit(
        client,
        form_to(response.text, "/appointment"),
        change={"name": "Ana Pérez", "email": "ana@example.com", "consent_to_share": "yes"},
    )
    assert response.status_code == 303
    with app.state.crampcheck.sessions() as session:
        (stored,) = session.scalars(select(AppointmentRequest))
    assert stored.snapshot["description"].startswith("Summary of my crampcheck diary:")
    assert "Stretching: tried 6 times" in stored.snapshot["description"]
    found = {f["id"]: f for f in stored.snapshot["findings"]}
    assert found["home_care_tries"]["value"] == 6
    assert found["home_care_failed"]["state"] == "present"
    assert found["at_night"]["state"] == "absent", "what the diary measured wins over words"
    assert "night-cramp" not in {r["rule_id"] for r in stored.snapshot["reasons"]}
    assert stored.urgency == "doctor"


def test_charts_are_images_with_the_numbers_beside_them(client: TestClient, app: FastAPI) -> None:
    assert client.get("/diary/charts/weekly.svg").status_code == 401
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    log(app, owner, pain=6, started_at=datetime.now(UTC) - timedelta(days=3))
    html = client.get("/diary/patterns").text
    for name in diary_charts.CHARTS:
        image = re.search(rf'<img src="/diary/charts/{name}\.svg\?kind=cramp" alt="([^"]+)"', html)
        assert image and len(image.group(1)) > 30, name
        response = client.get(f"/diary/charts/{name}.svg?kind=cramp")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        assert response.headers["cache-control"] == "private, no-store"
        svg = response.text
        assert svg.startswith("<svg") and "<title" in svg and "<desc" in svg
        assert "<script" not in svg and "style=" not in svg and " on" not in svg.replace(" one", "")
    assert html.count('<table class="data">') == 3
    assert '<th scope="row">11 PM</th>' in html, "hours as a US clinic writes them"
    assert client.get("/diary/charts/other.svg").status_code == 404
    assert client.get("/diary/charts/weekly.svg?kind=sneeze").status_code == 404


def test_patterns_are_measured_per_kind(client: TestClient, app: FastAPI) -> None:
    """Issue 14: eyelid twitches were counted with calf cramps (their frequency and
    the diary's rules); each kind is measured apart."""
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    for day in range(1, 15):
        log(app, owner, feel="twitch", site="site_eyelid", started_at=now - timedelta(days=day))
    log(app, owner, feel="cramp", site="site_calf", started_at=now - timedelta(days=2))
    html = client.get("/diary/patterns").text
    assert '<h2 id="twitch-heading">Twitching</h2>' in html
    assert '<h2 id="cramp-heading">Cramps</h2>' in html
    assert html.index("twitch-heading") < html.index("cramp-heading"), "most episodes first"
    cramps = html[html.index("cramp-heading") :]
    assert "Calf: 1 episode" in cramps and "Eyelid" not in cramps
    assert "1 episode over 2 days." in cramps
    assert 'src="/diary/charts/weekly.svg?kind=twitch"' in html
    assert client.get("/diary/charts/weekly.svg?kind=twitch").status_code == 200
    # The frequent twitching fires its own rule, said as the twitching's.
    assert "<strong>Twitching:</strong>" in html and "<strong>Cramps:</strong>" not in html


def test_a_young_diary_never_says_more_than_before(client: TestClient, app: FastAPI) -> None:
    """Issue 14: a 7-day-old diary said "more than before" (the weeks before it was
    started counted as weeks without episodes)."""
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    for day in range(7):
        log(app, owner, started_at=now - timedelta(days=day, hours=1))
    html = client.get("/diary/patterns").text
    assert "That is more than before." not in html
    assert "can be said once your diary covers 56 days" in html and "it covers 6 days." in html


def test_a_diary_summary_to_print_for_a_doctor(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    now = datetime.now(UTC)
    log(
        app,
        owner,
        site="site_calf",
        pain=6,
        duration_minutes=0.5,
        started_at=now - timedelta(days=3),
    )
    log(app, owner, feel="twitch", site="site_eyelid", started_at=now - timedelta(days=200))
    assert 'href="/diary/summary"' in client.get("/diary/patterns").text
    html = client.get("/diary/summary").text
    assert "My crampcheck diary, for my doctor" in html and "ana@example.com" in html
    assert "Cramps" in html and "Twitching" in html
    table = html[html.index('class="data diary-table"') :]
    assert "30 seconds" in table and "6/10" in table
    assert "Eyelid" not in table, "only the last 12 weeks are listed"
    assert "data-print" in html and "/static/print.js" in html
    assert '<link rel="stylesheet" href="/static/diary_print.css">' in html
    css = client.get("/static/diary_print.css").text
    assert "@page { size: letter" in css


# ---------------------------------------------------------------- downloads


def test_downloads_hold_every_episode(client: TestClient, app: FastAPI) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    ids = [
        log(app, owner, site="site_calf", pain=7, duration_minutes=3, notes="=SUM(A1)"),
        log(
            app,
            owner,
            feel="twitch",
            site="site_eyelid",
            started_at=datetime(2024, 1, 2, tzinfo=UTC),
        ),
        log(app, owner, feel="other", tried=("nsaid", "heat"), helped=True),
    ]
    data = client.get("/account/export/json")
    assert data.status_code == 200
    assert "attachment" in data.headers["content-disposition"]
    body = data.json()
    assert body["account"]["email"] == "ana@example.com"
    assert sorted(e["id"] for e in body["episodes"]) == sorted(ids)

    # Issue 14: the CSV is for people: labels, not codes; local time, its zone named.
    client.cookies.set("crampcheck_tz", "America/Denver")
    text = client.get("/account/export/csv").text
    table = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["Episode id"] for r in table) == sorted(ids)
    calf = next(r for r in table if r["Pain (0 to 10)"] == "7")
    assert calf["Note"] == "'=SUM(A1)" and calf["Where"] == "Calf" and calf["Kind"] == "Cramp"
    assert calf["Lasted"] == "3 minutes" and calf["Lasted (seconds)"] == "180"
    helped = next(r for r in table if r["Helped"] == "Yes")
    assert (
        helped["Tried"].startswith("An anti-inflammatory painkiller")
        and "; Heat" in helped["Tried"]
    )
    eyelid = next(r for r in table if r["Where"] == "Eyelid")
    # 2024-01-02 00:00 UTC is the evening before in Utah.
    assert (eyelid["Date"], eyelid["Time"]) == ("1/1/2024", "5:00 PM")
    assert eyelid["Time zone"] == "America/Denver (MST)" and eyelid["Kind"] == "Twitching"
    assert "site_" not in text and "True" not in text and "False" not in text

    fhir = client.get("/account/export/fhir")
    assert fhir.headers["content-type"].startswith("application/fhir+json")
    bundle = Bundle.model_validate(fhir.json())
    observations = [
        e.resource for e in bundle.entry if e.resource.__resource_type__ == "Observation"
    ]
    assert sorted(o.id for o in observations) == sorted(ids)
    codes = {o.id: o.code.coding[0].code for o in observations}
    assert codes[ids[0]] == "R25.2" and codes[ids[1]] == "R25.3" and codes[ids[2]] == "R25.2"
    assert all(o.code.coding[0].system == "http://hl7.org/fhir/sid/icd-10-cm" for o in observations)


# ---------------------------------------------------------------- one person, one diary


def test_another_account_cannot_reach_an_episode_through_any_page(
    client: TestClient, app: FastAPI
) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    episode_id = log(app, owner, site="site_calf", pain=4, notes="ana's private note")
    (before,) = [snapshot(e) for e in episodes(app)]
    with fresh_client(app) as other:
        page_sign_up(other, "ben@example.com")
        token = csrf_of(other.get("/diary/new").text)
        for path in ("edit", "check", "delete"):
            response = other.get(f"/diary/{episode_id}/{path}")
            assert response.status_code == 404, path
            assert "private note" not in response.text
        for path, data in (
            ("edit", {"when": "now", "pain": "9", "notes": "changed"}),
            ("delete", {}),
        ):
            response = other.post(f"/diary/{episode_id}/{path}", data={**data, "csrf_token": token})
            assert response.status_code == 404, path
        for page in ("/diary", "/diary/month", "/diary/patterns", "/account/export/json"):
            response = other.get(page)
            assert episode_id not in response.text and "private note" not in response.text
        assert "There are no episodes in your diary yet." in other.get("/diary/patterns").text
        assert "0 episodes this month." in other.get("/diary/month").text
    assert [snapshot(e) for e in episodes(app)] == [before]
    # and the owner still reaches it
    assert client.get(f"/diary/{episode_id}/edit").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/diary",
        "/diary/new",
        "/diary/month",
        "/diary/patterns",
        "/diary/00000000-0000-0000-0000-000000000000/edit",
        "/diary/00000000-0000-0000-0000-000000000000/check",
    ],
)
def test_diary_pages_need_a_session(client: TestClient, path: str) -> None:
    response = client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/account/signin?next=")


def test_diary_pages_carry_no_inline_code_or_other_hosts(
    client: TestClient, app: FastAPI, kb: KnowledgeBase
) -> None:
    page_sign_up(client, "ana@example.com")
    owner = user_id(app, "ana@example.com")
    unhelped_home_care(app, owner)
    episode_id = episodes(app)[0].id
    allowed = {s.url.replace("&", "&amp;") for s in kb.sources.values() if s.url}
    pages = [
        "/diary",
        "/diary/new",
        "/diary/month",
        "/diary/patterns",
        f"/diary/{episode_id}/edit",
        f"/diary/{episode_id}/delete",
        f"/diary/{episode_id}/check",
        "/account",
        "/account/password",
        "/account/delete",
        "/account/timezone",
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert html.count("<h1") == 1, path
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and not re.search(r"\sstyle=", html), path
        assert not re.search(r"\son[a-z]+=", html), path
        for url in re.findall(r"https?://[^\s\"'<>]+", html):
            assert url in allowed, f"{path}: {url}"
    js = client.get("/static/tz.js")
    assert js.status_code == 200 and "Intl.DateTimeFormat" in js.text


@pytest.mark.parametrize(
    ("data", "files", "content_type"),
    [
        (None, {"when": ("a.txt", b"now", "text/plain")}, None),
        (b"--x\r\nnonsense", None, "multipart/form-data; boundary=x"),
        (b"when=%ff%fe", None, "application/x-www-form-urlencoded"),
        (b"{}", None, "application/json"),
    ],
)
def test_malformed_form_bodies_never_cause_a_server_error(
    client: TestClient, app: FastAPI, data: Any, files: Any, content_type: str | None
) -> None:
    page_sign_up(client, "ana@example.com")
    episode_id = log(app, user_id(app, "ana@example.com"))
    headers = {"content-type": content_type} if content_type else {}
    for path in (
        "/account/signup",
        "/account/signin",
        "/account/signout",
        "/account/password",
        "/account/delete",
        "/account/timezone",
        "/diary/new",
        f"/diary/{episode_id}/edit",
        f"/diary/{episode_id}/delete",
        "/diary/save-check",
    ):
        response = client.post(path, content=data, files=files, headers=headers)
        assert response.status_code < 500, path
        assert response.headers["content-type"].startswith("text/html"), path
    assert len(episodes(app)) == 1
    assert client.get("/diary").status_code == 200, "still signed in"


def test_the_summary_for_a_doctor_lists_few_episodes_and_sums_up_many(app: FastAPI) -> None:
    """The printable summary keeps to one page: up to 12 episodes of the last 8 weeks
    are listed; more are summed up week by week (each kind counted apart), and an
    episode from before those weeks is in neither."""
    now = datetime.now(UTC)
    owner = make_user(app)
    log(app, owner, now, started_at=now - timedelta(weeks=9))
    for day in (3, 10, 17):
        log(app, owner, now, started_at=now - timedelta(days=day), pain=4)
    with app.state.crampcheck.sessions() as session:
        few = diary_print.printed_episodes(session, owner, now, DENVER)
    assert few.total == 3 and len(few.listed) == 3 and few.weeks == ()
    assert [e.started_at for e in few.listed] == sorted(e.started_at for e in few.listed)

    for index in range(27):
        feel = "twitch" if index % 3 == 0 else "cramp"
        started = now - timedelta(days=1 + index * 2, hours=1)
        log(app, owner, now, started_at=started, feel=feel, pain=index % 10, at_night=True)
    with app.state.crampcheck.sessions() as session:
        many = diary_print.printed_episodes(session, owner, now, DENVER)
    assert many.total == 30 and many.listed == ()
    assert len(many.weeks) == diary_print.PRINTED_WEEKS
    assert sum(w.episodes for w in many.weeks) == 30
    assert sum(n for w in many.weeks for k, n in w.kinds if k == "twitch") == 9
    assert all(w.episodes == sum(n for _, n in w.kinds) for w in many.weeks)
    assert max(w.worst_pain or 0 for w in many.weeks) == 9
    starts = [w.start for w in many.weeks]
    assert (
        starts == sorted(starts)
        and starts[-1] == (now - timedelta(weeks=1)).astimezone(DENVER).date()
    )
