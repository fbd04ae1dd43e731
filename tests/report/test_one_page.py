"""The richest request still prints on one page, in the clinic's paper size (issue 14).

A long description read and confirmed, every other interview box left unticked (blank
counts as "no"), date of birth, a long reason and a three-month shared diary: read back
with ``pdfinfo`` and ``pdftotext``.
"""

from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date
from importlib import resources
from pathlib import Path

import pytest
import yaml

from crampcheck.clinic import Clinic, load_clinic
from crampcheck.domain.types import FindingState
from crampcheck.report.pdf import summary_pdf
from crampcheck.report.summary import build_summary
from crampcheck.services.appointments import snapshot_of
from crampcheck.services.pipeline import Pipeline
from crampcheck.services.serialize import result_to_dict
from tests.report.test_report import (
    NOW,
    _poppler,
    make_request,
    measured,
    pdf_pages,
    pdf_text,
    squash,
    three_month_diary,
)

LONG = (
    "For about three months I get painful cramps in my right calf most nights and they "
    "wake me up, sometimes two or three times a night. They last about 5 minutes and the "
    "muscle goes hard as a rock. Since my flight back from Sydney last week my right calf "
    "is puffy and warm and it throbs like a cramp even in the day. I started taking "
    "furosemide in the spring and I also take atorvastatin and metformin. I have diabetes "
    "and my doctor said my kidneys are a bit slow. No fever, no chest pain and I am not "
    "short of breath. Stretching helps a bit but massage doesn't, and drinking more water "
    "has not changed anything. I walk the dog every morning and the cramps are worse after "
    "a long walk or a hot day in the garden. My feet sometimes tingle at night as well. "
) * 2


def richest_pdf(pipeline: Pipeline, clinic: Clinic) -> bytes:
    kb = pipeline.kb
    text = (resources.files("crampcheck.knowledge") / "data" / "questions.yaml").read_text()
    asked = set(kb.red_flags)
    for topic in yaml.safe_load(text)["topics"]:
        for screen in topic.get("screens") or ():
            asked |= set(screen.get("members") or ())
    read = dict(pipeline.check_text(LONG, 67, "female").case.findings)
    answers = {
        f: read.get(f, FindingState.ABSENT)
        for f in asked
        if f in kb.findings and kb.findings[f].answer == "boolean"
    }
    assessment = result_to_dict(pipeline.check_text(LONG, 67, "female", answers=answers), kb)
    request = replace(
        make_request(pipeline, clinic, "x"),
        urgency=assessment["urgency"],
        kind=assessment["kind"],
        snapshot=snapshot_of(assessment, LONG),
        date_of_birth=date(1958, 4, 23),
        check_age=67,
        check_sex="female",
        reason="The cramps wake me most nights and my calf is swollen since the flight. " * 4,
    )
    return summary_pdf(
        build_summary(request, measured(three_month_diary(), kb, clinic), kb, clinic, now=NOW)
    )


def page_size(pdf: bytes, tmp: Path) -> str:
    path = tmp / "size.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        [_poppler("pdfinfo"), str(path)], capture_output=True, text=True, check=True, timeout=30
    )
    (line,) = [x for x in done.stdout.splitlines() if x.startswith("Page size:")]
    return line.split(":", 1)[1].strip()


@pytest.mark.parametrize(
    ("paper", "size"), [("letter", "612 x 792 pts"), ("a4", "595.276 x 841.89 pts")]
)
def test_the_richest_request_is_one_page_of_the_clinics_paper(
    pipeline: Pipeline, tmp_path: Path, paper: str, size: str
) -> None:
    clinic = load_clinic().model_copy(update={"paper_size": paper})
    pdf = richest_pdf(pipeline, clinic)
    assert pdf_pages(pdf, tmp_path) == 1
    assert page_size(pdf, tmp_path).startswith(size)
    text = pdf_text(pdf, tmp_path)
    flat = squash(text)
    assert "born 4/23/1958, age 66, sex: female" in flat
    assert "Triage: Urgent" in flat and "could be; not a diagnosis" in flat.lower()
    assert "Confirmed by the patient" in flat and "Episodes per week" in flat
    assert "shortened:" in flat
    assert "Said no to" not in text and flat.count("said no to:") == 1
    assert "not up to date - said no" not in flat and "said no to “passing little" not in flat
