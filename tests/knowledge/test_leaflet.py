"""The Learn leaflet (learn.yaml) is checked when the knowledge base loads."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from crampcheck.knowledge import KnowledgeError, load_knowledge
from crampcheck.knowledge.loader import DATA_PACKAGE


def data_copy(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "data"
    shutil.copytree(Path(str(resources.files(DATA_PACKAGE))), root)
    leaflet = root / "learn.yaml"
    text = leaflet.read_text(encoding="utf-8")
    assert old in text
    leaflet.write_text(text.replace(old, new, 1), encoding="utf-8")
    return root


def test_a_sentence_said_twice_in_the_leaflet_fails_the_load(tmp_path: Path) -> None:
    repeated = "Cramps are most common in the calf, the back of the thigh and the foot."
    root = data_copy(
        tmp_path,
        "Most cramps pass on their own within minutes.",
        f"Most cramps pass on their own within minutes. {repeated}",
    )
    with pytest.raises(KnowledgeError, match=r"pages\[home-treatment\].intro\[0\]: repeats"):
        load_knowledge(root)


def test_an_unknown_source_or_advice_fails_the_load(tmp_path: Path) -> None:
    root = data_copy(tmp_path, "sources: [nhs-restless-legs]", "sources: [no-such-page]")
    with pytest.raises(KnowledgeError, match="unknown source 'no-such-page'"):
        load_knowledge(root)
    root = data_copy(
        tmp_path / "b",
        "  - id: calf-stretch\n    advice: stretch",
        "  - id: calf-stretch\n    advice: stretchh",
    )
    with pytest.raises(KnowledgeError, match="unknown advice 'stretchh'"):
        load_knowledge(root)


def test_a_statement_without_a_source_fails_the_load(tmp_path: Path) -> None:
    root = data_copy(tmp_path, "sources: [nhs-restless-legs]", "sources: []")
    with pytest.raises(KnowledgeError, match="learn.yaml: pages.0.sections.2.points.0.sources"):
        load_knowledge(root)
