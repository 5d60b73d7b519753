"""The hash chain: each entry sealed with the hash of the one before, and its verification."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mesh.errors import NotFound
from services.audit.domain import (
    GENESIS_HASH,
    AuditEntry,
    BreakKind,
    ChainHead,
    ChainVerifier,
    EntryKind,
    Facts,
    chains_to_verify,
)

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def facts(n: int, **changes: object) -> Facts:
    base = Facts(
        kind=EntryKind.DOMAIN_EVENT,
        service="users",
        type="meshwork.users.v1.UserUpdated",
        occur_time=T0 + timedelta(seconds=n),
        subject_type="user",
        subject_id=f"u-{n}",
        payload=f'{{"user_id":"u-{n}"}}',
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def a_chain(length: int) -> list[AuditEntry]:
    entries, head = [], ChainHead("users")
    for n in range(1, length + 1):
        entry = AuditEntry.append(f"ae_{n}", facts(n), head, now=T0 + timedelta(minutes=n))
        entries.append(entry)
        head = entry.head
    return entries


def verify(entries: list[AuditEntry], head: ChainHead) -> list[tuple[BreakKind, str, int]]:
    verifier = ChainVerifier("users")
    for entry in entries:
        verifier.check(entry)
    return [(b.kind, b.entry_id, b.sequence) for b in verifier.report(head).breaks]


def test_each_entry_links_to_the_hash_of_the_one_before() -> None:
    entries = a_chain(3)

    assert [e.sequence for e in entries] == [1, 2, 3]
    assert entries[0].previous_hash == GENESIS_HASH
    assert [e.previous_hash for e in entries[1:]] == [e.hash for e in entries[:2]]
    assert len({e.hash for e in entries}) == 3


def test_the_hash_covers_every_fact_and_the_time_to_the_microsecond() -> None:
    [entry] = a_chain(1)
    later = replace(entry.facts, occur_time=entry.facts.occur_time + timedelta(microseconds=1))

    for changed in (
        replace(entry, facts=replace(entry.facts, actor_user_id="u-x")),
        replace(entry, facts=replace(entry.facts, payload='{"user_id":"u-2"}')),
        replace(entry, facts=later),
        replace(entry, create_time=entry.create_time + timedelta(seconds=1)),
        replace(entry, previous_hash="f" * 64),
    ):
        assert changed.computed_hash() != entry.hash


def test_the_same_time_in_another_zone_hashes_the_same() -> None:
    [entry] = a_chain(1)
    elsewhere = entry.facts.occur_time.astimezone(datetime.now().astimezone().tzinfo)

    assert (
        replace(entry, facts=replace(entry.facts, occur_time=elsewhere)).computed_hash()
        == entry.hash
    )


def test_an_intact_chain_has_no_breaks() -> None:
    entries = a_chain(4)

    assert verify(entries, entries[-1].head) == []


def test_a_changed_entry_is_named() -> None:
    entries = a_chain(4)
    entries[1] = replace(entries[1], facts=replace(entries[1].facts, summary="edited"))

    assert verify(entries, entries[-1].head) == [(BreakKind.CHANGED, "ae_2", 2)]


def test_a_removed_entry_is_named_with_the_entry_after_the_gap() -> None:
    entries = a_chain(5)
    head = entries[-1].head

    assert verify(entries[:1] + entries[3:], head) == [(BreakKind.REMOVED, "ae_4", 2)]


def test_entries_removed_at_the_end_are_found_from_the_head() -> None:
    entries = a_chain(5)

    assert verify(entries[:3], entries[-1].head) == [(BreakKind.REMOVED, "", 4)]


def test_swapped_entries_are_named() -> None:
    entries = a_chain(4)
    second, third = entries[1], entries[2]
    swapped = [entries[0], replace(third, sequence=2), replace(second, sequence=3), entries[3]]

    found = verify(swapped, entries[-1].head)

    assert found[:2] == [(BreakKind.REORDERED, "ae_3", 2), (BreakKind.REORDERED, "ae_2", 3)]


def test_verification_takes_every_chain_or_the_one_named() -> None:
    heads = [ChainHead("users", 3), ChainHead("identity", 1)]

    assert [h.chain for h in chains_to_verify("", heads)] == ["identity", "users"]
    assert chains_to_verify("users", heads) == [heads[0]]
    with pytest.raises(NotFound, match="known: identity, users"):
        chains_to_verify("nobody", heads)


def test_a_retry_with_the_same_facts_has_the_same_fingerprint() -> None:
    assert facts(1).fingerprint() == facts(1).fingerprint()
    assert facts(1).fingerprint() != facts(1, summary="other").fingerprint()


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_link_of_the_next() -> None:
    entries = a_chain(3)
    rewritten = replace(entries[1], facts=replace(entries[1].facts, summary="edited"))
    entries[1] = replace(rewritten, hash=rewritten.computed_hash())

    [(kind, entry_id, sequence)] = verify(entries, ChainHead("users", 3, entries[1].hash))

    assert (kind, entry_id, sequence) == (BreakKind.REORDERED, "ae_3", 3)
