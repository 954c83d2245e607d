"""The tables of people, groups, memberships, role permissions and sharing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from organet.db import Model, UTCDateTime, utcnow

KINDS = ("employee", "external", "service")
ROLES = ("admin", "editor", "member", "external")
GROUP_KINDS = ("department", "location", "team", "project")
MEMBER_ROLES = ("member", "manager")


def sort_key(surname: str, given_name: str) -> str:
    """Return the key lists sort people by: surname without tussenvoegsel, then given name, lower case."""
    return f"{surname.strip().lower()} {given_name.strip().lower()}"


def full_name(given_name: str, tussenvoegsel: str, surname: str) -> str:
    """Return the name as written in Dutch: "Anna van den Berg"."""
    return " ".join(part for part in (given_name.strip(), tussenvoegsel.strip(), surname.strip()) if part)


# The columns :func:`shown_name` reads: what a list of names depends on (``watch_changes("people", NAME_COLUMNS)``).
NAME_COLUMNS = ("display_name", "given_name", "tussenvoegsel", "surname", "username")


def shown_name(display_name: str, given_name: str, tussenvoegsel: str, surname: str, username: str) -> str:
    """Return the name to show for a person: the display name, else the full name, else the username.

    :attr:`User.name` for a person read as columns rather than as a :class:`User` (a list of rows).
    """
    return display_name or full_name(given_name, tussenvoegsel, surname) or username


def _key_type(length: int) -> sa.types.TypeEngine[str]:
    return sa.String(length).with_variant(sa.String(length, collation="C"), "postgresql")


class User(Model):
    """A person who signs in (employee or external) or a service account used through API tokens."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(80), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)
    given_name: Mapped[str] = mapped_column(sa.String(100), default="")
    tussenvoegsel: Mapped[str] = mapped_column(sa.String(30), default="")
    surname: Mapped[str] = mapped_column(sa.String(100), default="")
    display_name: Mapped[str] = mapped_column(sa.String(250), default="")
    sort_name: Mapped[str] = mapped_column(sa.String(250), default="", index=True)
    # Lower-case search keys, kept up to date on every write (see _refresh_keys): prefix
    # searches are index range scans on them, on SQLite and PostgreSQL alike.
    # Byte-order collation on PostgreSQL, as SQLite's default, so a prefix range is exact.
    given_key: Mapped[str] = mapped_column(_key_type(100), default="", index=True)
    surname_key: Mapped[str] = mapped_column(_key_type(100), default="", index=True)
    full_surname_key: Mapped[str] = mapped_column(_key_type(140), default="", index=True)
    username_key: Mapped[str] = mapped_column(_key_type(80), default="", index=True)
    email_key: Mapped[str] = mapped_column(_key_type(254), default="", index=True)
    language: Mapped[str | None] = mapped_column(sa.String(5), default=None)
    time_zone: Mapped[str | None] = mapped_column(sa.String(64), default=None)
    kind: Mapped[str] = mapped_column(sa.String(20), default="employee")
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    active: Mapped[bool] = mapped_column(default=True)
    deactivated_by_admin: Mapped[bool] = mapped_column(default=False)
    deactivated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    hr_id: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    hr_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    password_hash: Mapped[str | None] = mapped_column(sa.String(255), default=None)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                         lazy="selectin")

    __table_args__ = (sa.Index("ix_people_active_sort", "active", "sort_name"),)

    is_authenticated = True

    @property
    def is_external(self) -> bool:
        """True for partners, volunteers and clients: they see only what is shared with their groups."""
        return self.kind == "external"

    @property
    def name(self) -> str:
        """The name to show: the display name, or given name, tussenvoegsel and surname."""
        return shown_name(self.display_name, self.given_name, self.tussenvoegsel, self.surname, self.username)

    @property
    def group_ids(self) -> frozenset[int]:
        """The ids of every group this person is a member (or manager) of."""
        return frozenset(m.group_id for m in self.memberships)

    def set_name(self, given_name: str, tussenvoegsel: str, surname: str) -> None:
        """Set the name parts and the derived display and sort names together."""
        self.given_name, self.tussenvoegsel, self.surname = given_name, tussenvoegsel, surname
        self.display_name = full_name(given_name, tussenvoegsel, surname)
        self.sort_name = sort_key(surname, given_name)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


def name_key(text: str) -> str:
    """Return ``text`` as stored in a search key: lower case, single spaces."""
    return " ".join(text.lower().split())


@sa.event.listens_for(User, "before_insert")
@sa.event.listens_for(User, "before_update")
def _refresh_keys(mapper: Any, connection: Any, user: User) -> None:
    user.sort_name = sort_key(user.surname or "", user.given_name or "")
    user.given_key = name_key(user.given_name or "")[:100]
    user.surname_key = name_key(user.surname or "")[:100]
    user.full_surname_key = name_key(f"{user.tussenvoegsel or ''} {user.surname or ''}")[:140]
    user.username_key = name_key(user.username or "")[:80]
    user.email_key = name_key(user.email or "")[:254]


class Group(Model):
    """A department (with a parent, forming the organisation tree), location, team or project group."""

    __tablename__ = "people_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(20), default="department", index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="SET NULL"),
                                                  default=None, index=True)
    hr_id: Mapped[str | None] = mapped_column(sa.String(80), unique=True, default=None)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[Group | None] = relationship(remote_side=[id], lazy="joined", join_depth=1)
    memberships: Mapped[list[Membership]] = relationship(back_populates="group", cascade="all, delete-orphan")


class Membership(Model):
    """A person's place in a group, as member or manager."""

    __tablename__ = "people_memberships"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    role: Mapped[str] = mapped_column(sa.String(20), default="member")
    # "hr" for memberships the HR import manages (a mover loses them), "admin" for the rest.
    source: Mapped[str] = mapped_column(sa.String(10), default="admin")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship(back_populates="memberships", lazy="joined")


class RolePermission(Model):
    """That a site role holds a permission. Seeded from each permission's default roles once."""

    __tablename__ = "people_role_permissions"

    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    permission: Mapped[str] = mapped_column(sa.String(80), primary_key=True)


class KnownPermission(Model):
    """A permission the site has seen declared, so an admin's later change to its roles is kept."""

    __tablename__ = "people_known_permissions"

    name: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    first_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Share(Model):
    """That an object of a plugin (``object_id``), or the whole plugin (``object_id=""``), is shared with a group.

    External people see only what is shared with one of their groups; nothing is shared by default.
    """

    __tablename__ = "people_shares"

    plugin: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    object_id: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    group_id: Mapped[int] = mapped_column(sa.ForeignKey("people_groups.id", ondelete="CASCADE"),
                                          primary_key=True, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportRun(Model):
    """An uploaded HR export: its dry-run report is shown first; applying it is a second step."""

    __tablename__ = "people_import_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    created_by: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), default=None)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    content: Mapped[str] = mapped_column(sa.Text, default="")
    report: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    applied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, default=None)


def as_dict(user: User) -> dict[str, Any]:
    """Return the core's data about a person as plain JSON-ready values (for export and the API)."""
    return {
        "username": user.username, "email": user.email, "given_name": user.given_name,
        "tussenvoegsel": user.tussenvoegsel, "surname": user.surname, "display_name": user.name,
        "language": user.language, "time_zone": user.time_zone, "kind": user.kind, "role": user.role,
        "active": user.active,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        "groups": [{"slug": m.group.slug, "name": m.group.name, "kind": m.group.kind, "role": m.role}
                   for m in user.memberships],
    }
