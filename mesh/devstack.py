"""`make up`: the whole platform on one machine — nats-server, every service, each its own process.

Services are those of the catalogue (`services/catalog.toml`) that have a package to run, started
together on their catalogue ports (each reaches another, identity included, only when it first
calls it). State lives under `.meshwork/` (SQLite files, the JetStream store, logs). Set
`NATS_URL` to use a NATS server you run instead. Once every service is SERVING, the REST edge
(the catalogue's `[edge]`, client "edge") starts on http://127.0.0.1:8080 (or a free port when
that is taken).
Ctrl-C (or SIGTERM) stops everything cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mesh import readiness
from mesh.bundled_nats import BundledNatsServer, port_is_free
from mesh.catalog import Catalog, catalog
from mesh.environment import SHARED_PREFIX, state_dir
from mesh.stack import Stack, StackAlreadyRunningError, StackProcess, checkout_lock, ports_lock
from mesh.supervisor import Child, Supervisor

#: The account that gets the admin role when it signs up on a local stack.
LOCAL_ADMIN_EMAIL = "admin@example.com"
NATS_PORT = 4222
#: The Stripe sandbox's usual port on a local stack (payments' dev default address).
STRIPE_SANDBOX_PORT = 12111
#: How long the services get to be SERVING (MESHWORK_READY_TIMEOUT_S overrides it: a slow or
#: busy machine).
READY_TIMEOUT_S = 30.0


@dataclass
class ServiceProcess:
    """One process started by the dev stack (a service, or the edge)."""

    name: str
    port: int
    #: What `python -m` runs.
    module: str
    log_path: Path
    #: Its command-line arguments after `python -m <module>`.
    args: tuple[str, ...] = ()
    #: Proves which process answers on the port (see `mesh.health.instance_service`).
    instance: str = field(default_factory=lambda: uuid.uuid4().hex)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    #: What it was started with, to start it again the same way.
    env: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def target(self) -> str:
        """For `mesh.readiness`: its address, and the instance that must answer there."""
        return f"{self.address}@{self.instance}"

    def as_stack_process(self) -> StackProcess:
        pid = self.process.pid if self.process is not None else 0
        return StackProcess(self.name, pid, self.address, str(self.log_path), self.instance)


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def usual_port(port: int) -> int:
    """`port` if free, else any free one; always any free one with MESHWORK_ANY_PORTS=1 (tests)."""
    if os.environ.get(f"{SHARED_PREFIX}ANY_PORTS") != "1" and port_is_free(port):
        return port
    return free_port()


def plan_services(services: Catalog, *, logs: Path) -> list[ServiceProcess]:
    """The catalogue's runnable services, each on its usual port (or a free one if taken)."""
    return [
        ServiceProcess(
            name=entry.name,
            port=usual_port(entry.port),
            module=entry.package,
            log_path=logs / f"{entry.name}.log",
        )
        for entry in services.services
        if entry.package is not None
    ]


def load_credentials(path: Path, clients: list[str]) -> dict[str, str]:
    """Each client's secret for local runs: generated once, kept in `path` (mode 0600)."""
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [client for client in clients if client not in known]
    if missing:
        known |= {client: secrets.token_urlsafe(32) for client in missing}
        path.write_text(json.dumps(known, indent=2))
        path.chmod(0o600)
    return known


def stack_environment(
    services: list[ServiceProcess], *, nats_url: str, credentials: dict[str, str]
) -> dict[str, str]:
    """The variables every service process gets: NATS, where each service listens, secrets."""
    env = {
        f"{SHARED_PREFIX}ENVIRONMENT": os.environ.get(f"{SHARED_PREFIX}ENVIRONMENT", "dev"),
        f"{SHARED_PREFIX}NATS_URL": nats_url,
        "IDENTITY_SERVICE_CLIENTS": json.dumps(credentials),
        # Locally, whoever signs up as this address is an administrator (the admin service
        # grants the role at its first sign-in).
        "ADMIN_BOOTSTRAP_ADMIN_EMAILS": os.environ.get(
            "ADMIN_BOOTSTRAP_ADMIN_EMAILS", json.dumps([LOCAL_ADMIN_EMAIL])
        ),
    }
    for service in services:
        entry = catalog().service(service.name)
        env[entry.address_variable] = service.address
        env[f"{entry.env_prefix}GRPC_ADDRESS"] = service.address
        env[f"{entry.env_prefix}CLIENT_SECRET"] = credentials[entry.client_id]
    env["EDGE_CLIENT_SECRET"] = credentials["edge"]
    return env


def launch(service: ServiceProcess, *, env: dict[str, str]) -> None:
    """Starts `python -m <module>`, its output going to the service's log file."""
    service.env = {**env, f"{SHARED_PREFIX}INSTANCE_ID": service.instance}
    relaunch(service)


def relaunch(service: ServiceProcess) -> None:
    """Starts the service (again) as it was launched."""
    with service.log_path.open("ab") as log:
        service.process = subprocess.Popen(
            [sys.executable, "-m", service.module, *service.args],
            env={**os.environ, **service.env},
            stdout=log,
            stderr=log,
        )


def plan_stripe_sandbox(
    services: list[ServiceProcess], edge: ServiceProcess, *, logs: Path
) -> tuple[ServiceProcess, dict[str, str]] | None:
    """When payments runs: the repository's Stripe sandbox for it to charge against, sending
    its signed webhooks to the edge, and the variables that point payments at it."""
    if not any(service.name == "payments" for service in services):
        return None
    port, secret = usual_port(STRIPE_SANDBOX_PORT), f"whsec_{secrets.token_hex(16)}"
    webhook_url = f"http://{edge.address}/v1/webhooks/stripe"
    sandbox = ServiceProcess(
        name="stripe-sandbox",
        port=port,
        module="sandbox.stripe",
        log_path=logs / "stripe-sandbox.log",
        # Its objects live as long as payments' local database does: under the state dir.
        args=(
            *("--port", str(port), "--state-file", str(state_dir() / "stripe-sandbox.json")),
            *("--webhook-url", webhook_url, "--webhook-secret", secret),
        ),
    )
    env = {
        "PAYMENTS_STRIPE_API_BASE": f"http://{sandbox.address}",
        "PAYMENTS_STRIPE_WEBHOOK_SECRETS": json.dumps([secret]),
    }
    return sandbox, env


def plan_edge(services: Catalog, *, logs: Path) -> ServiceProcess:
    """The REST edge (client "edge") on its usual port, or a free one if taken."""
    edge = services.edge
    return ServiceProcess(
        name="edge", port=usual_port(edge.port), module=edge.package, log_path=logs / "edge.log"
    )


def start_edge(
    edge: ServiceProcess, services: list[ServiceProcess], *, env: dict[str, str]
) -> None:
    """Starts the edge, its readiness decided by the services that run here."""
    edge_env = {
        "EDGE_HTTP_PORT": str(edge.port),
        "EDGE_READINESS_UPSTREAMS": json.dumps([service.name for service in services]),
    }
    launch(edge, env=env | edge_env)


def stop_all(services: Sequence[ServiceProcess], nats: BundledNatsServer | None) -> None:
    """SIGTERM every service (they drain and stop gracefully), then the nats-server."""
    running = [s.process for s in services if s.process and s.process.poll() is None]
    for process in running:
        process.send_signal(signal.SIGTERM)
    for process in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    if nats is not None:
        nats.stop()


def start_nats() -> tuple[str, BundledNatsServer | None]:
    """The NATS URL to use: $NATS_URL if set, else a bundled server (port 4222, or a free one)."""
    external = os.environ.get("NATS_URL") or os.environ.get(f"{SHARED_PREFIX}NATS_URL")
    if external:
        return external, None
    server = BundledNatsServer(state_dir() / "nats", port=usual_port(NATS_PORT))
    return server.start(), server


async def run() -> int:
    """Starts the stack, prints where everything listens, and runs until interrupted."""
    try:
        with checkout_lock(state_dir()):
            return await _run()
    except StackAlreadyRunningError as error:
        print(f"make up: {error}", file=sys.stderr, flush=True)
        return 1


async def _run() -> int:
    started = time.monotonic()
    logs = state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    processes: list[ServiceProcess] = []
    nats: BundledNatsServer | None = None
    try:
        # One stack at a time picks ports and binds them: two started together never collide.
        with ports_lock():
            nats_url, nats = start_nats()
            services, edge = await start_processes(nats_url, logs, processes)
        stack = Stack(os.getpid(), nats_url, [p.as_stack_process() for p in processes])
        stack.write(state_dir())
        helpers = [p for p in processes if p is not edge and p not in services]
        ready_s = time.monotonic() - started
        print_summary(nats_url, services, edge, ready_s=ready_s, helpers=helpers)
        await supervise_until(stop, processes, stack)
        print("\nstopping…", flush=True)
    except (RuntimeError, TimeoutError) as error:
        print(f"make up failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        stop_all(processes, nats)
    return 0


async def start_processes(
    nats_url: str, logs: Path, processes: list[ServiceProcess]
) -> tuple[list[ServiceProcess], ServiceProcess]:
    """Starts every service, then the edge once they serve; each is appended to `processes`
    as it starts (so whatever started is stopped, however this ends)."""
    services = plan_services(catalog(), logs=logs)
    edge = plan_edge(catalog(), logs=logs)
    credentials = load_credentials(state_dir() / "credentials.json", list(catalog().client_ids))
    env = stack_environment(services, nats_url=nats_url, credentials=credentials)
    stripe = plan_stripe_sandbox(services, edge, logs=logs)
    if stripe is not None:  # supervised with the rest; not probed: payments calls it on demand
        launch(stripe[0], env={})
        processes.append(stripe[0])
        env |= stripe[1]
    # All at once: a service reaches the others (identity included) only when it first
    # calls them, so none has to wait for another to start.
    for service in services:
        launch(service, env=env)
        processes.append(service)
    probe = readiness.ReadinessProbe(services, edge, logs=logs)
    try:
        ready_timeout_s = float(os.environ.get(f"{SHARED_PREFIX}READY_TIMEOUT_S", READY_TIMEOUT_S))
        await probe.start(timeout_s=ready_timeout_s)
        await probe.wait_for(readiness.SERVING)
        start_edge(edge, services, env=env)
        processes.append(edge)
        probe.watch(edge)
        await probe.wait_for(readiness.READY)
        await probe.finished()
    finally:
        probe.stop()
    return services, edge


async def supervise_until(
    stop: asyncio.Event, processes: list[ServiceProcess], stack: Stack
) -> None:
    """Restarts what dies (see `mesh.supervisor`) until `stop` is set."""

    def restarted(child: Child) -> None:
        stack.processes = [p.as_stack_process() for p in processes]
        stack.write(state_dir())

    def restart(child: Child) -> None:
        assert isinstance(child, ServiceProcess)
        relaunch(child)

    supervisor = Supervisor(
        processes,
        restart=restart,
        on_restarted=restarted,
        report=lambda line: print(line, flush=True),
    )
    watching = asyncio.create_task(supervisor.run())
    try:
        await stop.wait()
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching


def print_summary(
    nats_url: str,
    services: list[ServiceProcess],
    edge: ServiceProcess | None = None,
    *,
    ready_s: float,
    helpers: list[ServiceProcess] | None = None,
) -> None:
    """The table of what runs where (`helpers`: processes beside the services, over HTTP)."""
    lines = [f"Meshwork is up in {ready_s:.1f} s (Ctrl-C stops everything)", ""]
    lines.append(f"  {'nats (JetStream)':<18} {nats_url}")
    for helper in helpers or []:
        lines.append(f"  {helper.name:<18} http://{helper.address}   log {helper.log_path}")
    if edge is not None:
        url = f"http://{edge.address}"
        lines.append(f"  {'edge (REST)':<18} {url}   docs {url}/docs   log {edge.log_path}")
    for service in services:
        lines.append(f"  {service.name:<18} grpc://{service.address}   log {service.log_path}")
    if not services:
        lines.append("  (no services in services/ yet)")
    else:
        example = services[-1]
        lines += [
            "",
            "Try:",
            f"  .venv/bin/grpcurl -plaintext {example.address} list",
            f"  TOKEN=$(.venv/bin/python -m mesh.devtoken {example.name})  # a service token",
            "  .venv/bin/python -m mesh.stack  # what runs where, for scripts",
        ]
        if edge is not None:
            lines.append(f"  curl http://{edge.address}/readyz")
    lines += ["", f"Logs: {state_dir() / 'logs'}"]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
