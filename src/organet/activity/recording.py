"""Recording activity: one upsert into the day row (and one raw event), cheap enough for every request."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from starlette.requests import Request

from organet.activity.models import ACTIONS, DayActivity, Event

log = logging.getLogger("organet.activity")

SESSION_GAP_SECONDS = 30 * 60
"""Two requests less than this apart count as one stretch of use; the time between them is added."""


_statements: dict[str, tuple[sa.Executable, sa.Executable]] = {}


def _statements_for(dialect: str) -> tuple[sa.Executable, sa.Executable]:
    """Build the upsert and the event insert once per dialect: building SQLAlchemy statements costs more than
    running them, and these run on every page view."""
    if dialect not in _statements:
        table = DayActivity.__table__
        insert = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
        statement = insert.values({name: sa.bindparam(name) for name in (
            "day", "user_id", "plugin", "views", "sign_ins", "contributions", "seconds", "last_seen")})
        excluded = statement.excluded
        gap = excluded.last_seen - table.c.last_seen
        later = sa.func.max if dialect == "sqlite" else sa.func.greatest
        upsert = statement.on_conflict_do_update(index_elements=["day", "user_id", "plugin"], set_={
            "views": table.c.views + excluded.views,
            "sign_ins": table.c.sign_ins + excluded.sign_ins,
            "contributions": table.c.contributions + excluded.contributions,
            "seconds": table.c.seconds + sa.case((gap.between(1, SESSION_GAP_SECONDS), gap), else_=0),
            "last_seen": later(table.c.last_seen, excluded.last_seen),
        })
        _statements[dialect] = (upsert, sa.insert(Event.__table__))
    return _statements[dialect]


def write(session: Session, user_id: int, plugin: str, action: str = "view", kind: str | None = None,
          now: dt.datetime | None = None, keep_events: bool = True, time_zone: dt.tzinfo | None = None) -> None:
    """Add one event to the person's day row for ``plugin`` (and to the raw events) in ``session``.

    The day is the one of ``time_zone`` (the site's): a page seen at 00:30 in Amsterdam counts
    for that day, not for the day before in UTC.
    """
    write_many(session, [(user_id, plugin, action, kind, now or dt.datetime.now(dt.UTC))],
               keep_events=keep_events, time_zone=time_zone)


Happening = tuple[int, str, str, "str | None", dt.datetime]
"""One event to record: person id, plugin, action, kind (or ``None``) and when."""


def write_many(session: Session, events: list[Happening], keep_events: bool = True,
               time_zone: dt.tzinfo | None = None) -> None:
    """Add ``events`` (in the order they happened) to their day rows and the raw events, in ``session``.

    One statement for all of them, run for each in turn: several page views of one person in
    one flush add up in the same row, and each adds the time since the one before.
    """
    for _user_id, _plugin, action, _kind, _at in events:
        if action not in ACTIONS:
            raise ValueError(f"activity action {action!r}: use one of {', '.join(ACTIONS)}")
    connection = session.connection()
    upsert, event = _statements_for(connection.dialect.name)
    days = [{"day": (at.astimezone(time_zone) if time_zone is not None else at).date(), "user_id": user_id,
             "plugin": plugin, "views": int(action == "view"), "sign_ins": int(action == "sign-in"),
             "contributions": int(action == "contribution"), "seconds": 0, "last_seen": int(at.timestamp())}
            for user_id, plugin, action, _kind, at in events]
    if connection.dialect.use_insertmanyvalues_wo_returning:
        # A driver that would send them as one multi-row INSERT (psycopg2) cannot update one row twice.
        for day in days:
            connection.execute(upsert, day)
    else:
        connection.execute(upsert, days)
    if keep_events:
        connection.execute(event, [{"at": at, "user_id": user_id, "plugin": plugin, "action": action,
                                    "kind": kind[:40] if kind else None}
                                   for user_id, plugin, action, kind, at in events])


def record(session_or_request: Session | Request, user_id: int | None, plugin: str, action: str = "view",
           kind: str | None = None) -> None:
    """Record that a person viewed a page of, signed in to, or contributed to ``plugin``.

    With a database session (the request's, a job's) the row is written in that transaction,
    so a contribution and its record commit together. With a request it is kept in the
    worker's :class:`PageViewBuffer` and written with others in a short transaction of its own
    within seconds; a failure is logged, never shown: a figure for statistics must not cost
    anyone their page.
    """
    if not user_id:
        return
    if isinstance(session_or_request, Session):
        site = _site_of(session_or_request)
        write(session_or_request, user_id, plugin, action, kind, keep_events=_keep_events(site),
              time_zone=site_time_zone(site))
        return
    site = session_or_request.app.state.site
    buffer: PageViewBuffer = site.state.setdefault("activity_buffer", PageViewBuffer())
    buffer.add(site, user_id, plugin, action, kind)


FLUSH_SECONDS = 2.0
"""Page views wait at most this long in a worker's memory before they are written together."""

FLUSH_SIZE = 500


class PageViewBuffer:
    """Page views of one worker, written in one transaction every :data:`FLUSH_SECONDS`.

    A write transaction per page view would make every page a write and, on SQLite, make
    concurrent pages queue for the write lock. Buffering costs at most a few seconds of
    figures when a worker crashes; statistics can afford that, pages cannot afford the wait.
    ``site.state["activity_flush_seconds"] = 0`` (the test kit does this) writes at once.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: list[Happening] = []
        self._flushed_at = time.monotonic()

    def add(self, site: Any, user_id: int, plugin: str, action: str, kind: str | None) -> None:
        """Remember one event; write everything remembered when it is time."""
        with self._lock:
            self._pending.append((user_id, plugin, action, kind, dt.datetime.now(dt.UTC)))
            interval = float(site.state.get("activity_flush_seconds", FLUSH_SECONDS))
            due = len(self._pending) >= FLUSH_SIZE or time.monotonic() - self._flushed_at >= interval
        if due:
            self.flush(site)

    def flush(self, site: Any) -> None:
        """Write every remembered event in one short transaction; a failure is logged, never shown."""
        with self._lock:
            pending, self._pending = self._pending, []
            self._flushed_at = time.monotonic()
        if not pending:
            return
        try:
            with site.db.session() as session:
                if not site.db.is_sqlite:
                    # A page view lost in a crash costs nothing; waiting for the disk on every flush does.
                    session.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
                write_many(session, pending, keep_events=_keep_events(site), time_zone=site_time_zone(site))
        except Exception:
            log.warning("%d activity events not recorded", len(pending), exc_info=True)


def flush(site: Any) -> None:
    """Write the page views this worker still holds (at shutdown, and before reading figures in tests)."""
    buffer = site.state.get("activity_buffer")
    if buffer is not None:
        buffer.flush(site)


def _site_of(session: Session) -> Any:
    from organet.notifications.inbox import site_for

    return site_for(session)


def site_time_zone(site: Any) -> dt.tzinfo | None:
    """The site's time zone, whose days the day rows count (``None`` without a site: UTC)."""
    if site is None:
        return None
    try:
        return ZoneInfo(site.config.site["time_zone"])
    except (KeyError, ValueError):
        return None


def _keep_events(site: Any) -> bool:
    return site is None or int(site.setting("activity", "keep_events_days")) > 0


def prune(session: Session, keep_days: int, now: dt.datetime | None = None) -> int:
    """Delete raw events older than ``keep_days``; the day rows stay. Returns how many were removed."""
    cutoff = (now or dt.datetime.now(dt.UTC)) - dt.timedelta(days=keep_days)
    result = session.execute(sa.delete(Event).where(Event.at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
