"""Revoked users, as every token verifier applies them: held in memory, checked per token.

The admin service writes one entry per user it suspends to a JetStream KV bucket; every
process that verifies access tokens (each service, the edge) loads the bucket when it starts
and then watches it (`mesh.auth.revocation_feed.RevocationWatcher`), so a suspension reaches
them all within moments and a restarted process knows every one. Checking a token is a
dictionary lookup, never a call:

    revocations = Revocations()
    watcher = RevocationWatcher(nc, revocations)
    await watcher.start()                       # loads the bucket, then follows it
    revocations.check(subject, issued_at)       # raises Unauthenticated USER_SUSPENDED

While a user is suspended, every access token of theirs is refused (USER_SUSPENDED). Once the
suspension is lifted, tokens issued before it began stay refused (TOKEN_REVOKED) until they
expire on their own; tokens issued after it was lifted are accepted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass

from mesh.errors import MESH_DOMAIN, Unauthenticated

#: How long a lifted suspension still matters: past the longest access token's lifetime,
#: every token issued before the suspension has expired anyway.
DEFAULT_MEMORY_S = 3600.0


@dataclass(frozen=True, slots=True)
class Revocation:
    """One user's revocation: tokens issued before `revoked_at` (UNIX seconds) are refused,
    and every token while `suspended`."""

    user_id: str
    revoked_at: float
    suspended: bool = True
    suspension_id: str = ""

    def encode(self) -> bytes:
        return json.dumps(
            {
                "user_id": self.user_id,
                "revoked_at": self.revoked_at,
                "suspended": self.suspended,
                "suspension_id": self.suspension_id,
            }
        ).encode()

    @classmethod
    def decode(cls, data: bytes) -> Revocation:
        """The revocation a bucket entry holds; ValueError when it is not one."""
        try:
            raw = json.loads(data)
            return cls(
                user_id=str(raw["user_id"]),
                revoked_at=float(raw["revoked_at"]),
                suspended=bool(raw["suspended"]),
                suspension_id=str(raw.get("suspension_id", "")),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"not a revocation: {data[:100]!r} ({error})") from None


class Revocations:
    """The revoked users a process knows, by user id (filled by `RevocationWatcher`).

    A lifted suspension is forgotten `memory_s` after it began (by `clock`): every access
    token issued before it has expired by then.
    """

    def __init__(
        self, *, memory_s: float = DEFAULT_MEMORY_S, clock: Callable[[], float] = time.time
    ) -> None:
        self._by_user: dict[str, Revocation] = {}
        self._memory_s = memory_s
        self._clock = clock

    def __len__(self) -> int:
        return len(self._by_user)

    def apply(self, revocation: Revocation) -> None:
        """Records a user's revocation (a newer entry replaces the older one)."""
        if self._obsolete(revocation):
            self._by_user.pop(revocation.user_id, None)
        else:
            self._by_user[revocation.user_id] = revocation

    def forget(self, user_id: str) -> None:
        """Drops a user's entry (its key was deleted from the bucket)."""
        self._by_user.pop(user_id, None)

    def check(self, subject: str, issued_at: float) -> None:
        """Raises Unauthenticated if the access token of `subject` issued at `issued_at`
        (its `iat`, UNIX seconds) is revoked."""
        revocation = self._by_user.get(subject)
        if revocation is None:
            return
        if revocation.suspended:
            raise Unauthenticated(
                "the account is suspended: its access tokens are refused",
                reason="USER_SUSPENDED",
                domain=MESH_DOMAIN,
            )
        if self._obsolete(revocation):
            del self._by_user[subject]
        # Identity's access tokens carry `iat` to the millisecond; a whole-second `iat` from the
        # second the suspension began counts as before it (refused: log in again).
        elif issued_at < revocation.revoked_at:
            raise Unauthenticated(
                "this access token was issued before the account's suspension and is revoked: "
                "log in again",
                reason="TOKEN_REVOKED",
                domain=MESH_DOMAIN,
            )

    def _obsolete(self, revocation: Revocation) -> bool:
        return not revocation.suspended and (revocation.revoked_at + self._memory_s < self._clock())
