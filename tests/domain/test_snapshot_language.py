"""A snapshot's language (version 3): the language the check was shown in, the languages
the words are written in, and the check in the clinic's language beside the person's;
older snapshots, which say none of this, read as they were stored."""

from __future__ import annotations

from crampcheck.domain.snapshot import CLINIC_COPY, Snapshot

SPANISH = {
    "version": 3,
    "language": "es",
    "written_in": ["es"],
    "description": "me dio un calambre en la pantorrilla",
    "urgency": "self_care",
    "action": "Por lo general esto se puede cuidar en casa.",
    "findings": [
        {
            "id": "site_calf",
            "label": "la pantorrilla",
            "state": "present",
            "text": "pantorrilla",
            "start": 24,
            "end": 35,
        }
    ],
    CLINIC_COPY: {
        "language": "en",
        "urgency": "self_care",
        "action": "This can usually be looked after at home.",
        "description": "never used: their words stay as written",
        "findings": [
            {
                "id": "site_calf",
                "label": "calf",
                "state": "present",
                "text": "pantorrilla",
                "start": 24,
                "end": 35,
            }
        ],
    },
}


def test_a_spanish_snapshot_reads_in_either_language() -> None:
    kept = Snapshot.read(SPANISH)
    assert kept.language == "es" and kept.written_in == ("es",)
    assert kept.rendering_languages() == ("es", "en")
    english = kept.in_language("en")
    assert english["action"] == "This can usually be looked after at home."
    assert english["description"] == "me dio un calambre en la pantorrilla"
    assert english["language"] == "es", "what the snapshot says of itself is kept"
    assert Snapshot.read(english).findings[0].label == "calf"
    assert Snapshot.read(english).findings[0].text == "pantorrilla"
    assert kept.in_language("es") is SPANISH
    assert kept.in_language("fr") is SPANISH, "no copy in it: as the person saw it"


def test_older_snapshots_say_no_language_and_read_as_stored() -> None:
    old = {"version": 2, "urgency": "doctor", "action": "See a doctor.", "findings": []}
    kept = Snapshot.read(old)
    assert kept.language is None and kept.written_in == ()
    assert kept.rendering_languages() == ()
    assert kept.in_language("en") is old
    assert Snapshot.read(None).language is None
    damaged = Snapshot.read({"language": 3, "written_in": "es", CLINIC_COPY: "x"})
    assert damaged.language is None and damaged.written_in == ()
    assert damaged.in_language("en") is damaged.data
