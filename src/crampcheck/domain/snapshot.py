"""What the person was shown, as the clinic keeps it with an appointment request.

The snapshot is written once, when the request is sent, and read by the staff request
page, the PDF summary, the FHIR export and the staff API. Its findings are rows: first
what was read in the person's words (each with the words and where they stand in the
description), then the answers given beside the words (the interview, or a corrected
chip), which have no words. Reading them the way the check used them is done here, once:

- a finding's state as read in the words: any mention saying yes wins over "no" (the
  reader's rule), otherwise the last mention's;
- its final state: an answer given beside the words wins over what was read;
- evidence against a possible cause: one of the cause's key findings that the person
  denied reads as "said no to ...", never as if it were present.

Snapshots stored before the version field was written (version 1) read the same way.

Since version 3 a snapshot also says which language the check was shown in
(``language``) and which languages the person's words are written in (``written_in``); a
check shown in another language than the clinic's keeps, in ``in_clinic_language``, the
same check assessed in the clinic's language (the same words, read the same way, with the
same knowledge base), so that the clinic reads the urgency, the findings and the reasons
in its own language beside the person's words as written. Older snapshots say neither
(``language`` None): they are read as they were stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crampcheck.domain.types import FindingState

SNAPSHOT_VERSION = 3
"""Written into every new snapshot; a stored snapshot without it is version 1."""

CLINIC_COPY = "in_clinic_language"
"""The key of a snapshot's rendering in the clinic's language (version 3 on)."""
KEPT_AS_WRITTEN = ("description", "version", "language", "written_in")
"""What a rendering in another language never replaces: the person's own words, and
what the snapshot says about itself."""


@dataclass(frozen=True)
class FindingRow:
    """One finding row: a mention read in the words, or an answer given beside them."""

    id: str
    label: str
    state: FindingState
    text: str | None = None
    start: int | None = None
    end: int | None = None
    value: float | None = None
    confirmed: bool = False
    hedged: bool = False

    @property
    def in_words(self) -> bool:
        """Read in the person's words (an answer given beside them has none)."""
        return self.text is not None

    @classmethod
    def from_stored(cls, row: Mapping[str, Any]) -> FindingRow:
        """A stored row (unknown or missing states read as "unknown")."""
        value = row.get("value")
        start, end = row.get("start"), row.get("end")
        state = str(row.get("state"))
        return cls(
            id=str(row.get("id")),
            label=str(row.get("label") or row.get("id")),
            state=FindingState(state)
            if state in FindingState._value2member_map_
            else (FindingState.UNKNOWN),
            text=None if row.get("text") is None else str(row.get("text")),
            start=start if isinstance(start, int) else None,
            end=end if isinstance(end, int) else None,
            value=float(value) if isinstance(value, int | float) else None,
            confirmed=row.get("confirmed") is True,
            hedged=row.get("hedged") is True,
        )


@dataclass(frozen=True)
class Against:
    """One piece of evidence against a possible cause, and whether it is a key finding
    of the cause that the person said no to."""

    label: str
    denied: bool


@dataclass(frozen=True)
class Snapshot:
    """A stored snapshot, read: its version, its finding rows, and the rest as stored."""

    version: int
    findings: tuple[FindingRow, ...]
    data: Mapping[str, Any]

    @classmethod
    def read(cls, stored: Mapping[str, Any] | None) -> Snapshot:
        """Read a stored snapshot of any version (None or a damaged one reads as empty)."""
        data: Mapping[str, Any] = stored if isinstance(stored, Mapping) else {}
        version = data.get("version")
        rows = tuple(
            FindingRow.from_stored(row)
            for row in data.get("findings") or ()
            if isinstance(row, Mapping)
        )
        return cls(version if isinstance(version, int) else 1, rows, data)

    @property
    def language(self) -> str | None:
        """The language the check was shown to the person in (None: not recorded, a
        snapshot from before version 3)."""
        language = self.data.get("language")
        return language if isinstance(language, str) and language else None

    @property
    def written_in(self) -> tuple[str, ...]:
        """The languages the person's words are written in, as the reader told them
        (``("es",)``; both for a text that mixes them; empty when not recorded, when
        there were no words, or for words in neither language)."""
        found = self.data.get("written_in")
        return tuple(str(x) for x in found) if isinstance(found, list | tuple) else ()

    def rendering_languages(self) -> tuple[str, ...]:
        """The languages this snapshot can be read in: the person's, then the clinic's
        when it keeps a copy in it."""
        copy = self.data.get(CLINIC_COPY)
        languages = [self.language] if self.language else []
        if isinstance(copy, Mapping) and isinstance(copy.get("language"), str):
            languages.append(str(copy["language"]))
        return tuple(dict.fromkeys(languages))

    def in_language(self, language: str) -> Mapping[str, Any]:
        """The stored data with the check in ``language`` when the snapshot keeps it in
        that language (the person's words, as written, stay): the person's when it was
        shown in it, the clinic's copy when that is in it, else as the person saw it."""
        copy = self.data.get(CLINIC_COPY)
        if (
            self.language == language
            or not isinstance(copy, Mapping)
            or copy.get("language") != language
        ):
            return self.data
        rendered = {k: v for k, v in copy.items() if k not in KEPT_AS_WRITTEN}
        return {**self.data, **rendered}

    @property
    def description(self) -> str:
        """The person's own words ('' when the check was answered without them)."""
        return str(self.data.get("description") or "")

    def section(self, name: str) -> list[Mapping[str, Any]]:
        """A list section of the snapshot (reasons, causes, advice, ...), its items as
        stored; missing or damaged items are left out."""
        return [item for item in self.data.get(name) or () if isinstance(item, Mapping)]

    @property
    def read_rows(self) -> tuple[FindingRow, ...]:
        """The mentions read in the words, in the order they were written."""
        return tuple(row for row in self.findings if row.in_words)

    @property
    def answer_rows(self) -> tuple[FindingRow, ...]:
        """The answers given beside the words."""
        return tuple(row for row in self.findings if not row.in_words)

    def read_states(self) -> dict[str, FindingState]:
        """One state per finding read in the words: any mention saying yes wins, else
        the last mention's."""
        return _read_states(self.read_rows)

    def final_states(self) -> dict[str, FindingState]:
        """One state per finding, as the check used it: an answer given beside the words
        wins over what was read."""
        answered = {row.id: row.state for row in self.answer_rows}
        return {**self.read_states(), **answered}

    def against(self, labels: Iterable[str], key_labels: Mapping[str, str]) -> tuple[Against, ...]:
        """The evidence against a cause (``labels``, as stored), each marked when it is
        one of the cause's key findings (``key_labels``: finding id to label) that the
        person denied."""
        final = self.final_states()
        denied = {
            label
            for finding_id, label in key_labels.items()
            if final.get(finding_id) is FindingState.ABSENT
        }
        return tuple(Against(str(label), str(label) in denied) for label in labels)


def _read_states(rows: Sequence[FindingRow]) -> dict[str, FindingState]:
    states: dict[str, FindingState] = {}
    for row in rows:
        if states.get(row.id) is not FindingState.PRESENT:
            states[row.id] = row.state
    return states
