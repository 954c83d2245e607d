"""Recording activity: one upsert into the day row (and one raw event), cheap enough for every request."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from starlette.requests import Request

from organet.activity.models import ACTIONS, DayActivity, Event

log = logging.getLogger("organet.activity")

SESSION_GAP_SECONDS = 30 * 60
"""Two requests less than this apart count as one stretch of use; the time between them is added."""


def _upsert(session: Session, user_id: int, plugin: str, action: str, now: dt.datetime) -> None:
    table = DayActivity.__table__
    epoch = int(now.timestamp())
    values = {"day": now.date(), "user_id": user_id, "plugin": plugin, "views": int(action == "view"),
              "sign_ins": int(action == "sign-in"), "contributions": int(action == "contribution"),
              "seconds": 0, "last_seen": epoch}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = insert.values(values)
    excluded = statement.excluded
    gap = excluded.last_seen - table.c.last_seen
    statement = statement.on_conflict_do_update(index_elements=["day", "user_id", "plugin"], set_={
        "views": table.c.views + excluded.views,
        "sign_ins": table.c.sign_ins + excluded.sign_ins,
        "contributions": table.c.contributions + excluded.contributions,
        "seconds": table.c.seconds + sa.case((gap.between(1, SESSION_GAP_SECONDS), gap), else_=0),
        "last_seen": sa.func.max(table.c.last_seen, excluded.last_seen) if dialect == "sqlite"
        else sa.func.greatest(table.c.last_seen, excluded.last_seen),
    })
    session.execute(statement)


def write(session: Session, user_id: int, plugin: str, action: str = "view", kind: str | None = None,
          now: dt.datetime | None = None, keep_events: bool = True) -> None:
    """Add one event to the person's day row for ``plugin`` (and to the raw events) in ``session``."""
    if action not in ACTIONS:
        raise ValueError(f"activity action {action!r}: use one of {', '.join(ACTIONS)}")
    now = now or dt.datetime.now(dt.UTC)
    _upsert(session, user_id, plugin, action, now)
    if keep_events:
        session.execute(sa.insert(Event).values(at=now, user_id=user_id, plugin=plugin, action=action,
                                                kind=kind[:40] if kind else None))


def record(session_or_request: Session | Request, user_id: int | None, plugin: str, action: str = "view",
           kind: str | None = None) -> None:
    """Record that a person viewed a page of, signed in to, or contributed to ``plugin``.

    With a database session (the request's, a job's) the row is written in that transaction,
    so a contribution and its record commit together. With a request it is written in a short
    transaction of its own after the page, and a failure is logged, never shown: a figure for
    statistics must not cost anyone their page.
    """
    if not user_id:
        return
    if isinstance(session_or_request, Session):
        site = _site_of(session_or_request)
        write(session_or_request, user_id, plugin, action, kind, keep_events=_keep_events(site))
        return
    site = session_or_request.app.state.site
    try:
        with site.db.session() as session:
            write(session, user_id, plugin, action, kind, keep_events=_keep_events(site))
    except Exception:
        log.warning("activity not recorded for %s/%s", plugin, action, exc_info=True)


def _site_of(session: Session) -> Any:
    from organet.notifications.inbox import site_for

    return site_for(session)


def _keep_events(site: Any) -> bool:
    return site is None or int(site.setting("activity", "keep_events_days")) > 0


def prune(session: Session, keep_days: int, now: dt.datetime | None = None) -> int:
    """Delete raw events older than ``keep_days``; the day rows stay. Returns how many were removed."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    result = session.execute(sa.delete(Event).where(Event.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
