"""A cache every worker shares: in Redis when ``[site] redis_url`` is set, else in the database.

    organet.cache.set(site, "phonebook:count", 1234, ttl=300, session=web.db(request))
    organet.cache.get(site, "phonebook:count", session=web.db(request))  # None when missing or expired

Values are JSON. Rate limits, on the same backends, are in :mod:`organet.ratelimit`. Parts of
pages kept until the tables they show change: :mod:`organet.cache.changes` and
:func:`organet.web.kept_fragment`.
"""

from organet.cache.changes import changed, watch_changes
from organet.cache.store import delete, get, set
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="cache",
    title="Shared cache and rate limits",
    description="A cache and rate-limit counters shared by every worker: in Redis when configured, else in the "
                "database.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "changed", "delete", "get", "set", "watch_changes"]
