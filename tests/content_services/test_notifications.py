"""Notifications: grouped, quiet, per-person channels, re-checked visibility in pages and mails, bell and pages."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa

from organet.mail import Message
from organet.notifications import Notification, notify, pending_for_digest, set_group_default, set_preference
from organet.notifications.mailing import deliver_pending
from organet.people import Group
from organet.testing import db_session

SCRIPT = '<script>alert("x")</script>'


def rows_for(app, user):
    with db_session(app) as session:
        return list(session.scalars(sa.select(Notification).where(Notification.recipient_id == user.id)))


def mails_to(app, address):
    with db_session(app) as session:
        return list(session.scalars(sa.select(Message).where(Message.recipient == address)))


def react(client, owner, object_id="7", reaction="like"):
    page = client.get(f"/demo/posts/{object_id}")
    assert page.status_code == 200
    ref = re.search(r'name="ref" value="([0-9a-f]+)"', page.text).group(1)
    return client.submit("/content/react", {"plugin": "demo", "kind": "post", "object_id": object_id,
                                            "owner": str(owner.id), "url": f"/demo/posts/{object_id}", "ref": ref,
                                            "reaction": reaction, "next": f"/demo/posts/{object_id}"},
                         follow_redirects=False)


def test_a_burst_of_reactions_gives_one_grouped_notification(demo, make_user, client_for):
    owner = make_user(demo.app, "owner")
    demo.owners["7"] = owner.id
    for n in range(12):
        assert react(client_for(demo.app, make_user(demo.app, f"fan{n}")), owner).status_code == 303
    rows = rows_for(demo.app, owner)
    assert len(rows) == 1 and rows[0].count == 12
    page = client_for(demo.app, owner).get("/notifications")
    assert "12 reactions on your contribution" in page.text
    assert 'class="bell__count" aria-hidden="true">1<' in page.text


def test_reacting_to_your_own_post_notifies_nobody(demo, make_user, client_for):
    owner = make_user(demo.app, "owner")
    react(client_for(demo.app, owner), owner)
    assert rows_for(demo.app, owner) == []


def test_forged_reaction_form_is_refused(demo, make_user, client_for):
    owner, mallory = make_user(demo.app, "owner"), make_user(demo.app, "mallory")
    client = client_for(demo.app, mallory)
    forged = client.submit("/content/react", {"plugin": "demo", "kind": "post", "object_id": "7",
                                              "owner": str(owner.id), "url": "/demo/posts/7", "ref": "0" * 64,
                                              "reaction": "like"})
    assert forged.status_code == 403
    no_csrf = client.post("/content/react", data={"plugin": "demo", "kind": "post", "object_id": "7"})
    assert no_csrf.status_code == 403
    assert rows_for(demo.app, owner) == []


def test_post_made_private_disappears_and_sends_no_mail(demo, make_user, client_for):
    anna = make_user(demo.app, "anna", email="anna@example.org")
    bram = make_user(demo.app, "bram", email="bram@example.org")
    with db_session(demo.app) as session:
        set_preference(session, bram, "demo", "email")
        set_preference(session, anna, "demo", "email")
        notify(session, [anna, bram], "demo", "post", "9", title="New post", url="/demo/posts/9")
    assert "New post" in client_for(demo.app, bram).get("/notifications").text
    demo.private["9"] = {"anna"}
    page = client_for(demo.app, bram).get("/notifications")
    assert "New post" not in page.text and "bell__count" not in page.text
    with db_session(demo.app) as session:
        counts = deliver_pending(session, demo.app.state.site)
    assert counts == {"sent": 1, "skipped": 1}
    assert mails_to(demo.app, "bram@example.org") == []
    assert len(mails_to(demo.app, "anna@example.org")) == 1


def test_quiet_notify_records_nothing(demo, make_user):
    anna = make_user(demo.app, "anna")
    with db_session(demo.app) as session:
        assert notify(session, [anna], "demo", "post", "1", title="Imported", url="/demo/posts/1", quiet=True) == 0
    assert rows_for(demo.app, anna) == []


def test_channels_person_over_group_over_site(demo, make_user):
    anna = make_user(demo.app, "anna", groups=["wondzorg"])
    bram = make_user(demo.app, "bram", groups=["wondzorg"])
    with db_session(demo.app) as session:
        group = session.scalar(sa.select(Group).where(Group.slug == "wondzorg"))
        set_group_default(session, group.id, "demo", "email")
        set_preference(session, bram, "demo", "off")
        notify(session, [anna, bram], "demo", "post", "1", title="Hello", url="/demo/posts/1")
    assert [(r.channel, r.mail_state) for r in rows_for(demo.app, anna)] == [("email", "pending")]
    assert rows_for(demo.app, bram) == []


def test_script_in_every_field_is_inert_in_page_and_mail(demo, make_user, client_for):
    anna = make_user(demo.app, "anna", email="anna@example.org")
    with db_session(demo.app) as session:
        set_preference(session, anna, "demo", "email")
        notify(session, [anna], "demo", "post", "1", title=f"{SCRIPT}\r\nBcc: x@evil.example", url="/demo/posts/1",
               group_key="g", group_title=SCRIPT + " {count}")
        deliver_pending(session, demo.app.state.site)
    page = client_for(demo.app, anna).get("/notifications")
    assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    [mail] = mails_to(demo.app, "anna@example.org")
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert SCRIPT not in (mail.html or "") and "&lt;script&gt;" in (mail.html or "")


def test_mark_one_and_all_read(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    with db_session(demo.app) as session:
        for n in range(3):
            notify(session, [anna], "demo", "post", str(n), title=f"Post {n}", url=f"/demo/posts/{n}")
    client = client_for(demo.app, anna)
    first = rows_for(demo.app, anna)[0]
    assert client.submit("/notifications/read", {"id": str(first.id)}, follow_redirects=False).status_code == 303
    assert sum(r.read_at is None for r in rows_for(demo.app, anna)) == 2
    client.submit("/notifications/read", {})
    assert all(r.read_at is not None for r in rows_for(demo.app, anna))


def test_opening_marks_read_and_goes_to_the_object_but_not_for_others(demo, make_user, client_for):
    anna, bram = make_user(demo.app, "anna"), make_user(demo.app, "bram")
    with db_session(demo.app) as session:
        notify(session, [anna], "demo", "post", "3", title="Post", url="/demo/posts/3")
    [row] = rows_for(demo.app, anna)
    assert client_for(demo.app, bram).submit(f"/notifications/{row.id}/open").status_code == 404
    response = client_for(demo.app, anna).submit(f"/notifications/{row.id}/open", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/demo/posts/3"
    assert rows_for(demo.app, anna)[0].read_at is not None


def test_pending_for_digest_lists_unread_visible_digest_notifications(demo, make_user):
    anna = make_user(demo.app, "anna")
    since = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    with db_session(demo.app) as session:
        set_preference(session, anna, "demo", "digest")
        notify(session, [anna], "demo", "post", "1", title="Visible", url="/demo/posts/1")
        notify(session, [anna], "demo", "post", "2", title="Private later", url="/demo/posts/2")
    demo.private["2"] = {"someone-else"}
    with db_session(demo.app) as session:
        found = pending_for_digest(session, anna, since, site=demo.app.state.site)
        assert [n.title for n in found] == ["Visible"]


def test_preferences_page_saves_a_channel(demo, make_user, client_for):
    anna = make_user(demo.app, "anna")
    client = client_for(demo.app, anna)
    assert client.get("/notifications/settings").status_code == 200
    client.submit("/notifications/settings", {"channel.demo": "off"})
    with db_session(demo.app) as session:
        assert notify(session, [anna], "demo", "post", "1", title="x", url="/demo/posts/1") == 0


def test_admin_group_defaults_page_needs_admin(demo, make_user, client_for):
    make_user(demo.app, "anna", groups=["wondzorg"])
    assert client_for(demo.app, make_user(demo.app, "m")).get("/admin/notifications").status_code == 403
    admin = client_for(demo.app, make_user(demo.app, "root", role="admin"))
    assert admin.get("/admin/notifications").status_code == 200
    with db_session(demo.app) as session:
        group_id = session.scalar(sa.select(Group.id).where(Group.slug == "wondzorg"))
    response = admin.submit("/admin/notifications", {"group": str(group_id), "plugin": "demo", "channel": "digest"})
    assert response.status_code == 200 and "digest" in response.text.lower()


def test_the_queued_mail_job_sends_through_the_outbox(demo, make_user):
    from organet.jobs import run_pending

    anna = make_user(demo.app, "anna", email="anna@example.org")
    with db_session(demo.app) as session:
        set_preference(session, anna, "demo", "email")
        notify(session, [anna], "demo", "post", "1", title="Hello", url="/demo/posts/1")
    run_pending(demo.app.state.site, "w1")
    [mail] = mails_to(demo.app, "anna@example.org")
    assert mail.subject == "Test intranet: Hello" and "http://127.0.0.1:8000/demo/posts/1" in mail.text
    assert [r.mail_state for r in rows_for(demo.app, anna)] == ["sent"]


def test_a_notification_is_written_in_the_recipients_language_not_the_actors(demo, make_user, client_for):
    dutch_owner = make_user(demo.app, "eigenaar", given_name="Els", surname="Eigenaar")
    english_owner = make_user(demo.app, "owner", given_name="Owen", surname="Owner")
    with db_session(demo.app) as session:
        session.get(type(dutch_owner), dutch_owner.id).language = "nl"
        session.get(type(english_owner), english_owner.id).language = "en"
    actor = make_user(demo.app, "anna", given_name="Anna", surname="Smit")  # signs in with English pages
    demo.owners["7"] = dutch_owner.id
    demo.owners["8"] = english_owner.id
    client = client_for(demo.app, actor)
    assert react(client, dutch_owner, "7").status_code == 303
    assert react(client, english_owner, "8").status_code == 303
    assert [row.title for row in rows_for(demo.app, dutch_owner)] == ["Anna Smit reageerde op je bijdrage"]
    assert [row.title for row in rows_for(demo.app, english_owner)] == ["Anna Smit reacted to your contribution"]
    # A second reaction counts up the Dutch one, with its Dutch grouped title.
    assert react(client_for(demo.app, make_user(demo.app, "bram")), dutch_owner, "7").status_code == 303
    [row] = rows_for(demo.app, dutch_owner)
    assert row.count == 2 and row.display_title == "2 reacties op je bijdrage"
