"""board indexes end with the post id

The board orders by (created_at, id): with the id in the index, PostgreSQL reads a page of the
board in index order instead of sorting every group of posts created at the same moment
(page 50 sorted 1,000 rows). SQLite keeps the row id at the end of every index already; the
index is the same there so that both databases have one schema.

Revision ID: b7e2d94c1a08
Revises: a41b6edccf26
Created: 2026-11-25 20:55:00
"""

from __future__ import annotations

from alembic import op

revision = 'b7e2d94c1a08'
down_revision = 'a41b6edccf26'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_bulletin_posts_board', table_name='bulletin_posts')
    op.create_index('ix_bulletin_posts_board', 'bulletin_posts', ['expired', 'hidden', 'created_at', 'id'])
    op.drop_index('ix_bulletin_posts_category_board', table_name='bulletin_posts')
    op.create_index('ix_bulletin_posts_category_board', 'bulletin_posts',
                    ['category_id', 'expired', 'hidden', 'created_at', 'id'])


def downgrade() -> None:
    op.drop_index('ix_bulletin_posts_category_board', table_name='bulletin_posts')
    op.create_index('ix_bulletin_posts_category_board', 'bulletin_posts',
                    ['category_id', 'expired', 'hidden', 'created_at'])
    op.drop_index('ix_bulletin_posts_board', table_name='bulletin_posts')
    op.create_index('ix_bulletin_posts_board', 'bulletin_posts', ['expired', 'hidden', 'created_at'])
