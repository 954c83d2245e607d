"""The admin page of the audit record: filter by actor, action and date, newest first, page by page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import web
from organet.audit.models import AuditRecord
from organet.i18n import current_time_zone
from organet.i18n import gettext as _

PAGE_SIZE = 50


def _day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def filtered(query: sa.Select[Any], *, actor: str = "", action: str = "", since: dt.date | None = None,
             until: dt.date | None = None) -> sa.Select[Any]:
    """Apply the page's (and the CLI's) filters: actor name, action prefix, first and last day (site time)."""
    if actor:
        query = query.where(AuditRecord.actor_name == actor.strip())
    if action:
        query = query.where(AuditRecord.action.startswith(action.strip(), autoescape=True))
    zone = current_time_zone()
    if since:
        query = query.where(AuditRecord.at >= dt.datetime.combine(since, dt.time(), zone))
    if until:
        query = query.where(AuditRecord.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), zone))
    return query


def audit_list(request: Request) -> Response:
    """Newest records first, PAGE_SIZE at a time; the filters stay in the links to older pages."""
    params = request.query_params
    actor, action = params.get("actor", "")[:80], params.get("action", "")[:80]
    since, until = _day(params.get("since", "")), _day(params.get("until", ""))
    before = params.get("before", "")
    query = filtered(sa.select(AuditRecord), actor=actor, action=action, since=since, until=until)
    if before.isdecimal():
        query = query.where(AuditRecord.seq < int(before))
    rows = web.db(request).scalars(query.order_by(AuditRecord.seq.desc()).limit(PAGE_SIZE + 1)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    filters = {"actor": actor, "action": action, "since": since.isoformat() if since else "",
               "until": until.isoformat() if until else ""}
    older = {**filters, "before": rows[-1].seq} if more and rows else None
    return web.render(request, "audit/list.html", {"rows": rows, "filters": filters, "older": older,
                                                   "title": _("Audit record")})
