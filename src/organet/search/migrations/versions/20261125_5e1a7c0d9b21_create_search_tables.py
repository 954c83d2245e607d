"""create search tables

Revision ID: 5e1a7c0d9b21
Revises:
Created: 2026-11-25 13:30:00.000000

The full-text part differs per database (see docs/search.md):

- SQLite: an FTS5 table ``search_fts`` (title and body, prefix indexes for 2 and 3 characters)
  whose rowid is the document's id; organet.search writes it, a trigger deletes from it.
- PostgreSQL: generated ``tsvector`` columns (``tsv``: title weight A, body B, Dutch or English
  stemming per document; ``title_tsv``: simple, for search-as-you-type) with GIN indexes, and a
  trigram index on titles when the ``pg_trgm`` extension can be created. When the database role
  may not create extensions, the migration goes on without it (typo tolerance is then off);
  a database owner can run ``CREATE EXTENSION pg_trgm;`` and the index statement below later.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

import organet.db

revision = '5e1a7c0d9b21'
down_revision = None
branch_labels = None
depends_on = None

log = logging.getLogger("organet.search")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, body, prefix='2 3', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "DELETE FROM search_fts WHERE rowid = old.id; END",
]

PG_CONFIG = "(CASE language WHEN 'en' THEN 'english'::regconfig ELSE 'dutch'::regconfig END)"
POSTGRESQL_FTS = [
    "ALTER TABLE search_documents ADD COLUMN tsv tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(title, '')), 'A') || "
    f"setweight(to_tsvector({PG_CONFIG}, coalesce(body, '')), 'B')) STORED",
    "ALTER TABLE search_documents ADD COLUMN title_tsv tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, coalesce(title, ''))) STORED",
    "CREATE INDEX ix_search_documents_tsv ON search_documents USING gin (tsv)",
    "CREATE INDEX ix_search_documents_title_tsv ON search_documents USING gin (title_tsv)",
]
TRIGRAM_INDEX = "CREATE INDEX ix_search_documents_title_trgm ON search_documents USING gin (title gin_trgm_ops)"


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plugin', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('object_id', sa.String(length=80), nullable=False),
    sa.Column('visibility', sa.String(length=12), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('boost', sa.Float(), nullable=False),
    sa.Column('date', organet.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('indexed_at', organet.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], name=op.f('fk_search_documents_owner_id_people'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents')),
    sa.UniqueConstraint('object_id', 'kind', 'plugin', name=op.f('uq_search_documents_object_id_kind_plugin'))
    )
    op.create_index('ix_search_documents_kind', 'search_documents', ['kind'], unique=False)
    op.create_index(op.f('ix_search_documents_owner_id'), 'search_documents', ['owner_id'], unique=False)
    op.create_table('search_grants',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('shared', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['search_documents.id'],
                            name=op.f('fk_search_grants_document_id_search_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['people_groups.id'], name=op.f('fk_search_grants_group_id_people_groups'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'group_id', 'shared', name=op.f('pk_search_grants'))
    )
    op.create_index(op.f('ix_search_grants_group_id'), 'search_grants', ['group_id'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == "postgresql":
        for statement in POSTGRESQL_FTS:
            op.execute(statement)
        _trigrams(bind)


def _trigrams(bind: sa.Connection) -> None:
    """Create pg_trgm and the title trigram index when this role may; otherwise go on without typo tolerance."""
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        log.warning("search: pg_trgm could not be created (%s); typo tolerance is off. A database owner can "
                    "run CREATE EXTENSION pg_trgm; and then: %s", error.orig, TRIGRAM_INDEX)
        return
    op.execute(TRIGRAM_INDEX)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_index(op.f('ix_search_grants_group_id'), table_name='search_grants')
    op.drop_table('search_grants')
    op.drop_index(op.f('ix_search_documents_owner_id'), table_name='search_documents')
    op.drop_index('ix_search_documents_kind', table_name='search_documents')
    op.drop_table('search_documents')
