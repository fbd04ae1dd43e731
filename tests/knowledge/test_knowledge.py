"""The knowledge base loads, validates, and names the file and key of any mistake."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from crampcheck.domain.types import Kind, Urgency
from crampcheck.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from crampcheck.knowledge.loader import DATA_PACKAGE
from crampcheck.knowledge.translations import Coverage
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.rule_cases import audit_rules


def _data_copy(tmp_path: Path) -> Path:
    from importlib import resources

    source = Path(str(resources.files(DATA_PACKAGE)))
    target = tmp_path / "data"
    shutil.copytree(source, target)
    return target


def test_counts_cover_every_kind_of_record(kb: KnowledgeBase) -> None:
    counts = kb.counts()
    assert counts["sources"] >= 30
    assert counts["findings"] >= 100
    assert counts["conditions"] >= 30
    assert counts["rules"] >= 40
    assert counts["advice"] >= 15
    assert counts["cases"] >= 2 * counts["rules"]


def test_every_red_flags_row_condition_is_named(kb: KnowledgeBase) -> None:
    expected = {
        "acute_limb_ischaemia",
        "compartment_syndrome",
        "chronic_compartment_syndrome",
        "dvt",
        "pulmonary_embolism",
        "rhabdomyolysis",
        "heat_cramps",
        "heatstroke",
        "stroke",
        "cauda_equina",
        "back_infection_or_tumour",
        "mechanical_back_neck_spasm",
        "tetanus",
        "hypocalcaemia",
        "hypokalaemia",
        "serotonin_syndrome",
        "neuroleptic_malignant_syndrome",
        "black_widow_bite",
        "heart_attack",
        "statin_myopathy",
        "peripheral_artery_disease",
        "pregnancy_cramps",
        "drug_induced_cramps",
        "secondary_cramps",
        "motor_neurone_disease",
        "nerve_disease",
        "benign_fasciculation",
        "eyelid_myokymia",
        "hemifacial_spasm",
        "focal_dystonia",
        "dehydration_electrolytes",
        "overuse",
        "nocturnal_cramps",
        "compressed_nerve",
        "atherosclerosis",
    }
    assert expected <= set(kb.conditions)


def test_every_rule_cites_sources_that_exist(kb: KnowledgeBase) -> None:
    for rule in kb.rules:
        assert rule.spec.sources, rule.id
        for source_id in rule.spec.sources:
            assert source_id in kb.sources


def test_every_rule_case_behaves(pipeline: Pipeline) -> None:
    """One test runs every case shipped beside every rule."""
    audit = audit_rules(pipeline)
    assert not audit.missing_sources
    assert not audit.missing_cases
    failures = [
        f"{f.rule_id} {f.expectation}[{f.index}]: {f.description} (fired: {f.fired})"
        for f in audit.failures
    ]
    assert not failures, "\n".join(failures)
    # A text a person reads with no Spanish beside it fails the check (kb check's exit).
    assert all(not found.missing for found in audit.translations)
    assert audit.ok
    gap = Coverage("es", 1, 2, ("findings_symptoms.yaml: findings.[fever].why",))
    assert not replace(audit, translations=(gap,)).ok


def test_unknown_key_is_rejected_with_file_and_key(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    path = data / "rules_emergency.yaml"
    path.write_text(
        path.read_text().replace(
            "    suggests: [heart_attack]", "    suggests: [heart_attack]\n    sevrity: high", 1
        )
    )
    with pytest.raises(KnowledgeError) as error:
        load_knowledge(data)  # type: ignore[arg-type]
    message = str(error.value)
    assert "rules_emergency.yaml" in message
    assert "chest-pain" in message
    assert "sevrity" in message


def test_a_key_given_twice_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    # PyYAML alone keeps the second "reason:" and says nothing: a rule pasted over the
    # end of another would silently take the other's meaning.
    data = _data_copy(tmp_path)
    path = data / "rules_urgent.yaml"
    path.write_text(
        path.read_text().replace("    level: urgent\n", "    level: urgent\n    level: doctor\n", 1)
    )
    with pytest.raises(
        KnowledgeError, match=r"(?s)rules_urgent.yaml: not valid YAML.*'level' is given twice.*line"
    ):
        load_knowledge(data)  # type: ignore[arg-type]


def test_dangling_finding_reference_is_rejected(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    path = data / "rules_urgent.yaml"
    path.write_text(path.read_text().replace("drug_statin\n", "drug_statine\n", 1))
    with pytest.raises(KnowledgeError, match=r"rules_urgent.yaml.*unknown finding 'drug_statine'"):
        load_knowledge(data)  # type: ignore[arg-type]


def test_dangling_source_reference_is_rejected(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    path = data / "advice.yaml"
    path.write_text(path.read_text().replace("sources: [seed-article]", "sources: [nowhere]", 1))
    with pytest.raises(KnowledgeError, match=r"advice.yaml.*unknown source 'nowhere'"):
        load_knowledge(data)  # type: ignore[arg-type]


def test_a_source_whose_address_is_not_a_web_page_is_rejected(tmp_path: Path) -> None:
    """Every page that cites a source links to it: only http(s) addresses are taken."""
    data = _data_copy(tmp_path)
    path = data / "sources.yaml"
    text = path.read_text()
    assert 'url: "http://www.poison.org/home"' in text
    path.write_text(text.replace('url: "http://www.poison.org/home"', 'url: "javascript:x()"'))
    with pytest.raises(KnowledgeError, match=r"sources.yaml.*'javascript:x\(\)' is not a web"):
        load_knowledge(data)  # type: ignore[arg-type]


def test_bad_condition_syntax_names_the_path(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    path = data / "rules_doctor.yaml"
    path.write_text(path.read_text().replace("at_least: 2", "at_least: 9", 1))
    with pytest.raises(KnowledgeError, match=r"rules_doctor.yaml.*at_least"):
        load_knowledge(data)  # type: ignore[arg-type]


def test_knowledge_base_is_immutable(kb: KnowledgeBase) -> None:
    with pytest.raises((TypeError, AttributeError)):
        kb.findings["x"] = kb.findings["pain"]  # type: ignore[index]
    with pytest.raises(ValueError):
        kb.findings["pain"].label = "changed"  # type: ignore[misc]


def test_version_changes_with_content(tmp_path: Path, kb: KnowledgeBase) -> None:
    data = _data_copy(tmp_path)
    path = data / "policy.yaml"
    path.write_text(path.read_text() + "\n# edited\n")
    assert load_knowledge(data).version != kb.version  # type: ignore[arg-type]


def test_no_phrase_means_two_different_findings(kb: KnowledgeBase) -> None:
    """The longest match wins in the reader, so one phrase must name one finding."""
    owners: dict[str, set[str]] = {}
    for finding in kb.findings.values():
        for phrase in (*finding.lexicon, *finding.lay):
            owners.setdefault(phrase.lower(), set()).add(finding.id)
        for phrase in finding.denials:
            owners.setdefault(phrase.lower(), set()).add(f"not {finding.id}")
    for phrase in kb.lexicon.shadows:
        owners.setdefault(phrase.lower(), set()).add("(shadow)")
    clashes = {p: ids for p, ids in owners.items() if len(ids) > 1}
    assert not clashes


def test_every_finding_used_by_a_rule_can_be_asked(kb: KnowledgeBase) -> None:
    asked = set(kb.group_of) | {f.id for f in kb.findings.values() if f.answer == "number"}
    used = {f for rule in kb.rules for f in rule.leaves + rule.unless_leaves}
    derived_only = set(kb.derived)
    assert used - asked - derived_only == set()


def test_every_level_has_a_name_and_a_timeframe_for_the_clinic(kb: KnowledgeBase) -> None:
    from pydantic import ValidationError

    from crampcheck.knowledge.schema import Policy

    assert kb.policy.level_label("urgent") == "Urgent — contact within 24 hours"
    assert kb.policy.level_label("lost") == "lost"
    data = kb.policy.model_dump(mode="json")
    del data["clinic_timeframes"]["urgent"]
    with pytest.raises(ValidationError, match="clinic_timeframes lacks urgent"):
        Policy.model_validate(data)


def test_an_emergency_sign_without_lay_phrasing_is_reported(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    import re

    from crampcheck.services.rule_cases import findings_without_lay_words

    assert findings_without_lay_words(kb)[0] == ()
    data = _data_copy(tmp_path)
    symptoms = data / "findings_symptoms.yaml"
    text = symptoms.read_text()
    start = text.index("  - id: pale_cold_limb\n")
    end = text.index("\n  - id: ", start + 1)
    block = re.sub(r"\n    (lay|nearby): .*", "", text[start:end])
    symptoms.write_text(text[:start] + block + text[end:])
    signs, _ = findings_without_lay_words(load_knowledge(data))  # type: ignore[arg-type]
    assert signs == ("pale_cold_limb",)


def test_a_screen_of_more_than_eight_options_is_refused() -> None:
    """Issue 14: ``kb check`` fails on a screen over the limit (split it in the data)."""
    from pydantic import ValidationError

    from crampcheck.knowledge.schema import QuestionScreen

    members = tuple(f"f{i}" for i in range(9))
    with pytest.raises(ValidationError, match="more than 8"):
        QuestionScreen(id="too_long", text="?", members=members)
    assert QuestionScreen(id="fits", text="?", members=members[:8]).members == members[:8]


@pytest.mark.parametrize(
    ("screen", "opener", "problem"),
    [
        ("with_it_skin", "no_such_finding", "is on no screen"),
        ("with_it_skin", "swelling", "cannot open others"),
        ("emergency_heart_stroke", "any_skin_change", "always asked"),
        ("where", "any_skin_change", "always asked"),
    ],
)
def test_a_screen_opened_by_what_cannot_open_it_is_refused(
    tmp_path: Path, screen: str, opener: str, problem: str
) -> None:
    """Issue 14: a screen is opened only by an option of "which of these apply", never a
    red-flag or where-it-is screen (the emergency signs are always asked)."""
    data = _data_copy(tmp_path)
    questions = data / "questions.yaml"
    text = questions.read_text()
    start = text.index(f"      - id: {screen}\n")
    end = text.index("\n", text.index("members:", start))
    text = text[:end] + f"\n        opened_by: {opener}" + text[end:]
    if screen == "with_it_skin":
        text = text.replace("        opened_by: any_skin_change\n", "", 1)
    questions.write_text(text)
    with pytest.raises(KnowledgeError, match=problem):
        load_knowledge(data)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("screen", "condition", "problem"),
    [
        ("emergency_limb_back", "site_calf", "always asked"),
        ("where", "site_calf", "always asked"),
        ("with_it_skin", "no_such_finding", "no_such_finding"),
        ("with_it_skin", "{sometimes: site_calf}", "unknown keys"),
    ],
)
def test_a_screen_asked_only_when_a_condition_holds_is_checked(
    tmp_path: Path, screen: str, condition: str, problem: str
) -> None:
    """A screen's ``asked_when`` is a condition of the rules' language over findings that
    exist, and never on where it is or the emergency signs (always asked)."""
    data = _data_copy(tmp_path)
    questions = data / "questions.yaml"
    text = questions.read_text()
    start = text.index(f"      - id: {screen}\n")
    end = text.index("\n", text.index("members:", start))
    questions.write_text(text[:end] + f"\n        asked_when: {condition}" + text[end:])
    with pytest.raises(KnowledgeError, match=problem):
        load_knowledge(data)  # type: ignore[arg-type]


def test_the_testicle_screen_is_asked_only_near_the_groin(kb: KnowledgeBase) -> None:
    condition = kb.asked_when["with_it_testicle"]
    assert {"site_abdomen", "site_saddle", "site_calf"} <= set(condition.findings())


def test_each_kind_of_trouble_opens_screens_that_are_not_red_flags(kb: KnowledgeBase) -> None:
    chooser = next(g for g in kb.groups if g.id == "which_apply")
    assert set(kb.opens) == set(chooser.members) and len(chooser.members) <= 8
    signs = {s.finding for s in kb.emergency_signs}
    for behind in kb.opens.values():
        assert behind and not signs & set(behind)


def test_every_level_and_kind_has_its_words_for_the_pages(kb: KnowledgeBase) -> None:
    from pydantic import ValidationError

    from crampcheck.knowledge.schema import Policy

    assert kb.policy.level_headings[Urgency.DOCTOR].heading == "See a doctor soon"
    assert kb.policy.kind_words[Kind.CRAMP].label == "Cramp"
    for field, key, missing in (
        ("level_headings", "urgent", "urgent"),
        ("kind_words", "spasm", "spasm"),
    ):
        data = kb.policy.model_dump(mode="json")
        del data[field][key]
        with pytest.raises(ValidationError, match=f"{field} lacks {missing}"):
            Policy.model_validate(data)


def test_a_finding_whose_no_would_not_read_as_a_sentence_is_rejected(tmp_path: Path) -> None:
    """Issue 14: "No it started suddenly", "No: los calambres no lo dejan dormir". A
    label worded as a clause or as a lack needs its own words for a "no"."""
    data = _data_copy(tmp_path)
    path = data / "findings_symptoms.yaml"
    path.write_text(path.read_text().replace("    denied_label: it did not start suddenly\n", ""))
    with pytest.raises(KnowledgeError, match=r"sudden_onset\].label.*a clause.*denied_label"):
        load_knowledge(data)  # type: ignore[arg-type]


def test_a_spanish_double_negative_is_rejected(tmp_path: Path) -> None:
    data = _data_copy(tmp_path)
    path = data / "es" / "findings_symptoms.yaml"
    text = path.read_text()
    assert 'denied_label: "los calambres lo dejan dormir", ' in text
    path.write_text(text.replace('denied_label: "los calambres lo dejan dormir", ', ""))
    load_knowledge(data)  # type: ignore[arg-type]  # English: its own words still there
    english = data / "findings_symptoms.yaml"
    english.write_text(
        english.read_text().replace("    denied_label: cramps do not disturb your sleep\n", "")
    )
    with pytest.raises(KnowledgeError, match=r"sleep_disrupted\].label.*\(es\).*a lack"):
        load_knowledge(data, "es")  # type: ignore[arg-type]
