"""What every staff page shares: the member's clinic (read once per request), the page
header's context (the member, their clinic and its time zone, their role, the navigation
they may use, the sign-out form's token), rendering a staff page that is never cached,
and the 403 and form-check pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session, object_session

from crampcheck.clinic import Clinic
from crampcheck.services.clinics import get_clinic
from crampcheck.services.roles import Permission, Role
from crampcheck.storage.tables import StaffMember
from crampcheck.web.i18n import _
from crampcheck.web.pages.render import page
from crampcheck.web.staff_auth import StaffSignedIn, staff_csrf
from crampcheck.web.state import AppState


def role_label(role: str) -> str:
    """A role as people read it."""
    labels = {
        Role.FRONT_DESK.value: _("Front desk"),
        Role.CLINICIAN.value: _("Clinician"),
        Role.ADMIN.value: _("Admin"),
    }
    return labels.get(role, role)


_CLINICS_READ = "crampcheck.staff_clinics"
"""Where a database session keeps the clinics it has read (one look-up per request)."""


def _registered_clinic(db: Session | None, clinic_id: str) -> Clinic | None:
    """A registered clinic, read once per database session (each request has its own)."""
    if db is None:
        return None
    read: dict[str, Clinic | None] = db.info.setdefault(_CLINICS_READ, {})
    if clinic_id not in read:
        read[clinic_id] = get_clinic(db, clinic_id)
    return read[clinic_id]


def member_clinic(db: Session, state: AppState, member: StaffMember) -> Clinic:
    """The member's clinic (the installation's public one, or its registered record):
    its locations, its name and the time zone its staff read times in."""
    if member.clinic_id == state.clinic.id:
        return state.clinic
    clinic = _registered_clinic(db, member.clinic_id)
    if clinic is None:  # pragma: no cover - staff rows reference a clinic row
        raise LookupError(f"clinic {member.clinic_id!r} is not registered")
    return clinic


def _clinic_of(state: AppState, member: StaffMember) -> Clinic | None:
    """The member's clinic for the page's header (None if it is not registered)."""
    if member.clinic_id == state.clinic.id:
        return state.clinic
    return _registered_clinic(object_session(member), member.clinic_id)


def staff_context(request: Request, state: AppState, who: StaffSignedIn | None) -> dict[str, Any]:
    """What ``staff_base.html`` needs: the member (None when signed out), their clinic, its
    time zone and their role, the sign-out form's token, and which navigation links their
    role may use."""
    if who is None:
        return {
            "staff": None,
            "staff_csrf": "",
            "staff_role": "",
            "staff_clinic_name": "",
            "staff_time_zone": "",
            "can_manage_staff": False,
            "can_read_audit": False,
        }
    clinic = _clinic_of(state, who.member)
    return {
        "staff": who.member,
        "staff_csrf": staff_csrf(state, who.token),
        "staff_role": role_label(who.member.role),
        "staff_clinic_name": clinic.name if clinic is not None else who.member.clinic_id,
        "staff_time_zone": clinic.time_zone if clinic is not None else "UTC",
        "can_manage_staff": who.can(Permission.MANAGE_STAFF),
        "can_read_audit": who.can(Permission.READ_AUDIT),
    }


def no_store(response: Response) -> Response:
    """Keep a staff page out of every cache (shared screens, the back button)."""
    response.headers["cache-control"] = "no-store"
    return response


def staff_page(
    request: Request,
    state: AppState,
    who: StaffSignedIn | None,
    template: str,
    context: Mapping[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a template extending ``staff_base.html``, never cached."""
    full = {**staff_context(request, state, who), **(context or {})}
    response = page(request, state, template, full, status_code=status_code)
    no_store(response)
    return response


def staff_forbidden(request: Request, state: AppState, who: StaffSignedIn) -> HTMLResponse:
    """The 403 page for a role without the permission."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("Your role does not allow this"),
            "message": _(
                "This page is for staff whose role allows it. Ask your clinic's admin if "
                "you need it for your work."
            ),
        },
        status_code=403,
    )


def staff_csrf_failed(request: Request, state: AppState, who: StaffSignedIn | None) -> HTMLResponse:
    """The answer to a staff form whose security token does not match."""
    return staff_page(
        request,
        state,
        who,
        "staff_forbidden.html",
        {
            "title": _("We could not use this form"),
            "message": _(
                "The form's security check did not match. This happens when the form was "
                "open for a long time, was sent from another site, or cookies are blocked. "
                "Nothing was changed. Please go back, reload the page and try again."
            ),
        },
        status_code=400,
    )
