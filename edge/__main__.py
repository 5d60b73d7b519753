"""`python -m edge`: serves the edge with uvicorn (uvloop, httptools) until SIGTERM or Ctrl-C."""

from __future__ import annotations

import logging

import uvicorn

from edge.app import create_app
from edge.config import EdgeSettings
from mesh.logs import configure_logging
from mesh.tracing import install_tracer_provider

logger = logging.getLogger("meshwork.edge")


def main() -> None:
    settings = EdgeSettings.load()
    configure_logging(settings.service, level=settings.log_level, json_output=settings.log_json)
    tracing = install_tracer_provider(settings.service)
    logger.info("starting", extra={"settings": settings.public_view()})
    config = uvicorn.Config(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        log_config=None,  # ours: JSON lines with the request id
        access_log=False,  # the edge logs each request itself, with its route and status
        proxy_headers=bool(settings.trusted_proxy_ips),
        forwarded_allow_ips=settings.trusted_proxy_ips or None,
        timeout_graceful_shutdown=max(1, round(settings.shutdown_grace_s)),
        server_header=False,
    )
    try:
        uvicorn.Server(config).run()
    finally:
        tracing.shutdown()  # sends the spans still batched


if __name__ == "__main__":
    main()
