"""What plugins hand to the people plugin: profile sections and extra HR import columns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ProfileSection:
    """A block on a person's profile page, returned by the ``person_profile_sections`` hook.

    ``html`` is Markup (escape anything a person typed); sections are shown by ``order``, low first.
    """

    title: str
    html: Any
    order: int = 100


@dataclass(frozen=True)
class ImportColumn:
    """An HR export column a plugin takes, returned by the ``register_import_columns`` hook.

    ``name`` is the column's key (mapped to a header in ``[plugins.people] import_columns``);
    ``apply(session, person, value)`` stores the value for ``person`` and returns nothing.
    It must be idempotent: importing the same file twice changes nothing. Raise
    :class:`organet.ValidationError` for a value that does not fit; the row is reported as bad.
    """

    name: str
    description: str
    apply: Callable[[Any, Any, str], None]
