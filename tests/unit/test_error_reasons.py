"""Every error reason a service raises is declared in its contract's `ErrorReason` enum.

The services come from the catalogue, so a new one is covered with no change here; its reasons
are read from its source and from the mesh helpers it uses (see `tests.support.error_reasons`).
Reasons the mesh raises in its own domain (`mesh.meshwork`) belong to no service's contract.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from mesh.catalog import ServiceEntry, catalog
from tests.support.error_reasons import reasons_of


def declared(entry: ServiceEntry) -> set[str]:
    return set(importlib.import_module(f"{entry.proto_package}.errors_pb2").ErrorReason.keys())


@pytest.mark.parametrize("entry", catalog().runnable, ids=lambda entry: entry.name)
def test_every_reason_a_service_raises_is_declared_in_its_contract(entry: ServiceEntry) -> None:
    undeclared = sorted(reasons_of(str(entry.package)) - declared(entry))
    assert not undeclared, (
        f"{entry.name} raises {undeclared}, which its ErrorReason enum lacks: add them "
        f"at the end of proto/meshwork/{entry.name}/v1/errors.proto and regenerate"
    )


PROBE = """
from mesh.errors import MESH_DOMAIN, NotFound, PermissionDenied
from mesh.validation import Violations

GONE = "WIDGET_GONE"


def gone():
    return NotFound("gone", reason=GONE, domain="widgets.meshwork")


def missing():
    return NotFound("missing", reason="WIDGET_NOT_FOUND", domain="widgets.meshwork")


def too_big(size):
    reason = "WIDGET_TOO_BIG" if size > 3 else None
    Violations(domain="widgets.meshwork").add("size", "is too big", reason=reason)


def passed_on(reason):
    return NotFound("passed on", reason=reason, domain="widgets.meshwork")


def not_ours():
    return PermissionDenied("mesh's", reason="MESHS_OWN_REASON", domain=MESH_DOMAIN)
"""


def test_the_scan_finds_literals_constants_locals_and_the_mesh_helpers_reasons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "reasons_probe").mkdir()
    (tmp_path / "reasons_probe" / "__init__.py").write_text(PROBE)
    monkeypatch.syspath_prepend(str(tmp_path))
    found = reasons_of("reasons_probe")
    assert {"WIDGET_GONE", "WIDGET_NOT_FOUND", "WIDGET_TOO_BIG", "VALIDATION_FAILED"} <= found
    assert "MESHS_OWN_REASON" not in found
