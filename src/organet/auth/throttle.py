"""Slowing down password guessing: failed attempts counted per key in the database, shared by every worker.

Two keys per sign-in attempt: the address (a generous limit, since a hospital's people may
share one address behind a proxy) and the account *from that address* (a tight limit with
a growing wait). A flood of wrong passwords from one address is slowed down and then
blocked for a while, while the real person signing in from another address is not
affected; nothing ever locks an account for good. The account key uses the account's id
when it exists and the typed name otherwise, so the answers never tell whether it exists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from organet import security
from organet.auth.models import Throttle
from organet.db import UTCDateTime, utcnow

WINDOW = dt.timedelta(minutes=15)
MAX_BLOCK = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Rule:
    """A key and its limit: ``limit`` failures in the window, then a wait that doubles per further failure."""

    key: str
    limit: int
    first_wait: dt.timedelta


def address_rule(address: str, limit: int) -> Rule:
    """The rule for every attempt from one address."""
    return Rule(security.digest(f"address:{address}"), limit, MAX_BLOCK)


def account_rule(account: str, address: str, limit: int) -> Rule:
    """The rule for attempts on one account (id, or the typed name) from one address."""
    return Rule(security.digest(f"account:{account.lower()}|{address}"), limit, dt.timedelta(seconds=30))


def wait_seconds(session: Session, rules: list[Rule]) -> int:
    """Return how many seconds the caller must wait before trying again (0: go ahead)."""
    now = utcnow()
    until = session.scalar(sa.select(sa.func.max(Throttle.blocked_until)).where(
        Throttle.key.in_([rule.key for rule in rules]), Throttle.blocked_until > now))
    if until is None:
        return 0
    return max(1, int((until - now).total_seconds() + 0.999))


def _upsert(session: Session, key: str, now: dt.datetime) -> None:
    cutoff = now - WINDOW
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(Throttle).values(key=key, failures=1, window_start=now, blocked_until=None)
    expired = Throttle.window_start < cutoff
    statement = statement.on_conflict_do_update(index_elements=[Throttle.key], set_={
        "failures": sa.case((expired, 1), else_=Throttle.failures + 1),
        "window_start": sa.case((expired, sa.literal(now, UTCDateTime)), else_=Throttle.window_start),
    })
    session.execute(statement)


def failed(session: Session, rules: list[Rule]) -> bool:
    """Count a failed attempt against every rule; return True when this failure started a block."""
    now = utcnow()
    started = False
    for rule in rules:
        _upsert(session, rule.key, now)
        row = session.get(Throttle, rule.key, populate_existing=True)
        if row is None or row.failures < rule.limit:
            continue
        wait = min(MAX_BLOCK, rule.first_wait * (2 ** min(row.failures - rule.limit, 10)))
        started = started or row.failures == rule.limit
        row.blocked_until = now + wait
    return started


def succeeded(session: Session, rule: Rule) -> None:
    """Forget the failures of ``rule`` (the account from this address) after a successful sign-in."""
    session.execute(sa.delete(Throttle).where(Throttle.key == rule.key))


def prune(session: Session) -> int:
    """Delete rows whose window and block are over; return how many. Run now and then (a job)."""
    now = utcnow()
    result = session.execute(sa.delete(Throttle).where(Throttle.window_start < now - WINDOW,
                                                       sa.or_(Throttle.blocked_until.is_(None),
                                                              Throttle.blocked_until < now)))
    return int(getattr(result, "rowcount", 0) or 0)
