"""Domain values ↔ the contract's protobuf messages: resources, requests and events."""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf import field_mask_pb2

from mesh.protobuf import timestamp_of
from meshwork.orders.v1 import events_pb2, orders_service_pb2, resources_pb2
from services.orders import commands
from services.orders.domain import Details, Orders

# ---- domain → protobuf


def orders_message(orders: Orders) -> resources_pb2.Orders:
    return resources_pb2.Orders(
        id=orders.id,
        owner_id=orders.owner_id,
        display_name=orders.details.display_name,
        description=orders.details.description,
        create_time=timestamp_of(orders.create_time),
        update_time=timestamp_of(orders.update_time),
    )


# ---- events


def orders_created(orders: Orders) -> events_pb2.OrdersCreated:
    return events_pb2.OrdersCreated(orders=orders_message(orders))


def orders_updated(orders: Orders, changed: Iterable[str]) -> events_pb2.OrdersUpdated:
    mask = field_mask_pb2.FieldMask(paths=list(changed))
    return events_pb2.OrdersUpdated(orders=orders_message(orders), update_mask=mask)


def orders_deleted(orders: Orders, *, deleted_by: str) -> events_pb2.OrdersDeleted:
    return events_pb2.OrdersDeleted(
        orders_id=orders.id, owner_id=orders.owner_id, deleted_by=deleted_by
    )


# ---- protobuf requests → commands


def create_orders_command(request: orders_service_pb2.CreateOrdersRequest) -> commands.CreateOrders:
    return commands.CreateOrders(details=_details(request.orders))


def update_orders_command(request: orders_service_pb2.UpdateOrdersRequest) -> commands.UpdateOrders:
    return commands.UpdateOrders(
        orders_id=request.orders.id,
        details=_details(request.orders),
        paths=tuple(request.update_mask.paths),
    )


def list_orderses_command(request: orders_service_pb2.ListOrdersesRequest) -> commands.ListOrderses:
    return commands.ListOrderses(page_size=request.page_size, page_token=request.page_token)


def _details(message: resources_pb2.Orders) -> Details:
    return Details(display_name=message.display_name, description=message.description)
