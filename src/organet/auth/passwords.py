"""Password hashing with argon2id, and the rules a new password must meet."""

from __future__ import annotations

import functools
import os
import string
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from organet.i18n import gettext as _

MIN_LENGTH = 12
MAX_LENGTH = 1024

_LIST = Path(__file__).with_name("common_passwords.txt")
_KEYBOARD_RUNS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "abcdefghijklmnopqrstuvwxyz")


@functools.cache
def common_passwords() -> frozenset[str]:
    """The passwords and stems people choose most (common_passwords.txt beside this module)."""
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_common(password: str) -> bool:
    """True for a listed password, a listed stem with only digits and punctuation around it, a repeat or a run."""
    lowered = password.lower().strip()
    common = common_passwords()
    stem = lowered.strip(string.digits + string.punctuation + " ")
    if lowered in common or (stem in common) or not stem:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        if len(lowered) % size == 0 and lowered == lowered[:size] * (len(lowered) // size):
            return True
    squeezed = lowered.replace(" ", "")
    return any(squeezed in run or squeezed in run[::-1] for run in _KEYBOARD_RUNS)


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
    if is_common(password) or len(set(lowered)) < 4 or (username and username.lower() in lowered):
        return _("This password is too easy to guess. Choose another, for example a few unrelated words.")
    return None
