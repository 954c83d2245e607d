"""The bell, notification preferences and digests."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="notifications",
    title="Notifications",
    description="The bell, notification preferences and digests.",
    version=__version__,
    essential=True,
)
