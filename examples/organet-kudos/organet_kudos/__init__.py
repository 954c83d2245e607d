"""Kudos: thank a colleague with a short message, on a board and on the dashboard."""

from organet import PluginInfo
from organet.i18n import N_

PLUGIN = PluginInfo(
    name="kudos",
    title=N_("Kudos"),
    description=N_("Thank a colleague with a short message, on a board and on the dashboard."),
    version="0.1.0",
    phase=2,
    organet=">=0.1,<1",
)
