"""organet mounted inside another Starlette application, under ``/intranet``.

The outer application keeps its own routes; every organet URL (pages, API, static files)
lives under the mount's prefix, and links organet builds carry that prefix. A mounted
application's lifespan does not run by itself, so the outer one runs organet's inside its own:
that is where organet seeds permissions and warms its caches.

Run it with uvicorn's factory mode, pointing ORGANET_CONFIG at a site's organet.toml::

    ORGANET_CONFIG=demo-site/organet.toml uvicorn --factory mounted_app:make_app --app-dir examples
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route

import organet


def make_app(config: Any = None) -> Starlette:
    """Return the outer application with organet at /intranet (``config`` as for organet.create_app)."""
    intranet = organet.create_app(config)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with intranet.router.lifespan_context(intranet):
            yield

    async def home(request: Request) -> HTMLResponse:
        return HTMLResponse('<!doctype html><title>Zorggroep</title><h1>Zorggroep Rivierenland</h1>'
                            '<p><a href="/intranet/">To the intranet</a></p>')

    return Starlette(routes=[Route("/", home), Mount("/intranet", app=intranet, name="intranet")],
                     lifespan=lifespan)
