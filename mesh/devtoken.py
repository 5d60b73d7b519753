"""Prints a service token for poking a local service with grpcurl: `python -m mesh.devtoken users`.

It signs in to identity as the `cli` client with the secret `make up` generated in
`.meshwork/credentials.json`, and asks for a token whose audience is the given service. It
asks the identity of the stack running from this checkout (`.meshwork/stack.json`), never
whatever listens on identity's usual port; `MESHWORK_IDENTITY_ADDRESS` overrides that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys

import grpc

from mesh.catalog import catalog
from mesh.environment import state_dir
from mesh.stack import Stack
from meshwork.identity.v1 import identity_service_pb2, identity_service_pb2_grpc


async def issue(audience: str, *, identity: str, secret: str) -> str:
    """A service token for `audience`, issued by identity to the `cli` client."""
    async with grpc.aio.insecure_channel(identity) as channel:
        reply = await identity_service_pb2_grpc.IdentityServiceStub(channel).IssueServiceToken(
            identity_service_pb2.IssueServiceTokenRequest(
                client_id="cli", client_secret=secret, audience=audience
            ),
            timeout=5,
        )
    return reply.access_token


def identity_address() -> str:
    """Where to ask: the variable, else the running stack's identity, else the usual port."""
    entry = catalog().service("identity")
    if given := os.environ.get(entry.address_variable):
        return given
    stack = Stack.read(state_dir())
    return stack.address_of("identity") if stack is not None else entry.local_address


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mesh.devtoken", description=__doc__.splitlines()[0]
    )
    parser.add_argument("audience", choices=catalog().names, help="the service to call")
    audience = parser.parse_args().audience
    credentials = state_dir() / "credentials.json"
    if not credentials.exists():
        print(f"{credentials} not found: start the platform with `make up` first", file=sys.stderr)
        return 2
    secret = json.loads(credentials.read_text())["cli"]
    identity = identity_address()
    try:
        print(asyncio.run(issue(audience, identity=identity, secret=secret)))
    except grpc.aio.AioRpcError as error:
        print(
            f"identity at {identity} refused: {error.code().name}: {error.details()}",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
