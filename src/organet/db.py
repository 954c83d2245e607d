"""Storage: the declarative base for every model, the engine with SQLite's pragmas, and sessions.

Plugins define models on :class:`Model`, name their tables ``<plugin>_<plural>``, and get a
session from the request (``request.state.db``), a job context or :meth:`Database.session`.
Where concurrency decides correctness, :meth:`Database.write_session` takes the write lock
up front (``BEGIN IMMEDIATE`` on SQLite) so that a check and the insert after it cannot
interleave with another writer's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from organet.errors import Busy

SQLITE_BUSY_TIMEOUT_MS = 5000

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Model(DeclarativeBase):
    """Base class of every organet model, core and plugin alike."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """Return the current time as an aware UTC datetime: the only kind organet stores."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.types.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back as an aware UTC datetime.

    SQLite keeps no time zone, so values are normalised to UTC on the way in and marked UTC
    on the way out; a naive value is refused rather than guessed.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("organet stores only aware datetimes; use organet.db.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _configure_sqlite(engine: Engine) -> None:
    """Turn on WAL, foreign keys and a busy timeout, and let us choose how transactions begin.

    pysqlite starts transactions lazily and never as IMMEDIATE; we take over BEGIN so that
    :meth:`Database.write_session` can ask for the write lock before reading.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: sa.Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        # Straight to the driver: every request begins a transaction, and SQLAlchemy's way round
        # costs more than SQLite's. Its error is wrapped as SQLAlchemy would (Busy looks for it).
        statement = f"BEGIN {mode}"
        driver_error = connection.dialect.loaded_dbapi.Error
        try:
            connection.connection.dbapi_connection.execute(statement)  # type: ignore[union-attr]
        except driver_error as error:
            raise sa.exc.DBAPIError.instance(statement, (), error, driver_error, dialect=connection.dialect) from error


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine for ``url`` with organet's settings for SQLite or PostgreSQL."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        _configure_sqlite(engine)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    # No test of each connection before use: that costs a round trip on every page (about 0.8 ms).
    # After a database restart the first read is served again on a fresh connection instead
    # (see organet._pipeline._again_after_a_lost_connection).
    options.setdefault("pool_pre_ping", False)
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    # Never JIT-compile queries of a few milliseconds: compiling costs more (20-30 ms) than it saves.
    # (Statements whose best plan depends on their values, like search, ask PostgreSQL to plan each
    # run with its values themselves: see organet.search.query.) Connections are replaced after
    # five minutes, so that none has been cut off by a firewall's idle timeout when it is lent out.
    options.setdefault("pool_recycle", 300)
    engine = sa.create_engine(url, **options)
    event.listen(engine, "connect", _no_jit)
    return engine


def _no_jit(dbapi_connection: Any, _record: Any) -> None:
    # A SET of its own on each new connection, rather than connection options, which would replace
    # options given in the URL or PGOPTIONS and which PgBouncer refuses.
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.autocommit = autocommit


def is_busy_error(error: BaseException) -> bool:
    """True when ``error`` means the database stayed locked (SQLite) or a lock timed out (PostgreSQL)."""
    if not isinstance(error, OperationalError):
        return False
    text = str(error.orig).lower()
    return "database is locked" in text or "lock timeout" in text or "could not obtain lock" in text


def rows(session: Session, statement: sa.Executable, parameters: dict[str, Any] | None = None) -> Sequence[Any]:
    """Run a select of columns in ``session``'s transaction and return its rows, as plain named tuples.

    ``session.execute`` passes every statement through the ORM, which costs a third of the time of
    a short query even when it selects only columns; lists that show a page of rows (a board, a
    grid, the bell) read them with this instead. For whole objects (``select(Post)``) use the
    session: only the ORM turns rows into objects.
    """
    if session.autoflush:
        session.flush()  # as session.execute would: rows added or changed in this session are seen
    return session.connection().execute(statement, parameters).all()


@contextmanager
def _transaction(session: Session) -> Iterator[None]:
    """Commit ``session`` when the block ends normally; roll back when it raises; a lock timeout is Busy."""
    try:
        yield
        session.commit()
    except OperationalError as error:
        session.rollback()
        if is_busy_error(error):
            raise Busy("The database is busy. Please try again in a moment.") from error
        raise
    except BaseException:
        session.rollback()
        raise


class Database:
    """The site's database: one engine and the sessions made from it."""

    def __init__(self, url: str, **engine_options: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_options)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def session_factory(self) -> sessionmaker[Session]:
        """The factory behind :meth:`session`, for listening to every session's events."""
        return self._sessions

    @property
    def is_sqlite(self) -> bool:
        """True on SQLite, where some features fall back (see docs/databases.md)."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session; commit when the block ends normally, roll back when it raises."""
        with self._sessions() as session, _transaction(session):
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """Like :meth:`session`, but holding the write lock from the first statement.

        On SQLite the transaction begins with ``BEGIN IMMEDIATE``, so a read-check-insert
        cannot interleave with another writer; a lock not had within the busy timeout
        raises :class:`organet.errors.Busy`. On PostgreSQL use constraints or
        ``SELECT ... FOR UPDATE`` inside it.
        """
        with self._sessions() as session, _transaction(session):
            if self.is_sqlite:
                # BEGIN IMMEDIATE itself may wait out the busy timeout: inside the transaction, so it is Busy too.
                session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            yield session

    def dispose(self) -> None:
        """Close every pooled connection (at shutdown, and in tests)."""
        self.engine.dispose()
