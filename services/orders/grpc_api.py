"""The OrdersService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from mesh.db import UnitOfWork
from mesh.idempotency import IdempotencyRecords, idempotent
from meshwork.orders.v1 import orders_service_pb2 as pb
from meshwork.orders.v1 import orders_service_pb2_grpc
from services.orders import handlers
from services.orders.messages import (
    create_orders_command,
    list_orderses_command,
    orders_message,
    update_orders_command,
)

Context: TypeAlias = grpc.aio.ServicerContext


class OrdersServicer(orders_service_pb2_grpc.OrdersServiceServicer):
    """Serves OrdersService; each call runs in a new unit of work."""

    def __init__(
        self, unit_of_work: Callable[..., UnitOfWork], idempotency: IdempotencyRecords
    ) -> None:
        self._uow = unit_of_work
        self.idempotency = idempotency

    @idempotent
    async def CreateOrders(
        self, request: pb.CreateOrdersRequest, context: Context
    ) -> pb.CreateOrdersResponse:
        command = create_orders_command(request)
        orders = await handlers.create_orders(self._uow(), command, current_actor())
        return pb.CreateOrdersResponse(orders=orders_message(orders))

    async def GetOrders(
        self, request: pb.GetOrdersRequest, context: Context
    ) -> pb.GetOrdersResponse:
        # A read by key: inline, read-only (see `mesh.db.UnitOfWork`).
        uow = self._uow(read_only=True, inline=True)
        orders = await handlers.get_orders(uow, request.orders_id, current_actor())
        return pb.GetOrdersResponse(orders=orders_message(orders))

    async def ListOrderses(
        self, request: pb.ListOrdersesRequest, context: Context
    ) -> pb.ListOrdersesResponse:
        command = list_orderses_command(request)
        page = await handlers.list_orderses(self._uow(read_only=True), command, current_actor())
        return pb.ListOrdersesResponse(
            orderses=[orders_message(item) for item in page.orderses],
            next_page_token=page.next_page_token,
        )

    async def UpdateOrders(
        self, request: pb.UpdateOrdersRequest, context: Context
    ) -> pb.UpdateOrdersResponse:
        command = update_orders_command(request)
        orders = await handlers.update_orders(self._uow(), command, current_actor())
        return pb.UpdateOrdersResponse(orders=orders_message(orders))

    async def DeleteOrders(
        self, request: pb.DeleteOrdersRequest, context: Context
    ) -> pb.DeleteOrdersResponse:
        await handlers.delete_orders(self._uow(), request.orders_id, current_actor())
        return pb.DeleteOrdersResponse()
