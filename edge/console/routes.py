"""The console's routes under /admin, and its static files (htmx, the style sheet)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from edge.console.pages import audit, auth, jobs, mailbox, payments, users
from edge.console.session import CONSOLE_PATH

STATIC = Path(__file__).parent / "static"
READ = ["GET", "HEAD"]
POST = ["POST"]


def console_routes() -> list[BaseRoute]:
    """Every route of the console, to add to the edge before the API's own."""
    user = "/users/{user_id}"
    pages = [
        ("", auth.index, READ),
        ("/login", auth.login_form, READ),
        ("/login", auth.login, POST),
        ("/logout", auth.logout, POST),
        ("/users", users.search, READ),
        (user, users.profile, READ),
        (f"{user}/kyc/verify", users.verify_kyc, POST),
        (f"{user}/kyc/reject", users.reject_kyc, POST),
        (f"{user}/suspend", users.suspend, POST),
        (f"{user}/unsuspend", users.unsuspend, POST),
        (f"{user}/roles", users.grant_role, POST),
        (f"{user}/roles/{{grant_id}}/delete", users.revoke_role, POST),
        (f"{user}/sessions/{{session_id}}/revoke", users.revoke_session, POST),
        ("/payments", payments.listing, READ),
        ("/payments/{payment_id}/refund", payments.refund, POST),
        ("/audit", audit.trail, READ),
        ("/audit/verify", audit.verify_chain, READ),
        ("/logs", audit.logs, READ),
        ("/jobs", jobs.listing, READ),
        ("/jobs/{job_id}/retry", jobs.retry, POST),
        ("/mailbox", mailbox.listing, READ),
    ]
    routes: list[BaseRoute] = [
        Route(CONSOLE_PATH + path, endpoint, methods=methods) for path, endpoint, methods in pages
    ]
    routes.append(Mount(f"{CONSOLE_PATH}/static", StaticFiles(directory=STATIC), name="console"))
    return routes
