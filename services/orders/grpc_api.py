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
    create_order_command,
    create_product_command,
    list_orders_command,
    list_products_command,
    order_message,
    product_message,
)

Context: TypeAlias = grpc.aio.ServicerContext


class OrdersServicer(orders_service_pb2_grpc.OrdersServiceServicer):
    """Serves OrdersService; each call runs in a new unit of work. Orders placed or
    cancelled `wake` the checkout runner, which takes them on at once."""

    def __init__(
        self,
        unit_of_work: Callable[..., UnitOfWork],
        idempotency: IdempotencyRecords,
        *,
        wake: Callable[[], None],
    ) -> None:
        self._uow = unit_of_work
        self.idempotency = idempotency
        self._wake = wake

    async def CreateProduct(
        self, request: pb.CreateProductRequest, context: Context
    ) -> pb.CreateProductResponse:
        command = create_product_command(request)
        product = await handlers.create_product(self._uow(), command)
        return pb.CreateProductResponse(product=product_message(product))

    async def GetProduct(
        self, request: pb.GetProductRequest, context: Context
    ) -> pb.GetProductResponse:
        uow = self._uow(read_only=True, inline=True)
        product = await handlers.get_product(uow, request.product_id)
        return pb.GetProductResponse(product=product_message(product))

    async def ListProducts(
        self, request: pb.ListProductsRequest, context: Context
    ) -> pb.ListProductsResponse:
        command = list_products_command(request)
        page = await handlers.list_products(self._uow(read_only=True), command)
        return pb.ListProductsResponse(
            products=[product_message(item) for item in page.products],
            next_page_token=page.next_page_token,
        )

    @idempotent
    async def CreateOrder(
        self, request: pb.CreateOrderRequest, context: Context
    ) -> pb.CreateOrderResponse:
        command = create_order_command(request)
        order = await handlers.create_order(
            self._uow(on_commit=self._wake), command, current_actor()
        )
        return pb.CreateOrderResponse(order=order_message(order))

    async def GetOrder(self, request: pb.GetOrderRequest, context: Context) -> pb.GetOrderResponse:
        uow = self._uow(read_only=True, inline=True)
        order = await handlers.get_order(uow, request.order_id, current_actor())
        return pb.GetOrderResponse(order=order_message(order))

    async def ListOrders(
        self, request: pb.ListOrdersRequest, context: Context
    ) -> pb.ListOrdersResponse:
        command = list_orders_command(request)
        page = await handlers.list_orders(self._uow(read_only=True), command, current_actor())
        return pb.ListOrdersResponse(
            orders=[order_message(item) for item in page.orders],
            next_page_token=page.next_page_token,
        )

    async def CancelOrder(
        self, request: pb.CancelOrderRequest, context: Context
    ) -> pb.CancelOrderResponse:
        uow = self._uow(on_commit=self._wake)
        order = await handlers.cancel_order(uow, request.order_id, current_actor())
        return pb.CancelOrderResponse(order=order_message(order))
