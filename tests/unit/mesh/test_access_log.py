"""The mesh's access log: one JSON line per served call, at ERROR when the server failed."""

from __future__ import annotations

import io

import pytest

from mesh.interceptors.base import Call
from mesh.interceptors.request_context import log_access
from tests.support.logs import json_lines, service_logging


class _Context:
    def peer(self) -> str:
        return "ipv4:127.0.0.1:50123"


@pytest.mark.parametrize(
    ("code", "level"),
    [("OK", "info"), ("NOT_FOUND", "info"), ("INTERNAL", "error"), ("UNKNOWN", "error"),
     ("DATA_LOSS", "error")],
)  # fmt: skip
def test_a_call_gets_one_line_with_its_method_status_duration_and_peer(
    code: str, level: str
) -> None:
    stream = io.StringIO()
    context = _Context()
    call = Call("/meshwork.users.v1.UsersService/GetUser", None, context, ())  # type: ignore[arg-type]
    with service_logging(stream, "users"):
        log_access(call, context, code, 0.012345)  # type: ignore[arg-type]
    [entry] = json_lines(stream.getvalue(), "meshwork.access")
    assert {key: entry[key] for key in ("level", "service", "message", "rpc", "code")} == {
        "level": level,
        "service": "users",
        "message": f"/meshwork.users.v1.UsersService/GetUser {code}",
        "rpc": "/meshwork.users.v1.UsersService/GetUser",
        "code": code,
    }
    assert (entry["duration_ms"], entry["peer"]) == (12.35, "ipv4:127.0.0.1:50123")
