"""The mail outbox: queued in the caller's transaction, sent by a job through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import email
import socket
import threading
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from organet import mail
from organet.db import utcnow
from organet.jobs import JobContext, run_pending
from organet.jobs.models import JobState
from organet.mail.models import FAILED, QUEUED, SENT, Message
from organet.mail.outbox import deliver
from organet.testing import db_session


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts; refuses recipients starting with 'nobody'."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's name
        if address.startswith("nobody"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        with self.lock:
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def subjects(self) -> list[str]:
        return sorted(str(m["Subject"]) for m in self.messages)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SmtpServer:
    """A real SMTP server on a loopback port that can be stopped and started again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, ready_timeout=60)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def mail_app(make_app, smtp, **mail_settings):
    return make_app(mail={"host": "127.0.0.1", "port": smtp.port, "sender": "intranet@zorg.example",
                          **mail_settings})


def statuses(app):
    with db_session(app) as session:
        return sorted(session.scalars(sa.select(Message.status)))


def test_mail_is_queued_with_the_change_and_sent_by_the_job(make_app, smtp):
    app = mail_app(make_app, smtp)
    with db_session(app) as session:
        mail.send(session, "anna@example.org", "Your booking", "Room 3 is yours.", html="<p>Room 3 is yours.</p>")
    assert smtp.inbox.messages == []  # nothing leaves during the request
    run_pending(app.state.site, "w1")
    assert smtp.inbox.subjects() == ["Your booking"]
    received = smtp.inbox.messages[0]
    assert received["To"] == "anna@example.org"
    assert "intranet@zorg.example" in received["From"] and "Test intranet" in received["From"]
    assert received["Message-ID"].endswith("@zorg.example>")
    assert received.get_body(("plain",)).get_content().strip() == "Room 3 is yours."
    assert "<p>Room 3 is yours.</p>" in received.get_body(("html",)).get_content()
    assert statuses(app) == [SENT]


def test_mail_of_a_rolled_back_change_is_never_sent(make_app, smtp):
    app = mail_app(make_app, smtp)
    with pytest.raises(RuntimeError), db_session(app) as session:
        mail.send(session, "anna@example.org", "Never", "This change failed.")
        raise RuntimeError("the booking failed")
    run_pending(app.state.site, "w1")
    assert smtp.inbox.messages == []


def test_each_recipient_gets_a_message_of_their_own(make_app, smtp):
    app = mail_app(make_app, smtp)
    with db_session(app) as session:
        mail.send(session, ["anna@example.org", "bram@example.org"], "News", "Hello")
    run_pending(app.state.site, "w1")
    assert sorted(str(m["To"]) for m in smtp.inbox.messages) == ["anna@example.org", "bram@example.org"]


def test_smtp_server_stopped_while_mail_is_queued_then_started_again_every_message_arrives_once(make_app, smtp):
    app = mail_app(make_app, smtp)
    site = app.state.site
    smtp.stop()
    with db_session(app) as session:
        for n in range(5):
            mail.send(session, f"person{n}@example.org", f"Message {n}", "Body")
    start = utcnow()
    run_pending(site, "w1", now=start)
    assert statuses(app) == [QUEUED] * 5
    with db_session(app) as session:
        state = session.get(JobState, "mail.send")
        assert state.last_outcome == "error" and "could not take mail" in state.last_error
        errors = set(session.scalars(sa.select(Message.last_error)))
        assert any("Connection refused" in e for e in errors), errors  # the failed attempt is recorded
    smtp.start()
    run_pending(site, "w1", now=start + dt.timedelta(seconds=2))  # still backing off: nothing yet
    assert smtp.inbox.messages == []
    for seconds in (15, 45, 120, 600):
        run_pending(site, "w1", now=start + dt.timedelta(seconds=seconds))
    assert smtp.inbox.subjects() == [f"Message {n}" for n in range(5)]
    assert statuses(app) == [SENT] * 5


def test_two_workers_sending_at_once_send_each_message_once(make_app, smtp):
    app = mail_app(make_app, smtp)
    site = app.state.site
    with db_session(app) as session:
        for n in range(30):
            mail.send(session, f"person{n}@example.org", f"Message {n:02}", "Body")
    errors: list[Exception] = []

    def worker(name: str) -> None:
        # Straight into the job function, past the job's lease: only the per-message claim protects here.
        try:
            with site.db.session() as session:
                deliver(JobContext(site=site, session=session, payload={}, job=site.jobs["mail.send"][1],
                                   worker_id=name))
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert smtp.inbox.subjects() == [f"Message {n:02}" for n in range(30)]


def test_refused_recipient_is_given_up_without_retries(make_app, smtp):
    app = mail_app(make_app, smtp)
    with db_session(app) as session:
        mail.send(session, ["nobody@example.org", "anna@example.org"], "Hello", "Body")
    run_pending(app.state.site, "w1")
    with db_session(app) as session:
        rows = {m.recipient: m for m in session.scalars(sa.select(Message))}
    assert rows["nobody@example.org"].status == FAILED and "550" in rows["nobody@example.org"].last_error
    assert rows["anna@example.org"].status == SENT


def test_without_an_smtp_host_mail_waits_in_the_outbox(make_app):
    app = make_app()
    with db_session(app) as session:
        mail.send(session, "anna@example.org", "Waiting", "Body")
    run_pending(app.state.site, "w1")
    assert statuses(app) == [QUEUED]


def test_bad_addresses_and_header_injection_are_refused(make_app, smtp):
    app = mail_app(make_app, smtp)
    with db_session(app) as session:
        for bad in ("not an address", "anna@example.org\nBcc: all@example.org", "", "a@b@c"):
            with pytest.raises(mail.MailError):
                mail.send(session, bad, "Subject", "Body")
        mail.send(session, "anna@example.org", "Line one\r\nBcc: all@example.org", "Body")
    run_pending(app.state.site, "w1")
    received = smtp.inbox.messages[0]
    assert received["Bcc"] is None
    assert received["Subject"] == "Line one Bcc: all@example.org"


def test_health_reports_waiting_mail_without_failing(make_app, client_for):
    app = make_app()
    with db_session(app) as session:
        mail.send(session, "anna@example.org", "Waiting", "Body")
    health = client_for(app).get("/healthz")
    assert health.status_code == 200
    assert "1 message(s)" in health.json()["checks"]["mail"]["detail"]
    assert "no SMTP host" in health.json()["checks"]["mail"]["detail"]
