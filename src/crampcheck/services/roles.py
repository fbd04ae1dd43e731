"""Staff roles and what each may do.

Front desk handles appointment requests (who, how to reach them, when, how urgent);
clinicians also see the clinical detail (the check as the patient saw it, the shared
diary, the summary PDF, the FHIR export); admins manage staff and read the audit log,
and handle requests like the front desk, without clinical detail (least privilege).
"""

from __future__ import annotations

from enum import StrEnum

from crampcheck.domain.i18n import _


class Role(StrEnum):
    """A staff member's job at one clinic."""

    FRONT_DESK = "front_desk"
    CLINICIAN = "clinician"
    ADMIN = "admin"


class Permission(StrEnum):
    """One thing a staff member can be allowed to do."""

    HANDLE_REQUESTS = "handle_requests"
    """See the inbox and a request's contact details, and move it through its workflow."""
    READ_CLINICAL = "read_clinical"
    """See the check, the shared diary, the summary PDF and the FHIR export."""
    MANAGE_STAFF = "manage_staff"
    """Add staff and deactivate them."""
    READ_AUDIT = "read_audit"
    """Read and export the audit log."""


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.FRONT_DESK: frozenset({Permission.HANDLE_REQUESTS}),
    Role.CLINICIAN: frozenset({Permission.HANDLE_REQUESTS, Permission.READ_CLINICAL}),
    Role.ADMIN: frozenset(
        {Permission.HANDLE_REQUESTS, Permission.MANAGE_STAFF, Permission.READ_AUDIT}
    ),
}


def allowed(role: str, permission: Permission) -> bool:
    """Whether a role (as stored) carries a permission; unknown roles carry none."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def role_label(role: str) -> str:
    """A role as people read it."""
    labels = {
        Role.FRONT_DESK.value: _("Front desk"),
        Role.CLINICIAN.value: _("Clinician"),
        Role.ADMIN.value: _("Admin"),
    }
    return labels.get(role, role)
