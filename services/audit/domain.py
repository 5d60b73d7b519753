"""The audit trail's rules: entries hash-chained per reporting service, and log records (pure)."""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from services.audit.errors import chain_not_found

#: The previous hash of a chain's first entry.
GENESIS_HASH = "0" * 64


class EntryKind(enum.StrEnum):
    """What sort of fact an entry records (the contract's AuditEntryKind)."""

    DOMAIN_EVENT = "DOMAIN_EVENT"
    ADMIN_ACTION = "ADMIN_ACTION"
    SECURITY = "SECURITY"


class Severity(enum.IntEnum):
    """How severe a log record is; ordered, as filters compare them (the contract's numbers)."""

    DEBUG = 1
    INFO = 2
    WARNING = 3
    ERROR = 4
    CRITICAL = 5


@dataclass(frozen=True, slots=True)
class Facts:
    """What an entry says happened, as reported; its hash covers every field."""

    kind: EntryKind
    service: str
    type: str
    occur_time: datetime
    summary: str = ""
    actor_user_id: str = ""
    actor_service: str = ""
    subject_type: str = ""
    subject_id: str = ""
    trace_id: str = ""
    request_id: str = ""
    event_id: str = ""
    #: The details as canonical JSON text (sorted keys), "{}" when there are none.
    payload: str = "{}"

    def fingerprint(self) -> str:
        """SHA-256 of the facts alone: a retried RecordAuditEntry must report the same ones."""
        return _sha256(_canonical(self._content()))

    def _content(self) -> dict[str, object]:
        return {
            "kind": self.kind.value,
            "service": self.service,
            "type": self.type,
            "occur_time": _instant(self.occur_time),
            "summary": self.summary,
            "actor_user_id": self.actor_user_id,
            "actor_service": self.actor_service,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "trace_id": self.trace_id,
            "request_id": self.request_id,
            "event_id": self.event_id,
            "payload": self.payload,
        }


@dataclass(frozen=True, slots=True)
class ChainHead:
    """The last entry of a chain: its sequence number and hash (0 and GENESIS_HASH: empty)."""

    chain: str
    sequence: int = 0
    hash: str = GENESIS_HASH


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One recorded fact, linked to the entry before it in its chain (the reporting service's)."""

    id: str
    facts: Facts
    create_time: datetime
    chain: str
    sequence: int
    previous_hash: str
    hash: str
    #: RecordAuditEntry's key (entries from events have none).
    idempotency_key: str | None = None

    @classmethod
    def append(
        cls,
        entry_id: str,
        facts: Facts,
        head: ChainHead,
        *,
        now: datetime,
        idempotency_key: str | None = None,
    ) -> AuditEntry:
        """The entry that follows `head` in its chain."""
        unsealed = cls(
            id=entry_id,
            facts=facts,
            create_time=now,
            chain=head.chain,
            sequence=head.sequence + 1,
            previous_hash=head.hash,
            hash="",
            idempotency_key=idempotency_key,
        )
        return replace(unsealed, hash=unsealed.computed_hash())

    def computed_hash(self) -> str:
        """SHA-256 of the entry's id, facts, record time, chain and previous hash. The
        sequence number is left out on purpose: an entry's place is proven by the link to the
        one before it, so a moved entry shows as REORDERED, not as CHANGED."""
        content = {
            **self.facts._content(),
            "id": self.id,
            "create_time": _instant(self.create_time),
            "chain": self.chain,
            "previous_hash": self.previous_hash,
        }
        return _sha256(_canonical(content))

    @property
    def head(self) -> ChainHead:
        """The chain's head once this entry is its last."""
        return ChainHead(self.chain, self.sequence, self.hash)


class BreakKind(enum.StrEnum):
    """How a chain was broken (the contract's AuditChainBreakKind)."""

    CHANGED = "CHANGED"
    REMOVED = "REMOVED"
    REORDERED = "REORDERED"


@dataclass(frozen=True, slots=True)
class ChainBreak:
    kind: BreakKind
    entry_id: str
    sequence: int
    description: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    chain: str
    checked: int
    head_sequence: int
    breaks: tuple[ChainBreak, ...]

    @property
    def intact(self) -> bool:
        return not self.breaks


@dataclass
class ChainVerifier:
    """Walks one chain's entries in sequence order (`check` each, then `report`), recomputing
    every hash and link. After a break it carries on from the entry found, so every break is
    named, not just the first."""

    chain: str
    _expected_sequence: int = 1
    _expected_hash: str = GENESIS_HASH
    _checked: int = 0
    _breaks: list[ChainBreak] = field(default_factory=list)

    def check(self, entry: AuditEntry) -> None:
        self._checked += 1
        if entry.computed_hash() != entry.hash:
            self._break(
                BreakKind.CHANGED, entry, entry.sequence,
                f"entry {entry.id} (#{entry.sequence}) no longer matches its hash: "
                "its content was changed",
            )  # fmt: skip
        elif entry.sequence > self._expected_sequence:
            self._break(
                BreakKind.REMOVED, entry, self._expected_sequence,
                f"{_entries(self._expected_sequence, entry.sequence - 1)} missing before "
                f"entry {entry.id} (#{entry.sequence})",
            )  # fmt: skip
        elif entry.previous_hash != self._expected_hash:
            self._break(
                BreakKind.REORDERED, entry, entry.sequence,
                f"entry {entry.id} (#{entry.sequence}) does not follow the entry before it "
                f"(#{entry.sequence - 1}): entries were moved, or the one before was "
                "rewritten with a new hash",
            )  # fmt: skip
        self._expected_sequence = entry.sequence + 1
        self._expected_hash = entry.hash

    def report(self, head: ChainHead) -> ChainReport:
        """The findings, with what is missing after the last entry checked (per the head)."""
        if head.sequence >= self._expected_sequence:
            description = (
                f"{_entries(self._expected_sequence, head.sequence)} missing at the end of "
                f"the chain (its head is #{head.sequence})"
            )
            self._breaks.append(
                ChainBreak(BreakKind.REMOVED, "", self._expected_sequence, description)
            )
        return ChainReport(self.chain, self._checked, head.sequence, tuple(self._breaks))

    def _break(self, kind: BreakKind, entry: AuditEntry, sequence: int, description: str) -> None:
        self._breaks.append(ChainBreak(kind, entry.id, sequence, description))


def chains_to_verify(requested: str, heads: Iterable[ChainHead]) -> list[ChainHead]:
    """The heads of the chains a VerifyAuditChain asks for ("" for every one), by name."""
    known = sorted(heads, key=lambda head: head.chain)
    if not requested:
        return known
    chosen = [head for head in known if head.chain == requested]
    if not chosen:
        raise chain_not_found(requested, [head.chain for head in known])
    return chosen


@dataclass(frozen=True, slots=True)
class LogRecord:
    """One shipped log record, as stored."""

    insert_id: str
    service: str
    severity: Severity
    message: str
    time: datetime
    receive_time: datetime
    instance: str = ""
    logger: str = ""
    trace_id: str = ""
    span_id: str = ""
    request_id: str = ""
    #: The record's other fields as canonical JSON text.
    attributes: str = "{}"


def canonical_json(value: object) -> str:
    """The one JSON text of a value: sorted keys, no spaces (what the hashes cover)."""
    return _canonical(value)


def _entries(first: int, last: int) -> str:
    return f"entry #{first} is" if first == last else f"entries #{first} to #{last} are"


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _instant(moment: datetime) -> str:
    """A time as hashed: UTC, microseconds (what both databases keep)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")
