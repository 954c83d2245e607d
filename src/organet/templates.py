"""The Jinja2 environment: site overrides first, then plugin templates, then the core's; helpers for all."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup
from starlette.requests import Request

from organet import i18n, security, web
from organet.plugins import collect
from organet.runtime import in_audience

if TYPE_CHECKING:
    from organet.site import Site

CORE_TEMPLATES = Path(__file__).parent / "templates"


def template_folders(site: Site) -> list[Path]:
    """Return the folders templates are looked up in, first match wins."""
    folders: list[Path] = []
    override = site.config.site.get("templates_dir")
    if override:
        folder = Path(override)
        if not folder.is_absolute() and site.config.path is not None:
            folder = site.config.path.parent / folder
        folders.append(folder)
    for _plugin, extra in collect(site.pm, "register_template_dirs"):
        folders.append(Path(extra))
    essential_last = sorted(site.plugins.values(), key=lambda p: p.info.essential)
    folders.extend(p.folder / "templates" for p in essential_last if (p.folder / "templates").is_dir())
    folders.append(CORE_TEMPLATES)
    return folders


@jinja2.pass_context
def _url_for(context: Any, name: str, /, **params: Any) -> str:
    request: Request = context["request"]
    query = params.pop("_query", None)
    url = web.path_for(request, name, **params)
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode({k: v for k, v in query.items() if v not in (None, "")}, doseq=True)
    return url


@jinja2.pass_context
def _static(context: Any, plugin: str, path: str) -> str:
    request: Request = context["request"]
    return web.path_for(request, f"static-{plugin}", path=path)


@jinja2.pass_context
def _csrf_field(context: Any) -> Markup:
    token = security.csrf_token(context["request"])
    # The token is hex from an HMAC: nothing in it needs escaping.
    return Markup(f'<input type="hidden" name="{security.CSRF_FIELD}" value="{token}">')  # noqa: S704


@jinja2.pass_context
def _csrf_token(context: Any) -> str:
    return security.csrf_token(context["request"])


@jinja2.pass_context
def _can(context: Any, permission: str) -> bool:
    return web.has_permission(context["request"], permission)


@jinja2.pass_context
def _site_name(context: Any) -> str:
    from organet.core import branding

    return branding.site_name(context["request"])


@jinja2.pass_context
def _logo_url(context: Any) -> str:
    from organet.core import branding

    return branding.logo_url(context["request"])


def navigation(request: Request) -> list[dict[str, Any]]:
    """Return the navigation entries the current person may see: label, url and whether current."""
    the_site = web.site(request)
    person = web.user(request)
    entries = []
    for plugin, entry in the_site.navigation:
        if not web.has_permission(request, entry.permission):
            continue
        if not the_site.plugins[plugin].info.essential and not in_audience(the_site, plugin, person):
            continue
        url = web.path_for(request, entry.route)
        entries.append({"label": entry.label, "url": url,
                        "current": url != "/" and request.url.path.startswith(url)})
    return entries


def flashes(request: Request) -> list[dict[str, str]]:
    """Return (and forget) the messages :func:`organet.web.flash` left for this person."""
    take = getattr(request.state, "take_flashes", None)
    return take() if take is not None else []


def _translate(message: str, /, **variables: Any) -> Markup:
    """``_("...")`` in templates: the translation, escaped like any value, with ``%(name)s`` filled in."""
    text = Markup(i18n.gettext(message))  # noqa: S704 - the catalogue's text; values are escaped by %
    # Most interface text has no placeholder: formatting it would only copy it ("%%" still becomes "%").
    return text % variables if variables or "%" in text else text


def _translate_plural(singular: str, plural: str, n: int, /, **variables: Any) -> Markup:
    """``ngettext(...)`` in templates: singular or plural by ``n``, which fills ``%(num)d`` too."""
    variables.setdefault("num", n)
    return Markup(i18n.ngettext(singular, plural, n)) % variables  # noqa: S704 - as _translate


def make_environment(site: Site) -> jinja2.Environment:
    """Build the site's template environment with the i18n extension and organet's helpers."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in template_folders(site)]),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=bool(site.config.site.get("debug")),
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.gettext(message),
        lambda singular, plural, n: i18n.ngettext(singular, plural, n),
        newstyle=True,
    )
    # The same translations as the extension's, without its context-passing wrappers: a template
    # calls _() dozens of times a page, and inside a loop each wrapper call copies the context.
    environment.globals.update(_=_translate, gettext=_translate, ngettext=_translate_plural)
    environment.globals.update(
        url_for=_url_for,
        static=_static,
        csrf_field=_csrf_field,
        csrf_token=_csrf_token,
        can=_can,
        navigation=navigation,
        site_name=_site_name,
        logo_url=_logo_url,
        flashes=flashes,
        site=site,
        languages=i18n.LANGUAGES,
        current_language=i18n.current_language,
        format_datetime=i18n.format_datetime,
        format_date=i18n.format_date,
        format_time=i18n.format_time,
        format_number=i18n.format_number,
    )
    environment.filters.update(
        datetime=i18n.format_datetime,
        date=i18n.format_date,
        time=i18n.format_time,
        number=i18n.format_number,
    )
    return environment
