"""The audit trail (filtered) with chain verification, and the logs of one request."""

from __future__ import annotations

from typing import Any

from google.api import annotations_pb2
from google.protobuf import descriptor_pool
from starlette.responses import Response

from edge.console.api import ApiError
from edge.console.formatting import choices
from edge.console.permissions import METHODS
from edge.console.views import Console, page, query_of, render, section
from meshwork.audit.v1 import resources_pb2 as audit

PAGE_SIZE = 50
#: The trail's filters: query parameter of the console page → the API's.
TRAIL_FILTERS = {
    "kind": "kind",
    "service": "service",
    "type": "type",
    "actor_user_id": "actorUserId",
    "subject_id": "subjectId",
    "trace_id": "traceId",
    "start_time": "startTime",
    "end_time": "endTime",
}
LOG_FILTERS = {
    "trace_id": "traceId",
    "request_id": "requestId",
    "service": "service",
    "min_severity": "minSeverity",
    "query": "query",
}


@page(needs="list_audit_entries")
async def trail(console: Console) -> Response:
    filters = query_of(console.request, *TRAIL_FILTERS, "page_token")
    params: dict[str, Any] = {api: filters[name] for name, api in TRAIL_FILTERS.items()}
    found = await section(
        console.api.get(
            "/v1/auditEntries",
            {**params, "pageToken": filters["page_token"], "pageSize": PAGE_SIZE},
        )
    )
    context = {
        "filters": filters,
        "found": found,
        "kinds": choices(audit.AuditEntryKind.DESCRIPTOR),
    }
    return render(console.request, "audit.html", context, operator=console.operator)


@page(needs="verify_audit_chain")
async def verify_chain(console: Console) -> Response:
    """Asks the audit service to check the trail's hash chain; answers a fragment (htmx)."""
    result = await section(_call_verify(console))
    context = {"result": result}
    return render(console.request, "chain_result.html", context, operator=console.operator)


async def _call_verify(console: Console) -> dict[str, Any]:
    verb, path = rest_route(METHODS["verify_audit_chain"])
    if verb == "get":
        return await console.api.get(path)
    return await console.api.post(path)


def rest_route(full_name: str) -> tuple[str, str]:
    """A method's (verb, path) as its google.api.http annotation declares it."""
    method = descriptor_pool.Default().FindMethodByName(full_name)
    rule = method.GetOptions().Extensions[annotations_pb2.http]
    verb = rule.WhichOneof("pattern")
    if verb is None or verb == "custom" or "{" in getattr(rule, verb):
        raise ApiError(501, f"{full_name} has no REST route the console can call", "NO_ROUTE")
    return verb, getattr(rule, verb)


@page(needs="list_log_entries")
async def logs(console: Console) -> Response:
    filters = query_of(console.request, *LOG_FILTERS, "page_token")
    asked = any(filters[name] for name in LOG_FILTERS)
    found = (
        await section(
            console.api.get(
                "/v1/logEntries",
                {
                    **{api: filters[name] for name, api in LOG_FILTERS.items()},
                    "pageToken": filters["page_token"],
                    "pageSize": PAGE_SIZE,
                },
            )
        )
        if asked
        else None
    )
    context = {
        "filters": filters,
        "found": found,
        "severities": choices(audit.LogSeverity.DESCRIPTOR),
    }
    return render(console.request, "logs.html", context, operator=console.operator)
