"""Schemathesis against /openapi.json of an edge over the real identity and users: no server
errors, and every answer as documented (bounded examples, deterministic generation)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx

from tests.integration.edge.platform import running_platform, uvicorn_serving
from tests.integration.identity.conftest import ADMIN_EMAIL, PASSWORD
from tests.support import subprocess_env

SCHEMATHESIS = Path(sys.executable).parent / "st"
MAX_EXAMPLES = 10
HOOKS = "tests.integration.edge.schemathesis_hooks"
#: No 5xx (501 aside, see the hooks), and every answer as the document describes it.
CHECKS = ",".join(
    [
        "no_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
    ]
)


async def test_generated_requests_get_documented_answers_and_no_server_errors(
    nats_server: Any, tmp_path: Path
) -> None:
    async with (
        running_platform(nats_server.url, tmp_path) as platform,
        uvicorn_serving(platform.edge()) as url,
    ):
        token = await _access_token(url)
        process = await asyncio.create_subprocess_exec(
            str(SCHEMATHESIS), "run", f"{url}/openapi.json",
            "--checks", CHECKS,
            "--exclude-operation-id", "Edge_Readyz",  # 503: unimplemented services are down
            "--max-examples", str(MAX_EXAMPLES),
            "--generation-deterministic",  # implies no example database
            "--phases", "examples,fuzzing",
            "--header", f"Authorization: Bearer {token}",
            "--workers", "2",
            "--request-timeout", "20",
            "--no-color",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            cwd=tmp_path,
            env=subprocess_env(SCHEMATHESIS_HOOKS=HOOKS),
        )  # fmt: skip
        output, _ = await process.communicate()
    report = output.decode(errors="replace")
    assert process.returncode == 0, report[-6000:]


async def _access_token(url: str) -> str:
    """An administrator's access token, so generated calls get past authentication."""
    async with httpx.AsyncClient(base_url=url) as http:
        reply = await http.post(
            "/v1/auth:signUp", json={"email": ADMIN_EMAIL, "password": PASSWORD}
        )
    reply.raise_for_status()
    token: str = reply.json()["tokens"]["accessToken"]
    return token
