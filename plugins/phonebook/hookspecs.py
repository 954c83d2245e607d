"""The hooks the phonebook defines for other plugins: ask it for experts, and tell it who knows what.

Other plugins use them without importing the phonebook. Both speak plain data (dicts), so a
plugin that implements or calls them works whether or not the phonebook is enabled: mark an
implementation ``@hookimpl(optionalhook=True)``, and check ``site.is_enabled("phonebook")``
before calling.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from organet.hooks import hookspec

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from organet.site import Site


@hookspec(firstresult=True)
def phonebook_experts(site: Site, session: Session, topic: str, limit: int) -> list[dict[str, Any]]:
    """Ask who knows about ``topic``; the phonebook answers. Call it, do not implement it.

    Returns at most ``limit`` dicts, best first: ``{"person_id": int, "username": str,
    "name": str, "score": float, "reasons": [str, ...]}``. Ranked by declared expertise (an
    exact tag counts more than a tag starting with the topic) plus the signals other plugins
    contribute through :func:`phonebook_expertise_signals`. Only active people are returned;
    the caller shows them only to people who may see the phonebook. ``site`` is the caller's
    site (``organet.web.site(request)``, or ``ctx.site`` in a job): the phonebook asks the
    site's other plugins for signals through it. Stops at the first non-None result.

    Example (in the Q&A plugin, suggesting who could answer a question)::

        site = organet.web.site(request)
        if site.is_enabled("phonebook"):
            experts = site.hook.phonebook_experts(site=site, session=web.db(request), topic="wondzorg",
                                                  limit=5) or []

    .. versionadded:: 0.1
    """


@hookspec
def phonebook_expertise_signals(session: Session, topic: str) -> list[dict[str, Any]]:
    """Tell the phonebook who shows knowledge of ``topic``. Called when someone looks for experts.

    ``topic`` comes normalised: lower case, accents and punctuation dropped ("Palliatieve zorg"
    arrives as "palliatieve zorg"), so compare it with your tags normalised the same way.

    Return dicts ``{"person_id": int, "weight": float, "reason": str}``: ``weight`` is added to
    the person's score (one declared expertise tag counts 3; keep a signal's weight in the same
    range, for example 0.5 per accepted answer, at most 3), ``reason`` is a short text shown
    with the result ("4 accepted answers"). Return ``[]`` when you know nothing. Keep it to one
    indexed query: it runs on every search.

    Example::

        @hookimpl(optionalhook=True)
        def phonebook_expertise_signals(session, topic):
            rows = session.execute(select(Answer.author_id, func.count())
                                   .where(Answer.accepted, Answer.tag == topic).group_by(Answer.author_id))
            return [{"person_id": pid, "weight": min(3.0, 0.5 * n), "reason": f"{n} accepted answers"}
                    for pid, n in rows]

    .. versionadded:: 0.1
    """
