"""Rich text, uploads, reactions, comments, reports and moderation: the services every plugin with user content uses.

    from organet.content import render_markdown, save_upload, is_hidden, check_rate

See docs/content-services.md.
"""

from organet.content.models import REACTIONS, Comment, Reaction, Upload
from organet.content.moderation import hidden_ids, is_hidden, report, set_hidden
from organet.content.ratelimits import RateLimited, check_rate
from organet.content.richtext import render_markdown, render_markdown_with_mentions, sanitise
from organet.content.threads import add_comment, reaction_counts, toggle_reaction
from organet.content.uploads import delete_upload, save_upload
from organet.content.visibility import can_see
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="content",
    title="Content services",
    description="Rich text, uploads, reactions, comments, reports and moderation.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "REACTIONS", "Comment", "RateLimited", "Reaction", "Upload", "add_comment", "can_see",
           "check_rate", "delete_upload", "hidden_ids", "is_hidden", "reaction_counts", "render_markdown",
           "render_markdown_with_mentions", "report", "sanitise", "save_upload", "set_hidden", "toggle_reaction"]
