"""Request checks that name every bad field at once, and the password rules."""

from __future__ import annotations

import re

from mesh.errors import InvalidArgument
from mesh.validation import Violations
from services.identity.errors import DOMAIN

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 100
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")

#: Long-enough passwords that still top the breach corpora; a local stand-in for a
#: breached-password service (e.g. Have I Been Pwned's k-anonymity range API).
BREACHED_PASSWORDS = frozenset(
    {
        "123456789012",
        "1234567890123",
        "12345678901234",
        "123456789123",
        "password1234",
        "password12345",
        "password123456",
        "passwordpassword",
        "qwertyuiop123",
        "qwerty123456",
        "qwertyqwerty",
        "1q2w3e4r5t6y",
        "1qaz2wsx3edc",
        "zaq12wsxcde3",
        "123qweasdzxc",
        "asdfghjkl123",
        "iloveyou1234",
        "letmein12345",
        "welcome12345",
        "administrator",
        "changeme1234",
        "trustno1trustno1",
        "football1234",
        "baseball1234",
        "monkey123456",
        "superman1234",
        "starwars1234",
        "sunshine1234",
        "princess1234",
        "dragon123456",
        "master123456",
        "passw0rd1234",
        "p@ssword1234",
        "p@ssw0rd1234",
        "abcdefghijkl",
        "abc123456789",
        "qazwsxedcrfv",
        "987654321098",
        "correcthorsebatterystaple",
    }
)


def password_problems(password: str, *, email: str = "") -> list[str]:
    """What makes a new password unacceptable (empty when it is fine)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return [f"must be at least {MIN_PASSWORD_LENGTH} characters (got {len(password)})"]
    if len(password) > MAX_PASSWORD_LENGTH:
        return [f"must be at most {MAX_PASSWORD_LENGTH} characters"]
    problems = []
    if password.lower() in BREACHED_PASSWORDS:
        problems.append("appears in lists of breached passwords; choose a unique one")
    if len(set(password)) < 5:
        problems.append("repeats too few different characters; choose a less predictable one")
    local_part = email.partition("@")[0].lower()
    if len(local_part) >= 4 and local_part in password.lower():
        problems.append("must not contain your email address")
    return problems


class FieldCheck(Violations):
    """mesh's `Violations` in the identity domain: the error has the reason every violation
    implies when they share one (INVALID_EMAIL, PASSWORD_TOO_WEAK), else VALIDATION_FAILED."""

    def __init__(self) -> None:
        super().__init__(domain=DOMAIN)

    def required(self, field: str, value: str) -> str:
        """A violation when `value` is blank; unlike mesh's, the value comes back as given:
        passwords, tokens and client secrets are taken verbatim, surrounding space included."""
        if not value.strip():
            self.add(field, "is required")
        return value

    def email(self, field: str, value: str) -> str:
        """The normalized address (the mesh's normalization, as the users service applies)."""
        violations = Violations(domain=DOMAIN)
        normalized = violations.email(field, value)
        try:
            violations.raise_if_any()
        except InvalidArgument as error:
            reason = "INVALID_EMAIL" if value.strip() else None
            for violation in error.violations:
                self.add(violation.field, violation.description, reason=reason)
        return normalized

    def new_password(self, field: str, value: str, *, email: str = "") -> None:
        if not value:
            self.add(field, "is required")
            return
        for problem in password_problems(value, email=email):
            self.add(field, problem, reason="PASSWORD_TOO_WEAK")

    def at_most(self, field: str, value: str, maximum: int) -> str:
        value = value.strip()
        if len(value) > maximum:
            self.add(field, f"must be at most {maximum} characters (got {len(value)})")
        return value

    def locale(self, field: str, value: str) -> str:
        value = value.strip()
        if value and (len(value) > 35 or not _LOCALE.match(value)):
            self.add(field, "must be a BCP 47 language tag such as 'en-GB'")
        return value

    def page_size(self, field: str, value: int) -> int:
        """The page size to use: the default for 0, at most the maximum; negative is an error."""
        if value < 0:
            self.add(field, f"must not be negative (got {value})")
        return min(value, MAX_PAGE_SIZE) if value > 0 else DEFAULT_PAGE_SIZE
