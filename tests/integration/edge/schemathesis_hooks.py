"""Schemathesis hooks for the edge's run (loaded through SCHEMATHESIS_HOOKS)."""

from __future__ import annotations

from typing import Any

import schemathesis

#: 501 is the honest answer of a service that is not implemented yet (a stand-in serves none).
NOT_IMPLEMENTED = 501


@schemathesis.check
def no_server_error(ctx: Any, response: Any, case: Any) -> None:
    """Like `not_a_server_error`, except that an unimplemented upstream may answer 501."""
    if response.status_code >= 500 and response.status_code != NOT_IMPLEMENTED:
        raise AssertionError(f"{response.status_code}: {response.text[:500]}")
