"""create phonebook tables

Revision ID: 7d1f0c3a9b42
Revises: 
Created: 2026-11-25 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import organet.db

revision = '7d1f0c3a9b42'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('phonebook_profiles',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('job_title', sa.String(length=200), nullable=False),
    sa.Column('work_phone', sa.String(length=40), nullable=False),
    sa.Column('mobile', sa.String(length=40), nullable=False),
    sa.Column('extension', sa.String(length=20), nullable=False),
    sa.Column('room', sa.String(length=100), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('photo', sa.String(length=200), nullable=True),
    sa.Column('pattern', sa.JSON(), nullable=False),
    sa.Column('imported_fields', sa.JSON(), nullable=False),
    sa.Column('updated_at', organet.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_phonebook_profiles_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_phonebook_profiles'))
    )
    op.create_table('phonebook_field_rules',
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('field', name=op.f('pk_phonebook_field_rules'))
    )
    op.create_table('phonebook_expertise',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=80), nullable=False),
    sa.Column('label', sa.String(length=80), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_phonebook_expertise_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('person_id', 'tag', name=op.f('pk_phonebook_expertise'))
    )
    op.create_index('ix_phonebook_expertise_tag', 'phonebook_expertise', ['tag'], unique=False)
    op.create_table('phonebook_absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', organet.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_phonebook_absences_created_by_id_people'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_phonebook_absences_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phonebook_absences'))
    )
    op.create_index('ix_phonebook_absences_person_ends', 'phonebook_absences', ['person_id', 'ends_on'], unique=False)
    op.create_index('ix_phonebook_absences_ends_starts', 'phonebook_absences', ['ends_on', 'starts_on'], unique=False)
    op.create_table('phonebook_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=False, nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_phonebook_entries_person_id_people'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phonebook_entries')),
    sa.UniqueConstraint('person_id', name=op.f('uq_phonebook_entries_person_id'))
    )
    # The directory's full-text index (see organet_plugins/phonebook/directory.py), written by hand:
    # FTS5 with an external content table and triggers on SQLite, a GIN index on a generated
    # tsvector column on PostgreSQL. Both hand out matches in id (= surname) order.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE phonebook_entries_fts USING fts5(terms, content='phonebook_entries', "
                   "content_rowid='id', tokenize='unicode61', prefix='2 3 4 5')")
        op.execute("CREATE TRIGGER phonebook_entries_ai AFTER INSERT ON phonebook_entries BEGIN "
                   "INSERT INTO phonebook_entries_fts(rowid, terms) VALUES (new.id, new.terms); END")
        op.execute("CREATE TRIGGER phonebook_entries_ad AFTER DELETE ON phonebook_entries BEGIN "
                   "INSERT INTO phonebook_entries_fts(phonebook_entries_fts, rowid, terms) "
                   "VALUES ('delete', old.id, old.terms); END")
        op.execute("CREATE TRIGGER phonebook_entries_au AFTER UPDATE ON phonebook_entries BEGIN "
                   "INSERT INTO phonebook_entries_fts(phonebook_entries_fts, rowid, terms) "
                   "VALUES ('delete', old.id, old.terms); "
                   "INSERT INTO phonebook_entries_fts(rowid, terms) VALUES (new.id, new.terms); END")
    else:
        op.execute("ALTER TABLE phonebook_entries ADD COLUMN terms_vector tsvector "
                   "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED")
        op.execute("CREATE INDEX ix_phonebook_entries_terms_vector ON phonebook_entries USING gin (terms_vector)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS phonebook_entries_{trigger}")
        op.execute("DROP TABLE IF EXISTS phonebook_entries_fts")
    op.drop_table('phonebook_entries')
    op.drop_table('phonebook_absences')
    op.drop_table('phonebook_expertise')
    op.drop_table('phonebook_profiles')
    op.drop_table('phonebook_field_rules')
