"""REST calls through the edge reach the gRPC service as the annotations say, and back."""

from __future__ import annotations

import re

from meshwork.testing.v1 import transcoding_pb2 as pb
from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import bearer


async def test_a_get_with_path_and_query_reaches_the_service(edge: Edge) -> None:
    edge.upstream.answers["GetShelf"] = pb.GetShelfResponse(
        shelf=pb.Shelf(id="s1", capacity=2**40, genre=pb.GENRE_FICTION)
    )
    reply = await edge.http.get("/v1/shelves/s1", params={"readMask": "title,capacity"})
    assert reply.status_code == 200
    assert reply.json() == {
        "shelf": {"id": "s1", "capacity": "1099511627776", "genre": "GENRE_FICTION"}
    }
    received = edge.upstream.last("GetShelf").request
    assert received == pb.GetShelfRequest(shelf_id="s1", read_mask={"paths": ["title", "capacity"]})


async def test_a_patch_body_and_nested_path_field_reach_the_service(edge: Edge) -> None:
    reply = await edge.http.patch(
        "/v1/shelves/s1",
        json={"title": "Poems", "labels": {"k": "v"}},
        headers=bearer(edge.token()),
    )
    assert reply.status_code == 200
    received = edge.upstream.last("UpdateShelf").request
    assert received.shelf == pb.Shelf(id="s1", title="Poems", labels={"k": "v"})
    assert list(received.update_mask.paths) == ["title", "labels"]


async def test_an_additional_binding_reaches_the_same_method(edge: Edge) -> None:
    token = bearer(edge.token())
    first = await edge.http.get("/v1/shelves/s1/books/b1", headers=token)
    second = await edge.http.get(
        "/v1/books:lookup", params={"name": "shelves/s1/books/b1"}, headers=token
    )
    assert (first.status_code, second.status_code) == (200, 200)
    assert [c.request.name for c in edge.upstream.calls["GetBook"]] == ["shelves/s1/books/b1"] * 2


async def test_response_body_answers_with_a_json_array(edge: Edge) -> None:
    edge.upstream.answers["ListShelfTags"] = pb.ListShelfTagsResponse(tags=["a", "b"], etag="x")
    reply = await edge.http.get("/v1/shelves/s1/tags")
    assert reply.json() == ["a", "b"]


async def test_a_bad_body_is_refused_naming_each_field_and_never_sent(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/shelves",
        json={"title": 7, "bogus": True, "location": {"floor": "high"}},
        headers=bearer(edge.token()),
    )
    assert reply.status_code == 400
    error = reply.json()["error"]
    assert error["status"] == "INVALID_ARGUMENT"
    bad_request = next(d for d in error["details"] if d["@type"].endswith("google.rpc.BadRequest"))
    fields = {v["field"] for v in bad_request["fieldViolations"]}
    assert fields == {"shelf.title", "shelf.bogus", "shelf.location.floor"}
    assert edge.upstream.count("CreateShelf") == 0


async def test_a_malformed_body_is_refused_and_never_sent(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/shelves/s1:archive",
        content=b'{"reason": "x"',
        headers={**bearer(edge.token(roles=("admin",))), "content-type": "application/json"},
    )
    assert reply.status_code == 400
    assert "not valid JSON" in reply.json()["error"]["message"]
    assert edge.upstream.count("ArchiveShelf") == 0


async def test_deeply_nested_or_duplicate_key_json_is_refused_and_the_connection_kept(
    edge: Edge,
) -> None:
    headers = {**bearer(edge.token(roles=("admin",))), "content-type": "application/json"}
    bodies = (b'{"reason": ' * 10_000 + b"1" + b"}" * 10_000, b'{"reason": "a", "reason": "b"}')
    for body in bodies:
        reply = await edge.http.post("/v1/shelves/s1:archive", content=body, headers=headers)
        assert reply.status_code == 400, reply.text
        assert reply.json()["error"]["details"][0]["reason"] == "MALFORMED_BODY"
    after = await edge.http.get("/v1/shelves/s1")  # the same client, still served
    assert after.status_code == 200
    assert edge.upstream.count("ArchiveShelf") == 0


async def test_a_body_that_is_not_json_is_refused_with_415(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/shelves",
        content=b"title=x",
        headers={**bearer(edge.token()), "content-type": "application/x-www-form-urlencoded"},
    )
    assert reply.status_code == 415
    assert edge.upstream.count("CreateShelf") == 0


async def test_an_unknown_path_is_404_and_a_wrong_method_405_with_allow(edge: Edge) -> None:
    missing = await edge.http.get("/v1/nothing/here")
    assert missing.status_code == 404
    assert missing.json()["error"]["status"] == "NOT_FOUND"
    wrong = await edge.http.put("/v1/shelves/s1", json={})
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "DELETE, GET, HEAD, PATCH"


async def test_an_internal_rpc_is_never_routed(edge: Edge) -> None:
    for path in ("/v1/shelves:purge", "/meshwork.testing.v1.TranscodingService/PurgeShelves"):
        reply = await edge.http.post(path, json={}, headers=bearer(edge.token()))
        assert reply.status_code == 404
    assert edge.upstream.count("PurgeShelves") == 0


async def test_head_is_answered_like_get_with_no_body(edge: Edge) -> None:
    edge.upstream.answers["GetShelf"] = pb.GetShelfResponse(shelf=pb.Shelf(id="s1", title="P"))
    got = await edge.http.get("/v1/shelves/s1")
    head = await edge.http.head("/v1/shelves/s1")
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == "application/json"
    assert [c.request.shelf_id for c in edge.upstream.calls["GetShelf"]] == ["s1", "s1"]


async def test_every_get_route_of_the_edge_answers_head(edge: Edge) -> None:
    document = (await edge.http.get("/openapi.json")).json()
    get_paths = [path for path, operations in document["paths"].items() if "get" in operations]
    own = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs"]
    assert "/healthz" in get_paths  # the edge's own routes are in the document too
    for template in {*get_paths, *own}:
        path = template.replace("{shelf_id}", "s1").replace("{shelf}", "s1")
        path = re.sub(r"\{[^}]+\}", "x", path)
        reply = await edge.http.head(path, headers=bearer(edge.token(roles=("admin",))))
        assert reply.status_code != 405, path
        assert reply.content == b"", path


async def test_a_post_only_path_lists_its_methods_without_head(edge: Edge) -> None:
    reply = await edge.http.head("/v1/shelves")
    assert reply.status_code == 405
    assert reply.headers["allow"] == "POST"
