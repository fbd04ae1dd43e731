"""Health data on disk is private to the user who runs crampcheck (the security review's
L5): the SQLite database's folder is 0700, the database, its WAL and shared-memory files
and every backup 0600, whatever the umask; files and folders that already exist with
looser modes are tightened when crampcheck opens them, and never loosened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from crampcheck import cli
from crampcheck.storage.backup import backup, restore
from crampcheck.storage.database import make_engine, upgrade
from crampcheck.storage.files import private_file, private_folder

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000], ids=["umask-022", "umask-000"])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test under this umask (0o022 is the usual one; 0o000 lets everything through)."""
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_a_new_database_its_folder_and_its_wal_files_are_private(
    tmp_path: Path, umask: int
) -> None:
    folder = tmp_path / "data"
    path = folder / "crampcheck.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE notes (body TEXT)"))
            connection.execute(text("INSERT INTO notes VALUES ('my calf at night')"))
        wal = path.with_name(path.name + "-wal")
        shm = path.with_name(path.name + "-shm")
        assert wal.exists() and shm.exists()  # the connection is still open
        assert mode(folder) == 0o700
        assert mode(path) == 0o600
        assert mode(wal) == 0o600
        assert mode(shm) == 0o600
    finally:
        engine.dispose()


def test_backups_are_private_and_so_is_a_folder_made_for_them(tmp_path: Path, umask: int) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    upgrade(url)
    saved = tmp_path / "backups" / "2026-12-01.sqlite3"
    backup(url, saved)
    assert mode(saved) == 0o600
    assert mode(saved.parent) == 0o700
    assert not saved.with_name(saved.name + ".partial").exists()


def test_a_backup_folder_that_exists_is_left_as_it_is(tmp_path: Path, umask: int) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    upgrade(url)
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    backup(url, shared / "copy.sqlite3")
    assert mode(shared) == 0o755  # the operator's folder, such as /tmp
    assert mode(shared / "copy.sqlite3") == 0o600


def test_a_backup_over_an_older_readable_one_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    upgrade(url)
    saved = tmp_path / "copy.sqlite3"
    saved.write_bytes(b"an older backup")
    saved.chmod(0o644)
    backup(url, saved)
    assert mode(saved) == 0o600


def test_a_restored_database_in_a_new_folder_is_private(tmp_path: Path, umask: int) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'crampcheck.sqlite3'}"
    upgrade(url)
    saved = tmp_path / "copy.sqlite3"
    backup(url, saved)
    target = tmp_path / "elsewhere" / "crampcheck.sqlite3"
    restore(f"sqlite:///{target}", saved)
    assert mode(target.parent) == 0o700
    assert mode(target) == 0o600


def test_files_an_older_version_left_readable_are_tightened_when_opened(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    path = folder / "crampcheck.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    companions = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
    for companion in companions:
        companion.touch()
    folder.chmod(0o755)
    for file in (path, *companions):
        file.chmod(0o644)
    engine = make_engine(url)  # SQLite removes the WAL files at the last close: look now
    try:
        assert mode(folder) == 0o700
        for file in (path, *companions):
            assert mode(file) == 0o600, file.name
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_the_default_data_folder_made_by_the_command_line_is_private(
    clean_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "home" / ".local" / "share" / "crampcheck"
    assert cli.main(["db", "upgrade"]) == cli.EXIT_OK
    capsys.readouterr()
    assert mode(data) == 0o700
    assert mode(data / "crampcheck.sqlite3") == 0o600
    assert cli.main(["backup", str(tmp_path / "b.sqlite3")]) == cli.EXIT_OK
    assert mode(tmp_path / "b.sqlite3") == 0o600


def test_tightening_never_loosens(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    folder.chmod(0o500)
    file = tmp_path / "file"
    file.write_bytes(b"x")
    file.chmod(0o400)
    looser = tmp_path / "looser"
    looser.write_bytes(b"x")
    looser.chmod(0o640)
    try:
        private_folder(folder)
        private_file(file)
        private_file(looser)
        assert mode(folder) == 0o500
        assert mode(file) == 0o400
        assert mode(looser) == 0o600
    finally:
        folder.chmod(0o700)


def test_a_shared_sticky_folder_holding_a_database_is_left_to_the_machine(
    tmp_path: Path,
) -> None:
    """A database put in a folder like /tmp (sticky, shared) gets private files; the
    folder keeps its mode (making it 0700 would lock every other user out)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    engine = make_engine(f"sqlite:///{shared / 'crampcheck.sqlite3'}")
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    finally:
        engine.dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert stat.S_IMODE((shared / "crampcheck.sqlite3").stat().st_mode) == 0o600
