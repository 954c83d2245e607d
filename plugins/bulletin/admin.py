"""The board's admin page: the list of categories."""

from __future__ import annotations

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import Response

from organet import ValidationError, web
from organet.i18n import gettext as _

from .models import Category

NAME_MAX = 60


def categories(request: Request) -> Response:
    """List categories; POST adds one, renames one, or switches one on or off."""
    session = web.db(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = web.form(request)
        action = str(form.get("action", ""))
        name = str(form.get("name", "")).strip()
        try:
            if action == "add":
                _check_name(session, name)
                highest = session.scalar(sa.select(sa.func.max(Category.position))) or 0
                session.add(Category(name=name, position=highest + 1))
            elif action in {"rename", "toggle"}:
                target_id = str(form.get("category", ""))
                category = session.get(Category, int(target_id)) if target_id.isdecimal() and len(target_id) < 10 \
                    else None
                if category is None:
                    raise ValidationError(_("Choose a category."), {"category": [_("Choose a category.")]})
                if action == "rename":
                    _check_name(session, name)
                    category.name = name
                else:
                    category.active = not category.active
            else:
                raise ValidationError(_("Choose what to do."))
            web.configuration_changed(request)  # the board reads its categories once per change
            web.flash(request, _("Categories saved."))
            return web.redirect(request, "bulletin:admin_categories")
        except ValidationError as error:
            session.rollback()
            errors = error.errors
    rows = session.scalars(sa.select(Category).order_by(Category.position, Category.name)).all()
    return web.render(request, "bulletin/admin_categories.html", {"title": _("Board categories"),
                                                                  "categories": rows, "errors": errors},
                      status_code=422 if errors else 200)


def _check_name(session: sa.orm.Session, name: str) -> None:
    if not name or len(name) > NAME_MAX:
        raise ValidationError(_("A category name has 1 to %(n)s characters.", n=NAME_MAX),
                              {"name": [_("1 to %(n)s characters.", n=NAME_MAX)]})
    if session.scalar(sa.select(Category.id).where(sa.func.lower(Category.name) == name.lower())):
        raise ValidationError(_("There is a category with that name already."), {"name": [_("Already taken.")]})
