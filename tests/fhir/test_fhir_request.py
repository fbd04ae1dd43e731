"""FHIR export of one appointment request: the bundle validates with fhir.resources' R4B
models; the Questionnaire is the interview's questions; the QuestionnaireResponse answers
only questions that exist and keeps the person's own words; the RiskAssessment's basis
and every other reference resolve inside the bundle; the ServiceRequest's priority and
status follow the request; and the same request always gives the same ids.

Assessments are real ones, produced by the pipeline (the session's shared reader) and
frozen with ``snapshot_of`` as an appointment request stores them; no database is used.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.patient import Patient

from crampcheck.clinic import Clinic, load_clinic
from crampcheck.domain.appointment import AppointmentRecord
from crampcheck.domain.diary import EpisodeRecord
from crampcheck.domain.types import Case, FindingState, Kind, Urgency
from crampcheck.engine.interview import question_by_id
from crampcheck.fhir.questionnaire import (
    CONFIRMED_SUFFIX,
    DESCRIPTION_LINK_ID,
    QUESTIONNAIRE_URL,
    WORDS_SUFFIX,
    link_ids,
    questionnaire,
)
from crampcheck.fhir.request import (
    PRIORITY,
    STATUS,
    kind_display,
    request_bundle,
    urgency_display,
)
from crampcheck.knowledge import KnowledgeBase
from crampcheck.services.appointments import snapshot_of
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict

URGENT_TEXT = (
    "My left calf has been swollen, red and warm for two days and the cramp will not go "
    "away after a long flight. No fever."
)
SELF_CARE_TEXT = "I get a calf cramp at night after running; it eases when I stretch"
REQUEST_ID = "0b7e8a52-3c1d-4f3e-9a55-6f1e2d3c4b5a"
CREATED = datetime(2025, 1, 30, 9, 30, tzinfo=UTC)
NOW = datetime(2025, 1, 30, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def clinic() -> Clinic:
    return load_clinic()


def make_request(
    pipeline: Pipeline,
    text: str = URGENT_TEXT,
    answers: dict[str, FindingState] | None = None,
    **changes: Any,
) -> AppointmentRecord:
    """An appointment request as create_request stores it, as the export reads it."""
    assessment = result_to_dict(pipeline.check_text(text, answers=answers), pipeline.kb)
    fields: dict[str, Any] = {
        "clinic_id": "auger-podiatry",
        "id": REQUEST_ID,
        "created_at": CREATED,
        "name": "Ana Lima",
        "phone": "(801) 555-0100",
        "email": "ana@example.com",
        "preferred_location": "sandy",
        "preferred_times": "Weekday mornings",
        "consent_to_share": True,
        "urgency": assessment["urgency"],
        "kind": assessment["kind"],
        "kb_version": assessment["kb_version"],
        "status": "new",
        "snapshot": snapshot_of(assessment, text),
    }
    fields.update(changes)
    return AppointmentRecord(**fields)


def make_episodes(count: int = 2) -> list[EpisodeRecord]:
    start = datetime(2025, 1, 20, 3, 0, tzinfo=UTC)
    return [
        EpisodeRecord(
            id=str(uuid.UUID(int=i + 1)),
            started_at=start + timedelta(days=i),
            created_at=start + timedelta(days=i, hours=1),
            site="site_calf",
            side="left",
            duration_minutes=4.0,
            pain=6,
            feel="cramp",
            notes="woke me up",
        )
        for i in range(count)
    ]


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def one(bundle: dict[str, Any], kind: str) -> dict[str, Any]:
    (found,) = resources(bundle, kind)
    return found


def references(node: Any) -> Iterator[str]:
    """Every ``reference`` string anywhere in a resource."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def ids_of(bundle: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (e["fullUrl"], e["resource"]["resourceType"], e["resource"]["id"]) for e in bundle["entry"]
    ]


def answered(items: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """QuestionnaireResponse items that carry answers, by linkId, at any depth."""
    found: dict[str, dict[str, Any]] = {}
    for item in items:
        if "answer" in item:
            found[item["linkId"]] = item
            for answer in item["answer"]:
                found.update(answered(answer.get("item", [])))
        found.update(answered(item.get("item", [])))
    return found


# ---------------------------------------------------------------- the Questionnaire


def test_questionnaire_is_the_interviews_questions(kb: KnowledgeBase) -> None:
    form = questionnaire(kb)
    assert form["url"] == QUESTIONNAIRE_URL
    assert form["version"] == kb.version
    top = {item["linkId"]: item for item in form["item"]}
    assert list(top)[0] == DESCRIPTION_LINK_ID
    for group in kb.groups:
        item = top[group.id]
        assert item["type"] == "group"
        assert item["text"] == group.text
        assert [m["linkId"] for m in item["item"]] == list(group.members)
        assert [m["text"] for m in item["item"]] == [kb.findings[m].label for m in group.members]
    alone = [i for i in top if i != DESCRIPTION_LINK_ID and i not in {g.id for g in kb.groups}]
    assert alone, "the interview asks some findings on their own"
    for finding_id in alone:
        # The interview can ask each stand-alone item by its id, with the same text.
        asked = question_by_id(finding_id, Case(), kb)
        assert top[finding_id]["text"] == asked.text
        expected = "quantity" if asked.select == "number" else "choice"
        assert top[finding_id]["type"] == expected
    asked_ids = set(link_ids(form["item"]))
    assert not {f.id for f in kb.findings.values() if f.category == "diary"} & asked_ids
    assert len(asked_ids) == len(link_ids(form["item"]))


def test_yes_no_questions_offer_dont_know_and_carry_the_knowledge_base_codes(
    kb: KnowledgeBase,
) -> None:
    form = questionnaire(kb)
    items = {i["linkId"]: i for g in form["item"] for i in g.get("item", [])}
    coded = next(f for f in kb.findings.values() if f.codes and f.id in items)
    item = items[coded.id]
    assert item["type"] == "choice"
    assert [o["valueCoding"]["display"] for o in item["answerOption"]] == [
        "Yes",
        "No",
        "Don't know",
    ]
    assert {c["code"] for c in item["code"]} >= {c.code for c in coded.codes}
    assert [child["linkId"] for child in item["item"]] == [
        f"{coded.id}{WORDS_SUFFIX}",
        f"{coded.id}{CONFIRMED_SUFFIX}",
    ]


# ---------------------------------------------------------------- the bundle


@pytest.mark.parametrize("shared_diary", [True, False], ids=["with-diary", "without-diary"])
def test_bundle_validates_and_holds_every_resource(
    pipeline: Pipeline, clinic: Clinic, shared_diary: bool
) -> None:
    episodes = make_episodes() if shared_diary else None
    bundle = request_bundle(make_request(pipeline), episodes, pipeline.kb, clinic, now=NOW)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    kinds = sorted(e["resource"]["resourceType"] for e in bundle["entry"])
    expected = [
        "Patient",
        "Questionnaire",
        "QuestionnaireResponse",
        "RiskAssessment",
        "ServiceRequest",
    ] + ["Observation"] * (2 if shared_diary else 0)
    assert kinds == sorted(expected)
    full_urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(full_urls) == len(set(full_urls))


def test_patient_is_the_name_and_contacts_from_the_form_only(
    pipeline: Pipeline, clinic: Clinic
) -> None:
    bundle = request_bundle(make_request(pipeline, email=None), None, pipeline.kb, clinic, now=NOW)
    person = one(bundle, "Patient")
    assert person["name"] == [{"text": "Ana Lima"}]
    assert person["telecom"] == [{"system": "phone", "value": "(801) 555-0100"}]
    assert "identifier" not in person
    assert "birthDate" not in person and "gender" not in person


@pytest.mark.parametrize("sex", ["female", "male"])
def test_patient_carries_birth_date_and_gender_when_given(
    pipeline: Pipeline, clinic: Clinic, sex: str
) -> None:
    request = make_request(pipeline, date_of_birth=date(1961, 4, 23), check_sex=sex)
    bundle = request_bundle(request, None, pipeline.kb, clinic, now=NOW)
    Bundle.model_validate(bundle)
    person = one(bundle, "Patient")
    validated = Patient.model_validate(person)
    assert str(validated.birthDate) == "1961-04-23" and validated.gender == sex
    assert person["birthDate"] == "1961-04-23" and person["gender"] == sex


def test_patient_carries_what_was_given_only(pipeline: Pipeline, clinic: Clinic) -> None:
    born_only = make_request(pipeline, date_of_birth=date(2001, 2, 28))
    person = one(request_bundle(born_only, None, pipeline.kb, clinic, now=NOW), "Patient")
    Patient.model_validate(person)
    assert person["birthDate"] == "2001-02-28" and "gender" not in person
    sex_only = make_request(pipeline, check_sex="female")
    person = one(request_bundle(sex_only, None, pipeline.kb, clinic, now=NOW), "Patient")
    Patient.model_validate(person)
    assert person["gender"] == "female" and "birthDate" not in person


def test_answers_are_to_questions_that_exist(pipeline: Pipeline, clinic: Clinic) -> None:
    bundle = request_bundle(make_request(pipeline), None, pipeline.kb, clinic, now=NOW)
    form = one(bundle, "Questionnaire")
    response = one(bundle, "QuestionnaireResponse")
    assert response["questionnaire"] == f"{form['url']}|{form['version']}"
    assert response["status"] == "completed"
    answered_ids = link_ids(response["item"])
    assert answered_ids
    assert set(answered_ids) <= set(link_ids(form["item"]))


def test_findings_that_are_not_questions_are_left_out(pipeline: Pipeline, clinic: Clinic) -> None:
    request = make_request(pipeline)
    diary_finding = next(f for f in pipeline.kb.findings.values() if f.category == "diary")
    extra = {"id": diary_finding.id, "label": "x", "state": "present", "text": "every night"}
    request = replace(
        request, snapshot={**request.snapshot, "findings": [*request.snapshot["findings"], extra]}
    )
    bundle = request_bundle(request, None, pipeline.kb, clinic, now=NOW)
    assert diary_finding.id not in link_ids(one(bundle, "QuestionnaireResponse")["item"])


def test_the_persons_own_words_survive(pipeline: Pipeline, clinic: Clinic) -> None:
    request = make_request(pipeline)
    bundle = request_bundle(request, None, pipeline.kb, clinic, now=NOW)
    items = answered(one(bundle, "QuestionnaireResponse")["item"])
    assert items[DESCRIPTION_LINK_ID]["answer"] == [{"valueString": URGENT_TEXT}]
    read = [r for r in request.snapshot["findings"] if r["text"]]
    assert {r["id"] for r in read} >= {"swelling", "long_travel", "fever"}
    for row in read:
        words = items[f"{row['id']}{WORDS_SUFFIX}"]["answer"]
        assert {"valueString": row["text"]} in words
    # "No fever" is a denial, kept with its words.
    assert items["fever"]["answer"][0]["valueCoding"]["code"] == "N"
    assert items["swelling"]["answer"][0]["valueCoding"]["code"] == "Y"
    assert items["history_days"]["answer"][0]["valueQuantity"]["value"] == 2


def test_answers_given_beside_the_words_win_and_dont_know_is_kept(
    pipeline: Pipeline, clinic: Clinic
) -> None:
    answers = {"chest_pain": FindingState.ABSENT, "swelling": FindingState.UNKNOWN}
    request = make_request(pipeline, answers=answers)
    bundle = request_bundle(request, None, pipeline.kb, clinic, now=NOW)
    items = answered(one(bundle, "QuestionnaireResponse")["item"])
    assert items["chest_pain"]["answer"][0]["valueCoding"]["code"] == "N"
    swelling = items["swelling"]["answer"][0]
    assert swelling["valueCoding"]["code"] == "asked-unknown"
    assert swelling["item"][0]["answer"] == [{"valueString": "swollen"}]


@pytest.mark.parametrize("shared_diary", [True, False], ids=["with-diary", "without-diary"])
def test_risk_assessment_basis_resolves_inside_the_bundle(
    pipeline: Pipeline, clinic: Clinic, shared_diary: bool
) -> None:
    episodes = make_episodes(3) if shared_diary else None
    bundle = request_bundle(make_request(pipeline), episodes, pipeline.kb, clinic, now=NOW)
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    risk = one(bundle, "RiskAssessment")
    basis = [by_url[b["reference"]]["resourceType"] for b in risk["basis"]]
    assert basis == ["QuestionnaireResponse"] + ["Observation"] * (3 if shared_diary else 0)


def test_risk_assessment_carries_urgency_kind_and_the_rules_with_sources(
    pipeline: Pipeline, clinic: Clinic
) -> None:
    request = make_request(pipeline)
    risk = one(request_bundle(request, None, pipeline.kb, clinic, now=NOW), "RiskAssessment")
    urgency, kind = (p["outcome"]["coding"][0] for p in risk["prediction"][:2])
    assert (urgency["code"], urgency["display"]) == ("urgent", "Urgent: contact within 24 hours")
    assert kind["code"] == request.kind
    notes = " ".join(n["text"] for n in risk["note"])
    for reason in request.snapshot["reasons"]:
        assert f"Rule {reason['rule_id']} ({reason['level']})" in notes
        for source_id in reason["source_ids"]:
            assert source_id in notes
    causes = [p["outcome"]["coding"][0]["code"] for p in risk["prediction"][2:]]
    assert causes == [c["id"] for c in request.snapshot["causes"]]
    assert request.kb_version in risk["method"]["text"]


def test_urgent_request_is_an_urgent_service_request(pipeline: Pipeline, clinic: Clinic) -> None:
    bundle = request_bundle(make_request(pipeline), None, pipeline.kb, clinic, now=NOW)
    service = one(bundle, "ServiceRequest")
    assert service["priority"] == "urgent"
    assert service["status"] == "active"
    assert service["locationCode"][0]["coding"][0]["code"] == "sandy"
    assert service["occurrenceTiming"]["code"]["text"] == "Weekday mornings"
    assert service["performer"] == [{"display": clinic.name}]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    (reason,) = service["reasonReference"]
    assert by_url[reason["reference"]]["resourceType"] == "RiskAssessment"
    assert by_url[service["subject"]["reference"]]["resourceType"] == "Patient"


def test_self_care_request_is_routine(pipeline: Pipeline, clinic: Clinic) -> None:
    request = make_request(pipeline, SELF_CARE_TEXT)
    assert request.urgency == Urgency.SELF_CARE
    service = one(request_bundle(request, None, pipeline.kb, clinic, now=NOW), "ServiceRequest")
    assert service["priority"] == "routine"


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("new", "active"),
        ("contacted", "active"),
        ("booked", "active"),
        ("closed", "completed"),
        ("declined", "revoked"),
    ],
)
def test_service_request_status_follows_the_request(
    pipeline: Pipeline, clinic: Clinic, status: str, expected: str
) -> None:
    request = make_request(pipeline, status=status)
    service = one(request_bundle(request, None, pipeline.kb, clinic, now=NOW), "ServiceRequest")
    assert service["status"] == expected


def test_unknown_status_is_refused(pipeline: Pipeline, clinic: Clinic) -> None:
    with pytest.raises(ValueError, match="unknown request status"):
        request_bundle(make_request(pipeline, status="lost"), None, pipeline.kb, clinic)


def test_every_urgency_and_kind_has_a_display_and_priority(pipeline: Pipeline) -> None:
    assert all(urgency_display(level, pipeline.kb) for level in Urgency)
    assert set(PRIORITY) == set(Urgency)
    assert all(kind_display(kind, pipeline.kb) for kind in Kind)
    assert set(STATUS.values()) <= {"active", "completed", "revoked"}


def test_every_reference_resolves_inside_the_bundle(pipeline: Pipeline, clinic: Clinic) -> None:
    bundle = request_bundle(make_request(pipeline), make_episodes(), pipeline.kb, clinic, now=NOW)
    full_urls = {e["fullUrl"] for e in bundle["entry"]}
    found = list(references(bundle))
    assert len(found) > 10
    assert set(found) <= full_urls
    for entry in bundle["entry"]:
        assert entry["fullUrl"] == f"urn:uuid:{entry['resource']['id']}"


def test_the_same_request_gives_the_same_ids(pipeline: Pipeline, clinic: Clinic) -> None:
    episodes = make_episodes()
    first = request_bundle(make_request(pipeline), episodes, pipeline.kb, clinic, now=NOW)
    later = NOW + timedelta(days=3)
    again = request_bundle(make_request(pipeline), episodes, pipeline.kb, clinic, now=later)
    assert again["timestamp"] != first["timestamp"]
    assert {**again, "timestamp": first["timestamp"]} == first
    other = request_bundle(
        make_request(pipeline, id=str(uuid.uuid4())), episodes, pipeline.kb, clinic, now=NOW
    )
    own = {i for _, kind, i in ids_of(first) if kind not in ("Observation", "Questionnaire")}
    theirs = {i for _, kind, i in ids_of(other) if kind not in ("Observation", "Questionnaire")}
    assert len(own) == 4
    assert not own & theirs
