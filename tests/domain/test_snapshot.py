"""The snapshot a clinic keeps is read one way by every reader, whatever its version."""

from __future__ import annotations

from crampcheck.clinic.model import load_clinic
from crampcheck.domain.snapshot import SNAPSHOT_VERSION, Snapshot
from crampcheck.domain.types import FindingState
from crampcheck.services.appointments import snapshot_of
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import assessment_payload

ROWS = [
    {"id": "pain", "label": "pain", "state": "absent", "text": "no pain", "start": 0, "end": 7},
    {"id": "pain", "label": "pain", "state": "present", "text": "hurts", "start": 20, "end": 25},
    {"id": "swelling", "label": "swelling", "state": "present", "text": "swollen", "start": 30},
    {"id": "swelling", "label": "swelling", "state": "absent", "text": None},
    {"id": "fever", "label": "a fever", "state": "absent", "text": None},
]


def test_an_answer_beside_the_words_wins_and_a_yes_wins_among_mentions() -> None:
    snapshot = Snapshot.read({"findings": ROWS})
    assert snapshot.version == 1
    assert snapshot.read_states() == {
        "pain": FindingState.PRESENT,
        "swelling": FindingState.PRESENT,
    }
    assert snapshot.final_states() == {
        "pain": FindingState.PRESENT,
        "swelling": FindingState.ABSENT,
        "fever": FindingState.ABSENT,
    }
    assert [row.id for row in snapshot.answer_rows] == ["swelling", "fever"]


def test_evidence_against_marks_only_key_findings_the_person_denied() -> None:
    snapshot = Snapshot.read({"findings": ROWS})
    against = snapshot.against(["a fever", "pain"], {"fever": "a fever", "pain": "pain"})
    assert [(a.label, a.denied) for a in against] == [("a fever", True), ("pain", False)]
    unrelated = snapshot.against(["a fever"], {})
    assert [(a.label, a.denied) for a in unrelated] == [("a fever", False)]


def test_a_new_snapshot_carries_its_version_and_reads_back(pipeline: Pipeline) -> None:
    text = "My calf cramps at night; no swelling."
    result = pipeline.check_text(text, 40)
    stored = snapshot_of(assessment_payload(result, pipeline.kb, load_clinic()), text)
    snapshot = Snapshot.read(stored)
    assert stored["version"] == SNAPSHOT_VERSION == snapshot.version
    assert snapshot.description == text
    assert snapshot.final_states() == {
        finding_id: state
        for finding_id, state in result.case.findings.items()
        if finding_id in snapshot.final_states()
    }


def test_a_damaged_or_missing_snapshot_reads_as_empty() -> None:
    for stored in (None, {}, {"findings": "not rows"}, {"findings": [1, "x", None]}):
        snapshot = Snapshot.read(stored)  # type: ignore[arg-type]
        assert snapshot.findings == () and snapshot.final_states() == {}
