"""The phonebook's settings: who sees each field, which fields people edit themselves, what counts as new."""

from __future__ import annotations

from organet import Setting
from organet.i18n import N_

LEVELS = ("employees", "groups", "self")
"""Visibility levels: every signed-in employee; people sharing a group with the person; only the person and admins."""

FIELDS: dict[str, str] = {
    "job_title": N_("Job title"),
    "work_phone": N_("Work phone"),
    "mobile": N_("Mobile"),
    "extension": N_("Extension"),
    "email": N_("E-mail"),
    "room": N_("Room"),
    "manager": N_("Manager and reports"),
    "expertise": N_("Expertise"),
    "languages": N_("Languages"),
    "about": N_("About me"),
    "photo": N_("Photo"),
}
"""The fields whose visibility an admin sets, with their labels. Name and groups are always shown."""

DEFAULT_LEVELS = {"mobile": "groups"}
"""Fields whose level is not "employees" until an admin says otherwise."""
EDITABLE_BY_DEFAULT = ["work_phone", "mobile", "extension", "room", "expertise", "languages", "about", "photo"]


def declared() -> list[Setting]:
    """The settings ``register_settings`` returns; an admin changes them at run time in the admin pages.

    Who sees each field is not a setting but a row per field (:class:`models.FieldRule`), set on
    the phonebook's admin page together with the sharing for externals: search documents and
    photo downloads need it where no request is at hand.
    """
    return [
        Setting("editable_fields", list, EDITABLE_BY_DEFAULT,
                "The fields people edit on their own profile (fields from the HR import stay read-only).",
                example=["room", "expertise", "about"], runtime=True, choices=tuple(FIELDS)),
        Setting("new_colleague_days", int, 30, "How many days someone counts as a new colleague.",
                example=30, runtime=True, minimum=1, maximum=365),
    ]
