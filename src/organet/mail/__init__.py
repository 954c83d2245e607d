"""One outbox for every plugin: mail is queued in the caller's transaction and sent by a job with retries.

    organet.mail.send(session, "anna@example.org", "Subject", "Plain text", html=None)

SMTP settings come from ``[mail]`` in organet.toml (see docs/configuration.md). A request
never waits on, or fails because of, the mail server.
"""

from organet.mail.models import Message
from organet.mail.outbox import MailError, send
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="mail",
    title="Mail outbox",
    description="One outbox for every plugin, sent by a job with retries.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "MailError", "Message", "send"]
