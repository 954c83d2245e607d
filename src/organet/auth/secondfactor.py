"""The second factor: TOTP (RFC 6238, any authenticator app) and single-use recovery codes.

The secret is made on the server, shown as a QR code drawn here (segno, an SVG data URI;
no outside service ever sees it) and as text, and becomes active once the person enters a
first valid code. A code is accepted once: the time step of the last accepted code is kept.

The secret is stored encrypted (Fernet from ``cryptography``, with a key derived from the site's
``secret_key``): a copy of the database alone does not give anyone the codes. Changing the
secret key therefore makes the stored secrets unreadable; :class:`SecretUnreadable` says so, and
the person signs in with a recovery code or asks an admin to reset the second factor.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import secrets
from typing import Any

import pyotp
import segno
import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.orm import Session

from organet import security
from organet.auth.models import RecoveryCode, SecondFactor
from organet.db import utcnow

RECOVERY_CODES = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy from paper
ENCRYPTED = "v1:"  # how a stored secret begins when it is encrypted (earlier versions stored it as it is)


class SecretUnreadable(Exception):
    """The stored secret cannot be decrypted: the site's secret key changed since it was set up."""


@functools.lru_cache(maxsize=4)
def _cipher_for_key(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"organet: second factor secrets").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def _cipher(site: Any) -> Fernet:
    return _cipher_for_key(str(site.config.site["secret_key"]))


def _encrypt(site: Any, secret: str) -> str:
    return ENCRYPTED + _cipher(site).encrypt(secret.encode()).decode()


def secret_of(site: Any, factor: SecondFactor) -> str:
    """Return the factor's TOTP secret as the authenticator app has it (base32).

    A secret stored before secrets were encrypted is encrypted now (saved with the transaction).
    Raises :class:`SecretUnreadable` when the site's secret key has changed since it was stored.
    """
    if not factor.secret.startswith(ENCRYPTED):
        plain = factor.secret
        factor.secret = _encrypt(site, plain)
        return plain
    try:
        return _cipher(site).decrypt(factor.secret[len(ENCRYPTED):].encode()).decode()
    except InvalidToken:
        raise SecretUnreadable("The second factor's secret cannot be read with this site's secret key.") from None


def encrypt_plain_secrets(session: Session, site: Any) -> int:
    """Encrypt every secret still stored as an earlier version left it; return how many.

    Run by the hourly ``auth.prune`` job, so that secrets of people who rarely sign in do not stay
    readable in the database (and in its backups from then on) until their next code.
    """
    plain = session.scalars(sa.select(SecondFactor).where(sa.not_(SecondFactor.secret.startswith(ENCRYPTED)))).all()
    for factor in plain:
        secret_of(site, factor)  # encrypts it
    return len(plain)


def factor_of(session: Session, user_id: int, *, lock: bool = False) -> SecondFactor | None:
    """Return the person's confirmed second factor, or ``None``.

    ``lock=True`` before checking a code: the row stays locked until the transaction ends, so that
    the same code sent twice at once is accepted once (PostgreSQL; SQLite's write transaction
    already holds the whole database).
    """
    factor = session.get(SecondFactor, user_id, with_for_update=lock)
    return factor if factor is not None and factor.confirmed_at is not None else None


def has_second_factor(session: Session, user_id: int) -> bool:
    """True when the person has set up a second factor."""
    return factor_of(session, user_id) is not None


def begin(session: Session, site: Any, user_id: int) -> SecondFactor:
    """Return the unconfirmed factor being set up, making a new (encrypted) secret when there is none,
    or when the one being set up can no longer be read. The row is locked for the transaction (see
    :func:`factor_of`)."""
    factor = session.get(SecondFactor, user_id, with_for_update=True)
    if factor is not None and factor.confirmed_at is None:
        try:
            secret_of(site, factor)
        except SecretUnreadable:
            factor.secret = _encrypt(site, pyotp.random_base32(32))
    if factor is None:
        factor = SecondFactor(user_id=user_id, secret=_encrypt(site, pyotp.random_base32(32)))
        session.add(factor)
        session.flush()
    return factor


def provisioning_uri(site: Any, factor: SecondFactor, account: str, issuer: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret_of(site, factor)).provisioning_uri(name=account, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """Return the QR code of ``uri`` as an SVG data URI, for an ``<img src>`` (allowed by the CSP)."""
    return str(segno.make(uri, error="m").svg_data_uri(scale=5, border=2))


def check_code(site: Any, factor: SecondFactor, code: str, at: dt.datetime | None = None) -> bool:
    """True when ``code`` is valid now (one step either side) and newer than the last accepted one.

    Raises :class:`SecretUnreadable` when the stored secret cannot be read any more.
    """
    code = "".join(ch for ch in code if ch.isdecimal())
    if len(code) != 6:
        return False
    totp = pyotp.TOTP(secret_of(site, factor))
    moment = at or utcnow()
    for drift in (0, -1, 1):
        when = moment + dt.timedelta(seconds=drift * totp.interval)
        step = totp.timecode(when)
        if step <= factor.last_step:
            continue
        if secrets.compare_digest(totp.at(when), code):
            factor.last_step = step
            return True
    return False


def confirm(factor: SecondFactor) -> None:
    """Mark a factor as set up (after the first valid code)."""
    factor.confirmed_at = utcnow()


def remove(session: Session, user_id: int) -> None:
    """Switch the second factor off: delete the secret and every recovery code."""
    session.execute(sa.delete(SecondFactor).where(SecondFactor.user_id == user_id))
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))


def _code_digest(user_id: int, code: str) -> str:
    return security.digest(f"recovery:{user_id}:{code.replace('-', '').replace(' ', '').lower()}")


def new_recovery_codes(session: Session, user_id: int) -> list[str]:
    """Replace the person's recovery codes with fresh ones; return them (shown once)."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user_id, digest=_code_digest(user_id, raw)))
    return codes


def use_recovery_code(session: Session, user_id: int, code: str) -> bool:
    """Spend a recovery code: True (and never again) when it is one of the person's unused codes."""
    cleaned = code.replace("-", "").replace(" ", "").lower()
    if len(cleaned) != 10:
        return False
    row = session.scalar(sa.select(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.digest == _code_digest(user_id, cleaned),
        RecoveryCode.used_at.is_(None)).with_for_update())
    if row is None:
        return False
    row.used_at = utcnow()
    return True


def recovery_codes_left(session: Session, user_id: int) -> int:
    """How many unused recovery codes the person has."""
    return int(session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))) or 0)


def required_for(site: Any, user: Any) -> bool:
    """True when the site requires a second factor for this person's role (setting require_second_factor_for)."""
    roles = site.setting("auth", "require_second_factor_for") or []
    return getattr(user, "role", None) in roles and getattr(user, "kind", "") != "service"
