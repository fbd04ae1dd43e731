"""What the staff inbox and request pages show, shared by the pages and the staff API.

Everything here is read for one clinic: the signed-in member's. The assessment is shown
from the request's snapshot (exactly as the person saw it, with their own words), the
diary only while the person shares it with this clinic, and every read or change is
written to the audit trail in the route's own transaction by :func:`audit`.

Times are shown in the clinic's time zone (``time_zone`` in its clinic file, UTC when
it names none) with the zone's abbreviation, and the pages say which zone it is; the
shared diary's hours of the day are the clinic's too (the person's own zone is not
known to the clinic). The ``<time datetime>`` attributes stay in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crampcheck.clinic import Clinic
from crampcheck.domain.diary import Patterns
from crampcheck.domain.types import FindingState, Urgency
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services import diary
from crampcheck.services.audit import AuditAction, record
from crampcheck.services.inbox import NEXT_STATUSES, OPEN_STATUSES, InboxFilter, Status
from crampcheck.storage.tables import AppointmentRequest, RequestStatusChange, StaffMember
from crampcheck.storage.times import aware as _aware
from crampcheck.web.i18n import _, translations
from crampcheck.web.pages import diary_charts, diary_labels
from crampcheck.web.pages.flow import whole_number
from crampcheck.web.pages.render import tel_link
from crampcheck.web.pages.result import (
    Chip,
    Citations,
    _with_clause_start,
    kind_headings,
    urgency_headings,
)
from crampcheck.web.pages.staff_render import member_clinic as member_clinic

CHARTS = diary_charts.CHARTS
"""The diary charts a clinician can open (the patient's own patterns page's)."""
DIARY_ZONE = UTC
"""The zone of the shared diary's hours when none is given (the staff API's, which stays
machine-readable UTC); the staff pages give the clinic's zone."""
FILTER_FIELDS = ("status", "location", "urgency", "page")
MAX_PAGE = 100_000


# ---------------------------------------------------------------- words


def urgency_labels(kb: KnowledgeBase) -> dict[str, str]:
    """Each urgency as the inbox names it: what it means for the clinic, in words from
    the knowledge base's policy (the urgent one is a badge that never depends on colour)."""
    return {level.value: kb.policy.level_label(level.value) for level in Urgency}


def urgency_filter_labels() -> dict[str, str]:
    """Short names of the urgency levels, for the filter."""
    return {
        Urgency.URGENT.value: _("Urgent"),
        Urgency.DOCTOR.value: _("Doctor"),
        Urgency.SELF_CARE.value: _("Self-care"),
        Urgency.EMERGENCY.value: _("Emergency"),
    }


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


def kind_labels() -> dict[str, str]:
    """What the check took the episode to be, in a word or two."""
    return {"cramp": _("Cramp"), "spasm": _("Spasm (twitching)"), "other": _("Other")}


def location_label(clinic: Clinic, location_id: str | None) -> str:
    """A preferred location's name ('' when none; the id when no longer listed)."""
    if not location_id:
        return ""
    location = clinic.location(location_id)
    return location.name if location is not None else location_id


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


def show_time(moment: datetime | None, zone: tzinfo) -> str:
    """A stored time in the clinic's zone, as staff read it: "2026-11-25 10:40 MST"."""
    if moment is None:
        return ""
    return _aware(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def iso_time(moment: datetime | None) -> str:
    """A stored time for a ``<time datetime>`` attribute (UTC, machine-readable)."""
    return "" if moment is None else _aware(moment).astimezone(UTC).isoformat()


def waiting_text(since: datetime, now: datetime) -> str:
    """How long something has waited, in the largest whole unit (minutes, hours, days)."""
    ngettext = translations().ngettext
    waited = max(now - _aware(since), timedelta(0))
    minutes = int(waited.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(num)d minute", "%(num)d minutes", minutes) % {"num": minutes}
    hours = minutes // 60
    if hours < 48:
        return ngettext("%(num)d hour", "%(num)d hours", hours) % {"num": hours}
    days = hours // 24
    return ngettext("%(num)d day", "%(num)d days", days) % {"num": days}


def attachment(body: bytes | str, media_type: str, filename: str) -> Response:
    """A download that no cache keeps."""
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def download_name(request: AppointmentRequest, extension: str) -> str:
    """The file name of a request's download (the request id, no personal data)."""
    return f"crampcheck-request-{request.id}.{extension}"


def mailto(address: str) -> str:
    """A ``mailto:`` link target for an email address."""
    return "mailto:" + quote(address, safe="@.+-_")


# ---------------------------------------------------------------- the audit trail


def audit(
    db: Session,
    member: StaffMember,
    action: AuditAction,
    address: str | None,
    request: AppointmentRequest | None = None,
    detail: str | None = None,
) -> None:
    """Record a read or change in the caller's transaction (the route's)."""
    record(
        db,
        member,
        action,
        address=address,
        request_id=request.id if request is not None else None,
        patient_ref=f"request:{request.id}" if request is not None else None,
        detail=detail,
    )


# ---------------------------------------------------------------- the inbox


@dataclass(frozen=True)
class FilterInput:
    """The inbox's filter as it came in (query parameters), before it is checked."""

    status: str | None = None
    location: str | None = None
    urgency: str | None = None
    page: str | None = None


@dataclass(frozen=True)
class ParsedFilter:
    """The checked filter and page, and a message for each value that is not known."""

    where: InboxFilter
    page: int
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
    page = 1
    if given.page:
        number = whole_number(given.page)
        if number is not None and 1 <= number <= MAX_PAGE:
            page = number
        else:
            errors["page"] = _("The page must be a whole number from 1.")
    return ParsedFilter(InboxFilter(status, location, urgency), page, errors)


def filter_detail(where: InboxFilter, page: int) -> str:
    """The filter in the audit trail's words (what the inbox view showed)."""
    return (
        f"status={where.status} location={where.location or 'any'} "
        f"urgency={where.urgency or 'any'} page={page}"
    )


def filter_query(where: InboxFilter, page: int | None = None) -> str:
    """The query string of a filter (and page), for links that keep it."""
    params = {"status": where.status}
    if where.location:
        params["location"] = where.location
    if where.urgency:
        params["urgency"] = where.urgency
    if page is not None and page > 1:
        params["page"] = str(page)
    return urlencode(params)


def open_urgent_count(
    db: Session, clinic_id: str, statuses: Iterable[str] = tuple(OPEN_STATUSES)
) -> int:
    """How many of the clinic's requests in ``statuses`` (open ones by default) are
    urgent; the inbox's banner counts the new ones, which nobody has contacted yet."""
    count = db.scalar(
        select(func.count())
        .select_from(AppointmentRequest)
        .where(
            AppointmentRequest.clinic_id == clinic_id,
            AppointmentRequest.urgency == Urgency.URGENT.value,
            AppointmentRequest.status.in_([str(s) for s in statuses]),
        )
    )
    return int(count or 0)


def is_urgent(request: AppointmentRequest) -> bool:
    """Whether a request must not be missed (urgent; an emergency never gets here)."""
    return request.urgency in (Urgency.URGENT.value, Urgency.EMERGENCY.value)


def is_open(request: AppointmentRequest) -> bool:
    """Whether the clinic still has to act on the request."""
    return request.status in {s.value for s in OPEN_STATUSES}


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


def inbox_row(
    request: AppointmentRequest, clinic: Clinic, now: datetime, kb: KnowledgeBase
) -> InboxRow:
    """A request as the inbox lists it; a request no longer open shows how long it
    waited until its last move."""
    still_open = is_open(request)
    until = now if still_open else _aware(request.status_changed_at or now)
    return InboxRow(
        id=request.id,
        name=request.name,
        urgency=request.urgency,
        urgency_label=urgency_labels(kb).get(request.urgency, request.urgency),
        urgent=is_urgent(request),
        waiting=waiting_text(request.created_at, until),
        waiting_open=still_open,
        received=show_time(request.created_at, clinic.zone),
        received_iso=iso_time(request.created_at),
        kind_label=kind_labels().get(request.kind, request.kind),
        location=location_label(clinic, request.preferred_location),
        status=request.status,
        status_label=status_labels().get(request.status, request.status),
    )


# ---------------------------------------------------------------- one request


def next_statuses(request: AppointmentRequest) -> tuple[Status, ...]:
    """Where the workflow lets this request go next (nothing once closed or declined)."""
    try:
        return NEXT_STATUSES[Status(request.status)]
    except ValueError:
        return ()


def history_rows(changes: Iterable[RequestStatusChange], zone: tzinfo) -> list[dict[str, str]]:
    """The request's status changes as the page lists them: who, when (in ``zone``),
    what, why."""
    labels = status_labels()
    return [
        {
            "at": show_time(change.at, zone),
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
        "received": show_time(request.created_at, clinic.zone),
        "received_iso": iso_time(request.created_at),
        "consent": request.consent_to_share,
    }


# ---------------------------------------------------------------- the check as the person saw it


def _rows(snapshot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [row for row in snapshot.get("findings") or () if isinstance(row, Mapping)]


def _read_states(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """One state per finding read in the words: any mention saying yes wins (the
    reader's rule), otherwise the last mention's."""
    states: dict[str, str] = {}
    for row in rows:
        finding_id = str(row.get("id"))
        if states.get(finding_id) != FindingState.PRESENT.value:
            states[finding_id] = str(row.get("state"))
    return states


def _quote(row: Mapping[str, Any], description: str) -> str:
    """The words of a mention; a denied one from the start of its clause ("no swelling"),
    as the person's result page quotes it."""
    text = str(row.get("text"))
    start, end = row.get("start"), row.get("end")
    denied = row.get("state") == FindingState.ABSENT.value
    if denied and description and isinstance(start, int) and isinstance(end, int):
        return _with_clause_start(description, start, end)
    return text


def _value(rows: Iterable[Mapping[str, Any]]) -> float | None:
    values = [float(r["value"]) for r in rows if isinstance(r.get("value"), int | float)]
    # The largest, as the person's result page, the PDF and the FHIR export show it.
    return max(values) if values else None


def finding_chips(
    snapshot: Mapping[str, Any],
) -> tuple[list[Chip], list[Chip], list[str], dict[str, str]]:
    """The findings as the person's result page showed them: (chips read in their words,
    chips of answers given beside the words, labels of answers "no", final states)."""
    rows = _rows(snapshot)
    description = str(snapshot.get("description") or "")
    read_rows = [r for r in rows if r.get("text") is not None]
    answer_rows = [r for r in rows if r.get("text") is None]
    read = _read_states(read_rows)
    answered = {str(r.get("id")): str(r.get("state")) for r in answer_rows}
    final = {**read, **answered}
    labels = {str(r.get("id")): str(r.get("label") or r.get("id")) for r in rows}
    read_chips = []
    for finding_id, state in read.items():
        if final[finding_id] != state:
            continue
        mine = [r for r in read_rows if str(r.get("id")) == finding_id and r.get("state") == state]
        quotes = tuple(dict.fromkeys(_quote(r, description) for r in mine))
        confirmed = any(r.get("confirmed") is True for r in mine)
        read_chips.append(
            Chip(finding_id, labels[finding_id], state, quotes, _value(mine), confirmed)
        )
    read_chips.sort(key=lambda c: c.state != FindingState.PRESENT.value)
    answers = [
        Chip(str(r.get("id")), labels[str(r.get("id"))], str(r.get("state")), (), _value([r]))
        for r in answer_rows
        if str(r.get("state")) != FindingState.ABSENT.value
    ]
    answers.sort(key=lambda c: c.state != FindingState.PRESENT.value)
    answered_no = [
        labels[str(r.get("id"))]
        for r in answer_rows
        if str(r.get("state")) == FindingState.ABSENT.value
    ]
    return read_chips, answers, answered_no, final


def _cited_sources(snapshot: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, dict[str, Any]]:
    """The sources the snapshot cites, as the person saw them when the snapshot keeps
    them (requests made since it does), else from the current knowledge base."""
    ids = [
        source_id
        for part in ("reasons", "causes", "advice", "withheld")
        for item in snapshot.get(part) or ()
        for source_id in item.get("source_ids") or ()
    ]
    kept = {str(s.get("id")): dict(s) for s in snapshot.get("sources") or ()}
    current = {s: kb.sources[s].model_dump(mode="json") for s in ids if s in kb.sources}
    return {s: kept.get(s) or current[s] for s in ids if s in kept or s in current}


def _against(cause: Mapping[str, Any], final: Mapping[str, str], kb: KnowledgeBase) -> list[str]:
    """Evidence against a cause as the person read it: a key finding they denied is
    "you said no to ...", not a bare label."""
    condition = kb.conditions.get(str(cause.get("id")))
    denied = {
        kb.findings[f].label
        for f in (condition.key if condition else ())
        if f in kb.findings and final.get(f) == FindingState.ABSENT.value
    }
    return [
        _("you said no to “%(label)s”") % {"label": label} if label in denied else str(label)
        for label in cause.get("against") or ()
    ]


def snapshot_view(snapshot: Mapping[str, Any], kb: KnowledgeBase) -> dict[str, Any]:
    """Everything ``staff_request_snapshot.html`` shows: the check exactly as the person
    saw it (urgency and what to do, why, what kind, what was read in their words, the
    possible causes with what points for and against them, their description), with its
    sources and the knowledge-base version it came from."""
    urgency = str(snapshot.get("urgency") or "")
    heading, by_when = urgency_headings().get(urgency, (urgency, ""))
    kind = str(snapshot.get("kind") or "")
    citations = Citations(_cited_sources(snapshot, kb))
    reasons = [
        {"text": str(r.get("text", "")), "cites": citations.cite(r.get("source_ids") or ())}
        for r in snapshot.get("reasons") or ()
    ]
    read_chips, answer_chips, answered_no, final = finding_chips(snapshot)
    causes = [
        {
            "name": str(c.get("name", "")),
            "summary": str(c.get("summary", "")),
            "for": [str(x) for x in c.get("for") or ()],
            "against": _against(c, final, kb),
            "clinician": c.get("clinician"),
            "cites": citations.cite(c.get("source_ids") or ()),
        }
        for c in snapshot.get("causes") or ()
    ]
    reason_texts = {r["text"] for r in reasons}
    advice = [
        {
            "title": str(a.get("title", "")),
            "text": str(a.get("text", "")),
            "steps": [str(x) for x in a.get("steps") or ()],
            "cautions": [str(x) for x in a.get("cautions") or ()],
            "cites": citations.cite(a.get("source_ids") or ()),
        }
        for a in snapshot.get("advice") or ()
    ]
    withheld = [
        {
            "titles": [str(x) for x in w.get("titles") or ()],
            "because": str(w.get("because", "")),
            "instead": w.get("instead"),
            "stop": w.get("stop"),
            "cites": citations.cite(w.get("source_ids") or ()),
        }
        for w in snapshot.get("withheld") or ()
    ]
    scope = snapshot.get("outside_scope") or {}
    return {
        "withheld": withheld,
        "urgency": urgency,
        "heading": heading,
        "by_when": by_when,
        "action": str(snapshot.get("action") or ""),
        "kind_heading": kind_headings().get(kind, kind),
        "kind_reasons": [
            str(k) for k in snapshot.get("kind_reasons") or () if k not in reason_texts
        ],
        "reasons": reasons,
        "read_chips": read_chips,
        "answer_chips": answer_chips,
        "answered_no": answered_no,
        "units": {fid: f.unit for fid, f in kb.findings.items() if f.unit},
        "causes": causes,
        "open_questions": [
            {"question": str(q.get("question", "")), "why": str(q.get("why", ""))}
            for q in snapshot.get("open_questions") or ()
        ],
        "advice": advice,
        "advice_stored": "advice" in snapshot,
        "referral_clinicians": [str(c) for c in scope.get("clinicians") or ()],
        "description": str(snapshot.get("description") or ""),
        "kb_version": str(snapshot.get("kb_version") or ""),
        "current_kb_version": kb.version,
        "disclaimer": str(snapshot.get("disclaimer") or ""),
        "sources": citations.numbered(),
    }


# ---------------------------------------------------------------- the shared diary


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def shared_patterns(
    db: Session, user_id: str, kb: KnowledgeBase, now: datetime, zone: tzinfo = DIARY_ZONE
) -> Patterns:
    """The person's diary measured as their own patterns page measures it, with hours of
    the day and calendar days those of ``zone`` (the pages give the clinic's)."""
    return diary.patterns(db, user_id, kb, now=now, zone=zone)


def diary_view(
    db: Session, user_id: str, kb: KnowledgeBase, now: datetime, zone: tzinfo
) -> dict[str, Any]:
    """Everything ``staff_request_diary.html`` shows of a shared diary, hours of the day
    in ``zone`` (the clinic's)."""
    found = shared_patterns(db, user_id, kb, now, zone)
    counts = diary_charts.counts_of(found)
    sites, treatments = diary_labels.site_labels(), diary_labels.treatment_labels()
    contexts = diary_labels.context_labels()
    return {
        "found": found,
        "counts": counts,
        "recent": sum(found.weekly_counts[-4:]),
        "before": sum(found.weekly_counts[-8:-4]),
        "per_week": _number(found.metrics.get("episodes_per_week", 0.0)),
        "median_duration": (
            None if found.median_duration is None else _number(found.median_duration)
        ),
        "median_pain": None if found.median_pain is None else _number(found.median_pain),
        "sites": [(sites.get(s, s), n) for s, n in found.sites],
        "home_care": [(treatments.get(t, t), n, m) for t, n, m in found.home_care],
        "factors": [
            {
                "label": contexts.get(c, c),
                "per_day_with": _number(w),
                "per_day_without": _number(wo),
                "days_with": dw,
                "days_without": dwo,
            }
            for c, w, wo, dw, dwo in found.factors
        ],
        "escalations": [e.reason for e in found.escalations],
        "charts": diary_charts.chart_data(found, now, zone),
    }
