"""The image: its entry point runs every runnable service, the edge and the health check."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from mesh.catalog import catalog
from mesh.devstack import free_port
from tests.support import ROOT, subprocess_env
from tests.support.tools import run

ENTRYPOINT = ROOT / "deploy" / "docker" / "entrypoint.sh"


def _services_listed() -> set[str]:
    """The services the entry point runs: its `SERVICES="..."` line."""
    match = re.search(r'^SERVICES="([^"]*)"$', ENTRYPOINT.read_text(), re.M)
    assert match, "no SERVICES line in the entry point"
    return set(match.group(1).split())


def test_the_entry_point_runs_every_runnable_service() -> None:
    assert _services_listed() == set([entry.name for entry in catalog().runnable])
    assert 'exec python -m "services.$role" "$@"' in ENTRYPOINT.read_text()


def test_the_entry_point_runs_the_edge_and_the_health_check() -> None:
    script = ENTRYPOINT.read_text()
    assert 'edge) exec python -m edge "$@"' in script
    assert 'healthcheck) exec python -m mesh.healthcheck "$@"' in script


def test_the_health_check_role_runs_the_health_check() -> None:
    python_first = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    target = f"127.0.0.1:{free_port()}"  # nothing listens

    result = run(
        "sh", str(ENTRYPOINT), "healthcheck", target, "--timeout", "1",
        env=subprocess_env(PATH=python_first),
    )  # fmt: skip

    assert result.returncode == 1
    assert result.stdout.startswith(f"{target}: UNAVAILABLE")


def test_an_unknown_role_is_refused_naming_the_roles() -> None:
    result = run("sh", str(ENTRYPOINT), "billing")

    assert result.returncode == 64
    assert "unknown role: 'billing'" in result.stderr
    roles = " ".join([*(entry.name for entry in catalog().runnable), "edge", "healthcheck"])
    assert roles in result.stderr


def test_without_a_role_the_image_prints_its_usage() -> None:
    result = run("sh", str(ENTRYPOINT))

    assert result.returncode == 0
    assert result.stdout.startswith("usage: meshwork <role> [args]")


def test_the_image_runs_the_entry_point_as_an_unprivileged_user_with_a_health_check() -> None:
    final_stage = (ROOT / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]

    assert 'ENTRYPOINT ["meshwork"]' in final_stage
    assert "COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/meshwork" in final_stage
    assert re.search(r"^USER 10001:10001$", final_stage, re.M)
    assert 'CMD ["python", "-m", "mesh.healthcheck"]' in final_stage
    assert "build-essential" not in final_stage  # compilers stay in the build stage
