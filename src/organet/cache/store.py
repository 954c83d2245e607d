"""Where shared state lives: Redis when ``[site] redis_url`` is set, else two small tables in the database.

Both back :mod:`organet.cache` and :mod:`organet.ratelimit`. When Redis is configured but
does not answer, the cache misses and rate limits count in the database, so a Redis outage
makes the site slower, never wrong or down.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.cache.models import CacheEntry, Counter
from organet.db import utcnow

if TYPE_CHECKING:
    from organet.site import Site

log = logging.getLogger("organet.cache")

MAX_KEY = 200


def redis_client(site: Site) -> Any | None:
    """Return the site's Redis client, or ``None`` when ``[site] redis_url`` is empty."""
    url = site.config.site.get("redis_url") or ""
    if not url:
        return None
    client = site.state.get("redis")
    if client is None:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        site.state["redis"] = client
    return client


def redis_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "Redis did not answer" (connection refused, time-out, ...)."""
    import redis

    return (redis.RedisError, OSError)


def namespace(site: Site) -> str:
    """The prefix of this site's Redis keys: sites sharing a Redis never see each other's keys."""
    digest = hashlib.sha256(str(site.config.site["database_url"]).encode()).hexdigest()[:12]
    return f"organet:{digest}:"


def table_key(key: str) -> str:
    """Return ``key`` as stored in a table: itself, or a digest when it is longer than the column."""
    if len(key) <= MAX_KEY:
        return key
    return key[:MAX_KEY - 66] + ":" + hashlib.sha256(key.encode()).hexdigest()


@contextmanager
def session_for(site: Site, session: Session | None) -> Iterator[Session]:
    """Use the caller's session (its transaction) when given, else a short transaction of our own."""
    if session is not None:
        yield session
        return
    with site.db.session() as own:
        yield own


def upsert(session: Session, model: type, values: dict[str, Any], update: dict[str, Any]) -> Any:
    """INSERT, or UPDATE ``update`` when the key exists, in one statement (PostgreSQL and SQLite alike)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(model).values(**values)
    return statement.on_conflict_do_update(index_elements=[model.key], set_=update)  # type: ignore[attr-defined]


def get(site: Site, key: str, *, session: Session | None = None) -> Any:
    """Return the value cached under ``key``, or ``None`` when there is none or it expired.

    In a request pass ``session=web.db(request)``: without Redis the value is read in the
    request's transaction.
    """
    client = redis_client(site)
    if client is not None:
        try:
            raw = client.get(namespace(site) + "c:" + key)
        except redis_errors() as error:
            log.warning("Redis did not answer (%s); cache miss for %s", error, key)
            return None
        return None if raw is None else json.loads(raw)
    with session_for(site, session) as db:
        row = db.execute(sa.select(CacheEntry.value, CacheEntry.expires_at)
                         .where(CacheEntry.key == table_key(key))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row.value


def set(site: Site, key: str, value: Any, ttl: float, *, session: Session | None = None) -> None:  # noqa: A001
    """Cache the JSON ``value`` under ``key`` for ``ttl`` seconds, for every worker.

    Without Redis the value is written in ``session``'s transaction (so it is kept only if that
    commits), or in a transaction of its own when ``session`` is ``None``. On SQLite, inside a
    request, always pass the request's session: a second writer would wait for the request's lock.
    """
    text = json.dumps(value)
    client = redis_client(site)
    if client is not None:
        try:
            client.set(namespace(site) + "c:" + key, text, px=max(int(ttl * 1000), 1))
        except redis_errors() as error:
            log.warning("Redis did not answer (%s); %s not cached", error, key)
        return
    expires = utcnow() + dt.timedelta(seconds=ttl)
    with session_for(site, session) as db:
        db.execute(upsert(db, CacheEntry, {"key": table_key(key), "value": json.loads(text), "expires_at": expires},
                          {"value": json.loads(text), "expires_at": expires}))


def delete(site: Site, key: str, *, session: Session | None = None) -> None:
    """Forget the value cached under ``key`` (nothing happens when there is none)."""
    client = redis_client(site)
    if client is not None:
        try:
            client.delete(namespace(site) + "c:" + key)
        except redis_errors() as error:
            log.warning("Redis did not answer (%s); %s not deleted", error, key)
        return
    with session_for(site, session) as db:
        db.execute(sa.delete(CacheEntry).where(CacheEntry.key == table_key(key)))


def prune(session: Session, now: dt.datetime | None = None) -> int:
    """Delete expired cache entries and counters from the tables; return how many rows went."""
    now = now or utcnow()
    removed = 0
    for model in (CacheEntry, Counter):
        result = session.execute(sa.delete(model).where(model.expires_at < now))
        removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return removed
