"""Hooks the content services call on other plugins."""

from __future__ import annotations

from typing import TYPE_CHECKING

from organet.hooks import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@hookspec
def on_content_moderated(session: Session, plugin: str, kind: str, object_id: str, hidden: bool,
                         reason: str) -> None:
    """A moderator hid (``hidden=True``) or restored an object. Called in the moderator's transaction.

    The plugin named ``plugin`` hides the object in its own lists, feeds and search index (or
    shows it again); others ignore objects that are not theirs. ``reason`` is the moderator's
    recorded reason. ``organet.content.is_hidden(session, plugin, kind, object_id)`` answers
    the same question later.

    Example::

        @hookimpl
        def on_content_moderated(session, plugin, kind, object_id, hidden, reason):
            if plugin == "bulletin" and kind == "post":
                session.get(Post, int(object_id)).hidden = hidden

    .. versionadded:: 0.1
    """
