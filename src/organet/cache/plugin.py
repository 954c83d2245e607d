"""The cache plugin's hook implementations: its tables, the job that prunes them, and Redis's health."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session
from starlette.applications import Starlette

from organet.cache.models import CacheEntry, ChangeCounter, Counter
from organet.cache.store import prune, redis_client, redis_errors
from organet.hooks import hookimpl
from organet.types import Job

if TYPE_CHECKING:
    from organet.jobs import JobContext
    from organet.site import Site


@hookimpl
def register_models() -> list[type]:
    return [CacheEntry, Counter, ChangeCounter]


def prune_expired(ctx: JobContext) -> None:
    """Delete expired cache entries and rate-limit counters from the database."""
    prune(ctx.session, ctx.now)


@hookimpl
def register_jobs() -> list[Job]:
    return [Job("cache.prune", prune_expired, description="Delete expired cache entries and rate-limit counters",
                every=dt.timedelta(minutes=10))]


@hookimpl
def health_status(site: Site, session: Session) -> dict[str, dict[str, Any]]:
    client = redis_client(site)
    if client is None:
        return {}
    try:
        client.ping()
    except redis_errors() as error:
        # Caches miss and rate limits count in the database: slower, not broken, so not a reason
        # for the load balancer to take every worker out.
        return {"redis": {"ok": True, "detail": f"not answering ({type(error).__name__}); using the database"}}
    return {"redis": {"ok": True, "detail": "answering"}}


@hookimpl
def on_shutdown(app: Starlette) -> None:
    client = app.state.site.state.pop("redis", None)
    if client is not None:
        client.close()
