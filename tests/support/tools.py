"""Command-line tools the deployment tests run (docker-compose, promtool, kubectl, ...)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT


def tool(name: str) -> str:
    """The path of `name`, from the project's virtualenv or the PATH. Missing, it fails under CI
    (where `make deploy-tools` installs it) and skips elsewhere, saying how to install it."""
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed: `make deploy-tools` installs it"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; under CI it is required")
    pytest.skip(message)


def run(*command: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Runs `command` in the repository's root, capturing its output as text."""
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
