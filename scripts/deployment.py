"""Adds a new service to the deployment files that list every service (`make new-service`).

Its own Kubernetes resources come from the scaffold's template (deploy/k8s/base/NAME.yaml);
these functions add its name, address, database, secret and scrape target to the shared
files: docker-compose.yml, .env.example, deploy/docker/entrypoint.sh, deploy/k8s/base
(kustomization and config), deploy/k8s/production (replicas and resources) and
deploy/prometheus/prometheus.yml. tests/deploy checks each of them against services/catalog.toml.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


class DeploymentError(ValueError):
    """A deployment file no longer has the shape these edits expect; the message names it."""


@dataclass(frozen=True, slots=True)
class Service:
    """The new service as the deployment files name it."""

    name: str
    port: int

    @property
    def env(self) -> str:
        """Its environment-variable prefix: USERS for users."""
        return self.name.upper()


def add_to_deployment(root: Path, service: Service) -> list[Path]:
    """Adds `service` to every shared deployment file under `root`; returns those changed."""
    edits: list[tuple[str, Callable[[str, Service], str]]] = [
        ("docker-compose.yml", _compose),
        (".env.example", _env_example),
        ("deploy/docker/entrypoint.sh", _entrypoint),
        ("deploy/k8s/base/kustomization.yaml", _kustomization),
        ("deploy/k8s/base/config.yaml", _k8s_config),
        ("deploy/k8s/production/replicas.yaml", _replicas),
        ("deploy/k8s/production/resources.yaml", _resources),
        ("deploy/prometheus/prometheus.yml", _prometheus),
    ]
    changed = []
    for name, edit in edits:
        path = root / name
        try:
            path.write_text(edit(path.read_text(), service))
        except DeploymentError as error:
            raise DeploymentError(f"{name}: {error}") from None
        changed.append(path)
    return changed


def _after_last(text: str, pattern: str, line: str) -> str:
    """`text` with `line` inserted after the last line matching `pattern`."""
    found = list(re.finditer(pattern, text, re.M))
    if not found:
        raise DeploymentError(f"no line matches {pattern!r}")
    end = text.index("\n", found[-1].end()) + 1
    return text[:end] + line + "\n" + text[end:]


def _before_first(text: str, pattern: str, block: str) -> str:
    """`text` with `block` inserted before the first line matching `pattern`."""
    found = re.search(pattern, text, re.M)
    if found is None:
        raise DeploymentError(f"no line matches {pattern!r}")
    return text[: found.start()] + block + text[found.start() :]


def _with_readiness_upstream(text: str, name: str) -> str:
    """Adds `name` to the edge's EDGE_READINESS_UPSTREAMS JSON list."""
    pattern = r"(EDGE_READINESS_UPSTREAMS: ')(\[[^']*\])(')"
    found = re.search(pattern, text)
    if found is None:
        raise DeploymentError("no EDGE_READINESS_UPSTREAMS list")
    upstreams = [*json.loads(found.group(2)), name]
    return text[: found.start(2)] + json.dumps(upstreams) + text[found.end(2) :]


def _compose(text: str, service: Service) -> str:
    name, env, port = service.name, service.env, service.port
    text = _after_last(
        text, r"^  MESHWORK_[A-Z0-9]+_ADDRESS: ", f"  MESHWORK_{env}_ADDRESS: {name}:{port}"
    )
    databases = re.search(r"^(      MESHWORK_DATABASES: )(\S+)$", text, re.M)
    if databases is None:
        raise DeploymentError("no MESHWORK_DATABASES line under postgres")
    text = text[: databases.end(2)] + f",{name}" + text[databases.end(2) :]
    secret = f"${{{env}_CLIENT_SECRET:?set {env}_CLIENT_SECRET}}"
    text = _before_first(text, r'^        "cli": ', f'        "{name}": "{secret}",\n')
    block = (
        f"  {name}:\n"
        "    <<: *meshwork\n"
        f'    command: ["{name}"]\n'
        "    environment:\n"
        "      <<: *meshwork-environment\n"
        f"      MESHWORK_HEALTHCHECK_TARGET: 127.0.0.1:{port}\n"
        f"      {env}_GRPC_ADDRESS: 0.0.0.0:{port}\n"
        f"      {env}_DATABASE_URL: postgresql+asyncpg://meshwork:"
        f"${{POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}}@postgres:5432/{name}\n"
        f"      {env}_CLIENT_SECRET: {secret}\n"
        "\n"
    )
    text = _before_first(text, r"^  edge:$", block)
    # The edge starts once every service is healthy: one more in its depends_on.
    edge = re.search(r"^  edge:\n(?:    .*\n)*?    depends_on:\n(?:      .*\n)+", text, re.M)
    if edge is None:
        raise DeploymentError("no depends_on under the edge")
    waits = f"      {name}: {{condition: service_healthy}}\n"
    text = text[: edge.end()] + waits + text[edge.end() :]
    return _with_readiness_upstream(text, name)


def _env_example(text: str, service: Service) -> str:
    line = f"{service.env}_CLIENT_SECRET=replace-with-a-random-{service.name}-secret\n"
    return _before_first(text, r"^EDGE_CLIENT_SECRET=", line)


def _entrypoint(text: str, service: Service) -> str:
    found = re.search(r'^SERVICES="([^"]*)"$', text, re.M)
    if found is None:
        raise DeploymentError('no SERVICES="..." line')
    return text[: found.end(1)] + f" {service.name}" + text[found.end(1) :]


def _kustomization(text: str, service: Service) -> str:
    return _before_first(text, r"^  - edge\.yaml$", f"  - {service.name}.yaml\n")


def _k8s_config(text: str, service: Service) -> str:
    address = f"dns:///{service.name}-headless:{service.port}"
    text = _after_last(
        text, r"^  MESHWORK_[A-Z0-9]+_ADDRESS: ", f"  MESHWORK_{service.env}_ADDRESS: {address}"
    )
    return _with_readiness_upstream(text, service.name)


def _before_the_edge_document(text: str, document: str) -> str:
    """Inserts a YAML document before the edge's, the last of a production patch file."""
    return _before_first(text, r"^---\n(?=(?:.*\n){0,3}  name: edge$)", f"---\n{document}")


def _replicas(text: str, service: Service) -> str:
    document = (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {service.name}\n"
        "spec:\n  replicas: 3\n"
    )
    return _before_the_edge_document(text, document)


def _resources(text: str, service: Service) -> str:
    document = (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {service.name}\n"
        "spec:\n  template:\n    spec:\n      containers:\n"
        f"        - name: {service.name}\n"
        "          resources:\n"
        "            requests: {cpu: 250m, memory: 256Mi}\n"
        "            limits: {memory: 768Mi}\n"
    )
    return _before_the_edge_document(text, document)


def _prometheus(text: str, service: Service) -> str:
    return _after_last(text, r"^          - [a-z0-9]+:9464$", f"          - {service.name}:9464")
