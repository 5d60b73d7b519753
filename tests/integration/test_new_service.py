"""`make new-service NAME=ledger` in a scratch copy of the repository writes a service whose own
tests, the deployment tests and the whole of `make lint` pass there, and which the edge routes
from the catalogue."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.tools import tool

ROOT = Path(__file__).resolve().parents[2]
# The shared virtualenv and buf: make must never reinstall them from the scratch copy.
KEEP = ["-o", ".venv/.installed", "-o", ".tools/node_modules/.bin/buf"]
OPENAPI_PATHS = """
import json
from edge.app import create_app
from edge.config import EdgeSettings
paths = create_app(EdgeSettings()).openapi()["paths"]
print(json.dumps({path: sorted(item) for path, item in paths.items()}))
"""

#: Each test runs a test suite or `make lint` over the whole copy: minutes on a busy machine.
pytestmark = pytest.mark.timeout(900)

sys.path.insert(0, str(ROOT / "scripts"))
import new_service  # noqa: E402  (a script, not a package)


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split("\0")
    generated = [str(path.relative_to(ROOT)) for path in (ROOT / "gen").rglob("*")]
    return sorted({name for name in [*listed, *generated] if (ROOT / name).is_file()})


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the repository (tracked files and gen/) sharing .venv and .tools."""
    root = tmp_path_factory.mktemp("repository")
    for name in tracked_files():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, root / name)
    for shared in (".venv", ".tools"):
        (root / shared).symlink_to((ROOT / shared).resolve())
    return root


def run(root: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Runs `command` in `root`, importing that copy's code first (the shared virtualenv's
    editable install points at another tree)."""
    environment = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    environment["PYTHONPATH"] = f"{root}:{root / 'gen'}"
    return subprocess.run(command, cwd=root, env=environment, capture_output=True, text=True)


def passed(result: subprocess.CompletedProcess[str]) -> bool:
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-6000:], sep="\n")
    return result.returncode == 0


@pytest.fixture(scope="module")
def ledger(scratch: Path) -> Path:
    assert passed(run(scratch, "make", *KEEP, "new-service", "NAME=ledger"))
    return scratch


def test_the_new_service_passes_its_own_tests(ledger: Path) -> None:
    python = str(ledger / ".venv" / "bin" / "python")
    tests = ["tests/unit/ledger", "tests/integration/ledger", "tests/unit/test_error_reasons.py"]
    assert passed(run(ledger, python, "-m", "pytest", *tests, "-q", "-p", "no:randomly"))


def test_the_deployment_files_run_it_with_no_other_edit(ledger: Path) -> None:
    for name in ("docker-compose", "kubectl", "kubernetes-validate", "promtool"):
        tool(name)  # the deployment tests' validators: skipped outside CI when missing
    python = str(ledger / ".venv" / "bin" / "python")

    result = run(ledger, python, "-m", "pytest", "tests/deploy", "-q", "-p", "no:randomly")

    assert passed(result)
    assert " skipped" not in result.stdout
    compose = (ledger / "docker-compose.yml").read_text()
    assert "LEDGER_DATABASE_URL" in compose and "LEDGER_CLIENT_SECRET" in compose
    assert (ledger / "deploy" / "k8s" / "base" / "ledger.yaml").is_file()
    assert (ledger / "deploy" / "grafana" / "dashboards" / "ledger.json").is_file()


def test_the_repository_with_the_new_service_passes_make_lint(ledger: Path) -> None:
    assert passed(run(ledger, "make", *KEEP, "lint"))


def test_the_catalogue_runs_it_and_the_edge_routes_it(ledger: Path) -> None:
    python = str(ledger / ".venv" / "bin" / "python")
    listed = run(ledger, python, "-c", OPENAPI_PATHS)
    assert passed(listed)
    paths = json.loads(listed.stdout)
    catalogue = (ledger / "services" / "catalog.toml").read_text()
    port = new_service.free_port(ROOT)  # the scratch copy's catalogue before the scaffold ran

    assert paths["/v1/ledgers"] == ["get", "post"]
    assert set(paths["/v1/ledgers/{ledger_id}"]) >= {"get", "patch", "delete"}
    assert f'[services.ledger]\nport = {port}\npackage = "services.ledger"' in catalogue
    assert f"| ledger | {port} |" in (ledger / "README.md").read_text()


def test_make_new_service_without_a_name_says_how_to_call_it(scratch: Path) -> None:
    result = run(scratch, "make", *KEEP, "new-service")

    assert result.returncode != 0
    assert "make new-service NAME=ledger" in result.stderr


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Ledger", "lowercase letters and digits"),
        ("led_ger", "lowercase letters and digits"),
        ("class", "Python keyword"),
        ("json", "would shadow the module 'json'"),
        ("mesh", "would shadow the module 'mesh'"),
        ("users", "already a service"),
        ("a" * 17, "longer than 16 characters"),
    ],
)
def test_a_name_that_cannot_be_a_service_is_refused_saying_why(name: str, why: str) -> None:
    with pytest.raises(new_service.ScaffoldError, match=why):
        new_service.check_name(name, ROOT)


def test_plurals_follow_english_spelling() -> None:
    words = ["ledger", "policy", "box", "day"]
    assert [new_service.plural_of(word) for word in words] == [
        "ledgers",
        "policies",
        "boxes",
        "days",
    ]
