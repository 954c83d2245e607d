"""organet: a framework for social intranets — a small core, and every feature a plugin.

The public API: :func:`create_app`, :data:`hookimpl`, the declarations in
:mod:`organet.types` (re-exported here) and the documented modules ``organet.web``,
``organet.db``, ``organet.api``, ``organet.i18n``, ``organet.people``, ``organet.search``,
``organet.notifications``, ``organet.content``, ``organet.jobs``, ``organet.mail``,
``organet.activity``, ``organet.audit`` and ``organet.testing``.
"""

from organet.app import create_app
from organet.config import Config, load_config
from organet.errors import (
    Busy,
    ConfigError,
    NotFound,
    OrganetError,
    PermissionDenied,
    PluginError,
    StartupError,
    ValidationError,
)
from organet.hooks import hookimpl, hookspec
from organet.types import (
    PUBLIC,
    SIGNED_IN,
    AdminPage,
    ApiRoute,
    FormSpec,
    Job,
    NavEntry,
    Page,
    Permission,
    PluginInfo,
    Setting,
    SignInMethod,
    Widget,
)
from organet.version import __version__

__all__ = [
    "PUBLIC", "SIGNED_IN", "AdminPage", "ApiRoute", "Busy", "Config", "ConfigError", "FormSpec", "Job",
    "NavEntry", "NotFound", "OrganetError", "Page", "Permission", "PermissionDenied", "PluginError",
    "PluginInfo", "Setting", "SignInMethod", "StartupError", "ValidationError", "Widget", "__version__", "create_app",
    "hookimpl", "hookspec", "load_config",
]
