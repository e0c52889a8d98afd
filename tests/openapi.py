"""Reading the served OpenAPI document in tests: request bodies are references to components."""


def resolve(document: dict, schema: dict) -> dict:
    """schema with a top-level $ref followed into components/schemas."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def body_schema(document: dict, operation: dict) -> dict:
    """The JSON Schema of an operation's body, {} without one; for a body that may match any of
    several models, one object schema with all their members."""
    content = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = resolve(document, content.get("schema", {}))
    if "anyOf" in schema:
        parts = [resolve(document, part) for part in schema["anyOf"]]
        return {"type": "object", "properties": {k: v for part in parts for k, v in part["properties"].items()}}
    if schema.get("type") == "array":
        return {**schema, "items": resolve(document, schema.get("items", {}))}
    return schema
