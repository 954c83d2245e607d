"""The page shell: dashboard, admin section, health check, language choice, plugin audiences and settings."""

from organet.i18n import N_
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="core",
    title=N_("Core"),
    description=N_("The page shell, dashboard, admin section and health check."),
    version=__version__,
    essential=True,
)
