"""What a test does when a machine service it needs (PostgreSQL, Redis) does not answer."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def unavailable(service: str, address: str, variable: str) -> NoReturn:
    """Fails under CI, where every service must be there; elsewhere skips, saying how to
    point the suite at one (a developer machine may run without it)."""
    if os.environ.get("CI"):
        pytest.fail(f"{service} is required under CI and is not reachable at {address}")
    pytest.skip(f"{service} is not reachable at {address}: start it, or set {variable}")
