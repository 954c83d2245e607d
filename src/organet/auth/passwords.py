"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from organet.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024

# A short list of the passwords people choose most; long enough to refuse the obvious.
COMMON = frozenset("""
123456789012 password1234 wachtwoord12 welkom123456 qwertyuiop12 passwordpassword 111111111111
000000000000 123412341234 abcdefghijkl letmein12345 iloveyou1234 admin1234567 zomer2024!!! winter2024!!!
wachtwoord123 welkomwelkom 1234567890ab qwerty123456 password123! changeme1234 organet12345
""".split())


def _hasher() -> PasswordHasher:
    # Tests and demos set ORGANET_FAST_HASHING=1 so that thousands of hashes stay cheap.
    if os.environ.get("ORGANET_FAST_HASHING") == "1":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password`` (it begins with ``$argon2id$``)."""
    return _hasher().hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when ``password`` matches ``stored_hash``; False for a wrong password or no hash at all."""
    if not stored_hash:
        # Spend the same time as a real check so that timing does not tell whether an account exists.
        _hasher().hash(password)
        return False
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with older parameters and should be replaced at the next sign-in."""
    return _hasher().check_needs_rehash(stored_hash)


def password_problem(password: str, *, username: str = "") -> str | None:
    """Return what is wrong with a new password, or ``None`` when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return _("Use at least %(n)s characters; a sentence of a few words is easiest to remember.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _("Use at most %(n)s characters.", n=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON or len(set(lowered)) < 4 or (username and username.lower() in lowered):
        return _("This password is too easy to guess. Choose another, for example a few unrelated words.")
    return None
