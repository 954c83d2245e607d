"""The expert finder: rank people for a topic by declared expertise and the signals other plugins give."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from organet_plugins.phonebook.directory import tag_of
from organet_plugins.phonebook.models import Expertise
from sqlalchemy.orm import Session

from organet.people import User

EXACT_TAG = 3.0
PREFIX_TAG = 2.0
MAX_CANDIDATES = 500


def find_experts(session: Session, topic: str, limit: int, signals: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Return up to ``limit`` experts on ``topic``, best first; ``signals`` are the hook's answers."""
    tag = tag_of(topic)
    if not tag:
        return []
    scores: dict[int, float] = {}
    reasons: dict[int, list[str]] = {}
    escaped = tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    rows = session.execute(sa.select(Expertise.person_id, Expertise.tag, Expertise.label)
                           .where(Expertise.tag.like(f"{escaped}%", escape="\\")).limit(MAX_CANDIDATES))
    for person_id, found, label in rows:
        weight = EXACT_TAG if found == tag else PREFIX_TAG
        if weight > scores.get(person_id, 0.0):
            scores[person_id] = weight
            reasons[person_id] = [f"expertise: {label}"]
    for answer in signals:
        for signal in answer or ():
            try:
                person_id, weight = int(signal["person_id"]), float(signal["weight"])
            except (KeyError, TypeError, ValueError):
                continue  # a plugin's malformed signal must not break the search
            scores[person_id] = scores.get(person_id, 0.0) + max(0.0, min(weight, 10.0))
            reasons.setdefault(person_id, []).append(str(signal.get("reason", ""))[:120])
    if not scores:
        return []
    best = sorted(scores, key=lambda pid: -scores[pid])[: limit * 2]
    people = {p.id: p for p in session.scalars(sa.select(User).where(User.id.in_(best), User.active))}
    ranked = sorted((pid for pid in best if pid in people), key=lambda pid: (-scores[pid], people[pid].sort_name))
    return [{"person_id": pid, "username": people[pid].username, "name": people[pid].name,
             "score": round(scores[pid], 2), "reasons": [r for r in reasons[pid] if r]} for pid in ranked[:limit]]
