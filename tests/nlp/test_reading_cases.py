"""Case sets written in people's own words by writers who never saw the code.

``rural_s`` (working people and older people in rural Utah typing at night) was kept
untouched until the day's reader and rules were finished: 58/80 exact urgency, 19/20
emergencies, 11 under-triaged (2 by two levels) both before and after them - the honest
figure; a few fixes from its misses and from a review came after (so its floor here is a
development figure).
``carers_r`` (parents, adult children, spouses and care staff describing someone else;
untouched 63/80, 18/20 emergencies) and ``teens_q`` (teenagers, student athletes and
their coaches; untouched 59/80, 17/20) were scored before the changes tuned on them.

``texts_a`` (typed on a phone), ``carers_b`` (parents, carers, coaches), ``mixed_c``
(older people, non-native English, teenagers, athletes) and ``portal_f`` (patient-portal
messages; scored once untouched, 59/80, before it was used), ``chat_i`` (a clinic chat
box at odd hours; untouched 62/80) and ``voices_j`` (relatives, non-native English,
older people, coaches; untouched 67/80) are development sets: the
reader and rules were improved on their kinds of failure, so here they are regression
floors, not evidence. ``heldout_d`` (nurse-line callers and app users), ``heldout_e``
(app and after-hours messages, voice-to-text), ``heldout_g`` and ``heldout_h`` (calls and
messages, written after the tuning) and ``heldout_k`` (dictated messages, forum posts,
mountain athletes, night-shift workers) were each scored untouched once; their
figures are the honest ones (see ``python -m tests.reading_eval``); they are not
asserted here, so that a failure on them is reported and reviewed, never tuned away.
``heldout_u`` (patient-portal messages from people with long-term conditions and many
medicines) was kept untouched while ``esl_t`` (Utah residents writing in English as a
second language) and ``jargon_v`` (health-care workers' shorthand) were tuned on: it
scored 62/80 (emergencies 19/20) before the day's changes and 64/80 (19/20) after.
``short_w`` (one to three lines typed at night), ``others_y`` (parents, spouses, coaches
and aides writing about someone else) and ``outdoor_z`` (Utah outdoor workers, athletes
and their foremen and coaches) were scored before the changes tuned on them: 63, 62 and
63/80 exact (emergencies 16, 18 and 18/20); they are development sets now. ``short_w``
has no floor here: its one emergency still answered urgent (w-019, weakness and tingling
spreading within a day after a stomach bug) is a clinical call on Guillain-Barre, which
the knowledge base sends to a doctor today and the writer to the ER, so it is reported,
not asserted.
``dictated_x`` (voice-to-text from older people, drivers and people working with their
hands) was kept untouched through the same day: 64/80 exact (emergencies 18/20,
under-triage 9, one by two levels, kind 66/80) both before and after the day's changes -
the honest figure; two fixes read from its misses afterwards ("mussel" for muscle, "leg
camps") made it 65/80. It has no floor.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcheck.services.pipeline import Pipeline
from tests.reading_eval import score

CASES = Path(__file__).parents[1] / "reading_cases"

# Figures reached on the development sets: exact urgency, kind (out of 80 each).
FLOORS = {
    "texts_a": (71, 70),
    "carers_b": (70, 71),
    "mixed_c": (69, 68),
    "portal_f": (73, 74),
    "chat_i": (71, 69),
    "voices_j": (71, 69),
    "app_l": (70, 74),
    "voicemail_n": (67, 68),
    "forums_o": (66, 68),
    "carers_r": (74, 62),
    "teens_q": (65, 68),
    "rural_s": (61, 63),
    "esl_t": (75, 69),
    "jargon_v": (65, 64),
    "others_y": (70, 71),
    "outdoor_z": (72, 68),
}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_development_sets_do_not_fall_back(pipeline: Pipeline, name: str) -> None:
    del pipeline  # loaded once for the session; score() uses the shared pipeline
    figures = score(CASES / f"{name}.jsonl")
    exact, kind = FLOORS[name]
    misses = "\n".join(str(m) for m in figures["misses"])
    assert figures["emergencies_caught"] == figures["emergencies"], misses
    assert figures["exact_urgency"] >= exact, misses
    assert figures["kind_correct"] >= kind, misses


def test_every_set_has_twenty_cases_of_each_urgency() -> None:
    import json

    for path in sorted(CASES.glob("*.jsonl")):
        cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
        levels = [c["expected_urgency"] for c in cases]
        assert len(cases) == 80, path.name
        assert all(levels.count(u) == 20 for u in ("emergency", "urgent", "doctor", "self_care"))
