"""Helpers shared by the test suite."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python process that imports the project and the test protos."""
    paths = [str(ROOT), str(ROOT / "gen"), str(ROOT / "tests" / "gen")]
    inherited = os.environ.get("PYTHONPATH")
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([*paths, inherited] if inherited else paths),
        **extra,
    }
