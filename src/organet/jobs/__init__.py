"""Periodic and queued jobs, run by ``organet worker`` or by ``organet serve`` itself.

Plugins declare jobs with the ``register_jobs`` hook and queue runs with :func:`enqueue`,
in the same transaction as the change that needs them. A job function receives a
:class:`JobContext`. See docs/jobs.md.
"""

from organet.jobs.queue import enqueue
from organet.jobs.runner import JobContext, JobRunner, Outcome, backoff, new_worker_id, run_now, run_pending
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="jobs",
    title="Background jobs",
    description="Periodic and queued jobs, run by organet worker or organet serve.",
    version=__version__,
    essential=True,
)

__all__ = ["PLUGIN", "JobContext", "JobRunner", "Outcome", "backoff", "enqueue", "new_worker_id", "run_now",
           "run_pending"]
