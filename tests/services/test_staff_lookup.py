"""A staff member is found by their exact id only: a longer id is not cut down to one
(the closing review saw /staff/team/<id>XYZ act on <id>)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from crampcheck.services.staff import find_member
from crampcheck.storage.tables import StaffMember
from tests.web.test_staff_inbox import add_member

pytestmark = pytest.mark.usefixtures("fast_hashing")


def test_a_member_is_found_by_their_exact_id_only(app: FastAPI) -> None:
    add_member(app, "clinician")
    state = app.state.crampcheck
    with state.sessions() as session:
        member = session.scalars(select(StaffMember)).one()
        assert find_member(session, state.clinic.id, member.id) is member
        assert find_member(session, state.clinic.id, member.id + "XYZ") is None
        assert find_member(session, "another-clinic", member.id) is None
