"""Reports and moderation: anyone reports an object, moderators hide and restore it with a recorded reason."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from organet.content.models import HiddenObject, ModerationAction, Report
from organet.db import utcnow
from organet.errors import ValidationError
from organet.i18n import gettext as _

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site

MAX_REASON = 2000


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError(_("Give a reason."), {"reason": [_("Give a reason.")]})
    if len(text) > MAX_REASON:
        raise ValidationError(_("The reason is too long; keep it under %(n)s characters.", n=MAX_REASON),
                              {"reason": [_("Too long.")]})
    return text


def report(session: Session, reporter: Any, plugin: str, kind: str, object_id: str | int, reason: str,
           url: str = "") -> Report:
    """Record that ``reporter`` reports an object, with their reason; it appears in the moderation queue."""
    row = Report(plugin=plugin, kind=kind, object_id=str(object_id), reason=_reason(reason),
                 url=url if url.startswith("/") and not url.startswith("//") else "",
                 reporter_id=getattr(reporter, "id", None))
    session.add(row)
    session.flush()
    return row


def is_hidden(session: Session, plugin: str, kind: str, object_id: str | int) -> bool:
    """True when a moderator has hidden this object (and not restored it)."""
    return session.get(HiddenObject, (plugin, kind, str(object_id))) is not None


def hidden_ids(session: Session, plugin: str, kind: str, object_ids: Iterable[str | int]) -> set[str]:
    """Return which of ``object_ids`` are hidden, in one query (for lists)."""
    ids = [str(i) for i in object_ids]
    if not ids:
        return set()
    return set(session.scalars(sa.select(HiddenObject.object_id).where(
        HiddenObject.plugin == plugin, HiddenObject.kind == kind, HiddenObject.object_id.in_(ids))))


def set_hidden(session: Session, site: Site, moderator: Any, plugin: str, kind: str, object_id: str | int,
               hidden: bool, reason: str) -> ModerationAction:
    """Hide (``hidden=True``) or restore an object; record who did it and why; tell the owning plugin.

    Open reports about the object are resolved. The ``on_content_moderated`` hook lets the
    owning plugin hide the object in its own lists and search index.
    """
    object_id = str(object_id)
    text = _reason(reason)
    existing = session.get(HiddenObject, (plugin, kind, object_id))
    if hidden and existing is None:
        session.add(HiddenObject(plugin=plugin, kind=kind, object_id=object_id, reason=text))
    elif not hidden and existing is not None:
        session.delete(existing)
    action = ModerationAction(plugin=plugin, kind=kind, object_id=object_id, action="hide" if hidden else "restore",
                              reason=text, moderator_id=getattr(moderator, "id", None))
    session.add(action)
    session.execute(sa.update(Report).where(Report.plugin == plugin, Report.kind == kind,
                                            Report.object_id == object_id, Report.resolved_at.is_(None))
                    .values(resolved_at=utcnow()))
    session.flush()
    site.hook.on_content_moderated(session=session, plugin=plugin, kind=kind, object_id=object_id,
                                   hidden=hidden, reason=text)
    return action


def queue(session: Session, include_resolved: bool = False, limit: int = 100) -> list[dict[str, Any]]:
    """Return reported objects, most recently reported first: one entry per object with its reports."""
    query = sa.select(Report).order_by(Report.created_at.desc(), Report.id.desc()).limit(limit * 5)
    if not include_resolved:
        query = query.where(Report.resolved_at.is_(None))
    entries: dict[tuple[str, str, str], dict[str, Any]] = {}
    for row in session.scalars(query):
        key = (row.plugin, row.kind, row.object_id)
        entry = entries.setdefault(key, {"plugin": row.plugin, "kind": row.kind, "object_id": row.object_id,
                                         "url": row.url, "reports": []})
        entry["url"] = entry["url"] or row.url
        entry["reports"].append(row)
    result = list(entries.values())[:limit]
    hidden = {(h.plugin, h.kind, h.object_id): h for h in session.scalars(sa.select(HiddenObject).where(
        sa.tuple_(HiddenObject.plugin, HiddenObject.kind, HiddenObject.object_id).in_(
            [(e["plugin"], e["kind"], e["object_id"]) for e in result])))} if result else {}
    for entry in result:
        entry["hidden"] = (entry["plugin"], entry["kind"], entry["object_id"]) in hidden
    return result


def history(session: Session, plugin: str, kind: str, object_id: str | int) -> list[ModerationAction]:
    """Return every moderation decision about an object, newest first."""
    return list(session.scalars(sa.select(ModerationAction).where(
        ModerationAction.plugin == plugin, ModerationAction.kind == kind,
        ModerationAction.object_id == str(object_id)).order_by(ModerationAction.id.desc())))
