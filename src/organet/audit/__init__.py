"""An append-only, hash-chained record of security-relevant changes."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="audit",
    title="Audit trail",
    description="An append-only, hash-chained record of security-relevant changes.",
    version=__version__,
    essential=True,
)
