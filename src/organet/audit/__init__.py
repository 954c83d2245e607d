"""An append-only, hash-chained record of security-relevant changes.

Plugins and the core call :func:`record` in the transaction of the change::

    from organet import audit

    audit.record(session, web.user(request), "people.role.changed", target=f"person:{person.username}",
                 details={"from": "member", "to": "admin"}, request=request)

``organet audit verify`` (or :func:`verify`) walks the chain and reports the first record that
was changed or removed.
"""

from organet.audit.records import Verification, record, verify
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="audit",
    title="Audit trail",
    description="An append-only, hash-chained record of security-relevant changes.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "Verification", "record", "verify"]
