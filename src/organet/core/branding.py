"""The site's branding: name, logo and colours set by an admin, applied through a generated stylesheet.

The colours reach the page as CSS custom properties in ``/branding.css`` rather than inline
styles, because the Content-Security-Policy forbids inline styles. A colour pair whose
contrast is below WCAG AA (4.5:1 for text) is refused, so no admin can make the header unreadable.
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from organet import i18n, web
from organet.core.models import StoredSetting
from organet.errors import NotFound, ValidationError
from organet.i18n import N_
from organet.runtime import bump
from organet.types import Setting

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULTS = {"brand_colour": "#0b5394", "brand_text_colour": "#ffffff"}
MIN_CONTRAST = 4.5

SETTINGS = [
    Setting("site_name", str, "", N_("The name in the header and the browser tab; empty uses [site] name."),
            example="Intranet Zorggroep Rivierenland", runtime=True),
    Setting("logo_url", str, "", N_("Address of the logo on this site (starts with /); empty shows the name only."),
            example="/media/logo.png", runtime=True),
    Setting("brand_colour", str, DEFAULTS["brand_colour"], N_("Background colour of the header (#rrggbb)."),
            example="#0b5394", runtime=True),
    Setting("brand_text_colour", str, DEFAULTS["brand_text_colour"],
            N_("Text colour on the header (#rrggbb); must contrast 4.5:1 with the header colour."),
            example="#ffffff", runtime=True),
]


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """Return the WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colours(request: Request) -> dict[str, str]:
    """The brand colours to use; a stored value that is not ``#rrggbb`` falls back to the default."""
    result = {}
    for key, default in DEFAULTS.items():
        value = str(web.setting(request, "core", key) or "")
        result[key] = value if COLOUR.match(value) else default
    return result


def site_name(request: Request) -> str:
    """The site's name as an admin set it, else the ``[site] name`` of organet.toml."""
    return str(web.setting(request, "core", "site_name") or web.site(request).config.site["name"])


def logo_url(request: Request) -> str:
    """The logo's local address, or "" (only paths on this site: no asset comes from another host)."""
    url = str(web.setting(request, "core", "logo_url") or "")
    return url if url.startswith("/") and not url.startswith("//") else ""


def stylesheet(request: Request) -> Response:
    """``/branding.css``: the admin's colours as custom properties that organet.css uses."""
    chosen = colours(request)
    css = f":root {{ --brand: {chosen['brand_colour']}; --brand-text: {chosen['brand_text_colour']}; }}\n"
    return Response(css, media_type="text/css")


LOGO_KIND = "logo"
"""Uploads of ``plugin="core", kind="logo"`` are logos; only the current one is served, to anyone."""


def logo(request: Request) -> Response:
    """``/branding/logo/{id}/{name}``: the site's current logo, for everyone (the sign-in page shows it too).

    Only the upload the logo address points to is served here; any other upload, a logo that was
    replaced included, is not found.
    """
    from organet.content import Upload
    from organet.content.uploads import media_folder

    upload = web.db(request).get(Upload, str(request.path_params["id"]))
    current = logo_url(request)
    if upload is None or upload.plugin != "core" or upload.kind != LOGO_KIND or \
            current != web.path_for(request, "core:logo", id=upload.id, name=upload.filename) or \
            upload.filename != request.path_params["name"]:
        raise NotFound("Not found.")
    path = media_folder(web.site(request)) / upload.path
    if not path.is_file():
        raise NotFound("Not found.")
    response = FileResponse(path, media_type=upload.content_type)
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _save_logo(request: Request, errors: dict[str, list[str]]) -> str | None:
    """Store an uploaded logo and return its address; ``None`` when none was sent or it was refused."""
    from organet.content import delete_upload, save_upload
    from organet.content.uploads import SAFE_IMAGE_TYPES

    sent = web.form(request).get("logo_file")
    if sent is None or isinstance(sent, str) or not sent.filename:
        return None
    session, the_site = web.db(request), web.site(request)
    try:
        upload = save_upload(session, the_site, sent, web.user(request), "core", LOGO_KIND, "site", images_only=True)
    except ValidationError as error:
        errors["logo_file"] = error.errors.get("file") or [str(error)]
        return None
    if upload.content_type not in SAFE_IMAGE_TYPES:
        delete_upload(session, the_site, upload)
        errors["logo_file"] = [i18n.gettext("Upload the logo as a PNG, JPEG or WebP picture.")]
        return None
    return web.path_for(request, "core:logo", id=upload.id, name=upload.filename)


def _forget_old_logos(request: Request, keep: str) -> None:
    """Delete the logo uploads the logo address no longer points to."""
    from organet.content import Upload, delete_upload

    session = web.db(request)
    for upload in session.scalars(sa.select(Upload).where(Upload.plugin == "core", Upload.kind == LOGO_KIND)):
        if web.path_for(request, "core:logo", id=upload.id, name=upload.filename) != keep:
            delete_upload(session, web.site(request), upload)


def admin_branding(request: Request) -> Response:
    """``/admin/branding``: the site's name, logo (an address, or a picture uploaded here) and colours."""
    session = web.db(request)
    values = {"site_name": site_name(request), "logo_url": logo_url(request), **colours(request)}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = web.form(request)
        submitted = {key: str(form.get(key, "")).strip() for key in values}
        for key in DEFAULTS:
            if not COLOUR.match(submitted[key]):
                errors[key] = [i18n.gettext("Use a colour written as #rrggbb, for example #0b5394.")]
        if submitted["logo_url"] and (not submitted["logo_url"].startswith("/")
                                      or submitted["logo_url"].startswith("//")):
            errors["logo_url"] = [i18n.gettext("Use an address on this site that starts with /.")]
        if not errors and contrast(submitted["brand_colour"], submitted["brand_text_colour"]) < MIN_CONTRAST:
            ratio = i18n.format_number(round(contrast(submitted["brand_colour"], submitted["brand_text_colour"]), 1))
            errors["brand_text_colour"] = [i18n.gettext(
                "These colours contrast %(ratio)s:1; use a pair of at least 4.5:1 so everyone can read the header.",
                ratio=ratio)]
        if len(submitted["site_name"]) > 120:
            errors["site_name"] = [i18n.gettext("Use a name of at most 120 characters.")]
        if not errors:  # a picture is stored only when everything else is right
            uploaded = _save_logo(request, errors)
            if uploaded:
                submitted["logo_url"] = uploaded
        if errors:
            return web.render(request, "core/admin_branding.html", {
                "values": submitted, "errors": errors, "title": i18n.gettext("Appearance")}, status_code=422)
        for key, value in submitted.items():
            session.merge(StoredSetting(plugin="core", key=key, value=value))
        _forget_old_logos(request, submitted["logo_url"])
        bump(session)
        web.site(request).state["runtime"].refresh(session, force=True)
        web.flash(request, i18n.gettext("Saved. Every worker applies it within seconds."))
        return web.redirect(request, "core:admin_branding")
    return web.render(request, "core/admin_branding.html", {"values": values, "errors": errors,
                                                            "title": i18n.gettext("Appearance")})

# The kinds of groups, translated where a page shows ``_(group.kind)``.
GROUP_KIND_LABELS = (N_("department"), N_("location"), N_("team"), N_("project"))
