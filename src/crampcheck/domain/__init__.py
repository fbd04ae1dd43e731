"""Pure value types shared by every layer; imports nothing else of ours."""

from crampcheck.domain.types import (
    Case,
    FindingState,
    Kind,
    Sex,
    Urgency,
)

__all__ = ["Case", "FindingState", "Kind", "Sex", "Urgency"]
