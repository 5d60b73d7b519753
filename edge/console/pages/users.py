"""Users: search, a profile with KYC review, roles, suspension and sessions."""

from __future__ import annotations

import asyncio
from urllib.parse import quote

from starlette.responses import Response

from edge.console.formatting import choices
from edge.console.views import Console, action, page, query_of, render, section, section_if
from meshwork.users.v1 import resources_pb2 as users

PAGE_SIZE = 25
PROFILE = "/users/{user_id}"


def _user_path(user_id: str, suffix: str = "") -> str:
    return f"/v1/users/{quote(user_id, safe='')}{suffix}"


@page(needs="list_users")
async def search(console: Console) -> Response:
    filters = query_of(console.request, "query", "kyc_status", "page_token")
    found = await section(
        console.api.get(
            "/v1/users",
            {
                "query": filters["query"],
                "kycStatus": filters["kyc_status"],
                "pageToken": filters["page_token"],
                "pageSize": PAGE_SIZE,
            },
        )
    )
    context = {
        "filters": filters,
        "found": found,
        "kyc_statuses": choices(users.KycStatus.DESCRIPTOR),
    }
    return render(console.request, "users.html", context, operator=console.operator)


@page(needs="list_users")
async def profile(console: Console) -> Response:
    user_id = console.request.path_params["user_id"]
    api, may = console.api, console.may
    user, kyc, sessions, grants, suspensions, roles = await asyncio.gather(
        section(api.get(_user_path(user_id))),
        section(api.get(_user_path(user_id, "/kyc"))),
        section_if(
            may("list_sessions"),
            lambda: api.get(_user_path(user_id, "/sessions"), {"pageSize": 20}),
        ),
        section_if(
            may("list_role_grants"),
            lambda: api.get("/v1/roleGrants", {"userId": user_id, "pageSize": 50}),
        ),
        section_if(
            may("list_suspensions"),
            lambda: api.get("/v1/suspensions", {"userId": user_id, "pageSize": 20}),
        ),
        section_if(may("create_role_grant"), lambda: api.get("/v1/roles", {"pageSize": 100})),
    )
    suspended = any(
        s.get("state") == "SUSPENSION_STATE_ACTIVE" for s in suspensions.data.get("suspensions", [])
    )
    context = {
        "user_id": user_id,
        "user": user,
        "kyc": kyc,
        "sessions": sessions,
        "grants": grants,
        "suspensions": suspensions,
        "suspended": suspended,
        "roles": roles,
        "rejection_reasons": choices(users.KycRejectionReason.DESCRIPTOR),
    }
    return render(console.request, "user.html", context, operator=console.operator)


@action("verify_kyc", back=PROFILE)
async def verify_kyc(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    await console.api.post(_user_path(user_id, "/kyc:verify"))
    return "KYC verified."


@action("reject_kyc", back=PROFILE)
async def reject_kyc(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    body = {"reason": form.get("reason", ""), "note": form.get("note", "")}
    await console.api.post(_user_path(user_id, "/kyc:reject"), body)
    return "KYC rejected."


@action("suspend_user", back=PROFILE)
async def suspend(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    await console.api.post(_user_path(user_id, ":suspend"), {"reason": form.get("reason", "")})
    return "User suspended: their sessions are ended and their tokens refused."


@action("unsuspend_user", back=PROFILE)
async def unsuspend(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    await console.api.post(_user_path(user_id, ":unsuspend"), {"reason": form.get("reason", "")})
    return "Suspension lifted: the user may sign in again."


@action("create_role_grant", back=PROFILE)
async def grant_role(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    grant = {"userId": user_id, "roleId": form.get("role_id", ""), "reason": form.get("reason", "")}
    await console.api.post("/v1/roleGrants", grant)
    return f"Role {grant['roleId']} granted; it applies from the user's next sign-in or refresh."


@action("delete_role_grant", back=PROFILE)
async def revoke_role(console: Console, form: dict[str, str]) -> str:
    grant_id = console.request.path_params["grant_id"]
    path = f"/v1/roleGrants/{quote(grant_id, safe='')}"
    await console.api.delete(path, {"reason": form.get("reason", "")})
    return "Role withdrawn."


@action("revoke_session", back=PROFILE)
async def revoke_session(console: Console, form: dict[str, str]) -> str:
    user_id = console.request.path_params["user_id"]
    session_id = quote(console.request.path_params["session_id"], safe="")
    await console.api.post(_user_path(user_id, f"/sessions/{session_id}:revoke"))
    return "Session ended."
