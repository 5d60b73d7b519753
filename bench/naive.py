"""The naive design the edge is compared with: a FastAPI gateway calling a FastAPI users service
over HTTP/JSON, with a new httpx.AsyncClient per request (as many tutorials teach) or one shared.

Run as uvicorn factories (uvloop, httptools, like the edge):
`uvicorn --factory bench.naive:users_app` (reads the users service's database) and
`uvicorn --factory bench.naive:gateway_app` ($NAIVE_USERS_URL is the users service).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

PROFILE = text(
    "SELECT id, email, email_verified, display_name, given_name, family_name, phone_number, "
    "locale, time_zone, state, create_time, update_time FROM users WHERE id = :id"
)


def users_app() -> FastAPI:
    """The users service: reads the profile from the users service's own database
    ($NAIVE_DATABASE_URL), one connection from SQLAlchemy's pool per request."""
    engine = create_async_engine(os.environ["NAIVE_DATABASE_URL"])
    app = FastAPI()

    @app.get("/users/{user_id}")
    async def get_user(user_id: str) -> dict[str, Any]:
        async with engine.connect() as connection:
            found = await connection.execute(PROFILE, {"id": user_id})
            row = found.mappings().first()
        if row is None:
            raise HTTPException(status_code=404, detail="no such user")
        return dict(row)

    return app


def gateway_app() -> FastAPI:
    """The gateway: /per-request/... opens a client per request, /shared/... reuses one."""
    users_url = os.environ["NAIVE_USERS_URL"]

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(base_url=users_url) as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/per-request/v1/users/{user_id}")
    async def per_request(user_id: str) -> Any:
        async with httpx.AsyncClient(base_url=users_url) as client:
            response = await client.get(f"/users/{user_id}")
        return forwarded(response)

    @app.get("/shared/v1/users/{user_id}")
    async def shared(user_id: str, request: Request) -> Any:
        response = await request.app.state.client.get(f"/users/{user_id}")
        return forwarded(response)

    return app


def forwarded(response: httpx.Response) -> Any:
    if response.status_code != 200:
        raise HTTPException(status_code=response.status_code, detail=response.text)
    return response.json()
