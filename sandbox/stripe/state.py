"""An account's objects, in memory or in a JSON file of the instance's own."""

from __future__ import annotations

import json
import os
import secrets
import string
import time
from pathlib import Path
from typing import Any

from sandbox.stripe.errors import missing

_ALPHABET = string.ascii_letters + string.digits
# Object kind (the collection) → the name Stripe's "No such …" messages use.
KINDS = {
    "customers": "customer",
    "payment_methods": "payment_method",
    "payment_intents": "payment_intent",
    "charges": "charge",
    "refunds": "refund",
    "events": "event",
    "webhook_endpoints": "webhook_endpoint",
}


def new_id(prefix: str) -> str:
    return f"{prefix}_{''.join(secrets.choice(_ALPHABET) for _ in range(24))}"


def now() -> int:
    return int(time.time())


class Store:
    """Objects by kind and id in creation order; saved whole to `path` after each change."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.objects: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in KINDS}
        # Card numbers behind PaymentMethods: Stripe never shows them, the outcome needs them.
        self.card_numbers: dict[str, str] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        if path is not None and path.exists():
            self._load(path)

    def _load(self, path: Path) -> None:
        saved = json.loads(path.read_text())
        for kind, objects in saved["objects"].items():
            self.objects[kind] = objects
        self.card_numbers = saved["card_numbers"]
        self.idempotency = saved["idempotency"]

    def save(self) -> None:
        if self.path is None:
            return
        state = {
            "objects": self.objects,
            "card_numbers": self.card_numbers,
            "idempotency": self.idempotency,
        }
        partial = self.path.with_name(self.path.name + ".partial")
        partial.write_text(json.dumps(state))
        os.replace(partial, self.path)

    def add(self, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
        self.objects[kind][obj["id"]] = obj
        return obj

    def get(self, kind: str, object_id: str, *, param: str = "id") -> dict[str, Any]:
        found = self.objects[kind].get(object_id)
        if found is None:
            raise missing(KINDS[kind], object_id, param=param)
        return found

    def remove(self, kind: str, object_id: str) -> dict[str, Any]:
        found = self.get(kind, object_id)
        del self.objects[kind][object_id]
        return found

    def newest_first(self, kind: str) -> list[dict[str, Any]]:
        return list(reversed(self.objects[kind].values()))
