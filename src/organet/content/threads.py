"""Reactions and comments on any object of any plugin, and the signed reference the forms carry.

A plugin shows them under its object with ``{% include "content/reactions.html" %}``, having
set ``plugin``, ``kind``, ``object_id`` and ``owner`` (the owner's user id) in the template.
The form carries those values with an HMAC signature so nobody can make the core notify a
person of their choosing; every action checks again that the person may see the object.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from starlette.requests import Request

from organet import web
from organet.content.models import REACTIONS, Comment, Reaction
from organet.content.richtext import render_markdown_with_mentions
from organet.content.visibility import can_see
from organet.db import rows
from organet.errors import NotFound, PermissionDenied, ValidationError
from organet.i18n import N_
from organet.i18n import gettext as _
from organet.people.models import User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site

MAX_COMMENT = 10_000
REACTION_LABELS = {"like": N_("Like"), "thanks": N_("Thanks"), "celebrate": N_("Celebrate"),
                   "insightful": N_("Insightful")}


def sign_reference(site: Site, plugin: str, kind: str, object_id: str, owner: str, url: str) -> str:
    """Return the signature over an object reference, so that forms cannot be forged to point elsewhere."""
    message = "\x1f".join(("content-ref", plugin, kind, object_id, owner, url)).encode()
    return hmac.new(str(site.config.site["secret_key"]).encode(), message, hashlib.sha256).hexdigest()


def reference_from_form(request: Request) -> dict[str, str]:
    """Read and verify the signed object reference in a posted form; refuse a forged or broken one."""
    form = web.form(request)
    ref = {key: str(form.get(key, "")) for key in ("plugin", "kind", "object_id", "owner", "url")}
    expected = sign_reference(web.site(request), **ref)
    if not hmac.compare_digest(expected, str(form.get("ref", ""))):
        raise PermissionDenied("This form has expired or did not come from this site. "
                               "Go back, reload the page and try again.")
    if not can_see(web.site(request), web.db(request), web.user(request), ref["plugin"], ref["kind"],
                   ref["object_id"]):
        raise NotFound("Not found.")
    return ref


def toggle_reaction(session: Session, person: Any, plugin: str, kind: str, object_id: str, reaction: str) -> bool:
    """Add ``person``'s reaction, or take it back when they had it; return True when it was added."""
    if reaction not in REACTIONS:
        raise ValidationError(_("Choose one of the reactions."), {"reaction": [_("Unknown reaction.")]})
    existing = session.scalar(sa.select(Reaction).where(
        Reaction.plugin == plugin, Reaction.kind == kind, Reaction.object_id == object_id,
        Reaction.user_id == person.id, Reaction.reaction == reaction))
    if existing is not None:
        session.delete(existing)
        session.flush()
        return False
    session.add(Reaction(plugin=plugin, kind=kind, object_id=object_id, user_id=person.id, reaction=reaction))
    session.flush()
    return True


def add_comment(session: Session, person: Any, plugin: str, kind: str, object_id: str,
                text: str) -> tuple[Comment, list[User]]:
    """Add a comment (Markdown) by ``person``; return it and the colleagues it mentions."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("Write a comment first."), {"text": [_("Write a comment first.")]})
    if len(text) > MAX_COMMENT:
        raise ValidationError(_("This comment is too long; keep it under %(n)s characters.", n=MAX_COMMENT),
                              {"text": [_("Too long.")]})
    html, mentioned = render_markdown_with_mentions(session, text)
    comment = Comment(plugin=plugin, kind=kind, object_id=object_id, author_id=person.id, text=text, html=str(html))
    session.add(comment)
    session.flush()
    return comment, mentioned


# Built once: lists ask for their objects' reactions on every page, and putting a statement
# together costs more than running it.
_REACTION_COUNTS = (
    sa.select(Reaction.object_id, Reaction.reaction, sa.func.count())
    .where(Reaction.plugin == sa.bindparam("plugin"), Reaction.kind == sa.bindparam("kind"),
           Reaction.object_id.in_(sa.bindparam("ids", expanding=True)))
    .group_by(Reaction.object_id, Reaction.reaction))


def reaction_counts(session: Session, plugin: str, kind: str, object_ids: list[str]) -> dict[str, Counter[str]]:
    """Return ``{object_id: Counter({"like": 3, ...})}`` for a list of objects, in one query."""
    counts: dict[str, Counter[str]] = {str(i): Counter() for i in object_ids}
    if not object_ids:
        return counts
    found = rows(session, _REACTION_COUNTS, {"plugin": plugin, "kind": kind, "ids": [str(i) for i in object_ids]})
    for object_id, reaction, count in found:
        counts[object_id][reaction] = count
    return counts


def thread(request: Request, plugin: str, kind: str, object_id: Any, owner: Any = None,
           url: str | None = None) -> dict[str, Any]:
    """Everything ``content/reactions.html`` shows for one object: counts, my reactions, comments, the form ref."""
    session, person, the_site = web.db(request), web.user(request), web.site(request)
    object_id = str(object_id)
    owner_id = str(getattr(owner, "id", owner) or "")
    url = url if url is not None else request.url.path
    counts = reaction_counts(session, plugin, kind, [object_id])[object_id]
    mine = set(session.scalars(sa.select(Reaction.reaction).where(
        Reaction.plugin == plugin, Reaction.kind == kind, Reaction.object_id == object_id,
        Reaction.user_id == person.id))) if person else set()
    moderator = web.has_permission(request, "moderate-content")
    query = sa.select(Comment).where(Comment.plugin == plugin, Comment.kind == kind, Comment.object_id == object_id)
    if not moderator:
        query = query.where(sa.or_(Comment.hidden.is_(False), Comment.author_id == person.id))
    comments = list(session.scalars(query.order_by(Comment.created_at, Comment.id).limit(500)))
    author_ids = {c.author_id for c in comments if c.author_id}
    authors = {u.id: u for u in session.scalars(sa.select(User).where(User.id.in_(author_ids)))} if author_ids else {}
    return {
        "reactions": [{"name": name, "label": REACTION_LABELS[name], "count": counts.get(name, 0),
                       "mine": name in mine} for name in REACTIONS],
        "comments": [{"comment": c, "author": authors.get(c.author_id or 0),
                      "can_delete": bool(person) and (c.author_id == person.id or moderator)} for c in comments],
        "ref": {"plugin": plugin, "kind": kind, "object_id": object_id, "owner": owner_id, "url": url,
                "ref": sign_reference(the_site, plugin, kind, object_id, owner_id, url)},
        "moderator": moderator,
    }
