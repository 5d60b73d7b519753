"""The orders service's use cases: one async function each, one unit of work each."""

from __future__ import annotations

from dataclasses import dataclass

from mesh.actor import Actor
from mesh.clock import utc_now
from mesh.db import UnitOfWork
from mesh.idempotency import mark_committed
from mesh.paging import next_token
from services.orders import commands, messages, validation
from services.orders.domain import Orders, visible
from services.orders.repository import OrdersRepository


async def create_orders(uow: UnitOfWork, command: commands.CreateOrders, actor: Actor) -> Orders:
    """Creates a orders owned by the caller (the servicer makes a keyed retry replay)."""
    orders = validation.new_orders(command, actor)
    async with uow:
        await OrdersRepository(uow.connection).add(orders)
        uow.add_event(messages.orders_created(orders))
        await mark_committed(uow.connection)
        await uow.commit()
    return orders


async def get_orders(uow: UnitOfWork, orders_id: str, actor: Actor) -> Orders:
    target = validation.target(orders_id)
    async with uow:
        found = await OrdersRepository(uow.connection).get(target)
    return visible(found, actor, target)


async def update_orders(uow: UnitOfWork, command: commands.UpdateOrders, actor: Actor) -> Orders:
    """Changes the fields the mask names; the event lists those whose value changed."""
    update = validation.details_update(command)
    async with uow:
        orderses = OrdersRepository(uow.connection)
        found = await orderses.get(update.orders_id, for_update=True)
        orders = visible(found, actor, update.orders_id)
        changed = orders.update(update.details, update.paths, now=utc_now())
        if changed:
            await orderses.save(orders)
            uow.add_event(messages.orders_updated(orders, changed))
            await uow.commit()
    return orders


@dataclass(frozen=True, slots=True)
class OrdersPage:
    orderses: list[Orders]
    next_page_token: str


async def list_orderses(
    uow: UnitOfWork, command: commands.ListOrderses, actor: Actor
) -> OrdersPage:
    """A page of the caller's orderses, newest first."""
    request = validation.page_request(command, actor)
    async with uow:
        found = await OrdersRepository(uow.connection).list(request)
    token = next_token(request.page, found, lambda item: (item.create_time, item.id))
    return OrdersPage(found[: request.size], token)


async def delete_orders(uow: UnitOfWork, orders_id: str, actor: Actor) -> None:
    target = validation.target(orders_id)
    async with uow:
        orderses = OrdersRepository(uow.connection)
        orders = visible(await orderses.get(target, for_update=True), actor, target)
        await orderses.delete(orders.id)
        uow.add_event(messages.orders_deleted(orders, deleted_by=actor.subject))
        await uow.commit()
