"""Privacy (AVG/GDPR): a person's data export, erasure by an admin, and the retention job.

Every plugin answers ``export_person_data`` and ``on_person_erased``; the core adds its own
data and, last, anonymises the person's row so that what plugins keep (a post, a booking)
points at "an erased person" instead of at someone. Each plugin's erasure runs in a
savepoint of its own: a plugin that fails is rolled back alone and reported, the others'
erasure still happens, and the audit keeps that the erasure took place (without the name).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from organet import audit, web
from organet.db import utcnow
from organet.errors import NotFound, PermissionDenied, ValidationError
from organet.i18n import gettext as _
from organet.people.models import ImportRun, Membership, User, as_dict

log = logging.getLogger("organet.people")

UPLOADS_KEPT = dt.timedelta(days=30)


def person_data(site: Any, session: Session, person: User) -> dict[str, Any]:
    """Return everything held about ``person``: ``{"people": core data, "<plugin>": that plugin's data}``."""
    data: dict[str, Any] = {"people": {**as_dict(person), "hr_id": person.hr_id, "hr_fields": person.hr_fields,
                                       "created_at": person.created_at.isoformat()}}
    for impl in reversed(site.pm.hook.export_person_data.get_hookimpls()):
        try:
            with session.begin_nested():
                result = impl.function(**{k: v for k, v in {"session": session, "person": person}.items()
                                          if k in impl.argnames})
        except Exception:  # say which part is missing rather than withhold the whole export
            log.exception("plugin %s failed to export person %s", impl.plugin_name, person.id)
            result = {"error": _("This module could not export its data just now. Try again later, or ask "
                                 "the helpdesk.")}
        if result:
            data[impl.plugin_name] = result
    return data


def export(request: Request) -> Response:
    """Download all data held about a person as JSON: for the person themselves and for people managers."""
    session = web.db(request)
    viewer = web.user(request)
    person = session.scalar(sa.select(User).where(User.username == request.path_params["username"],
                                                  User.erased_at.is_(None)))
    if person is None:
        raise NotFound(_("There is nobody with this username."))
    if person.id != viewer.id and not web.has_permission(request, "manage-people"):
        raise PermissionDenied(_("You may download only your own data."))
    data = {"exported_at": utcnow().isoformat(), **person_data(web.site(request), session, person)}
    audit.record(session, viewer, "people.person.exported", target=f"person:{person.username}", request=request)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return Response(body, media_type="application/json", headers={
        "content-disposition": f'attachment; filename="{person.username}-data.json"'})


def erase_person(site: Any, session: Session, person: User, actor: Any, request: Any = None) -> dict[str, str]:
    """Erase ``person``: every plugin's ``on_person_erased``, then the core's anonymisation.

    Returns ``{plugin: error}`` for plugins that failed (their part was rolled back); an empty
    dict means everything was erased. The caller's transaction commits the result.
    """
    failures: dict[str, str] = {}
    person_id = person.id
    for impl in reversed(site.pm.hook.on_person_erased.get_hookimpls()):
        if impl.plugin_name == "people":
            continue
        try:
            with session.begin_nested():
                impl.function(**{k: v for k, v in {"session": session, "person": person}.items()
                                 if k in impl.argnames})
        except Exception as error:  # one plugin's failure must not stop the others' erasure
            log.exception("plugin %s failed to erase person %s", impl.plugin_name, person_id)
            failures[impl.plugin_name] = f"{type(error).__name__}: {error}"
    anonymise(session, person)
    audit.record(session, actor, "people.person.erased", target=f"person:{person_id}",
                 details={"failed_plugins": sorted(failures)}, request=request)
    return failures


def anonymise(session: Session, person: User) -> None:
    """Remove the core's personal data from ``person``'s row; the row stays so references keep working."""
    # Stored HR uploads name the person too: drop those that mention them.
    clues = [clue for clue in (person.email, person.hr_id) if clue and len(clue) >= 3]
    if clues:
        session.execute(sa.delete(ImportRun).where(sa.or_(*(ImportRun.content.contains(clue, autoescape=True)
                                                             for clue in clues))))
    marker = f"erased-{person.id}"
    person.username = marker
    person.email = f"{marker}@invalid"
    person.set_name("", "", "")
    person.display_name = _("Erased person")
    person.language = person.time_zone = None
    person.hr_id = None
    person.hr_fields = []
    person.password_hash = None
    person.last_login_at = None
    person.active = False
    person.deactivated_by_admin = True
    person.deactivated_at = person.deactivated_at or utcnow()
    person.erased_at = utcnow()
    session.execute(sa.delete(Membership).where(Membership.user_id == person.id))
    session.expire(person, ["memberships"])
    session.flush()
    from organet.people.accounts import reindex

    reindex(session, person)


def erase_page(request: Request) -> Response:
    """Admin: confirm, then erase a person in every plugin."""
    session = web.db(request)
    person = session.scalar(sa.select(User).where(User.username == request.path_params["username"],
                                                  User.erased_at.is_(None)))
    if person is None:
        raise NotFound(_("There is nobody with this username."))
    if request.method == "POST":
        if str(web.form(request).get("confirm", "")) != person.username:
            raise ValidationError(_("Type the username to confirm the erasure."), {"confirm": [_("Not the username.")]})
        if person.id == web.user(request).id:
            raise ValidationError(_("You cannot erase yourself."))
        failures = erase_person(web.site(request), session, person, web.user(request), request)
        if failures:
            web.flash(request, _("Erased, except in: %(plugins)s. See the log.", plugins=", ".join(failures)),
                      "error")
        else:
            web.flash(request, _("The person is erased."))
        return web.redirect(request, "people:admin_people")
    return web.render(request, "people/admin_erase.html", {"person": person, "title": _("Erase person")})


def retention_job(ctx: Any) -> None:
    """Erase people deactivated longer ago than ``[plugins.people] erase_deactivated_after_days``.

    Also forgets HR uploads older than a month (they hold everyone's personal data).
    """
    # HR uploads are kept only for the admin's check-then-apply; a month is plenty.
    ctx.session.execute(sa.delete(ImportRun).where(ImportRun.created_at < utcnow() - UPLOADS_KEPT))
    days = int(ctx.site.setting("people", "erase_deactivated_after_days") or 0)
    if days <= 0:
        return
    cutoff = utcnow() - dt.timedelta(days=days)
    due = list(ctx.session.scalars(sa.select(User).where(
        User.active.is_(False), User.erased_at.is_(None), User.deactivated_at.is_not(None),
        User.deactivated_at < cutoff).order_by(User.id).limit(200)))
    for index, person in enumerate(due, start=1):
        erase_person(ctx.site, ctx.session, person, "retention")
        ctx.progress(index, len(due))

