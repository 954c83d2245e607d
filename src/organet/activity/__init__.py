"""Sign-ins, page views and contributions, for adoption figures.

    from organet import activity

    activity.record(session, person.id, "bulletin", action="contribution", kind="post")

One row per person, day and plugin keeps counts and seconds of use, so millions of page views
do not bloat the database; raw events are kept ``keep_events_days``. See docs/activity.md.
"""

from organet.activity.figures import (
    active_people,
    bar_chart,
    contributors_per_plugin,
    daily_series,
    dau,
    mau,
    use_per_department,
    use_per_plugin,
    wau,
)
from organet.activity.models import ACTIONS, DayActivity, Event
from organet.activity.recording import prune, record, write
from organet.types import PluginInfo
from organet.version import __version__

PLUGIN = PluginInfo(
    name="activity",
    title="Activity",
    description="Sign-ins, page views and contributions, for adoption figures.",
    version=__version__,
    essential=True,
)

__all__ = ["ACTIONS", "PLUGIN", "DayActivity", "Event", "active_people", "bar_chart", "contributors_per_plugin",
           "daily_series", "dau", "mau", "prune", "record", "use_per_department", "use_per_plugin", "wau", "write"]
