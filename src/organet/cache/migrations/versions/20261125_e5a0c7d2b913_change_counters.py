"""change counters

Revision ID: e5a0c7d2b913
Revises: 6fbed978f3e5
Created: 2026-11-25 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'e5a0c7d2b913'
down_revision = '6fbed978f3e5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('cache_change_counters',
                    sa.Column('name', sa.String(length=120), nullable=False),
                    sa.Column('counter', sa.BigInteger(), nullable=False),
                    sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_change_counters')))


def downgrade() -> None:
    op.drop_table('cache_change_counters')
