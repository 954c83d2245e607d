"""phonebook_matches: the ids a directory query matches, chosen by plan (PostgreSQL)

A directory search gathers the matches of a query from the GIN index, up to a few thousand, and
sorts them by surname; only a query that matches more than that walks the people in surname
order instead (where a page fills quickly): ``phonebook_matches_in_order``. Asked as plain
queries, the planner cannot estimate a prefix query and may read the table or the primary key
from the start instead: 5-50 ms when the matches are near the end of the alphabet ("vis" for
Visser). Inside these functions the scans that do not fit are switched off.

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
    # The matches (at most up_to) from the index, then one page of them in surname order, each row
    # with how many were gathered: fewer than up_to means the page is exact.
    op.execute(
        "CREATE OR REPLACE FUNCTION phonebook_matches(query tsquery, up_to bigint, page_size bigint, "
        "skip bigint) RETURNS TABLE (id bigint, gathered bigint) "
        "LANGUAGE sql STABLE SET enable_seqscan = off SET enable_indexscan = off AS $$ "
        "SELECT found.id, count(*) OVER () FROM (SELECT e.id FROM phonebook_entries AS e "
        "WHERE e.terms_vector @@ query LIMIT up_to) AS found ORDER BY found.id LIMIT page_size OFFSET skip $$")
    # A query matching very many people: walk them in surname order until the page is full.
    op.execute(
        "CREATE OR REPLACE FUNCTION phonebook_matches_in_order(query tsquery, page_size bigint, skip bigint) "
        "RETURNS SETOF bigint LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off AS $$ "
        "SELECT e.id FROM phonebook_entries AS e WHERE e.terms_vector @@ query ORDER BY e.id "
        "LIMIT page_size OFFSET skip $$")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION IF EXISTS phonebook_matches_in_order(tsquery, bigint, bigint)")
    op.execute("DROP FUNCTION IF EXISTS phonebook_matches(tsquery, bigint, bigint, bigint)")
