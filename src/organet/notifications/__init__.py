"""The bell, notification preferences and digests: one way for every plugin to tell people something.

    from organet.notifications import notify

    notify(session, [post.author_id], "bulletin", "post", post.id,
           title=lambda: _("%(name)s reacted to your post", name=me.name),  # in the recipient's language
           url=f"/bulletin/posts/{post.id}", actor=me, group_key=f"reactions:{post.id}",
           group_title=lambda: _("{count} reactions on your post"))

Whether the person may still see the object is asked again (``object_visible_to``) whenever a
notification is shown or mailed. See docs/content-services.md.
"""

from organet.notifications.inbox import (
    channels_for,
    mark_read,
    notify,
    pending_for_digest,
    recent,
    set_group_default,
    set_preference,
    unread_count,
    visible,
)
from organet.notifications.models import CHANNELS, Notification
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="notifications",
    title="Notifications",
    description="The bell, notification preferences and digests.",
    version=__version__,
    essential=True,
)

__all__ = ["CHANNELS", "PLUGIN", "Notification", "channels_for", "mark_read", "notify", "pending_for_digest",
           "recent", "set_group_default", "set_preference", "unread_count", "visible"]
