"""`python -m sandbox.stripe`: serve a Stripe sandbox and print the address it bound."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from sandbox.stripe.app import SandboxSettings
from sandbox.stripe.server import address, bind, build_server
from sandbox.stripe.webhooks import Endpoint

log = logging.getLogger("sandbox.stripe")


def parse_settings(argv: list[str] | None = None) -> tuple[argparse.Namespace, SandboxSettings]:
    parser = argparse.ArgumentParser(prog="python -m sandbox.stripe", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=12111, help="0 picks a free port")
    parser.add_argument("--state-file", type=Path, help="keep objects in this JSON file")
    parser.add_argument(
        "--webhook-url", action="append", default=[], help="POST every event here (repeatable)"
    )
    parser.add_argument(
        "--webhook-secret",
        action="append",
        default=[],
        help="the signing secret (whsec_...) of the --webhook-url at the same position",
    )
    args = parser.parse_args(argv)
    if len(args.webhook_url) != len(args.webhook_secret):
        parser.error("each --webhook-url needs its --webhook-secret")
    if not all(secret.startswith("whsec_") for secret in args.webhook_secret):
        parser.error("--webhook-secret must start with whsec_")
    webhooks = tuple(map(Endpoint, args.webhook_url, args.webhook_secret))
    return args, SandboxSettings(state_file=args.state_file, webhooks=webhooks)


async def serve(args: argparse.Namespace, settings: SandboxSettings) -> None:
    sock = bind(args.host, args.port)
    server = build_server(settings, log_level="info")
    # Tests read this line to learn the port the sandbox bound.
    print(f"Stripe sandbox listening on {address(sock)}", flush=True)
    log.info("Stripe sandbox listening on %s", address(sock))
    await server.serve(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO)
    args, settings = parse_settings(argv)
    asyncio.run(serve(args, settings))


if __name__ == "__main__":
    main()
