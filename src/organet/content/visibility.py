"""Whether a person may see an object of any plugin: the ``object_visible_to`` hook, denied when nobody answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site


def can_see(site: Site, session: Session, person: Any, plugin: str, kind: str, object_id: str | int) -> bool:
    """True when ``person`` may see the object now: its plugin answers ``object_visible_to`` with True.

    Deny by default: an object whose plugin is disabled, or that no plugin answers for, is not
    visible. An object a moderator hid is visible only to moderators. Call it whenever you
    show or send something about an object (a notification, a reaction, a search hit).
    """
    if not getattr(person, "is_authenticated", False) or not getattr(person, "active", True):
        return False
    if plugin not in site.plugins:
        return False
    from organet.people import plugin_visible

    if not plugin_visible(site, plugin, person):  # a pilot outside its audience, or not shared with an external
        return False
    answer = site.hook.object_visible_to(user=person, session=session, plugin=plugin, kind=kind,
                                         object_id=str(object_id))
    if answer is not True:
        return False
    from organet.content.moderation import is_hidden
    from organet.web import permission_granted

    if is_hidden(session, plugin, kind, object_id):
        return permission_granted(site, person, "moderate-content")
    return True
