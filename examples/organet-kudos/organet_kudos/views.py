"""The kudos board: the latest thank-yous and a form to give one."""

from __future__ import annotations

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from organet import ValidationError, web
from organet.i18n import gettext as _
from organet_kudos import kudos

GIVE = "give-kudos"


def board(request: Request) -> Response:
    """GET shows the board; POST gives kudos, then redirects back to the board."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        web.require(request, GIVE)
        form = web.form(request)
        try:
            kudos.give(web.db(request), web.user(request), str(form.get("to", "")), str(form.get("message", "")),
                       web.setting(request, "kudos", "max_length"))
        except ValidationError as error:
            errors = error.errors
        else:
            web.flash(request, _("Thank you for thanking a colleague."))
            return web.redirect(request, "kudos:board")
    recent = web.db(request).scalars(kudos.latest().limit(50)).all()
    return web.render(request, "kudos/board.html", {
        "recent": recent, "errors": errors, "form": web.form(request), "title": _("Kudos"),
        "max_length": web.setting(request, "kudos", "max_length"),
    }, status_code=422 if errors else 200)


def widget(request: Request) -> Markup:
    """The dashboard block: the five latest kudos."""
    recent = web.db(request).scalars(kudos.latest().limit(5)).all()
    return web.render_fragment(request, "kudos/widget.html", {"recent": recent})
