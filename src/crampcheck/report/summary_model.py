"""What the clinic's one-page summary of an appointment request holds, as plain data.

The page's shape only: the request summary and its parts (the rules that decided the
urgency, each finding with the person's own words, the possible causes, which are never
a diagnosis), and how each part reads on the page. Gathering them from a request's
snapshot is :mod:`crampcheck.report.summary`'s work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from crampcheck.domain.denials import Denial, denial
from crampcheck.domain.types import FindingState
from crampcheck.report.compact import REASON_LIMIT, WORDS_LIMIT, Excerpt, excerpt
from crampcheck.report.diary import DiaryFigures
from crampcheck.report.parts import SourceRef

MEDICINE_CATEGORIES = frozenset({"medicine"})
"""Knowledge-base finding categories listed under "Medications mentioned"."""
CONDITION_CATEGORIES = frozenset({"history"})
"""Knowledge-base finding categories listed under "Conditions and history mentioned"."""

STATE_LABELS: Mapping[str, str] = {
    FindingState.PRESENT.value: "said yes",
    FindingState.ABSENT.value: "said no",
    FindingState.UNKNOWN.value: "not sure",
}


@dataclass(frozen=True)
class Reason:
    """A rule that fired in the check: what it says, at which urgency, and why (sources)."""

    rule_id: str
    level: str
    text: str
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class FindingLine:
    """One finding of the check: its label, what the person said about it ("said yes",
    "said no", "not sure"), the words of theirs it was read from, and a measured value
    (such as minutes or days) when there is one. ``answered`` marks an answer given to
    a question or a chip rather than read in the description."""

    id: str
    label: str
    state: str
    words: tuple[str, ...]
    value: str | None
    answered: bool
    confirmed: bool = False
    """Read in the words and then confirmed by the person on the confirm step."""
    denied_label: str | None = None
    """What a "no" to a negatively worded finding means, in positive words (the
    knowledge base's ``denied_label``), so a denial never reads as a double negative."""

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def denial(self) -> Denial:
        """How a "no" to this finding reads (the same words as the person's pages)."""
        return denial(self.label, self.denied_label)

    @property
    def source(self) -> str:
        """Where the page says the finding came from: ``confirmed`` (read in the words,
        then confirmed), ``read`` (only read in the words) or ``answered`` (an answer to
        a question, with no words)."""
        if self.confirmed:
            return "confirmed"
        return "answered" if self.answered and not self.words else "read"


@dataclass(frozen=True)
class Cause:
    """A possible cause the check named ("could be", never a diagnosis), with the
    findings for and against it and who usually sees it."""

    name: str
    summary: str
    supporting: tuple[str, ...]
    against: tuple[str, ...]
    clinician: str | None
    flagged_by_rule: bool
    sources: tuple[SourceRef, ...]


@dataclass(frozen=True)
class RequestSummary:
    """Everything the clinic's one-page summary shows, ready to render."""

    request_id: str
    clinic_name: str
    clinic_phone: str
    time_zone: str
    """The clinic's time zone (IANA name): ``received_at`` and ``printed_at`` are in it."""
    received_at: datetime
    printed_at: datetime
    received: str
    """``received_at`` as the clinic's locale writes it, with its zone ("Mon, Mar 3, 2025,
    2:00 AM MST" for a US clinic)."""
    printed: str
    """``printed_at`` written the same way."""
    status: str
    name: str
    phone: str | None
    email: str | None
    location: str | None
    preferred_times: str | None
    urgency: str
    urgency_label: str
    urgency_when: str
    action: str | None
    kind: str
    kind_label: str
    kind_reasons: tuple[str, ...]
    description: str | None
    reasons: tuple[Reason, ...]
    findings: tuple[FindingLine, ...]
    medicines: tuple[FindingLine, ...]
    conditions: tuple[FindingLine, ...]
    causes: tuple[Cause, ...]
    diary: tuple[DiaryFigures, ...] | None
    """The shared diary, one entry per kind of episode logged, most episodes first
    (empty: shared, with no episode yet; None: not shared)."""
    sources: tuple[SourceRef, ...]
    """Every source the page cites, in order of first citation (listed once, at the end)."""
    kb_version: str
    current_kb_version: str
    disclaimer: str | None
    date_of_birth: date | None = None
    born: str | None = None
    """The date of birth in figures as the clinic's locale writes them ("4/23/1958" in
    the US, "23/04/1958" in the UK), so day and month are never read the wrong way."""
    age: int | None = None
    """From the date of birth on the day printed, else as given in the check."""
    sex: str | None = None
    """As given in the check (``female`` or ``male``)."""
    request_reason: str | None = None
    """Why the person asks, in their own words, from the form."""
    paper_size: str = "letter"
    """The clinic's paper (``letter`` or ``a4``), the page's size."""
    denials: tuple[FindingLine, ...] = ()
    """The "no" answers worth printing: red flags of rules at or above the answer's
    level that the person denied (see :mod:`crampcheck.report.compact`)."""
    language: str | None = None
    """The language the check was shown to the person in, when not the clinic's (its
    code, such as ``es``): their words are then quoted as written, in it."""
    language_label: str | None = None
    """That language's name in the clinic's language ("Spanish")."""

    @property
    def words(self) -> Excerpt | None:
        """The person's description as printed (cut with a note when very long)."""
        text = (self.description or "").strip()
        return excerpt(text, WORDS_LIMIT) if text else None

    @property
    def reason_words(self) -> Excerpt | None:
        """The reason from the form as printed (cut with a note when long)."""
        text = (self.request_reason or "").strip()
        return excerpt(text, REASON_LIMIT) if text else None

    @property
    def reported(self) -> tuple[FindingLine, ...]:
        """The findings the person said yes to (symptoms, signs, sites, context)."""
        return tuple(line for line in self.findings if line.state == FindingState.PRESENT.value)

    @property
    def unsure(self) -> tuple[FindingLine, ...]:
        """The findings the person was not sure of."""
        return tuple(line for line in self.findings if line.state == FindingState.UNKNOWN.value)

    @property
    def diary_shared(self) -> bool:
        return self.diary is not None
