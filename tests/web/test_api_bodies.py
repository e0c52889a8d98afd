"""Each request body is declared once, as a pydantic model: the OpenAPI document shows that
model's schema, and the API refuses what that schema calls invalid, naming the field."""

import json

import pytest
from pydantic import BaseModel

from clinic.parsing import MAX_ID
from tests.factories import bearer, make_owner
from tests.openapi import resolve

# Requests answered before their body is read, by design: an unusable reset link is a 400.
ANSWERED_FIRST = {("POST", "/api/v1/password-resets/confirm"): 400}


def _body_operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if "requestBody" in operation:
                yield path, method.upper(), operation["requestBody"]["content"]["application/json"]["schema"]


def _refs(schema):
    return [part["$ref"] for part in schema.get("anyOf", [schema])]


def _declared_models(app):
    """The models the views read their bodies with, by the path and method they serve."""
    models = {}
    for rule in app.url_map.iter_rules():
        spec = getattr(app.view_functions[rule.endpoint], "_openapi", None)
        if spec and spec["body"] is not None:
            path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
            for method in rule.methods - {"HEAD", "OPTIONS", "GET"}:
                models[(path, method)] = spec["body"] if isinstance(spec["body"], tuple) else (spec["body"],)
    return models


def test_every_body_in_the_document_is_a_pydantic_models_schema(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    models = _declared_models(app)
    operations = list(_body_operations(document))
    assert len(operations) >= 20
    for path, method, schema in operations:
        refs = _refs(schema)
        assert all(ref.startswith("#/components/schemas/") for ref in refs), (method, path, schema)
        declared = models[(path, method)]
        assert [ref.rsplit("/", 1)[1] for ref in refs] == [m.__name__ for m in declared], (method, path)
        for model in declared:
            assert issubclass(model, BaseModel)
            generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
            generated.pop("$defs", None)
            assert document["components"]["schemas"][model.__name__] == generated, (method, path)


def _object_schemas(document, schema):
    """(prefix, object schema) for each model a body may match; an array body's items as [0]."""
    for ref in _refs(schema):
        resolved = resolve(document, {"$ref": ref})
        if resolved.get("type") == "array":
            yield "[0].", resolve(document, resolved["items"]), True
        else:
            yield "", resolved, False


def _wrong_type(schema):
    return "1" if schema.get("type") == "integer" else 1


def _member(schema):
    """A nullable member's own schema."""
    return next((s for s in schema.get("anyOf", []) if s.get("type") != "null"), schema)


def _bad_bodies(document):
    """For each body: a wrong type in each required member, and each limit passed by one."""
    for path, method, schema in _body_operations(document):
        url = path.replace("{", "").replace("}", "")
        for name in ("client_id", "therapist_id", "appointment_id", "plan_id", "note_id"):
            url = url.replace(name, "1")
        for prefix, model, in_array in _object_schemas(document, schema):
            for field, member in model["properties"].items():
                member = _member(member)
                values = [_wrong_type(member)] if field in model.get("required", []) else []
                if "maxLength" in member:
                    values.append("x" * (member["maxLength"] + 1))
                if member.get("maximum") != MAX_ID:  # an id outside 1..MAX_ID is unknown: a 404
                    values += [member[k] + d for k, d in (("maximum", 1), ("minimum", -1)) if k in member]
                if "maxItems" in member:
                    values.append(["x"] * (member["maxItems"] + 1))
                for value in values:
                    body = [{field: value}] if in_array else {field: value}
                    yield method, path, url, prefix + field, body


def test_a_body_the_schema_calls_invalid_is_refused_naming_the_field(client):
    owner = bearer(client, make_owner())
    document = client.get("/api/v1/openapi.json").get_json()
    checked = 0
    for method, path, url, field, body in _bad_bodies(document):
        response = client.open(url, method=method, data=json.dumps(body), content_type="application/json",
                               headers=owner)
        expected = ANSWERED_FIRST.get((method, path), 422)
        assert response.status_code == expected, (method, url, body, response.get_json())
        if expected == 422:
            error = response.get_json()["error"]
            assert error["code"] == "validation_failed" and field in error["fields"], (method, url, body, error)
        checked += 1
    assert checked > 60, checked


def test_sign_up_needs_what_a_walk_in_does_not(client):
    anonymous = client.post("/api/v1/clients", json={"name": "Ada", "email": 5})
    assert anonymous.status_code == 422
    assert set(anonymous.get_json()["error"]["fields"]) == {"email", "password"}
    owner = bearer(client, make_owner())
    walk_in = client.post("/api/v1/clients", json={"name": "Ada", "email": None, "phone": "  "}, headers=owner)
    assert walk_in.status_code == 201 and walk_in.get_json()["email"] is None


@pytest.mark.parametrize("body", [[], "text", 7, None])
def test_a_body_that_is_not_an_object_is_400(client, body):
    response = client.post("/api/v1/password-resets", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 400
