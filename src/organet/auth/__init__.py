"""Sign-in: passwords, server-side sessions and the hook through which other sign-in methods plug in."""

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="auth",
    title="Sign-in",
    description="Passwords, sessions, second factor and API tokens.",
    version=__version__,
    essential=True,
)
