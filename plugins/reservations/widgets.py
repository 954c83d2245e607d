"""The "my bookings" dashboard block: the next few bookings of the current person."""

from __future__ import annotations

import datetime as dt

from markupsafe import Markup
from starlette.requests import Request

from organet import web
from organet.db import utcnow
from organet.i18n import format_datetime, format_time
from organet.i18n import gettext as _

from . import queries
from .models import HOLDING

SHOWN = 5


def my_bookings(request: Request) -> Markup:
    """The next five bookings (and waiting requests) of the signed-in person, with links."""
    now = utcnow()
    coming = queries.entries(web.db(request), now, now + dt.timedelta(days=365), person_id=web.user(request).id,
                             statuses=(HOLDING, "pending"), limit=SHOWN)
    mine = str(request.url_for("reservations:mine").path)
    if not coming:
        return Markup("<p>{}</p><p><a href=\"{}\">{}</a></p>").format(
            _("No bookings coming up."), str(request.url_for("reservations:find").path), _("Find a free room"))
    items = Markup("").join(
        Markup('<li><a href="{}">{}</a> — {}–{}, {}{}</li>').format(
            str(request.url_for("reservations:booking", booking_id=entry.id).path), entry.title,
            format_datetime(entry.starts_at, "short"), format_time(entry.ends_at), entry.resource_name,
            Markup(" <em>({})</em>").format(_("waiting for approval")) if entry.status != HOLDING else "")
        for entry in coming)
    return Markup('<ul class="link-list">{}</ul><p><a href="{}">{}</a></p>').format(items, mine, _("All my bookings"))


