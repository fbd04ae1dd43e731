"""HTML pages (plain forms that work without JavaScript)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

__all__ = ["router"]
