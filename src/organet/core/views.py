"""The core's pages: dashboard, health check, language choice and the admin section's plugin pages."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from organet import audit, i18n, schema, web
from organet.config import coerce
from organet.core.models import Audience, DashboardChoice, StoredSetting
from organet.errors import NotFound, ValidationError
from organet.people.models import Group
from organet.runtime import bump, in_audience

log = logging.getLogger("organet.core")


def visible_widgets(request: Request) -> list[dict[str, Any]]:
    """Return the widgets the current person may see, in their chosen order, with hidden ones marked."""
    site = web.site(request)
    person = web.user(request)
    choices = {c.widget: c for c in web.db(request).scalars(
        sa.select(DashboardChoice).where(DashboardChoice.user_id == person.id))}
    widgets = []
    for default_position, (plugin, widget) in enumerate(site.widgets):
        if not web.has_permission(request, widget.permission):
            continue
        if not site.plugins[plugin].info.essential and not in_audience(site, plugin, person):
            continue
        key = f"{plugin}.{widget.name}"
        choice = choices.get(key)
        widgets.append({"key": key, "widget": widget, "plugin": plugin,
                        "position": choice.position if choice else 1000 + default_position,
                        "hidden": bool(choice and choice.hidden)})
    return sorted(widgets, key=lambda w: w["position"])


def dashboard(request: Request) -> Response:
    """The home page: the person's widgets in their order; hidden ones listed to bring back."""
    blocks = []
    widgets = visible_widgets(request)
    for item in widgets:
        if item["hidden"]:
            continue
        try:
            html = item["widget"].render(request)
        except Exception:
            log.exception("widget %s failed", item["key"])
            html = Markup("<p>") + i18n.gettext("This block could not be shown just now.") + Markup("</p>")
        blocks.append({**item, "html": html})
    hidden = [w for w in widgets if w["hidden"]]
    return web.render(request, "core/dashboard.html", {"blocks": blocks, "hidden": hidden,
                                                       "title": i18n.gettext("Home")})


def arrange_dashboard(request: Request) -> Response:
    """Move a widget up or down, hide it or show it again; then back to the dashboard."""
    form = web.form(request)
    key, action = str(form.get("widget", "")), str(form.get("action", ""))
    widgets = visible_widgets(request)
    keys = [w["key"] for w in widgets]
    if key not in keys or action not in {"up", "down", "hide", "show"}:
        raise ValidationError(i18n.gettext("Choose a block on your dashboard and what to do with it."))
    session = web.db(request)
    person = web.user(request)
    index = keys.index(key)
    if action in {"up", "down"}:
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(keys):
            keys[index], keys[other] = keys[other], keys[index]
    hidden = {w["key"] for w in widgets if w["hidden"]}
    if action == "hide":
        hidden.add(key)
    elif action == "show":
        hidden.discard(key)
    for position, widget_key in enumerate(keys):
        session.merge(DashboardChoice(user_id=person.id, widget=widget_key, position=position,
                                      hidden=widget_key in hidden))
    return web.redirect(request, "core:dashboard")


def healthz(request: Request) -> Response:
    """For load balancers: 200 when the database answers and every plugin's health check is fine."""
    site = web.site(request)
    checks: dict[str, dict[str, Any]] = {}
    try:
        web.db(request).execute(sa.text("SELECT 1"))
        checks["database"] = {"ok": True, "detail": site.db.engine.dialect.name}
    except Exception as error:  # the point of a health check is to say so, not to raise
        checks["database"] = {"ok": False, "detail": type(error).__name__}
    for result in site.hook.health_status(site=site, session=web.db(request)):
        checks.update(result or {})
    healthy = all(check["ok"] for check in checks.values())
    return JSONResponse({"status": "ok" if healthy else "unhealthy", "checks": checks},
                        status_code=200 if healthy else 503)


def choose_language(request: Request) -> Response:
    """Switch the interface language: kept in the profile when signed in, else in a cookie."""
    language = str(web.form(request).get("language", ""))
    if language not in i18n.LANGUAGES:
        raise ValidationError(i18n.gettext("Choose Nederlands or English."))
    person = web.user(request)
    if person:
        person.language = language
    response = web.redirect_back(request)
    response.set_cookie("organet_lang", language, max_age=365 * 24 * 3600, httponly=True, samesite="lax")
    return response


def admin_index(request: Request) -> Response:
    """The admin section's front page: a link to every admin page this person may open."""
    site = web.site(request)
    pages = [{"label": page.label, "url": str(request.url_for(page.route).path)}
             for _plugin, page in site.admin_pages if web.has_permission(request, page.permission)]
    return web.render(request, "core/admin.html", {"pages": pages, "title": i18n.gettext("Admin")})


def admin_plugins(request: Request) -> Response:
    """Every plugin: version, phase, enabled state, audience and migration state."""
    site = web.site(request)
    session = web.db(request)
    at = schema.current(site)
    audiences: dict[str, list[Group]] = {}
    for plugin, group in session.execute(sa.select(Audience.plugin, Group).join(Group, Group.id == Audience.group_id)):
        audiences.setdefault(plugin, []).append(group)
    rows = []
    for loaded in site.plugins.values():
        migrated = ""
        if loaded.migrations.is_dir():
            migrated = "ok" if at.get(loaded.name) == schema.heads(loaded) else "pending"
        rows.append({"plugin": loaded, "audience": audiences.get(loaded.name, []), "migrations": migrated})
    return web.render(request, "core/admin_plugins.html", {"rows": rows, "title": i18n.gettext("Plugins")})


def admin_plugin(request: Request) -> Response:
    """One plugin: set its pilot audience and its run-time settings."""
    site = web.site(request)
    name = request.path_params["plugin"]
    plugin = site.plugins.get(name)
    if plugin is None:
        raise NotFound(i18n.gettext("No such plugin."))
    session = web.db(request)
    runtime_settings = [s for s in site.declared_settings.get(name, ()) if s.runtime]
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = web.form(request)
        old_audience = set(session.scalars(sa.select(Audience.group_id).where(Audience.plugin == name)))
        old_values = {s.key: site.setting(name, s.key) for s in runtime_settings}
        new_values: dict[str, Any] = {}
        chosen = old_audience
        if not plugin.info.essential:
            chosen = {int(str(v)) for v in form.getlist("audience") if str(v).isdecimal()}
            session.execute(sa.delete(Audience).where(Audience.plugin == name))
            for group_id in sorted(chosen):
                session.add(Audience(plugin=name, group_id=group_id))
        for setting in runtime_settings:
            raw = form.get(f"setting.{setting.key}")
            if setting.type is bool:
                raw = "true" if raw else "false"
            if raw is None:
                continue
            try:
                value = coerce(setting, str(raw), f"[plugins.{name}]")
            except Exception as error:
                errors[setting.key] = str(error).split("\n")[-1]
                continue
            session.merge(StoredSetting(plugin=name, key=setting.key, value=value))
            new_values[setting.key] = value
        if not errors:
            _audit_plugin_change(request, name, old_audience, chosen, old_values, new_values, runtime_settings)
            bump(session)
            site.state["runtime"].refresh(session, force=True)
            web.flash(request, i18n.gettext("Saved. Every worker applies it within seconds."))
            return RedirectResponse(str(request.url_for("core:admin_plugin", plugin=name).path), status_code=303)
        session.rollback()
    groups = session.scalars(sa.select(Group).order_by(Group.kind, Group.name)).all()
    audience = set(session.scalars(sa.select(Audience.group_id).where(Audience.plugin == name)))
    # A list setting is edited as comma-separated text, the form coerce() reads back.
    values = {s.key: ", ".join(map(str, value)) if isinstance(value := site.setting(name, s.key), list) else value
              for s in runtime_settings}
    return web.render(request, "core/admin_plugin.html", {
        "plugin": plugin, "groups": groups, "audience": audience, "settings": runtime_settings,
        "values": values, "errors": errors, "title": i18n.gettext(plugin.info.title),
    }, status_code=422 if errors else 200)


def _audit_plugin_change(request: Request, name: str, old_audience: set[int], new_audience: set[int],
                         old_values: dict[str, Any], new_values: dict[str, Any], declared: list[Any]) -> None:
    """Record a changed pilot audience and changed run-time settings in the audit trail (secrets hidden)."""
    session = web.db(request)
    person = web.user(request)
    if new_audience != old_audience:
        audit.record(session, person, "core.audience.changed", target=f"plugin:{name}",
                     details={"from": sorted(old_audience), "to": sorted(new_audience)}, request=request)
    secret = {s.key for s in declared if s.secret}
    changed = {key: {"from": "(hidden)" if key in secret else old_values.get(key),
                     "to": "(hidden)" if key in secret else value}
               for key, value in new_values.items() if value != old_values.get(key)}
    if changed:
        audit.record(session, person, "core.settings.changed", target=f"plugin:{name}", details=changed,
                     request=request)
