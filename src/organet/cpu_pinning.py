"""Keep each worker process on a CPU of its own, so that its threads share that CPU's caches.

A worker runs its event loop in one thread and its views in others (:mod:`organet._pipeline`).
Python runs one of them at a time, yet the operating system readily wakes a view's thread on
another, idle CPU than the loop's: everything both threads touch (the request, the site, every
object's reference count) then moves between the two CPUs' caches at each hand-over. On a board
page that cost a quarter of the time: 795-935 pages a second free, 1,100-1,140 pinned (SQLite);
600 free, 770-800 pinned (PostgreSQL); see docs/performance.md.

Switched on with ``[site] pin_workers_to_cpus = true``; see docs/deployment.md for where it fits.
Workers claim CPUs with a lock file each in a folder of the user's own (held until the process
ends, released by the system even when it is killed), so that several workers of one user on one
machine take different CPUs; a worker that finds every CPU taken stays free, as it would without
this. Workers that do not share the folder (other users, other containers, a private /tmp) do not
see each other's claims.
"""

from __future__ import annotations

import logging
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

log = logging.getLogger("organet.cpu_pinning")

_held: list[Any] = []  # the claimed CPU's open lock file, kept for the life of the process


def claims_folder() -> Path:
    """Where this user's workers leave their claims: one lock file per CPU."""
    return Path(tempfile.gettempdir()) / f"organet-cpus-{os.getuid()}"


def pin_to_a_free_cpu(folder: Path | None = None) -> int | None:
    """Bind this process's current thread, and every thread it starts from now on, to a CPU that no
    other organet worker holds; return that CPU, or ``None`` when nothing was done (not Linux, a
    single CPU to run on, every CPU taken, or no claims folder of this user's own).

    Called once by a worker process at start-up, before it starts any thread of its own.
    """
    if _held or not hasattr(os, "sched_setaffinity"):
        return None
    import fcntl  # Unix only, like sched_setaffinity

    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None
    folder = folder or claims_folder()
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        found = folder.lstat()
        if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o022:
            log.warning("not pinning the worker to a CPU: %s is not a folder of this user's own", folder)
            return None
        for cpu in allowed:
            descriptor = os.open(folder / f"cpu-{cpu}.lock", os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            claim = os.fdopen(descriptor, "w")
            try:
                fcntl.flock(claim, fcntl.LOCK_EX | fcntl.LOCK_NB)
                os.sched_setaffinity(0, {cpu})
            except OSError:  # held by another worker, or this CPU cannot be had after all
                claim.close()
                continue
            _held.append(claim)
            log.info("worker %s runs on CPU %s", os.getpid(), cpu)
            return cpu
    except OSError as error:
        log.warning("could not pin the worker to a CPU (%s); it runs on any", error)
    return None
