"""phonebook_count_matches: count directory matches from the GIN index (PostgreSQL)

A directory search first looks how many people a query matches (up to a few hundred), to choose
between reading the GIN index and walking the people in surname order. Asked as a plain query,
the planner cannot estimate a prefix query and reads the table from the start instead (5-15 ms);
inside this function the table scan is switched off, so the count comes from the index and stops
at the limit (about 1 ms).

Revision ID: a3c9e1f07b15
Revises: 7d1f0c3a9b42
Created: 2026-11-25 16:05:00
"""

from __future__ import annotations

from alembic import op

revision = 'a3c9e1f07b15'
down_revision = '7d1f0c3a9b42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        "CREATE OR REPLACE FUNCTION phonebook_count_matches(query tsquery, up_to integer) RETURNS integer "
        "LANGUAGE sql STABLE SET enable_seqscan = off AS $$ "
        "SELECT count(*)::integer FROM (SELECT 1 FROM phonebook_entries WHERE terms_vector @@ query "
        "LIMIT up_to) AS found $$")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS phonebook_count_matches(tsquery, integer)")
