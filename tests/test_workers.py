"""Two uvicorn workers (``organet serve --workers 2``) on one PostgreSQL database: both serve, jobs run once.

The test plugin is a real installed package (a folder on sys.path with a ``.dist-info`` that
declares the ``organet`` entry point), so the worker processes find it as they would any plugin.
Its periodic job notes when it starts and ends in a file; its queued job notes its number.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from organet import jobs
from organet.jobs.models import WorkerBeat
from organet.site import build_site
from organet.testing import fresh_database, site_config

pytestmark = pytest.mark.heavy

PLUGIN = '''
import datetime as dt
import os
import time

from starlette.responses import JSONResponse

from organet import PUBLIC, Job, Page, PluginInfo, hookimpl

PLUGIN = PluginInfo(name="counter", title="Counter")


def log(text):
    with open(os.environ["COUNTER_LOG"], "a", encoding="utf-8") as handle:
        handle.write(text + "\\n")


def tick(ctx):
    log(f"start {os.getpid()}")
    time.sleep(0.3)  # long enough that a second runner of the same job would overlap
    log(f"end {os.getpid()}")


def note(ctx):
    log(f"note {ctx.payload['n']} {os.getpid()}")


def whoami(request):
    return JSONResponse({"pid": os.getpid()})


@hookimpl
def register_jobs():
    return [Job("counter.tick", tick, every=dt.timedelta(seconds=1)), Job("counter.note", note)]


@hookimpl
def register_routes():
    return [Page("/pid", whoami, name="pid", permission=PUBLIC)]
'''


def install_counter_plugin(folder: Path) -> None:
    package = folder / "organet_counter_test"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(PLUGIN, encoding="utf-8")
    info = folder / "organet_counter_test-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: organet-counter-test\nVersion: 0.1\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[organet]\ncounter = organet_counter_test\n", encoding="utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition, seconds=60.0):
    """Poll until ``condition()`` is true, up to a generous limit (not a timing assertion)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def log_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def overlaps(lines: list[str]) -> int:
    running, found = 0, 0
    for line in lines:
        if line.startswith("start"):
            running += 1
            found += running > 1
        elif line.startswith("end"):
            running -= 1
    return found


def test_two_workers_on_postgresql_serve_and_run_each_job_once(database_kind, tmp_path, monkeypatch):
    if database_kind != "postgresql":
        pytest.skip("several workers share one PostgreSQL database; SQLite is for one process")
    plugin_folder = tmp_path / "site-packages"
    install_counter_plugin(plugin_folder)
    monkeypatch.syspath_prepend(str(plugin_folder))
    url = fresh_database(["counter"], tmp_path)
    config = tmp_path / "organet.toml"
    config.write_text(f'[site]\nsecret_key = "a-long-random-secret-for-tests"\ndatabase_url = "{url}"\n'
                      f'[plugins]\nenabled = ["counter"]\n[plugins.jobs]\npoll_seconds = 0.2\n', encoding="utf-8")
    log = tmp_path / "counter.log"
    port = free_port()
    env = {**os.environ, "COUNTER_LOG": str(log),
           "PYTHONPATH": os.pathsep.join([str(plugin_folder), os.environ.get("PYTHONPATH", "")])}
    env.pop("ORGANET_TEST_DATABASE_URL", None)
    organet = Path(sys.executable).with_name("organet")
    server = subprocess.Popen([str(organet), "-c", str(config), "serve", "--workers", "2", "--port", str(port)],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    site = build_site(site_config(["counter"], database_url=url))
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(lambda: _answers(f"{base}/healthz")), _output(server)
        with site.db.session() as session:
            for n in range(40):
                jobs.enqueue(session, "counter.note", {"n": n})
        pids = set()
        for _ in range(40):
            assert _get(f"{base}/healthz").status_code == 200
            pids.add(_get(f"{base}/counter/pid").json()["pid"])
        assert wait_for(lambda: len([x for x in log_lines(log) if x.startswith("note")]) >= 40), _output(server)
        assert wait_for(lambda: len([x for x in log_lines(log) if x.startswith("end")]) >= 4), _output(server)

        def runner_pids() -> set[int]:
            with site.db.session() as session:
                return set(session.scalars(sa.select(WorkerBeat.pid)))

        # On a busy machine the second worker's job thread may start late: give it time to report.
        wait_for(lambda: len(runner_pids()) >= 2, 60)
        runners = runner_pids()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        site.db.dispose()
    lines = log_lines(log)
    notes = sorted(int(line.split()[1]) for line in lines if line.startswith("note"))
    assert notes == list(range(40))  # every queued run exactly once
    assert overlaps(lines) == 0  # the periodic job never ran twice at once
    assert len(runners) == 2  # both worker processes ran jobs
    assert pids <= runners


def _get(url: str) -> httpx.Response:
    """GET on a new connection (so both workers get some); a connection reset is tried again.

    On a very busy machine uvicorn's supervisor may restart a worker that answered its ping
    late; that drops the connections it held, which says nothing about organet.
    """
    deadline = time.monotonic() + 60
    while True:
        try:
            with httpx.Client(timeout=30) as client:
                return client.get(url)
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _output(server: subprocess.Popen[bytes]) -> str:
    if server.poll() is None:
        return "server still running"
    return (server.stdout.read() if server.stdout else b"").decode(errors="replace")[-3000:]
