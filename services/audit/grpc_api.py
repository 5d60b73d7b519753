"""The AuditService servicer: request → command → handler → response, nothing more."""

from __future__ import annotations

from typing import TypeAlias

import grpc

from mesh.actor import current_actor
from meshwork.audit.v1 import audit_service_pb2 as pb
from meshwork.audit.v1 import audit_service_pb2_grpc
from services.audit import commands, handlers
from services.audit.handlers import Deps
from services.audit.messages import (
    entry_message,
    list_entries_command,
    list_logs_command,
    log_message,
    record_command,
    verification_message,
    write_logs_command,
)

Context: TypeAlias = grpc.aio.ServicerContext


class AuditServicer(audit_service_pb2_grpc.AuditServiceServicer):
    """Serves meshwork.audit.v1.AuditService; each call runs in a new unit of work."""

    def __init__(self, deps: Deps) -> None:
        self._deps = deps

    async def ListAuditEntries(
        self, request: pb.ListAuditEntriesRequest, context: Context
    ) -> pb.ListAuditEntriesResponse:
        page = await handlers.list_audit_entries(list_entries_command(request), self._deps)
        return pb.ListAuditEntriesResponse(
            audit_entries=[entry_message(entry) for entry in page.entries],
            next_page_token=page.next_page_token,
        )

    async def GetAuditEntry(
        self, request: pb.GetAuditEntryRequest, context: Context
    ) -> pb.GetAuditEntryResponse:
        command = commands.GetAuditEntry(request.audit_entry_id)
        entry = await handlers.get_audit_entry(command, self._deps)
        return pb.GetAuditEntryResponse(audit_entry=entry_message(entry))

    async def RecordAuditEntry(
        self, request: pb.RecordAuditEntryRequest, context: Context
    ) -> pb.RecordAuditEntryResponse:
        command = record_command(request, current_actor().service)
        entry = await handlers.record_audit_entry(command, self._deps)
        return pb.RecordAuditEntryResponse(audit_entry=entry_message(entry))

    async def VerifyAuditChain(
        self, request: pb.VerifyAuditChainRequest, context: Context
    ) -> pb.VerifyAuditChainResponse:
        command = commands.VerifyAuditChain(request.chain)
        reports = await handlers.verify_audit_chain(command, self._deps)
        return verification_message(reports)

    async def WriteLogs(
        self, request: pb.WriteLogsRequest, context: Context
    ) -> pb.WriteLogsResponse:
        written = await handlers.write_logs(
            write_logs_command(request, current_actor().service), self._deps
        )
        return pb.WriteLogsResponse(written_count=written)

    async def ListLogEntries(
        self, request: pb.ListLogEntriesRequest, context: Context
    ) -> pb.ListLogEntriesResponse:
        page = await handlers.list_log_entries(list_logs_command(request), self._deps)
        return pb.ListLogEntriesResponse(
            entries=[log_message(record) for record in page.records],
            next_page_token=page.next_page_token,
        )

    async def PurgeExpiredLogEntries(
        self, request: pb.PurgeExpiredLogEntriesRequest, context: Context
    ) -> pb.PurgeExpiredLogEntriesResponse:
        purged = await handlers.purge_expired_log_entries(self._deps)
        return pb.PurgeExpiredLogEntriesResponse(purged_entry_count=purged)
