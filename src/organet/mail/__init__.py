"""One outbox for every plugin, sent by a job with retries."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="mail",
    title="Mail outbox",
    description="One outbox for every plugin, sent by a job with retries.",
    version=__version__,
    essential=True,
)
