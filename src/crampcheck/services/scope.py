"""Whether a check falls within the clinic's scope, and who fits better when it does not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crampcheck.clinic import Clinic


@dataclass(frozen=True)
class ScopeNote:
    """A note for a check outside the clinic's usual scope."""

    site_ids: tuple[str, ...]
    clinicians: tuple[str, ...]


def scope_note(clinic: Clinic, present_findings: Iterable[str]) -> ScopeNote | None:
    """None when any affected site is within the clinic's scope (or no site is known)."""
    present = set(present_findings)
    sites = [r.site for r in clinic.referrals if r.site in present]
    if not sites or present & set(clinic.sites_in_scope):
        return None
    clinicians = tuple(dict.fromkeys(r.clinician for r in clinic.referrals if r.site in sites))
    return ScopeNote(tuple(sites), clinicians)
