"""The password rules, and the checks of identity's requests that use them."""

from __future__ import annotations

from mesh.validation import Violations

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
MAX_DISPLAY_NAME_LENGTH = 100

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


def new_password(violations: Violations, field: str, value: str, *, email: str = "") -> None:
    """A violation for each rule a new password breaks (PASSWORD_TOO_WEAK)."""
    if not value:
        violations.add(field, "is required")
        return
    for problem in password_problems(value, email=email):
        violations.add(field, problem, reason="PASSWORD_TOO_WEAK")
