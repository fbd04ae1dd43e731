"""What the result page shows: the assessment arranged for a person, every statement cited."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any

from crampcheck.domain.denials import said_no
from crampcheck.domain.types import FindingState, Urgency
from crampcheck.services.pipeline import CheckResult
from crampcheck.services.serialize import assessment_payload as serialized_assessment
from crampcheck.services.units import ShownValue, shown_values
from crampcheck.services.vocabulary import Vocabulary, packaged_vocabulary
from crampcheck.web.i18n import _
from crampcheck.web.pages.flow import FlowState
from crampcheck.web.pages.views import (
    Chip,
    FlowPart,
    OutsideScope,
    ResultContent,
    ResultView,
    stored_keys,
)
from crampcheck.web.state import AppState


def urgency_headings(words: Vocabulary | None = None) -> dict[str, tuple[str, str]]:
    """Per urgency level: the banner's heading and "by when" line (the knowledge base's
    ``level_headings``; the packaged knowledge base's when ``words`` is not given)."""
    headings = (words or packaged_vocabulary()).level_headings
    return {level.value: (h.heading, h.by_when) for level, h in headings.items()}


def kind_headings(words: Vocabulary | None = None) -> dict[str, str]:
    """Per kind: a plain sentence saying what the episode sounds like (the knowledge
    base's ``kind_words``)."""
    kinds = (words or packaged_vocabulary()).kind_words
    return {kind.value: w.heading for kind, w in kinds.items()}


def evidence_labels() -> dict[str, str]:
    """Plain words for each evidence strength in the knowledge base."""
    return {
        "good": _("Good evidence that it helps"),
        "moderate": _("Moderate evidence that it helps"),
        "mixed": _("Mixed evidence: some studies find it helps, others do not"),
        "weak": _("Weak evidence"),
        "against": _("The evidence says it is unlikely to help"),
        "consensus": _("Recommended by experts; few trials"),
    }


@dataclass
class Citations:
    """Numbers for cited sources, in order of first citation."""

    sources: dict[str, dict[str, Any]]
    order: list[str] = field(default_factory=list)

    def cite(self, source_ids: Iterable[str]) -> list[int]:
        """The numbers of these sources (numbering any not yet cited)."""
        numbers = []
        for source_id in dict.fromkeys(source_ids):
            if source_id not in self.sources:
                continue
            if source_id not in self.order:
                self.order.append(source_id)
            numbers.append(self.order.index(source_id) + 1)
        return sorted(numbers)

    def numbered(self) -> list[tuple[int, dict[str, Any]]]:
        """The cited sources with their numbers."""
        return [(n, self.sources[s]) for n, s in enumerate(self.order, start=1)]


def denied_labels(state: AppState) -> dict[str, str]:
    """Each finding's positive words for a "no", where its label is itself negative."""
    return {fid: f.denied_label for fid, f in state.pipeline.kb.findings.items() if f.denied_label}


def in_shown_units(chips: Iterable[Chip], shown: ShownValue) -> list[Chip]:
    """The chips with their values in the units the person reads (a temperature kept in
    °C shown in °F to a US clinic's patients and staff)."""
    return [c if c.value is None else replace(c, value=shown(c.id, c.value)) for c in chips]


def reading_chips(
    result: CheckResult, kb_labels: dict[str, str], denied: dict[str, str] | None = None
) -> list[Chip]:
    """The findings read from the words, one chip each, present first, with the words quoted."""
    reading = result.reading
    if reading is None:
        return []
    states = reading.states()
    quotes: dict[str, list[str]] = {}
    for item in reading.findings:
        if item.state is not states[item.finding_id]:
            continue
        quote = item.text
        if item.state is FindingState.ABSENT:
            quote = _with_clause_start(reading.text, item.start, item.end)
        if quote not in quotes.get(item.finding_id, []):
            quotes.setdefault(item.finding_id, []).append(quote)
    values = reading.values()
    hedged = reading.hedged()
    chips = [
        Chip(
            fid,
            kb_labels.get(fid, fid),
            st.value,
            tuple(quotes.get(fid, ())),
            values.get(fid),
            hedged=fid in hedged,
            denied_label=(denied or {}).get(fid),
        )
        for fid, st in states.items()
    ]
    return sorted(chips, key=lambda c: c.state != FindingState.PRESENT.value)


CLAUSE_BREAKS = ".,;:!?\n"
MAX_CLAUSE_CHARS = 60


def _with_clause_start(text: str, start: int, end: int) -> str:
    """The words from the start of the clause to the end of a mention ("no swelling"),
    so a denied finding is quoted with its denial."""
    if not 0 <= start <= end <= len(text):
        return text[start:end]
    begin = max(text.rfind(ch, 0, start) for ch in CLAUSE_BREAKS) + 1
    begin = max(begin, start - MAX_CLAUSE_CHARS)
    quote = text[begin:end].strip()
    if begin > 0 and begin == start - MAX_CLAUSE_CHARS:
        quote = "…" + quote
    return quote or text[start:end]


def answer_chips(
    flow: FlowState,
    result: CheckResult,
    kb_labels: dict[str, str],
    denied: dict[str, str] | None = None,
) -> list[Chip]:
    """Explicit answers that differ from (or add to) what was read in the words."""
    read = result.reading.states() if result.reading else {}
    chips = []
    for fid, st in flow.findings.items():
        if read.get(fid) is not None and read[fid].value == st:
            continue
        chips.append(
            Chip(
                fid,
                kb_labels.get(fid, fid),
                st,
                (),
                flow.values.get(fid),
                denied_label=(denied or {}).get(fid),
            )
        )
    order = {FindingState.PRESENT.value: 0, FindingState.ABSENT.value: 1}
    return sorted(chips, key=lambda c: order.get(c.state, 2))


def _against(
    condition_id: str, labels: list[str], result: CheckResult, state: AppState
) -> list[str]:
    """The evidence against a cause, in words: a key finding the person denied reads
    "you said no to ...", not as if it were present."""
    kb = state.pipeline.kb
    condition = kb.conditions.get(condition_id)
    denied = {
        kb.findings[f].label: kb.findings[f].denied_label
        for f in (condition.key if condition else ())
        if result.case.state(f) is FindingState.ABSENT
    }
    return [said_no(label, denied[label]) if label in denied else label for label in labels]


def explicit_denials(flow: FlowState) -> set[str]:
    """The findings the person said no to themselves: a chip they unticked or kept as
    "no" on the confirm step, and a "No" to a yes-or-no question (an interview answer
    that set one finding). Boxes left unticked in a list of options are not a "no" the
    person gave, so they are not shown as one."""
    absent = FindingState.ABSENT.value
    ordered = list(flow.findings)
    confirmed = len(ordered) - sum(flow.steps)
    denied = {f for f in ordered[:confirmed] if flow.findings[f] == absent}
    position = confirmed
    for count in flow.steps:
        group = ordered[position : position + count]
        position += count
        if len(group) == 1 and flow.findings[group[0]] == absent:
            denied.add(group[0])
    return denied


def result_context(state: AppState, flow: FlowState, result: CheckResult) -> ResultView:
    """Everything result.html shows: first the answer (what it could be, what to do and
    by when, what to do if it gets worse), then what the answer rests on."""
    kb = state.pipeline.kb
    data = serialized_assessment(result, state.pipeline.kb, state.clinic)
    labels = {fid: f.label for fid, f in kb.findings.items()}
    citations = Citations({s["id"]: s for s in data["sources"]})
    emergency = data["urgency"] == Urgency.EMERGENCY.value

    final = {fid: st.value for fid, st in result.case.findings.items()}
    positive = denied_labels(state)
    shown = shown_values(kb)
    read_chips = in_shown_units(
        (c for c in reading_chips(result, labels, positive) if final.get(c.id) == c.state), shown
    )

    # Numbered in the order the page shows them: the answer first, then the reasons.
    def cited(item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "cites": citations.cite(item["source_ids"])}

    advice = data["advice"]
    causes = [
        {**cited(c), "against": _against(c["id"], c["against"], result, state)}
        for c in data["causes"]
    ]
    safety_net = [] if emergency else [cited(a) for a in advice if a["kind"] == "safety_net"]
    first_aid = [cited(a) for a in advice if a["kind"] == "first_aid"]
    withheld = [cited(w) for w in data.get("withheld", ())]
    home = [] if emergency else [cited(a) for a in advice if a["kind"] == "home"]
    avoid = [] if emergency else [cited(a) for a in advice if a["kind"] == "avoid"]
    reasons = [cited(r) for r in data["reasons"]]
    professional = [] if emergency else [cited(a) for a in advice if a["kind"] == "professional"]

    denied = explicit_denials(flow)
    answers = in_shown_units(
        (
            c
            for c in answer_chips(flow, result, labels, positive)
            if c.state != FindingState.ABSENT.value or c.id in denied
        ),
        shown,
    )
    scope = data.get("outside_scope")
    outside_scope: OutsideScope | None = (
        {"sites": [labels.get(s, s) for s in scope["site_ids"]], "clinicians": scope["clinicians"]}
        if scope
        else None
    )
    words = Vocabulary.of(kb)
    heading, by_when = urgency_headings(words)[data["urgency"]]
    content: ResultContent = {
        "data": data,
        "urgency": data["urgency"],
        "heading": heading,
        "by_when": by_when,
        "kind_heading": kind_headings(words)[data["kind"]],
        "read_chips": read_chips,
        "units": {fid: f.unit for fid, f in kb.findings.items() if f.unit},
        "answer_chips": answers,
        "kind_reasons": [k for k in data["kind_reasons"] if k not in {r["text"] for r in reasons}],
        "ignored": data["ignored_mentions"],
        "reasons": reasons,
        "causes": causes,
        "first_aid": first_aid,
        "home": home,
        "avoid": avoid,
        "professional": professional,
        "safety_net": safety_net,
        "withheld": withheld,
        "open_questions": [] if emergency else data["open_questions"],
        "sources": citations.numbered(),
        "outside_scope": outside_scope,
        "offer_appointment": not emergency,
    }
    return _page_of(content, flow)


def flow_part(flow: FlowState) -> FlowPart:
    """What a page in the middle of the check carries on: the check so far, and whether
    Back has somewhere to go (an earlier answer, or the words to return to)."""
    return {"state": flow.encode(), "can_go_back": bool(flow.steps) or flow.has_text}


def _page_of(content: ResultContent, flow: FlowState) -> ResultView:
    """``result.html``'s context: the result's content and the check it came from."""
    return {
        **content,
        **flow_part(flow),
        "evidence_labels": evidence_labels(),
        "has_text": flow.has_text,
    }


def stored_view(context: ResultView) -> dict[str, Any]:
    """The result page's content as JSON-ready data, to keep with the stored result:
    everything the person was shown, in the words it was shown in."""
    keep = stored_keys()
    kept = {key: value for key, value in context.items() if key in keep}
    encoded: dict[str, Any] = json.loads(json.dumps(kept, default=_plain))
    return encoded


def _plain(value: object) -> object:
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    raise TypeError(f"cannot store {type(value).__name__}")


CHIP_FIELDS = frozenset(f.name for f in fields(Chip))


def _chip(stored: dict[str, Any]) -> Chip:
    """A chip as a stored result kept it (a result kept before a field was added lacks
    it, and takes its default)."""
    kept = {k: v for k, v in stored.items() if k in CHIP_FIELDS}
    kept["quotes"] = tuple(kept.get("quotes") or ())
    return Chip(**kept)


def view_context(view: dict[str, Any], flow: FlowState) -> ResultView:
    """What result.html needs, from a stored result's content (JSON, as kept by
    :func:`stored_view`) and its check; its chips become chips again, so that each
    "no" reads in its positive words."""
    rebuilt = {
        **view,
        "read_chips": [_chip(c) for c in view.get("read_chips") or ()],
        "answer_chips": [_chip(c) for c in view.get("answer_chips") or ()],
    }
    content: ResultContent = rebuilt  # type: ignore[assignment]
    return _page_of(content, flow)
