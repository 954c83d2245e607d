"""The bulletin board over HTTP: posting, the board, feeds, expiry, moderation and who may do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa
from organet_plugins.bulletin.models import Category, Post
from PIL import Image

from organet.jobs import run_now
from organet.testing import db_session

PLUGINS = ["bulletin"]
SCRIPT = "<script>alert('x')</script>"


@pytest.fixture
def board(make_app):
    app = make_app(plugins=PLUGINS)
    with db_session(app) as session:
        session.add_all([Category(name="Te koop", position=1), Category(name="Gevraagd", position=2)])
    return app


def category_id(app, name="Te koop"):
    with db_session(app) as session:
        return session.scalar(sa.select(Category.id).where(Category.name == name))


def post(client, app, **fields):
    data = {"category": str(category_id(app)), "title": "Kinderfiets", "text": "Blauw, 20 inch", "days": "30",
            **fields}
    return client.submit("/bulletin/new", data, follow_redirects=False)


def the_post(app, title="Kinderfiets"):
    with db_session(app) as session:
        return session.scalar(sa.select(Post).where(Post.title == title))


def jpeg_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return buffer.getvalue()


def test_member_posts_a_notice_with_a_picture_and_sees_it_on_the_board(board, make_user, client_for):
    anna = make_user(board, "anna")
    client = client_for(board, anna)
    response = client.post("/bulletin/new", data={"category": str(category_id(board)), "title": "Kinderfiets",
                                                  "text": "**Blauw**", "price": "45,00", "days": "14",
                                                  "csrf_token": client.csrf},
                           files={"images": ("fiets.jpg", jpeg_bytes(), "image/jpeg")}, follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "<strong>Blauw</strong>" in page.text
    assert "€ 45,00" in page.text
    assert "/media/" in page.text
    listing = client.get("/bulletin/")
    assert "Kinderfiets" in listing.text
    found = the_post(board)
    assert found.price_cents == 4500
    assert dt.timedelta(days=13) < found.expires_at - found.created_at <= dt.timedelta(days=14, minutes=1)


def test_a_bad_form_says_what_to_fix_and_saves_nothing(board, make_user, client_for):
    client = client_for(board, make_user(board, "anna"))
    response = post(client, board, title="", price="veel", days="1000")
    assert response.status_code == 422
    assert "Give your notice a title" in response.text
    assert "Write the price as a number" in response.text
    with db_session(board) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0


def test_script_in_every_field_is_inert_on_board_post_feed_and_search(board, make_user, client_for):
    anna = make_user(board, "anna")
    client = client_for(board, anna)
    assert post(client, board, title=f"Fiets {SCRIPT}", text=SCRIPT, location=SCRIPT).status_code == 303
    found = the_post(board, f"Fiets {SCRIPT}")
    for path in ("/bulletin/", f"/bulletin/posts/{found.id}", "/search?q=Fiets", "/"):
        page = client.get(path)
        assert page.status_code == 200
        assert SCRIPT not in page.text, path
    client.submit("/bulletin/feeds", {"action": "create"})
    token = client.get("/bulletin/feeds")  # the token is shown once, at creation
    assert token.status_code == 200


def test_another_member_cannot_edit_or_delete_a_notice(board, make_user, client_for):
    anna, bram = make_user(board, "anna"), make_user(board, "bram")
    post(client_for(board, anna), board)
    found = the_post(board)
    intruder = client_for(board, bram)
    assert intruder.get(f"/bulletin/posts/{found.id}").status_code == 200
    assert intruder.get(f"/bulletin/posts/{found.id}/edit").status_code == 403
    assert intruder.submit(f"/bulletin/posts/{found.id}/edit", {"title": "Mine now"}).status_code == 403
    assert intruder.submit(f"/bulletin/posts/{found.id}/delete").status_code == 403
    assert the_post(board).title == "Kinderfiets"


def test_forged_post_without_csrf_token_is_refused(board, make_user, client_for):
    client = client_for(board, make_user(board, "anna"))
    response = client.post("/bulletin/new", data={"category": str(category_id(board)), "title": "x", "days": "3"})
    assert response.status_code == 403
    assert the_post(board, "x") is None


def test_expired_notice_leaves_the_board_and_its_poster_renews_it(board, make_user, client_for):
    anna, bram = make_user(board, "anna"), make_user(board, "bram")
    owner = client_for(board, anna)
    post(owner, board)
    with db_session(board) as session:
        found = session.scalar(sa.select(Post))
        found.expires_at = found.created_at - dt.timedelta(seconds=1) + dt.timedelta(seconds=1)
        found.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        post_id = found.id
    run_now(board.state.site, "bulletin.expire", "test")
    assert the_post(board).expired
    assert "Kinderfiets" not in client_for(board, bram).get("/bulletin/").text
    assert client_for(board, bram).get(f"/bulletin/posts/{post_id}").status_code == 404
    assert client_for(board, bram).get("/search?q=Kinderfiets").text.count(f"/bulletin/posts/{post_id}") == 0
    assert owner.submit(f"/bulletin/posts/{post_id}/renew").status_code in (200, 303)
    assert not the_post(board).expired
    assert "Kinderfiets" in client_for(board, bram).get("/bulletin/").text


def test_poster_is_reminded_before_expiry(board, make_user, client_for):
    from organet.notifications import Notification

    anna = make_user(board, "anna")
    post(client_for(board, anna), board, days="2")
    run_now(board.state.site, "bulletin.remind", "test")
    run_now(board.state.site, "bulletin.remind", "test")
    with db_session(board) as session:
        reminders = session.scalars(sa.select(Notification).where(Notification.recipient_id == anna.id)).all()
        assert len(reminders) == 1


def test_moderator_hides_a_reported_notice_through_the_core_queue(board, make_user, client_for):
    from organet.content import set_hidden

    anna, bram, root = make_user(board, "anna"), make_user(board, "bram"), make_user(board, "root", role="admin")
    post(client_for(board, anna), board)
    found = the_post(board)
    with db_session(board) as session:
        set_hidden(session, board.state.site, root, "bulletin", "post", found.id, True, "Geen handel in dieren")
    assert the_post(board).hidden
    assert "Kinderfiets" not in client_for(board, bram).get("/bulletin/").text
    assert client_for(board, bram).get(f"/bulletin/posts/{found.id}").status_code == 404
    assert client_for(board, root).get(f"/bulletin/posts/{found.id}").status_code == 200
    assert client_for(board, anna).get(f"/bulletin/posts/{found.id}").status_code == 200


def test_feed_works_with_a_token_and_stops_when_revoked(board, make_user, client_for):
    anna = make_user(board, "anna")
    client = client_for(board, anna)
    post(client, board, title=f"Feed {SCRIPT}")
    page = client.submit("/bulletin/feeds", {"action": "create"})
    token = page.text.split("/bulletin/feeds/")[1].split("/")[0]
    reader = client_for(board)
    feed = reader.get(f"/bulletin/feeds/{token}/all.atom")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/atom+xml")
    assert "Feed &lt;script&gt;" in feed.text and SCRIPT not in feed.text
    assert reader.get(f"/bulletin/feeds/{token}/{category_id(board)}.atom").status_code == 200
    client.submit("/bulletin/feeds", {"action": "revoke"})
    assert reader.get(f"/bulletin/feeds/{token}/all.atom").status_code == 404


def test_posting_is_rate_limited_per_person(make_app, make_user, client_for):
    app = make_app(plugins=PLUGINS, plugin_settings={"bulletin": {"posts_per_hour": 2}})
    with db_session(app) as session:
        session.add(Category(name="Te koop"))
    client = client_for(app, make_user(app, "anna"))
    assert post(client, app, title="een").status_code == 303
    assert post(client, app, title="twee").status_code == 303
    assert post(client, app, title="drie").status_code == 429


def test_external_sees_the_board_only_when_shared_with_them(board, make_user, client_for):
    from organet.people import Group, share

    post(client_for(board, make_user(board, "anna")), board)
    partner = make_user(board, "partner", kind="external", role="external", groups=["thuiszorg-partner"])
    guest = client_for(board, partner)
    assert guest.get("/bulletin/").status_code == 404
    with db_session(board) as session:
        group = session.scalar(sa.select(Group).where(Group.slug == "thuiszorg-partner"))
        share(session, "bulletin", "", "", [group.id])
        board.state.site.state["runtime"].refresh(session, force=True)  # as every worker does within seconds
    assert guest.get("/bulletin/").status_code == 200
    assert "Kinderfiets" in guest.get("/bulletin/").text


def test_api_lists_live_notices_newest_first(board, make_user, client_for):
    client = client_for(board, make_user(board, "anna"))
    for title in ("een", "twee", "drie"):
        post(client, board, title=title)
    listing = client.get("/api/bulletin/v1/posts?per_page=2").json()
    assert [item["title"] for item in listing["items"]] == ["drie", "twee"]
    assert listing["total"] == 3 and listing["next"] == 2
    one = client.get(f"/api/bulletin/v1/posts/{the_post(board, 'een').id}").json()
    assert one["title"] == "een"


def test_categories_are_kept_by_admins_only(board, make_user, client_for):
    assert client_for(board, make_user(board, "anna")).get("/bulletin/admin/categories").status_code == 403
    admin = client_for(board, make_user(board, "root", role="admin"))
    assert admin.submit("/bulletin/admin/categories", {"action": "add", "name": "Carpoolen"}).status_code == 200
    with db_session(board) as session:
        assert session.scalar(sa.select(Category).where(Category.name == "Carpoolen")) is not None


def test_a_board_line_shows_picture_category_price_poster_and_reactions(board, make_user, client_for):
    from organet.content import toggle_reaction

    anna = make_user(board, "anna")
    client = client_for(board, anna)
    response = client.post("/bulletin/new", data={"category": str(category_id(board)), "title": "Kinderfiets",
                                                  "text": "Blauw", "price": "45,00", "location": "Delft",
                                                  "days": "14", "csrf_token": client.csrf},
                           files={"images": ("fiets.jpg", jpeg_bytes(), "image/jpeg")}, follow_redirects=False)
    assert response.status_code == 303
    post(client, board, title="Zonder foto")
    with db_session(board) as session:
        toggle_reaction(session, make_user(board, "bram"), "bulletin", "post", str(the_post(board).id), "like")
    line = client.get("/bulletin/").text.split("Kinderfiets</a>")[1].split("</li>")[0]
    assert "Te koop · Delft" in line and "€ 45,00" in line and anna.name in line
    assert "1 reaction" in line
    board_page = client.get("/bulletin/").text
    picture = board_page.split("Kinderfiets</a>")[0].rsplit('<li class="notice">', 1)[1]
    assert "/media/" in picture and "/thumbnail/fiets.jpg" in picture
    bare = board_page.split("Zonder foto</a>")[0].rsplit('<li class="notice">', 1)[1]
    assert "<img" not in bare


def test_a_category_an_admin_adds_is_offered_on_the_board_at_once(board, make_user, client_for):
    member = client_for(board, make_user(board, "anna"))
    assert "Carpoolen" not in member.get("/bulletin/").text  # the categories are cached from here on
    admin = client_for(board, make_user(board, "root", role="admin"))
    assert admin.submit("/bulletin/admin/categories", {"action": "add", "name": "Carpoolen"}).status_code == 200
    assert ">Carpoolen</option>" in member.get("/bulletin/").text
    assert ">Carpoolen</option>" in member.get("/bulletin/new").text


def _titles(page_html):
    return [part.split("</a>")[0].rsplit(">", 1)[1] for part in page_html.split('class="notice__title">')[1:]]


def test_board_pages_are_newest_first_and_filters_narrow_them(board, make_user, client_for):
    anna, bram = make_user(board, "anna"), make_user(board, "bram")
    now = dt.datetime.now(dt.UTC)
    te_koop, gevraagd = category_id(board), category_id(board, "Gevraagd")
    with db_session(board) as session:
        for number in range(25):
            session.add(Post(author_id=anna.id, title=f"notice {number:02d}", category_id=te_koop,
                             location="Delft" if number % 5 == 0 else "Leiden",
                             created_at=now - dt.timedelta(minutes=number), expires_at=now + dt.timedelta(days=5)))
        session.add(Post(author_id=bram.id, title="wanted", category_id=gevraagd, location="Delft",
                         created_at=now - dt.timedelta(minutes=100), expires_at=now + dt.timedelta(days=5)))
        session.add(Post(author_id=bram.id, title="gone", category_id=gevraagd, created_at=now,
                         expires_at=now - dt.timedelta(days=1)))
        session.add(Post(author_id=bram.id, title="hidden", category_id=gevraagd, created_at=now,
                         expires_at=now + dt.timedelta(days=1), hidden=True))
    client = client_for(board, bram)
    first = client.get("/bulletin/").text
    assert _titles(first) == [f"notice {n:02d}" for n in range(20)]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/bulletin/?page=2").text
    assert _titles(second) == [f"notice {n:02d}" for n in range(20, 25)] + ["wanted"]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    assert _titles(client.get(f"/bulletin/?category={gevraagd}").text) == ["wanted"]
    assert _titles(client.get("/bulletin/?location=Delft").text) == [
        "notice 00", "notice 05", "notice 10", "notice 15", "notice 20", "wanted"]
    assert _titles(client.get(f"/bulletin/?location=Delft&category={te_koop}&page=1").text)[-1] == "notice 20"
    mine = client.get("/bulletin/?mine=1").text
    assert sorted(_titles(mine)) == ["gone", "hidden", "wanted"] and "not on the board" in mine
    assert _titles(client.get("/bulletin/?page=9").text) == []


def test_an_external_sees_on_the_board_only_the_notices_shared_with_them(board, make_user, client_for):
    from organet.people import Group, share

    client = client_for(board, make_user(board, "anna"))
    post(client, board, title="for everyone here")
    post(client, board, title="for the partner")
    partner = make_user(board, "partner", kind="external", role="external", groups=["thuiszorg-partner"])
    with db_session(board) as session:
        group = session.scalar(sa.select(Group).where(Group.slug == "thuiszorg-partner"))
        share(session, "bulletin", "post", str(the_post(board, "for the partner").id), [group.id])
        board.state.site.state["runtime"].refresh(session, force=True)
    assert _titles(client_for(board, partner).get("/bulletin/").text) == ["for the partner"]
    assert _titles(client.get("/bulletin/").text) == ["for the partner", "for everyone here"]


def test_the_kept_board_follows_every_change_it_shows(board, make_user, client_for):
    """The board's notices are rendered once per change (web.kept_fragment): every change must show at once."""
    from organet.content import set_hidden, toggle_reaction
    from organet.people import User

    anna, root = make_user(board, "anna"), make_user(board, "root", role="admin")
    poster = client_for(board, anna)
    post(poster, board)
    reader = client_for(board, make_user(board, "bram"))

    def line():
        page = reader.get("/bulletin/").text
        return page.split("Kinderfiets</a>")[1].split("</li>")[0] if "Kinderfiets</a>" in page else ""

    assert line() and "reaction" not in line()  # the board is kept from here on
    with db_session(board) as session:
        toggle_reaction(session, root, "bulletin", "post", str(the_post(board).id), "like")
    assert "1 reaction" in line()
    with db_session(board) as session:
        session.get(User, anna.id).display_name = "Anna van Dijk"
    assert "Anna van Dijk" in line()
    assert poster.submit(f"/bulletin/posts/{the_post(board).id}/edit",
                         {"category": str(category_id(board)), "title": "Kinderfiets", "text": "Rood",
                          "price": "12,50", "days": "30"}).status_code in (200, 303)
    assert "€ 12,50" in line()
    admin = client_for(board, root)
    assert admin.submit("/bulletin/admin/categories", {"action": "rename", "category": str(category_id(board)),
                                                      "name": "Aangeboden"}, follow_redirects=False).status_code == 303
    assert "Aangeboden" in line()
    post(poster, board, title="Step", category=str(category_id(board, "Gevraagd")))
    assert "Step</a>" in reader.get("/bulletin/").text
    with db_session(board) as session:
        set_hidden(session, board.state.site, root, "bulletin", "post", the_post(board).id, True, "Dubbel")
    assert line() == ""
    with db_session(board) as session:
        set_hidden(session, board.state.site, root, "bulletin", "post", the_post(board).id, False, "Toch niet")
        the_one = session.scalar(sa.select(Post).where(Post.title == "Step"))
        the_one.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    run_now(board.state.site, "bulletin.expire", "test")
    page = reader.get("/bulletin/").text
    assert "Kinderfiets</a>" in page and "Step</a>" not in page


def test_one_readers_query_text_never_reaches_anothers_board(board, make_user, client_for):
    anna = client_for(board, make_user(board, "anna"))
    with db_session(board) as session:
        now = dt.datetime.now(dt.UTC)
        for number in range(21):
            session.add(Post(author_id=make_user(board, f"poster{number}").id, title=f"notice {number}",
                             category_id=category_id(board), created_at=now - dt.timedelta(minutes=number),
                             expires_at=now + dt.timedelta(days=5)))
    bram = client_for(board, make_user(board, "bram"))  # a new person changes the people table: before the rest
    # Text where a category's number belongs (or digits Python reads but int() refuses) is no category.
    assert anna.get("/bulletin/?category=BEL-0900-1234").status_code == 200
    assert anna.get("/bulletin/?category=%C2%B2&page=%C2%B2").status_code == 200
    page = bram.get("/bulletin/").text
    assert "BEL-0900" not in page and "%C2%B2" not in page and 'rel="next"' in page
