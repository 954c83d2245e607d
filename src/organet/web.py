"""What a plugin's view uses: the current person, the database session, rendering and redirects.

Views are plain functions ``def view(request) -> Response``. organet runs each in a worker
thread inside one database transaction (committed when the view returns, rolled back when
it raises), after it has found the person, checked the plugin's audience, the route's
permission and, for a state change, the CSRF token.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from organet.errors import NotFound, PermissionDenied
from organet.types import PUBLIC, SIGNED_IN

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site


class AnonymousUser:
    """The person behind a request that is not signed in: holds no permission but PUBLIC ones."""

    id = None
    username = ""
    display_name = ""
    role = "anonymous"
    kind = "anonymous"
    is_authenticated = False
    is_external = False
    language = None
    time_zone = None

    def __bool__(self) -> bool:
        return False


ANONYMOUS = AnonymousUser()

T = TypeVar("T")


def site(request: Request) -> Site:
    """Return the :class:`organet.site.Site` serving ``request``."""
    # Put in the scope by the application's first middleware: a page asks for it dozens of times.
    found = request.scope.get("organet.site")
    return found if found is not None else request.app.state.site  # type: ignore[no-any-return]


def db(request: Request) -> Session:
    """Return the request's database session (one transaction per request)."""
    return request.state.db  # type: ignore[no-any-return]


def user(request: Request) -> Any:
    """Return the signed-in person (an ``organet.people.User``) or :data:`ANONYMOUS`."""
    return getattr(request.state, "user", ANONYMOUS)


def has_permission(request: Request, permission: str) -> bool:
    """True when the current person holds ``permission`` (``PUBLIC`` and ``SIGNED_IN`` included)."""
    return permission_granted(site(request), user(request), permission)


def permission_granted(the_site: Site, person: Any, permission: str) -> bool:
    """True when ``person`` holds ``permission`` on ``the_site``. Works in jobs and the CLI too."""
    if permission == PUBLIC:
        return True
    if not getattr(person, "is_authenticated", False) or not getattr(person, "active", True):
        return False
    if permission == SIGNED_IN:
        return True
    # A request made with an API token holds at most the token's scopes (see organet.auth.tokens).
    scopes = getattr(person, "token_scopes", None)
    if scopes is not None and permission not in scopes:
        return False
    return permission in the_site.state["runtime"].role_permissions(person.role)


def require(request: Request, permission: str) -> None:
    """Raise :class:`PermissionDenied` (403) unless the current person holds ``permission``."""
    if not has_permission(request, permission):
        raise PermissionDenied(f"You need the permission {permission!r} for this.")


def require_found(thing: Any) -> Any:
    """Return ``thing``, or raise :class:`NotFound` (404) when it is ``None``."""
    if thing is None:
        raise NotFound("Not found.")
    return thing


def form(request: Request) -> FormData:
    """Return the submitted form of a POST (parsed before the view runs)."""
    return getattr(request.state, "form", None) or FormData()


def body(request: Request) -> bytes:
    """Return the raw request body of a state-changing request (read before the view runs)."""
    return getattr(request.state, "body", b"")


def setting(request: Request, plugin: str, key: str) -> Any:
    """Return a plugin's setting (the admin's run-time value where there is one)."""
    return site(request).setting(plugin, key)


def cached_configuration(request: Request, name: str, load: Callable[[Session], T]) -> T:
    """Return admin configuration that every page of a plugin reads, loaded once per change, not per request.

    ``load(session)`` reads it (field rules, a list of categories) and must return plain values,
    not ORM objects: the result outlives the request's session. It is loaded again in every
    worker within a few seconds (``organet.runtime.REFRESH_SECONDS``) after any worker called
    :func:`configuration_changed`; ``name`` keeps plugins apart (``"phonebook.field_rules"``).
    """
    return site(request).state["runtime"].configuration(db(request), name, load)  # type: ignore[no-any-return]


def configuration_changed(request: Request) -> None:
    """Tell every worker that configuration read with :func:`cached_configuration` changed.

    Call it in the request that makes the change: this worker reloads at its next request after
    the commit, the others within a few seconds of it.
    """
    from organet.runtime import bump

    bump(db(request))
    site(request).state["runtime"].refresh_soon()


def render(request: Request, template: str, context: dict[str, Any] | None = None,
           status_code: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """Render ``template`` inside the site's layout and return the page.

    Templates are looked up in the site's overrides, then the plugins', then the core's. The
    context always has ``request``, ``user``, ``site`` and the helpers ``_``, ``url_for``,
    ``static``, ``csrf_field``, ``can`` and the date formatters.
    """
    environment = site(request).state["templates"]
    page = environment.get_template(template).render({"request": request, **(context or {})})
    return HTMLResponse(page, status_code=status_code, headers=headers)


def render_fragment(request: Request, template: str, context: dict[str, Any] | None = None) -> Markup:
    """Render ``template`` as a piece of HTML (a dashboard widget, a profile section), not a page.

    The template gets the same context and helpers as :func:`render`; it should not extend the layout.
    """
    environment = site(request).state["templates"]
    html = environment.get_template(template).render({"request": request, **(context or {})})
    return Markup(html)  # noqa: S704 - autoescaped template output


FRAGMENTS_KEPT = 1_000  # kept fragments per worker (a board page is 10-20 KB); the store starts over when full


def kept_fragment(request: Request, name: str, key: Any, render: Callable[[], Markup], *,
                  tables: tuple[str, ...], seconds: float = 60.0) -> Markup:
    """Return a piece of HTML that many readers see alike, rendered once and then kept by this worker
    until a transaction changes one of ``tables`` or ``seconds`` pass; ``render()`` makes it.

    A list of notices, of news, of new colleagues is read hundreds of times between two changes:
    keeping it saves its queries and its rendering. ``tables`` must be watched
    (:func:`organet.cache.watch_changes`, at import) and name every table the HTML shows; ``key``
    holds whatever else it depends on (filters, page), hashable, and only values the reader cannot
    choose freely (a category's id, not the text of the query string). The reader's language and time
    zone are added to the key here. Keep nothing that depends on who reads it (their own posts,
    what an external person may see, a CSRF token): render those every time. ``seconds`` bounds
    what no table says, such as a post that expires by the clock. Returns the kept or new HTML. In a
    transaction that has changed a watched table nothing is looked up or kept: it sees its own
    changes, which may still roll back.
    """
    from organet import i18n
    from organet.cache import changes

    missing = changes.unwatched(tables)
    if missing:
        raise ValueError(f"kept_fragment {name!r}: nobody watches {', '.join(missing)}; call "
                         "organet.cache.watch_changes() for each table when your module is imported")
    session = db(request)
    current = changes.counters(session)  # before rendering: the HTML is never older than these numbers
    if changes.has_pending_changes(session):  # noted by the flush that reading the counters made
        return render()
    versions = tuple(current.get(table, 0) for table in tables)
    full_key = (name, key, i18n.current_language(), i18n.current_time_zone().key,
                request.scope.get("root_path", ""))
    kept: dict[Any, tuple[tuple[int, ...], float, Markup]] = site(request).state.setdefault("fragments", {})
    found = kept.get(full_key)
    now = time.monotonic()
    if found is not None and found[0] == versions and found[1] > now:
        return found[2]
    html = render()
    if not changes.has_pending_changes(session):  # rendering may have flushed a change after all
        _keep(kept, full_key, (versions, now + seconds, html), FRAGMENTS_KEPT)
    return html


def _keep(store: dict[Any, Any], key: Any, value: Any, most: int) -> None:
    """Put ``value`` in a worker's bounded store; a full store starts over (cheaper than tracking use)."""
    if len(store) >= most:
        store.clear()
    store[key] = value


PATHS_KEPT = 20_000  # how many built paths a worker keeps (a few MB); the cache starts over when full


def path_for(request: Request, name: str, /, **path_params: Any) -> str:
    """Return the path of the route named ``name`` (``"bulletin:post"``), under the app's mount point.

    The same as ``request.url_for(name, ...).path``, without trying every route in turn; a page
    builds dozens of links, so each path is built once per worker and then looked up.
    """
    state = site(request).state
    paths: dict[tuple[Any, ...], str] = state.setdefault("paths", {})
    key = (name, *path_params.items())
    try:
        path = paths.get(key)
    except TypeError:  # a parameter that cannot be a dictionary key: build the path every time
        key, path = (), None
    if path is None:
        route = state.get("routes_by_name", {}).get(name)
        if route is None:
            return str(request.url_for(name, **path_params).path)
        path = str(route.url_path_for(name, **path_params))
        if key:
            _keep(paths, key, path, PATHS_KEPT)
    return str(request.scope.get("root_path", "")) + path


def redirect(request: Request, route: str, **path_params: Any) -> RedirectResponse:
    """Answer a POST with "see other" to the route named ``route`` (post/redirect/get)."""
    return RedirectResponse(str(request.url_for(route, **path_params)), status_code=303)


def redirect_back(request: Request, fallback: str = "/") -> Response:
    """Redirect to the ``next`` form field or query parameter when it is a local path, else ``fallback``."""
    target = str(form(request).get("next") or request.query_params.get("next") or "")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = fallback
    return RedirectResponse(target, status_code=303)


def flash(request: Request, message: str, kind: str = "info") -> None:
    """Show ``message`` on the next page this person sees (stored in their server-side session)."""
    hook = getattr(request.state, "flash", None)
    if hook is not None:
        hook(message, kind)
