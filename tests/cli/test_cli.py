"""The command line: output shapes, exit codes and messages for good and bad input.

Most tests call ``crampcheck.cli.main`` in-process (fast, output captured with capsys);
a few run the installed ``crampcheck`` script to check the real process exit code and
that nothing escapes as a traceback. Exit codes are the ones documented in
``crampcheck.cli``: 0 ok, 1 check failed, 2 invalid input or usage, 3 unreadable file,
4 some JSONL lines invalid.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crampcheck import cli
from crampcheck.nlp.reader import MAX_TEXT_CHARS

DEV_VIGNETTES = Path(__file__).resolve().parents[3] / "shared" / "vignettes" / "dev.jsonl"
needs_vignettes = pytest.mark.skipif(
    not DEV_VIGNETTES.is_file(),
    reason=f"shared vignettes not found at {DEV_VIGNETTES} (CI lays shared/ beside the repo)",
)

EMERGENCY_TEXT = (
    "Since a long flight my left calf is swollen and throbbing like a cramp, and now I "
    "suddenly have chest pain and I am short of breath."
)
SELF_CARE_TEXT = "My calf cramped at night for a minute and it went away after I stretched it."
NO_FINDING_TEXT = "hello there"

ASSESS_KEYS = {
    "urgency",
    "kind",
    "findings",
    "reasons",
    "causes",
    "advice",
    "open_questions",
    "kb_version",
    "disclaimer",
}
URGENCIES = {"self_care", "doctor", "urgent", "emergency"}
KINDS = {"cramp", "spasm", "other"}
_BOX = re.compile(r"[\u2500-\u257f]")


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wide, colourless console so reports wrap as little as possible."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process; argparse's own exits become their code."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flat(text: str) -> str:
    """Report text with box-drawing characters removed and whitespace collapsed."""
    return " ".join(_BOX.sub(" ", text).split())


def assert_clean_error(err: str, *words: str) -> str:
    """stderr holds one line naming the problem, and no traceback; return that line."""
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "expected a message on stderr"
    message = lines[-1]
    assert message.startswith("crampcheck"), err
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    # Only argparse's usage block may precede the message.
    for line in lines[:-1]:
        assert line.startswith(("usage:", " ")), f"unexpected stderr line {line!r}"
    return message


def installed_script() -> str:
    script = Path(sys.executable).with_name("crampcheck")
    if script.exists():
        return str(script)
    found = shutil.which("crampcheck")
    if found is None:
        pytest.skip("the crampcheck script is not installed in this environment")
    return found


def write_lines(path: Path, lines: list[Any]) -> Path:
    """Write a JSONL file; dicts are encoded, strings are written as they are."""
    text = "".join((json.dumps(line) if isinstance(line, dict) else line) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


# ---------------------------------------------------------------- assess --text


def test_assess_json_prints_one_object_with_every_key(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "assess", "--text", EMERGENCY_TEXT, "--age", "58", "--json")
    assert code == cli.EXIT_OK, err
    lines = out.strip().splitlines()
    assert len(lines) == 1, "--json must print exactly one line"
    data = json.loads(lines[0])
    assert isinstance(data, dict)
    assert set(data) >= ASSESS_KEYS
    assert data["urgency"] in URGENCIES
    assert data["kind"] in KINDS
    assert data["kb_version"]
    assert "911" in data["disclaimer"]

    assert data["findings"]
    for finding in data["findings"]:
        assert {"id", "state", "text", "start", "end"} <= set(finding)
        assert finding["state"] in {"present", "absent"}
        assert EMERGENCY_TEXT[finding["start"] : finding["end"]] == finding["text"]
    assert data["reasons"]
    for reason in data["reasons"]:
        assert {"rule_id", "text", "source_ids"} <= set(reason)
        assert reason["source_ids"]
    assert data["causes"]
    for cause in data["causes"]:
        assert {"id", "name", "for", "against"} <= set(cause)
        assert isinstance(cause["for"], list) and isinstance(cause["against"], list)
    assert data["advice"]
    for item in data["advice"]:
        assert {"id", "text", "source_ids"} <= set(item)
        assert item["source_ids"]
    assert isinstance(data["open_questions"], list)
    cited = {i for part in ("reasons", "advice") for x in data[part] for i in x["source_ids"]}
    assert cited <= {s["id"] for s in data["sources"]}


def test_emergency_text_is_an_emergency(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--text", EMERGENCY_TEXT, "--json")
    assert code == cli.EXIT_OK
    data = json.loads(out)
    assert data["urgency"] == "emergency"
    assert "911" in data["action"]


def test_self_care_text_is_self_care(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--text", SELF_CARE_TEXT, "--age", "60", "--json")
    assert code == cli.EXIT_OK
    data = json.loads(out)
    assert data["urgency"] == "self_care"
    assert data["kind"] == "cramp"
    assert "notice" not in data


def test_age_and_sex_are_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    for age in ("0", "120"):
        code, out, err = run(
            capsys, "assess", "--text", SELF_CARE_TEXT, "--age", age, "--sex", "female", "--json"
        )
        assert code == cli.EXIT_OK, err
        assert json.loads(out)["urgency"] in URGENCIES


def test_human_report_has_banner_disclaimer_and_emergency_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "assess", "--text", EMERGENCY_TEXT)
    assert code == cli.EXIT_OK, err
    assert err == ""
    report = flat(out)
    assert "EMERGENCY" in report
    assert "911" in report
    _, json_out, _ = run(capsys, "assess", "--text", EMERGENCY_TEXT, "--json")
    disclaimer = " ".join(json.loads(json_out)["disclaimer"].split())
    assert disclaimer in report
    assert "Sources" in report


def test_human_report_for_self_care(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "assess", "--text", SELF_CARE_TEXT)
    assert code == cli.EXIT_OK
    report = flat(out)
    assert "SELF-CARE" in report
    assert "911" in report
    assert "not a diagnosis" in report


def test_text_without_any_finding_still_gets_an_answer(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run(capsys, "assess", "--text", NO_FINDING_TEXT, "--json")
    assert code == cli.EXIT_OK, err
    data = json.loads(out)
    assert data["findings"] == []
    assert data["notice"]
    assert data["open_questions"]
    assert data["urgency"] in URGENCIES
    code, out, _ = run(capsys, "assess", "--text", NO_FINDING_TEXT)
    assert code == cli.EXIT_OK
    assert "No symptom was recognised" in flat(out)


def test_text_at_the_limit_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    chunk = "my calf cramped at night. "
    text = (chunk * (MAX_TEXT_CHARS // len(chunk) + 1))[:MAX_TEXT_CHARS]
    code, out, err = run(capsys, "assess", "--text", text, "--json")
    assert code == cli.EXIT_OK, err
    assert json.loads(out)["urgency"] in URGENCIES


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", ("empty",)),
        ("   ", ("empty",)),
        (" \n\t ", ("empty",)),
        ("a" * (MAX_TEXT_CHARS + 1), (str(MAX_TEXT_CHARS + 1), str(MAX_TEXT_CHARS), "limit")),
    ],
    ids=["empty", "spaces", "whitespace", "too-long"],
)
def test_bad_text_is_refused(
    capsys: pytest.CaptureFixture[str], text: str, words: tuple[str, ...]
) -> None:
    for extra in ([], ["--json"]):
        code, out, err = run(capsys, "assess", "--text", text, *extra)
        assert code == cli.EXIT_USAGE
        assert out == ""
        message = assert_clean_error(err, *words)
        assert len(err.strip().splitlines()) == 1, message


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--age", "-1", ("--age", "between 0 and 120")),
        ("--age", "200", ("--age", "between 0 and 120")),
        ("--age", "abc", ("--age", "whole number", "'abc'")),
        ("--age", "12.5", ("--age", "whole number")),
        ("--sex", "other", ("--sex", "'other'")),
    ],
    ids=["age-negative", "age-200", "age-abc", "age-fraction", "sex-other"],
)
def test_bad_age_or_sex_is_refused(
    capsys: pytest.CaptureFixture[str], option: str, value: str, words: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, "assess", "--text", SELF_CARE_TEXT, option, value, "--json")
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert_clean_error(err, "error", *words)


def test_bad_age_is_refused_by_interview_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "interview", "--age", "200")
    assert code == cli.EXIT_USAGE
    assert out == ""
    assert_clean_error(err, "--age")


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (
        [],
        ["assess"],
        ["assess", "--text", "x", "--jsonl", "f.jsonl"],
        ["frobnicate"],
        ["kb"],
    ):
        code, _, err = run(capsys, *argv)
        assert code == cli.EXIT_USAGE, argv
        assert_clean_error(err, "error")


def test_bad_input_in_a_real_process_has_no_traceback() -> None:
    script = installed_script()
    for args, words in (
        (["assess", "--text", "   "], ["empty"]),
        (["assess", "--text", "cramp", "--age", "abc"], ["--age"]),
    ):
        done = subprocess.run(
            [script, *args], capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == cli.EXIT_USAGE, done.stderr
        assert done.stdout == ""
        assert_clean_error(done.stderr, *words)


def test_assess_json_in_a_real_process() -> None:
    done = subprocess.run(
        [installed_script(), "assess", "--text", EMERGENCY_TEXT, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert "Traceback" not in done.stderr
    (line,) = done.stdout.strip().splitlines()
    data = json.loads(line)
    assert set(data) >= ASSESS_KEYS
    assert data["urgency"] == "emergency"


# ---------------------------------------------------------------- assess --jsonl


def test_jsonl_batch_carries_ids_and_ignores_extra_keys(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines: list[Any] = [
        {"id": "one", "text": SELF_CARE_TEXT, "age": 60, "sex": "female", "note": "extra"},
        {"id": 2, "text": EMERGENCY_TEXT, "extra": {"nested": [1, 2]}},
        {"id": None, "text": NO_FINDING_TEXT, "age": None, "sex": None},
        {"text": SELF_CARE_TEXT, "sex": "male"},
    ]
    path = write_lines(tmp_path / "batch.jsonl", lines)
    code, out, err = run(capsys, "assess", "--jsonl", str(path))
    assert code == cli.EXIT_OK, err
    assert err == ""
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines)
    assert [r["id"] for r in results] == ["one", 2, None, None]
    for result in results:
        assert set(result) >= ASSESS_KEYS
        assert "note" not in result and "extra" not in result
    assert results[0]["urgency"] == "self_care"
    assert results[1]["urgency"] == "emergency"
    assert results[2]["notice"]


def test_jsonl_batch_reports_bad_lines_and_processes_the_rest(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines: list[Any] = [
        {"id": "good-1", "text": SELF_CARE_TEXT, "age": 40},
        '{"id": "broken", "text": ',
        {"id": "no-text", "age": 30},
        {"id": "bad-age", "text": SELF_CARE_TEXT, "age": 200},
        {"id": "string-age", "text": SELF_CARE_TEXT, "age": "forty"},
        {"id": "bool-age", "text": SELF_CARE_TEXT, "age": True},
        {"id": "bad-sex", "text": SELF_CARE_TEXT, "sex": "other"},
        {"id": "empty", "text": "  "},
        {"id": "too-long", "text": "a" * (MAX_TEXT_CHARS + 1)},
        '["not", "an", "object"]',
        {"id": "good-2", "text": EMERGENCY_TEXT},
    ]
    path = write_lines(tmp_path / "mixed.jsonl", lines)
    code, out, err = run(capsys, "assess", "--jsonl", str(path))
    assert code == cli.EXIT_PARTIAL
    assert "Traceback" not in err

    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == len(lines), "one output line per input line"
    by_line = dict(enumerate(results, start=1))
    assert by_line[1]["id"] == "good-1" and by_line[1]["urgency"] == "self_care"
    assert by_line[11]["id"] == "good-2" and by_line[11]["urgency"] == "emergency"
    bad = range(2, 11)
    for number in bad:
        assert by_line[number]["line"] == number
        assert by_line[number]["error"].startswith(f"line {number}:")
        assert "urgency" not in by_line[number]
    assert by_line[3]["id"] == "no-text"
    assert by_line[2]["id"] is None

    messages = err.strip().splitlines()
    assert len(messages) == len(bad), "one stderr line per bad input line"
    for number, message in zip(bad, messages, strict=True):
        assert message.startswith(f"crampcheck: line {number}: "), message
    assert "JSON" in messages[0]
    assert "'text'" in messages[1]
    assert "'age'" in messages[2] and "'age'" in messages[3] and "'age'" in messages[4]
    assert "'sex'" in messages[5]
    assert "empty" in messages[6]
    assert "limit" in messages[7]


def test_jsonl_blank_lines_are_skipped_and_line_numbers_kept(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = write_lines(
        tmp_path / "blank.jsonl",
        [{"id": "a", "text": SELF_CARE_TEXT}, "", "   ", "{oops", {"id": "b", "text": "cramp"}],
    )
    code, out, err = run(capsys, "assess", "--jsonl", str(path))
    assert code == cli.EXIT_PARTIAL
    results = [json.loads(line) for line in out.splitlines()]
    assert [r.get("id") for r in results] == ["a", None, "b"]
    assert results[1]["line"] == 4
    assert err.strip().startswith("crampcheck: line 4:")


def test_jsonl_batch_larger_than_one_chunk(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    count = cli.BATCH_SIZE + 3
    lines: list[Any] = [{"id": n, "text": SELF_CARE_TEXT} for n in range(count)]
    lines.insert(5, "not json")
    path = write_lines(tmp_path / "many.jsonl", lines)
    code, out, _ = run(capsys, "assess", "--jsonl", str(path))
    assert code == cli.EXIT_PARTIAL
    results = [json.loads(line) for line in out.splitlines()]
    assert len(results) == count + 1
    assert [r["id"] for r in results if "error" not in r] == list(range(count))
    assert results[5]["line"] == 6


def test_jsonl_missing_file_or_directory_is_unreadable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for path in (tmp_path / "missing.jsonl", tmp_path):
        code, out, err = run(capsys, "assess", "--jsonl", str(path))
        assert code == cli.EXIT_UNREADABLE
        assert out == ""
        assert_clean_error(err, "cannot read", str(path))
        assert len(err.strip().splitlines()) == 1


def test_jsonl_empty_file_is_ok(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("\n\n", encoding="utf-8")
    code, out, err = run(capsys, "assess", "--jsonl", str(path))
    assert code == cli.EXIT_OK
    assert out == "" and err == ""


def test_jsonl_in_a_real_process(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "batch.jsonl",
        [{"id": "x", "text": EMERGENCY_TEXT}, "nope", {"id": "y", "text": SELF_CARE_TEXT}],
    )
    done = subprocess.run(
        [installed_script(), "assess", "--jsonl", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == cli.EXIT_PARTIAL
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().startswith("crampcheck: line 2:")
    ids = [json.loads(line).get("id") for line in done.stdout.splitlines()]
    assert ids == ["x", None, "y"]


# ---------------------------------------------------------------- eval

EVAL_FIELDS = {
    "total",
    "confusion_matrix",
    "exact_urgency",
    "exact_urgency_rate",
    "under_triage",
    "under_triage_by_levels",
    "over_triage",
    "over_triage_by_levels",
    "emergency_sensitivity",
    "kind_accuracy",
}


def _vignette_count() -> int:
    return sum(1 for line in DEV_VIGNETTES.read_text(encoding="utf-8").splitlines() if line.strip())


@needs_vignettes
def test_eval_prints_the_scores(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", str(DEV_VIGNETTES))
    assert code == cli.EXIT_OK, err
    report = flat(out)
    assert "expected \\ got" in report
    for level in URGENCIES:
        assert level in report
    for label in (
        "exact urgency:",
        "under-triage:",
        "over-triage:",
        "emergency sensitivity:",
        "kind accuracy:",
    ):
        assert label in report
    assert f"cases: {_vignette_count()}" in report


@needs_vignettes
def test_eval_json_has_every_field(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", str(DEV_VIGNETTES), "--json")
    assert code == cli.EXIT_OK, err
    report = json.loads(out)
    assert set(report) >= EVAL_FIELDS
    assert "interview" not in report
    total = _vignette_count()
    assert report["total"] == total
    matrix = report["confusion_matrix"]
    assert set(matrix) == URGENCIES
    assert sum(sum(row.values()) for row in matrix.values()) == total
    assert report["exact_urgency"] == sum(matrix[u].get(u, 0) for u in URGENCIES)
    assert report["exact_urgency"] + report["under_triage"] + report["over_triage"] == total
    for rate in ("exact_urgency_rate", "emergency_sensitivity", "kind_accuracy"):
        assert 0.0 <= report[rate] <= 1.0


@needs_vignettes
def test_eval_interview_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "eval", str(DEV_VIGNETTES), "--interview", "--json")
    assert code == cli.EXIT_OK, err
    report = json.loads(out)
    assert set(report) >= EVAL_FIELDS
    interview = report["interview"]
    for key in (
        "cases",
        "questions_median",
        "questions_max",
        "emergency_cases",
        "emergency_recognised",
        "questions_to_emergency_median",
        "interview_score",
        "disagreements",
    ):
        assert key in interview
    assert interview["cases"] == report["total"]
    assert 0 < interview["questions_median"] <= interview["questions_max"]
    # The browser's path: the description read first, so fewer screens and options
    # than the interview alone, and every emergency of the set clear by its end.
    words = interview["after_words"]
    assert words["cases"] == report["total"]
    assert 0 < words["questions_median"] < interview["questions_median"]
    assert words["questions_median"] <= words["questions_max"]
    assert 0 < words["options_shown_median"] < interview["options_shown_median"]
    assert words["options_shown_max"] >= words["options_shown_median"]
    assert 0 < words["largest_screen"] <= 8
    assert words["emergency_recognised"] == words["emergency_cases"] == 10


@needs_vignettes
def test_eval_interview_human_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "eval", str(DEV_VIGNETTES), "--interview")
    assert code == cli.EXIT_OK
    assert "Interview:" in flat(out)
    assert re.search(
        r"After the words: screens per case median [0-9.]+, max \d+; options shown per "
        r"case median [0-9.]+, max \d+; largest screen \d options; emergencies clear 10/10",
        flat(out),
    )


@needs_vignettes
def test_eval_scores_the_rest_when_a_line_is_broken(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = DEV_VIGNETTES.read_text(encoding="utf-8").splitlines()
    lines.insert(2, '{"id": "broken", "text": ')
    lines.insert(5, '{"id": "no-expectation", "text": "my calf cramped"}')
    copy = tmp_path / "dev-broken.jsonl"
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    code, out, err = run(capsys, "eval", str(copy), "--json")
    assert code == cli.EXIT_PARTIAL
    assert "Traceback" not in err
    messages = err.strip().splitlines()
    assert len(messages) == 2
    assert "line 3:" in messages[0]
    assert "line 6:" in messages[1] and "expected_urgency" in messages[1]
    assert json.loads(out)["total"] == _vignette_count()

    code, out, _ = run(capsys, "eval", str(copy))
    assert code == cli.EXIT_PARTIAL
    assert "exact urgency:" in flat(out)


def test_eval_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "eval", str(tmp_path / "none.jsonl"))
    assert code == cli.EXIT_UNREADABLE
    assert out == ""
    assert_clean_error(err, "cannot read")


# ---------------------------------------------------------------- kb check


def test_kb_check_passes_and_prints_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "kb", "check")
    assert code == cli.EXIT_OK, out + err
    lines = out.strip().splitlines()
    assert lines[0].startswith("knowledge base ")
    assert lines[-1] == "ok"
    for name in ("sources", "findings", "conditions", "rules", "advice", "question_groups"):
        match = re.search(rf"^\s+{name}\s+(\d+)$", out, re.MULTILINE)
        assert match, f"no count for {name}"
        assert int(match.group(1)) > 0
    passed = re.search(r"rule cases passed (\d+)/(\d+)", out)
    assert passed and passed.group(1) == passed.group(2)


# ---------------------------------------------------------------- interview

# A reply stream that answers any question: "0" is "none" for a tick-list and a valid
# number; "n" is "none" for a tick-list and "no" for a yes/no question. A question whose
# type rejects one of them takes the next line.
NOBODY_HOME = "0\nn\n" * 60


def interview(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    replies: str,
    *args: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(replies))
    return run(capsys, "interview", *args)


def last_json(out: str) -> Any:
    """The result object printed last by ``interview --json``.

    With piped input nothing echoes the newline after the last "> " prompt, so the
    object can share its line with that prompt.
    """
    last = out.strip().splitlines()[-1]
    return json.loads(last[last.index("{") :])


def test_interview_completes_with_a_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Where it is first (1: the calf), then the signs for a leg (1: pale, blue or cold).
    code, out, err = interview(capsys, monkeypatch, "1\n1\n" + NOBODY_HOME, "--age", "50")
    assert code == cli.EXIT_OK, err
    assert "Traceback" not in err
    report = flat(out)
    assert "Question 1 of about" in report and "0. None of these" in report
    assert "EMERGENCY" in report
    assert "not a diagnosis" in report
    assert "No more input" not in report


def test_interview_json_ends_with_one_result_object(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = interview(capsys, monkeypatch, NOBODY_HOME, "--json", "--sex", "male")
    assert code == cli.EXIT_OK, err
    data = last_json(out)
    assert set(data) >= ASSESS_KEYS
    assert data["urgency"] in URGENCIES
    for finding in data["findings"]:
        assert finding["state"] in {"present", "absent", "unknown"}


def test_interview_handles_dont_know_why_back_and_invalid_replies(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    replies = "why\nxyz\n99\n?\nb\nb\n0\nmaybe\n" + NOBODY_HOME
    code, out, err = interview(capsys, monkeypatch, replies)
    assert code == cli.EXIT_OK, err
    assert "Traceback" not in out + err
    report = flat(out)
    assert "Why we ask:" in report
    assert "type the numbers of the options" in report
    assert "choose numbers from 1 to" in report
    assert "This is the first question." in report
    assert "Question 2 of about" in report
    assert "not a diagnosis" in report


def test_interview_dont_know_is_not_asked_again(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = interview(capsys, monkeypatch, "?\n" * 80, "--json")
    assert code == cli.EXIT_OK
    first = re.search(r"Question 1 of about \d+\. (.+)", err)
    assert first
    assert err.count(first.group(1)) == 1
    assert json.loads(out)["urgency"] in URGENCIES, "with --json, stdout is only the result"


def test_interview_end_of_input_shows_the_result_so_far(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    for replies in ("", "0\n", "0\nn\n"):
        code, out, err = interview(capsys, monkeypatch, replies)
        assert code == cli.EXIT_OK, err
        assert "Traceback" not in err
        report = flat(out)
        assert "No more input: showing the result with what is known so far." in report
        assert "not a diagnosis" in report
        assert "911" in report
    code, out, _ = interview(capsys, monkeypatch, "", "--json")
    assert code == cli.EXIT_OK
    data = last_json(out)
    assert data["notice"]


def test_interview_quit_prints_no_result(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = interview(capsys, monkeypatch, "q\n")
    assert code == cli.EXIT_OK
    assert "not a diagnosis" not in flat(out)


def test_interview_in_a_real_process() -> None:
    done = subprocess.run(
        [installed_script(), "interview", "--json"],
        input="why\nhuh\n?\nb\n" + NOBODY_HOME,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == cli.EXIT_OK, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    data = json.loads(done.stdout)
    assert data["urgency"] in URGENCIES
    assert "Why we ask:" in done.stderr
