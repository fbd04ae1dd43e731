"""The check's questions as a FHIR R4 Questionnaire, and a person's answers as its response.

The Questionnaire is generated from the knowledge base, never written by hand: its
canonical url is fixed and its version is the knowledge base's, so a receiving system
can tell which questions (and which clinical content) an answer refers to.

How the interview asks (see :mod:`crampcheck.engine.interview`) decides each item:

- A question group (``questions.yaml``) is a ``group`` item with the group's text. The
  interview shows its members as "tick all that apply" options: a ticked option is
  reported, an unticked one denied, and "don't know" leaves each one unknown. So every
  member is a ``choice`` item (its text the option's label) answered Yes, No or Don't
  know - the standard FHIR ``yesnodontknow`` codes - which keeps a denied warning sign
  (an important negative for the clinic) apart from one that was never settled.
- A finding in no group is asked on its own with its question: yes / no / don't know
  (``choice``) or, for a measured finding, a number in its unit (``quantity``). Diary
  findings are left out: they are computed from the diary, never asked in a check.
- Every finding item carries a nested ``string`` item, ``<finding id>.words``, for the
  words in the person's description that the finding was read from, a nested ``boolean``
  item, ``<finding id>.confirmed``, true when the person kept that reading on the
  confirm step, and its ``code`` lists the finding (crampcheck's id) and any ICD-10
  code the knowledge base gives it.
- One ``text`` item, ``description``, holds the description itself.

Nothing here adds meaning of its own: question text, labels and codes all come from the
knowledge base, and an answer says only what the person reported, denied or did not know.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from fhir.resources.R4B.questionnaire import Questionnaire
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from crampcheck.domain.snapshot import Snapshot
from crampcheck.domain.types import FindingState
from crampcheck.domain.units import UCUM
from crampcheck.fhir.diary import CRAMPCHECK, ICD10
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.knowledge.schema import Code, Finding, QuestionGroup
from crampcheck.knowledge.units import shown_value

QUESTIONNAIRE_URL = f"{CRAMPCHECK}:questionnaire:check"
"""Canonical url of the check's Questionnaire; its version is the knowledge base's."""

FINDING_SYSTEM = f"{CRAMPCHECK}:finding"
"""Code system of crampcheck's finding ids (the knowledge base's)."""

CODE_SYSTEMS = {"ICD-10-CM": ICD10, "ICD-10": "http://hl7.org/fhir/sid/icd-10"}
"""FHIR system uri of each classification the knowledge base's codes name."""

DESCRIPTION_LINK_ID = "description"
DESCRIPTION_TEXT = "What is happening?"
"""The free-text description, asked first, as the check's first page asks it."""

WORDS_SUFFIX = ".words"
WORDS_TEXT = "In the person's own words"

CONFIRMED_SUFFIX = ".confirmed"
CONFIRMED_TEXT = "Read in the person's words and confirmed by them"

NOT_ASKED_CATEGORIES = frozenset({"diary"})
"""Finding categories a check never asks (diary patterns are computed from episodes)."""

_YES = {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "Y", "display": "Yes"}
_NO = {"system": "http://terminology.hl7.org/CodeSystem/v2-0136", "code": "N", "display": "No"}
_DONT_KNOW = {
    "system": "http://terminology.hl7.org/CodeSystem/data-absent-reason",
    "code": "asked-unknown",
    "display": "Don't know",
}
STATE_CODING: Mapping[FindingState, Mapping[str, str]] = {
    FindingState.PRESENT: _YES,
    FindingState.ABSENT: _NO,
    FindingState.UNKNOWN: _DONT_KNOW,
}
"""A finding's state as an answer from the FHIR ``yesnodontknow`` value set."""


@dataclass(frozen=True)
class Answer:
    """What the person's check says about one finding.

    ``state``: reported (present), denied (absent) or asked but not known; ``value``:
    the measured quantity for a number finding; ``words``: the parts of the description
    the finding was read from (empty when it came from an answer, not the words);
    ``confirmed``: read in the words and then kept as read by the person.
    """

    state: FindingState
    value: float | None
    words: tuple[str, ...]
    confirmed: bool = False


# ---------------------------------------------------------------- the Questionnaire


def questionnaire_id(kb: KnowledgeBase) -> str:
    """The Questionnaire's resource id: the same for every export from one knowledge base."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{QUESTIONNAIRE_URL}|{kb.version}"))


def questionnaire_canonical(kb: KnowledgeBase) -> str:
    """The versioned canonical reference (``url|version``) a response points to."""
    return f"{QUESTIONNAIRE_URL}|{kb.version}"


def codings(codes: Iterable[Code]) -> list[dict[str, Any]]:
    """The knowledge base's classification codes (ICD-10, ICD-10-CM) as FHIR Codings."""
    return [{"system": CODE_SYSTEMS[c.system], "code": c.code, "display": c.display} for c in codes]


def _finding_codes(finding: Finding) -> list[dict[str, Any]]:
    own = {"system": FINDING_SYSTEM, "code": finding.id, "display": finding.label}
    return [own, *codings(finding.codes)]


def _words_item(finding_id: str) -> dict[str, Any]:
    return {"linkId": f"{finding_id}{WORDS_SUFFIX}", "text": WORDS_TEXT, "type": "string"}


def _finding_item(finding: Finding, text: str) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": finding.id,
        "code": _finding_codes(finding),
        "text": text,
    }
    if finding.answer == "number":
        item["type"] = "quantity"
    else:
        item["type"] = "choice"
        item["answerOption"] = [{"valueCoding": dict(c)} for c in STATE_CODING.values()]
    item["item"] = [
        _words_item(finding.id),
        {"linkId": f"{finding.id}{CONFIRMED_SUFFIX}", "text": CONFIRMED_TEXT, "type": "boolean"},
    ]
    return item


def _group_item(group: QuestionGroup, kb: KnowledgeBase) -> dict[str, Any]:
    members = [_finding_item(kb.findings[m], kb.findings[m].label) for m in group.members]
    return {"linkId": group.id, "text": group.text, "type": "group", "item": members}


def standalone_findings(kb: KnowledgeBase) -> list[Finding]:
    """Findings the interview asks on their own: in no group, and not diary patterns."""
    return [
        f
        for f in kb.findings.values()
        if f.id not in kb.group_of and f.category not in NOT_ASKED_CATEGORIES
    ]


def _items(kb: KnowledgeBase) -> list[dict[str, Any]]:
    description = {"linkId": DESCRIPTION_LINK_ID, "text": DESCRIPTION_TEXT, "type": "text"}
    groups = [_group_item(g, kb) for g in kb.groups]
    alone = [_finding_item(f, f.question) for f in standalone_findings(kb)]
    return [description, *groups, *alone]


def link_ids(items: Iterable[Mapping[str, Any]]) -> list[str]:
    """Every linkId in these items and their nested items, depth first."""
    found: list[str] = []
    for item in items:
        found.append(str(item["linkId"]))
        found.extend(link_ids(item.get("item", ())))
        for answer in item.get("answer", ()):
            found.extend(link_ids(answer.get("item", ())))
    return found


def questionnaire(kb: KnowledgeBase) -> dict[str, Any]:
    """The check's questions as a validated FHIR R4 Questionnaire (JSON data).

    Raises ValueError if two items would share a linkId (a finding id equal to a group id).
    """
    items = _items(kb)
    ids = link_ids(items)
    if len(ids) != len(set(ids)):
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"linkIds used twice: {', '.join(duplicated)}")
    resource = Questionnaire.model_validate(
        {
            "resourceType": "Questionnaire",
            "id": questionnaire_id(kb),
            "url": QUESTIONNAIRE_URL,
            "version": kb.version,
            "name": "CrampcheckCheck",
            "title": "crampcheck check: muscle cramps and spasms",
            "status": "active",
            "subjectType": ["Patient"],
            "publisher": "crampcheck",
            "description": "The questions crampcheck's check can ask, generated from its "
            f"knowledge base (version {kb.version}).",
            "item": items,
        }
    )
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True)
    return data


# ---------------------------------------------------------------- the response


def answers_from_findings(rows: Sequence[Mapping[str, Any]]) -> dict[str, Answer]:
    """One answer per finding from a snapshot's finding rows (see services/serialize.py),
    its state as the check used it (:meth:`Snapshot.final_states`): an answer given beside
    the words wins, and among mentions read in the words a report wins over a denial.
    The number is the answer's, else the largest read; words are kept in the order they
    were written."""
    snapshot = Snapshot.read({"findings": rows})
    final = snapshot.final_states()
    told = {row.id: row for row in snapshot.answer_rows}
    answers: dict[str, Answer] = {}
    for finding_id in dict.fromkeys(row.id for row in (*snapshot.read_rows, *told.values())):
        mentions = [row for row in snapshot.read_rows if row.id == finding_id]
        words = tuple(dict.fromkeys(str(r.text) for r in mentions if r.text))
        answer = told.get(finding_id)
        values = [r.value for r in mentions if r.value is not None]
        if answer is not None and answer.value is not None:
            value: float | None = answer.value
        else:
            value = max(values) if values else None
        confirmed = any(r.confirmed for r in mentions)
        answers[finding_id] = Answer(final[finding_id], value, words, confirmed)
    return answers


UCUM_SYSTEM = "http://unitsofmeasure.org"

_UCUM_BY_DIMENSION = {"heart_rate": "/min", "gestation": "wk", "score": "{score}"}
_UCUM_DURATION = {1.0: "min", 60.0: "h", 1440.0: "d"}


def ucum_code(finding: Finding) -> str | None:
    """The UCUM code of a measured finding's unit as shown (``Cel`` or ``[degF]`` for a
    temperature, ``min`` or ``d`` for a duration by its scale), None when not measured."""
    measure = finding.measure
    if measure is None:
        return None
    if measure.dimension == "temperature":
        return UCUM.get(finding.unit or "")
    if measure.dimension == "duration":
        return _UCUM_DURATION.get(measure.scale)
    return _UCUM_BY_DIMENSION.get(measure.dimension)


def _answer(finding: Finding, answer: Answer) -> dict[str, Any] | None:
    if finding.answer == "number":
        if answer.value is None or answer.state is not FindingState.PRESENT:
            return None
        # In the unit the clinic reads (a temperature in °F for a US clinic), with its
        # UCUM code so that a receiving system converts it right.
        quantity: dict[str, Any] = {"value": shown_value(finding, answer.value)}
        if finding.unit:
            quantity["unit"] = finding.unit
        code = ucum_code(finding)
        if code is not None:
            quantity["system"] = UCUM_SYSTEM
            quantity["code"] = code
        given: dict[str, Any] = {"valueQuantity": quantity}
    else:
        given = {"valueCoding": dict(STATE_CODING[answer.state])}
    nested = []
    if answer.words:
        words = [{"valueString": w} for w in answer.words]
        nested.append(
            {"linkId": f"{finding.id}{WORDS_SUFFIX}", "text": WORDS_TEXT, "answer": words}
        )
    if answer.confirmed:
        nested.append(
            {
                "linkId": f"{finding.id}{CONFIRMED_SUFFIX}",
                "text": CONFIRMED_TEXT,
                "answer": [{"valueBoolean": True}],
            }
        )
    if nested:
        given["item"] = nested
    return given


def _response_item(finding: Finding, text: str, answer: Answer | None) -> dict[str, Any] | None:
    given = None if answer is None else _answer(finding, answer)
    if given is None:
        return None
    return {"linkId": finding.id, "text": text, "answer": [given]}


def _response_items(
    kb: KnowledgeBase, answers: Mapping[str, Answer], description: str | None
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    if description and description.strip():
        items.append(
            {
                "linkId": DESCRIPTION_LINK_ID,
                "text": DESCRIPTION_TEXT,
                "answer": [{"valueString": description}],
            }
        )
    for group in kb.groups:
        members = [
            _response_item(kb.findings[m], kb.findings[m].label, answers.get(m))
            for m in group.members
        ]
        answered = [m for m in members if m is not None]
        if answered:
            items.append({"linkId": group.id, "text": group.text, "item": answered})
    for finding in standalone_findings(kb):
        alone = _response_item(finding, finding.question, answers.get(finding.id))
        if alone is not None:
            items.append(alone)
    return items


def questionnaire_response(
    snapshot: Mapping[str, Any],
    kb: KnowledgeBase,
    *,
    response_id: str,
    patient_ref: str,
    authored: str,
) -> dict[str, Any]:
    """The check a person saw (an appointment request's snapshot) as answers to
    :func:`questionnaire` (validated JSON data).

    Only findings that are questions in the Questionnaire become answers; a finding the
    current knowledge base no longer asks is left out (the description keeps the words).
    The person is both the subject and the source of every answer.
    """
    answers = answers_from_findings(snapshot.get("findings") or ())
    resource = QuestionnaireResponse.model_validate(
        {
            "resourceType": "QuestionnaireResponse",
            "id": response_id,
            "questionnaire": questionnaire_canonical(kb),
            "status": "completed",
            "subject": {"reference": patient_ref},
            "source": {"reference": patient_ref},
            "authored": authored,
            "item": _response_items(kb, answers, snapshot.get("description")),
        }
    )
    data: dict[str, Any] = resource.model_dump(mode="json", exclude_none=True)
    return data
