"""Notifying people: grouped rows per recipient, their channel preferences, and what they may still see."""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from organet import i18n
from organet.db import rows, utcnow
from organet.notifications.models import CHANNELS, GroupDefault, Notification, Preference
from organet.people.models import Membership, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site

BELL_LIMIT = 50
_sites: weakref.WeakKeyDictionary[Any, Site] = weakref.WeakKeyDictionary()
# When several of a person's groups have a default for a plugin, the one that tells them most wins.
_CHANNEL_PRIORITY = {"email": 0, "site": 1, "digest": 2, "off": 3}


def _ids(recipients: Iterable[Any]) -> list[int]:
    seen: dict[int, None] = {}
    for recipient in recipients:
        value = getattr(recipient, "id", recipient)
        if value is not None:
            seen.setdefault(int(value), None)
    return list(seen)


def remember_site(site: Site) -> None:
    """Let :func:`notify` find the site (its settings and hooks) from the session a plugin passes."""
    _sites[site.db.engine] = site


def site_for(session: Session) -> Site | None:
    """Return the site whose database ``session`` works on, when it has started in this process."""
    try:
        return _sites.get(session.get_bind())
    except Exception:
        return None


def channels_for(session: Session, site: Site | None, user_ids: list[int], plugin: str) -> dict[int, str]:
    """Return each person's channel for ``plugin``: their own choice, else their groups' default, else the site's."""
    default = "site"
    if site is not None:
        default = site.setting("notifications", "default_channel")
    result = dict.fromkeys(user_ids, default)
    if not user_ids:
        return result
    from_groups: dict[int, str] = {}
    for user_id, channel in session.execute(
            sa.select(Membership.user_id, GroupDefault.channel)
            .join(GroupDefault, GroupDefault.group_id == Membership.group_id)
            .where(Membership.user_id.in_(user_ids), GroupDefault.plugin == plugin)):
        current = from_groups.get(user_id)
        if current is None or _CHANNEL_PRIORITY[channel] < _CHANNEL_PRIORITY[current]:
            from_groups[user_id] = channel
    result.update(from_groups)
    result.update(dict(session.execute(sa.select(Preference.user_id, Preference.channel).where(
        Preference.user_id.in_(user_ids), Preference.plugin == plugin)).all()))
    return result


Text = str | Callable[[], str]
"""A notification's title: plain text, or a function that writes it in the current language."""


def notify(session: Session, recipients: Iterable[Any], plugin: str, kind: str, object_id: str | int, title: Text,
           url: str, actor: Any = None, group_key: str | None = None, quiet: bool = False,
           group_title: Text = "", site: Site | None = None) -> int:
    """Tell ``recipients`` (people or their ids) about an object of ``plugin``; return how many rows changed.

    ``title`` is plain text (escaped wherever it is shown), or better a function that writes it,
    ``lambda: _("%(name)s mentioned you", name=me.name)``: it is then written in each recipient's
    own language, not the actor's (the bell and the mail show what is stored). ``url`` is a path
    on this site.
    With a ``group_key``, an unread notification with the same key is counted up instead of a
    new one added, and shown with ``group_title`` (``"{count} reactions on your post"``) once
    there are several. ``quiet=True`` (bulk imports) records nothing. The actor is never told
    about their own action. Whether each person may see the object is checked again whenever
    the notification is shown or mailed, so nothing leaks when the object later turns private.
    """
    if quiet:
        return 0
    site = site or site_for(session)
    if not url.startswith("/") or url.startswith("//"):
        raise ValueError(f"notify(url={url!r}): give a path on this site, such as '/bulletin/posts/12'")
    actor_id = getattr(actor, "id", actor)
    ids = [i for i in _ids(recipients) if i != actor_id]
    channels = {i: c for i, c in channels_for(session, site, ids, plugin).items() if c != "off"}
    if not channels:
        return 0
    now = utcnow()
    texts = _texts_by_language(session, site, list(channels), title, group_title)
    grouped: dict[int, int] = {}
    if group_key:
        grouped = dict(session.execute(sa.select(Notification.recipient_id, sa.func.max(Notification.id)).where(
            Notification.recipient_id.in_(list(channels)), Notification.plugin == plugin,
            Notification.group_key == group_key, Notification.read_at.is_(None))
            .group_by(Notification.recipient_id)).all())
    for (text, group_text), ids_of_language in _by_text(texts, grouped).items():
        session.execute(sa.update(Notification).where(Notification.id.in_(ids_of_language)).values(
            count=Notification.count + 1, title=text, group_title=group_text, url=url, actor_id=actor_id,
            updated_at=now), execution_options={"synchronize_session": False})
    fresh = [{"recipient_id": user_id, "plugin": plugin, "kind": kind, "object_id": str(object_id),
              "group_key": group_key or "", "title": texts[user_id][0], "group_title": texts[user_id][1], "url": url,
              "actor_id": actor_id, "count": 1, "channel": channel,
              "mail_state": "pending" if channel == "email" else "", "created_at": now, "updated_at": now}
             for user_id, channel in channels.items() if user_id not in grouped]
    if fresh:
        session.execute(sa.insert(Notification), fresh)
    _wake_mailer(session, site, fresh)
    return len(grouped) + len(fresh)


def _texts_by_language(session: Session, site: Site | None, ids: list[int], title: Text,
                       group_title: Text) -> dict[int, tuple[str, str]]:
    """Each recipient's (title, group title), written in their language when the texts are functions."""
    if not callable(title) and not callable(group_title):
        return dict.fromkeys(ids, (title[:300], group_title[:300]))
    default = site.config.site["language"] if site is not None else i18n.DEFAULT_LANGUAGE
    catalogues = site.state.get("catalogues") if site is not None else None
    languages = {user_id: language or default for user_id, language in session.execute(
        sa.select(User.id, User.language).where(User.id.in_(ids)))}
    written: dict[str, tuple[str, str]] = {}
    for language in set(languages.values()) | {default}:
        with i18n.speaking(language, catalogues):
            written[language] = ((title() if callable(title) else title)[:300],
                                 (group_title() if callable(group_title) else group_title)[:300])
    return {user_id: written[languages.get(user_id, default)] for user_id in ids}


def _by_text(texts: dict[int, tuple[str, str]], grouped: dict[int, int]) -> dict[tuple[str, str], list[int]]:
    """The grouped notifications to count up, by the (title, group title) each recipient gets."""
    found: dict[tuple[str, str], list[int]] = {}
    for user_id, notification_id in grouped.items():
        found.setdefault(texts[user_id], []).append(notification_id)
    return found


def _wake_mailer(session: Session, site: Site | None, fresh: list[dict[str, Any]]) -> None:
    """Queue one run of the mail job (the periodic run sends anything this misses)."""
    if not any(row["mail_state"] == "pending" for row in fresh):
        return
    if site is not None and "notifications.mail" in site.jobs:
        from organet.jobs import enqueue

        enqueue(session, "notifications.mail", key="wake")


def visible(site: Site, session: Session, person: Any, rows: Iterable[Any]) -> list[Any]:
    """Keep the notifications whose object ``person`` may still see (the ``object_visible_to`` hook).

    ``rows`` are notifications, or any rows with their ``plugin``, ``kind`` and ``object_id``.
    """
    from organet.content.visibility import can_see

    answers: dict[tuple[str, str, str], bool] = {}
    kept = []
    for row in rows:
        key = (row.plugin, row.kind, row.object_id)
        if key not in answers:
            answers[key] = can_see(site, session, person, *key)
        if answers[key]:
            kept.append(row)
    return kept


# Built once (putting a statement together costs more than running it): what the bell counts.
_UNREAD_OBJECTS = (
    sa.select(Notification.plugin, Notification.kind, Notification.object_id)
    .where(Notification.recipient_id == sa.bindparam("person_id"), Notification.read_at.is_(None),
           Notification.channel != "off")
    .order_by(Notification.updated_at.desc()).limit(BELL_LIMIT))


def unread_count(site: Site, session: Session, person: Any) -> int:
    """The number for the bell: unread notifications about objects the person may still see (at most 50)."""
    if not getattr(person, "id", None):
        return 0
    # Every page shows the bell: fetch just the object each notification is about, not whole rows.
    return len(visible(site, session, person, rows(session, _UNREAD_OBJECTS, {"person_id": person.id})))


def recent(site: Site, session: Session, person: Any, limit: int = 30, before: dt.datetime | None = None,
           unread_only: bool = False) -> list[Notification]:
    """A page of the person's notifications, newest first, leaving out what they may no longer see."""
    query = sa.select(Notification).where(Notification.recipient_id == person.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if before is not None:
        query = query.where(Notification.updated_at < before)
    rows = session.scalars(query.order_by(Notification.updated_at.desc(), Notification.id.desc()).limit(limit))
    return visible(site, session, person, rows)


def mark_read(session: Session, person: Any, notification_id: int | None = None) -> int:
    """Mark one of the person's notifications (or, without an id, all of them) as read; return how many."""
    query = sa.update(Notification).where(Notification.recipient_id == person.id, Notification.read_at.is_(None))
    if notification_id is not None:
        query = query.where(Notification.id == notification_id)
    result = session.execute(query.values(read_at=utcnow()), execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def pending_for_digest(session: Session, user: Any, since: dt.datetime, site: Site | None = None) -> list[Notification]:
    """What a digest mail should tell ``user``: unread notifications on the digest channel changed since ``since``.

    Oldest first; objects the person may no longer see are left out when ``site`` is given
    (always give it when composing mail). A digest plugin marks nothing read: the person does.
    """
    rows = list(session.scalars(sa.select(Notification).where(
        Notification.recipient_id == getattr(user, "id", user), Notification.read_at.is_(None),
        Notification.channel == "digest", Notification.updated_at > since)
        .order_by(Notification.updated_at, Notification.id).limit(500)))
    if site is None:
        return rows
    person = user if isinstance(user, User) else session.get(User, user)
    return visible(site, session, person, rows)


def set_preference(session: Session, person: Any, plugin: str, channel: str) -> None:
    """Store a person's channel for one plugin (one of :data:`CHANNELS`)."""
    if channel not in CHANNELS:
        raise ValueError(f"channel {channel!r}: use one of {', '.join(CHANNELS)}")
    session.merge(Preference(user_id=getattr(person, "id", person), plugin=plugin, channel=channel))


def set_group_default(session: Session, group_id: int, plugin: str, channel: str | None) -> None:
    """Store (or with ``None`` remove) an admin's default channel for a group's members and one plugin."""
    session.execute(sa.delete(GroupDefault).where(GroupDefault.group_id == group_id, GroupDefault.plugin == plugin))
    if channel is not None:
        if channel not in CHANNELS:
            raise ValueError(f"channel {channel!r}: use one of {', '.join(CHANNELS)}")
        session.add(GroupDefault(group_id=group_id, plugin=plugin, channel=channel))
