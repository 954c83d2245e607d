"""Worker processes take a CPU each (organet.cpu_pinning); their threads follow them there."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                                reason="pinning needs Linux and two CPUs")

WORKER = """
import os, sys, threading, time
from pathlib import Path
from organet.cpu_pinning import pin_to_a_free_cpu
if os.environ.get("REFUSE_CPU"):  # as when a CPU went offline or left the cpuset after start-up
    refused, setaffinity = int(os.environ["REFUSE_CPU"]), os.sched_setaffinity
    def refusing(pid, cpus):
        if set(cpus) == {refused}:
            raise OSError(22, "Invalid argument")
        setaffinity(pid, cpus)
    os.sched_setaffinity = refusing
cpu = pin_to_a_free_cpu(Path(sys.argv[1]))
seen = []
thread = threading.Thread(target=lambda: seen.append(sorted(os.sched_getaffinity(0))))
thread.start(); thread.join()
print(cpu, sorted(os.sched_getaffinity(0)), seen[0], flush=True)
time.sleep(float(sys.argv[2]))
"""


def start_worker(folder, hold_seconds, **env):
    return subprocess.Popen([sys.executable, "-c", WORKER, str(folder), str(hold_seconds)],
                            stdout=subprocess.PIPE, text=True, env={**os.environ, **env})


def test_workers_take_different_cpus_and_their_threads_follow(tmp_path):
    cpus = len(os.sched_getaffinity(0))
    workers = [start_worker(tmp_path, 5) for _ in range(cpus + 1)]
    try:
        lines = [worker.stdout.readline().strip() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
            worker.wait()
    claimed = []
    for line in lines:
        cpu, rest = line.split(" ", 1)
        if cpu == "None":
            continue
        claimed.append(int(cpu))
        assert rest == f"[{cpu}] [{cpu}]"  # the process and a thread it started later run on that CPU only
    assert sorted(claimed) == sorted(os.sched_getaffinity(0))  # one worker a CPU, every CPU used
    assert [line.split(" ", 1)[0] for line in lines].count("None") == 1  # the one too many runs free


def test_a_cpu_is_free_again_when_its_worker_ends(tmp_path):
    first = start_worker(tmp_path, 0)
    taken = first.stdout.readline().split(" ", 1)[0]
    first.wait()
    second = start_worker(tmp_path, 0)
    assert second.stdout.readline().split(" ", 1)[0] == taken  # the lowest free CPU: the one just released
    second.wait()


def test_a_cpu_that_cannot_be_had_is_left_for_the_next(tmp_path):
    first_cpu = min(os.sched_getaffinity(0))
    worker = start_worker(tmp_path, 5, REFUSE_CPU=str(first_cpu))
    follower = None
    try:
        cpu = worker.stdout.readline().split(" ", 1)[0]
        assert cpu not in ("None", str(first_cpu))
        follower = start_worker(tmp_path, 0)  # while the first one runs: the refused CPU was not kept claimed
        assert follower.stdout.readline().split(" ", 1)[0] == str(first_cpu)
    finally:
        for process in (worker, follower):
            if process is not None:
                process.kill()
                process.wait()


def test_a_claims_folder_that_others_may_write_in_is_not_used(tmp_path):
    from organet.cpu_pinning import pin_to_a_free_cpu

    folder = tmp_path / "claims"
    folder.mkdir()
    folder.chmod(0o777)
    assert pin_to_a_free_cpu(folder) is None
    assert list(folder.iterdir()) == []
