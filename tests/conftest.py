"""Shared fixtures: the packaged knowledge base and pipeline, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from crampcheck.knowledge import KnowledgeBase, default_knowledge
from crampcheck.services.pipeline import Pipeline, default_pipeline

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV_VIGNETTES = SHARED / "vignettes" / "dev.jsonl"
EXTRA_VIGNETTES = Path(__file__).resolve().parent / "vignettes" / "extra.jsonl"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return default_knowledge()


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return default_pipeline()
