"""calendar fields

Revision ID: b7c41e9d2a10
Revises: 8d2137d65aeb
Create Date: 2026-12-06

What each event's stored calendar entry shows (eventsvc/calendar/entry.py), so the
change tracker (eventsvc/services/changes.py) can tell, at any later flush, whether the
entry changed. Existing events get the values they show now, read with plain SQL in the
same shape the app writes.
"""
from datetime import UTC

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c41e9d2a10'
down_revision = '8d2137d65aeb'
branch_labels = None
depends_on = None

events = sa.table(
    'events',
    sa.column('id', sa.Integer), sa.column('slug', sa.String), sa.column('title', sa.String),
    sa.column('kind', sa.String), sa.column('timezone', sa.String),
    sa.column('all_day', sa.Boolean), sa.column('starts_at', sa.DateTime),
    sa.column('ends_at', sa.DateTime), sa.column('start_date', sa.Date),
    sa.column('end_date', sa.Date), sa.column('previous_starts_at', sa.DateTime),
    sa.column('venue', sa.String), sa.column('address', sa.String),
    sa.column('join_url', sa.String), sa.column('status', sa.String),
    sa.column('status_reason', sa.Text), sa.column('summary', sa.Text),
    sa.column('series_id', sa.Integer), sa.column('calendar_fields', sa.JSON),
)
series = sa.table('series', sa.column('id', sa.Integer), sa.column('name', sa.String))
tags = sa.table('tags', sa.column('id', sa.Integer), sa.column('name', sa.String))
event_tags = sa.table('event_tags', sa.column('event_id', sa.Integer), sa.column('tag_id', sa.Integer))
credits = sa.table(
    'credits', sa.column('event_id', sa.Integer), sa.column('position', sa.Integer),
    sa.column('id', sa.Integer), sa.column('role', sa.String),
    sa.column('organization_id', sa.Integer), sa.column('person_id', sa.Integer),
)
organizations = sa.table(
    'organizations', sa.column('id', sa.Integer), sa.column('name', sa.String),
    sa.column('url', sa.String),
)
people = sa.table(
    'people', sa.column('id', sa.Integer), sa.column('name', sa.String),
    sa.column('url', sa.String),
)
recordings = sa.table(
    'recordings', sa.column('event_id', sa.Integer), sa.column('url', sa.String),
    sa.column('title', sa.String), sa.column('published_at', sa.DateTime),
    sa.column('id', sa.Integer),
)


def _instant(value):
    return value.replace(tzinfo=UTC).isoformat() if value is not None else None


def _day(value):
    return value.isoformat() if value is not None else None


def _grouped(connection, statement):
    found = {}
    for row in connection.execute(statement):
        found.setdefault(row[0], []).append(list(row[1:]))
    return found


def _shown(connection):
    names = dict(connection.execute(sa.select(series.c.id, series.c.name)).all())
    tagged = _grouped(connection, sa.select(event_tags.c.event_id, tags.c.name).join(
        tags, tags.c.id == event_tags.c.tag_id))
    credited = _grouped(connection, sa.select(
        credits.c.event_id, credits.c.role,
        sa.case((credits.c.organization_id.is_not(None), 'organization'), else_='person'),
        sa.func.coalesce(organizations.c.name, people.c.name),
        sa.func.coalesce(organizations.c.url, people.c.url),
    ).outerjoin(organizations, organizations.c.id == credits.c.organization_id)
     .outerjoin(people, people.c.id == credits.c.person_id)
     .order_by(credits.c.event_id, credits.c.position, credits.c.id))
    posted = _grouped(connection, sa.select(
        recordings.c.event_id, recordings.c.url, sa.func.coalesce(recordings.c.title, '')
    ).order_by(recordings.c.event_id, recordings.c.published_at, recordings.c.id))
    for row in connection.execute(sa.select(events)):
        yield row.id, {
            'slug': row.slug, 'title': row.title, 'kind': row.kind, 'timezone': row.timezone,
            'all_day': bool(row.all_day), 'starts_at': _instant(row.starts_at),
            'ends_at': _instant(row.ends_at), 'start_date': _day(row.start_date),
            'end_date': _day(row.end_date),
            'previous_starts_at': _instant(row.previous_starts_at),
            'venue': row.venue or '', 'address': row.address or '', 'join_url': row.join_url,
            'status': row.status or 'scheduled', 'status_reason': row.status_reason or '',
            'summary': row.summary or '', 'series': names.get(row.series_id),
            'credits': credited.get(row.id, []),
            'tags': sorted(name for (name,) in tagged.get(row.id, [])),
            'recordings': posted.get(row.id, []),
        }


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar_fields', sa.JSON(), nullable=True))
    connection = op.get_bind()
    for event_id, shown in list(_shown(connection)):
        connection.execute(
            events.update().where(events.c.id == event_id).values(calendar_fields=shown)
        )


def downgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('calendar_fields')
