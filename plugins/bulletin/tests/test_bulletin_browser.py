"""The bulletin board in a browser: post a notice with a photo, a colleague comments and reports it,
a moderator hides it in /admin/moderation, and the poster renews it when it has expired."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from organet_plugins.bulletin.models import Category, Post
from PIL import Image

from organet.testing import db_session, sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.heavy]

PASSWORD = "een lange zin als wachtwoord"


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def the_post(app):
    with db_session(app) as session:
        return session.scalar(sa.select(Post).where(Post.title == "Kinderfiets"))


def switch_to(page, base, username):
    page.context.clear_cookies()
    sign_in_page(page, base, username, PASSWORD)


def test_post_comment_report_hide_and_renew_a_notice(make_app, make_user, live_url, page):
    app = make_app(plugins=["bulletin"])
    with db_session(app) as session:
        session.add(Category(name="Te koop", position=1))
    for username, role in (("anna", "member"), ("bram", "member"), ("root", "admin")):
        make_user(app, username, password=PASSWORD, role=role)
    base = live_url(app)

    sign_in_page(page, base, "anna", PASSWORD)
    page.goto(base + "/bulletin/new")
    page.get_by_label("Category").select_option(label="Te koop")
    page.get_by_label("Title").fill("Kinderfiets")
    page.get_by_label("Text", exact=True).fill("Blauw, 20 inch")
    page.get_by_label("Days on the board").fill("14")
    page.get_by_label("Pictures (JPEG, PNG, GIF or WebP)").set_input_files(
        {"name": "fiets.jpg", "mimeType": "image/jpeg", "buffer": jpeg_bytes()})
    page.get_by_role("button", name="Post", exact=True).click()
    page.wait_for_load_state()
    notice = page.url
    assert "/bulletin/posts/" in notice
    assert page.locator("main img[src*='/media/']").count() >= 1

    switch_to(page, base, "bram")
    page.goto(notice)
    page.get_by_label("Your comment").fill("Is hij nog te koop?")
    page.get_by_role("button", name="Place comment").click()
    page.wait_for_load_state()
    assert "Is hij nog te koop?" in page.locator("main").inner_text()
    page.get_by_role("link", name="Report this to a moderator").click()
    page.wait_for_load_state()
    page.get_by_label("Reason").fill("Dit is een dier, geen fiets")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_load_state()

    switch_to(page, base, "root")
    page.goto(base + "/admin/moderation")
    page.get_by_label("Reason for your decision").first.fill("Klopt niet")
    page.get_by_role("button", name="Hide").first.click()
    page.wait_for_load_state()
    assert the_post(app).hidden

    with db_session(app) as session:
        session.scalar(sa.select(Post)).expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    switch_to(page, base, "anna")
    page.goto(notice)
    page.get_by_role("button", name="Renew").click()
    page.wait_for_load_state()
    assert not the_post(app).expired
