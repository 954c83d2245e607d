"""The board's forms, registered for organet's hostile-input test."""

from __future__ import annotations

from typing import Any

from organet import FormSpec


def _category(app: Any, user: Any) -> dict[str, Any]:
    from organet.testing import db_session

    from .models import Category

    with db_session(app) as session:
        category = session.query(Category).first() or Category(name="Te koop")
        session.add(category)
        session.flush()
        return {"data": {"category": str(category.id), "title": "Fiets", "days": "7"}}


def forms() -> list[FormSpec]:
    """The new-notice form, with every free-text field tried."""
    return [FormSpec("bulletin:new", fields=["title", "text", "location", "price", "days"],
                     shown_at=["/bulletin/", "/"], prepare=_category, role="member")]
