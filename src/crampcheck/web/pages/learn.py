"""Learn pages: the clinic's patient leaflet (``learn.yaml`` in the knowledge base).

Every word a person reads comes from the knowledge base: the leaflet's statements, and
the lists a section shows as they are held elsewhere (emergency signs, conditions,
advice, sources). Every statement cites its sources; the drawings of the stretches are
shown beside the advice they illustrate.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.domain.types import Kind
from crampcheck.knowledge.loader import CompiledAdvice, KnowledgeBase
from crampcheck.web.deps import StateDep
from crampcheck.web.pages.render import not_found, page
from crampcheck.web.pages.result import Citations, evidence_labels
from crampcheck.web.state import AppState

router = APIRouter(include_in_schema=False)

DRAWINGS_PATH = "/static/drawings"
"""Where the drawings of the stretches are served (``web/static/drawings/<id>.svg``)."""


def _fill(text: str, state: AppState) -> str:
    terms = state.pipeline.care_terms(state.settings.emergency_number)
    for key, value in terms.items():
        text = text.replace("{" + key + "}", value)
    return text


def _citations(kb: KnowledgeBase) -> Citations:
    return Citations({s.id: s.model_dump(mode="json") for s in kb.sources.values()})


def _statement(statement: Any, state: AppState, cite: Citations) -> dict[str, Any]:
    """A leaflet statement (``learn.yaml``): its text, filled in, and its citations."""
    return {"text": _fill(statement.text, state), "cites": cite.cite(statement.sources)}


def _kind_titles(kb: KnowledgeBase) -> dict[Kind, str]:
    """The leaflet's section title for each kind (the knowledge base's ``kind_words``)."""
    return {kind: kb.policy.kind_words[kind].topic for kind in Kind}


def drawings_of(kb: KnowledgeBase, advice_id: str, state: AppState) -> list[dict[str, Any]]:
    """The drawings that illustrate one advice item, with how to do each stretch."""
    return [
        {
            "src": f"{DRAWINGS_PATH}/{d.id}.svg",
            "title": d.title,
            "alt": d.alt,
            "how": _fill(d.how.text, state),
            "how_sources": d.how.sources,
        }
        for d in kb.leaflet.drawings
        if d.advice == advice_id
    ]


def _conditions(state: AppState, cite: Citations) -> list[dict[str, Any]]:
    kb = state.pipeline.kb
    groups = []
    for kind, title in _kind_titles(kb).items():
        items = [
            {
                "name": c.name,
                "text": _fill(c.summary, state),
                "clinician": _fill(c.clinician, state) if c.clinician else None,
                "cites": cite.cite(c.sources),
            }
            for c in kb.conditions.values()
            if c.kind is kind
        ]
        if items:
            groups.append({"title": title, "items": items})
    return groups


def _advice(state: AppState, cite: Citations, kind: str) -> list[dict[str, Any]]:
    items = []
    advice: CompiledAdvice
    for advice in state.pipeline.kb.advice:
        spec = advice.spec
        if spec.kind != kind:
            continue
        evidence = spec.evidence
        drawings = drawings_of(state.pipeline.kb, spec.id, state)
        for drawing in drawings:
            drawing["cites"] = cite.cite(drawing.pop("how_sources"))
        items.append(
            {
                "title": _fill(spec.title, state),
                "text": _fill(spec.text, state),
                "cites": cite.cite(spec.sources),
                "steps": [_fill(step, state) for step in spec.steps],
                "drawings": drawings,
                "cautions": [
                    {"text": _fill(c.text, state), "cites": cite.cite(c.sources)}
                    for c in spec.cautions
                ],
                "evidence": (
                    {
                        "strength": evidence_labels().get(evidence.strength, evidence.strength),
                        "summary": evidence.summary,
                        "cites": cite.cite(evidence.sources),
                    }
                    if evidence
                    else None
                ),
            }
        )
    return items


def _section(section: Any, state: AppState, cite: Citations) -> dict[str, Any]:
    kb = state.pipeline.kb
    included: Any = None
    if section.include == "emergency_signs":
        included = [
            {"text": sign.label, "cites": cite.cite(sign.sources)} for sign in kb.emergency_signs
        ]
    elif section.include == "conditions":
        included = _conditions(state, cite)
    elif section.include in ("advice_home", "advice_avoid", "advice_professional"):
        included = _advice(state, cite, section.include.removeprefix("advice_"))
    elif section.include == "sources":
        cite.cite(kb.sources)
    return {
        "heading": _fill(section.heading, state),
        "include": section.include,
        "included": included,
        "paragraphs": [_statement(s, state, cite) for s in section.paragraphs],
        "points": [_statement(s, state, cite) for s in section.points],
    }


def _pages(state: AppState) -> dict[str, Any]:
    return {p.slug: p for p in state.pipeline.kb.leaflet.pages}


@router.get("/learn")
def learn_index(request: Request, state: StateDep) -> HTMLResponse:
    """The Learn topics, in the leaflet's order."""
    items = [
        (p.slug, _fill(p.title, state), _fill(p.summary, state)) for p in _pages(state).values()
    ]
    return page(request, state, "learn_index.html", {"topics": items})


@router.get("/learn/{slug}")
def learn_topic(request: Request, slug: str, state: StateDep) -> HTMLResponse:
    """One Learn page of the leaflet."""
    leaflet_page = _pages(state).get(slug)
    if leaflet_page is None:
        return not_found(request, state)
    cite = _citations(state.pipeline.kb)
    context = {
        "title": _fill(leaflet_page.title, state),
        "description": _fill(leaflet_page.summary, state),
        "intro": [_statement(s, state, cite) for s in leaflet_page.intro],
        "note": leaflet_page.note,
        "sections": [_section(s, state, cite) for s in leaflet_page.sections],
        "lists_sources": any(s.include == "sources" for s in leaflet_page.sections),
    }
    return page(request, state, "learn_page.html", {**context, "sources": cite.numbered()})
