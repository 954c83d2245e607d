"""Rich text: Markdown rendered with markdown-it-py, then sanitised with nh3, with @mentions of colleagues.

Rendering and sanitising are two steps on purpose: the Markdown renderer already escapes raw
HTML and refuses ``javascript:`` links, and nh3 (the maintained successor of bleach) then
removes anything that slipped through, so neither has to be perfect on its own.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import nh3
import sqlalchemy as sa
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.people.models import User

MENTION = re.compile(r"(?<![\w.@-])@([A-Za-z0-9][A-Za-z0-9._-]{0,79})")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "s", "del", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
LINK_REL = "nofollow noopener noreferrer"
URL_SCHEMES = {"http", "https", "mailto"}


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    # Images only from this site (uploads under /media/): an outside image would tell its host
    # who read the text and when.
    if tag == "img" and attribute == "src":
        return value if value.startswith("/") and not value.startswith("//") else None
    if attribute == "href" and value.lstrip().lower().startswith(("javascript:", "data:", "vbscript:")):
        return None
    return value


_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    allowed_classes={"a": {"mention"}},
    url_schemes=URL_SCHEMES,
    link_rel=LINK_REL,
    strip_comments=True,
    attribute_filter=_attribute_filter,
    clean_content_tags={"script", "style"},
)


def _mention_rule(state: StateInline, silent: bool) -> bool:
    """Turn ``@username`` into a mention token when ``username`` is a known colleague."""
    pos = state.pos
    if state.src[pos] != "@" or state.linkLevel > 0:
        return False
    if pos > 0 and (state.src[pos - 1].isalnum() or state.src[pos - 1] in "._-@"):
        return False  # part of an e-mail address or a word
    found = USERNAME.match(state.src, pos + 1)
    if found is None:
        return False
    name = found.group(0).rstrip(".-_")
    known = state.env.get("mentions", {})
    if name.lower() not in known:
        return False
    if not silent:
        token = state.push("mention", "", 0)
        token.meta = {"username": known[name.lower()].username}
        token.content = name
    state.pos = pos + 1 + len(name)
    return True


def _render_mention(self: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
    username = tokens[idx].meta["username"]
    return f'<a class="mention" href="/people/{escape(username)}">@{escape(tokens[idx].content)}</a>'


def _make_parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.enable(["table", "strikethrough"])
    parser.inline.ruler.before("emphasis", "mention", _mention_rule)
    parser.add_render_rule("mention", _render_mention)
    return parser


_parser = _make_parser()


def sanitise(html: str) -> Markup:
    """Return ``html`` cleaned to organet's allowed tags and attributes (for HTML from elsewhere)."""
    return Markup(_cleaner.clean(html))  # noqa: S704 - nh3 has just cleaned it


def render_markdown(text: str) -> Markup:
    """Render Markdown written by a person into safe HTML: no script, no event handlers, safe links.

    Raw HTML in the text is shown as text; links get ``rel="nofollow noopener noreferrer"``;
    ``javascript:`` and ``data:`` links are dropped; images only from this site.
    """
    return sanitise(_parser.render(text or "", {"mentions": {}}))


def mentioned_usernames(text: str) -> list[str]:
    """Return the ``@usernames`` written in ``text`` (lower case, each once, in order)."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(text or ""):
        seen.setdefault(match.group(1).rstrip(".-_").lower(), None)
    return list(seen)


def render_markdown_with_mentions(session: Session, text: str) -> tuple[Markup, list[User]]:
    """Render like :func:`render_markdown` and link ``@username`` of active colleagues to their profile.

    Returns the HTML and the people mentioned, so that the caller can notify them. A mention
    never grants access: notify them about the object, and the notification is shown only
    when they may see it (the ``object_visible_to`` hook decides).
    """
    from organet.people.models import User

    names = mentioned_usernames(text)
    people: list[User] = []
    if names:
        people = list(session.scalars(sa.select(User).where(
            sa.func.lower(User.username).in_(names[:50]), User.active.is_(True), User.kind != "service")))
    known = {person.username.lower(): person for person in people}
    html = sanitise(_parser.render(text or "", {"mentions": known}))
    mentioned = [known[name] for name in names if name in known and f'href="/people/{known[name].username}"' in html]
    return html, mentioned
