"""Small modules with one concern: no Python module under src/ passes 500 lines.

A module that grows past it has taken on a second concern and is split by concern (as
the conditions, the clinic's summary and the quantity reader were)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 500


def modules_over(root: Path, limit: int = LIMIT) -> list[str]:
    """Every ``.py`` file under ``root`` with more than ``limit`` lines, as
    "path (N lines)" with the path relative to ``root``, in path order."""
    found = []
    for path in sorted(root.rglob("*.py")):
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > limit:
            found.append(f"{path.relative_to(root).as_posix()} ({lines} lines)")
    return found


def test_no_module_under_src_passes_500_lines() -> None:
    assert (ROOT / "src" / "crampcheck").is_dir()
    over = modules_over(ROOT / "src")
    assert not over, f"modules over {LIMIT} lines, to split by concern: " + ", ".join(over)


def test_a_module_over_the_limit_is_named(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "long.py").write_text("x = 1\n" * (LIMIT + 1), encoding="utf-8")
    (package / "at_limit.py").write_text("x = 1\n" * LIMIT, encoding="utf-8")
    assert modules_over(tmp_path) == [f"pkg/long.py ({LIMIT + 1} lines)"]
