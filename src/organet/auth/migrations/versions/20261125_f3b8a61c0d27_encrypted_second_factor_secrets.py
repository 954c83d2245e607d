"""room for encrypted second-factor secrets

TOTP secrets are stored encrypted from now on (organet.auth.secondfactor): a Fernet token of
about 140 characters instead of 32 base32 characters. Secrets stored before are encrypted the
next time they are used (the migration does not know the site's secret key).

Revision ID: f3b8a61c0d27
Revises: 263c51c11139
Created: 2026-11-25 22:05:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = 'f3b8a61c0d27'
down_revision = '263c51c11139'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auth_second_factors', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=False)


def downgrade() -> None:
    # Encrypted secrets do not fit the old column, and the old code cannot read them: going back switches
    # those people's second step off (docs/upgrading.md), recovery codes included; they set it up again.
    op.execute("DELETE FROM auth_recovery_codes WHERE user_id IN "
               "(SELECT user_id FROM auth_second_factors WHERE length(secret) > 64)")
    op.execute("DELETE FROM auth_second_factors WHERE length(secret) > 64")
    with op.batch_alter_table('auth_second_factors', schema=None) as batch_op:
        batch_op.alter_column('secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=False)
