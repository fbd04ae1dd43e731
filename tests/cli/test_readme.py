"""README.md's command-line examples still tell the truth.

In the README's "## Command line" section, an example to check is a fenced block whose
first line is the command after ``$ `` (a line ending in `` \\`` continues on the next),
with an HTML comment just above it::

    <!-- check: exit=0 urgency=self_care kind=cramp -->
    ```console
    $ crampcheck assess --text "My calf cramped at night"
    ...the output...
    ```

The command is run in-process through ``crampcheck.cli.main``. It may start with
``printf '...' |`` (the text fed on standard input, with ``\\n`` escapes) and end with
``> FILE`` (ignored: the output is captured anyway). Keys of the comment:

- ``exit``: the exit code (required);
- ``urgency`` and ``kind``: comma-separated, one for each result printed, in order (the
  JSON objects that have an urgency, or the banner and kind line of a report);
- ``errors``: comma-separated line numbers of the error objects ``assess --jsonl`` prints;
- ``cases``: the number on the ``cases: N`` line ``eval`` prints.

Each output line of a checked block that is a message from crampcheck (it starts with
``crampcheck:`` or ``crampcheck COMMAND:``) must appear word for word in the real output.

A fenced block just below ``<!-- file: NAME -->`` is written to NAME in the temporary
directory the examples run in. An argument naming a file that is not there is looked up
from the repository root, so ``../shared/vignettes/dev.jsonl`` works as it does in a
checkout.
"""

from __future__ import annotations

import codecs
import io
import json
import re
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crampcheck import cli
from crampcheck.cli.terminal import banner_labels
from crampcheck.nlp.reader import MAX_TEXT_CHARS
from crampcheck.services.vocabulary import packaged_vocabulary

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
SECTION = "## Command line"
CHECK_KEYS = {"exit", "urgency", "kind", "errors", "cases"}
CORE_COMMANDS = (
    "assess --text",
    "assess --json",
    "assess --jsonl",
    "interview",
    "eval",
    "kb check",
)

_FENCE = re.compile(r"^```[^\n]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
_MARK = re.compile(r"^<!--\s*(check|file):(.*?)-->[ \t]*\n", re.MULTILINE)
_MESSAGE = re.compile(r"^crampcheck( [a-z]+)*: ")
_LABELS = {label: urgency for urgency, label in banner_labels().items()}
_KINDS = {words.heading: kind.value for kind, words in packaged_vocabulary().kind_words.items()}


def command_line_section() -> str:
    """The text of the README's "## Command line" section, up to the next ``## `` heading."""
    text = README.read_text(encoding="utf-8")
    start = text.index(SECTION + "\n")
    end = text.find("\n## ", start + len(SECTION))
    return text[start : end if end != -1 else len(text)]


@dataclass(frozen=True)
class Example:
    """One checked example: the command, what it printed in the README, and the checks."""

    line: int
    command: str
    shown: tuple[str, ...]
    checks: dict[str, str]

    @property
    def id(self) -> str:
        return f"line{self.line}:{self.command[:60]}"


def _blocks() -> tuple[list[Example], dict[str, str]]:
    section = command_line_section()
    offset = README.read_text(encoding="utf-8").index(section)
    examples: list[Example] = []
    files: dict[str, str] = {}
    for mark in _MARK.finditer(section):
        fence = _FENCE.match(section, mark.end())
        line = README.read_text(encoding="utf-8").count("\n", 0, offset + mark.start()) + 1
        assert fence is not None, f"README.md:{line}: a fenced block must follow {mark[0]!r}"
        body = fence[1]
        kind, argument = mark[1], mark[2].strip()
        if kind == "file":
            files[argument] = body
            continue
        checks = dict(item.split("=", 1) for item in argument.split())
        unknown = set(checks) - CHECK_KEYS
        assert not unknown, f"README.md:{line}: unknown check keys {sorted(unknown)}"
        assert "exit" in checks, f"README.md:{line}: a check needs exit=N"
        lines = body.splitlines()
        assert lines and lines[0].startswith("$ "), f"README.md:{line}: start with '$ command'"
        command = lines[0][2:]
        rest = lines[1:]
        while command.endswith("\\") and rest:
            command = command[:-1] + rest.pop(0).strip()
        shown = tuple(rest[: next((i for i, s in enumerate(rest) if s.startswith("$ ")), None)])
        examples.append(Example(line, command, shown, checks))
    return examples, files


EXAMPLES, FILES = _blocks()


def _argv(command: str, workdir: Path) -> tuple[list[str], str | None]:
    """The arguments after ``crampcheck``, and the text for standard input if any."""
    words = shlex.split(command)
    stdin = None
    if "|" in words:
        pipe = words.index("|")
        assert words[0] == "printf" and pipe == 2, f"only printf '...' | is supported: {command}"
        stdin = codecs.decode(words[1], "unicode_escape")
        words = words[pipe + 1 :]
    if ">" in words:
        redirect = words.index(">")
        del words[redirect : redirect + 2]
    assert words[0] == "crampcheck", f"an example must run crampcheck: {command}"
    argv = []
    for word in words[1:]:
        looks_like_a_path = "/" in word and " " not in word and not word.startswith("-")
        if looks_like_a_path and not (workdir / word).exists():
            from_root = ROOT / word
            if not from_root.exists():
                pytest.skip(f"{word} is not available here")
            word = str(from_root.resolve())
        argv.append(word)
    return argv, stdin


def _run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, example: Example
) -> tuple[int, str, str]:
    argv, stdin = _argv(example.command, Path.cwd())
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin or ""))
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _results(out: str) -> tuple[list[tuple[str, str]], list[int]]:
    """(urgency, kind) of every result printed, and the line numbers of error objects."""
    objects: list[dict[str, Any]] = []
    for line in out.splitlines():
        if line.startswith("{"):
            try:
                objects.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    if objects:
        results = [(o["urgency"], o["kind"]) for o in objects if "urgency" in o]
        return results, [o["line"] for o in objects if "error" in o]
    urgencies = [
        _LABELS[label]
        for line in out.splitlines()
        if line.startswith("\u256d")
        for label in re.findall(r"\u2500\s+([A-Z][A-Z -]*[A-Z])\s+\u2500", line)
        if label in _LABELS
    ]
    kinds = [_KINDS[line.strip()] for line in out.splitlines() if line.strip() in _KINDS]
    assert len(urgencies) == len(kinds), f"banners {urgencies} and kinds {kinds} do not pair"
    return list(zip(urgencies, kinds, strict=True)), []


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory holding the README's example files, with a wide, colourless console."""
    for name, content in FILES.items():
        (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("CRAMPCHECK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("CRAMPCHECK_DATABASE_URL", raising=False)
    monkeypatch.delenv("CRAMPCHECK_ENVIRONMENT", raising=False)
    return tmp_path


@pytest.mark.usefixtures("workdir")
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_still_holds(
    example: Example, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = _run(capsys, monkeypatch, example)
    where = f"README.md:{example.line} ({example.command})"
    assert "Traceback" not in err, f"{where}: {err}"
    assert code == int(example.checks["exit"]), f"{where}: exit code {code}\n{out}\n{err}"

    results, errors = _results(out)
    if "urgency" in example.checks:
        got = [u for u, _ in results]
        assert got == example.checks["urgency"].split(","), f"{where}: urgency is now {got}"
    if "kind" in example.checks:
        got = [k for _, k in results]
        assert got == example.checks["kind"].split(","), f"{where}: kind is now {got}"
    if "errors" in example.checks:
        expected = [int(n) for n in example.checks["errors"].split(",")]
        assert errors == expected, f"{where}: error lines are now {errors}"
    if "cases" in example.checks:
        cases = re.search(r"^cases: (\d+)$", out, re.MULTILINE)
        assert cases is not None, f"{where}: no 'cases:' line in\n{out}"
        assert cases[1] == example.checks["cases"], f"{where}: cases is now {cases[1]}"

    real = {line.rstrip() for line in (out + err).splitlines()}
    for line in example.shown:
        if _MESSAGE.match(line):
            assert line.rstrip() in real, f"{where}: the message is now different:\n{err}"


def _subcommands(capsys: pytest.CaptureFixture[str], *argv: str) -> list[str]:
    """The subcommand names a ``--help`` lists (indented four spaces)."""
    with pytest.raises(SystemExit) as exit_:
        cli.main([*argv, "--help"])
    assert exit_.value.code == 0
    return re.findall(r"^ {4}([a-z][\w-]*)", capsys.readouterr().out, re.MULTILINE)


def test_every_command_in_help_is_in_the_readme(capsys: pytest.CaptureFixture[str]) -> None:
    section = command_line_section()
    commands = _subcommands(capsys)
    assert "assess" in commands
    missing = []
    for command in commands:
        names = [f"{command} {sub}" for sub in _subcommands(capsys, command)] or [command]
        missing += [name for name in names if f"crampcheck {name}" not in section]
    assert not missing, f"README.md's {SECTION!r} does not mention: {missing}"


def test_every_core_command_has_a_checked_example() -> None:
    commands = [e.command.split("| ")[-1] for e in EXAMPLES]
    for core in CORE_COMMANDS:
        name, _, option = core.partition(" -")
        assert any(
            c.startswith(f"crampcheck {name}") and ("-" + option in c if option else True)
            for c in commands
        ), f"no checked README example runs `crampcheck {core}`"


def test_exit_codes_and_limits_match_the_code() -> None:
    section = command_line_section()
    codes = {int(n) for n in re.findall(r"^\| (\d+) \|", section, re.MULTILINE)}
    assert codes == {
        cli.EXIT_OK,
        cli.EXIT_FAILED,
        cli.EXIT_USAGE,
        cli.EXIT_UNREADABLE,
        cli.EXIT_PARTIAL,
        130,
    }
    assert f"at most {MAX_TEXT_CHARS} characters" in section
    assert f"A whole number from {cli.MIN_AGE} to {cli.MAX_AGE}" in section
    assert "`female` or `male`" in section
