"""Bulletin board: Colleagues post and answer small notices: for sale, wanted, lost and found, carpooling."""

from organet import PluginInfo

PLUGIN = PluginInfo(
    name="bulletin",
    title="Bulletin board",
    description="Colleagues post and answer small notices: for sale, wanted, lost and found, carpooling.",
    version="0.1.0",
    phase=2,
    organet=">=0.1,<1",
)
