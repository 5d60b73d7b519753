"""The image: its entry point runs every runnable service, the edge and the health check."""

from __future__ import annotations

import re

from mesh.devstack import available_services
from tests.support import ROOT
from tests.support.tools import run

ENTRYPOINT = ROOT / "deploy" / "docker" / "entrypoint.sh"


def _roles_running(module_pattern: str) -> set[str]:
    """The roles of the entry point's `case` arms that exec `python -m <module_pattern>`."""
    arms = re.findall(r"^\s*([\w|]+)\)\s*\n\s*exec python -m (\S+)", ENTRYPOINT.read_text(), re.M)
    return {role for roles, module in arms if module == module_pattern for role in roles.split("|")}


def test_the_entry_point_runs_every_runnable_service() -> None:
    assert _roles_running('"services.$role"') == set(available_services(ROOT / "services"))


def test_the_entry_point_runs_the_edge_and_the_health_check() -> None:
    assert _roles_running("edge") == {"edge"}
    assert _roles_running("mesh.healthcheck") == {"healthcheck"}


def test_an_unknown_role_is_refused_naming_the_roles() -> None:
    result = run("sh", str(ENTRYPOINT), "billing")

    assert result.returncode == 64
    assert "unknown role: 'billing'" in result.stderr
    assert "identity|users" in result.stderr


def test_the_image_runs_the_entry_point_as_an_unprivileged_user_with_a_health_check() -> None:
    final_stage = (ROOT / "Dockerfile").read_text().rsplit("\nFROM ", 1)[1]

    assert 'ENTRYPOINT ["meshwork"]' in final_stage
    assert "COPY --chmod=0755 deploy/docker/entrypoint.sh /usr/local/bin/meshwork" in final_stage
    assert re.search(r"^USER 10001:10001$", final_stage, re.M)
    assert 'CMD ["python", "-m", "mesh.healthcheck"]' in final_stage
    assert "build-essential" not in final_stage  # compilers stay in the build stage
