"""Reaching a dependency (the database, NATS): waited for while down, one log line per attempt."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import nats
from nats.aio.client import Client as NATS
from sqlalchemy.exc import InterfaceError, OperationalError

logger = logging.getLogger("meshwork.service")
T = TypeVar("T")

#: What an unreachable database raises: the network's errors, and the driver's as SQLAlchemy
#: wraps them. A malformed URL or a failing migration raises something else, and is final.
DATABASE_UNREACHABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    OperationalError,
    InterfaceError,
)


async def until_reached(
    what: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    unreachable: tuple[type[BaseException], ...],
    first_delay_s: float = 0.5,
    max_delay_s: float = 10.0,
) -> T:
    """`await attempt()` until it does not raise one of `unreachable`: a dependency that is
    down at start-up is waited for (doubling the delay up to `max_delay_s`), with one warning
    line per failed attempt naming the error and no traceback. Cancelling stops the wait."""
    delay_s, attempts = first_delay_s, 0
    while True:
        attempts += 1
        try:
            return await attempt()
        except unreachable as error:
            logger.warning(
                "cannot reach %s (attempt %d): %s; retrying in %.1f s",
                what,
                attempts,
                one_line(error),
                delay_s,
            )
        await asyncio.sleep(delay_s)
        delay_s = min(delay_s * 2, max_delay_s)


def one_line(error: BaseException) -> str:
    """The error's type and the first line of its text, for a log line without a traceback."""
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


async def connect_nats(url: str, *, name: str) -> NATS:
    """Connects to NATS, waiting for it while it is down (a line per attempt, no traceback)."""
    nc: NATS  # the disconnect callback reads it, to tell a lost server from our own drain

    async def disconnected() -> None:
        if not (nc.is_draining or nc.is_closed):
            logger.warning("NATS: disconnected; reconnecting")

    nc = await nats.connect(
        url,
        name=name,
        max_reconnect_attempts=-1,  # also at start-up: wait for NATS, every 2 s
        connect_timeout=5,
        error_cb=_nats_error,
        disconnected_cb=disconnected,
        reconnected_cb=_nats_reconnected,
    )
    return nc


async def _nats_error(error: Exception) -> None:
    """One line per failed attempt to reach NATS (nats-py would log each with its traceback)."""
    logger.warning("NATS: %s", one_line(error))


async def _nats_reconnected() -> None:
    logger.info("NATS: reconnected")
