"""Check the locked dependencies (constraints.txt) for known vulnerabilities, offline.

The vulnerability database is a file given on the command line: the OSV export of the
PyPI ecosystem, ``all.zip`` (one OSV JSON record per advisory, from the PyPA advisory
database, GitHub's advisories and others), or a folder of such JSON records. Nothing is
sent anywhere and nothing is downloaded: fetch the file on a connected machine, e.g.

    curl -fsSLo osv-pypi.zip https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip

then run ``python3 dev.py audit osv-pypi.zip`` (or this script with the project's venv).
The answer is only as recent as the file: the newest record's date is printed.

A locked version is affected when an advisory lists it among its ``versions``, or when it
falls in one of its ``ECOSYSTEM`` ranges (the OSV schema's evaluation: ``introduced`` and
``fixed`` as half-open intervals, ``last_affected`` inclusive). Withdrawn advisories are
skipped. Exit codes: 0 nothing known, 1 affected packages found (listed), 2 the database
or the lock file could not be read.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
ECOSYSTEM = "PyPI"
EXIT_CLEAN, EXIT_AFFECTED, EXIT_UNREADABLE = 0, 1, 2


class AuditError(Exception):
    """The database or the lock file cannot be used; the message says why."""


@dataclass(frozen=True)
class Finding:
    package: str
    version: str
    advisory: str
    aliases: tuple[str, ...]
    fixed: tuple[str, ...]
    summary: str

    def line(self) -> str:
        also = f" ({', '.join(self.aliases)})" if self.aliases else ""
        fix = f"; fixed in {', '.join(self.fixed)}" if self.fixed else "; no fixed version"
        about = f": {self.summary}" if self.summary else ""
        return f"{self.package}=={self.version}: {self.advisory}{also}{fix}{about}"


def locked_versions(constraints: Path) -> dict[NormalizedName, tuple[str, Version]]:
    """Every ``name==version`` line of the lock file, by normalised name."""
    try:
        lines = constraints.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise AuditError(f"cannot read {constraints}: {error.strerror}") from None
    pins: dict[NormalizedName, tuple[str, Version]] = {}
    for number, raw in enumerate(lines, 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        try:
            requirement = Requirement(line)
            (specifier,) = requirement.specifier
            if specifier.operator != "==" or "*" in specifier.version:
                raise ValueError
            version = Version(specifier.version)
        except (InvalidRequirement, InvalidVersion, ValueError):
            raise AuditError(f"{constraints}:{number}: not an exact pin: {raw.strip()}") from None
        pins[canonicalize_name(requirement.name)] = (requirement.name, version)
    return pins


def records(database: Path) -> Iterator[dict[str, Any]]:
    """The OSV records of a zip file (OSV's ``all.zip``) or a folder of JSON files."""
    try:
        if database.is_dir():
            for path in sorted(database.rglob("*.json")):
                yield json.loads(path.read_text(encoding="utf-8"))
            return
        with zipfile.ZipFile(database) as archive:
            for name in archive.namelist():
                if name.endswith(".json"):
                    yield json.loads(archive.read(name))
    except FileNotFoundError:
        raise AuditError(f"there is no vulnerability database at {database}") from None
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise AuditError(
            f"{database} is not an OSV database (a zip or folder of JSON): {error}"
        ) from None


def _version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def in_range(version: Version, events: list[dict[str, str]]) -> bool:
    """Whether ``version`` is affected by one OSV ``ECOSYSTEM`` range's events."""
    ordered: list[tuple[Version, str]] = []
    for event in events:
        for kind in ("introduced", "fixed", "last_affected"):
            if kind in event:
                bound = Version("0") if event[kind] == "0" else _version(event[kind])
                if bound is not None:
                    ordered.append((bound, kind))
    affected = False
    for bound, kind in sorted(ordered, key=lambda item: item[0]):
        if kind == "introduced":
            affected = affected or version >= bound
        elif kind == "fixed":
            affected = affected and version < bound
        else:  # last_affected: that version itself is still affected
            affected = affected and version <= bound
    return affected


def audit(
    pins: dict[NormalizedName, tuple[str, Version]], database: Path
) -> tuple[list[Finding], int, str]:
    """The findings, how many records were read, and the newest record's date."""
    findings: list[Finding] = []
    count, newest = 0, ""
    for record in records(database):
        count += 1
        newest = max(newest, str(record.get("modified", "")))
        if record.get("withdrawn"):
            continue
        for affected in record.get("affected", []):
            package = affected.get("package", {})
            if package.get("ecosystem") != ECOSYSTEM:
                continue
            pin = pins.get(canonicalize_name(str(package.get("name", ""))))
            if pin is None:
                continue
            name, version = pin
            listed = any(_version(v) == version for v in affected.get("versions", []))
            ranges = [r for r in affected.get("ranges", []) if r.get("type") == "ECOSYSTEM"]
            if listed or any(in_range(version, r.get("events", [])) for r in ranges):
                fixed = tuple(
                    e["fixed"] for r in ranges for e in r.get("events", []) if "fixed" in e
                )
                findings.append(
                    Finding(
                        package=name,
                        version=str(version),
                        advisory=str(record.get("id", "?")),
                        aliases=tuple(record.get("aliases", [])),
                        fixed=fixed,
                        summary=str(record.get("summary", "")).strip(),
                    )
                )
    return sorted(findings, key=lambda f: (f.package.lower(), f.advisory)), count, newest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="OSV's PyPI all.zip, or a folder of records")
    parser.add_argument(
        "--constraints",
        type=Path,
        default=ROOT / "constraints.txt",
        help="the lock file (default: constraints.txt)",
    )
    args = parser.parse_args(argv)
    try:
        pins = locked_versions(args.constraints)
        findings, count, newest = audit(pins, args.database)
    except AuditError as error:
        print(f"audit: {error}", file=sys.stderr)
        return EXIT_UNREADABLE
    if count == 0:
        print(f"audit: {args.database} holds no OSV records", file=sys.stderr)
        return EXIT_UNREADABLE
    when = f"newest record {newest}" if newest else "records undated"
    print(f"checked {len(pins)} locked packages against {count} advisories ({when})")
    for finding in findings:
        print(finding.line())
    if findings:
        affected = len({f.package for f in findings})
        print(f"{affected} locked package(s) with known vulnerabilities")
        return EXIT_AFFECTED
    print("no known vulnerability in the locked versions")
    return EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
