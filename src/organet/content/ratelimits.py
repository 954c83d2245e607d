"""A per-person rate limit for posting that plugins apply with one call: :func:`check_rate`."""

from __future__ import annotations

from starlette.requests import Request

from organet import ratelimit, web
from organet.errors import ValidationError
from organet.i18n import gettext as _


class RateLimited(ValidationError):
    """Someone did something too often in a short time; pages answer 429 with when to try again."""

    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def check_rate(request: Request, action: str, limit: int, per_seconds: int) -> None:
    """Raise :class:`RateLimited` (429) when the current person did ``action`` ``limit`` times in ``per_seconds``.

    Call it in a view before the state change; ``action`` is ``"<plugin>.<verb>"``, such as
    ``"bulletin.post"``. Limits are per person (per address for anonymous visitors) and shared
    by every worker through organet's rate limiter.
    """
    person = web.user(request)
    who = f"user:{person.id}" if person else f"addr:{request.client.host if request.client else '-'}"
    if not ratelimit.hit(web.site(request), web.db(request), f"content:{action}:{who}", limit, per_seconds):
        minutes = max(1, round(per_seconds / 60))
        raise RateLimited(_("You did this too often in a short time. Wait %(minutes)s minute(s) and try again.",
                            minutes=minutes), retry_after=per_seconds)
