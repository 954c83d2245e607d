"""The request pipeline around every plugin route: person, language, audience, permission, CSRF, transaction."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import json
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from organet import activity, i18n, security, web
from organet.errors import NotFound, PermissionDenied, ValidationError
from organet.runtime import in_audience
from organet.types import ApiRoute, Page

if TYPE_CHECKING:
    from organet.site import Site

log = logging.getLogger("organet.requests")

MAX_FORM_BYTES = 25 * 1024 * 1024


def resolve_person(site: Site, request: Request) -> Any:
    """Find the person behind ``request`` through the ``user_from_request`` hook; set language and state."""
    session = request.state.db
    site.state["runtime"].refresh(session)
    person = site.hook.user_from_request(request=request, session=session) or web.ANONYMOUS
    request.state.user = person
    if person:
        request.state.signed_in = True
    language = getattr(person, "language", None) or request.cookies.get("organet_lang") or \
        i18n.pick_language(request.headers.get("accept-language", ""), site.config.site["language"])
    time_zone = getattr(person, "time_zone", None) or site.config.site["time_zone"]
    i18n.set_language(language, time_zone, site.state["catalogues"])
    # The view's thread sets the language for itself only; an error page made after it keeps it from here.
    request.state.language = (language, time_zone)
    return person


def required_step(site: Site, request: Request, person: Any) -> str | None:
    """The page a signed-in person must finish first (forced states), or ``None``; never for API tokens."""
    if not person or getattr(request.state, "token_auth", False):
        return None
    step = site.hook.required_step_from_request(request=request, session=request.state.db, user=person)
    return step if step and step != request.url.path else None


LARGEST_ID = 2**63 - 1


def _check_access(site: Site, plugin: str, route: Page | ApiRoute, request: Request, person: Any) -> None:
    # An id no database column can hold names nothing: 404 here rather than an overflow in the query.
    if any(isinstance(value, int) and not 0 <= value <= LARGEST_ID for value in request.path_params.values()):
        raise NotFound("Not found.")
    essential = site.plugins[plugin].info.essential
    if not essential and not in_audience(site, plugin, person):
        raise NotFound("Not found.")
    if not web.permission_granted(site, person, route.permission):
        if not person:
            raise PermissionDenied(i18n.N_("Sign in to see this page."))
        raise PermissionDenied(i18n.N_("You do not have permission to see this page."))
    if request.method in security.UNSAFE_METHODS and not getattr(request.state, "token_auth", False):
        form = getattr(request.state, "form", None)
        submitted = request.headers.get(security.CSRF_HEADER) or \
            (form.get(security.CSRF_FIELD) if form is not None else None)
        if not security.csrf_valid(request, str(submitted) if submitted else None):
            raise PermissionDenied(i18n.N_("This form has expired or did not come from this site. "
                                           "Go back, reload the page and try again."))


async def _read_input(request: Request) -> None:
    """Read the form or body of a state-changing request before the view runs in its thread."""
    if request.method not in security.UNSAFE_METHODS:
        return
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form(max_files=20, max_fields=2000, max_part_size=MAX_FORM_BYTES)
        # NUL bytes have no place in text and PostgreSQL refuses them: drop them here, once for all plugins.
        request.state.form = FormData([(key, value.replace("\x00", "") if isinstance(value, str) else value)
                                       for key, value in form.multi_items()])
    else:
        request.state.body = await request.body()


def _session_for(site: Site, route: Page | ApiRoute, request: Request) -> AbstractContextManager[Any]:
    """The request's transaction: a write transaction from the start for ``write=True`` routes on unsafe methods."""
    if route.write and request.method in security.UNSAFE_METHODS:
        return site.db.write_session()
    return site.db.session()


def request_threads(site: Site) -> int:
    """How many requests a worker process works on at once: ``[site] request_threads``, or by database.

    Views are plain functions run in threads, and Python runs one thread at a time: on SQLite,
    whose queries take microseconds in this process, more threads only queue for the interpreter
    (one thread served 35% more pages a second than forty); on PostgreSQL a thread waiting for
    the database lets another one work. Two on SQLite keep one slow request from holding up the rest.
    """
    configured = int(site.config.site.get("request_threads") or 0)
    if configured:
        return configured
    return 2 if site.db.engine.dialect.name == "sqlite" else 40


_POOL_LOCK = threading.Lock()


def _request_pool(site: Site) -> ThreadPoolExecutor:
    pool = site.state.get("request_pool")
    if pool is None:
        with _POOL_LOCK:
            pool = site.state.get("request_pool")
            if pool is None:
                pool = site.state["request_pool"] = ThreadPoolExecutor(request_threads(site),
                                                                       thread_name_prefix="organet-request")
    return pool  # type: ignore[no-any-return]


async def run_view(site: Site, function: Callable[[Request], Response], request: Request) -> Response:
    """Run a view (wrapped in the pipeline) in one of the site's :func:`request_threads` threads.

    A pool of the site's own rather than anyio's thread helper: handing a request to a thread
    and back cost 1.9 million instructions there (limiter, cancel scope, task lookups), a fifth
    of a board page, and 0.2 million here. Context variables go along, as with anyio.
    """
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_request_pool(site), context.run, function, request)


def stop_request_threads(site: Site) -> None:
    """Wait for the views still running in the site's request threads, then end the threads.

    Called when the application stops; requests that had not started yet are dropped.
    """
    pool = site.state.pop("request_pool", None)
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def _again_after_a_lost_connection(handle: Callable[[Request], Response]) -> Callable[[Request], Response]:
    """Run ``handle`` once more when its database connection was lost (the database restarted).

    Pooled connections are not tested before every request (that is a round trip on every page):
    the first request after a restart finds its connection gone, SQLAlchemy then drops every
    pooled connection, and the request is served again on a fresh one. That is safe for a GET or
    HEAD, and for any request whose view had not started yet (the connection is found gone at
    the first statement, looking up the session); a form whose view had started is never
    submitted twice: it gets the error page, and nothing of it was saved.
    """

    def run(request: Request) -> Response:
        request.state.view_started = False
        try:
            return handle(request)
        except sa.exc.DBAPIError as error:
            if not error.connection_invalidated or \
                    (request.method not in ("GET", "HEAD") and request.state.view_started):
                raise
            log.warning("database connection lost during %s %s; trying once more", request.method, request.url.path)
            return handle(request)

    return run


def page_endpoint(site: Site, plugin: str, page: Page) -> Callable[[Request], Any]:
    """Wrap a plugin's view so that every request passes the pipeline before and commits after."""
    view = page.endpoint

    def handle(request: Request) -> Response:
        request.state.embeddable = page.embeddable
        with _session_for(site, page, request) as session:
            request.state.db = session
            person = resolve_person(site, request)
            request.state.plugin = plugin
            try:
                step = required_step(site, request, person)
                if step and request.method == "GET":
                    return RedirectResponse(step, status_code=303)
                if step:
                    raise PermissionDenied(i18n.N_("Finish the step you were sent to first, then try again."))
                _check_access(site, plugin, page, request, person)
                request.state.view_started = True
                response = view(request)
            except Exception:
                # The rollback that follows would expire the person; the error page still shows
                # their navigation and name, so keep them loaded, detached from the session.
                if person and person in session:
                    session.expunge(person)
                raise
            if inspect.isawaitable(response):
                raise TypeError(f"{plugin}:{page.name} is async; organet views are plain functions")
            return response  # type: ignore[return-value]

    # Page views count for adoption figures: every plugin's pages, and the core's dashboard.
    tracked = not site.plugins[plugin].info.essential or (plugin == "core" and page.name == "dashboard")

    handle_safely = _again_after_a_lost_connection(handle)

    def handle_and_record(request: Request) -> Response:
        response = handle_safely(request)
        person = getattr(request.state, "user", None)
        if tracked and request.method == "GET" and response.status_code < 300 and person:
            activity.record(request, person.id, plugin, "view")
        return response

    async def endpoint(request: Request) -> Response:
        await _read_input(request)
        return await run_view(site, handle_and_record, request)

    endpoint.__name__ = f"{plugin}_{page.name}"
    return endpoint


def api_error(status: int, code: str, message: str, fields: dict[str, list[str]] | None = None) -> JSONResponse:
    """Return the JSON error every API answers with: ``{"error": {"code", "message", "fields"}}``."""
    payload: dict[str, Any] = {"code": code, "message": message}
    if fields:
        payload["fields"] = fields
    return JSONResponse({"error": payload}, status_code=status)


def api_endpoint(site: Site, plugin: str, route: ApiRoute) -> Callable[[Request], Any]:
    """Wrap a plugin's API view: the same pipeline, a validated body, and JSON in and out."""
    view = route.endpoint

    def handle(request: Request) -> Response:
        with _session_for(site, route, request) as session:
            request.state.db = session
            person = resolve_person(site, request)
            request.state.plugin = plugin
            if required_step(site, request, person):
                raise PermissionDenied(i18n.N_("Finish the step you were sent to first, then try again."))
            _check_access(site, plugin, route, request, person)
            if route.request_model is not None:
                request.state.payload = _parse_body(request, route.request_model)
            request.state.view_started = True
            result = view(request)
            session.flush()
            return _to_response(result)

    handle_safely = _again_after_a_lost_connection(handle)

    async def endpoint(request: Request) -> Response:
        await _read_input(request)
        return await run_view(site, handle_safely, request)

    endpoint.__name__ = f"api_{plugin}_{route.name}"
    return endpoint


def _parse_body(request: Request, model: type) -> Any:
    raw = getattr(request.state, "body", b"") or b"{}"
    try:
        data = json.loads(raw)
    except ValueError:
        raise ValidationError("The request body is not valid JSON. Send a JSON object.") from None
    try:
        return model.model_validate(data)  # type: ignore[attr-defined]
    except PydanticValidationError as error:
        fields: dict[str, list[str]] = {}
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]) or ""
            fields.setdefault(name, []).append(problem["msg"])
        raise ValidationError("Some fields are missing or wrong; see 'fields'.", fields) from None


def _to_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        return JSONResponse(result.model_dump(mode="json"))
    if isinstance(result, list) and result and isinstance(result[0], BaseModel):
        return JSONResponse([item.model_dump(mode="json") for item in result])
    return JSONResponse(result)
