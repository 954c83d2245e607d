"""The phonebook's tables: a profile per person, expertise tags, working patterns, absences and the directory index."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from organet.db import Model, UTCDateTime, utcnow
from organet.i18n import N_

ABSENCE_KINDS = (N_("leave"), N_("course"), N_("sick"))
DAY_PARTS = (N_("morning"), N_("afternoon"))


class Profile(Model):
    """What the phonebook knows about a person beyond the core's name, e-mail and groups.

    ``imported_fields`` names the fields the HR import filled in; the person cannot edit those.
    ``pattern`` is the working pattern as ``["0-morning", "0-afternoon", "1-morning", ...]``
    (weekday 0 is Monday); an empty pattern means every weekday, all day.
    """

    __tablename__ = "phonebook_profiles"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    job_title: Mapped[str] = mapped_column(sa.String(200), default="")
    work_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    mobile: Mapped[str] = mapped_column(sa.String(40), default="")
    extension: Mapped[str] = mapped_column(sa.String(20), default="")
    room: Mapped[str] = mapped_column(sa.String(100), default="")
    languages: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    about: Mapped[str] = mapped_column(sa.Text, default="")
    photo: Mapped[str | None] = mapped_column(sa.String(200), default=None)
    pattern: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    imported_fields: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class FieldRule(Model):
    """The admin's choice of who sees a field: ``employees``, ``groups`` or ``self`` (see settings.LEVELS).

    Fields without a row use their default level (settings.DEFAULT_LEVELS). Which external
    groups see a field is kept as core shares: ``Share(plugin="phonebook", kind="field", object_id=field)``.
    """

    __tablename__ = "phonebook_field_rules"

    field: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    level: Mapped[str] = mapped_column(sa.String(20), default="employees")


class Expertise(Model):
    """A topic a person says they know about; ``tag`` is the normalised form used to match."""

    __tablename__ = "phonebook_expertise"

    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(80))

    __table_args__ = (sa.Index("ix_phonebook_expertise_tag", "tag"),)


class Absence(Model):
    """A stretch of days a person is away; ``kind`` (the reason) is shown only to those allowed."""

    __tablename__ = "phonebook_absences"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"))
    starts_on: Mapped[dt.date] = mapped_column(sa.Date)
    ends_on: Mapped[dt.date] = mapped_column(sa.Date)
    kind: Mapped[str] = mapped_column(sa.String(20), default="leave")
    source: Mapped[str] = mapped_column(sa.String(20), default="self")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        sa.Index("ix_phonebook_absences_person_ends", "person_id", "ends_on"),
        sa.Index("ix_phonebook_absences_ends_starts", "ends_on", "starts_on"),
    )


class Entry(Model):
    """One row per person in the directory index: the search terms, tagged by field.

    ``id`` is the person's place in the alphabet (see :func:`directory.sort_rank`): the full-text
    index returns matches in id order, so the first page of results sorted by surname comes
    straight from the index, without sorting thousands of matches. ``terms`` holds
    space-separated tokens, each prefixed with the letter of the field it came from (``nberg``
    for a name, ``w612345678`` for a work-phone suffix, see :mod:`organet_plugins.phonebook.directory`),
    so that one index answers prefix queries restricted to the fields the viewer may see.
    SQLite indexes it with FTS5 (``phonebook_entries_fts``, kept in step by triggers).
    On PostgreSQL the column is itself a ``tsvector`` with a GIN index: the tokens are lower-case
    letters and digits, so the text is already a tsvector literal and is stored once, parsed
    (migration cd1d11fad77f explains why the rows are kept this narrow).
    """

    __tablename__ = "phonebook_entries"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True,
                                    autoincrement=False)
    person_id: Mapped[int] = mapped_column(sa.ForeignKey("people.id", ondelete="CASCADE"), unique=True)
    terms: Mapped[str] = mapped_column(sa.Text().with_variant(TSVECTOR(), "postgresql"), default="")
