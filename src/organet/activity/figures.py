"""Adoption figures from the day rows: active people per day, week and month, use per plugin and department."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from organet.activity.models import DayActivity
from organet.people.models import Group, Membership


def active_people(session: Session, start: dt.date, end: dt.date, plugin: str | None = None) -> int:
    """How many different people did anything from ``start`` to ``end`` (both included)."""
    query = sa.select(sa.func.count(sa.distinct(DayActivity.user_id))).where(DayActivity.day.between(start, end))
    if plugin is not None:
        query = query.where(DayActivity.plugin == plugin)
    return int(session.scalar(query) or 0)


def dau(session: Session, on: dt.date) -> int:
    """Daily active people on ``on``."""
    return active_people(session, on, on)


def wau(session: Session, on: dt.date) -> int:
    """Weekly active people: the seven days up to and including ``on``."""
    return active_people(session, on - dt.timedelta(days=6), on)


def mau(session: Session, on: dt.date) -> int:
    """Monthly active people: the thirty days up to and including ``on``."""
    return active_people(session, on - dt.timedelta(days=29), on)


def daily_series(session: Session, start: dt.date, end: dt.date) -> list[tuple[dt.date, int]]:
    """Active people for every day from ``start`` to ``end``, days without anyone included as 0."""
    counts = dict(session.execute(sa.select(DayActivity.day, sa.func.count(sa.distinct(DayActivity.user_id)))
                                  .where(DayActivity.day.between(start, end)).group_by(DayActivity.day)).all())
    days = (end - start).days + 1
    return [(start + dt.timedelta(days=i), int(counts.get(start + dt.timedelta(days=i), 0))) for i in range(days)]


def use_per_plugin(session: Session, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Per plugin: people, views, contributions, contributors and hours of use; busiest first."""
    rows = session.execute(sa.select(
        DayActivity.plugin, sa.func.count(sa.distinct(DayActivity.user_id)), sa.func.sum(DayActivity.views),
        sa.func.sum(DayActivity.contributions), sa.func.sum(DayActivity.seconds),
        sa.func.count(sa.distinct(sa.case((DayActivity.contributions > 0, DayActivity.user_id)))))
        .where(DayActivity.day.between(start, end)).group_by(DayActivity.plugin))
    result = [{"plugin": plugin, "people": int(people), "views": int(views or 0),
               "contributions": int(contributions or 0), "hours": round(int(seconds or 0) / 3600, 1),
               "contributors": int(contributors)}
              for plugin, people, views, contributions, seconds, contributors in rows]
    return sorted(result, key=lambda r: (-r["people"], r["plugin"]))


def contributors_per_plugin(session: Session, start: dt.date, end: dt.date) -> dict[str, int]:
    """Per plugin, how many different people contributed (posted, reacted, answered, booked)."""
    return {row["plugin"]: row["contributors"] for row in use_per_plugin(session, start, end)}


def use_per_department(session: Session, start: dt.date, end: dt.date, limit: int = 200) -> list[dict[str, Any]]:
    """Per department: its members, how many of them were active, and the share; busiest first."""
    active = (sa.select(DayActivity.user_id).where(DayActivity.day.between(start, end)).distinct().subquery())
    rows = session.execute(
        sa.select(Group.id, Group.name, sa.func.count(Membership.user_id), sa.func.count(active.c.user_id))
        .join(Membership, Membership.group_id == Group.id)
        .outerjoin(active, active.c.user_id == Membership.user_id)
        .where(Group.kind == "department").group_by(Group.id, Group.name)
        .order_by(sa.func.count(active.c.user_id).desc(), Group.name).limit(limit))
    return [{"group_id": gid, "name": name, "members": int(members), "active": int(people),
             "share": round(100 * int(people) / int(members)) if members else 0}
            for gid, name, members, people in rows]


def bar_chart(series: list[tuple[str, int]], label: str, width: int = 720, height: int = 200) -> Markup:
    """Return an SVG bar chart (no script, no outside files) of ``(label, value)`` pairs, with a title per bar."""
    top = max((value for _name, value in series), default=0) or 1
    gap = 2
    bar = max(1.0, (width - gap * len(series)) / max(1, len(series)))
    parts = [f'<svg class="bar-chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height + 20}" '
             f'width="100%" xmlns="http://www.w3.org/2000/svg">']
    for index, (name, value) in enumerate(series):
        h = round(height * value / top, 1)
        x = round(index * (bar + gap), 1)
        parts.append(f'<rect x="{x}" y="{round(height - h, 1)}" width="{round(bar, 1)}" height="{h}">'
                     f'<title>{escape(name)}: {value}</title></rect>')
    parts.append(f'<text x="0" y="{height + 15}" font-size="12">{escape(series[0][0]) if series else ""}</text>')
    if series:
        parts.append(f'<text x="{width}" y="{height + 15}" font-size="12" text-anchor="end">'
                     f'{escape(series[-1][0])}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every value above is escaped or a number
