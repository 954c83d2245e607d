"""The promise users care about most: 200 people booking the same slot at once get exactly one booking.

A real server (uvicorn on loopback; two workers on PostgreSQL) and 200 threads that post the
booking form at the same moment. Exactly one gets the booking; every other one gets 409
"already booked by NAME" — never a 500, never a second booking.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
import sqlalchemy as sa
from organet_plugins.reservations.models import Booking

from organet.testing import db_session, sign_in

ATTEMPTS = 200

SERVER = '''
import os
from organet.app import create_app
from organet.testing import site_config


def make():
    return create_app(site_config(["reservations"], database_url=os.environ["RESERVATIONS_TEST_DB"],
                                  media_dir=os.environ["RESERVATIONS_TEST_MEDIA"]))
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(tmp_path, database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    (tmp_path / "reservations_server.py").write_text(SERVER)
    port = free_port()
    env = {**os.environ, "RESERVATIONS_TEST_DB": database_url, "RESERVATIONS_TEST_MEDIA": str(tmp_path / "media"),
           "ORGANET_FAST_HASHING": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "reservations_server:make", "--app-dir", str(tmp_path),
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers), "--log-level", "warning",
         "--no-access-log",
         # The 200 connections are opened before the race; on a slow machine that takes longer than
         # uvicorn's 5 s keep-alive, which would close the first ones before they post.
         "--timeout-keep-alive", "300"], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 503):
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise AssertionError("the server did not start within 60 seconds")


@pytest.mark.heavy
def test_simultaneous_bookings_of_one_slot_give_exactly_one_booking(make_app, make_user, make_room, next_weekday,
                                                                    booking_form, database_kind, tmp_path):
    app = make_app(plugins=["reservations"])
    room = make_room(app)
    people = [make_user(app, f"collega{i}", given_name=f"Collega{i}", surname="Test") for i in range(20)]
    sessions = []
    for person in people:
        client = sign_in(app, person)
        sessions.append((client.cookies.get("organet_session"), client.csrf))
    form = booking_form(room, next_weekday(), "10:00", "11:00")
    database_url = app.state.site.db.url
    workers = 2 if database_kind == "postgresql" else 1
    process, url = start_server(tmp_path, database_url, workers)
    barrier = threading.Barrier(ATTEMPTS)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        cookie, csrf = sessions[index % len(sessions)]
        with httpx.Client(base_url=url, cookies={"organet_session": cookie}, timeout=120,
                          headers={"accept-language": "en"}) as client:
            client.get("/healthz")  # open the connection before the race starts
            barrier.wait()
            response = client.post("/reservations/book", data={**form, "csrf_token": csrf})
        with lock:
            answers.append((response.status_code, response.text))

    try:
        threads = [threading.Thread(target=attempt, args=(i,)) for i in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        process.terminate()
        process.wait(timeout=30)
    statuses = sorted(status for status, _text in answers)
    assert len(answers) == ATTEMPTS
    assert statuses.count(303) == 1, statuses
    losers = [text for status, text in answers if status != 303]
    assert all(status == 409 for status, _text in answers if status != 303), statuses
    assert all("already booked by Collega" in text for text in losers)
    with db_session(app) as session:
        held = session.scalar(sa.select(sa.func.count()).select_from(Booking).where(Booking.status == "confirmed"))
    assert held == 1
