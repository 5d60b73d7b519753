"""Request validation that reports every bad field at once, as InvalidArgument + BadRequest."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from enum import StrEnum
from typing import NoReturn, TypeVar

from email_validator import EmailNotValidError, validate_email

from mesh.actor import ME, Actor
from mesh.errors import FieldViolation, InvalidArgument

#: Unicode's control characters (category Cc), and the same but tab, line feed and return.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LINE_BREAKS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Unicode's bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
#: (U+2066-U+2069) and the marks LRM, RLM and ALM. In a name that goes into a mail subject
#: or a list they reorder what follows ("Invoice\u202egnp.exe"), so single-line text refuses them.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_BCP47 = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
#: The longest language tag accepted (RFC 5646 asks implementations to take at least 35).
LOCALE_MAX = 35
#: The longest user id accepted (ids are opaque, but bounded).
USER_ID_MAX = 128

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


def text_violation(
    value: str, *, maximum: int, required: bool = False, multiline: bool = False
) -> str | None:
    """What is wrong with `value` (already stripped) as text, or None: empty when `required`,
    longer than `maximum` characters, or holding control characters (tabs and line breaks
    are allowed when `multiline`); single-line text also refuses bidirectional controls."""
    if required and not value:
        return "is required"
    if len(value) > maximum:
        return f"must be at most {maximum} characters (got {len(value)})"
    if (_CONTROL_BUT_LINE_BREAKS if multiline else _CONTROL).search(value):
        return "must not contain control characters"
    if not multiline and (found := _BIDI_CONTROL.search(value)):
        return (
            "must not contain bidirectional control characters "
            f"(found U+{ord(found.group()):04X}, which reorders the text shown after it)"
        )
    return None


VALIDATION_FAILED = "VALIDATION_FAILED"
INVALID_UPDATE_MASK = "INVALID_UPDATE_MASK"


def _listed(names: Collection[str]) -> str:
    """Names for a message: in their given order, sorted when the collection has none."""
    return ", ".join(sorted(names) if isinstance(names, (set, frozenset)) else names)


class Violations:
    """Collects field violations; `raise_if_any` raises one InvalidArgument naming them all.

    violations = Violations(domain="users.meshwork")
    email = violations.email("email", request.email)
    violations.length("display_name", request.display_name, maximum=100)
    violations.raise_if_any()

    A violation may carry the ErrorReason it implies on its own (say INVALID_PHONE_NUMBER):
    when every violation found carries the same one, the error has that reason (and the
    metadata they gave); otherwise it has the general `reason`. Either way the BadRequest
    detail names every bad field. Services subclass this with their domain and checks.
    """

    def __init__(self, *, domain: str, reason: str = VALIDATION_FAILED) -> None:
        self._domain = domain
        self._reason = reason
        self._found: list[FieldViolation] = []
        self._reasons: set[str] = set()
        self._metadata: dict[str, str] = {}

    def add(
        self,
        field: str,
        description: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        """Records that `field` is wrong, and how (and the reason and metadata that implies)."""
        self._found.append(FieldViolation(field, description))
        self._reasons.add(reason or self._reason)
        self._metadata.update(metadata or {})

    @property
    def ok(self) -> bool:
        """Whether nothing was found wrong so far."""
        return not self._found

    def required(self, field: str, value: str) -> str:
        """The value stripped of surrounding space; a violation when that leaves nothing."""
        value = value.strip()
        if not value:
            self.add(field, "is required")
        return value

    def length(self, field: str, value: str, *, minimum: int = 0, maximum: int) -> str:
        """Checks the length in characters (after stripping surrounding space)."""
        value = value.strip()
        if len(value) < minimum:
            self.add(field, f"must be at least {minimum} characters (got {len(value)})")
        elif len(value) > maximum:
            self.add(field, f"must be at most {maximum} characters (got {len(value)})")
        return value

    def text(
        self,
        field: str,
        value: str,
        *,
        maximum: int,
        required: bool = False,
        multiline: bool = False,
    ) -> str:
        """Text stripped of surrounding space; a violation when `text_violation` finds one."""
        value = value.strip()
        problem = text_violation(value, maximum=maximum, required=required, multiline=multiline)
        if problem is not None:
            self.add(field, problem)
        return value

    def email(self, field: str, value: str, *, reason: str | None = None) -> str:
        """The normalized address (lower-cased domain, Unicode NFC); a violation when invalid
        (with `reason`, say INVALID_EMAIL, when one was given but is not an address)."""
        if not value.strip():
            self.add(field, "is required")
            return ""
        if len(value) > 254:
            self.add(field, "must be at most 254 characters", reason=reason)
            return value
        try:
            return validate_email(value.strip(), check_deliverability=False).normalized
        except EmailNotValidError as error:
            self.add(field, f"is not a valid email address: {error}", reason=reason)
            return value

    def user_id(self, field: str, value: str, *, actor: Actor) -> str:
        """The user id a request names, stripped; "me" stands for the calling user (a
        violation when the call carries none)."""
        value = value.strip()
        if value == ME:
            if actor.user_id is None:
                self.add(field, '"me" stands for the calling user, and this call carries none')
            return actor.user_id or ""
        return self.text(field, value, maximum=USER_ID_MAX, required=True)

    def phone_number(self, field: str, value: str) -> str:
        """An E.164 number, stripped ("" stays ""); INVALID_PHONE_NUMBER when malformed."""
        value = value.strip()
        if value and not _E164.match(value):
            self.add(
                field,
                'must be an E.164 number: "+", country code and number, digits only, '
                'for example "+447700900123"',
                reason="INVALID_PHONE_NUMBER",
            )
        return value

    def locale(self, field: str, value: str) -> str:
        """A BCP 47 language tag, stripped ("" stays ""); a violation when it is not one."""
        value = value.strip()
        if value and (len(value) > LOCALE_MAX or not _BCP47.match(value)):
            self.add(field, 'must be a BCP 47 language tag, for example "en-GB"')
        return value

    def enum_member(
        self, field: str, name: str, kind: type[E], *, required: bool = True
    ) -> E | None:
        """The member of `kind` called `name`; "" is unspecified (a violation when
        `required`), and a name `kind` lacks is named in its violation."""
        if not name:
            if required:
                self.add(field, f"is required: one of {', '.join(kind)}")
            return None
        try:
            return kind(name)
        except ValueError:
            self.add(field, f"has unknown value {name}; use one of {', '.join(kind)}")
            return None

    def update_mask(
        self,
        paths: Iterable[str],
        *,
        updatable: Collection[str],
        read_only: Collection[str] | Mapping[str, str] = (),
        field: str = "update_mask",
    ) -> frozenset[str]:
        """The updatable fields an update mask names; INVALID_UPDATE_MASK for an empty mask
        and for each unknown or read-only path (a `read_only` mapping says why it is)."""
        paths, allowed = list(dict.fromkeys(paths)), _listed(updatable)
        if not paths:
            required = f"is required: name the fields to change, any of {allowed}"
            self.add(field, required, reason=INVALID_UPDATE_MASK)
        for path in paths:
            if path in read_only:
                why = read_only.get(path, "") if isinstance(read_only, Mapping) else ""
                problem = f"cannot be updated: {why}" if why else "cannot be updated"
            elif path not in updatable:
                problem = f"is not an updatable field; use any of {allowed}"
            else:
                continue
            self.add(field, f"{path!r} {problem}", reason=INVALID_UPDATE_MASK)
        return frozenset(path for path in paths if path in updatable)

    def fail(self) -> NoReturn:
        """Raises the violations recorded so far (when a check cannot go on without a part
        that is missing); there must be some."""
        self.raise_if_any()
        raise RuntimeError("fail() called with no violation recorded")

    def valid(self, value: T | None) -> T:
        """`value` once every check passed (raises InvalidArgument otherwise); a check that
        passed must have produced it."""
        self.raise_if_any()
        if value is None:
            raise RuntimeError("validation passed but produced no value")
        return value

    def raise_if_any(self, message: str = "the request has invalid fields") -> None:
        """Raises InvalidArgument listing every violation, if there are any."""
        if self._found:
            fields = ", ".join(dict.fromkeys(v.field for v in self._found))
            reason = next(iter(self._reasons)) if len(self._reasons) == 1 else self._reason
            raise InvalidArgument(
                f"{message}: {fields}",
                reason=reason,
                domain=self._domain,
                violations=list(self._found),
                metadata=self._metadata if reason != self._reason else None,
            )
