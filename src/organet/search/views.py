"""The search page, search-as-you-type and the JSON API; all of them ask :mod:`organet.search.query`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from organet import web
from organet.api import page_params
from organet.errors import ValidationError
from organet.i18n import format_number, ngettext
from organet.i18n import gettext as _
from organet.search.query import CANDIDATES, Filters, Hit, Results, search, suggest
from organet.search.sources import kind_labels

PER_PAGE = 20
PER_KIND = 5
MAX_QUERY = 200


def _date(request: Request, name: str) -> dt.date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ValidationError(_("Write dates as year-month-day, for example 2026-03-31."),
                              {name: [_("Write dates as year-month-day, for example 2026-03-31.")]}) from None


def _filters(request: Request) -> Filters:
    params = request.query_params
    return Filters(kinds=tuple(k for k in params.getlist("kind") if k),
                   plugins=tuple(p for p in params.getlist("plugin") if p),
                   since=_date(request, "from"), until=_date(request, "to"))


def _query(request: Request) -> str:
    return request.query_params.get("q", "").strip()[:MAX_QUERY]


def search_page(request: Request) -> Response:
    """``/search?q=``: results grouped by kind (the best few of each), or one kind page by page."""
    query = _query(request)
    filters = _filters(request)
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    page = min(page, CANDIDATES // PER_PAGE)
    grouped = not filters.kinds
    results = Results(query=query)
    if query:
        results = search(web.site(request), web.db(request), web.user(request), query, filters, page=page,
                         per_page=PER_PAGE, per_kind=PER_KIND if grouped else None)
    labels = kind_labels(web.site(request))
    groups: dict[str, list[Hit]] = {}
    for hit in results.hits:
        groups.setdefault(hit.kind, []).append(hit)
    last_page = max(1, -(-results.total // PER_PAGE))
    count = format_number(results.total)
    if results.total == 0:
        summary = _("Nothing found for “%(query)s”.", query=query)
    elif results.capped:
        summary = _("More than %(count)s results for “%(query)s”; add a word to narrow them down.", count=count,
                    query=query)
    else:
        summary = ngettext("%(count)s result for “%(query)s”", "%(count)s results for “%(query)s”", results.total,
                           count=count, query=query)
    return web.render(request, "search/results.html", {
        "title": _("Search"), "query": query, "results": results, "filters": filters, "grouped": grouped,
        "groups": groups, "labels": labels, "page": page, "has_next": not grouped and page < last_page,
        "per_kind": PER_KIND, "summary": summary,
    })


def _item(hit: Hit, labels: dict[str, str]) -> dict[str, Any]:
    return {"title": hit.title, "url": hit.url, "kind": labels.get(hit.kind, hit.kind)}


def suggest_json(request: Request) -> Response:
    """``/search/suggest?q=``: up to eight titles for the search box, as ``{"items": [{title, url, kind}]}``."""
    query = _query(request)
    hits = suggest(web.site(request), web.db(request), web.user(request), query) if len(query) >= 2 else []
    labels = kind_labels(web.site(request))
    return JSONResponse({"items": [_item(hit, labels) for hit in hits]})


def api_search(request: Request) -> dict[str, Any]:
    """``/api/search/v1/search?q=``: one page of results in the shape of every organet list."""
    page, per_page = page_params(request)
    query = _query(request)
    if not query:
        raise ValidationError("Give a search query, for example ?q=wondzorg.", {"q": ["This field is required."]})
    results = search(web.site(request), web.db(request), web.user(request), query, _filters(request),
                     page=page, per_page=per_page)
    items = [{"title": hit.title, "url": hit.url, "kind": hit.kind, "plugin": hit.plugin,
              "date": hit.date.isoformat() if hit.date else None, "title_html": str(hit.title_html),
              "snippet_html": str(hit.snippet)} for hit in results.hits]
    return {"items": items, "page": page, "per_page": per_page, "total": results.total,
            "next": page + 1 if page * per_page < results.total else None,
            "capped": results.capped, "kinds": results.kinds}
