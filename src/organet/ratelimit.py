"""Rate limits shared by every worker: ``hit(site, session, key, limit, per_seconds)`` says whether to allow.

    if not organet.ratelimit.hit(site, web.db(request), f"comment:{person.id}", 10, 60):
        raise ValidationError(_("You are commenting very fast; wait a minute and try again."))

Counts live in Redis when ``[site] redis_url`` is set, else in the database (the table
``cache_counters``), so limits hold across workers with or without Redis. The limit is a
sliding window: the count of the current window plus the previous window's count weighted
by how much of it still falls within the last ``per_seconds``. Every call counts, refused
ones too, so that hammering does not reopen the door.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.cache.models import Counter
from organet.cache.store import namespace, redis_client, redis_errors, table_key, upsert

if TYPE_CHECKING:
    from organet.site import Site

log = logging.getLogger("organet.ratelimit")


def hit(site: Site, session: Session | None, key: str, limit: int, per_seconds: float, *,
        now: float | None = None) -> bool:
    """Count one hit on ``key`` and return True when it is within ``limit`` hits per ``per_seconds``.

    ``key`` names what is limited and for whom (``"signin:address:203.0.113.9"``,
    ``"comment:42"``). Without Redis the hit is counted in ``session``'s transaction, so it
    counts only if that transaction commits (``None``: a transaction of its own); in a view,
    pass ``web.db(request)`` and declare the route ``write=True`` on SQLite. ``now`` (seconds
    since the epoch) is for tests.
    """
    if limit < 1 or per_seconds <= 0:
        raise ValueError("limit must be at least 1 and per_seconds more than 0")
    moment = time.time() if now is None else now
    window = math.floor(moment / per_seconds)
    into_window = (moment - window * per_seconds) / per_seconds
    client = redis_client(site)
    if client is not None:
        try:
            current, previous = _hit_redis(client, namespace(site) + f"r:{key}:{per_seconds:g}", window, per_seconds)
            return _estimate(current, previous, into_window) <= limit
        except redis_errors() as error:
            log.warning("Redis did not answer (%s); counting %s in the database", error, key)
    if session is None:
        with site.db.session() as own:
            current, previous = _hit_database(own, key, window, per_seconds)
    else:
        current, previous = _hit_database(session, key, window, per_seconds)
    return _estimate(current, previous, into_window) <= limit


def _estimate(current: int, previous: int, into_window: float) -> float:
    return current + previous * (1.0 - into_window)


def _hit_redis(client: object, prefix: str, window: int, per_seconds: float) -> tuple[int, int]:
    pipeline = client.pipeline()  # type: ignore[attr-defined]
    pipeline.incr(f"{prefix}:{window}")
    pipeline.expire(f"{prefix}:{window}", math.ceil(per_seconds * 2) + 1)
    pipeline.get(f"{prefix}:{window - 1}")
    current, _expiry, previous = pipeline.execute()
    return int(current), int(previous or 0)


def _hit_database(session: Session, key: str, window: int, per_seconds: float) -> tuple[int, int]:
    base = f"{key}:{per_seconds:g}"
    expires = dt.datetime.fromtimestamp((window + 2) * per_seconds, dt.UTC)
    statement = upsert(session, Counter, {"key": table_key(f"{base}:{window}"), "count": 1, "expires_at": expires},
                       {"count": Counter.count + 1}).returning(Counter.count)
    current = int(session.execute(statement).scalar_one())
    previous = session.scalar(sa.select(Counter.count).where(Counter.key == table_key(f"{base}:{window - 1}")))
    return current, int(previous or 0)
