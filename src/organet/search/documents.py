"""What plugins hand to the index: :class:`SearchDocument`, and :func:`index` / :func:`remove` to keep it current.

Call :func:`index` and :func:`remove` in the same session (the same transaction) as the change
they describe: a deleted or unshared item is gone from search when that transaction commits,
and a saved one is findable from then on.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from organet.db import utcnow
from organet.search.models import VISIBILITIES, Grant, IndexedDocument

MAX_TITLE = 300
MAX_BODY = 100_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SearchDocument:
    """One searchable thing of a plugin, and who may see it.

    ``plugin``, ``kind`` and ``object_id`` identify it (indexing it again replaces it);
    ``title`` weighs more than ``text`` in ranking; ``url`` is where a result links to;
    ``date`` (aware, UTC) makes newer documents rank above older ones (``None``: always
    current, as for people); ``language`` ("nl" or "en") picks the stemming on PostgreSQL.

    ``visibility`` says who finds it:

    - ``"employees"``: every employee; externals only when the whole plugin, or this object, is
      shared with one of their groups (``organet.people.Share``) or a group in ``shared_group_ids``;
    - ``"groups"``: members of ``group_ids`` (externals only through ``shared_group_ids``);
    - ``"owner"``: only the person ``owner_id``.

    The owner always finds their own document. ``boost`` multiplies the relevance
    (1.0 neutral, 2.0 twice as relevant, 0.5 half).
    """

    plugin: str
    kind: str
    object_id: str
    title: str
    url: str
    text: str = ""
    date: dt.datetime | None = None
    language: str = "nl"
    visibility: str = "employees"
    owner_id: int | None = None
    group_ids: frozenset[int] | tuple[int, ...] = field(default_factory=frozenset)
    shared_group_ids: frozenset[int] | tuple[int, ...] = field(default_factory=frozenset)
    boost: float = 1.0


@dataclass(frozen=True)
class SearchSource:
    """Where ``organet search reindex`` gets every document of one kind: ``documents(session)``.

    ``label`` names the kind for people ("Colleagues", "Bulletin posts"); it is shown over the
    group of results and in the kind filter, translated with ``organet.i18n`` (mark it ``N_()``).
    """

    plugin: str
    kind: str
    label: str
    documents: Callable[[Session], Iterable[SearchDocument]]


def _clean(text: str, limit: int) -> str:
    # Control characters are what the highlighter uses as markers; they never belong in text anyway.
    return _CONTROL.sub(" ", text or "")[:limit]


def _check(doc: SearchDocument) -> None:
    if doc.visibility not in VISIBILITIES:
        raise ValueError(f"SearchDocument {doc.plugin}/{doc.kind}/{doc.object_id}: visibility is "
                         f"{doc.visibility!r}; use one of {', '.join(VISIBILITIES)}.")
    if doc.visibility == "owner" and doc.owner_id is None:
        raise ValueError(f"SearchDocument {doc.plugin}/{doc.kind}/{doc.object_id}: visibility 'owner' "
                         "needs an owner_id.")
    if doc.date is not None and doc.date.tzinfo is None:
        raise ValueError(f"SearchDocument {doc.plugin}/{doc.kind}/{doc.object_id}: date must be aware "
                         "(use organet.db.utcnow() or a datetime with tzinfo).")


def _values(doc: SearchDocument, on_sqlite: bool) -> dict[str, Any]:
    return {
        "plugin": doc.plugin, "kind": doc.kind, "object_id": str(doc.object_id),
        "title": _clean(doc.title, MAX_TITLE), "body": "" if on_sqlite else _clean(doc.text, MAX_BODY), "url": doc.url,
        "date": doc.date, "language": doc.language if doc.language in ("nl", "en") else "nl",
        "visibility": doc.visibility, "owner_id": doc.owner_id, "boost": float(doc.boost),
        "indexed_at": utcnow(),
    }


def _grant_rows(document_id: int, doc: SearchDocument) -> list[dict[str, Any]]:
    rows = [{"document_id": document_id, "group_id": g, "shared": False} for g in set(doc.group_ids)]
    rows += [{"document_id": document_id, "group_id": g, "shared": True} for g in set(doc.shared_group_ids)]
    return rows


def index(session: Session, doc: SearchDocument) -> None:
    """Add ``doc`` to the index, or replace the document with the same plugin, kind and object id.

    Call it in the transaction that saves the object; nothing is visible to others before that
    transaction commits.
    """
    _check(doc)
    on_sqlite = _is_sqlite(session)
    values = _values(doc, on_sqlite)
    table = IndexedDocument.__table__
    existing = session.scalar(sa.select(table.c.id).where(
        table.c.plugin == doc.plugin, table.c.kind == doc.kind, table.c.object_id == str(doc.object_id)))
    if existing is None:
        existing = session.execute(sa.insert(table).values(**values).returning(table.c.id)).scalar_one()
    else:
        session.execute(sa.update(table).where(table.c.id == existing).values(**values))
        session.execute(sa.delete(Grant.__table__).where(Grant.__table__.c.document_id == existing))
    grants = _grant_rows(existing, doc)
    if grants:
        session.execute(sa.insert(Grant.__table__), grants)
    if on_sqlite:
        _write_fts(session, [(existing, doc)])


def _is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def _write_fts(session: Session, written: list[tuple[int, SearchDocument]]) -> None:
    """On SQLite the text lives only in the FTS5 table, which keeps ``search_documents`` rows narrow.

    A trigger removes the FTS row when a document row is deleted; writes are explicit here.
    """
    ids = [{"row_id": row_id} for row_id, _doc in written]
    session.execute(sa.text("DELETE FROM search_fts WHERE rowid = :row_id"), ids)
    session.execute(sa.text("INSERT INTO search_fts(rowid, title, body) VALUES (:row_id, :title, :body)"),
                    [{"row_id": row_id, "title": _clean(doc.title, MAX_TITLE), "body": _clean(doc.text, MAX_BODY)}
                     for row_id, doc in written])


def remove(session: Session, plugin: str, kind: str, object_id: str | int) -> None:
    """Take a document out of the index (no error when it is not there). Call it in the deleting transaction."""
    table = IndexedDocument.__table__
    session.execute(sa.delete(table).where(table.c.plugin == plugin, table.c.kind == kind,
                                           table.c.object_id == str(object_id)))


def _by_key(docs: list[SearchDocument]) -> dict[tuple[str, str], list[str]]:
    keys: dict[tuple[str, str], list[str]] = {}
    for doc in docs:
        keys.setdefault((doc.plugin, doc.kind), []).append(str(doc.object_id))
    return keys


def index_many(session: Session, docs: Iterable[SearchDocument], batch_size: int = 500,
               progress: Callable[[int], Any] | None = None) -> set[int]:
    """Index many documents in batches (a few statements per batch, not per document); return their row ids.

    Used by ``organet search reindex`` and by benchmarks; plugins call :func:`index` for single changes.
    """
    table = IndexedDocument.__table__
    grants = Grant.__table__
    on_sqlite = _is_sqlite(session)
    known: dict[tuple[str, str], dict[str, int]] = {}
    ids: set[int] = set()
    batch: list[SearchDocument] = []

    def flush() -> None:
        new: list[SearchDocument] = []
        updates: list[tuple[int, SearchDocument]] = []
        unique = {(d.plugin, d.kind, str(d.object_id)): d for d in batch}
        for (plugin, kind), names in _by_key(list(unique.values())).items():
            known[(plugin, kind)] = dict(session.execute(sa.select(table.c.object_id, table.c.id).where(
                table.c.object_id.in_(names), table.c.kind == kind, table.c.plugin == plugin)).all())
        for doc in unique.values():
            found = known[(doc.plugin, doc.kind)].get(str(doc.object_id))
            if found is None:
                new.append(doc)
            else:
                updates.append((found, doc))
        if updates:
            session.execute(sa.update(table).where(table.c.id == sa.bindparam("row_id")),
                            [{"row_id": row_id, **_values(doc, on_sqlite)} for row_id, doc in updates])
            session.execute(sa.delete(grants).where(grants.c.document_id.in_([row_id for row_id, _ in updates])))
        written = list(updates)
        if new:
            session.execute(sa.insert(table), [_values(doc, on_sqlite) for doc in new])
            for (plugin, kind), names in _by_key(new).items():
                found_ids = dict(session.execute(sa.select(table.c.object_id, table.c.id).where(
                    table.c.plugin == plugin, table.c.kind == kind, table.c.object_id.in_(names))).all())
                known[(plugin, kind)].update(found_ids)
            written += [(known[(doc.plugin, doc.kind)][str(doc.object_id)], doc) for doc in new]
        rows = [row for row_id, doc in written for row in _grant_rows(row_id, doc)]
        if rows:
            session.execute(sa.insert(grants), rows)
        if on_sqlite and written:
            _write_fts(session, written)
        ids.update(row_id for row_id, _ in written)
        if progress:
            progress(len(batch))
        batch.clear()

    for doc in docs:
        _check(doc)
        batch.append(doc)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return ids
