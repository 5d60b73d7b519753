"""The local mailbox: what the email and SMS transports delivered on this platform."""

from __future__ import annotations

from starlette.responses import Response

from edge.console.formatting import choices
from edge.console.views import Console, page, query_of, render, section
from meshwork.notifications.v1 import resources_pb2 as notifications

PAGE_SIZE = 25


@page(needs="list_mailbox")
async def listing(console: Console) -> Response:
    filters = query_of(console.request, "recipient", "channel", "page_token")
    found = await section(
        console.api.get(
            "/v1/mailbox/messages",
            {
                "recipient": filters["recipient"],
                "channel": filters["channel"],
                "pageToken": filters["page_token"],
                "pageSize": PAGE_SIZE,
            },
        )
    )
    context = {
        "filters": filters,
        "found": found,
        "channels": choices(notifications.Channel.DESCRIPTOR),
    }
    return render(console.request, "mailbox.html", context, operator=console.operator)
