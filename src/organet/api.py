"""The JSON API: the validated request body, one pagination shape for every list, and /api/openapi.json."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import BaseModel
from starlette.requests import Request

from organet.errors import ValidationError
from organet.version import __version__

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


def payload(request: Request) -> Any:
    """Return the request body, validated against the route's ``request_model``."""
    return request.state.payload


def page_params(request: Request) -> tuple[int, int]:
    """Return ``(page, per_page)`` from the query string; bad values raise a clear 422."""
    try:
        page = int(request.query_params.get("page", "1"))
        per_page = int(request.query_params.get("per_page", str(DEFAULT_PAGE_SIZE)))
    except ValueError:
        raise ValidationError("page and per_page must be whole numbers, for example ?page=2&per_page=20.",
                              {"page": ["Use a whole number."]}) from None
    if page < 1 or not 1 <= per_page <= MAX_PAGE_SIZE:
        raise ValidationError(f"page starts at 1 and per_page is 1 to {MAX_PAGE_SIZE}.",
                              {"page": [f"page >= 1, per_page 1..{MAX_PAGE_SIZE}"]})
    return page, per_page


def paginate(request: Request, session: Session, statement: sa.Select[Any],
             serialise: Any = None) -> dict[str, Any]:
    """Run ``statement`` one page at a time and return ``{"items", "page", "per_page", "total", "next"}``.

    Every list in every plugin's API has this shape. ``serialise`` turns a row into JSON data.
    """
    page, per_page = page_params(request)
    total = session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = session.scalars(statement.limit(per_page).offset((page - 1) * per_page)).all()
    items = [serialise(row) if serialise else row for row in rows]
    items = [item.model_dump(mode="json") if isinstance(item, BaseModel) else item for item in items]
    has_next = page * per_page < total
    return {"items": items, "page": page, "per_page": per_page, "total": total,
            "next": page + 1 if has_next else None}


ERROR_SCHEMA = {
    "type": "object",
    "properties": {"error": {"type": "object", "properties": {
        "code": {"type": "string"}, "message": {"type": "string"},
        "fields": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}},
        "required": ["code", "message"]}},
    "required": ["error"],
}


def openapi(site: Site, root_path: str = "") -> dict[str, Any]:
    """Build the OpenAPI 3.1 description of every enabled plugin's API routes.

    ``root_path`` is the prefix organet is mounted under (empty when it runs on its own); it
    becomes the server URL, so that the paths stay ``/api/<plugin>/v1/...`` either way.
    """
    paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for plugin, route in site.api_routes:
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", f"/api/{plugin}/v1{route.path}")
        parameters = [{"name": name, "in": "path", "required": True,
                       "schema": {"type": "integer"} if converter == "int" else {"type": "string"}}
                      for name, converter in _path_names(route.path)]
        parameters += [{"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
                       for name in route.query_params]
        if route.paginated:
            parameters += [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                           {"name": "per_page", "in": "query",
                            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}}]
        for method in route.methods:
            operation: dict[str, Any] = {
                "operationId": f"{plugin}_{route.name}_{method.lower()}",
                "summary": route.summary or route.name,
                "tags": [plugin],
                "x-permission": route.permission,
                "parameters": parameters,
                "responses": {"default": {"description": "An error",
                                          "content": {"application/json": {
                                              "schema": {"$ref": "#/components/schemas/Error"}}}}},
            }
            if route.request_model is not None and method in {"POST", "PUT", "PATCH"}:
                operation["requestBody"] = {"required": True, "content": {"application/json": {
                    "schema": _schema_ref(route.request_model, schemas)}}}
            ok: dict[str, Any] = {"description": "OK"}
            if route.response_model is not None:
                ok["content"] = {"application/json": {"schema": _schema_ref(route.response_model, schemas)}}
            operation["responses"]["200"] = ok
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": f"{site.config.site['name']} API", "version": __version__},
        "servers": [{"url": root_path or "/"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "token": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "organet_session"}}},
        "security": [{"token": []}, {"session": []}],
    }


def _path_names(path: str) -> list[tuple[str, str]]:
    """Return ``(name, converter)`` for each ``{name}`` or ``{name:converter}`` in a route path."""
    return [(name, converter or "str") for name, converter in re.findall(r"\{(\w+)(?::(\w+))?\}", path)]


def _schema_ref(model: Any, schemas: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, definition in schema.pop("$defs", {}).items():
        schemas[name] = definition
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}
