"""Phonebook: Who is my colleague, how do I reach them, when do they work and what do they know."""

from organet import PluginInfo

PLUGIN = PluginInfo(
    name="phonebook",
    title="Phonebook",
    description="Who is my colleague, how do I reach them, when do they work and what do they know.",
    version="0.1.0",
    phase=1,
    organet=">=0.1,<1",
)
