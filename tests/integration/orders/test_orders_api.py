"""OrdersService over real gRPC: CRUD, events, ownership and idempotent creation."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf import field_mask_pb2

from meshwork.orders.v1 import events_pb2, resources_pb2
from meshwork.orders.v1 import orders_service_pb2 as pb
from tests.integration.orders.conftest import reason_of


def a_create(display_name: str = "Household") -> pb.CreateOrdersRequest:
    return pb.CreateOrdersRequest(orders=resources_pb2.Orders(display_name=display_name))


async def test_a_orders_is_created_read_updated_listed_and_deleted(stub, callers) -> None:
    ada = callers.user("u-ada")
    created = (await stub.CreateOrders(a_create(), metadata=ada)).orders

    got = await stub.GetOrders(pb.GetOrdersRequest(orders_id=created.id), metadata=ada)
    change = resources_pb2.Orders(id=created.id, description="Bills and rent")
    mask = field_mask_pb2.FieldMask(paths=["description"])
    request = pb.UpdateOrdersRequest(orders=change, update_mask=mask)
    updated = (await stub.UpdateOrders(request, metadata=ada)).orders
    listed = await stub.ListOrderses(pb.ListOrdersesRequest(), metadata=ada)
    await stub.DeleteOrders(pb.DeleteOrdersRequest(orders_id=created.id), metadata=ada)

    assert created.owner_id == "u-ada" and got.orders == created
    assert (updated.display_name, updated.description) == ("Household", "Bills and rent")
    assert [item.id for item in listed.orderses] == [created.id]
    with pytest.raises(grpc.aio.AioRpcError) as gone:
        await stub.GetOrders(pb.GetOrdersRequest(orders_id=created.id), metadata=ada)
    assert gone.value.code() == grpc.StatusCode.NOT_FOUND


async def test_each_change_is_published_as_an_event(stub, callers, published) -> None:
    ada = callers.user("u-ada")
    created = (await stub.CreateOrders(a_create(), metadata=ada)).orders
    mask = field_mask_pb2.FieldMask(paths=["display_name"])
    renamed = resources_pb2.Orders(id=created.id, display_name="Home")
    await stub.UpdateOrders(pb.UpdateOrdersRequest(orders=renamed, update_mask=mask), metadata=ada)
    await stub.DeleteOrders(pb.DeleteOrdersRequest(orders_id=created.id), metadata=ada)

    [was_created] = await published.wait_for(events_pb2.OrdersCreated)
    [was_updated] = await published.wait_for(events_pb2.OrdersUpdated)
    [was_deleted] = await published.wait_for(events_pb2.OrdersDeleted)

    assert was_created.orders.id == created.id
    assert list(was_updated.update_mask.paths) == ["display_name"]
    assert (was_deleted.orders_id, was_deleted.deleted_by) == (created.id, "u-ada")


async def test_another_users_orders_is_not_found(stub, callers) -> None:
    created = (await stub.CreateOrders(a_create(), metadata=callers.user("u-ada"))).orders
    stranger = callers.user("u-bob")

    with pytest.raises(grpc.aio.AioRpcError) as hidden:
        await stub.GetOrders(pb.GetOrdersRequest(orders_id=created.id), metadata=stranger)
    listed = await stub.ListOrderses(pb.ListOrdersesRequest(), metadata=stranger)

    assert hidden.value.code() == grpc.StatusCode.NOT_FOUND
    assert reason_of(hidden.value) == "ORDERS_NOT_FOUND"
    assert list(listed.orderses) == []


async def test_a_list_pages_newest_first(stub, callers) -> None:
    ada = callers.user("u-ada")
    names = ["first", "second", "third"]
    for display_name in names:
        await stub.CreateOrders(a_create(display_name), metadata=ada)

    first = await stub.ListOrderses(pb.ListOrdersesRequest(page_size=2), metadata=ada)
    following = pb.ListOrdersesRequest(page_size=2, page_token=first.next_page_token)
    second = await stub.ListOrderses(following, metadata=ada)

    pages = [item.display_name for item in [*first.orderses, *second.orderses]]
    assert pages == names[::-1]
    assert second.next_page_token == ""


async def test_a_create_retried_with_its_key_creates_once(stub, callers) -> None:
    keyed = (*callers.user("u-ada"), ("idempotency-key", "create-1"))

    first = await stub.CreateOrders(a_create(), metadata=keyed)
    retried = await stub.CreateOrders(a_create(), metadata=keyed)
    listed = await stub.ListOrderses(pb.ListOrdersesRequest(), metadata=callers.user("u-ada"))

    assert retried == first
    assert [item.id for item in listed.orderses] == [first.orders.id]
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.CreateOrders(a_create("Other"), metadata=keyed)
    assert reason_of(refused.value) == "IDEMPOTENCY_KEY_REUSED"
