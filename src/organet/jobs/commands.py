"""``organet worker`` and ``organet jobs``: run background jobs, list them, run one now."""

from __future__ import annotations

import datetime as dt
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from anyio.from_thread import start_blocking_portal

from organet.errors import OrganetError


@contextmanager
def _started_app(ctx: Any) -> Iterator[Any]:
    """Build the app and run its start-up (permissions, caches, plugins' on_startup) around the block."""
    from organet.app import create_app

    app = create_app(ctx.config)
    # The lifespan runs on an event loop in a thread of its own, so that a caller that already runs a
    # loop in this thread (a test process that also drives a browser) is not disturbed.
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(app.router.lifespan_context(app)):
        yield app


def _fail(error: OrganetError) -> None:
    click.secho(f"Error: {error}", fg="red", err=True)
    sys.exit(1)


@click.command()
@click.option("--once", is_flag=True, help="Run what is due now, then stop.")
@click.option("--poll", type=float, default=None, help="Seconds between looks for due jobs (default: the setting).")
@click.pass_obj
def worker(ctx: Any, once: bool, poll: float | None) -> None:
    """Run background jobs until stopped (Ctrl+C or SIGTERM finish the running job first)."""
    from organet.jobs.runner import JobRunner, run_pending

    stopping = threading.Event()
    if not once:
        def stop(signum: int, _frame: Any) -> None:
            click.echo(f"Stopping after the running job ({signal.Signals(signum).name})...", err=True)
            stopping.set()
            signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once

        # Installed before start-up, so that a signal while the site starts still stops cleanly.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
    try:
        with _started_app(ctx) as app:
            site = app.state.site
            runner = JobRunner(site, poll_seconds=poll or site.settings["jobs"]["poll_seconds"])
            runner.stopping = stopping
            if once:
                runs = run_pending(site, runner.worker_id)
                click.echo(f"Ran {runs} job run(s).")
                return
            click.echo(f"Worker {runner.worker_id} running {len(site.jobs)} job(s); Ctrl+C stops it.")
            runner.run()
            click.echo("Worker stopped.")
    except OrganetError as error:
        _fail(error)


def _ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    if seconds < 0:
        return f"in {_span(-seconds)}"
    return f"{_span(seconds)} ago"


def _span(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


@click.group(invoke_without_command=True)
@click.pass_context
def jobs(click_ctx: click.Context) -> None:
    """List background jobs with their last run, outcome and duration; `jobs run NAME` runs one now."""
    if click_ctx.invoked_subcommand is not None:
        return
    from organet.db import utcnow
    from organet.jobs import status

    try:
        site = click_ctx.obj.site
        now = utcnow()
        with site.db.session() as session:
            rows = status.overview(site, session, now)
            seen = status.workers(session, now, site.settings["jobs"]["stall_minutes"])
    except OrganetError as error:
        _fail(error)
    click.echo(f"{'job':28} {'schedule':10} {'last run':10} {'outcome':8} {'took':>8} {'queued':>6}  next / note")
    for row in rows:
        schedule = f"{int(row.every.total_seconds())}s" if row.every else "queued"
        took = f"{row.last_duration_ms / 1000:.2f}s" if row.last_duration_ms is not None else "-"
        note = f"running on {row.running_on}" if row.running_on else (
            f"next {_ago(row.next_run_at, now)}" if row.next_run_at else "")
        if row.last_outcome == "error":
            note = f"{note}  {row.last_error.splitlines()[0][:80] if row.last_error else ''}".strip()
        queued = f"{row.queued}" + (f"+{row.failed}!" if row.failed else "")
        click.echo(f"{row.name:28} {schedule:10} {_ago(row.last_run_at, now):10} {row.last_outcome or '-':8} "
                   f"{took:>8} {queued:>6}  {note}")
    alive = [w for w in seen if w["alive"]]
    click.echo(f"Workers alive: {len(alive)}" + (f" ({', '.join(w['id'] for w in alive)})" if alive else
                                                  " - start `organet worker`, or `organet serve` runs jobs itself"))


@jobs.command("run")
@click.argument("name")
@click.option("--payload", default="{}", help='The payload as JSON, for example \'{"post_id": 3}\'.')
@click.pass_obj
def jobs_run(ctx: Any, name: str, payload: str) -> None:
    """Run the job NAME once, now, here, and show how it went."""
    from tqdm import tqdm

    from organet.jobs.runner import new_worker_id, run_now

    try:
        data = json.loads(payload)
    except ValueError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--payload") from None
    if not isinstance(data, dict):
        raise click.BadParameter("give a JSON object, such as '{\"id\": 3}'", param_hint="--payload")
    try:
        with _started_app(ctx) as app:
            site = app.state.site
            if name not in site.jobs:
                known = ", ".join(sorted(site.jobs)) or "none"
                raise click.ClickException(f"There is no job {name!r} on this site. Jobs: {known}.")
            with tqdm(desc=name, unit="item", disable=not sys.stderr.isatty()) as bar:
                def progress(done: int, total: int | None) -> None:
                    bar.total = total
                    bar.n = done
                    bar.refresh()

                outcome = run_now(site, name, f"cli:{new_worker_id()}", data, progress)
    except OrganetError as error:
        _fail(error)
    if outcome.ok:
        click.echo(f"{name}: ok in {outcome.duration_ms / 1000:.2f}s")
    else:
        click.secho(f"{name}: failed after {outcome.duration_ms / 1000:.2f}s: {outcome.error}", fg="red", err=True)
        sys.exit(1)
