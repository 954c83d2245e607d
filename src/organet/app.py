"""``create_app``: build a site and the Starlette application that serves it."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import secrets
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from organet import i18n, web
from organet._pipeline import api_endpoint, api_error, page_endpoint, resolve_person, stop_request_threads
from organet.api import openapi
from organet.config import Config, load_config
from organet.cpu_pinning import pin_to_a_free_cpu
from organet.db import Database
from organet.errors import Busy, NotFound, PermissionDenied, StartupError, ValidationError
from organet.plugins import collect
from organet.runtime import RuntimeState, seed_permissions
from organet.security import SecurityHeadersMiddleware
from organet.site import Site, build_site
from organet.templates import make_environment

log = logging.getLogger("organet")

CORE_FOLDER = Path(__file__).parent


def resolve_config(config: Config | str | os.PathLike[str] | Mapping[str, Any] | None) -> Config:
    """Turn what was passed to :func:`create_app` into a validated :class:`Config`.

    ``None`` reads the file named by ``ORGANET_CONFIG``, else ``./organet.toml``.
    """
    if isinstance(config, Config):
        return config
    if isinstance(config, Mapping):
        return Config.from_dict(config)
    if config is None:
        config = os.environ.get("ORGANET_CONFIG", "organet.toml")
    return load_config(config)


def create_app(config: Config | str | os.PathLike[str] | Mapping[str, Any] | None = None, *,
               database: Database | None = None, run_jobs: bool = False, worker: bool = False) -> Starlette:
    """Build a site from ``config`` and return its Starlette application.

    ``config`` is a :class:`organet.config.Config`, a path to organet.toml, a dict shaped like
    that file, or ``None`` (``$ORGANET_CONFIG`` or ./organet.toml). The application can be
    served on its own or mounted inside another Starlette application. ``run_jobs=True``
    runs the background jobs in this process (what ``organet serve`` does by default).
    ``worker=True`` is for a process that serves only this site (``organet.asgi``): at start-up it
    takes a CPU of its own when ``[site] pin_workers_to_cpus`` is true (:mod:`organet.cpu_pinning`)
    and tunes the garbage collector for requests (see :func:`_tune_garbage_collector`).
    Raises :class:`organet.errors.StartupError` or ``ConfigError`` with the fix.
    """
    site = build_site(resolve_config(config), database=database)
    site.state["runtime"] = RuntimeState(site)
    folders = [CORE_FOLDER, *(p.folder for p in site.plugins.values())]
    site.state["catalogues"] = i18n.load_catalogues(folders)
    site.state["templates"] = make_environment(site)
    site.state["run_jobs"] = run_jobs
    site.state["worker"] = worker
    app = Starlette(
        routes=_routes(site),
        middleware=[Middleware(OwnRoutesMiddleware), Middleware(SecurityHeadersMiddleware)],
        exception_handlers={error: _in_the_language_of_the_request(handler) for error, handler in {
            HTTPException: _http_error,
            NotFound: _not_found,
            PermissionDenied: _forbidden,
            Busy: _busy,
            ValidationError: _invalid,
            sa.exc.DataError: _bad_data,
            OverflowError: _bad_data,
            Exception: _server_error,
        }.items()},
        lifespan=_lifespan,
    )
    app.state.site = site
    # Starlette finds a route by name by trying every route in turn; templates build dozens of links per
    # page, so keep a map from name to route (see organet.web.path_for).
    site.state["routes_by_name"] = {name: route for route in app.routes if (name := getattr(route, "name", None))}
    return app


class OwnRoutesMiddleware:
    """Build URLs from organet's own routes, also when it is mounted inside another application.

    Starlette's ``request.url_for`` uses the outermost router, whose names for a mounted app
    are prefixed (``intranet:phonebook:person``); pointing the scope at organet's router keeps
    ``url_for("phonebook:person")`` working, and the mount's prefix still comes from ``root_path``.
    It also puts the site in the scope, where :func:`organet.web.site` finds it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if "app" in scope:
            scope["router"] = scope["app"].router
            scope["app_root_path"] = scope.get("root_path", "")
            scope["organet.site"] = scope["app"].state.site
        await self.app(scope, receive, send)


def _routes(site: Site) -> list[BaseRoute]:
    routes: list[BaseRoute] = []
    for plugin, page in site.pages:
        prefix = "" if site.plugins[plugin].info.essential else f"/{plugin}"
        routes.append(Route(prefix + page.path, page_endpoint(site, plugin, page), methods=list(page.methods),
                            name=f"{plugin}:{page.name}"))
    for plugin, route in site.api_routes:
        routes.append(Route(f"/api/{plugin}/v1{route.path}", api_endpoint(site, plugin, route),
                            methods=list(route.methods), name=f"api:{plugin}:{route.name}"))

    async def openapi_json(request: Request) -> Response:
        return JSONResponse(openapi(site, root_path=request.scope.get("root_path", "")))

    routes.append(Route("/api/openapi.json", openapi_json, name="api:openapi"))
    static_dirs = {"core": CORE_FOLDER / "static"}
    for loaded in site.plugins.values():
        if (loaded.folder / "static").is_dir():
            static_dirs[loaded.name] = loaded.folder / "static"
    for _plugin, extra in collect(site.pm, "register_static_dirs"):
        static_dirs.update({name: Path(folder) for name, folder in extra.items()})
    for name, folder in static_dirs.items():
        routes.append(Mount(f"/static/{name}", app=StaticFiles(directory=folder, check_dir=False),
                            name=f"static-{name}"))
    return routes


@asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    site: Site = app.state.site
    if site.state.get("worker") and site.config.site["pin_workers_to_cpus"]:
        pin_to_a_free_cpu()  # before any thread of the worker starts: they inherit the CPU
    try:
        try:
            with site.db.session() as session:
                seed_permissions(site, session)
        except sa.exc.IntegrityError:
            # Several workers starting at once on a new permission: another one seeded it first.
            log.info("permissions were seeded by another worker")
        with site.db.session() as session:
            site.state["runtime"].refresh(session, force=True)
    except sa.exc.OperationalError as error:
        raise StartupError(f"The database at {site.db.engine.url.render_as_string(hide_password=True)} is "
                           f"not ready: {error.orig}.\nRun `organet db upgrade` first.") from None
    except sa.exc.ProgrammingError as error:
        raise StartupError("The database has no organet tables yet, or they are out of date.\n"
                           "Run `organet db upgrade` first.") from error
    for impl in reversed(site.pm.hook.on_startup.get_hookimpls()):
        try:
            impl.function(app=app)
        except Exception as error:
            raise StartupError(f"Plugin {impl.plugin_name!r} failed while starting: {type(error).__name__}: "
                               f"{error}.\nFix the plugin, or disable it with `organet plugins disable "
                               f"{impl.plugin_name}`.") from error
    if site.state.get("worker"):
        _tune_garbage_collector()
    try:
        yield
    finally:
        # Views still running (past uvicorn's graceful time-out) finish before plugins stop and the
        # database goes; waiting happens off the event loop.
        await asyncio.get_running_loop().run_in_executor(None, stop_request_threads, site)
        site.hook.on_shutdown(app=app)
        site.db.dispose()


def _tune_garbage_collector() -> None:
    """Keep Python's cycle collector from walking the worker's start-up objects on every request.

    Routes, templates, table metadata and catalogues live as long as the worker; ``gc.freeze``
    moves them out of the collector's sight, and a larger first generation lets a request's
    objects die young instead of being promoted and walked again (about 10% more pages a second).
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 50)


# --- error pages ---------------------------------------------------------------------------------


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _choose_language(request: Request) -> None:
    """Set the language of an error page: the one the pipeline chose, or, when no plugin route
    matched (so the pipeline did not run), the person's cookie or browser language."""
    site: Site = request.app.state.site
    chosen = getattr(request.state, "language", None)
    if chosen is not None:
        i18n.set_language(chosen[0], chosen[1], site.state["catalogues"])
        return
    if hasattr(request.state, "user"):
        return
    language = request.cookies.get("organet_lang") or \
        i18n.pick_language(request.headers.get("accept-language", ""), site.config.site["language"])
    i18n.set_language(language, site.config.site["time_zone"], site.state["catalogues"])


def _in_the_language_of_the_request(handler: Any) -> Any:
    """Wrap an error handler so that its page is in the person's language.

    Handlers run outside the view's thread, where the language the pipeline chose is not set.
    """

    async def handle(request: Request, error: Exception) -> Response:
        _choose_language(request)
        return await handler(request, error)  # type: ignore[no-any-return]

    return handle


def _error_page(request: Request, status: int, title: str, message: str, reference: str = "") -> Response:
    if _wants_json(request):
        codes = {400: "bad_request", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
                 422: "invalid", 503: "busy", 500: "server_error"}
        text = f"{message} (reference {reference})" if reference else message
        return api_error(status, codes.get(status, "error"), text)
    # The request's transaction is over: leave flash messages in the session for the next page.
    request.state.take_flashes = None
    try:
        # The view's session is closed; the layout (the bell's unread count) gets a short one of its own,
        # so that no connection is checked out by a closed session and never returned.
        with request.app.state.site.db.session() as session:
            request.state.db = session
            if not hasattr(request.state, "user"):
                # No route matched, so the pipeline never ran: find the person for their menu and language.
                resolve_person(request.app.state.site, request)
            return web.render(request, "error.html", {"status": status, "title": title, "message": message,
                                                      "reference": reference}, status_code=status)
    except Exception:  # the layout itself failed: still never a traceback
        log.exception("error page could not be rendered")
        return HTMLResponse(f"<!doctype html><title>{status}</title><h1>{status}</h1><p>Reference {reference}</p>",
                            status_code=status)


async def _http_error(request: Request, error: Exception) -> Response:
    status = getattr(error, "status_code", 500)
    titles = {404: i18n.gettext("Page not found"), 405: i18n.gettext("Not allowed")}
    messages = {404: i18n.gettext("There is no page at this address. Check the link, or use the search."),
                405: i18n.gettext("This page cannot be used this way.")}
    return _error_page(request, status, titles.get(status, str(status)), messages.get(status, ""))


async def _not_found(request: Request, error: Exception) -> Response:
    return _error_page(request, 404, i18n.gettext("Page not found"),
                       i18n.gettext("There is no page at this address. Check the link, or use the search."))


async def _forbidden(request: Request, error: Exception) -> Response:
    person = web.user(request)
    if not person and not _wants_json(request) and request.method == "GET":
        from urllib.parse import quote

        from starlette.responses import RedirectResponse

        # Mounted inside another app, the sign-in page is under the mount's prefix too.
        root = request.scope.get("root_path", "")
        return RedirectResponse(f"{root}/login?next={quote(request.url.path)}", status_code=303)
    return _error_page(request, 403, i18n.gettext("No access"), i18n.gettext(str(error)))


async def _busy(request: Request, error: Exception) -> Response:
    response = _error_page(request, 503, i18n.gettext("Busy"),
                           i18n.gettext("The site is busy. Please try again in a moment."))
    response.headers["Retry-After"] = "2"
    return response


async def _invalid(request: Request, error: Exception) -> Response:
    # A subclass may answer with another status, such as 429 for organet.content.RateLimited.
    status = int(getattr(error, "status_code", 422))
    if _wants_json(request):
        fields = getattr(error, "errors", None)
        response: Response = api_error(status, "invalid" if status == 422 else "too_many_requests", str(error),
                                       fields if fields and list(fields) != [""] else None)
    else:
        response = _error_page(request, status, i18n.gettext("Please check your input") if status == 422
                               else i18n.gettext("Too many requests"), str(error))
    if getattr(error, "retry_after", None):
        response.headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
    return response


async def _bad_data(request: Request, error: Exception) -> Response:
    # A value the database refused (too long, wrong type): the plugin should have checked it, but the
    # person still gets a message and no change was made (the transaction was rolled back).
    log.warning("database refused a value on %s %s: %s", request.method, request.url.path, error)
    return _error_page(request, 422, i18n.gettext("Please check your input"),
                       i18n.gettext("One of the values is too long or not valid. Shorten or correct it and try again."))


async def _server_error(request: Request, error: Exception) -> Response:
    reference = secrets.token_hex(4).upper()
    log.error("request failed, reference %s: %s %s", reference, request.method, request.url.path,
              exc_info=error)
    return _error_page(request, 500, i18n.gettext("Something went wrong"),
                       i18n.gettext("This is our fault, not yours. If it keeps happening, tell the helpdesk "
                                    "this reference."), reference)
