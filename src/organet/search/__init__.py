"""One permission-filtered full-text search over every plugin."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="search",
    title="Search",
    description="One permission-filtered full-text search over every plugin.",
    version=__version__,
    essential=True,
)
