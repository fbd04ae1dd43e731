"""What the staff inbox and request pages show: the words for statuses, urgencies and
kinds, the inbox's filter and rows, one request's contact details and history, and the
shared diary.

Everything here is read for one clinic: the signed-in member's. The assessment is shown
from the request's snapshot (:mod:`.staff_snapshot`), the diary only while the person
shares it with this clinic, and every read or change is written to the audit trail in
the route's own transaction (:func:`crampcheck.web.staff_shared.audit`).

Times are shown in the clinic's time zone (``time_zone`` in its clinic file, UTC when
it names none) with the zone's abbreviation, written as the clinic's ``locale`` writes
them (:meth:`crampcheck.clinic.Clinic.local_format`, as the one-page summary does),
and the pages say which zone it is; the shared diary's hours of the day are the
clinic's too (the person's own zone is not known to the clinic). The
``<time datetime>`` attributes stay in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain import diary_charts, diary_labels
from crampcheck.domain.birth import age_on
from crampcheck.domain.local_format import duration_text
from crampcheck.domain.times import aware as _aware
from crampcheck.domain.types import Urgency
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.duplicates import SAME_EMAIL, Duplicate
from crampcheck.services.inbox import InboxFilter, Status
from crampcheck.services.vocabulary import Vocabulary, packaged_vocabulary
from crampcheck.storage.tables import AppointmentRequest, RequestStatusChange
from crampcheck.web.i18n import _, ngettext
from crampcheck.web.pages.render import tel_link
from crampcheck.web.staff_shared import is_open, is_urgent, location_label, shared_patterns

CHARTS = diary_charts.CHARTS
"""The diary charts a clinician can open (the patient's own patterns page's)."""
FILTER_FIELDS = ("status", "location", "urgency")


# ---------------------------------------------------------------- words


def urgency_labels(kb: KnowledgeBase) -> dict[str, str]:
    """Each urgency as the inbox names it: what it means for the clinic, in words from
    the knowledge base's policy (the urgent one is a badge that never depends on colour)."""
    return {level.value: kb.policy.level_label(level.value) for level in Urgency}


FILTER_LEVELS = (Urgency.URGENT, Urgency.DOCTOR, Urgency.SELF_CARE, Urgency.EMERGENCY)
"""The urgency filter's levels, in its order (those the clinic acts on first)."""


def urgency_filter_labels(words: Vocabulary | None = None) -> dict[str, str]:
    """Short names of the urgency levels, for the filter (the knowledge base's
    ``level_names``)."""
    names = (words or packaged_vocabulary()).level_names
    return {level.value: names[level] for level in FILTER_LEVELS}


def status_labels() -> dict[str, str]:
    """Each workflow status in words."""
    return {
        Status.NEW.value: _("New"),
        Status.CONTACTED.value: _("Contacted"),
        Status.BOOKED.value: _("Booked"),
        Status.CLOSED.value: _("Closed"),
        Status.DECLINED.value: _("Declined"),
    }


def status_filter_choices() -> list[tuple[str, str]]:
    """(value, label) of the status filter: open, all, then each status."""
    return [
        ("open", _("Open (new, contacted, booked)")),
        ("all", _("All")),
        *status_labels().items(),
    ]


def kind_labels(words: Vocabulary | None = None) -> dict[str, str]:
    """What the check took the episode to be, in its own words, briefly (the knowledge
    base's ``kind_words``)."""
    kinds = (words or packaged_vocabulary()).kind_words
    return {kind.value: w.label for kind, w in kinds.items()}


def age_view(request: AppointmentRequest, clinic: Clinic, now: datetime) -> tuple[str, str]:
    """The person's age as staff read it, and where it comes from: their date of birth
    (today, in the clinic's zone; written as the clinic's locale writes dates), else the
    age given in the check ("", "" when neither was given)."""
    if request.date_of_birth is not None:
        age = age_on(request.date_of_birth, _aware(now).astimezone(clinic.zone).date())
        born = birth_date(request, clinic)
        return str(age), _("from the date of birth, %(date)s") % {"date": born}
    if request.check_age is not None:
        return str(request.check_age), _("as given in the check")
    return "", ""


def duplicate_views(duplicates: Iterable[Duplicate], clinic: Clinic) -> list[dict[str, str]]:
    """Other requests that look like the same person's, as the pages link them."""
    labels = status_labels()
    return [
        {
            "id": found.id,
            "reference": found.id[:8].upper(),
            "received": show_time(found.created_at, clinic),
            "status": labels.get(found.status, found.status),
            "why": _("same email address")
            if found.why == SAME_EMAIL
            else _("same name and date of birth"),
        }
        for found in duplicates
    ]


def location_where(clinic: Clinic, location_id: str | None) -> str:
    """A preferred location with its address or city, for the request page."""
    location = clinic.location(location_id) if location_id else None
    if location is None:
        return location_label(clinic, location_id)
    place = (
        (location.city, location.region) if location.city != location.name else (location.region,)
    )
    where = location.address or ", ".join(p for p in place if p)
    return f"{location.name} ({where})" if where and where != location.name else location.name


def show_time(moment: datetime | None, clinic: Clinic) -> str:
    """A stored time in the clinic's zone and locale, as staff read it (the one-page
    summary's way): "Wed, Nov 25, 2026, 10:40 AM MST" for a US clinic."""
    if moment is None:
        return ""
    return clinic.local_format().moment_with_zone(_aware(moment))


def birth_date(request: AppointmentRequest, clinic: Clinic) -> str:
    """The date of birth in figures, as the clinic's locale writes them ("2/11/1958" in
    the US, "11/02/1958" in the UK), the summary's way; "" when none was given."""
    if request.date_of_birth is None:
        return ""
    return clinic.local_format().numeric_day(request.date_of_birth)


def iso_time(moment: datetime | None) -> str:
    """A stored time for a ``<time datetime>`` attribute (UTC, machine-readable)."""
    return "" if moment is None else _aware(moment).astimezone(UTC).isoformat()


def waiting_text(since: datetime, now: datetime) -> str:
    """How long something has waited, in the largest whole unit (minutes, hours, days)."""
    waited = max(now - _aware(since), timedelta(0))
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}
    days = hours // 24
    return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}


def mailto(address: str) -> str:
    """A ``mailto:`` link target for an email address."""
    return "mailto:" + quote(address, safe="@.+-_")


# ---------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class FilterInput:
    """The inbox's filter as it came in (query parameters), before it is checked."""

    status: str | None = None
    location: str | None = None
    urgency: str | None = None
    cursor: str | None = None


@dataclass(frozen=True)
class ParsedFilter:
    """The checked filter, the page link (None: the first page), and a message for each
    value that is not known. The page link itself is checked by the inbox service."""

    where: InboxFilter
    cursor: str | None
    errors: dict[str, str]


def parse_filter(given: FilterInput, clinic: Clinic) -> ParsedFilter:
    """Check the inbox's filter against the workflow, the urgency levels and the
    clinic's own locations; an empty value means "any" (status: open)."""
    errors: dict[str, str] = {}
    status = (given.status or "open").strip()
    if status not in {value for value, _label in status_filter_choices()}:
        errors["status"] = _("Please choose a status from the list.")
        status = "open"
    location = (given.location or "").strip() or None
    if location is not None and clinic.location(location) is None:
        errors["location"] = _("Please choose one of the clinic's locations.")
        location = None
    urgency = (given.urgency or "").strip() or None
    if urgency is not None and urgency not in set(Urgency):
        errors["urgency"] = _("Please choose an urgency from the list.")
        urgency = None
    cursor = (given.cursor or "").strip() or None
    return ParsedFilter(InboxFilter(status, location, urgency), cursor, errors)


def filter_detail(where: InboxFilter, start: int) -> str:
    """The filter in the audit trail's words (what the inbox view showed: ``from`` is
    the position of the page's first request, 1 on the first page)."""
    return (
        f"status={where.status} location={where.location or 'any'} "
        f"urgency={where.urgency or 'any'} from={start + 1}"
    )


def filter_query(where: InboxFilter, cursor: str | None = None) -> str:
    """The query string of a filter (and page link), for links that keep it."""
    params = {"status": where.status}
    if where.location:
        params["location"] = where.location
    if where.urgency:
        params["urgency"] = where.urgency
    if cursor is not None:
        params["cursor"] = cursor
    return urlencode(params)


@dataclass(frozen=True)
class InboxRow:
    """One request as a row of the inbox."""

    id: str
    name: str
    urgency: str
    urgency_label: str
    urgent: bool
    waiting: str
    waiting_open: bool
    received: str
    received_iso: str
    kind_label: str
    location: str
    status: str
    status_label: str
    age: str = ""
    age_source: str = ""
    age_from_check: bool = False
    duplicates: tuple[dict[str, str], ...] = ()


def inbox_row(
    request: AppointmentRequest,
    clinic: Clinic,
    now: datetime,
    kb: KnowledgeBase,
    duplicates: Iterable[Duplicate] = (),
) -> InboxRow:
    """A request as the inbox lists it; a request no longer open shows how long it
    waited until its last move."""
    still_open = is_open(request)
    until = now if still_open else _aware(request.status_changed_at or now)
    age, age_source = age_view(request, clinic, now)
    return InboxRow(
        id=request.id,
        name=request.name,
        urgency=request.urgency,
        urgency_label=urgency_labels(kb).get(request.urgency, request.urgency),
        urgent=is_urgent(request),
        waiting=waiting_text(request.created_at, until),
        waiting_open=still_open,
        received=show_time(request.created_at, clinic),
        received_iso=iso_time(request.created_at),
        kind_label=kind_labels(Vocabulary.of(kb)).get(request.kind, request.kind),
        location=location_label(clinic, request.preferred_location),
        status=request.status,
        status_label=status_labels().get(request.status, request.status),
        age=age,
        age_source=age_source,
        age_from_check=request.date_of_birth is None and request.check_age is not None,
        duplicates=tuple(duplicate_views(duplicates, clinic)),
    )


# ---------------------------------------------------------------- one request


def history_rows(changes: Iterable[RequestStatusChange], clinic: Clinic) -> list[dict[str, str]]:
    """The request's status changes as the page lists them: who, when (in the clinic's
    zone and locale), what, why."""
    labels = status_labels()
    return [
        {
            "at": show_time(change.at, clinic),
            "at_iso": iso_time(change.at),
            "who": change.staff_name,
            "from": labels.get(change.from_status, change.from_status),
            "to": labels.get(change.to_status, change.to_status),
            "reason": change.reason or "",
        }
        for change in changes
    ]


def contact_view(request: AppointmentRequest, clinic: Clinic) -> dict[str, Any]:
    """Who asked and how to reach them: links a phone or a mail program can open."""
    return {
        "name": request.name,
        "phone": request.phone or "",
        "phone_link": tel_link(request.phone) if request.phone else "",
        "email": request.email or "",
        "email_link": mailto(request.email) if request.email else "",
        "location": location_where(clinic, request.preferred_location),
        "times": request.preferred_times or "",
        "received": show_time(request.created_at, clinic),
        "received_iso": iso_time(request.created_at),
        "consent": request.consent_to_share,
        "date_of_birth": birth_date(request, clinic),
        "age": age_view(request, clinic, datetime.now(UTC)),
        "reason": request.reason or "",
    }


# ---------------------------------------------------------------- the shared diary


def diary_view(
    db: Session, user_id: str, kb: KnowledgeBase, now: datetime, zone: tzinfo
) -> dict[str, Any]:
    """Everything ``staff_request_diary.html`` shows of a shared diary: each kind of
    episode apart (twitching is not counted with cramps), as the person's own patterns
    page measures it, with hours of the day in ``zone`` (the clinic's)."""
    headings = diary_labels.kind_headings()
    kinds = []
    for measured in shared_patterns(db, user_id, kb, now, zone):
        found = measured.patterns
        view = diary_charts.patterns_view(found, now, zone, diary_labels.one_decimal)
        kinds.append(
            {
                **view,
                "kind": measured.kind,
                "heading": headings.get(measured.kind, measured.kind),
                "trend": diary_labels.trend_words(found),
                "home_care_lines": [
                    diary_labels.home_care_sentence(*care) for care in view["home_care"]
                ],
                "median_duration": (
                    None if found.median_duration is None else duration_text(found.median_duration)
                ),
            }
        )
    several = len(kinds) > 1
    return {
        "kinds": kinds,
        "several": several,
        "escalations": [
            {"kind": k["heading"] if several else "", "reason": e.reason}
            for k in kinds
            for e in k["found"].escalations
        ],
    }
