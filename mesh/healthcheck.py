"""A container's health check: one grpc.health.v1 Check, or one GET of an HTTP health URL.

    python -m mesh.healthcheck 127.0.0.1:50052              # a service: SERVING or not
    python -m mesh.healthcheck http://127.0.0.1:8080/healthz  # the edge: 200 or not

prints what it found and exits 0 when healthy, 1 otherwise. Without an argument the target is
`MESHWORK_HEALTHCHECK_TARGET`, so one image's HEALTHCHECK serves every service and the edge:
each container sets that variable to its own port.
"""

from __future__ import annotations

import argparse
import os
import sys

#: The variable naming the target when no argument does.
TARGET_VARIABLE = "MESHWORK_HEALTHCHECK_TARGET"


def check_grpc(address: str, *, timeout_s: float, service: str = "") -> tuple[bool, str]:
    """Whether the gRPC server at `address` reports `service` (default: the whole server)
    SERVING, and the status it reported (or why none was)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(address) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout_s
            )
        except grpc.RpcError as error:
            return False, f"{error.code().name}: {error.details()}"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return reply.status == health_pb2.HealthCheckResponse.SERVING, status


def check_http(url: str, *, timeout_s: float) -> tuple[bool, str]:
    """Whether GET `url` answers 200, and the status (or the error) it answered with."""
    import httpx

    try:
        response = httpx.get(url, timeout=timeout_s)
    except httpx.HTTPError as error:
        return False, f"{type(error).__name__}: {error}"
    return response.status_code == 200, f"HTTP {response.status_code}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mesh.healthcheck", description=__doc__)
    parser.add_argument("target", nargs="?", default=os.environ.get(TARGET_VARIABLE, ""))
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds (default 3)")
    parser.add_argument("--service", default="", help="a gRPC service name (default: all)")
    args = parser.parse_args(argv)
    if not args.target:
        parser.error(f"give a host:port or an http:// URL, or set {TARGET_VARIABLE}")
    if args.target.startswith(("http://", "https://")):
        healthy, status = check_http(args.target, timeout_s=args.timeout)
    else:
        healthy, status = check_grpc(args.target, timeout_s=args.timeout, service=args.service)
    print(f"{args.target}: {status}")
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
