"""Sign-ins, page views and contributions, for adoption figures."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="activity",
    title="Activity",
    description="Sign-ins, page views and contributions, for adoption figures.",
    version=__version__,
    essential=True,
)
