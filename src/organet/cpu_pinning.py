"""Keep each worker process on a CPU of its own, so that its threads share that CPU's caches.

A worker runs its event loop in one thread and its views in others (:mod:`organet._pipeline`).
Python runs one of them at a time, yet the operating system readily wakes a view's thread on
another, idle CPU than the loop's: everything both threads touch (the request, the site, every
object's reference count) then moves between the two CPUs' caches at each hand-over. On a board
page that cost a quarter of the time: 795-935 pages a second free, 1,100-1,140 pinned (SQLite);
600 free, 770-800 pinned (PostgreSQL); see docs/performance.md.

Workers claim CPUs with a lock file each (held until the process ends, released by the system
even when it is killed), so that several workers, or several sites on one machine, take
different CPUs; a worker that finds every CPU taken stays free, as it would without this.
"""

from __future__ import annotations

import fcntl
import logging
import os
import tempfile
from pathlib import Path
from typing import IO

log = logging.getLogger("organet.cpu_pinning")

_held: list[IO[str]] = []  # the claimed CPU's lock file, open for the life of the process


def claims_folder() -> Path:
    """Where workers of this user leave their claims: one lock file per CPU."""
    return Path(tempfile.gettempdir()) / f"organet-cpus-{os.getuid()}"


def pin_to_a_free_cpu(folder: Path | None = None) -> int | None:
    """Bind this process's current thread, and every thread it starts from now on, to a CPU that no
    other organet worker holds; return that CPU, or ``None`` when nothing was done (not Linux, a
    single CPU to run on, every CPU taken, or the claims folder not writable).

    Called once by a worker process at start-up, before it starts any thread of its own.
    """
    if _held or not hasattr(os, "sched_setaffinity"):
        return None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    folder = folder or claims_folder()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        for cpu in allowed:
            claim = open(folder / f"cpu-{cpu}.lock", "a")  # noqa: SIM115 - held open on purpose
            try:
                fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                claim.close()
                continue
            _held.append(claim)
            os.sched_setaffinity(0, {cpu})
            log.info("worker %s runs on CPU %s", os.getpid(), cpu)
            return cpu
    except OSError as error:
        log.warning("could not pin the worker to a CPU (%s); it runs on any", error)
    return None
