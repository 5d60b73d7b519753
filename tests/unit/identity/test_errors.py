"""Every error identity raises uses a reason its contract declares."""

from __future__ import annotations

import inspect

import pytest

from mesh.errors import DomainError
from meshwork.identity.v1 import errors_pb2
from services.identity import errors

FACTORIES = [
    f
    for name, f in inspect.getmembers(errors, inspect.isfunction)
    if f.__module__ == errors.__name__
]
ARGUMENTS = {
    "retry_after_s": 1.0,
    "purpose": "password_reset",
    "session_id": "s",
    "user_id": "u",
    "audience": "a",
    "known": ["users"],
    "service": "users",
    "detail": "d",
}


@pytest.mark.parametrize("factory", FACTORIES, ids=lambda f: f.__name__)
def test_the_reason_is_declared_in_the_contract_with_identitys_domain(factory) -> None:
    parameters = inspect.signature(factory).parameters
    error = factory(**{name: ARGUMENTS[name] for name in parameters if name in ARGUMENTS})
    assert isinstance(error, DomainError)
    assert errors_pb2.ErrorReason.Value(error.reason) > 0  # KeyError when undeclared
    assert error.domain == "identity.meshwork"
