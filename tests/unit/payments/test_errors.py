"""Every error payments raises uses a reason its contract declares, with payments' domain."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from mesh.errors import DomainError
from meshwork.payments.v1 import errors_pb2
from services.payments import errors

FACTORIES = [
    f
    for name, f in inspect.getmembers(errors, inspect.isfunction)
    if f.__module__ == errors.__name__
]
SOURCES = sorted(Path(errors.__file__).parent.glob("*.py"))


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_each_error_factory_uses_a_declared_reason(factory) -> None:
    parameters = inspect.signature(factory).parameters
    error = factory(*(["x"] * len(parameters)))
    assert isinstance(error, DomainError)
    assert errors_pb2.ErrorReason.Value(error.reason) > 0  # ValueError when undeclared
    assert error.domain == "payments.meshwork"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_every_reason_written_in_the_service_is_declared(source: Path) -> None:
    for reason in re.findall(r'reason="([A-Z_]+)"', source.read_text()):
        assert errors_pb2.ErrorReason.Value(reason) > 0, f"{source.name}: {reason}"
