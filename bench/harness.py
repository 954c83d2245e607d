"""The benchmark harness: start servers on loopback, measure latency and throughput, print a table.

Latency is measured one request at a time over one kept-alive connection, so it is the
server's own time plus a loopback round trip; the server's own time alone comes from organet's
``Server-Timing`` header ("server p95"). Throughput uses several connections at once
(wrk when it is installed, else threads). Memory is the server process's resident set after
the run. Both sides get the same requests in the same run, so the ratio holds when the
machine's speed drifts.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / ".cache"
BASELINE = (ROOT.parent / "shared" / "baseline").resolve()
PYTHON = sys.executable


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process under test: its base URL and process id."""

    name: str
    url: str
    process: subprocess.Popen[bytes]

    def memory_mb(self) -> float:
        """Resident memory of the server process and its children, in MiB."""
        total = 0
        pids = [self.process.pid, *_children(self.process.pid)]
        for pid in pids:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"VmRSS:\s+(\d+) kB", status)
            if found:
                total += int(found.group(1))
        return total / 1024


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    found = [int(p) for p in text.split()]
    return found + [c for p in found for c in _children(p)]


@contextmanager
def serve(name: str, app: str, env: dict[str, str], app_dir: str | None = None, workers: int = 1,
          ready_path: str = "/", cwd: str | None = None) -> Iterator[Server]:
    """Run ``uvicorn APP`` on a free loopback port until the block ends."""
    port = free_port()
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
               "--log-level", "warning", "--workers", str(workers), "--no-access-log"]
    if app_dir:
        command += ["--app-dir", app_dir]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                output = process.stderr.read().decode()[-2000:] if process.stderr else ""
                raise RuntimeError(f"{name} did not start: {output}")
            try:
                httpx.get(url + ready_path, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not answer on {url} within 60 s") from None
                time.sleep(0.2)
        yield Server(name, url, process)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class Latency:
    """Latency percentiles in milliseconds over ``count`` requests."""

    p50: float
    p95: float
    p99: float
    count: int
    errors: int = 0
    server_p95: float | None = None
    """The 95th percentile of the server's own time (its ``Server-Timing`` header), when it sends one."""


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Return the value at ``fraction`` (0..1) of ``sorted_values`` (nearest rank)."""
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


SERVER_TIMING = re.compile(r"app;dur=([\d.]+)")


def measure_latency(base_url: str, paths: Sequence[str], *, repeat: int = 1, warmup: int = 20,
                    cookies: dict[str, str] | None = None, method: str = "GET",
                    data: Sequence[dict[str, str]] | None = None, headers: dict[str, str] | None = None,
                    expect: Sequence[int] = (200,)) -> Latency:
    """Request each path in turn over one connection; return percentiles of the wall time."""
    timings: list[float] = []
    server: list[float] = []
    errors = 0
    with httpx.Client(base_url=base_url, cookies=cookies, headers=headers, timeout=30) as client:
        for path in list(paths)[:warmup]:
            client.request(method, path)
        for _ in range(repeat):
            for index, path in enumerate(paths):
                body = data[index] if data else None
                started = time.perf_counter()
                response = client.request(method, path, data=body)
                timings.append((time.perf_counter() - started) * 1000)
                found = SERVER_TIMING.search(response.headers.get("server-timing", ""))
                if found:
                    server.append(float(found.group(1)))
                if response.status_code not in expect:
                    errors += 1
    timings.sort()
    server.sort()
    return Latency(percentile(timings, .50), percentile(timings, .95), percentile(timings, .99), len(timings), errors,
                   percentile(server, .95) if server else None)


def measure_throughput(base_url: str, path: str, *, seconds: float = 5, connections: int = 4,
                       cookies: dict[str, str] | None = None) -> float:
    """Return requests per second for ``path`` with several connections (wrk when installed)."""
    wrk = shutil.which("wrk")
    if wrk:
        command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{max(1, int(seconds))}s", base_url + path]
        if cookies:
            command[1:1] = ["-H", "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        found = re.search(r"Requests/sec:\s+([\d.]+)", output)
        non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        if non_2xx:
            print(f"  warning: {non_2xx.group(1)} non-2xx answers from {base_url + path}", file=sys.stderr)
        return float(found.group(1)) if found else 0.0
    count = 0
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker() -> None:
        nonlocal count
        done = 0
        with httpx.Client(base_url=base_url, cookies=cookies, timeout=30) as client:
            while time.monotonic() < stop:
                client.get(path)
                done += 1
        with lock:
            count += done

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return count / seconds


@dataclass
class Row:
    """One line of the results table."""

    benchmark: str
    page: str
    database: str
    organet: Latency
    organet_rps: float
    organet_mb: float
    bare: Latency | None = None
    bare_rps: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        """organet's throughput divided by the bare reference's."""
        return self.organet_rps / self.bare_rps if self.bare_rps else None


def table(rows: Sequence[Row]) -> str:
    """Return the results as a Markdown table."""
    lines = ["| benchmark | page | db | p50 ms | p95 ms | p99 ms | server p95 ms | req/s | bare p95 ms | bare req/s "
             "| ratio | MiB |",
             "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        bare_p95 = f"{row.bare.p95:.1f}" if row.bare else "—"
        bare_rps = f"{row.bare_rps:.0f}" if row.bare_rps else "—"
        ratio = f"{row.ratio:.2f}" if row.ratio else "—"
        server = f"{row.organet.server_p95:.1f}" if row.organet.server_p95 is not None else "—"
        lines.append(f"| {row.benchmark} | {row.page} | {row.database} | {row.organet.p50:.1f} | "
                     f"{row.organet.p95:.1f} | {row.organet.p99:.1f} | {server} | {row.organet_rps:.0f} | {bare_p95} | "
                     f"{bare_rps} | {ratio} | {row.organet_mb:.0f} |")
    return "\n".join(lines)


def machine_speed() -> str:
    """Describe how fast this machine runs Python, so that figures from two machines can be compared.

    Absolute targets (a page under 10 ms) depend on the machine: the same code measured 3.5x
    slower on one 2-core machine than on another. The fastest of five runs of a fixed loop of
    pure Python says which kind of machine a table came from; the bare references in the same
    run are the other yardstick.
    """
    def loop() -> float:
        started = time.perf_counter()
        total = 0
        for i in range(2_000_000):
            total += i
        return time.perf_counter() - started

    fastest = min(loop() for _ in range(5))
    return f"machine: {fastest * 1000:.0f} ms for 2 million additions in pure Python (fastest of 5)"


def median(values: Sequence[float]) -> float:
    """The median of ``values``."""
    return statistics.median(values)


POSTGRES_SERVER = os.environ.get("ORGANET_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def database_url(name: str, kind: str) -> str:
    """Return the URL of the benchmark database ``name`` on SQLite (in bench/.cache) or PostgreSQL."""
    if kind == "sqlite":
        CACHE.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{CACHE / (name + '.db')}"
    import sqlalchemy as sa

    return str(sa.engine.make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False))


def database_exists(url: str) -> bool:
    """True when the benchmark database at ``url`` was seeded before (cached between runs)."""
    import sqlalchemy as sa

    if url.startswith("sqlite:///"):
        return Path(url.removeprefix("sqlite:///")).exists()
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(POSTGRES_SERVER)
    with engine.connect() as connection:
        found = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
    engine.dispose()
    return bool(found)


def create_database(url: str) -> None:
    """Create an empty PostgreSQL database for ``url`` (SQLite needs nothing)."""
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        return
    name = sa.engine.make_url(url).database
    engine = sa.create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def organet_site(name: str, kind: str, plugins: Sequence[str]) -> tuple[Path, str]:
    """Write an organet.toml for a benchmark site and return ``(config_path, database_url)``.

    The database itself is seeded by the benchmark (migrations with organet.schema.upgrade,
    then bulk inserts), once, and cached.
    """
    CACHE.mkdir(parents=True, exist_ok=True)
    url = database_url(f"organet_{name}", kind)
    config = CACHE / f"organet_{name}_{kind}.toml"
    enabled = ", ".join(f'"{p}"' for p in plugins)
    # Served as docs/deployment.md advises for a machine that runs organet itself: the worker on a CPU of its own.
    config.write_text(f'[site]\nsecret_key = "bench-secret"\ndatabase_url = "{url}"\nrun_jobs_in_server = false\n'
                      f'pin_workers_to_cpus = true\nmedia_dir = "{CACHE / "media"}"\n\n'
                      f'[plugins]\nenabled = [{enabled}]\n')
    return config, url


def bench_session(config: Path, username: str = "bench", role: str = "member") -> dict[str, str]:
    """Make (or reuse) a signed-in session for a benchmark person and return the cookies to send."""
    import secrets

    import sqlalchemy as sa

    from organet.app import resolve_config
    from organet.auth.models import SignInSession
    from organet.people.models import User
    from organet.security import digest
    from organet.site import build_site

    site = build_site(resolve_config(config))
    token = secrets.token_urlsafe(32)
    with site.db.session() as session:
        user = session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            user = User(username=username, email=f"{username}@bench.example", role=role)
            user.set_name("Bench", "", "Mark")
            session.add(user)
            session.flush()
        session.add(SignInSession(id_digest=digest(token), user_id=user.id, data={}))
    site.db.dispose()
    return {"organet_session": token}


def bare_module(name: str) -> Any:
    """Import a bare reference app from ../shared/baseline (``"bare_board"``), for its data generator and constants."""
    import importlib

    sys.path.insert(0, str(BASELINE))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(BASELINE))


def bare_directory_database(people: int = 50_000) -> Path:
    """Seed (once) the bare directory reference's SQLite database and return its path."""
    path = CACHE / "bare_directory.db"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run([PYTHON, str(BASELINE / "bare_directory.py"), "seed", str(path), str(people)], check=True)
    return path
