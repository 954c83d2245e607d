"""Change counters: one number per watched table, raised by every transaction that changes it.

A part of a page that many readers see alike (the board's list of notices) can be rendered once
and kept until one of the tables it shows changes (:func:`organet.web.kept_fragment`). To know
when that is, a plugin watches those tables when it is imported::

    from organet.cache import watch_changes
    from organet.people import NAME_COLUMNS

    watch_changes("bulletin_posts")
    watch_changes("people", NAME_COLUMNS)  # names, not the sign-in time on the same row

From then on every transaction that adds, changes or deletes rows of a watched table through the
ORM (``session.add``, changed attributes, ``session.delete``, ``session.execute(update(Post)...)``)
raises that table's counter, in the same transaction: the new number is seen exactly when the
change is, by every worker and by the job runner alike. An ORM ``update()`` statement counts
whatever columns it sets. Not seen: Core statements and ``text()`` run on the connection, and what
the database does by itself (``ON DELETE CASCADE``, triggers); call :func:`changed` after them.

The counters are raised when the outermost transaction commits (not when a savepoint is released),
all at once and in name order, so two transactions never wait for each other's counters in
opposite orders (on PostgreSQL a raised counter's row stays locked until its transaction ends).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from organet.cache.models import ChangeCounter
from organet.db import rows

PENDING = "organet.changed_tables"  # session.info key: watched tables changed in this transaction

# The watched tables, with the columns whose change counts (``None``: any column).
_WATCHED: dict[str, frozenset[str] | None] = {}

_READ_ALL = sa.select(ChangeCounter.name, ChangeCounter.counter)


def watch_changes(table: str, columns: Iterable[str] | None = None) -> None:
    """Count the transactions that change ``table`` (with ``columns``: only changes to those columns
    of existing rows, plus any added or deleted row). Call it at import time; watching twice widens
    the columns to both sets."""
    wanted = frozenset(columns) if columns is not None else None
    if table in _WATCHED:
        known = _WATCHED[table]
        wanted = None if known is None or wanted is None else known | wanted
    _WATCHED[table] = wanted


def changed(session: Session, *tables: str) -> None:
    """Say that this transaction changed ``tables`` in a way the ORM does not see (Core statements)."""
    session.info.setdefault(PENDING, set()).update(tables)


def unwatched(tables: Iterable[str]) -> list[str]:
    """The names among ``tables`` that nobody watches (a typo, or a module not imported yet)."""
    return [table for table in tables if table not in _WATCHED]


def counters(session: Session) -> dict[str, int]:
    """Every counter, as ``{table: number}``; a table never changed since it was watched is missing."""
    return dict(rows(session, _READ_ALL))  # type: ignore[arg-type]


def has_pending_changes(session: Session) -> bool:
    """True when this transaction has changed a watched table that it has not committed yet."""
    return bool(session.info.get(PENDING))


def install(sessions: sessionmaker[Session]) -> None:
    """Listen to the sessions of ``sessions`` (the site's database does this when it is built)."""
    if getattr(sessions, "_organet_changes", False):
        return
    sessions._organet_changes = True  # type: ignore[attr-defined]
    event.listen(sessions, "after_flush", _note_flushed)
    event.listen(sessions, "do_orm_execute", _note_statement)
    event.listen(sessions, "before_commit", _raise_counters)
    event.listen(sessions, "after_transaction_end", _forget)


def _table_of(mapper: Any) -> str:
    return str(mapper.local_table.name)


def _note_flushed(session: Session, _flush_context: Any) -> None:
    # After a flush the session still lists what it flushed as new, dirty and deleted.
    if not _WATCHED:
        return
    found: set[str] = set()
    for instance in (*session.new, *session.deleted):
        table = _table_of(sa.inspect(instance).mapper)
        if table in _WATCHED:
            found.add(table)
    for instance in session.dirty:
        state = sa.inspect(instance)
        table = _table_of(state.mapper)
        if table not in _WATCHED or table in found:
            continue
        columns = _WATCHED[table]
        if columns is None:
            if session.is_modified(instance, include_collections=False):
                found.add(table)
        elif any(state.attrs[name].history.has_changes() for name in columns if name in state.attrs):
            found.add(table)
    if found:
        changed(session, *found)


def _note_statement(state: Any) -> None:
    if not (state.is_update or state.is_delete or state.is_insert) or not _WATCHED:
        return
    mapper = state.bind_mapper
    table = _table_of(mapper) if mapper is not None else getattr(getattr(state.statement, "table", None), "name", "")
    if table in _WATCHED:
        changed(state.session, table)


def _raise_counters(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes count when the whole transaction commits
    for _ in range(100):  # the commit flushes after this event: see first all it would write
        if not (session.new or session.dirty or session.deleted):
            break
        session.flush()
    tables = sorted(session.info.get(PENDING) or ())
    if not tables:
        return
    connection = session.connection()
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for table in tables:
        statement = insert(ChangeCounter).values(name=table, counter=1)
        connection.execute(statement.on_conflict_do_update(
            index_elements=[ChangeCounter.name], set_={"counter": ChangeCounter.counter + 1}))


def _forget(session: Session, transaction: Any) -> None:
    # Only when the outermost transaction ends (committed, rolled back or closed): a savepoint that
    # rolls back leaves the changes made before it, which still count.
    if transaction.parent is None:
        session.info.pop(PENDING, None)
