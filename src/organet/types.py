"""The declarations plugins hand to the core: small frozen dataclasses returned by ``register_*`` hooks."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request
    from starlette.responses import Response

Endpoint = Callable[["Request"], "Response | Awaitable[Response]"]
# An API endpoint returns a Response, or data (a dict, a list, a pydantic model) that is sent as JSON.
ApiEndpoint = Callable[["Request"], Any]

PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
PERMISSION_NAME = re.compile(r"^[a-z]+(-[a-z0-9]+)+$")


@dataclass(frozen=True)
class PluginInfo:
    """What a plugin says about itself; the ``PLUGIN`` attribute of its package.

    ``organet`` is a version specifier (``">=0.1,<1"``) of the organet releases it works with;
    ``requires`` names plugins that must be enabled with it; ``phase`` (1 to 4) is the
    intranet phase it suits (see docs/concepts.md).
    """

    name: str
    title: str
    description: str = ""
    version: str = "0.0.0"
    phase: int = 1
    requires: tuple[str, ...] = ()
    organet: str = ">=0.1"
    essential: bool = False


@dataclass(frozen=True)
class Setting:
    """A setting a plugin reads from ``[plugins.<name>]`` in organet.toml (or the core from ``[site]``).

    ``type`` is one of ``str``, ``int``, ``float``, ``bool`` or ``list`` (a list of strings).
    ``runtime=True`` settings may be changed by an admin in the admin pages; the stored value
    reaches every worker within seconds. ``secret=True`` values are never printed or logged.
    """

    key: str
    type: type
    default: Any
    description: str
    example: Any = None
    runtime: bool = False
    secret: bool = False
    required: bool = False
    choices: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class Permission:
    """A named permission a plugin checks: kebab-case ``verb-noun``, unique across plugins.

    ``default_roles`` are the site roles (``admin``, ``editor``, ``member``, ``external``)
    that hold it on a new site; an admin changes the matrix later.
    """

    name: str
    description: str
    default_roles: tuple[str, ...] = ("admin",)


PUBLIC = "public"
"""Use as a route's ``permission`` for pages anyone may open, signed in or not (sign-in, health)."""

SIGNED_IN = "signed-in"
"""Use as a route's ``permission`` for pages every signed-in person may open, externals included."""


@dataclass(frozen=True)
class Page:
    """An HTML route of a plugin, mounted under ``/<plugin>``; its name becomes ``<plugin>:<name>``.

    ``permission`` is required: a permission name, :data:`PUBLIC` or :data:`SIGNED_IN`.
    ``embeddable=True`` allows framing (screens, kiosks); every other page refuses it.
    ``write=True`` runs the request in :meth:`organet.db.Database.write_session`: on SQLite the
    transaction begins ``IMMEDIATE``, so a check and the insert after it (a booking) cannot
    interleave with another writer; a lock not had in time answers 503 "busy, try again".
    Use it only for short state changes where a read decides the write.
    """

    path: str
    endpoint: Endpoint
    name: str
    permission: str
    methods: tuple[str, ...] = ("GET",)
    embeddable: bool = False
    write: bool = False


@dataclass(frozen=True)
class ApiRoute:
    """A JSON route of a plugin, mounted under ``/api/<plugin>/v1``; described in /api/openapi.json.

    ``request_model`` and ``response_model`` are pydantic models (or ``None``); a request body
    that does not fit the model is answered with 422 and a message per field. ``write=True``
    works as on :class:`Page`.
    """

    path: str
    endpoint: ApiEndpoint
    name: str
    permission: str
    methods: tuple[str, ...] = ("GET",)
    summary: str = ""
    request_model: type | None = None
    response_model: type | None = None
    paginated: bool = False
    query_params: tuple[str, ...] = ()
    write: bool = False


@dataclass(frozen=True)
class NavEntry:
    """A link in the main navigation; shown only to people holding ``permission``."""

    label: str
    route: str
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Widget:
    """A dashboard block. ``render(request)`` returns HTML (a Markup or escaped string).

    People may hide and reorder widgets; ``order`` decides the default place.
    """

    name: str
    title: str
    render: Callable[[Request], Any]
    permission: str
    order: int = 100


@dataclass(frozen=True)
class AdminPage:
    """A page in the admin section: a link in its menu to the route named ``route``."""

    label: str
    route: str
    permission: str = "administer-site"
    order: int = 100


@dataclass(frozen=True)
class SignInMethod:
    """A way to sign in, offered on the sign-in page: a link to the route ``start_route`` labelled ``label``."""

    name: str
    label: str
    start_route: str
    order: int = 100


@dataclass(frozen=True)
class Job:
    """A background job. ``func(ctx)`` does the work; ``every`` makes it periodic.

    A queued job (``every=None``) runs when something calls :func:`organet.jobs.enqueue`.
    A job never runs twice at once across workers; a failure is retried with back-off up to
    ``max_attempts`` times.
    """

    name: str
    func: Callable[..., Any]
    description: str = ""
    every: dt.timedelta | None = None
    max_attempts: int = 5
    timeout: dt.timedelta = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class FormSpec:
    """A form a plugin registers for the hostile-input test in ``organet.testing``.

    ``route`` is the route name the form posts to; ``fields`` are the free-text fields to fill
    with hostile values (the others take ``defaults``). ``prepare(app, user)`` may create what
    the form needs (a post to comment on) and returns the route's path parameters and extra
    defaults as ``{"path": {...}, "data": {...}}``. After each submission the test fetches every
    path in ``shown_at`` (formatted with the path parameters) and checks that nothing hostile
    came back unescaped. ``role`` is the site role of the person submitting.
    """

    route: str
    fields: Sequence[str]
    defaults: dict[str, Any] = field(default_factory=dict)
    shown_at: Sequence[str] = ()
    prepare: Callable[..., dict[str, Any]] | None = None
    role: str = "admin"
    method: str = "POST"
