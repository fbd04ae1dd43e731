"""The command line in Spanish: ``assess --lang es``, ``interview --lang es`` and ``eval``
of the Spanish reading cases. The whole answer is in Spanish (headings, urgency, reasons,
the disclaimer, the safety net), an unknown language is one clear error, and a Spanish
case file is scored on the Spanish reader."""

from __future__ import annotations

import io
import json
import re
import sys
from pathlib import Path

import pytest

from crampcheck import cli
from tests.cli.test_cli import assert_clean_error, flat, run

SPANISH_CASES = Path(__file__).parents[1] / "reading_cases" / "es"
SELF_CARE = (
    "Anoche me dio un calambre en la pantorrilla, duró un minuto y se me quitó al estirarla."
)
EMERGENCY = (
    "Desde el viaje largo en avión la pantorrilla izquierda está hinchada y me duele, y ahora "
    "de repente me duele el pecho y me falta el aire."
)


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def test_assess_in_spanish_prints_the_whole_answer_in_spanish(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "assess", "--lang", "es", "--text", SELF_CARE)
    assert code == cli.EXIT_OK, err
    report = flat(out)
    for spanish in (
        "CUIDADOS EN CASA",  # the banner
        "Esto parece un calambre muscular",  # the kind, from the Spanish overlay
        "Lo que leímos en su descripción",
        "Usted dijo",
        "Por qué esta urgencia",
        "No encontramos ninguna señal de alarma",  # the reason, from the overlay
        "Busque ayuda si",  # the safety net's heading
        "Dolor o presión en el pecho",  # a sign in the safety net, from the overlay
        "Fuentes",
        "no es un diagnóstico",  # the disclaimer
        "llame al 911",
        "base de conocimientos",
    ):
        assert spanish in report, spanish
    for english in ("SELF-CARE", "Why this urgency", "You said", "Sources", "not a diagnosis"):
        assert english not in report, english


def test_assess_in_spanish_as_json_and_an_emergency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", "--lang", "es", "--text", EMERGENCY, "--json")
    assert code == cli.EXIT_OK, err
    data = json.loads(out)
    assert data["urgency"] == "emergency"
    assert "911" in data["action"] and "llame" in data["action"].lower()
    assert "no es un diagnóstico" in data["disclaimer"]
    code, out, _ = run(capsys, "assess", "--lang", "es", "--text", EMERGENCY)
    assert "EMERGENCIA" in flat(out)


def test_assess_in_english_is_unchanged_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--text", SELF_CARE)
    assert code == cli.EXIT_OK
    # The words were Spanish; the answer is in the language asked for: English by default.
    assert "not a diagnosis" in flat(out) and "Why this urgency" in flat(out)


@pytest.mark.parametrize("lang", ["es-MX", "ES", "es_US"])
def test_a_regional_spanish_is_spanish(capsys: pytest.CaptureFixture[str], lang: str) -> None:
    code, out, _ = run(capsys, "assess", "--lang", lang, "--text", SELF_CARE)
    assert code == cli.EXIT_OK
    assert "Por qué esta urgencia" in flat(out)


@pytest.mark.parametrize("command", ["assess", "interview"])
def test_an_unknown_language_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    extra = ["--text", SELF_CARE] if command == "assess" else []
    code, out, err = run(capsys, command, "--lang", "fr", *extra)
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert_clean_error(err, "unknown language 'fr'", "en (English)", "es (Español)")


def test_interview_in_spanish(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # "por qué", an unreadable reply, "no sé", back, then the first option (where: the
    # calf) and then "none of these" / "no" to everything: the Spanish commands.
    replies = "por qué\nxyz\nno sé\na\n1\n" + "0\nn\n" * 60
    monkeypatch.setattr(sys, "stdin", io.StringIO(replies))
    code, out, err = run(capsys, "interview", "--lang", "es", "--age", "40")
    assert code == cli.EXIT_OK, err
    assert "Traceback" not in out + err
    report = flat(out)
    for spanish in (
        "Entrevista de crampcheck",
        "Pregunta 1 de unas",
        "Por qué preguntamos:",
        "escriba los números de las opciones",
        "0. Nada de esto",
        "no es un diagnóstico",
    ):
        assert spanish in report, spanish
    assert "Question 1 of about" not in report


def test_interview_in_spanish_takes_si_for_yes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crampcheck.cli.interview import _reply, commands
    from crampcheck.domain.i18n import using_language
    from crampcheck.services.interview import Question

    question = Question("q", "¿Fue de repente?", "", "boolean", ())
    with using_language("es"):
        assert _reply(question, "sí").yes is True
        assert _reply(question, "s").yes is True
        assert _reply(question, "n").yes is False
        assert _reply(question, "no sé").dont_know
        assert "x" in commands().quit
    with using_language("en"):
        assert _reply(question, "s").yes is None  # not a word in English: asked again


@pytest.mark.parametrize("name", ["es_a.jsonl", "es_b.jsonl"])
def test_eval_scores_a_spanish_case_file_on_the_spanish_reader(
    capsys: pytest.CaptureFixture[str], name: str
) -> None:
    path = SPANISH_CASES / name
    cases = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    code, out, err = run(capsys, "eval", str(path), "--json")
    assert code == cli.EXIT_OK, err
    report = json.loads(out)
    assert report["total"] == len(cases)
    # Every case was read as Spanish (alone, or with English for a mixed one).
    assert sum(n for langs, n in report["read_in"].items() if "es" in langs) == len(cases)
    emergencies = sum(c["expected_urgency"] == "emergency" for c in cases)
    assert report["emergencies"] == emergencies > 0
    assert report["emergencies_caught"] == emergencies
    code, out, _ = run(capsys, "eval", str(path))
    assert re.search(r"read in: (en\+)?es \d+", flat(out))
