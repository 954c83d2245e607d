"""The phonebook's JSON API under /api/phonebook/v1: search, one person, and changing one's own profile."""

from __future__ import annotations

from typing import Any

from organet_plugins.phonebook import directory, profiles, views
from pydantic import BaseModel, Field
from starlette.requests import Request

from organet import web
from organet.api import page_params


class ProfileUpdate(BaseModel):
    """The fields of one's own profile to change; leave a field out to keep it."""

    job_title: str | None = Field(default=None, max_length=200)
    work_phone: str | None = Field(default=None, max_length=40)
    mobile: str | None = Field(default=None, max_length=40)
    extension: str | None = Field(default=None, max_length=20)
    room: str | None = Field(default=None, max_length=100)
    about: str | None = Field(default=None, max_length=2000)
    expertise: list[str] | None = Field(default=None, max_length=20)
    languages: list[str] | None = Field(default=None, max_length=20)


def person_json(request: Request, card: dict[str, Any]) -> dict[str, Any]:
    """Return a card as JSON: the person's name, groups, status and the fields the caller may see."""
    person, fields, status = card["person"], dict(card["fields"]), card["status"]
    for key in ("managers", "reports"):
        if key in fields:
            fields[key] = [{"username": p.username, "name": p.name} for p in fields[key]]
    fields.pop("photo", None)
    return {
        "username": person.username, "name": person.name, "given_name": person.given_name,
        "tussenvoegsel": person.tussenvoegsel, "surname": person.surname,
        "departments": [{"slug": g.slug, "name": g.name} for g in card["departments"]],
        "locations": [{"slug": g.slug, "name": g.name} for g in card["locations"]],
        "in_today": status.in_today, "next_in": status.next_in.isoformat() if status.next_in else None,
        "absence_reason": card["reason"], "fields": fields,
        "url": str(request.url_for("phonebook:person", username=person.username).path),
    }


def search(request: Request) -> dict[str, Any]:
    """Search the directory; the same terms and filters as the page, one page of results at a time."""
    page, per_page = page_params(request)
    query = request.query_params.get("q", "").strip()[:100]
    filters, _chosen = views.filters_from(request)
    terms = views.search_terms(request, query, filters)
    ids = directory.search(web.db(request), terms, per_page + 1, (page - 1) * per_page)
    rows = profiles.rows(request, ids[:per_page])
    items = [{"username": r["username"], "name": r["name"], "in_today": r["in_today"],
              "departments": [g["name"] for g in r["departments"]], "fields": r["fields"], "url": r["url"]}
             for r in rows]
    more = len(ids) > per_page
    return {"items": items, "page": page, "per_page": per_page, "total": None, "next": page + 1 if more else None}


def suggest(request: Request) -> dict[str, Any]:
    """Results as you type for the directory's search box: up to eight names with a link."""
    query = request.query_params.get("q", "").strip()[:100]
    ids = directory.search(web.db(request), views.search_terms(request, query, []), 8)
    rows = profiles.rows(request, ids)
    return {"items": [{"title": r["name"], "kind": r["fields"].get("job_title", ""), "url": r["url"]}
                      for r in rows]}


def person(request: Request) -> dict[str, Any]:
    """One colleague, with the fields the caller may see."""
    found = views.person_or_404(request)
    return person_json(request, profiles.card(request, found))


def update_person(request: Request) -> dict[str, Any]:
    """Change one's own profile (admins: anyone's); 403 for another person's, 422 for a field one may not change."""
    found = views.person_or_404(request)
    body: ProfileUpdate = request.state.payload
    profiles.update(request, found, body.model_dump(exclude_none=True))
    return person_json(request, profiles.card(request, found))


def experts(request: Request) -> list[dict[str, Any]]:
    """Who knows about ``topic``, best first."""
    topic = request.query_params.get("topic", "").strip()[:80]
    return views.experts_for(request, topic)
