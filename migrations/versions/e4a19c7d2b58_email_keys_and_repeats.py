"""email keys and repeated submissions

Revision ID: e4a19c7d2b58
Revises: 3f9c2b7d41e6
Create Date: 2026-12-06

Email keys were Unicode case-folded, which merged different mailboxes
(`alice@straße.org` and `alice@strasse.org`). Every key is recomputed as DESIGN §3 says
(the function is copied here, so this migration keeps meaning what it meant):

- registrations get their new key. Two active registrations of one event that now share
  a key were one mailbox written two ways (an IDNA domain in Unicode and in ASCII): the
  one that holds the most is kept, the others are cancelled, and the event's seat and
  waitlist counters are counted again.
- attendees (one per mailbox, holding the personal-feed token) that the old key merged are
  split: each mailbox gets an attendee with a new token, and the merged token is retired,
  so its URL answers 410 Gone. Attendees that were one mailbox written two ways are joined.
- invitation streams (what each address was told of an event, its last SEQUENCE) follow
  their mailboxes: a stream the old key shared goes to each mailbox it stood for, so every
  one's next SEQUENCE still rises above what it received; two that are now one mailbox's
  are joined, keeping the higher SEQUENCE.
- staff accounts get their new key.

New columns count a registration's repeated submissions and when its details were last
sent again (at most once an hour). Downgrading drops those columns and keeps the keys.
"""
import secrets
import string
import unicodedata
from collections import defaultdict
from datetime import UTC, datetime

from alembic import op
from email_validator import EmailNotValidError, validate_email
import sqlalchemy as sa

import eventsvc.models.common


# revision identifiers, used by Alembic.
revision = 'e4a19c7d2b58'
down_revision = '3f9c2b7d41e6'
branch_labels = None
depends_on = None

ACTIVE = ('pending', 'unverified', 'confirmed', 'waitlisted')
HOLDING = {'confirmed': 0, 'pending': 1, 'waitlisted': 2, 'unverified': 3}
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)

registrations = sa.table(
    'registrations',
    sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
    sa.column('attendee_id', sa.Integer), sa.column('email', sa.String),
    sa.column('email_key', sa.String), sa.column('state', sa.String),
    sa.column('waitlist_position', sa.Integer), sa.column('anonymised_at', sa.DateTime),
    sa.column('cancelled_at', sa.DateTime),
)
attendees = sa.table(
    'attendees',
    sa.column('id', sa.Integer), sa.column('email', sa.String),
    sa.column('feed_token', sa.String), sa.column('reminders_opt_out', sa.Boolean),
    sa.column('created_at', sa.DateTime), sa.column('updated_at', sa.DateTime),
)
retired = sa.table(
    'retired_feed_tokens', sa.column('token', sa.String), sa.column('retired_at', sa.DateTime)
)
events = sa.table(
    'events',
    sa.column('id', sa.Integer), sa.column('seats_taken', sa.Integer),
    sa.column('waitlist_length', sa.Integer),
)
staff_users = sa.table('staff_users', sa.column('id', sa.Integer), sa.column('email', sa.String))
streams = sa.table(
    'invitation_streams',
    sa.column('id', sa.Integer), sa.column('event_id', sa.Integer),
    sa.column('email_key', sa.String), sa.column('last_sequence', sa.Integer),
    sa.column('holds_entry', sa.Boolean), sa.column('told', sa.JSON),
)


def normalise_email(email):
    """The email key of DESIGN §3, as eventsvc.text.normalise_email made it at this revision."""
    text = unicodedata.normalize('NFC', email.strip())
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return text.translate(_ASCII_LOWER)
    return f'{checked.local_part}@{checked.ascii_domain}'.translate(_ASCII_LOWER)


def _now():
    return datetime.now(UTC).replace(tzinfo=None)


def upgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('repeat_submissions', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('details_resent_at', eventsvc.models.common.UTCDateTime(), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(registrations).where(registrations.c.anonymised_at.is_(None)).order_by(registrations.c.id)
    ).all()
    keys = {row.id: normalise_email(row.email) for row in rows}
    _cancel_duplicates(connection, rows, keys)
    _split_attendees(connection, rows, keys)
    _rekey_streams(connection, rows, keys)
    _write_keys(connection, registrations, {r.id: (r.email_key, keys[r.id]) for r in rows}, 'email_key')
    staff = connection.execute(sa.select(staff_users)).all()
    new_staff_keys, taken = {}, set()
    for row in staff:
        key = normalise_email(row.email)
        new_staff_keys[row.id] = (row.email, row.email if key in taken else key)
        taken.add(new_staff_keys[row.id][1])
    _write_keys(connection, staff_users, new_staff_keys, 'email')


def _write_keys(connection, table, changes, column):
    """Set each row's new value, through a value no row has, so no unique index trips."""
    changed = {row_id: new for row_id, (old, new) in changes.items() if old != new}
    for row_id in changed:
        connection.execute(sa.update(table).where(table.c.id == row_id).values({column: f'#migrating-{row_id}'}))
    for row_id, new in changed.items():
        connection.execute(sa.update(table).where(table.c.id == row_id).values({column: new}))


def _cancel_duplicates(connection, rows, keys):
    """Keep one active registration per event and key: the one that holds the most."""
    groups = defaultdict(list)
    for row in rows:
        if row.state in ACTIVE:
            groups[(row.event_id, keys[row.id])].append(row)
    touched = set()
    for (event_id, _key), group in groups.items():
        group.sort(key=lambda row: (HOLDING[row.state], row.id))
        for duplicate in group[1:]:
            connection.execute(
                sa.update(registrations).where(registrations.c.id == duplicate.id)
                .values(state='cancelled', waitlist_position=None, cancelled_at=_now())
            )
            touched.add(event_id)
    for event_id in touched:
        _recount(connection, event_id)


def _recount(connection, event_id):
    """Count an event's seats and waitlist again, the waitlist numbered 1..N in its order."""
    of_event = registrations.c.event_id == event_id
    seats = connection.scalar(
        sa.select(sa.func.count()).select_from(registrations)
        .where(of_event, registrations.c.state.in_(('pending', 'confirmed')))
    )
    waiting = connection.execute(
        sa.select(registrations.c.id).where(of_event, registrations.c.state == 'waitlisted')
        .order_by(registrations.c.waitlist_position, registrations.c.id)
    ).scalars().all()
    for position, registration_id in enumerate(waiting, start=1):
        connection.execute(
            sa.update(registrations).where(registrations.c.id == registration_id)
            .values(waitlist_position=position)
        )
    connection.execute(
        sa.update(events).where(events.c.id == event_id)
        .values(seats_taken=seats, waitlist_length=len(waiting))
    )


def _split_attendees(connection, rows, keys):
    """One attendee per new key: merged ones split (their token retired), doubles joined."""
    by_attendee = defaultdict(list)
    for row in rows:
        if row.attendee_id is not None:
            by_attendee[row.attendee_id].append(row)
    owner = {}  # new key -> attendee id
    changes = {}  # attendee id -> (old email, new email)
    moves = {}  # registration id -> attendee id
    for attendee in connection.execute(sa.select(attendees).order_by(attendees.c.id)).all():
        mailboxes = sorted({keys[row.id] for row in by_attendee[attendee.id]}) or [
            normalise_email(attendee.email)
        ]
        if len(mailboxes) > 1 or mailboxes[0] in owner:
            _retire(connection, attendee.feed_token)
        kept = False
        for key in mailboxes:
            if key not in owner and not kept:
                owner[key], kept = attendee.id, True
                changes[attendee.id] = (attendee.email, key)
                if len(mailboxes) > 1:
                    connection.execute(
                        sa.update(attendees).where(attendees.c.id == attendee.id)
                        .values(feed_token=secrets.token_urlsafe(32))
                    )
            elif key not in owner:
                owner[key] = _new_attendee(connection, attendee)
                changes[owner[key]] = (None, key)
            moves.update({row.id: owner[key] for row in by_attendee[attendee.id] if keys[row.id] == key})
        if not kept:
            connection.execute(sa.delete(attendees).where(attendees.c.id == attendee.id))
    for registration_id, attendee_id in moves.items():
        connection.execute(
            sa.update(registrations).where(registrations.c.id == registration_id)
            .values(attendee_id=attendee_id)
        )
    _write_keys(connection, attendees, changes, 'email')


def _rekey_streams(connection, rows, keys):
    """Each invitation stream under the key of every mailbox its old key stood for."""
    mailboxes = defaultdict(set)  # (event, old key) -> new keys
    for row in rows:
        mailboxes[(row.event_id, row.email_key)].add(keys[row.id])
    kept = {}  # (event, new key) -> the stream with the highest SEQUENCE
    old = connection.execute(sa.select(streams).order_by(streams.c.id)).all()
    for stream in old:
        for key in mailboxes.get((stream.event_id, stream.email_key)) or {normalise_email(stream.email_key)}:
            held = kept.get((stream.event_id, key))
            if held is None or (stream.last_sequence or -1) > (held.last_sequence or -1):
                kept[(stream.event_id, key)] = stream
    connection.execute(sa.delete(streams))
    for (event_id, key), stream in kept.items():
        connection.execute(sa.insert(streams).values(
            event_id=event_id, email_key=key, last_sequence=stream.last_sequence,
            holds_entry=stream.holds_entry, told=stream.told,
        ))


def _retire(connection, token):
    connection.execute(sa.insert(retired).values(token=token, retired_at=_now()))


def _new_attendee(connection, merged):
    """An attendee for one mailbox split from `merged`, with its reminder choice."""
    moment = _now()
    return connection.execute(
        sa.insert(attendees).values(
            email=f'#migrating-new-{secrets.token_hex(8)}', feed_token=secrets.token_urlsafe(32),
            reminders_opt_out=merged.reminders_opt_out, created_at=moment, updated_at=moment,
        ).returning(attendees.c.id)
    ).scalar_one()


def downgrade():
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('details_resent_at')
        batch_op.drop_column('repeat_submissions')
