"""Reservations: Book rooms and resources per location, never double-booked."""

from organet import PluginInfo

PLUGIN = PluginInfo(
    name="reservations",
    title="Reservations",
    description="Book rooms and resources per location, never double-booked.",
    version="0.1.0",
    phase=2,
    organet=">=0.1,<1",
)
