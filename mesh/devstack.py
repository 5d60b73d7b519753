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
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mesh import readiness
from mesh.bundled_nats import BundledNatsServer, port_is_free
from mesh.catalog import Catalog, catalog
from mesh.environment import SHARED_PREFIX, state_dir

#: The account that gets the admin role when it signs up on a local stack.
LOCAL_ADMIN_EMAIL = "admin@example.com"
NATS_PORT = 4222
#: The Stripe sandbox's usual port on a local stack (payments' dev default address).
STRIPE_SANDBOX_PORT = 12111
READY_TIMEOUT_S = 30.0


@dataclass
class ServiceProcess:
    """One service started by the dev stack."""

    name: str
    port: int
    #: What `python -m` runs.
    module: str
    log_path: Path
    #: Its command-line arguments after `python -m <module>`.
    args: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"


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
        # Locally, whoever signs up as this address is an administrator.
        "IDENTITY_BOOTSTRAP_ADMIN_EMAILS": os.environ.get(
            "IDENTITY_BOOTSTRAP_ADMIN_EMAILS", json.dumps([LOCAL_ADMIN_EMAIL])
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
    log = service.log_path.open("ab")
    service.process = subprocess.Popen(
        [sys.executable, "-m", service.module, *service.args],
        env={**os.environ, **env},
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
        args=("--port", str(port), "--webhook-url", webhook_url, "--webhook-secret", secret),
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


class ReadinessProbe:
    """`python -m mesh.readiness` watching the services, then the edge, as a child process
    (started with the services, so its imports cost no time); fails fast if one exits."""

    def __init__(self, services: list[ServiceProcess], edge: ServiceProcess | None) -> None:
        self._services = services
        self._edge = edge
        self._watched = list(services)
        self._probe: asyncio.subprocess.Process | None = None

    async def start(self, *, timeout_s: float) -> None:
        grpc_targets = [f"{service.name}={service.address}" for service in self._services]
        http_targets = [f"{self._edge.name}={self._edge.address}"] if self._edge else []
        self._probe = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "mesh.readiness", "--timeout", str(timeout_s),
            "--grpc", *grpc_targets, "--http", *http_targets,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip

    async def wait_for(self, line: str) -> None:
        """Until the probe prints `line`; raises when a watched process or the probe gives up."""
        assert self._probe is not None and self._probe.stdout is not None
        reading = asyncio.ensure_future(self._probe.stdout.readline())
        try:
            while True:
                done, _ = await asyncio.wait({reading}, timeout=0.1)
                if done:
                    break
                self._check_watched()
        finally:
            reading.cancel()
        if reading.result().decode().strip() != line:
            self._check_watched()
            await self._probe.wait()
            assert self._probe.stderr is not None
            reason = (await self._probe.stderr.read()).decode().strip() or "readiness probe failed"
            raise TimeoutError(f"{reason}; see the logs in {self._services[0].log_path.parent}")

    async def finished(self) -> None:
        """Until the probe has exited (after READY): nothing of it is left running."""
        assert self._probe is not None
        await self._probe.wait()

    def watch(self, process: ServiceProcess) -> None:
        self._watched.append(process)

    def _check_watched(self) -> None:
        for service in self._watched:
            assert service.process is not None
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited; see {service.log_path}")

    def stop(self) -> None:
        if self._probe is not None and self._probe.returncode is None:
            self._probe.kill()


def stop_all(services: list[ServiceProcess], nats: BundledNatsServer | None) -> None:
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
    started = time.monotonic()
    logs = state_dir() / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    nats_url, nats = start_nats()
    services: list[ServiceProcess] = []
    #: Processes beside the services (the Stripe sandbox), stopped with them.
    helpers: list[ServiceProcess] = []
    edge: ServiceProcess | None = None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    probe: ReadinessProbe | None = None
    try:
        services = plan_services(catalog(), logs=logs)
        edge = plan_edge(catalog(), logs=logs)
        credentials = load_credentials(state_dir() / "credentials.json", list(catalog().client_ids))
        env = stack_environment(services, nats_url=nats_url, credentials=credentials)
        stripe = plan_stripe_sandbox(services, edge, logs=logs)
        if stripe is not None:  # not probed for readiness: payments calls it only on demand
            launch(stripe[0], env={})
            env |= stripe[1]
            helpers.append(stripe[0])
        # All at once: a service reaches the others (identity included) only when it first
        # calls them, so none has to wait for another to start.
        for service in services:
            launch(service, env=env)
        probe = ReadinessProbe(services, edge)
        await probe.start(timeout_s=READY_TIMEOUT_S)
        await probe.wait_for(readiness.SERVING)
        if edge is not None:
            start_edge(edge, services, env=env)
            probe.watch(edge)
        await probe.wait_for(readiness.READY)
        await probe.finished()
        ready_s = time.monotonic() - started
        print_summary(nats_url, services, edge, ready_s=ready_s, helpers=helpers)
        await stop.wait()
        print("\nstopping…", flush=True)
    except (RuntimeError, TimeoutError) as error:
        print(f"make up failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        if probe is not None:
            probe.stop()
        stop_all([*([edge] if edge else []), *services, *helpers], nats)
    return 0


def print_summary(
    nats_url: str,
    services: list[ServiceProcess],
    edge: ServiceProcess | None = None,
    *,
    ready_s: float,
    helpers: list[ServiceProcess] | None = None,
) -> None:
    """The table of what runs where."""
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
        ]
        if edge is not None:
            lines.append(f"  curl http://{edge.address}/readyz")
    lines += ["", f"Logs: {state_dir() / 'logs'}"]
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(asyncio.run(run()))
