"""The offline check of the locked dependencies (tools/audit_dependencies.py, run by
``python3 dev.py audit DATABASE``): advisories in OSV's format, written here into a zip
like OSV's PyPI ``all.zip`` against the versions really locked in constraints.txt, are
found by listed version and by range; others are not. Nothing touches the network.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "audit_dependencies.py"
CONSTRAINTS = ROOT / "constraints.txt"


@pytest.fixture(scope="module")
def tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def locked(name: str) -> str:
    for line in CONSTRAINTS.read_text().splitlines():
        if line.lower().startswith(name.lower() + "=="):
            return line.split("==", 1)[1]
    raise AssertionError(f"{name} is not locked")


def advisory(ident: str, name: str, **affected: Any) -> dict[str, Any]:
    return {
        "id": ident,
        "modified": "2026-11-30T12:00:00Z",
        "aliases": [f"CVE-2026-{ident[-4:]}"],
        "summary": f"made-up advisory {ident}",
        "affected": [{"package": {"ecosystem": "PyPI", "name": name}, **affected}],
    }


def database(tmp_path: Path, *records: dict[str, Any]) -> Path:
    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
    return path


def bump(version: str) -> str:
    release = Version(version).release
    return ".".join(str(part) for part in (*release[:-1], release[-1] + 1))


def ecosystem(*events: dict[str, str]) -> list[dict[str, Any]]:
    return [{"type": "ECOSYSTEM", "events": list(events)}]


def test_affected_locked_versions_are_found(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jinja, yaml, uvicorn = locked("jinja2"), locked("PyYAML"), locked("uvicorn")
    db = database(
        tmp_path,
        advisory("TEST-0001", "Jinja2", versions=["0.1", jinja]),  # listed, other case
        advisory(
            "TEST-0002", "pyyaml", ranges=ecosystem({"introduced": "0"}, {"fixed": bump(yaml)})
        ),
        advisory(
            "TEST-0003",
            "uvicorn",
            ranges=ecosystem({"introduced": "0"}, {"last_affected": uvicorn}),
        ),
    )
    assert tool.main([str(db), "--constraints", str(CONSTRAINTS)]) == tool.EXIT_AFFECTED
    out = capsys.readouterr().out
    assert "against 3 advisories (newest record 2026-11-30T12:00:00Z)" in out
    assert f"Jinja2=={jinja}: TEST-0001 (CVE-2026-0001); no fixed version" in out
    assert f"PyYAML=={yaml}: TEST-0002 (CVE-2026-0002); fixed in {bump(yaml)}" in out
    assert f"uvicorn=={uvicorn}: TEST-0003" in out
    assert "3 locked package(s) with known vulnerabilities" in out


def test_versions_outside_the_advisories_are_not_found(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    jinja = locked("jinja2")
    withdrawn = advisory("TEST-0004", "jinja2", versions=[jinja])
    withdrawn["withdrawn"] = "2026-12-01T00:00:00Z"
    npm = advisory("TEST-0005", "jinja2", versions=[jinja])
    npm["affected"][0]["package"]["ecosystem"] = "npm"
    db = database(
        tmp_path,
        withdrawn,
        npm,
        advisory("TEST-0006", "jinja2", ranges=ecosystem({"introduced": "0"}, {"fixed": jinja})),
        advisory("TEST-0007", "jinja2", ranges=ecosystem({"introduced": bump(jinja)})),
        advisory("TEST-0008", "not-a-locked-package", versions=["1.0"]),
        advisory(
            "TEST-0009",
            "jinja2",
            ranges=[
                {"type": "GIT", "repo": "https://example.org/x", "events": [{"introduced": "0"}]}
            ],
        ),
    )
    assert tool.main([str(db), "--constraints", str(CONSTRAINTS)]) == tool.EXIT_CLEAN
    assert "no known vulnerability in the locked versions" in capsys.readouterr().out


def test_ranges_follow_the_osv_evaluation(tool: ModuleType) -> None:
    events = [
        {"introduced": "1.0"},
        {"fixed": "1.2"},
        {"introduced": "2.0"},
        {"last_affected": "2.3"},
    ]
    for version, affected in [
        ("0.9", False),
        ("1.0", True),
        ("1.1.5", True),
        ("1.2", False),
        ("1.9", False),
        ("2.0", True),
        ("2.3", True),
        ("2.3.1", False),
    ]:
        assert tool.in_range(Version(version), events) is affected, version


@pytest.mark.parametrize("content", [b"not a zip", b""])
def test_an_unreadable_database_is_exit_2_with_a_message(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    bad = tmp_path / "all.zip"
    bad.write_bytes(content)
    assert tool.main([str(bad)]) == tool.EXIT_UNREADABLE
    assert "is not an OSV database" in capsys.readouterr().err
    assert tool.main([str(tmp_path / "missing.zip")]) == tool.EXIT_UNREADABLE
    assert "there is no vulnerability database" in capsys.readouterr().err
    empty = database(tmp_path)
    assert tool.main([str(empty)]) == tool.EXIT_UNREADABLE
    assert "holds no OSV records" in capsys.readouterr().err


def test_a_lock_file_line_that_is_not_a_pin_is_refused(
    tool: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# a comment\njinja2==3.1.6\nrequests>=2\n")
    db = database(tmp_path, advisory("TEST-0010", "jinja2", versions=["3.1.6"]))
    assert tool.main([str(db), "--constraints", str(constraints)]) == tool.EXIT_UNREADABLE
    assert "constraints.txt:3: not an exact pin: requests>=2" in capsys.readouterr().err


def test_every_line_of_the_real_lock_file_is_a_pin(tool: ModuleType) -> None:
    pins = tool.locked_versions(CONSTRAINTS)
    assert len(pins) > 100 and "jinja2" in pins


def test_the_script_runs_on_its_own_from_a_folder_of_records(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    record = advisory("TEST-0011", "jinja2", versions=[locked("jinja2")])
    (folder / "TEST-0011.json").write_text(json.dumps(record))
    done = subprocess.run(  # nosec B603 - this interpreter and the project's script
        [sys.executable, str(SCRIPT), str(folder)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "TEST-0011" in done.stdout


def test_dev_py_offers_the_audit_and_asks_for_the_database() -> None:
    dev = [sys.executable, str(ROOT / "dev.py")]
    usage = subprocess.run([*dev, "--help"], capture_output=True, text=True, check=False)  # nosec B603
    assert usage.returncode == 0 and "audit DATABASE" in usage.stdout
    bare = subprocess.run([*dev, "audit"], capture_output=True, text=True, check=False)  # nosec B603
    assert bare.returncode == 2 and "needs the vulnerability database" in bare.stderr
