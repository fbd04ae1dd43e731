"""What every staff page shares: the member's clinic (read once per request), the page
header's context (the member, their clinic and its time zone, their role, the navigation
they may use, the sign-out form's token), rendering a staff page that is never cached,
and the 403 and form-check pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import object_session

from crampcheck.clinic import Clinic
from crampcheck.services.roles import Permission, role_label
from crampcheck.web.i18n import _
from crampcheck.web.pages.render import page
from crampcheck.web.staff_auth import StaffSignedIn, staff_csrf
from crampcheck.web.staff_shared import registered_clinic
from crampcheck.web.state import AppState


def _clinic_of(state: AppState, who: StaffSignedIn) -> Clinic | None:
    """The member's clinic for the page's header (None if it is not registered)."""
    if who.member.clinic_id == state.clinic.id:
        return state.clinic
    return registered_clinic(object_session(who.member), who.member.clinic_id)


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
    clinic = _clinic_of(state, who)
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


def staff_message(
    request: Request,
    state: AppState,
    who: StaffSignedIn | None,
    title: str,
    message: str,
    status_code: int,
) -> HTMLResponse:
    """A page that only says why nothing was done (``staff_forbidden.html``)."""
    context = {"title": title, "message": message}
    return staff_page(request, state, who, "staff_forbidden.html", context, status_code)


def staff_forbidden(request: Request, state: AppState, who: StaffSignedIn) -> HTMLResponse:
    """The 403 page for a role without the permission."""
    return staff_message(
        request,
        state,
        who,
        _("Your role does not allow this"),
        _(
            "This page is for staff whose role allows it. Ask your clinic's admin if "
            "you need it for your work."
        ),
        403,
    )


def staff_csrf_failed(request: Request, state: AppState, who: StaffSignedIn | None) -> HTMLResponse:
    """The answer to a staff form whose security token does not match."""
    return staff_message(
        request,
        state,
        who,
        _("We could not use this form"),
        _(
            "The form's security check did not match. This happens when the form was "
            "open for a long time, was sent from another site, or cookies are blocked. "
            "Nothing was changed. Please go back, reload the page and try again."
        ),
        400,
    )
