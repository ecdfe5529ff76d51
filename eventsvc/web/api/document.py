"""The OpenAPI 3.1 document, and the page that shows it to people."""

from dataclasses import dataclass, field

from flask import render_template

from eventsvc.web.api import bp, spec
from eventsvc.web.api.auth import public

_METHOD_ORDER = ("get", "post", "patch", "put", "delete")
_REF_PREFIX = "#/components/schemas/"


def openapi_document() -> dict:
    """The OpenAPI document spectree builds from the views and their pydantic models."""
    return spec.spec


@dataclass
class Row:
    """One parameter or property: its name, where it goes, its type and what it is for."""

    name: str
    type: str
    required: bool
    description: str = ""
    where: str = ""


@dataclass
class Operation:
    """One operation as the docs page lists it."""

    method: str
    path: str
    summary: str
    description: str
    tag: str
    needs_token: bool
    parameters: list[Row] = field(default_factory=list)
    body: str | None = None
    responses: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"{self.method}-{self.path}".replace("/", "-").replace("{", "").replace("}", "")


def type_name(schema: dict) -> str:
    """A schema's type in words: 'string', 'array of EventOut', 'one of: a, b', …"""
    if "$ref" in schema:
        return schema["$ref"].removeprefix(_REF_PREFIX)
    if "enum" in schema:
        return "one of: " + ", ".join(str(value) for value in schema["enum"])
    if "const" in schema:
        return f"“{schema['const']}”"
    if "anyOf" in schema:
        return " or ".join(type_name(option) for option in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_name(schema.get('items', {}))}"
    if kind == "object" and "additionalProperties" in schema:
        return f"object of {type_name(schema['additionalProperties'])}"
    return f"{kind} ({schema['format']})" if "format" in schema else kind


def _content_schema(content: dict | None) -> str | None:
    schema = (content or {}).get("application/json", {}).get("schema")
    return type_name(schema) if schema else None


def _operation(path: str, method: str, item: dict) -> Operation:
    parameters = [
        Row(p["name"], type_name(p["schema"]), p["required"], p.get("description", ""), p["in"])
        for p in item.get("parameters", [])
    ]
    responses = [
        (status, answer.get("description", ""), _content_schema(answer.get("content")))
        for status, answer in sorted(item["responses"].items())
    ]
    body = item.get("requestBody", {}).get("content")
    return Operation(
        method=method.upper(),
        path=path,
        summary=item["summary"],
        description=item.get("description", ""),
        tag=(item.get("tags") or ["other"])[0],
        needs_token={} not in item.get("security", [{}]),
        parameters=parameters,
        body=_content_schema(body),
        responses=responses,
    )


def operations(document: dict) -> list[Operation]:
    """The document's operations, by path and in the usual method order."""
    found = []
    for path, item in sorted(document["paths"].items()):
        for method in _METHOD_ORDER:
            if method in item:
                found.append(_operation(path, method, item[method]))
    return found


def schema_rows(schema: dict) -> list[Row]:
    """The properties of an object schema, as rows."""
    required = set(schema.get("required", []))
    return [
        Row(name, type_name(prop), name in required, prop.get("description", ""))
        for name, prop in schema.get("properties", {}).items()
    ]


@bp.get("/openapi.json")
@public
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return openapi_document()


@bp.get("/docs")
@public
def docs():
    """This API's reference, rendered from its OpenAPI document."""
    document = openapi_document()
    schemas = sorted(document["components"]["schemas"].items())
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations(document),
        schemas=[(name, schema, schema_rows(schema)) for name, schema in schemas],
    )
