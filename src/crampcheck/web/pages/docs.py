"""/docs: the JSON API described on one server-rendered page, generated from app.openapi()."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from crampcheck.web.deps import StateDep
from crampcheck.web.i18n import _
from crampcheck.web.pages.render import page

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")
REF_PREFIX = "#/components/schemas/"


def _ref_name(ref: str) -> str:
    return ref.removeprefix(REF_PREFIX)


def type_of(schema: dict[str, Any]) -> str:
    """A short, readable type for a JSON schema."""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for combinator in ("anyOf", "oneOf", "allOf"):
        if combinator in schema:
            parts = [type_of(s) for s in schema[combinator]]
            return " | ".join(dict.fromkeys(parts))
    if "const" in schema:
        return repr(schema["const"])
    if "enum" in schema:
        return " | ".join(repr(v) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "array":
        return f"list[{type_of(schema.get('items', {}))}]"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            return f"map[string, {type_of(extra)}]"
        return "object"
    if isinstance(kind, str):
        fmt = schema.get("format")
        return f"{kind} ({fmt})" if fmt else kind
    return "any"


def fields_of(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    """The properties of an object schema (following one $ref), with type and constraints."""
    if "$ref" in schema:
        schema = components.get(_ref_name(schema["$ref"]), {})
    required = set(schema.get("required", []))
    fields = []
    for name, prop in schema.get("properties", {}).items():
        limits = [
            f"{key} {prop[key]}"
            for key in ("minimum", "maximum", "minLength", "maxLength", "maxProperties", "pattern")
            if key in prop
        ]
        fields.append(
            {
                "name": name,
                "type": type_of(prop),
                "required": name in required,
                "description": prop.get("description", ""),
                "limits": ", ".join(limits),
                "default": repr(prop["default"]) if "default" in prop else None,
            }
        )
    return fields


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation in the OpenAPI document, in document order."""
    components = spec.get("components", {}).get("schemas", {})
    ops = []
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            body = None
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = content["application/json"].get("schema", {})
                body = {"type": type_of(schema), "fields": fields_of(schema, components)}
            responses = []
            for code, response in op.get("responses", {}).items():
                schema = response.get("content", {}).get("application/json", {}).get("schema")
                responses.append(
                    {
                        "code": code,
                        "description": response.get("description", ""),
                        "type": type_of(schema) if schema else None,
                        "ref": _ref_name(schema["$ref"]) if schema and "$ref" in schema else None,
                    }
                )
            ops.append(
                {
                    "id": op.get("operationId") or f"{method}-{path}",
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "tags": op.get("tags", []),
                    "parameters": [
                        {
                            "name": p.get("name"),
                            "where": p.get("in"),
                            "required": p.get("required", False),
                            "type": type_of(p.get("schema", {})),
                        }
                        for p in op.get("parameters", [])
                    ],
                    "body": body,
                    "responses": responses,
                }
            )
    return ops


def referenced_schemas(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every named schema, with its fields (for types that responses and bodies name)."""
    components = spec.get("components", {}).get("schemas", {})
    return [
        {
            "name": name,
            "description": schema.get("description", ""),
            "fields": fields_of(schema, components),
        }
        for name, schema in sorted(components.items())
    ]


@router.get("/docs")
def api_docs(request: Request, state: StateDep) -> HTMLResponse:
    """The API's operations, request fields and responses, without JavaScript."""
    spec = request.app.openapi()
    return page(
        request,
        state,
        "docs.html",
        {
            "title": _("API documentation"),
            "info": spec.get("info", {}),
            "operations": operations(spec),
            "schemas": referenced_schemas(spec),
        },
    )
