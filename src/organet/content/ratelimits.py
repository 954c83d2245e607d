"""A per-person rate limit for posting that plugins apply with one call: :func:`check_rate`."""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from starlette.requests import Request

from organet import web
from organet.errors import ValidationError
from organet.i18n import gettext as _


class RateLimited(ValidationError):
    """Someone did something too often in a short time; pages answer 429 with when to try again."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


_local: dict[str, deque[float]] = {}
_local_lock = threading.Lock()


def _hit_locally(key: str, limit: int, per_seconds: int) -> bool:
    # Used only while the shared limiter (organet.ratelimit) is not installed: per worker.
    now = time.monotonic()
    with _local_lock:
        window = _local.setdefault(key, deque())
        while window and window[0] <= now - per_seconds:
            window.popleft()
        if len(window) >= limit:
            return False
        window.append(now)
        return True


def hit(site: Any, session: Any, key: str, limit: int, per_seconds: int) -> bool:
    """Count one use of ``key``; False when it was used ``limit`` times in the last ``per_seconds``."""
    try:
        from organet import ratelimit
    except ImportError:
        return _hit_locally(f"{site.db.url}|{key}", limit, per_seconds)
    return bool(ratelimit.hit(site, session, key, limit, per_seconds))


def check_rate(request: Request, action: str, limit: int, per_seconds: int) -> None:
    """Raise :class:`RateLimited` (429) when the current person did ``action`` ``limit`` times in ``per_seconds``.

    Call it in a view before the state change; ``action`` is ``"<plugin>.<verb>"``, such as
    ``"bulletin.post"``. Limits are per person (per address for anonymous visitors) and shared
    by every worker through organet's rate limiter.
    """
    person = web.user(request)
    who = f"user:{person.id}" if person else f"addr:{request.client.host if request.client else '-'}"
    if not hit(web.site(request), web.db(request), f"content:{action}:{who}", limit, per_seconds):
        minutes = max(1, round(per_seconds / 60))
        raise RateLimited(_("You did this too often in a short time. Wait %(minutes)s minute(s) and try again.",
                            minutes=minutes), retry_after=per_seconds)
