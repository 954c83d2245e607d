"""The exceptions organet raises: one root, a few kinds, each message saying what and how to fix it."""

from __future__ import annotations


class OrganetError(Exception):
    """Root of every error organet raises on purpose; its message is meant for a person."""


class ConfigError(OrganetError):
    """The site's configuration is wrong: the message names the file, the key, the value and the fix."""


class StartupError(OrganetError):
    """The site cannot start: a plugin is missing, broken, incompatible or in conflict."""


class PluginError(StartupError):
    """A plugin broke a rule of the plugin API; the message names the plugin."""


class PermissionDenied(OrganetError):
    """The current person may not do this; pages answer 403."""


class NotFound(OrganetError):
    """The thing does not exist, or the current person may not know that it does; pages answer 404."""


class Busy(OrganetError):
    """The database stayed locked longer than the busy timeout; pages answer 503 "busy, try again"."""


class ValidationError(OrganetError):
    """Input was rejected. ``errors`` maps a field name (or ``""`` for the whole form) to messages."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or {"": [message]}
