"""Rich text, uploads, reactions, comments, reports and moderation."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="content",
    title="Content services",
    description="Rich text, uploads, reactions, comments, reports and moderation.",
    version=__version__,
    essential=True,
)
