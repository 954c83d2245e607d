"""The notifications pages: the list, opening and marking read, preferences, and the admin's group defaults."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from organet import web
from organet.errors import NotFound, ValidationError
from organet.i18n import N_
from organet.i18n import gettext as _
from organet.notifications import inbox
from organet.notifications.models import CHANNELS, GroupDefault, Notification, Preference
from organet.people.models import Group

CHANNEL_LABELS = {"site": N_("In the site"), "email": N_("By e-mail at once"), "digest": N_("In the digest mail"),
                  "off": N_("Off")}


def notification_list(request: Request) -> Response:
    """Newest first; only what the person may still see."""
    person = web.user(request)
    rows = inbox.recent(web.site(request), web.db(request), person, limit=50,
                        unread_only=request.query_params.get("unread") == "1")
    return web.render(request, "notifications/list.html", {"rows": rows, "title": _("Notifications"),
                                                           "unread_only": request.query_params.get("unread") == "1"})


def open_notification(request: Request) -> Response:
    """Mark one notification read and go to what it is about (when the person may still see it)."""
    session, person = web.db(request), web.user(request)
    row = session.get(Notification, int(request.path_params["id"]))
    if row is None or row.recipient_id != person.id:
        raise NotFound("Not found.")
    inbox.mark_read(session, person, row.id)
    if not inbox.visible(web.site(request), session, person, [row]):
        raise NotFound("Not found.")
    return RedirectResponse(row.url, status_code=303)


def mark_read(request: Request) -> Response:
    """Mark one (form field ``id``) or all notifications read."""
    raw = str(web.form(request).get("id", ""))
    inbox.mark_read(web.db(request), web.user(request), int(raw) if raw.isdecimal() else None)
    web.flash(request, _("Marked as read."))
    return web.redirect_back(request, str(request.url_for("notifications:list").path))


def _plugins_for(request: Request) -> list[tuple[str, str]]:
    the_site = web.site(request)
    used = set(web.db(request).scalars(sa.select(Notification.plugin).where(
        Notification.recipient_id == web.user(request).id).distinct()))
    names = [p.name for p in the_site.plugins.values() if not p.info.essential or p.name in used]
    return [(name, the_site.plugins[name].info.title) for name in names if name in the_site.plugins]


def preferences(request: Request) -> Response:
    """Per plugin: in the site, by e-mail at once, in the digest, or off."""
    session, person = web.db(request), web.user(request)
    plugins = _plugins_for(request)
    if request.method == "POST":
        form = web.form(request)
        for name, _title in plugins:
            channel = str(form.get(f"channel.{name}", ""))
            if channel in CHANNELS:
                inbox.set_preference(session, person, name, channel)
        web.flash(request, _("Your notification settings are saved."))
        return web.redirect(request, "notifications:preferences")
    chosen = {p: inbox.channels_for(session, web.site(request), [person.id], p)[person.id] for p, _t in plugins}
    own = dict(session.execute(sa.select(Preference.plugin, Preference.channel).where(
        Preference.user_id == person.id)).all())
    return web.render(request, "notifications/preferences.html", {
        "plugins": plugins, "chosen": chosen, "own": own, "channels": CHANNEL_LABELS,
        "default": web.setting(request, "notifications", "default_channel"), "title": _("Notification settings")})


def admin_defaults(request: Request) -> Response:
    """The admin sets, per group and plugin, the channel its members get unless they chose one."""
    session, the_site = web.db(request), web.site(request)
    plugins = [(p.name, p.info.title) for p in the_site.plugins.values()]
    if request.method == "POST":
        form = web.form(request)
        group_raw, plugin, channel = str(form.get("group", "")), str(form.get("plugin", "")), str(form.get("channel"))
        group = session.get(Group, int(group_raw)) if group_raw.isdecimal() else None
        if group is None or plugin not in the_site.plugins or channel not in (*CHANNELS, "none"):
            raise ValidationError(_("Choose a group, a plugin and a channel."))
        inbox.set_group_default(session, group.id, plugin, None if channel == "none" else channel)
        web.flash(request, _("Saved."))
        return web.redirect(request, "notifications:admin")
    groups = session.scalars(sa.select(Group).order_by(Group.kind, Group.name).limit(2000)).all()
    defaults = session.execute(sa.select(GroupDefault, Group).join(Group, Group.id == GroupDefault.group_id)
                               .order_by(Group.name, GroupDefault.plugin)).all()
    return web.render(request, "notifications/admin.html", {
        "groups": groups, "plugins": plugins, "defaults": defaults, "channels": CHANNEL_LABELS,
        "title": _("Notification defaults")})
