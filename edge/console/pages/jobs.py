"""Jobs: dead (or other) jobs, and retrying one."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import Response

from edge.console.formatting import choices, label
from edge.console.views import Console, action, page, query_of, render, section
from meshwork.jobs.v1 import resources_pb2 as jobs

PAGE_SIZE = 25
DEAD = "JOB_STATE_DEAD"


@page(needs="list_jobs")
async def listing(console: Console) -> Response:
    filters = query_of(console.request, "state", "type", "page_token")
    if "state" not in console.request.query_params:
        filters["state"] = DEAD  # what an operator comes here for
    found = await section(
        console.api.get(
            "/v1/jobs",
            {
                "state": filters["state"],
                "type": filters["type"],
                "pageToken": filters["page_token"],
                "pageSize": PAGE_SIZE,
            },
        )
    )
    context = {"filters": filters, "found": found, "states": choices(jobs.JobState.DESCRIPTOR)}
    return render(console.request, "jobs.html", context, operator=console.operator)


@action("retry_job", back="/jobs")
async def retry(console: Console, form: dict[str, str]) -> str:
    job_id = console.request.path_params["job_id"]
    reply = await console.api.post(f"/v1/jobs/{quote(job_id, safe='')}:retry")
    job = reply.get("job", {})
    return f"Job {job_id} runs again ({label(job.get('state'))})."
