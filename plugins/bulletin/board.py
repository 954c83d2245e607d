"""The board's rules: who sees a post, saving and renewing posts, what the search index holds."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm
from sqlalchemy.orm import Session

from organet import ValidationError, search
from organet.content import render_markdown_with_mentions
from organet.db import rows, utcnow
from organet.i18n import gettext as _
from organet.people import User, shared_with, shown_name

from .models import LOCATION_MAX, TEXT_MAX, TITLE_MAX, Category, Post

VIEW = "view-board"
POST = "post-notices"
MANAGE = "manage-board"
MODERATE = "moderate-content"  # the core's moderation permission: one queue for every plugin


def is_moderator(site: Any, person: Any) -> bool:
    """True when ``person`` may see hidden posts and act on reports."""
    from organet.web import permission_granted

    return permission_granted(site, person, MODERATE)


def may_see(session: Session, person: Any, post: Post | None, *, moderator: bool = False) -> bool:
    """True when ``person`` may open ``post``: live posts for the board's readers, anything for its poster.

    Externals see posts only when the board (or this post) is shared with one of their groups.
    """
    if post is None or not getattr(person, "is_authenticated", False):
        return False
    if post.author_id == person.id:
        return True
    if not post.live and not (moderator and post.hidden):
        return False
    if getattr(person, "is_external", False):
        return shared_with(session, person, "bulletin", "post", post.id)
    return True


def listing() -> sa.Select[tuple[Post]]:
    """Select posts for a list: with their category and author, without the author's group memberships
    (the people model loads those eagerly for permission checks; a list of 20 notices needs only names)."""
    return sa.select(Post).options(orm.joinedload(Post.author).lazyload(User.memberships))


class Notice(NamedTuple):
    """One line of the board: what a list of notices shows, read as plain columns.

    A list of twenty notices needs neither the posts' text nor their authors' memberships;
    reading just these columns instead of whole posts with their authors halves the board's time.
    """

    id: int
    title: str
    location: str
    price_cents: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    expired: bool
    hidden: bool
    category: str
    author_display_name: str
    author_given_name: str
    author_tussenvoegsel: str
    author_surname: str
    author_username: str

    @property
    def author(self) -> str:
        """The poster's name as everywhere else (:attr:`organet.people.User.name`)."""
        return shown_name(self.author_display_name, self.author_given_name, self.author_tussenvoegsel,
                          self.author_surname, self.author_username)

    @property
    def live(self) -> bool:
        """True while the notice is on the board (see :attr:`Post.live`)."""
        return not self.expired and not self.hidden and self.expires_at > utcnow()


def board_query(*, mine: bool, category: bool, location: bool,
                visible: sa.ColumnElement[bool] | None = None) -> sa.Select[Any]:
    """The board's query for one combination of filters, newest first, as :class:`Notice` columns.

    Its parameters: ``now`` (unless ``mine``), ``author_id`` (with ``mine``), ``category_id``,
    ``location``, ``limit`` and ``offset``. ``visible`` narrows the posts further (what an external
    person may see). Without it the statement is built once per combination, since putting a
    statement together costs more than running it.
    """
    if visible is None:
        return _board_query(mine, category, location)
    return _build_board_query(mine, category, location, visible)


@functools.cache
def _board_query(mine: bool, category: bool, location: bool) -> sa.Select[Any]:
    return _build_board_query(mine, category, location, None)


def _build_board_query(mine: bool, category: bool, location: bool,
                       visible: sa.ColumnElement[bool] | None) -> sa.Select[Any]:
    # The page is chosen among the posts alone (an index gives them in order), and only its rows are
    # joined to their category and poster: joining first made page 50 join a thousand rows to show 20.
    page = (sa.select(Post.id, Post.title, Post.location, Post.price_cents, Post.created_at, Post.expires_at,
                      Post.expired, Post.hidden, Post.category_id, Post.author_id)
            .order_by(Post.created_at.desc(), Post.id.desc()))
    if mine:
        page = page.where(Post.author_id == sa.bindparam("author_id"))
    else:
        page = page.where(Post.expired.is_(False), Post.hidden.is_(False), Post.expires_at > sa.bindparam("now"))
    if category:
        page = page.where(Post.category_id == sa.bindparam("category_id"))
    if location:
        page = page.where(Post.location == sa.bindparam("location"))
    if visible is not None:
        page = page.where(visible)
    chosen = page.limit(sa.bindparam("limit")).offset(sa.bindparam("offset")).subquery("page")
    return (sa.select(chosen.c.id, chosen.c.title, chosen.c.location, chosen.c.price_cents, chosen.c.created_at,
                      chosen.c.expires_at, chosen.c.expired, chosen.c.hidden, Category.name, User.display_name,
                      User.given_name, User.tussenvoegsel, User.surname, User.username)
            .join(Category, Category.id == chosen.c.category_id).join(User, User.id == chosen.c.author_id)
            .order_by(chosen.c.created_at.desc(), chosen.c.id.desc()))


def notices(session: Session, statement: sa.Select[Any], parameters: dict[str, Any]) -> list[Notice]:
    """Run a :func:`board_query` statement and return its rows as :class:`Notice` lines."""
    return [Notice._make(row) for row in rows(session, statement, parameters)]


def live_clause() -> sa.ColumnElement[bool]:
    """The SQL condition for posts on the board now."""
    return sa.and_(Post.expired.is_(False), Post.hidden.is_(False), Post.expires_at > utcnow())


def parse_price(text: str) -> int | None:
    """Turn "12,50" or "€ 12.50" into cents (1250); empty means no price. Raises ValidationError."""
    cleaned = re.sub(r"[€\s]", "", text or "").replace(",", ".")
    if not cleaned:
        return None
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        message = _("Write the price as a number, for example 12,50.")
        raise ValidationError(message, {"price": [message]}) from None
    if not amount.is_finite() or amount < 0 or amount > 1_000_000:
        message = _("A price is between 0 and 1.000.000 euro.")
        raise ValidationError(message, {"price": [message]})
    return int((amount * 100).quantize(Decimal(1)))


def format_price(cents: int | None) -> str:
    """Show cents as "€ 12,50"; "" for no price."""
    if cents is None:
        return ""
    return "€ " + f"{cents / 100:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def check_fields(session: Session, form: dict[str, str], *, default_days: int, max_days: int) -> dict[str, Any]:
    """Validate the post form; return clean values or raise ValidationError naming every bad field."""
    errors: dict[str, list[str]] = {}
    title = form.get("title", "").strip()
    text = form.get("text", "").strip()
    location = form.get("location", "").strip()
    if not title:
        errors["title"] = [_("Give your notice a title.")]
    elif len(title) > TITLE_MAX:
        errors["title"] = [_("Keep the title under %(n)s characters.", n=TITLE_MAX)]
    if len(text) > TEXT_MAX:
        errors["text"] = [_("Keep the text under %(n)s characters.", n=TEXT_MAX)]
    if len(location) > LOCATION_MAX:
        errors["location"] = [_("Keep the location under %(n)s characters.", n=LOCATION_MAX)]
    category = None
    category_id = form.get("category", "")
    if category_id.isdecimal() and len(category_id) < 10:
        category = session.get(Category, int(category_id))
    if category is None or not category.active:
        errors["category"] = [_("Choose a category.")]
    days_text = form.get("days", "") or str(default_days)
    days = int(days_text) if days_text.isdecimal() and len(days_text) < 5 else 0
    if not 1 <= days <= max_days:
        errors["days"] = [_("Choose between 1 and %(n)s days.", n=max_days)]
    price = None
    try:
        price = parse_price(form.get("price", "")[:40])
    except ValidationError as error:
        errors.update(error.errors)
    if errors:
        raise ValidationError(_("Some fields need your attention."), errors)
    return {"title": title, "text": text, "location": location, "category": category, "days": days,
            "price_cents": price}


def apply(session: Session, post: Post, values: dict[str, Any]) -> list[Any]:
    """Copy validated values onto ``post`` (rendering its text); return the colleagues it mentions."""
    html, mentioned = render_markdown_with_mentions(session, values["text"])
    post.title = values["title"]
    post.text = values["text"]
    post.html = str(html)
    post.location = values["location"]
    post.category_id = values["category"].id
    post.price_cents = values["price_cents"]
    return mentioned


def renew(post: Post, days: int) -> None:
    """Put the post back on the board (or keep it there) for ``days`` more days from now."""
    post.expires_at = utcnow() + dt.timedelta(days=days)
    post.expired = False
    post.reminded_at = None


def search_document(post: Post, url: str) -> search.SearchDocument:
    """The post as the core search sees it: on the board for every employee (externals when shared)."""
    return search.SearchDocument(
        plugin="bulletin", kind="post", object_id=str(post.id), title=post.title,
        text=f"{post.category.name} {post.location} {post.text}", url=url, date=post.created_at,
        owner_id=post.author_id,
    )


def post_url(post: Post) -> str:
    """The path of a post's page (for search results, notifications and feeds)."""
    return f"/bulletin/posts/{post.id}"


def reindex(session: Session, post: Post) -> None:
    """Keep the search index in step with the post: in it while live, out of it otherwise."""
    if post.live:
        search.index(session, search_document(post, post_url(post)))
    else:
        search.remove(session, "bulletin", "post", post.id)
