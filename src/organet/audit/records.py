"""Appending to the audit record and verifying its hash chain.

Each record's hash is SHA-256 over the previous record's hash and the record's own content
(canonical JSON), so changing, removing or inserting a row breaks the chain from there on.
Appends are serialised through the single ``audit_heads`` row: the first statement of an
append updates it, which takes a row lock on PostgreSQL (held until commit) and the write
lock on SQLite, so two transactions can never both build on the same previous hash.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.audit.models import AuditHead, AuditRecord
from organet.db import utcnow

GENESIS = "0" * 64
BATCH = 1000


def _content(record: AuditRecord) -> str:
    at = record.at.astimezone(dt.UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    return json.dumps({"seq": record.seq, "at": at, "actor_id": record.actor_id, "actor": record.actor_name,
                       "address": record.address, "action": record.action, "target": record.target,
                       "details": record.details or {}}, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True, default=str)


def compute_hash(prev_hash: str, record: AuditRecord) -> str:
    """Return the hash a record must carry: SHA-256 of the previous hash and its canonical content."""
    return hashlib.sha256(f"{prev_hash}\n{_content(record)}".encode()).hexdigest()


def _actor(actor: Any) -> tuple[int | None, str]:
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor[:80]
    actor_id = getattr(actor, "id", None)
    return (actor_id if isinstance(actor_id, int) else None), str(getattr(actor, "username", "") or "anonymous")[:80]


def record(session: Session, actor: Any, action: str, target: str = "", details: dict[str, Any] | None = None,
           request: Any = None) -> AuditRecord:
    """Append a security-relevant event to the audit record, in ``session``'s transaction.

    ``actor`` is the person who acted (a ``User``), a name such as ``"cli"``, or ``None`` for
    the system; ``action`` is a dotted name (``"auth.signin.failed"``, ``"people.role.changed"``);
    ``target`` says what it was done to (``"person:anna"``); ``details`` is JSON-ready data
    such as ``{"from": "member", "to": "admin"}`` — never a password or a token. With
    ``request`` the caller's address is recorded. The record is written when the transaction
    commits and disappears with it when it rolls back, so the audit never claims a change
    that did not happen.
    """
    from organet import security

    head = session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
                           .returning(AuditHead.seq, AuditHead.hash)).first()
    if head is None:
        # The very first record (the migration seeds the head, but a hand-made database may lack it).
        session.add(AuditHead(id=1, seq=1, hash=GENESIS))
        session.flush()
        seq, prev_hash = 1, GENESIS
    else:
        seq, prev_hash = int(head.seq), head.hash or GENESIS
    actor_id, actor_name = _actor(actor)
    entry = AuditRecord(seq=seq, at=utcnow(), actor_id=actor_id, actor_name=actor_name,
                        address=security.client_address(request)[:64] if request is not None else "",
                        action=action[:80], target=str(target)[:250],
                        details=json.loads(json.dumps(details or {}, default=str)), prev_hash=prev_hash)
    entry.hash = compute_hash(prev_hash, entry)
    session.add(entry)
    session.execute(sa.update(AuditHead).where(AuditHead.id == 1).values(hash=entry.hash))
    return entry


@dataclass(frozen=True)
class Verification:
    """The result of :func:`verify`: how many records were checked and the first broken one, if any."""

    checked: int
    broken_seq: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when every record's hash and link are intact."""
        return self.broken_seq is None


def _in_order(session: Session) -> Iterator[AuditRecord]:
    last = -1
    while True:
        rows = session.scalars(sa.select(AuditRecord).where(AuditRecord.seq > last)
                               .order_by(AuditRecord.seq).limit(BATCH)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def verify(session: Session) -> Verification:
    """Walk the whole chain in order and report the first record whose hash or link does not fit.

    Finds edited rows (the hash no longer matches), removed rows (a gap in the sequence or
    a broken link) and a head that does not point at the last record (rows cut off the end).
    The first record may link to an older, removed part of the chain (old records pruned).
    """
    checked = 0
    prev_hash: str | None = None
    prev_seq: int | None = None
    for entry in _in_order(session):
        if prev_seq is not None and entry.seq != prev_seq + 1:
            return Verification(checked, entry.seq, f"records {prev_seq + 1} to {entry.seq - 1} are missing")
        if prev_hash is not None and entry.prev_hash != prev_hash:
            return Verification(checked, entry.seq, "its link to the previous record does not match")
        if compute_hash(entry.prev_hash, entry) != entry.hash:
            return Verification(checked, entry.seq, "its content does not match its hash (edited)")
        checked += 1
        prev_hash, prev_seq = entry.hash, entry.seq
    head = session.get(AuditHead, 1)
    if head is not None and prev_seq is not None and (head.seq != prev_seq or head.hash != prev_hash):
        return Verification(checked, prev_seq, f"the chain head says {head.seq}: records after it were removed")
    return Verification(checked)
