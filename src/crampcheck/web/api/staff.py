"""Clinic staff: staff."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/api/staff", tags=["staff"])
