"""Response message → JSON (proto3 JSON mapping), and how a request finds its binding."""

from __future__ import annotations

import pytest
from google.protobuf import duration_pb2, timestamp_pb2
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match

from edge.transcoding.bindings import HttpBinding
from edge.transcoding.response import response_json
from edge.transcoding.router import BINDING_SCOPE_KEY, TranscodingRoute
from meshwork.testing.v1 import transcoding_pb2 as pb
from tests.unit.edge.transcoding import BINDINGS


def test_the_response_uses_proto3_json_names_and_forms() -> None:
    reply = pb.GetShelfResponse(
        shelf=pb.Shelf(
            id="s1",
            capacity=2**40,
            genre=pb.GENRE_POETRY,
            create_time=timestamp_pb2.Timestamp(seconds=1577836800, nanos=500_000_000),
            photo=b"\x00\x01",
            counts={"poems": 3},
        )
    )
    assert response_json(BINDINGS["GetShelf"], reply) == {
        "shelf": {
            "id": "s1",
            "capacity": "1099511627776",
            "genre": "GENRE_POETRY",
            "createTime": "2020-01-01T00:00:00.500Z",
            "photo": "AAE=",
            "counts": {"poems": 3},
        }
    }


def test_durations_are_strings_and_default_values_are_left_out() -> None:
    reply = pb.ArchiveShelfResponse(
        shelf=pb.Shelf(), previous_duration=duration_pb2.Duration(seconds=90)
    )
    assert response_json(BINDINGS["ArchiveShelf"], reply) == {
        "shelf": {},
        "previousDuration": "90s",
    }


def test_response_body_answers_with_just_that_field() -> None:
    reply = pb.ListShelfTagsResponse(tags=["a", "b"], etag="not sent")
    assert response_json(BINDINGS["ListShelfTags"], reply) == ["a", "b"]


def test_an_empty_repeated_response_body_is_an_empty_array() -> None:
    assert response_json(BINDINGS["ListShelfTags"], pb.ListShelfTagsResponse()) == []


def _scope(method: str, path: str) -> dict:
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode()}


@pytest.mark.parametrize(
    ("method", "path", "operation"),
    [
        ("GET", "/v1/shelves/s1", "GetShelf"),
        ("POST", "/v1/shelves/s1:archive", "ArchiveShelf"),
        ("GET", "/v1/shelves/s1/tags", "ListShelfTags"),
        ("GET", "/v1/shelves/s1/books/b1", "GetBook"),
        ("GET", "/v1/books:lookup", "GetBook_2"),
        ("GET", "/v1/books:search", "SearchBooks"),
        ("DELETE", "/v1/shelves/s1", "DeleteShelf"),
        ("PATCH", "/v1/shelves/s1", "UpdateShelf"),
    ],
)
def test_a_request_is_routed_to_the_most_specific_binding(
    method: str, path: str, operation: str
) -> None:
    route = TranscodingRoute(list(BINDINGS.values()), endpoint=_never_called)
    match, child = route.matches(_scope(method, path))
    assert match is Match.FULL
    assert child[BINDING_SCOPE_KEY] is BINDINGS[operation]


def test_a_known_path_with_another_method_is_a_partial_match() -> None:
    route = TranscodingRoute(list(BINDINGS.values()), endpoint=_never_called)
    match, child = route.matches(_scope("PUT", "/v1/shelves/s1"))
    assert match is Match.PARTIAL
    assert child["meshwork.allowed_methods"] == ["DELETE", "GET", "HEAD", "PATCH"]


def test_an_unknown_path_does_not_match() -> None:
    route = TranscodingRoute(list(BINDINGS.values()), endpoint=_never_called)
    assert route.matches(_scope("GET", "/v2/shelves"))[0] is Match.NONE


async def _never_called(request: Request, binding: HttpBinding, values: dict[str, str]) -> Response:
    raise AssertionError("not called by matching")
