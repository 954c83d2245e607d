"""Bulletin board (prikbord): colleagues post and answer small notices — for sale, wanted, lost and found,
carpooling, announcements. Built only on organet's content services: rich text, uploads, reactions and
comments, reports and moderation, rate limits, notifications and search.
"""

from organet import PluginInfo

PLUGIN = PluginInfo(
    name="bulletin",
    title="Bulletin board",
    description="Colleagues post and answer small notices: for sale, wanted, lost and found, carpooling.",
    version="0.1.0",
    phase=2,
    organet=">=0.1,<1",
)
