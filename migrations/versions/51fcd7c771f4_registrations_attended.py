"""registrations attended

Revision ID: 51fcd7c771f4
Revises: e4a19c7d2b58
Create Date: 2026-12-06

Whether each registrant attended (DESIGN §3): unknown (NULL) until staff check people in
or import a webinar platform's attendance report, then yes or no.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '51fcd7c771f4'
down_revision = 'e4a19c7d2b58'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attended', sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('attended')
