"""The layers of the design hold: `lint-imports` checks pyproject.toml's contracts, and
a new import across a layer makes it fail."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

needs_tool = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root / "src"), "PATH": str(LINT_IMPORTS.parent)},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@needs_tool
def test_the_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


@needs_tool
def test_a_new_import_across_a_layer_fails(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "src" / "crampcheck", tmp_path / "src" / "crampcheck")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "src" / "crampcheck" / "domain" / "leak.py").write_text(
        '"""A deliberate violation: the domain importing the web."""\n'
        "from crampcheck.web import app  # noqa: F401\n"
    )
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "domain imports nothing of crampcheck BROKEN" in result.stdout.replace("\n", " ")
