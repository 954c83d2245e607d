"""Sign-in: passwords, server-side sessions, the second factor, API tokens and other sign-in methods.

A plugin that adds a sign-in method (``register_signin_methods``) calls :func:`sign_in` once it
knows who the person is; the session, the second step and the audit record follow from there.
"""

from typing import Any

from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="auth",
    title="Sign-in",
    description="Passwords, sessions, second factor and API tokens.",
    version=__version__,
    essential=True,
)


def sign_in(request: Any, user: Any, method: str = "password", *, second_factor_done: bool = False) -> Any:
    """Sign ``user`` in from a view and return the redirect to send; see :func:`organet.auth.signin.sign_in`."""
    from organet.auth.signin import sign_in as start

    return start(request, user, method, second_factor_done=second_factor_done)


__all__ = ["PLUGIN", "sign_in"]
