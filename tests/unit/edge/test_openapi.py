"""The OpenAPI 3.1 document and the routes come from the same descriptors."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from google.api import annotations_pb2
from openapi_spec_validator import validate
from starlette.routing import Match

from edge.app import create_app
from edge.config import EdgeSettings
from edge.openapi import openapi_document
from edge.transcoding.bindings import bindings_of, discover_services
from edge.transcoding.router import BINDING_SCOPE_KEY, TranscodingRoute
from mesh.contracts import method_contract
from tests.unit.edge.transcoding import SERVICE

SCHEMAS = "#/components/schemas/"


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(EdgeSettings())


@pytest.fixture(scope="module")
def test_document() -> dict[str, Any]:
    return openapi_document(bindings_of([SERVICE]))


def _annotated_rules() -> list[tuple[Any, str, str]]:
    """(method, HTTP method, path template) of every binding, read straight from the protos."""
    found = []
    for service in discover_services():
        for method in service.methods:
            options = method.GetOptions()
            if not options.HasExtension(annotations_pb2.http):
                continue
            rule = options.Extensions[annotations_pb2.http]
            for each in [rule, *rule.additional_bindings]:
                kind = each.WhichOneof("pattern")
                found.append((method, kind.upper(), getattr(each, kind)))
    return found


def _sample_path(template: str) -> str:
    """A concrete path for a template: each variable filled with a matching value."""

    def fill(match: re.Match[str]) -> str:
        _, _, pattern = match.group(1).partition("=")
        return pattern.replace("**", "x/y").replace("*", "x") if pattern else "x"

    return re.sub(r"\{([^}]*)\}", fill, template)


def test_every_annotated_rpc_has_a_route_and_an_openapi_operation(app: Any) -> None:
    rules = _annotated_rules()
    assert len(rules) > 50  # every service's contract is there
    route = next(r for r in app.router.routes if isinstance(r, TranscodingRoute))
    document = app.openapi()
    for method, http_method, template in rules:
        path = _sample_path(template)
        scope = {"type": "http", "method": http_method, "path": path, "raw_path": path.encode()}
        match, child = route.matches(scope)
        assert match is Match.FULL, f"{method.full_name}: no route for {http_method} {path}"
        assert child[BINDING_SCOPE_KEY].rpc.full_name == method.full_name
        openapi_path = re.sub(
            r"\{([^}=]*)(=[^}]*)?\}", lambda m: "{" + m.group(1).replace(".", "_") + "}", template
        )
        operation = document["paths"][openapi_path][http_method.lower()]
        assert operation["x-grpc-method"] == method_contract(method).full_method


def test_internal_rpcs_have_no_route(app: Any) -> None:
    route = next(r for r in app.router.routes if isinstance(r, TranscodingRoute))
    routed = {binding.rpc.full_name for binding in route.bindings}
    internal = {
        method.full_name
        for service in discover_services()
        for method in service.methods
        if method_contract(method).access.internal
    }
    assert internal  # the contracts have internal RPCs, and none of them is routed
    assert not routed & internal


def test_the_document_is_valid_openapi_3_1(app: Any, test_document: dict[str, Any]) -> None:
    document = app.openapi()
    assert document["openapi"] == "3.1.0"
    validate(document)
    validate(test_document)


def test_operation_ids_are_unique(app: Any) -> None:
    ids = [
        operation["operationId"]
        for operations in app.openapi()["paths"].values()
        for operation in operations.values()
    ]
    assert len(ids) == len(set(ids))


def test_proto_comments_become_descriptions(test_document: dict[str, Any]) -> None:
    operation = test_document["paths"]["/v1/shelves/{shelf_id}"]["get"]
    assert operation["summary"] == (
        "GetShelf reads a shelf named by a simple path field; anyone may call it"
    )
    shelf = test_document["components"]["schemas"]["meshwork.testing.v1.Shelf"]
    assert shelf["description"] == "Shelf is a named collection of books."
    assert shelf["properties"]["title"]["description"] == "The shelf's title."
    genre = test_document["components"]["schemas"]["meshwork.testing.v1.Genre"]
    assert "- `GENRE_POETRY`: Poems." in genre["description"]


def test_schemas_follow_the_proto3_json_mapping(test_document: dict[str, Any]) -> None:
    schemas = test_document["components"]["schemas"]
    shelf = schemas["meshwork.testing.v1.Shelf"]["properties"]
    assert shelf["capacity"]["type"] == "string"  # int64
    assert shelf["capacity"]["format"] == "int64"
    assert shelf["genre"]["$ref"] == SCHEMAS + "meshwork.testing.v1.Genre"
    assert schemas["meshwork.testing.v1.Genre"]["enum"][1] == "GENRE_FICTION"
    assert shelf["createTime"] == {
        "type": "string",
        "format": "date-time",
        "description": "When the shelf was created.",
        "readOnly": True,
    }
    assert shelf["tags"]["type"] == "array"
    assert shelf["labels"]["additionalProperties"] == {"type": "string"}
    assert shelf["counts"]["additionalProperties"]["type"] == "integer"
    assert shelf["photo"]["format"] == "byte"


def test_oneofs_durations_structs_and_masks_have_their_json_forms(
    test_document: dict[str, Any],
) -> None:
    archive = test_document["paths"]["/v1/shelves/{shelf_id}:archive"]["post"]
    body = archive["requestBody"]["content"]["application/json"]["schema"]
    assert "shelfId" not in body["properties"]  # bound by the path
    assert body["allOf"] == [{"not": {"required": ["untilTime", "forDuration"]}}]
    assert body["properties"]["forDuration"]["pattern"].endswith("s$")
    assert body["properties"]["details"]["type"] == "object"
    assert body["properties"]["bookIds"]["items"]["type"] == "string"
    update = test_document["paths"]["/v1/shelves/{shelf_id}"]["patch"]
    assert update["parameters"][0]["x-field-path"] == "shelf.id"
    mask = next(p for p in update["parameters"] if p["name"] == "updateMask")
    assert mask["schema"]["type"] == "string"


def test_query_parameters_are_flattened_by_json_name(test_document: dict[str, Any]) -> None:
    search = test_document["paths"]["/v1/books:search"]["get"]
    names = {p["name"]: p for p in search["parameters"] if p["in"] == "query"}
    assert {"filter.author", "filter.location.floor", "tags", "genres", "minRating"} <= set(names)
    assert names["tags"]["explode"] is True
    assert names["minRating"]["schema"]["anyOf"][0] == {"type": "number"}  # a wrapper's value


def test_response_body_documents_just_that_field(test_document: dict[str, Any]) -> None:
    tags = test_document["paths"]["/v1/shelves/{shelf_id}/tags"]["get"]
    schema = tags["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["type"] == "array"


def test_security_follows_the_access_option(test_document: dict[str, Any]) -> None:
    paths = test_document["paths"]
    assert paths["/v1/shelves/{shelf_id}"]["get"]["security"] == []  # public
    assert paths["/v1/books:search"]["get"]["security"] == [{"bearerAuth": []}, {"oauth2": []}]
    archive = paths["/v1/shelves/{shelf_id}:archive"]["post"]
    assert archive["security"][0] == {"bearerAuth": ["admin"]}
    assert "one of the roles: admin" in archive["description"]
    flows = test_document["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["password"]["tokenUrl"] == "/oauth/token"


def test_the_jwks_is_documented_at_its_well_known_path(app: Any) -> None:
    operation = app.openapi()["paths"]["/.well-known/jwks.json"]["get"]
    assert operation["operationId"] == "IdentityService_GetJwks_2"
    assert operation["security"] == []


async def test_openapi_json_and_swagger_ui_are_served(app: Any) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://edge.test") as http:
        document = await http.get("/openapi.json")
        docs = await http.get("/docs")
    served = document.json()
    validate(served)
    token_url = served["components"]["securitySchemes"]["oauth2"]["flows"]["password"]["tokenUrl"]
    assert token_url == "http://edge.test/oauth/token"  # absolute, as OpenAPI requires
    assert served["paths"] == app.openapi()["paths"]
    assert docs.status_code == 200
    assert "swagger-ui" in docs.text
    assert "/openapi.json" in docs.text
    assert "/docs/oauth2-redirect" in docs.text
