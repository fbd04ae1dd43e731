"""Files and folders that hold health data, private to the user who runs crampcheck.

The SQLite database, its write-ahead log and shared-memory files, and backups are 0600;
the database's folder is 0700 (the security review's L5). New ones get these modes
whatever the umask. Ones that already exist lose their group and other permissions when
crampcheck opens them, and are never loosened (a read-only file stays read-only). A file
or folder that belongs to another user is left as it is: its owner decides.

SQLite gives the WAL, shared-memory and journal files it creates the database file's
own mode, so creating the database file 0600 before SQLite opens it keeps them private.
On systems without POSIX modes (Windows) nothing is changed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
SHARED_BITS = 0o077
"""The group's and other users' permissions: removed from every file named here."""
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""The files SQLite keeps beside a database, named after it."""

_POSIX = os.name == "posix"


def tighten(path: Path) -> None:
    """Remove the group's and other users' permissions from ``path`` if it exists and is
    ours; the owner's own permissions are kept as they are."""
    if not _POSIX:
        return
    try:
        status = path.stat()
    except FileNotFoundError:
        return
    current = stat.S_IMODE(status.st_mode)
    if current & SHARED_BITS and status.st_uid == os.geteuid():
        path.chmod(current & ~SHARED_BITS)


def private_folder(path: Path, *, tighten_existing: bool = True) -> None:
    """Make sure the folder ``path`` exists; if it is made here it is 0700 whatever the
    umask (missing parents are made as usual). An existing one is tightened unless
    ``tighten_existing`` is false (a folder the operator chose for a backup, such as /tmp)."""
    if path.is_dir():
        if tighten_existing:
            tighten(path)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=PRIVATE_FOLDER)
    except FileExistsError:  # made by another process meanwhile
        if tighten_existing:
            tighten(path)
        return
    if _POSIX:
        path.chmod(PRIVATE_FOLDER)  # the umask may have taken some of the owner's bits


def private_file(path: Path) -> None:
    """Make sure the file ``path`` exists; if it is made here it is empty and 0600 whatever
    the umask. An existing one is tightened."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        tighten(path)
        return
    try:
        if _POSIX:
            os.fchmod(descriptor, PRIVATE_FILE)
    finally:
        os.close(descriptor)


def _own_folder(folder: Path) -> bool:
    """Whether an existing folder may be made private for the database in it: never the
    file system's root and never a shared sticky folder such as /tmp (a database put
    there gets private files, and the folder is left to the machine)."""
    if not _POSIX or folder.resolve() == Path(folder.resolve().anchor):
        return False
    try:
        return not folder.stat().st_mode & stat.S_ISVTX
    except FileNotFoundError:
        return True


def private_sqlite_files(database: Path) -> None:
    """Before SQLite opens ``database``: its folder private, the file itself private (made
    empty when missing, which SQLite takes as a new database), and the WAL,
    shared-memory and journal files left by an earlier run tightened."""
    folder = database.parent
    private_folder(folder, tighten_existing=_own_folder(folder))
    private_file(database)
    for suffix in SQLITE_COMPANIONS:
        tighten(database.with_name(database.name + suffix))
