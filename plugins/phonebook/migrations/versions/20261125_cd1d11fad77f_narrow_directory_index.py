"""narrow directory index: terms stored as a tsvector, rows in surname order, one search function (PostgreSQL)

A directory search spends its time reading the rows of ``phonebook_entries`` that the GIN index
points at, for their ids: with 50,000 people, the most frequent first name ("Fleur", 2,565
people) read 2,124 of the table's 5,598 pages, a surname fragment ("berg", 2,503) 2,079. Three
changes (see also the module docstring of organet_plugins/phonebook/directory.py):

- ``terms`` itself becomes the ``tsvector`` (its text, lower-case words separated by spaces, is
  already a tsvector literal), without word positions, which no search uses; the generated
  ``terms_vector`` column, a second copy of the same words, goes. Rows shrink from 889 to 436
  bytes on average, the table from 5,598 to 2,808 pages. (Moving the words out of the row
  into TOAST is not possible: PostgreSQL only considers rows over 2 kB for it.)
- The rows are rewritten in id order, which is surname order (CLUSTER): the people a search
  finds are then mostly stored together (the Fleurs of one surname, all Van den Bergs), and
  the same searches read 475 and 148 pages. ``directory.rebuild`` writes the rows in this
  order too, so the nightly rebuild keeps it.
- ``phonebook_matches`` does the whole search in one call, in PL/pgSQL, whose plans are kept
  between calls: it gathers the matches from the GIN index, or, when there are GATHER or more,
  calls ``phonebook_matches_in_order`` to walk the people in surname order. Before, Python made
  that choice with a second (or third) statement, and each call planned the query again.

SQLite is not changed: its FTS5 index has no table rows to read, and its ``phonebook_entries``
is already stored in id order.

Revision ID: cd1d11fad77f
Revises: a3c9e1f07b15
Created: 2026-11-25 18:30:00
"""

from __future__ import annotations

from alembic import op

revision = 'cd1d11fad77f'
down_revision = 'a3c9e1f07b15'
branch_labels = None
depends_on = None

# Gathering reads the rows the GIN index points at (only their ids) and sorts the ids; a query
# that matches up_to or more people is instead walked in surname order, where a page fills
# quickly. Each function switches off the scans that do not fit: the planner cannot estimate a
# prefix query, and reading the table or its primary key from the start costs 5-50 ms when the
# matches are near the end of the alphabet ("vis" for Visser). Each says which scan it wants,
# since the walk is called from inside the gathering function and would inherit its settings.
MATCHES = """
CREATE FUNCTION phonebook_matches(query tsquery, page_size bigint, skip bigint, up_to bigint)
RETURNS SETOF bigint LANGUAGE plpgsql STABLE
SET enable_seqscan = off SET enable_indexscan = off SET enable_bitmapscan = on
AS $$
DECLARE
    gathered bigint[] := ARRAY(SELECT e.id FROM phonebook_entries AS e WHERE e.terms @@ query LIMIT up_to);
BEGIN
    IF cardinality(gathered) < up_to THEN
        RETURN QUERY SELECT id FROM unnest(gathered) AS id ORDER BY id LIMIT page_size OFFSET skip;
    ELSE
        RETURN QUERY SELECT phonebook_matches_in_order(query, page_size, skip);
    END IF;
END
$$
"""
MATCHES_IN_ORDER = """
CREATE FUNCTION phonebook_matches_in_order(query tsquery, page_size bigint, skip bigint)
RETURNS SETOF bigint LANGUAGE sql STABLE
SET enable_seqscan = off SET enable_bitmapscan = off SET enable_indexscan = on
AS $$
SELECT e.id FROM phonebook_entries AS e WHERE e.terms @@ query ORDER BY e.id LIMIT page_size OFFSET skip
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION phonebook_matches(tsquery, bigint, bigint, bigint)")
    op.execute("DROP FUNCTION phonebook_matches_in_order(tsquery, bigint, bigint)")
    op.execute("ALTER TABLE phonebook_entries DROP COLUMN terms_vector")  # and its index
    op.execute("ALTER TABLE phonebook_entries ALTER COLUMN terms TYPE tsvector "
               "USING strip(to_tsvector('simple', terms))")
    op.execute("CLUSTER phonebook_entries USING pk_phonebook_entries")
    op.execute("CREATE INDEX ix_phonebook_entries_terms ON phonebook_entries USING gin (terms)")
    op.execute(MATCHES_IN_ORDER)
    op.execute(MATCHES)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP FUNCTION phonebook_matches(tsquery, bigint, bigint, bigint)")
    op.execute("DROP FUNCTION phonebook_matches_in_order(tsquery, bigint, bigint)")
    op.execute("DROP INDEX ix_phonebook_entries_terms")
    # The same words, in the tsvector's order instead of the order they were written in.
    op.execute("ALTER TABLE phonebook_entries ALTER COLUMN terms TYPE text "
               "USING array_to_string(tsvector_to_array(terms), ' ')")
    op.execute("ALTER TABLE phonebook_entries ADD COLUMN terms_vector tsvector "
               "GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED")
    op.execute("CREATE INDEX ix_phonebook_entries_terms_vector ON phonebook_entries USING gin (terms_vector)")
    # The functions of revision a3c9e1f07b15, as they were.
    op.execute(
        "CREATE FUNCTION phonebook_matches(query tsquery, up_to bigint, page_size bigint, "
        "skip bigint) RETURNS TABLE (id bigint, gathered bigint) "
        "LANGUAGE sql STABLE SET enable_seqscan = off SET enable_indexscan = off AS $$ "
        "SELECT found.id, count(*) OVER () FROM (SELECT e.id FROM phonebook_entries AS e "
        "WHERE e.terms_vector @@ query LIMIT up_to) AS found ORDER BY found.id LIMIT page_size OFFSET skip $$")
    op.execute(
        "CREATE FUNCTION phonebook_matches_in_order(query tsquery, page_size bigint, skip bigint) "
        "RETURNS SETOF bigint LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off AS $$ "
        "SELECT e.id FROM phonebook_entries AS e WHERE e.terms_vector @@ query ORDER BY e.id "
        "LIMIT page_size OFFSET skip $$")
