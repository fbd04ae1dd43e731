"""The check as the person saw it, for the clinic: the request's snapshot (what was
read in the person's own words, the answer, the reasons, the causes with what speaks
for and against them, the advice and its sources) as the staff request page shows it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from crampcheck.domain.denials import Denial, denial, said_no
from crampcheck.domain.i18n import current_language, language_name, using_language
from crampcheck.domain.snapshot import FindingRow, Snapshot
from crampcheck.domain.types import FindingState
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services.units import shown_values
from crampcheck.services.vocabulary import Vocabulary, packaged_vocabulary
from crampcheck.web.i18n import _
from crampcheck.web.pages.result import (
    Citations,
    _with_clause_start,
    in_shown_units,
    kind_headings,
    urgency_headings,
)
from crampcheck.web.pages.views import AsShown, Chip, SnapshotView


def _quote(row: FindingRow, description: str) -> str:
    """The words of a mention; a denied one from the start of its clause ("no swelling"),
    as the person's result page quotes it."""
    text = str(row.text)
    denied = row.state is FindingState.ABSENT
    if denied and description and row.start is not None and row.end is not None:
        return _with_clause_start(description, row.start, row.end)
    return text


def _value(rows: Iterable[FindingRow]) -> float | None:
    values = [r.value for r in rows if r.value is not None]
    # The largest, as the person's result page, the PDF and the FHIR export show it.
    return max(values) if values else None


def finding_chips(
    snapshot: Snapshot, denied: Mapping[str, str] | None = None
) -> tuple[list[Chip], list[Chip], list[Denial]]:
    """The findings as the person's result page showed them: (chips read in their words,
    chips of answers given beside the words, the answers "no" in words); ``denied``
    holds each finding's positive words for a "no" (the knowledge base's)."""
    positive = denied or {}
    description = snapshot.description
    read = snapshot.read_states()
    final = snapshot.final_states()
    labels = {row.id: row.label for row in snapshot.findings}
    read_chips = []
    for finding_id, state in read.items():
        if final[finding_id] is not state:
            continue
        mine = [r for r in snapshot.read_rows if r.id == finding_id and r.state is state]
        quotes = tuple(dict.fromkeys(_quote(r, description) for r in mine))
        confirmed = any(r.confirmed for r in mine)
        read_chips.append(
            Chip(
                finding_id,
                labels[finding_id],
                state.value,
                quotes,
                _value(mine),
                confirmed,
                denied_label=positive.get(finding_id),
            )
        )
    read_chips.sort(key=lambda c: c.state != FindingState.PRESENT.value)
    answers = [
        Chip(r.id, labels[r.id], r.state.value, (), _value([r]))
        for r in snapshot.answer_rows
        if r.state is not FindingState.ABSENT
    ]
    answers.sort(key=lambda c: c.state != FindingState.PRESENT.value)
    answered_no = [
        denial(labels[r.id], positive.get(r.id))
        for r in snapshot.answer_rows
        if r.state is FindingState.ABSENT
    ]
    return read_chips, answers, answered_no


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


def _against(snapshot: Snapshot, cause: Mapping[str, Any], kb: KnowledgeBase) -> list[str]:
    """Evidence against a cause as the person read it: a key finding they denied is
    "you said no to ...", not a bare label."""
    condition = kb.conditions.get(str(cause.get("id")))
    keys = {
        f: kb.findings[f].label for f in (condition.key if condition else ()) if f in kb.findings
    }
    positive = {kb.findings[f].label: kb.findings[f].denied_label for f in keys}
    return [
        said_no(a.label, positive.get(a.label)) if a.denied else a.label
        for a in snapshot.against(cause.get("against") or (), keys)
    ]


def _language_of(stored: Snapshot) -> tuple[str | None, str, str]:
    """The person's language when it is not this page's (code and name), and the
    languages their words are written in, named."""
    page = current_language()
    language = stored.language if stored.language and stored.language != page else None
    named = [language_name(code) for code in stored.written_in]
    if len(named) > 1:
        written_in = _("%(first)s and %(second)s") % {
            "first": ", ".join(named[:-1]),
            "second": named[-1],
        }
    else:
        written_in = "".join(named)
    return language, language_name(language) if language else "", written_in


def _as_shown(stored: Snapshot, shown: Mapping[str, Any]) -> AsShown | None:
    """The top of the answer in the person's language, when the page shows the check in
    another (the snapshot's copy in the clinic's language)."""
    language = stored.language
    if language is None or shown is stored.data:
        return None
    original = stored.data
    with using_language(language):
        headings = urgency_headings(packaged_vocabulary())
    heading, _by_when = headings.get(str(original.get("urgency") or ""), ("", ""))
    return {
        "lang": language,
        "heading": heading,
        "action": str(original.get("action") or ""),
        "reasons": [str(r.get("text", "")) for r in stored.section("reasons") if r.get("text")],
    }


def snapshot_view(stored: Mapping[str, Any], kb: KnowledgeBase) -> SnapshotView:
    """Everything ``staff_request_snapshot.html`` shows: the check exactly as the person
    saw it (urgency and what to do, why, what kind, what was read in their words, the
    possible causes with what points for and against them, their description), with its
    sources and the knowledge-base version it came from.

    A check done in another language is shown in this page's language when the snapshot
    keeps it in that language (the clinic's), the person's words as they wrote them,
    with the language they used and the top of the answer as they read it."""
    kept = Snapshot.read(stored)
    snapshot = kept.in_language(current_language())
    language, language_label, written_in_label = _language_of(kept)
    urgency = str(snapshot.get("urgency") or "")
    words = Vocabulary.of(kb)
    heading, by_when = urgency_headings(words).get(urgency, (urgency, ""))
    kind = str(snapshot.get("kind") or "")
    citations = Citations(_cited_sources(snapshot, kb))
    reasons = [
        {"text": str(r.get("text", "")), "cites": citations.cite(r.get("source_ids") or ())}
        for r in snapshot.get("reasons") or ()
    ]
    read = Snapshot.read(snapshot)
    denied = {fid: f.denied_label for fid, f in kb.findings.items() if f.denied_label}
    read_chips, answer_chips, answered_no = finding_chips(read, denied)
    shown = shown_values(kb)
    read_chips = in_shown_units(read_chips, shown)
    answer_chips = in_shown_units(answer_chips, shown)
    causes = [
        {
            "name": str(c.get("name", "")),
            "summary": str(c.get("summary", "")),
            "for": [str(x) for x in c.get("for") or ()],
            "against": _against(read, c, kb),
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
        "kind_heading": kind_headings(words).get(kind, kind),
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
        "language": language,
        "language_label": language_label,
        "written_in_label": written_in_label,
        "as_shown": _as_shown(kept, snapshot),
    }
