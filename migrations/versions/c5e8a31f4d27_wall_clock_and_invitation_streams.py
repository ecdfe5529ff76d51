"""wall clock and invitation streams

Revision ID: c5e8a31f4d27
Revises: b7c41e9d2a10
Create Date: 2026-12-06

Each event keeps its wall-clock start and end and the tz data version its instants came
from (DESIGN §3, §4). Existing instants were made with the host's zone files (the app read
/usr/share/zoneinfo then), so their wall clock is read back with those same rules, from
$TZDIR or /usr/share/zoneinfo when present (the only time anything reads them), and that
release's version recorded; `eventsvc timezones refresh` then re-derives the instants with
the tzdata package. Without host files, the package's own rules are used.

Each address's invitation stream per event (DESIGN §5) starts from what it may have
received: a SEQUENCE up to the event's plus one (a CANCEL used that), the entry in its
calendar while confirmed, and the entry as it shows now.

Deleted events that were once published leave their address, which answers 410.
"""
import os
from datetime import UTC
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa
import tzdata

import eventsvc.models.common


# revision identifiers, used by Alembic.
revision = 'c5e8a31f4d27'
down_revision = 'b7c41e9d2a10'
branch_labels = None
depends_on = None

events = sa.table(
    'events',
    sa.column('id', sa.Integer), sa.column('timezone', sa.String),
    sa.column('starts_at', sa.DateTime), sa.column('ends_at', sa.DateTime),
    sa.column('local_start', sa.DateTime), sa.column('local_end', sa.DateTime),
    sa.column('tz_version', sa.String), sa.column('sequence', sa.Integer),
    sa.column('calendar_fields', sa.JSON),
)
registrations = sa.table(
    'registrations',
    sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
    sa.column('email_key', sa.String), sa.column('state', sa.String),
    sa.column('anonymised_at', sa.DateTime),
)
outbox = sa.table(
    'outbox_messages',
    sa.column('registration_id', sa.Integer), sa.column('calendar_method', sa.String),
)


def _host_folder() -> Path:
    return Path(os.environ.get('TZDIR') or '/usr/share/zoneinfo')


def _host_version(folder: Path) -> str | None:
    """The release of the host's zone files, as tzdata.zi (or +VERSION) names it."""
    zi, plain = folder / 'tzdata.zi', folder / '+VERSION'
    if zi.is_file():
        first = zi.read_text(errors='replace').split('\n', 1)[0]
        if first.startswith('# version '):
            return first.removeprefix('# version ').strip()
    if plain.is_file():
        return plain.read_text(errors='replace').strip() or None
    return None


class _Rules:
    """The rules the existing instants were made with: the host's, else the package's."""

    def __init__(self):
        self.folder = _host_folder()
        self.version = _host_version(self.folder)
        self.zones = {}

    def zone(self, name: str) -> tuple[ZoneInfo, str]:
        if name not in self.zones:
            self.zones[name] = self._load(name)
        return self.zones[name]

    def _load(self, name: str) -> tuple[ZoneInfo, str]:
        host_file = self.folder / name
        if self.version and '..' not in name and host_file.is_file():
            with host_file.open('rb') as handle:
                return ZoneInfo.from_file(handle, key=name), self.version
        *package, file = ['tzdata', 'zoneinfo', *name.split('/')]
        with resources.files('.'.join(package)).joinpath(file).open('rb') as handle:
            return ZoneInfo.from_file(handle, key=name), tzdata.IANA_VERSION


def _wall_clock(connection) -> None:
    """Each event's wall clock as the rules that made its instants read them.

    The entry's shown values (calendar_fields) gain the wall clock too, in the shape
    eventsvc/calendar/entry.py gives them.
    """
    rules = _Rules()
    for row in connection.execute(sa.select(events)).all():
        zone, version = rules.zone(row.timezone)
        local_start, local_end = (
            instant.replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
            for instant in (row.starts_at, row.ends_at)
        )
        shown = row.calendar_fields
        if shown is not None:
            shown = shown | {
                'local_start': local_start.isoformat(), 'local_end': local_end.isoformat()
            }
        connection.execute(
            events.update().where(events.c.id == row.id).values(
                local_start=local_start, local_end=local_end, tz_version=version,
                calendar_fields=shown,
            )
        )


def _streams(connection, table) -> None:
    """One stream per address and event that registrations name, as it may stand."""
    with_invitation = sa.select(outbox.c.registration_id).where(
        outbox.c.calendar_method.is_not(None)
    )
    people = connection.execute(
        sa.select(
            registrations.c.event_id,
            registrations.c.email_key,
            sa.func.max(sa.case((registrations.c.state == 'confirmed', 1), else_=0)),
            sa.func.max(sa.case((registrations.c.id.in_(with_invitation), 1), else_=0)),
        )
        .where(registrations.c.anonymised_at.is_(None))
        .group_by(registrations.c.event_id, registrations.c.email_key)
    ).all()
    shown = {
        row.id: row
        for row in connection.execute(
            sa.select(events.c.id, events.c.sequence, events.c.calendar_fields)
        )
    }
    rows = [
        {
            'event_id': event_id,
            'email_key': key,
            'holds_entry': bool(confirmed),
            'last_sequence': shown[event_id].sequence + 1 if invited else None,
            'told': shown[event_id].calendar_fields,
        }
        for event_id, key, confirmed, invited in people
    ]
    if rows:
        op.bulk_insert(table, rows)


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('local_start', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('local_end', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('tz_version', sa.String(length=16), nullable=True))
    connection = op.get_bind()
    _wall_clock(connection)
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.alter_column('local_start', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('local_end', existing_type=sa.DateTime(), nullable=False)
        batch_op.alter_column('tz_version', existing_type=sa.String(length=16), nullable=False)

    streams = op.create_table('invitation_streams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('email_key', sa.String(length=320), nullable=False),
    sa.Column('last_sequence', sa.Integer(), nullable=True),
    sa.Column('holds_entry', sa.Boolean(), nullable=False),
    sa.Column('told', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_invitation_streams_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitation_streams')),
    sa.UniqueConstraint('event_id', 'email_key', name=op.f('uq_invitation_streams_event_id'))
    )
    op.create_table('retired_event_slugs',
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('retired_at', eventsvc.models.common.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_retired_event_slugs'))
    )
    _streams(connection, streams)


def downgrade():
    op.drop_table('retired_event_slugs')
    op.drop_table('invitation_streams')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('tz_version')
        batch_op.drop_column('local_end')
        batch_op.drop_column('local_start')
