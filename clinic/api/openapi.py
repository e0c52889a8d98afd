"""The OpenAPI 3.1 document, built from the API's own URL rules.

Each view may carry a description via @operation; any API route without one is still
listed, so the document cannot fall behind the endpoints that exist. Request bodies are the
pydantic models that check them (clinic.api.bodies): their JSON Schemas go into
components/schemas and each operation refers to its own.
"""

import re

from flask import current_app, jsonify
from pydantic import BaseModel

from clinic.api.blueprint import bp
from clinic.api.parsing import ID_SCHEMA

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No content",
    400: "Body is not a JSON object",
    401: "No or bad token",
    403: "Not allowed",
    404: "Not found or not yours to see",
    405: "Method not allowed",
    409: "Conflicts with the schedule or a clinical rule",
    422: "Invalid fields",
    429: "Throttled",
}


def operation(
    summary: str,
    *,
    auth: bool = True,
    body: type[BaseModel] | tuple[type[BaseModel], ...] | None = None,
    response: dict | None = None,
    statuses: tuple[int, ...] = (),
    tag: str | None = None,
    query: dict[str, dict] | None = None,
):
    """Attach an OpenAPI description to a view. `body` is the model (or the models, any of
    which a body may match) the view reads its body with; `response` a JSON Schema."""

    def decorator(view):
        view._openapi = {
            "summary": summary,
            "auth": auth,
            "body": body,
            "response": response,
            "statuses": statuses,
            "tag": tag,
            "query": query or {},
        }
        return view

    return decorator


def _openapi_path(rule: str) -> tuple[str, list[str]]:
    names = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule), names


def _body_schema(body: type[BaseModel] | tuple[type[BaseModel], ...], schemas: dict[str, dict]) -> dict:
    """A reference to each model's schema, added (with the schemas it uses) to schemas."""
    models = body if isinstance(body, tuple) else (body,)
    refs = []
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, part in {**schema.pop("$defs", {}), model.__name__: schema}.items():
            if schemas.setdefault(name, part) != part:
                raise ValueError(f"Two request bodies are both called {name}.")
        refs.append({"$ref": f"#/components/schemas/{model.__name__}"})
    return refs[0] if len(refs) == 1 else {"anyOf": refs}


def build_document() -> dict:
    paths: dict[str, dict] = {}
    schemas: dict[str, dict] = {"Error": ERROR_SCHEMA}
    for rule in current_app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or "<path:" in rule.rule:
            continue
        view = current_app.view_functions[rule.endpoint]
        spec = getattr(view, "_openapi", None) or {
            "summary": rule.endpoint.split(".", 1)[1].replace("_", " "),
            "auth": True,
            "body": None,
            "response": None,
            "statuses": (),
            "tag": None,
            "query": {},
        }
        path, params = _openapi_path(rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            success = 201 if method == "POST" and 201 in spec["statuses"] else 200
            success = next((s for s in (202, 204) if s in spec["statuses"]), success)
            responses = {str(success): {"description": _STATUS_TEXT[success]}}
            if success != 204:
                responses[str(success)]["content"] = {"application/json": {"schema": spec["response"] or {}}}
            for status in spec["statuses"]:
                if status != success:
                    responses[str(status)] = {
                        "description": _STATUS_TEXT.get(status, "Error"),
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    }
            op = {
                "operationId": f"{rule.endpoint.split('.', 1)[1]}_{method.lower()}",
                "summary": spec["summary"],
                "responses": responses,
                "parameters": [
                    {"name": n, "in": "path", "required": True, "schema": ID_SCHEMA} for n in params
                ]
                + [
                    {
                        "name": n,
                        "in": "query",
                        "required": q.get("required", False),
                        "schema": {k: v for k, v in q.items() if k != "required"},
                    }
                    for n, q in spec["query"].items()
                ],
            }
            if spec["tag"]:
                op["tags"] = [spec["tag"]]
            if not spec["auth"]:
                op["security"] = []
            if spec["body"] is not None and method in ("POST", "PUT", "PATCH", "DELETE"):
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _body_schema(spec["body"], schemas)}},
                }
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Massage clinic API",
            "version": "1.0.0",
            "description": "Booking, intake screening, care plans and session notes.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}],
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": dict(sorted(schemas.items())),
        },
        "paths": dict(sorted(paths.items())),
    }


@bp.get("/openapi.json")
@operation("This document", auth=False, tag="meta")
def openapi_document():
    return jsonify(build_document())
