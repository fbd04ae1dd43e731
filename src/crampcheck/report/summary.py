"""What the clinic's one-page summary of an appointment request shows, as plain data.

A clinician reads it in a minute before calling the person back: who asked and how to
reach them, how urgent the check said it was and which knowledge-base rules decided
that (each with its sources), what the person said in their own words, the causes the
check named as possible (never a diagnosis), the medicines and conditions they
mentioned, and, when they share their episode diary, how often and how painful the
episodes have been and what home care did.

Everything about the check comes from the request's snapshot: the assessment exactly
as the person saw it, so the page says what they were told even after the knowledge
base changes. Only the titles of cited sources and the category of each finding are
looked up in the current knowledge base. The diary's figures and charts are those of
the person's own patterns page, each kind of episode apart:
:func:`crampcheck.services.diary.by_kind` measures them (the caller passes what it
measured) and :mod:`crampcheck.domain.diary_charts` draws them, as it does for that page.

Times are in the clinic's time zone (``time_zone`` in its clinic file), and so are the
diary's days and weeks: the person's own zone is not known to the clinic. The page
names the zone. Dates and times, the charts' included, are written as the clinic's
locale writes them (``locale`` in its clinic file: "Mar 3, 2025, 2:00 AM" in the US).

The page's parts are defined in :mod:`crampcheck.report.summary_model` and importable
from here too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from crampcheck.clinic import Clinic
from crampcheck.domain.appointment import AppointmentRecord
from crampcheck.domain.birth import age_on
from crampcheck.domain.denials import said_no
from crampcheck.domain.diary import KindPatterns
from crampcheck.domain.i18n import CLINIC_LANGUAGE, language_name, using_language
from crampcheck.domain.snapshot import Snapshot
from crampcheck.domain.times import aware as _aware
from crampcheck.domain.types import Case, FindingState, Kind, Sex, Urgency
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.units import shown_value
from crampcheck.report.compact import relevant_denials
from crampcheck.report.diary import DiaryFigures, diary_figures
from crampcheck.report.parts import SourceRef, number_text, sources_of
from crampcheck.report.summary_model import (
    CONDITION_CATEGORIES,
    MEDICINE_CATEGORIES,
    STATE_LABELS,
    Cause,
    FindingLine,
    Reason,
    RequestSummary,
)

__all__ = [
    "CONDITION_CATEGORIES",
    "MEDICINE_CATEGORIES",
    "STATE_LABELS",
    "Cause",
    "FindingLine",
    "Reason",
    "RequestSummary",
    "build_summary",
    "causes_of",
    "cited",
    "final_states",
    "findings_of",
    "location_of",
    "person_language",
    "reasons_of",
    "urgency_words",
]


# ---------------------------------------------------------------- building it


def build_summary(
    request: AppointmentRecord,
    diary: Sequence[KindPatterns] | None,
    kb: KnowledgeBase,
    clinic: Clinic,
    now: datetime | None = None,
) -> RequestSummary:
    """The summary of ``request`` for ``clinic``.

    ``diary`` is the person's diary when they share it, measured per kind of episode at
    ``now`` in the clinic's time zone (None when they do not share it; empty when it
    holds nothing). ``now`` is the time the page is printed, and the end of the diary's
    last 12 weeks. Times, and the diary's days and weeks, are in the clinic's time zone.
    """
    now = _aware(now) if now is not None else datetime.now(UTC)
    zone = clinic.zone
    fmt = clinic.local_format()
    snapshot: Mapping[str, Any] = request.snapshot or {}
    urgency = str(snapshot.get("urgency") or request.urgency)
    kind = str(snapshot.get("kind") or request.kind)
    urgency_label, urgency_when = urgency_words(urgency, kb)
    lines = findings_of(_finding_rows(snapshot), kb)
    reasons = reasons_of(snapshot, kb)
    causes = causes_of(snapshot, lines, kb)
    figures = (
        None if diary is None else tuple(diary_figures(kind, kb, now, zone, fmt) for kind in diary)
    )
    return RequestSummary(
        request_id=request.id,
        clinic_name=clinic.name,
        clinic_phone=clinic.phone,
        time_zone=clinic.time_zone,
        received_at=_aware(request.created_at).astimezone(zone),
        printed_at=now.astimezone(zone),
        received=fmt.moment_with_zone(_aware(request.created_at)),
        printed=fmt.moment_with_zone(now),
        status=request.status,
        name=request.name,
        phone=request.phone,
        email=request.email,
        location=location_of(request.preferred_location, clinic),
        preferred_times=request.preferred_times,
        urgency=urgency,
        urgency_label=urgency_label,
        urgency_when=urgency_when,
        action=snapshot.get("action"),
        kind=kind,
        kind_label=_kind_words(kind, kb),
        # As on the clinician's page: a kind reason that is also a fired rule's reason is
        # shown once, with its rule, under the urgency.
        kind_reasons=tuple(
            str(k)
            for k in snapshot.get("kind_reasons") or ()
            if str(k) not in {r.text for r in reasons}
        ),
        description=snapshot.get("description"),
        reasons=reasons,
        findings=tuple(line for line in lines if _category(kb, line.id) not in _MENTIONED),
        medicines=tuple(line for line in lines if _category(kb, line.id) in MEDICINE_CATEGORIES),
        conditions=tuple(line for line in lines if _category(kb, line.id) in CONDITION_CATEGORIES),
        causes=causes,
        diary=figures,
        # Only the reasons at the answer's level are printed with their sources.
        sources=cited([r for r in reasons if r.level == urgency], causes, figures),
        kb_version=str(snapshot.get("kb_version") or request.kb_version),
        current_kb_version=kb.version,
        disclaimer=snapshot.get("disclaimer"),
        date_of_birth=request.date_of_birth,
        born=None if request.date_of_birth is None else fmt.numeric_day(request.date_of_birth),
        age=(
            age_on(request.date_of_birth, now.astimezone(zone).date())
            if request.date_of_birth is not None
            else request.check_age
        ),
        sex=request.check_sex,
        request_reason=request.reason,
        paper_size=clinic.paper_size,
        denials=_denials(lines, _finding_rows(snapshot), request, urgency, kb),
        language=person_language(snapshot),
        language_label=_language_label(person_language(snapshot)),
    )


def person_language(snapshot: Mapping[str, Any]) -> str | None:
    """The language the check was shown to the person in, when it is not the clinic's
    (None for the clinic's own, or a snapshot from before it was recorded)."""
    language = Snapshot.read(snapshot).language
    return language if language and language != CLINIC_LANGUAGE else None


def _language_label(language: str | None) -> str | None:
    if language is None:
        return None
    with using_language(CLINIC_LANGUAGE):
        return language_name(language)


def _denials(
    lines: Sequence[FindingLine],
    rows: Sequence[Mapping[str, Any]],
    request: AppointmentRecord,
    urgency: str,
    kb: KnowledgeBase,
) -> tuple[FindingLine, ...]:
    """The "no" answers the page prints (see :func:`relevant_denials`)."""
    snapshot = Snapshot.read({"findings": rows})
    values = {row.id: row.value for row in snapshot.findings if row.value is not None}
    given = request.check_sex
    sex = Sex(given) if given is not None and given in Sex._value2member_map_ else None
    case = Case(
        age=request.check_age,
        sex=sex,
        findings=snapshot.final_states(),
        values=values,
    )
    by_id = {line.id: line for line in lines}
    return tuple(by_id[f] for f in relevant_denials(case, urgency, kb) if f in by_id)


_MENTIONED = MEDICINE_CATEGORIES | CONDITION_CATEGORIES


def urgency_words(urgency: str, kb: KnowledgeBase) -> tuple[str, str]:
    """A level's name and how soon the clinic should act, from the knowledge base's
    policy (an unknown level as it is stored, with no timeframe)."""
    try:
        level = Urgency(urgency)
    except ValueError:
        return urgency, ""
    return kb.policy.level_names[level], kb.policy.clinic_timeframes[level]


def _kind_words(kind: str, kb: KnowledgeBase) -> str:
    """What the check took the episode to be, in the summary's words from the knowledge
    base (an unknown kind as it is stored)."""
    try:
        return kb.policy.kind_words[Kind(kind)].summary
    except ValueError:
        return kind


def location_of(location_id: str | None, clinic: Clinic) -> str | None:
    """The preferred location in words (its name, and the address or city when they add
    something), or the stored id when the clinic no longer lists it."""
    if not location_id:
        return None
    location = clinic.location(location_id)
    if location is None:
        return location_id
    where = location.address or location.city
    return location.name if where == location.name else f"{location.name} ({where})"


def cited(
    reasons: Iterable[Reason],
    causes: Iterable[Cause],
    diary: Sequence[DiaryFigures] | None,
) -> tuple[SourceRef, ...]:
    """Every source the page cites, once each, in order of first citation."""
    groups = [r.sources for r in reasons] + [c.sources for c in causes]
    groups += [e.sources for kind in diary or () for e in kind.escalations]
    return tuple({ref.id: ref for group in groups for ref in group}.values())


def reasons_of(snapshot: Mapping[str, Any], kb: KnowledgeBase) -> tuple[Reason, ...]:
    """The rules that fired in the check, as the person was shown them, most urgent first
    (the engine's order)."""
    return tuple(
        Reason(
            rule_id=str(r.get("rule_id", "")),
            level=str(r.get("level", "")),
            text=str(r.get("text", "")),
            sources=sources_of(r.get("source_ids") or (), kb),
        )
        for r in snapshot.get("reasons") or ()
    )


# ---------------------------------------------------------------- findings in their own words


def _finding_rows(snapshot: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [row for row in snapshot.get("findings") or () if isinstance(row, Mapping)]


def _category(kb: KnowledgeBase, finding_id: str) -> str | None:
    finding = kb.findings.get(finding_id)
    return finding.category if finding is not None else None


def final_states(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """One state per finding, as the check used it (see :class:`Snapshot`)."""
    return {k: v.value for k, v in Snapshot.read({"findings": rows}).final_states().items()}


def findings_of(rows: Sequence[Mapping[str, Any]], kb: KnowledgeBase) -> tuple[FindingLine, ...]:
    """Each finding once, in the order it was first mentioned, with the person's words
    that say what the check took it to be ("said yes" first, then "said no", then
    "not sure")."""
    snapshot = Snapshot.read({"findings": rows})
    states = snapshot.final_states()
    words: dict[str, list[str]] = {}
    values: dict[str, float] = {}
    answered: set[str] = set()
    confirmed: set[str] = set()
    labels: dict[str, str] = {}
    for row in snapshot.findings:
        labels.setdefault(row.id, row.label)
        if row.state is not states[row.id]:
            continue
        if row.confirmed:
            confirmed.add(row.id)
        if row.text is None:
            answered.add(row.id)
        elif row.text not in words.setdefault(row.id, []):
            words[row.id].append(row.text)
        if row.value is not None:
            values[row.id] = max(row.value, values.get(row.id, row.value))
    lines = [
        FindingLine(
            id=finding_id,
            label=labels[finding_id],
            state=state.value,
            words=tuple(words.get(finding_id, ())),
            value=_with_unit(values.get(finding_id), kb, finding_id),
            answered=finding_id in answered,
            confirmed=finding_id in confirmed,
            denied_label=_denied_label(kb, finding_id),
        )
        for finding_id, state in states.items()
    ]
    order = {s.value: i for i, s in enumerate(FindingState)}
    return tuple(sorted(lines, key=lambda line: order.get(line.state, len(order))))


def _denied_label(kb: KnowledgeBase, finding_id: str) -> str | None:
    finding = kb.findings.get(finding_id)
    return finding.denied_label if finding is not None else None


def _with_unit(value: float | None, kb: KnowledgeBase, finding_id: str) -> str | None:
    if value is None:
        return None
    finding = kb.findings.get(finding_id)
    unit = finding.unit if finding is not None else None
    # Kept in the knowledge base's unit, shown in the clinic's (a temperature in °F).
    shown = number_text(shown_value(finding, value))
    return f"{shown} {unit}" if unit else shown


# ---------------------------------------------------------------- possible causes


def causes_of(
    snapshot: Mapping[str, Any], lines: Sequence[FindingLine], kb: KnowledgeBase
) -> tuple[Cause, ...]:
    """The possible causes the check named, with the evidence for and against each: a
    key finding of a cause that the person denied reads "said no to ..." (as on the
    person's result page), not as if it were present. ``lines`` give the labels the
    person read."""
    read = Snapshot.read(snapshot)
    labels = {line.id: line.label for line in lines}
    return tuple(_cause(read, cause, labels, kb) for cause in read.section("causes"))


def _cause(
    snapshot: Snapshot, cause: Mapping[str, Any], labels: Mapping[str, str], kb: KnowledgeBase
) -> Cause:
    condition = kb.conditions.get(str(cause.get("id")))
    keys = {
        f: labels.get(f, kb.findings[f].label)
        for f in (condition.key if condition else ())
        if f in kb.findings
    }
    against = snapshot.against(cause.get("against") or (), keys)
    positive = {keys[f]: kb.findings[f].denied_label for f in keys if kb.findings[f].denied_label}
    return Cause(
        name=str(cause.get("name", "")),
        summary=str(cause.get("summary", "")),
        supporting=tuple(str(x) for x in cause.get("for") or ()),
        against=tuple(_against_words(a.label, a.denied, positive) for a in against),
        clinician=cause.get("clinician"),
        flagged_by_rule=bool(cause.get("flagged_by_rule")),
        sources=sources_of(cause.get("source_ids") or (), kb),
    )


def _against_words(label: str, denied: bool, positive: Mapping[str, str | None]) -> str:
    """Evidence against a cause: a denied key finding reads "said no to ...", or its
    positive words when its label is negative (never "said no to ... not ...")."""
    if not denied:
        return label
    return said_no(label, positive.get(label), you=False)
