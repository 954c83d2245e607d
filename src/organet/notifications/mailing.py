"""Mail for notifications, composed by a job at send time so that visibility is checked when it goes out."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from markupsafe import escape

from organet import i18n
from organet.i18n import gettext as _
from organet.notifications.inbox import visible
from organet.notifications.models import Notification
from organet.people.models import User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site

BATCH = 200


def one_line(text: str) -> str:
    """Return ``text`` on one line: no CR/LF can reach a mail header."""
    return " ".join(str(text).split())


def compose(site: Site, notification: Notification) -> tuple[str, str, str]:
    """Return subject, plain text and HTML of the mail about ``notification`` (every field escaped in HTML)."""
    base = str(site.config.site["base_url"]).rstrip("/")
    title = one_line(notification.display_title)
    link = base + notification.url
    name = one_line(site.config.site["name"])
    subject = f"{name}: {title}"[:200]
    footer = _("You get this mail because of your notification settings on %(site)s.", site=name)
    text = f"{title}\n\n{link}\n\n{footer}"
    label = _("Open")
    html = (f"<p>{escape(title)}</p><p><a href=\"{escape(link)}\">{escape(label)}</a></p>"
            f"<p><small>{escape(footer)}</small></p>")
    return subject, text, html


def deliver_pending(session: Session, site: Site) -> dict[str, int]:
    """Send the mail of notifications waiting for it; skip those whose object the person may no longer see.

    Returns counts ``{"sent": n, "skipped": m}``. Rows are marked in the same transaction
    that puts the mail in the outbox, so nothing goes out twice.
    """
    from organet import mail

    counts = {"sent": 0, "skipped": 0}
    rows = list(session.scalars(sa.select(Notification).where(Notification.mail_state == "pending")
                                .order_by(Notification.id).limit(BATCH)))
    people = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_({r.recipient_id for r in rows})))}
    for row in rows:
        person = people.get(row.recipient_id)
        if person is None or not person.active or not person.email or row.read_at is not None or \
                not visible(site, session, person, [row]):
            row.mail_state = "skipped"
            counts["skipped"] += 1
            continue
        i18n.set_language(person.language or site.config.site["language"], person.time_zone,
                          site.state.get("catalogues"))
        subject, text, html = compose(site, row)
        try:
            mail.send(session, person.email, subject, text, html=html)
        except mail.MailError:  # an address that is not one: nothing to retry
            row.mail_state = "skipped"
            counts["skipped"] += 1
            continue
        row.mail_state = "sent"
        counts["sent"] += 1
    session.flush()
    return counts


def mail_job(ctx: Any) -> None:
    """The ``notifications.mail`` job: deliver whatever waits (queued on notify, and every minute)."""
    deliver_pending(ctx.session, ctx.site)
