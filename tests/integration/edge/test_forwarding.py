"""What travels with each upstream call: ids, trace context, client address, keys, deadline."""

from __future__ import annotations

from tests.integration.edge.conftest import Edge
from tests.integration.edge.fakes import CLIENT_ADDRESS, bearer

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


async def test_the_request_id_is_adopted_forwarded_and_echoed(edge: Edge) -> None:
    reply = await edge.http.get("/v1/shelves/s1", headers={"X-Request-Id": "req-abc.1"})
    assert reply.headers["x-request-id"] == "req-abc.1"
    assert edge.upstream.last("GetShelf").metadata["x-request-id"] == "req-abc.1"


async def test_a_request_without_an_id_gets_one(edge: Edge) -> None:
    reply = await edge.http.get("/v1/shelves/s1", headers={"X-Request-Id": "bad id\twith spaces"})
    request_id = reply.headers["x-request-id"]
    assert len(request_id) == 32
    assert edge.upstream.last("GetShelf").metadata["x-request-id"] == request_id


async def test_errors_carry_the_request_id_in_header_and_body(edge: Edge) -> None:
    reply = await edge.http.get("/v1/books:search", headers={"X-Request-Id": "req-err"})
    assert reply.headers["x-request-id"] == "req-err"
    info = reply.json()["error"]["details"][-1]
    assert info == {"@type": "type.googleapis.com/google.rpc.RequestInfo", "requestId": "req-err"}


async def test_the_w3c_trace_context_is_continued_upstream(edge: Edge) -> None:
    traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    await edge.http.get("/v1/shelves/s1", headers={"traceparent": traceparent})
    forwarded = edge.upstream.last("GetShelf").metadata["traceparent"]
    version, trace_id, parent_id, _ = forwarded.split("-")
    assert (version, trace_id) == ("00", TRACE_ID)
    assert parent_id != "00f067aa0ba902b7"  # the edge's own span is the parent now


async def test_an_unsampled_trace_is_continued_upstream_unsampled(edge: Edge) -> None:
    await edge.http.get(
        "/v1/shelves/s1", headers={"traceparent": f"00-{TRACE_ID}-00f067aa0ba902b7-00"}
    )
    forwarded = edge.upstream.last("GetShelf").metadata["traceparent"]
    _, trace_id, parent_id, flags = forwarded.split("-")
    assert (trace_id, flags) == (TRACE_ID, "00")
    assert parent_id != "00f067aa0ba902b7"  # the edge's own span is the parent now


async def test_a_request_without_trace_context_starts_a_trace(edge: Edge) -> None:
    await edge.http.get("/v1/shelves/s1")
    forwarded = edge.upstream.last("GetShelf").metadata["traceparent"]
    assert forwarded.startswith("00-") and forwarded.split("-")[1] != "0" * 32


async def test_the_client_address_and_user_agent_are_forwarded(edge: Edge) -> None:
    await edge.http.get(
        "/v1/shelves/s1",
        headers={"User-Agent": "Mozilla/5.0 (test)", "X-Forwarded-For": "10.9.9.9"},
    )
    metadata = edge.upstream.last("GetShelf").metadata
    # identity trusts the last entry: the address the edge itself saw, never the client's claim
    assert metadata["x-forwarded-for"] == f"10.9.9.9, {CLIENT_ADDRESS}"
    assert metadata["x-forwarded-user-agent"] == "Mozilla/5.0 (test)"


async def test_the_idempotency_key_is_forwarded_as_metadata(edge: Edge) -> None:
    await edge.http.post(
        "/v1/shelves",
        json={"title": "x"},
        headers={**bearer(edge.token()), "Idempotency-Key": "k-1"},
    )
    assert edge.upstream.last("CreateShelf").metadata["idempotency-key"] == "k-1"


async def test_an_unprintable_idempotency_key_is_refused(edge: Edge) -> None:
    reply = await edge.http.post(
        "/v1/shelves", json={}, headers={**bearer(edge.token()), "Idempotency-Key": "x" * 256}
    )
    assert reply.status_code == 400
    assert edge.upstream.count("CreateShelf") == 0


async def test_every_upstream_call_has_the_methods_deadline(edge: Edge) -> None:
    await edge.http.get("/v1/shelves/s1")  # GetShelf declares 1500 ms
    await edge.http.get("/v1/books:search", headers=bearer(edge.token()))  # the mesh default, 5 s
    get_shelf = edge.upstream.last("GetShelf").deadline_s
    search = edge.upstream.last("SearchBooks").deadline_s
    assert get_shelf is not None and 1.0 < get_shelf <= 1.55  # grpc-timeout rounds up
    assert search is not None and 4.0 < search <= 5.05
