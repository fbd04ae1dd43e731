"""The JSON API for the episode diary: episodes, patterns and the person's data export.

Every route needs a session (401 without one) and only ever sees the signed-in
person's episodes: another person's episode is answered exactly like one that does
not exist (404).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from crampcheck.domain.diary import Escalation, KindPatterns, Patterns, Site
from crampcheck.domain.local_format import LocalFormat
from crampcheck.domain.times import aware as _utc
from crampcheck.domain.zones import UNKNOWN_ZONE
from crampcheck.knowledge.loader import KnowledgeBase
from crampcheck.services import diary, export
from crampcheck.services.diary import EpisodeError, EpisodeInput
from crampcheck.services.export import episode_dict
from crampcheck.storage.tables import Episode, User
from crampcheck.web.api.account import UNAUTHORIZED
from crampcheck.web.api.errors import ApiRoute, field_error, validation_response
from crampcheck.web.api.inputs import PathId
from crampcheck.web.api.pattern_schemas import PatternsOut
from crampcheck.web.api.schemas import (
    DateTimeText,
    EpisodeIn,
    EpisodeOut,
    EpisodePageOut,
    ErrorOut,
    ExportOut,
)
from crampcheck.web.auth import DbDep, UserDep
from crampcheck.web.deps import StateDep
from crampcheck.web.zones import time_zone

router = APIRouter(prefix="/api/v1", route_class=ApiRoute, tags=["diary"])

NOT_FOUND = "No such episode."
MAX_ID_CHARS = 36
ONE_EPISODE: dict[int | str, dict[str, Any]] = {
    **UNAUTHORIZED,
    404: {"model": ErrorOut, "description": "No such episode (or not yours)"},
}


def episode_payload(episode: Episode) -> dict[str, Any]:
    """One episode as the API shows it: the export's fields, with times as datetimes."""
    return {
        **episode_dict(episode),
        "started_at": _utc(episode.started_at),
        "created_at": _utc(episode.created_at),
        "updated_at": _utc(episode.updated_at),
    }


def episode_input(body: EpisodeIn, check: dict[str, Any] | None = None) -> EpisodeInput:
    """The service's input for an API body (a saved check is kept as it was)."""
    return EpisodeInput(
        started_at=body.started_at,
        feel=body.feel,
        site=body.site,
        side=body.side,
        duration_minutes=body.duration_minutes,
        pain=body.pain,
        activity=body.activity,
        at_night=body.at_night,
        context=tuple(body.context),
        tried=tuple(body.tried),
        helped=body.helped,
        notes=body.notes,
        check=check,
    )


def patterns_payload(
    kinds: Sequence[KindPatterns], kb: KnowledgeBase, now: datetime, zone: tzinfo
) -> dict[str, Any]:
    """The diary's patterns as the API shows them: each kind of episode apart
    (``kinds``), the top-level figures those of the kind with most episodes (named by
    ``kind``) and the top-level escalations every kind's, each naming its kind."""
    each = [{"kind": k.kind, **_figures(k.patterns, k.kind, kb)} for k in kinds]
    main = kinds[0].patterns if kinds else diary.nothing_logged(now, zone, kb)
    return {
        **_figures(main, kinds[0].kind if kinds else None, kb),
        "kind": kinds[0].kind if kinds else None,
        "escalations": [e for k in each for e in k["escalations"]],
        "kinds": each,
    }


def _figures(found: Patterns, kind: str | None, kb: KnowledgeBase) -> dict[str, Any]:
    """One kind of episode's patterns as the API shows them."""
    return {
        "total": found.total,
        "diary_days": found.diary_days,
        "weekly_counts": list(found.weekly_counts),
        "trend": found.trend,
        "night_share": found.night_share,
        "sites": [{"site": s, "episodes": n} for s, n in found.sites],
        "median_duration_minutes": found.median_duration,
        "median_pain": found.median_pain,
        "hours": list(found.hours),
        "pain_by_week": list(found.pain_by_week),
        "home_care": [
            {"treatment": t, "tried": n, "followed_by_relief": m} for t, n, m in found.home_care
        ],
        "factors": [
            {
                "context": c,
                "episodes_a_day_with": w,
                "episodes_a_day_without": wo,
                "days_with": dw,
                "days_without": dwo,
            }
            for c, w, wo, dw, dwo in found.factors
        ],
        "enough_for_factors": found.enough_for_factors,
        "metrics": found.metrics,
        "escalations": [_escalation(e, kind, kb) for e in found.escalations],
    }


def _escalation(escalation: Escalation, kind: str | None, kb: KnowledgeBase) -> dict[str, Any]:
    """A diary rule that fired for one kind of episode, with its sources."""
    return {
        "kind": kind,
        "rule_id": escalation.rule_id,
        "level": escalation.level,
        "reason": escalation.reason,
        "source_ids": list(escalation.source_ids),
        "sources": [
            kb.sources[s].model_dump(
                mode="json", include={"id", "title", "publisher", "year", "url", "accessed"}
            )
            for s in escalation.source_ids
            if s in kb.sources
        ],
    }


def _own_episode(db: Session, user_id: str, episode_id: str) -> Episode:
    episode = (
        diary.get_episode(db, user_id, episode_id) if len(episode_id) <= MAX_ID_CHARS else None
    )
    if episode is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, NOT_FOUND)
    return episode


@router.post(
    "/episodes",
    response_model=EpisodeOut,
    status_code=status.HTTP_201_CREATED,
    operation_id="create_episode",
    responses=UNAUTHORIZED,
)
def create_episode(body: EpisodeIn, who: UserDep, db: DbDep) -> Any:
    """Log an episode in the diary."""
    try:
        episode = diary.log_episode(db, who.user.id, episode_input(body))
    except EpisodeError as error:
        return field_error(error.field, error.message)
    db.flush()
    return episode_payload(episode)


@router.get(
    "/episodes",
    response_model=EpisodePageOut,
    operation_id="list_episodes",
    responses=UNAUTHORIZED,
)
def list_episodes(
    who: UserDep,
    db: DbDep,
    since: Annotated[DateTimeText | None, Query(description="from this time (inclusive)")] = None,
    until: Annotated[DateTimeText | None, Query(description="before this time")] = None,
    site: Site | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Any:
    """The diary's episodes, newest first, filtered and paged."""
    found = diary.list_episodes(
        db, who.user.id, since=since, until=until, site=site, limit=limit + 1, offset=offset
    )
    return {
        "items": [episode_payload(e) for e in found[:limit]],
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(found) > limit else None,
    }


@router.get(
    "/episodes/{episode_id}",
    response_model=EpisodeOut,
    operation_id="get_episode",
    responses=ONE_EPISODE,
)
def get_episode(episode_id: PathId, who: UserDep, db: DbDep) -> Any:
    """One episode."""
    return episode_payload(_own_episode(db, who.user.id, episode_id))


@router.put(
    "/episodes/{episode_id}",
    response_model=EpisodeOut,
    operation_id="update_episode",
    responses=ONE_EPISODE,
)
def update_episode(episode_id: PathId, body: EpisodeIn, who: UserDep, db: DbDep) -> Any:
    """Replace an episode's details (a check saved with it is kept)."""
    episode = _own_episode(db, who.user.id, episode_id)
    try:
        diary.update_episode(db, who.user.id, episode.id, episode_input(body, episode.check))
    except EpisodeError as error:
        return field_error(error.field, error.message)
    return episode_payload(episode)


@router.delete(
    "/episodes/{episode_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    operation_id="delete_episode",
    responses=ONE_EPISODE,
)
def delete_episode(episode_id: PathId, who: UserDep, db: DbDep) -> Response:
    """Delete an episode."""
    episode = _own_episode(db, who.user.id, episode_id)
    diary.delete_episode(db, who.user.id, episode.id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/patterns",
    response_model=PatternsOut,
    operation_id="diary_patterns",
    responses=UNAUTHORIZED,
)
def get_patterns(
    who: UserDep,
    db: DbDep,
    state: StateDep,
    tz: Annotated[
        str | None, Query(max_length=64, description="IANA time zone for hours (default UTC)")
    ] = None,
) -> Any:
    """What the diary shows over time, and any reason to see a doctor it brings up."""
    zone = time_zone(tz) if tz else UTC
    if zone is None:
        return validation_response(
            [
                {
                    "type": "value_error",
                    "loc": ["query", "tz"],
                    "msg": f"Unknown time zone: {UNKNOWN_ZONE}.",
                }
            ]
        )
    kb = state.pipeline.kb
    now = datetime.now(UTC)
    kinds = diary.patterns_by_kind(db, who.user.id, kb, now=now, zone=zone)
    return patterns_payload(kinds, kb, now, zone)


@router.get(
    "/export",
    response_model=ExportOut,
    operation_id="export_data",
    responses={
        **UNAUTHORIZED,
        200: {
            "description": "json: everything held; csv: the episodes; fhir: a FHIR R4 Bundle",
            "content": {"text/csv": {}, "application/fhir+json": {}},
        },
    },
)
def export_data(
    who: UserDep, db: DbDep, state: StateDep, format: Literal["json", "csv", "fhir"] = "json"
) -> Response:
    """Download everything crampcheck holds about you."""
    clinic = state.clinic
    fmt = clinic.local_format()
    return export_response(db, who.user, state.pipeline.kb, format, fmt)


def export_response(
    db: Session,
    user: User,
    kb: KnowledgeBase,
    kind: Literal["json", "csv", "fhir"],
    fmt: LocalFormat,
) -> Response:
    """The export as a download (shared by the API and the account page); the CSV's
    times are in ``fmt``'s zone, written as its locale writes them."""
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    headers = {"Cache-Control": "no-store"}
    if kind == "csv":
        headers["Content-Disposition"] = f'attachment; filename="crampcheck-episodes-{stamp}.csv"'
        return Response(
            export.export_csv(db, user, fmt), media_type="text/csv; charset=utf-8", headers=headers
        )
    if kind == "fhir":
        headers["Content-Disposition"] = f'attachment; filename="crampcheck-fhir-{stamp}.json"'
        return Response(
            json.dumps(export.export_fhir(db, user, kb), ensure_ascii=False),
            media_type="application/fhir+json",
            headers=headers,
        )
    headers["Content-Disposition"] = f'attachment; filename="crampcheck-data-{stamp}.json"'
    return JSONResponse(export.export_json(db, user), headers=headers)
