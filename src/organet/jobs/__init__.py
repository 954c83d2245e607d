"""Periodic and queued jobs, run by organet worker or organet serve."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="jobs",
    title="Background jobs",
    description="Periodic and queued jobs, run by organet worker or organet serve.",
    version=__version__,
    essential=True,
)
