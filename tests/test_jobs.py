"""Background jobs: periodic and queued runs, retries with back-off, one run at a time across workers, health."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from organet import jobs
from organet.cli import main
from organet.db import utcnow
from organet.jobs import status
from organet.jobs.models import JobState, Task, WorkerBeat
from organet.jobs.runner import claim, run_pending
from organet.testing import db_session

CHORES = '''
import datetime as dt
import threading
import time

from organet import Job, hookimpl

CALLS = []
FAILURES = {"left": 0}
RUNNING = {"now": 0, "overlaps": 0}
LOCK = threading.Lock()


def tidy(ctx):
    CALLS.append(("tidy", ctx.attempt))


def flaky(ctx):
    CALLS.append(("flaky", ctx.attempt))
    if FAILURES["left"] > 0:
        FAILURES["left"] -= 1
        raise RuntimeError("the mail server said no")


def count(ctx):
    with LOCK:
        RUNNING["now"] += 1
        if RUNNING["now"] > 1:
            RUNNING["overlaps"] += 1
    time.sleep(0.01)  # long enough for another worker to try to start the same job
    CALLS.append(("count", ctx.payload["n"]))
    with LOCK:
        RUNNING["now"] -= 1


@hookimpl
def register_jobs():
    return [
        Job("chores.tidy", tidy, description="Tidy up", every=dt.timedelta(minutes=10)),
        Job("chores.flaky", flaky, max_attempts=3),
        Job("chores.count", count),
    ]
'''


@pytest.fixture
def chores(fake_plugins):
    """A plugin with a periodic job, a job that fails on demand and a job that counts; returns its module."""
    package = fake_plugins("chores", CHORES)
    return lambda: importlib.import_module(f"{package}.plugin")


def queue(app, name, payload=None, **kwargs):
    with db_session(app) as session:
        jobs.enqueue(session, name, payload or {}, **kwargs)


def test_periodic_job_runs_when_due_then_waits_its_interval(make_app, chores):
    app = make_app(plugins=["chores"])
    site = app.state.site
    start = utcnow()
    run_pending(site, "w1", now=start)
    assert chores().CALLS == [("tidy", 1)]
    run_pending(site, "w1", now=start + dt.timedelta(minutes=1))
    assert chores().CALLS == [("tidy", 1)]
    run_pending(site, "w1", now=start + dt.timedelta(minutes=11))
    assert chores().CALLS == [("tidy", 1), ("tidy", 1)]
    with db_session(app) as session:
        state = session.get(JobState, "chores.tidy")
        assert state.last_outcome == "ok" and state.runs == 2 and state.locked_by is None
        assert state.last_duration_ms is not None


def test_queued_job_runs_once_with_its_payload(make_app, chores):
    app = make_app(plugins=["chores"])
    queue(app, "chores.count", {"n": 7})
    run_pending(app.state.site, "w1")
    run_pending(app.state.site, "w1")
    assert ("count", 7) in chores().CALLS
    assert chores().CALLS.count(("count", 7)) == 1
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0


def test_job_queued_in_a_rolled_back_transaction_never_runs(make_app, chores):
    app = make_app(plugins=["chores"])
    with pytest.raises(RuntimeError), db_session(app) as session:
        jobs.enqueue(session, "chores.count", {"n": 1})
        raise RuntimeError("the request failed")
    run_pending(app.state.site, "w1")
    assert not [c for c in chores().CALLS if c[0] == "count"]


def test_delayed_job_waits_for_its_time(make_app, chores):
    app = make_app(plugins=["chores"])
    later = utcnow() + dt.timedelta(hours=1)
    queue(app, "chores.count", {"n": 2}, run_at=later)
    run_pending(app.state.site, "w1")
    assert ("count", 2) not in chores().CALLS
    run_pending(app.state.site, "w1", now=later + dt.timedelta(seconds=1))
    assert ("count", 2) in chores().CALLS


def test_enqueue_with_a_key_adds_one_waiting_run(make_app, chores):
    app = make_app(plugins=["chores"])
    for n in range(3):
        queue(app, "chores.count", {"n": n}, key="wake")
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 1


def test_enqueue_refuses_what_is_not_json(make_app):
    app = make_app()
    with db_session(app) as session, pytest.raises(ValueError, match="JSON"):
        jobs.enqueue(session, "chores.count", {"when": dt.date.today()})
    with db_session(app) as session, pytest.raises(ValueError, match="<plugin>.<job>"):
        jobs.enqueue(session, "no dots", {})


def test_failing_job_is_retried_with_back_off_then_given_up(make_app, chores):
    app = make_app(plugins=["chores"])
    site = app.state.site
    chores().FAILURES["left"] = 10
    queue(app, "chores.flaky")
    start = utcnow()
    # Back-off is 10 s, then 20 s; the passes leave far more room than that, whatever the machine's speed.
    run_pending(site, "w1", now=start)
    run_pending(site, "w1", now=start + dt.timedelta(seconds=2))  # still backing off
    run_pending(site, "w1", now=start + dt.timedelta(minutes=5))
    run_pending(site, "w1", now=start + dt.timedelta(minutes=15))
    run_pending(site, "w1", now=start + dt.timedelta(hours=3))  # given up after max_attempts=3
    assert [c for c in chores().CALLS if c[0] == "flaky"] == [("flaky", 1), ("flaky", 2), ("flaky", 3)]
    with db_session(app) as session:
        task = session.scalar(sa.select(Task))
        assert task.failed and task.attempts == 3 and "mail server said no" in task.last_error
        state = session.get(JobState, "chores.flaky")
        assert state.last_outcome == "error" and state.failures == 3


def test_job_that_recovers_runs_once_more_and_is_done(make_app, chores):
    app = make_app(plugins=["chores"])
    chores().FAILURES["left"] = 1
    queue(app, "chores.flaky")
    start = utcnow()
    run_pending(app.state.site, "w1", now=start)
    run_pending(app.state.site, "w1", now=start + dt.timedelta(minutes=5))
    with db_session(app) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(Task)) == 0
        assert session.get(JobState, "chores.flaky").last_outcome == "ok"


def test_job_never_runs_twice_at_once_across_workers(make_app, chores):
    app = make_app(plugins=["chores"])
    site = app.state.site
    for n in range(20):
        queue(app, "chores.count", {"n": n})
    errors = []

    def work(worker):
        try:
            for _ in range(5):
                run_pending(site, worker)
        except Exception as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counted = sorted(c[1] for c in chores().CALLS if c[0] == "count")
    assert counted == list(range(20))
    assert chores().RUNNING["overlaps"] == 0


def test_lease_of_a_dead_worker_expires(make_app, chores):
    app = make_app(plugins=["chores"])
    site = app.state.site
    start = utcnow()
    run_pending(site, "w1", now=start)  # creates the rows; tidy ran once
    queue(app, "chores.count", {"n": 1})
    assert claim(site, "chores.count", "dead-worker", start)
    run_pending(site, "w1", now=start + dt.timedelta(seconds=5))
    assert ("count", 1) not in chores().CALLS
    run_pending(site, "w1", now=start + dt.timedelta(minutes=11))  # Job.timeout is 10 minutes
    assert ("count", 1) in chores().CALLS


def test_healthz_reports_jobs_waiting_without_a_worker(make_app, client_for, chores):
    app = make_app(plugins=["chores"])
    queue(app, "chores.count", {"n": 1}, run_at=utcnow() - dt.timedelta(minutes=30))
    response = client_for(app).get("/healthz")
    assert response.status_code == 503
    assert "no worker" in response.json()["checks"]["jobs"]["detail"]
    run_pending(app.state.site, "w1")
    assert client_for(app).get("/healthz").status_code == 200


def test_health_is_fine_on_a_new_site_without_a_worker(make_app):
    app = make_app()
    with db_session(app) as session:
        assert status.health(app.state.site, session, 5)["ok"]


def test_admin_page_lists_jobs_with_their_last_run(make_app, make_user, client_for, chores):
    app = make_app(plugins=["chores"])
    chores().FAILURES["left"] = 1
    queue(app, "chores.flaky")
    run_pending(app.state.site, "w1")
    admin = client_for(app, make_user(app, "root", role="admin"))
    page = admin.get("/admin/jobs")
    assert page.status_code == 200
    assert "chores.tidy" in page.text and "mail server said no" in page.text
    assert "/admin/jobs" in admin.get("/admin/").text
    member = client_for(app, make_user(app, "anna"))
    assert member.get("/admin/jobs").status_code == 403


def test_admin_runs_a_job_now(make_app, make_user, client_for, chores):
    app = make_app(plugins=["chores"])
    admin = client_for(app, make_user(app, "root", role="admin"))
    assert admin.post("/admin/jobs/run", data={"job": "chores.tidy"}).status_code == 403  # no CSRF token
    response = admin.submit("/admin/jobs/run", {"job": "chores.tidy"}, follow_redirects=False)
    assert response.status_code == 303
    with db_session(app) as session:
        assert session.scalar(sa.select(Task.name)) == "chores.tidy"
    assert admin.submit("/admin/jobs/run", {"job": "<script>x</script>"}).status_code == 422


def test_serve_runs_jobs_in_a_background_thread(make_app, chores, tmp_path):
    from organet.app import create_app
    from organet.testing import OrganetClient, fresh_database, site_config

    url = fresh_database(["chores"], tmp_path)
    app = create_app(site_config(["chores"], database_url=url, plugin_settings={"jobs": {"poll_seconds": 0.1}}),
                     run_jobs=True)
    with OrganetClient(app):
        queue(app, "chores.count", {"n": 42})
        assert chores_ran(chores, ("count", 42))
        with db_session(app) as session:
            assert session.scalar(sa.select(sa.func.count()).select_from(WorkerBeat)) == 1
    assert "jobs_runner" not in app.state.site.state  # stopped with the app
    with app.state.site.db.session() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(WorkerBeat)) == 0  # and said goodbye
    app.state.site.db.dispose()


def chores_ran(chores, call, seconds=30.0):
    """Wait (up to a generous limit, not a timing assertion) until the background thread made ``call``."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if call in chores().CALLS:
            return True
        time.sleep(0.05)
    return False


def write_site(tmp_path, database_url, plugins=("chores",)):
    config = tmp_path / "organet.toml"
    enabled = ", ".join(f'"{p}"' for p in plugins)
    config.write_text(f'[site]\nsecret_key = "x"\ndatabase_url = "{database_url}"\n'
                      f'[plugins]\nenabled = [{enabled}]\n', encoding="utf-8")
    return str(config)


def test_cli_lists_jobs_runs_one_and_runs_a_worker_pass(tmp_path, chores):
    from organet.testing import fresh_database

    config = write_site(tmp_path, fresh_database(["chores"], tmp_path))
    runner = CliRunner()
    run = runner.invoke(main, ["-c", config, "jobs", "run", "chores.tidy"])
    assert run.exit_code == 0, run.output
    assert "chores.tidy: ok" in run.output
    listing = runner.invoke(main, ["-c", config, "jobs"])
    assert listing.exit_code == 0, listing.output
    assert "chores.tidy" in listing.output and "ok" in listing.output and "chores.count" in listing.output
    once = runner.invoke(main, ["-c", config, "worker", "--once"])
    assert once.exit_code == 0, once.output
    unknown = runner.invoke(main, ["-c", config, "jobs", "run", "chores.nope"])
    assert unknown.exit_code != 0 and "There is no job" in unknown.output


def test_cli_reports_a_failed_run_with_exit_code_1(tmp_path, chores):
    from organet.testing import fresh_database

    config = write_site(tmp_path, fresh_database(["chores"], tmp_path))
    chores().FAILURES["left"] = 1
    result = CliRunner().invoke(main, ["-c", config, "jobs", "run", "chores.flaky"])
    assert result.exit_code == 1
    assert "the mail server said no" in result.output


def test_schedules_read_in_whole_units():
    from organet.i18n import set_language
    from organet.jobs.views import every

    set_language("en")
    assert every(dt.timedelta(seconds=30)) == "every 30 s"
    assert every(dt.timedelta(minutes=10)) == "every 10 min"
    assert every(dt.timedelta(hours=6)) == "every 6 h"
    assert every(dt.timedelta(days=1)) == "every day"
    assert every(dt.timedelta(days=7)) == "every 7 days"
    assert every(None) == "when queued"


def test_worker_stops_cleanly_on_sigterm(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from organet.testing import fresh_database

    config = write_site(tmp_path, fresh_database([], tmp_path), plugins=())
    organet = Path(sys.executable).with_name("organet")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("ORGANET_TEST_DATABASE_URL", None)
    worker = subprocess.Popen([str(organet), "-c", config, "worker", "--poll", "0.2"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = worker.stdout.readline()  # blocks until the worker has started (or died)
        assert "running" in first, first + worker.stdout.read()
        time.sleep(0.5)  # let it make a pass or two; nothing is asserted about time
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert worker.returncode == 0, output
    assert "Stopping after the running job (SIGTERM)" in output and "Worker stopped." in output
