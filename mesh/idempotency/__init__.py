"""Idempotency keys: a mutation retried with the caller's key happens once and answers alike."""

from mesh.idempotency.keys import (
    MAX_KEY_LENGTH,
    answer_lost,
    in_use,
    key_reused,
    malformed_key,
    well_formed,
)
from mesh.idempotency.purge import IdempotencyPurge
from mesh.idempotency.records import RETENTION, AnswerSeal, IdempotencyRecords, mark_committed
from mesh.idempotency.servicer import Idempotent, idempotent

__all__ = [
    "MAX_KEY_LENGTH",
    "RETENTION",
    "AnswerSeal",
    "IdempotencyPurge",
    "IdempotencyRecords",
    "Idempotent",
    "answer_lost",
    "idempotent",
    "in_use",
    "key_reused",
    "malformed_key",
    "mark_committed",
    "well_formed",
]
