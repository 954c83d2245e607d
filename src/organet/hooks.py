"""The hookspecs: the contract between the core and every plugin. docs/hooks.md is generated from here.

Plugins implement these with ``@organet.hookimpl``; call hooks with keyword arguments only.
Families: ``register_<things>`` return declarations collected at start-up; ``<thing>_from_<source>``
resolve something and stop at the first answer; ``on_<event>`` are listeners that return nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    import click
    from sqlalchemy.orm import Session
    from starlette.applications import Starlette
    from starlette.requests import Request

    from organet.search import SearchSource
    from organet.types import (
        AdminPage,
        ApiRoute,
        FormSpec,
        Job,
        NavEntry,
        Page,
        Permission,
        Setting,
        SignInMethod,
        Widget,
    )

hookspec = pluggy.HookspecMarker("organet")
hookimpl = pluggy.HookimplMarker("organet")


# --- declarations collected at start-up -------------------------------------------------------


@hookspec
def register_settings() -> list[Setting]:
    """Declare the settings this plugin reads. Called once at start-up, before the database is opened.

    Return a list of :class:`organet.types.Setting`. Values come from ``[plugins.<name>]`` in
    organet.toml (or the environment, ``ORGANET_PLUGINS__<NAME>__<KEY>``) and are validated
    before the site starts: an unknown key, a wrong type or a missing required value stops
    start-up with a message naming the file, the key and the fix. Read them with
    ``organet.settings(request, "<plugin>")``.

    Example::

        @hookimpl
        def register_settings():
            return [Setting("expiry_days", int, 30, "Days a post stays on the board.", example=14,
                            runtime=True, minimum=1, maximum=365)]

    .. versionadded:: 0.1
    """


@hookspec
def register_permissions() -> list[Permission]:
    """Declare the permissions this plugin checks. Called once at start-up.

    Return a list of :class:`organet.types.Permission`; names are kebab-case ``verb-noun`` and
    must be unique across plugins (a duplicate stops start-up, naming both plugins).

    Example::

        @hookimpl
        def register_permissions():
            return [Permission("moderate-posts", "Hide and restore bulletin posts",
                               default_roles=("admin",))]

    .. versionadded:: 0.1
    """


@hookspec
def register_models() -> list[Any]:
    """Declare this plugin's SQLAlchemy models (classes on :class:`organet.db.Model`). Called at start-up.

    Every table must be named ``<plugin>_<plural>`` (``bulletin_posts``); the core refuses any
    other name. The tables are created by the plugin's own Alembic migrations, found in
    ``<package>/migrations/versions/`` and tracked in the version table
    ``alembic_version_<plugin>``, so enabling the plugin later adds its tables and touches no
    others. ``organet db revision --plugin NAME -m "..."`` writes a new migration from the models.

    Example::

        @hookimpl
        def register_models():
            return [Post, Category]

    .. versionadded:: 0.1
    """


@hookspec
def register_routes() -> list[Page]:
    """Declare this plugin's HTML pages. Called once when the application is built.

    Return :class:`organet.types.Page` objects; paths are relative to ``/<plugin>`` and names
    become ``<plugin>:<name>`` (build links with ``request.url_for("<plugin>:<name>")``).
    Every page states a permission (or ``PUBLIC``/``SIGNED_IN``): deny by default.

    Example::

        @hookimpl
        def register_routes():
            return [Page("/", views.board, name="board", permission="view-board")]

    .. versionadded:: 0.1
    """


@hookspec
def register_api_routes() -> list[ApiRoute]:
    """Declare this plugin's JSON API. Called once when the application is built.

    Return :class:`organet.types.ApiRoute` objects; paths are relative to ``/api/<plugin>/v1``.
    Their models and summaries appear in ``/api/openapi.json``. Lists are paginated with
    ``organet.api.paginate`` so that every list has the same shape.

    .. versionadded:: 0.1
    """


@hookspec
def register_navigation() -> list[NavEntry]:
    """Declare links for the main navigation. Called once at start-up.

    Each :class:`organet.types.NavEntry` is shown only to people who hold its permission and
    are in the plugin's audience.

    .. versionadded:: 0.1
    """


@hookspec
def register_widgets() -> list[Widget]:
    """Declare dashboard widgets. Called once at start-up.

    A :class:`organet.types.Widget` renders a small block of HTML for the current person;
    people may hide and reorder widgets on their dashboard.

    .. versionadded:: 0.1
    """


@hookspec
def register_admin_pages() -> list[AdminPage]:
    """Declare entries for the admin section's menu. Called once at start-up.

    The page itself is an ordinary :class:`organet.types.Page` from ``register_routes`` whose
    permission an admin holds (usually ``administer-site``).

    .. versionadded:: 0.1
    """


@hookspec
def register_template_dirs() -> list[str]:
    """Return extra template directories. Called once when the application is built.

    A plugin's own ``templates/`` folder is found without this hook. Templates are looked up
    in the site's override folder first, then the plugins', then the core's.

    .. versionadded:: 0.1
    """


@hookspec
def register_static_dirs() -> dict[str, str]:
    """Return extra static folders as ``{url_name: directory}``. Called once when the app is built.

    A plugin's own ``static/`` folder is served at ``/static/<plugin>/`` without this hook.

    .. versionadded:: 0.1
    """


@hookspec
def register_commands() -> list[click.Command]:
    """Return click commands (or groups) to add to the ``organet`` CLI. Called when the CLI starts.

    A command named like the plugin keeps the CLI tidy: ``organet bulletin expire``.

    .. versionadded:: 0.1
    """


@hookspec
def register_jobs() -> list[Job]:
    """Declare background jobs, periodic or queued. Called once at start-up.

    Return :class:`organet.types.Job` objects; names are ``<plugin>.<job>``. The job function
    receives a :class:`organet.jobs.JobContext` with a database session (committed when the
    function returns), the site and the job's payload.

    Example::

        @hookimpl
        def register_jobs():
            return [Job("bulletin.expire", expire_posts, every=timedelta(minutes=15),
                        description="Take expired posts off the board")]

    .. versionadded:: 0.1
    """


@hookspec
def register_forms() -> list[FormSpec]:
    """Declare this plugin's forms for the hostile-input test in ``organet.testing``. Called by tests.

    .. versionadded:: 0.1
    """


@hookspec
def register_signin_methods() -> list[SignInMethod]:
    """Declare ways to sign in, shown as choices on the sign-in page. Called when the page is shown.

    Return :class:`organet.types.SignInMethod` entries: ``name`` (unique), ``label`` (shown,
    translated), ``start_route`` (the route name of the page that starts it) and ``order``.
    The core's own password form registers as ``SignInMethod("password", ...)``; an OpenID
    Connect, SAML or LDAP plugin adds its own and, when it has found the person, starts the
    session with ``organet.auth.sign_in(request, user)``.

    Example::

        @hookimpl
        def register_signin_methods():
            return [SignInMethod("oidc", N_("Sign in with your organisation account"), "oidc:start")]

    .. versionadded:: 0.1
    """


@hookspec
def register_search_sources() -> list[SearchSource]:
    """Declare where this plugin's searchable documents come from, one source per kind. Called by reindexing.

    Return :class:`organet.search.SearchSource` objects: ``SearchSource(plugin, kind, label,
    documents)``, where ``documents(session)`` yields an :class:`organet.search.SearchDocument`
    for every object of that kind that should be findable (title, text, url, date, language and
    who may see it: ``visibility`` "employees", "groups" with ``group_ids``, or "owner" with
    ``owner_id``; ``shared_group_ids`` for externals). ``label`` names the kind in the results
    ("Bulletin posts"); mark it with ``N_()``.

    ``organet search reindex [--plugin NAME]`` calls ``documents`` to rebuild the index. Day to
    day, keep it current yourself: call ``organet.search.index(session, doc)`` when an object is
    saved and ``organet.search.remove(session, plugin, kind, object_id)`` when it is deleted or
    no longer searchable, in the same transaction as the change.

    Example::

        @hookimpl
        def register_search_sources():
            return [SearchSource("bulletin", "post", N_("Bulletin posts"), post_documents)]

        def post_documents(session):
            for post in session.scalars(sa.select(Post).execution_options(yield_per=500)):
                yield SearchDocument(plugin="bulletin", kind="post", object_id=str(post.id),
                                     title=post.title, text=post.body, url=f"/bulletin/posts/{post.id}",
                                     date=post.created_at, owner_id=post.author_id)

    .. versionadded:: 0.1
    """


# --- resolving things: the first answer wins ---------------------------------------------------


@hookspec(firstresult=True)
def user_from_request(request: Request, session: Session) -> Any:
    """Find the person making ``request``, or return ``None``. Called once per request.

    Stops at the first non-None result. The core's session cookie and API tokens answer this;
    a sign-in plugin (OpenID Connect, SAML, a reverse proxy header) may answer first with
    ``tryfirst=True``.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def required_step_from_request(request: Request, session: Session, user: Any) -> str | None:
    """Return the path of a page ``user`` must complete before any other, or ``None``. Called once per request.

    Stops at the first non-None result. The sign-in plugin answers for forced states: "must
    change password" (``/account/password``) and "must set up the second factor". While a
    step is pending, every other page redirects there (GET) or is refused (403); return
    ``None`` for the step's own pages. Not asked for requests made with an API token.

    .. versionadded:: 0.1
    """


@hookspec(firstresult=True)
def object_visible_to(user: Any, session: Session, plugin: str, kind: str, object_id: str) -> bool | None:
    """Say whether ``user`` may still see an object of this plugin, or ``None`` when it is not yours.

    Called when a notification, a search result, a reaction or a report about the object is
    shown or mailed, so that content made private after publishing never reaches those who
    may no longer see it. Stops at the first non-None result; the plugin named ``plugin``
    answers for its own kinds.

    .. versionadded:: 0.1
    """


@hookspec
def health_status(site: Any, session: Session) -> dict[str, dict[str, Any]]:
    """Report the health of something this plugin runs, for ``/healthz``. Called on every health check.

    ``site`` is the :class:`organet.site.Site` being checked; ``session`` a database session.

    Return ``{"name": {"ok": bool, "detail": "..."}}``; any ``ok: False`` makes /healthz answer 503
    so that a load balancer takes the worker out. Keep it to one cheap query.

    .. versionadded:: 0.1
    """


# --- events ------------------------------------------------------------------------------------


@hookspec
def on_startup(app: Starlette) -> None:
    """The application is starting in this worker. Open connections, warm caches.

    An exception here stops start-up with a message naming the plugin.

    .. versionadded:: 0.1
    """


@hookspec
def on_shutdown(app: Starlette) -> None:
    """The application is stopping in this worker. Close what ``on_startup`` opened.

    .. versionadded:: 0.1
    """


@hookspec
def load_demo_data(session: Session, people: list[Any], rng: Any) -> None:
    """Add this plugin's sample data to a demo site. Called by ``organet demo`` after the core's data.

    ``people`` are the demo's people, attached to ``session``: the core's Dutch care organisation
    of a few hundred (``kind`` "employee", plus one "external" partner), the demo accounts
    ``admin``, ``manager``, ``medewerker`` and ``partner`` first. ``rng`` is a ``random.Random``
    seeded per plugin, so that every demo looks the same. Each plugin runs in a transaction of
    its own, committed when it returns; if it raises, its data is rolled back, the demo says
    so and starts without it. Use ``trylast=True`` to run after the plugins whose data you use.

    Example::

        @hookimpl
        def load_demo_data(session, people, rng):
            employees = [p for p in people if p.kind == "employee"]
            for giver, receiver in (rng.sample(employees, 2) for _ in range(40)):
                session.add(Kudo(giver_id=giver.id, receiver_id=receiver.id, message="Dank je!"))

    .. versionadded:: 0.1
    """


# --- people: profiles, HR import, privacy (filled in by the people issue) -----------------------


@hookspec
def person_profile_sections(request: Request, person: Any) -> list[Any]:
    """Add sections to a person's core profile page (/people/<username>). Called when it is shown.

    Return a list of ``organet.people.ProfileSection(title, html, order)``; ``html`` is Markup
    rendered for the viewer ``request.state.user``, showing only what that viewer may see.
    The phonebook adds phone numbers, room and expertise this way.

    .. versionadded:: 0.1
    """


@hookspec
def export_person_data(session: Session, person: Any) -> dict[str, Any]:
    """Return everything this plugin holds about ``person`` as JSON-ready data. Called for a data export.

    The person downloads the export from their profile (AVG/GDPR right of access); return
    ``{}`` when the plugin holds nothing about them.

    .. versionadded:: 0.1
    """


@hookspec
def on_person_erased(session: Session, person: Any) -> None:
    """Delete or anonymise everything this plugin holds about ``person``. Called when an admin erases them.

    Runs inside a transaction of its own for this plugin; raise to refuse (the erasure of the
    other plugins still happens, and the admin sees which plugin failed).

    .. versionadded:: 0.1
    """
