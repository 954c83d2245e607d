"""Comments, reports from several plugins, one moderation queue, hide and restore with a reason, rate limits."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from organet import ValidationError
from organet.content import Comment, is_hidden, report, set_hidden
from organet.content.models import ModerationAction
from organet.notifications import Notification
from organet.testing import db_session

SCRIPT = "<script>alert(1)</script>"


def post_form(client, object_id="7"):
    page = client.get(f"/demo/posts/{object_id}")
    assert page.status_code == 200, page.status_code
    fields = dict(re.findall(r'<input type="hidden" name="(plugin|kind|object_id|owner|url|ref)" value="([^"]*)"',
                             page.text))
    return page, fields


def comment(client, text, object_id="7"):
    _page, fields = post_form(client, object_id)
    return client.submit("/content/comment", {**fields, "text": text, "next": fields["url"]}, follow_redirects=False)


def test_comment_with_script_and_mention_is_inert_and_notifies(demo, make_user, client_for):
    owner, anna = make_user(demo.app, "owner"), make_user(demo.app, "anna")
    make_user(demo.app, "bram")
    demo.owners["7"] = owner.id
    client = client_for(demo.app, anna)
    assert comment(client, f"{SCRIPT} thanks @bram! [x](javascript:alert(1))").status_code == 303
    page = client.get("/demo/posts/7")
    assert SCRIPT not in page.text and 'href="/people/bram"' in page.text and 'href="javascript' not in page.text
    with db_session(demo.app) as session:
        rows = session.scalars(sa.select(Notification).order_by(Notification.id)).all()
        assert sorted(r.title for r in rows) == ["Anna Tester commented on your contribution",
                                                 "Anna Tester mentioned you"]


def test_mention_never_grants_access(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    demo.private["7"] = {"anna"}
    comment(client_for(demo.app, anna), "look @bram")
    bram_client = client_for(demo.app, bram)
    assert bram_client.get("/demo/posts/7").status_code == 404
    assert "mentioned you" not in bram_client.get("/notifications").text


def test_comment_on_an_object_you_cannot_see_is_refused(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    _page, fields = post_form(client_for(demo.app, anna))
    demo.private["7"] = {"anna"}
    response = client_for(demo.app, bram).submit("/content/comment", {**fields, "text": "sneaky"})
    assert response.status_code == 404


def test_only_author_or_moderator_deletes_a_comment(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    comment(client_for(demo.app, anna), "mine")
    with db_session(demo.app) as session:
        comment_id = session.scalar(sa.select(Comment.id))
    assert client_for(demo.app, bram).submit(f"/content/comments/{comment_id}/delete").status_code == 403
    assert client_for(demo.app, anna).submit(f"/content/comments/{comment_id}/delete",
                                             follow_redirects=False).status_code == 303


def test_moderation_queue_after_reports_from_two_plugins(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    moderator = make_user(demo.app, "mod", role="admin")
    comment(client_for(demo.app, anna), "a comment")
    with db_session(demo.app) as session:
        comment_id = session.scalar(sa.select(Comment.id))
    client = client_for(demo.app, anna)
    client.submit("/content/report", {"plugin": "demo", "kind": "post", "object_id": "7", "reason": f"spam {SCRIPT}",
                                      "url": "/demo/posts/7"})
    client.submit("/content/report", {"plugin": "content", "kind": "comment", "object_id": str(comment_id),
                                      "reason": "rude", "url": "/demo/posts/7"})
    assert client.get("/admin/moderation").status_code == 403
    queue = client_for(demo.app, moderator).get("/admin/moderation")
    assert queue.status_code == 200
    assert "spam" in queue.text and "rude" in queue.text and SCRIPT not in queue.text
    assert queue.text.count('href="/demo/posts/7"') == 2


def test_moderator_hides_and_restores_with_a_recorded_reason(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    moderator = make_user(demo.app, "mod", role="admin")
    with db_session(demo.app) as session:
        report(session, anna, "demo", "post", "7", "offensive", url="/demo/posts/7")
    mod = client_for(demo.app, moderator)
    assert mod.submit("/admin/moderation", {"plugin": "demo", "kind": "post", "object_id": "7", "action": "hide",
                                            "reason": ""}).status_code == 422
    mod.submit("/admin/moderation", {"plugin": "demo", "kind": "post", "object_id": "7", "action": "hide",
                                     "reason": "breaks rule 3"})
    with db_session(demo.app) as session:
        assert is_hidden(session, "demo", "post", "7")
    assert client_for(demo.app, anna).get("/demo/posts/7").status_code == 200  # the plugin decides its own page
    mod.submit("/admin/moderation", {"plugin": "demo", "kind": "post", "object_id": "7", "action": "restore",
                                     "reason": "appeal upheld"})
    with db_session(demo.app) as session:
        assert not is_hidden(session, "demo", "post", "7")
        actions = session.scalars(sa.select(ModerationAction).order_by(ModerationAction.id)).all()
        assert [(a.action, a.reason) for a in actions] == [("hide", "breaks rule 3"), ("restore", "appeal upheld")]


def test_hiding_a_comment_hides_it_from_others_and_tells_plugins(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    moderator = make_user(demo.app, "mod", role="admin")
    comment(client_for(demo.app, anna), "something rude")
    with db_session(demo.app) as session:
        comment_id = session.scalar(sa.select(Comment.id))
        set_hidden(session, demo.app.state.site, moderator, "content", "comment", comment_id, True, "rude")
    assert "something rude" not in client_for(demo.app, bram).get("/demo/posts/7").text
    assert "something rude" in client_for(demo.app, anna).get("/demo/posts/7").text
    assert "something rude" in client_for(demo.app, moderator).get("/demo/posts/7").text


def test_report_needs_a_reason(demo, make_user):
    with db_session(demo.app) as session, pytest.raises(ValidationError):
        report(session, make_user(demo.app, "anna"), "demo", "post", "7", "  ")


def test_rate_limit_answers_429(demo, make_user, client_for):
    client = client_for(demo.app, make_user(demo.app, "anna"))
    codes = [comment(client, f"comment {n}").status_code for n in range(21)]
    assert codes[:20] == [303] * 20 and codes[20] == 429
