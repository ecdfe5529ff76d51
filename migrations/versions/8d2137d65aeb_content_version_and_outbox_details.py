"""content version and outbox details

Revision ID: 8d2137d65aeb
Revises: 5036050274bb
Create Date: 2026-11-28

The content version that kept pages are checked against (eventsvc/models/site.py), and
outbox messages that the worker writes when it first sends them: what they say beyond
their registration goes in `details`; subject and text stay empty until written.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8d2137d65aeb'
down_revision = '5036050274bb'
branch_labels = None
depends_on = None


def upgrade():
    content_version = op.create_table('content_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_version')),
    )
    op.bulk_insert(content_version, [{'id': 1, 'version': 0}])
    # Messages queued before this revision are written already: their details are empty.
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.JSON(), nullable=False, server_default='{}'))
        batch_op.alter_column('subject',
               existing_type=sa.VARCHAR(length=500),
               nullable=True)
        batch_op.alter_column('body_text',
               existing_type=sa.TEXT(),
               nullable=True)
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('details', existing_type=sa.JSON(), server_default=None)


def downgrade():
    # Messages not yet written have no text to keep: a downgrade drops them.
    op.execute("DELETE FROM outbox_messages WHERE body_text IS NULL")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.alter_column('body_text',
               existing_type=sa.TEXT(),
               nullable=False)
        batch_op.alter_column('subject',
               existing_type=sa.VARCHAR(length=500),
               nullable=False)
        batch_op.drop_column('details')

    op.drop_table('content_version')
