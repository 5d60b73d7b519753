"""The orders service's use cases: one async function each, one unit of work each.

The checkout's steps that call the payments service run in `checkout.CheckoutRunner`; the
steps done in this database alone are here (`run_local_step`), shared by the runner and by
the reactions to payments' events.
"""

from __future__ import annotations

from dataclasses import dataclass

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.orders import commands, messages, validation
from services.orders.domain import (
    Order,
    PaymentOutcome,
    Product,
    Step,
    Timeouts,
    visible,
)
from services.orders.errors import product_not_found
from services.orders.repository import OrderRepository, ProductRepository


async def create_product(uow: UnitOfWork, command: commands.CreateProduct) -> Product:
    product = validation.new_product(command)
    async with uow:
        await ProductRepository(uow.connection).add(product)
        await uow.commit()
    return product


async def get_product(uow: UnitOfWork, product_id: str) -> Product:
    target = validation.target(product_id, field="product_id")
    async with uow:
        found = await ProductRepository(uow.connection).get(target)
    if found is None:
        raise product_not_found(target)
    return found


@dataclass(frozen=True, slots=True)
class ProductPage:
    products: list[Product]
    next_page_token: str


async def list_products(uow: UnitOfWork, command: commands.ListProducts) -> ProductPage:
    request = validation.product_page(command)
    async with uow:
        found = await ProductRepository(uow.connection).page(request)
    token = next_token(request.page, found, lambda item: (item.create_time, item.id))
    return ProductPage(found[: request.size], token)


async def create_order(uow: UnitOfWork, command: commands.CreateOrder, actor: Actor) -> Order:
    """Places the order, priced from the catalogue, PENDING at its first checkout step (the
    runner takes it from there); a keyed retry replays the answer (see the servicer)."""
    request = validation.order_request(command, actor)
    async with uow:
        products = await ProductRepository(uow.connection).get_many(
            line.product_id for line in request.lines
        )
        order = validation.new_order(request, products)
        await OrderRepository(uow.connection).add(order)
        uow.add_event(messages.order_placed(order))
        await mark_committed(uow.connection)
        await uow.commit()
    return order


async def get_order(uow: UnitOfWork, order_id: str, actor: Actor) -> Order:
    target = validation.target(order_id, field="order_id")
    async with uow:
        found = await OrderRepository(uow.connection).get(target)
    return visible(found, actor, target)


@dataclass(frozen=True, slots=True)
class OrderPage:
    orders: list[Order]
    next_page_token: str


async def list_orders(uow: UnitOfWork, command: commands.ListOrders, actor: Actor) -> OrderPage:
    """A page of the caller's orders (staff: anyone's), newest first."""
    request = validation.order_page(command, actor)
    async with uow:
        found = await OrderRepository(uow.connection).page(request)
    token = next_token(request.page, found, lambda item: (item.create_time, item.id))
    return OrderPage(found[: request.size], token)


async def cancel_order(uow: UnitOfWork, order_id: str, actor: Actor) -> Order:
    """Asks the checkout to undo the order; what is held is given back by the runner."""
    target = validation.target(order_id, field="order_id")
    async with uow:
        orders = OrderRepository(uow.connection)
        order = visible(await orders.get(target, for_update=True), actor, target)
        order.request_cancel(utc_now())
        await _save(uow, orders, order)
        await uow.commit()
    return order


async def record_payment_outcome(
    uow: UnitOfWork, order_id: str, outcome: PaymentOutcome, timeouts: Timeouts
) -> None:
    """What the payments service reported of an order's payment moves its checkout on (in
    the caller's unit of work: an event's, which commits it with the inbox record)."""
    orders = OrderRepository(uow.connection)
    order = await orders.get(order_id, for_update=True)
    if order is not None and order.payment_outcome(outcome, utc_now(), timeouts):
        await _save(uow, orders, order)


async def run_local_step(uow: UnitOfWork, order_id: str, step: Step) -> Order | None:
    """Runs the order's checkout step `step` if the order is still at it: reserve the stock,
    confirm, or release the stock, with the order's new step, in one transaction (so a step
    happens once, crash or not). None when the order was not at `step`."""
    async with uow:
        orders = OrderRepository(uow.connection)
        order = await orders.get(order_id, for_update=True)
        if order is None or order.step != step:
            return None
        now = utc_now()
        products = ProductRepository(uow.connection)
        if step == Step.RESERVE_STOCK:
            short = await products.reserve(order.lines, now=now)
            if short:
                order.out_of_stock(short, now)
            else:
                order.stock_reserved_now(now)
        elif step == Step.CONFIRM:
            order.confirm(now)
        elif step == Step.RELEASE_STOCK:
            if order.stock_reserved:
                await products.release(order.lines, now=now)
            order.stock_released(now)
        await _save(uow, orders, order)
        await uow.commit()
    return order


async def _save(uow: UnitOfWork, orders: OrderRepository, order: Order) -> None:
    await orders.save(order)
    for event in messages.settled_events(order):
        uow.add_event(event)
