"""Rich text: Markdown rendered, then sanitised; safe links; @mentions of colleagues."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from organet.content import render_markdown, render_markdown_with_mentions
from organet.testing import db_session

NASTY = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
         "[x](JaVaScRiPt:alert(1))", "[x](data:text/html;base64,PHNjcmlwdD4=)", "<a href='javascript:x'>a</a>",
         "![i](javascript:alert(1))", "<svg onload=alert(1)>", "<iframe src=x>", "`<script>`", "**<b onclick=x>**",
         "[a](  javascript:alert(1))", "<a href=\"&#106;avascript:alert(1)\">x</a>", "[x](vbscript:msgbox)",
         "\u0000<script>", "<style>body{}</style>", "<!-- <script> -->", "@anna", "> quote\n\n- list",
         "[x](http://example.org \"t\")", "![pic](/media/abc/pic.png)", "<form action=/x>", "|a|b|\n|-|-|\n|1|2|"]


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def assert_inert(html: str) -> None:
    assert "<script" not in html.lower()
    collector = _Collector()
    collector.feed(html)
    for tag, attrs in collector.tags:
        assert tag not in {"script", "style", "iframe", "svg", "form", "object", "embed"}
        for name, value in attrs:
            assert not name.lower().startswith("on"), (tag, name)
            if name in {"href", "src"}:
                cleaned = "".join((value or "").split()).lower()
                assert not cleaned.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)


def test_markdown_renders_emphasis_lists_and_tables():
    html = render_markdown("**bold** and *it*\n\n- one\n- two\n\n|a|b|\n|-|-|\n|1|2|")
    assert "<strong>bold</strong>" in html and "<li>one</li>" in html and "<table>" in html


def test_raw_html_and_script_are_shown_as_text():
    html = render_markdown("<script>alert(1)</script> <b onclick=x>hi</b>")
    assert "<script" not in html and "&lt;script&gt;" in html
    assert_inert(html)


def test_links_get_rel_and_dangerous_schemes_are_dropped():
    html = render_markdown("[ok](https://example.org) [bad](javascript:alert(1))")
    assert 'rel="nofollow noopener noreferrer"' in html
    assert 'href="javascript' not in html
    assert_inert(html)


def test_images_only_from_this_site():
    html = render_markdown("![a](https://tracker.example/pixel.png) ![b](/media/x/b.png)")
    assert "tracker.example" not in html and 'src="/media/x/b.png"' in html


def test_every_known_nasty_input_is_inert():
    for text in NASTY:
        assert_inert(render_markdown(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=40)), max_size=8).map("".join))
def test_property_output_never_has_script_event_handlers_or_javascript_urls(text):
    assert_inert(render_markdown(text))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(list("<>\"'=/ :;&#()[]!`*_\\\n") + ["javascript", "script", "on", "data", "img",
                                                                       "a ", "href", "src", "onerror"]),
                max_size=40).map("".join))
def test_property_markup_soup_stays_inert(text):
    assert_inert(render_markdown(text))


def test_mentions_link_active_colleagues_and_are_returned(app, make_user):
    make_user(app, "anna")
    make_user(app, "bram")
    with db_session(app) as session:
        html, people = render_markdown_with_mentions(
            session, "Hi @anna and @bram, mail me at x@anna.nl, not @nobody. `@bram` in code")
    assert '<a class="mention" href="/people/anna"' in html
    assert "@nobody" in html and 'href="/people/nobody"' not in html
    assert sorted(p.username for p in people) == ["anna", "bram"]
    assert html.count('href="/people/bram"') == 1
    assert_inert(html)


def test_mention_inside_a_link_is_not_nested(app, make_user):
    make_user(app, "anna")
    with db_session(app) as session:
        html, people = render_markdown_with_mentions(session, "[@anna](https://example.org)")
    assert "mention" not in html and people == []
