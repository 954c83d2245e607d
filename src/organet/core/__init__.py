"""The page shell: dashboard, admin section, health check, language choice, plugin audiences and settings."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="core",
    title="Core",
    description="The page shell, dashboard, admin section and health check.",
    version=__version__,
    essential=True,
)
