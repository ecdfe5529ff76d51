"""Random sequences of registration operations keep the seat and waitlist rules (DESIGN §5).

A hypothesis state machine registers, confirms, cancels, declines, approves and promotes
people, changes an event's capacity and its registration settings, and checks after every
step, against the rows in the database:

- the seat counter equals the pending and confirmed rows, the waitlist counter the
  waitlisted rows, and waitlist positions run 1..N;
- one active registration per normalised email;
- no step takes a seat beyond capacity: confirmed + pending ≤ capacity, except after staff
  lower the capacity below the seats already held, when the count may only fall;
- nobody waits while a seat is free (every freed or added seat promotes the first in line).
"""

from dataclasses import replace

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import RegistrationSettings
from eventsvc.models import Event, Registration
from eventsvc.models.registrations import ACTIVE_STATES, SEAT_STATES
from eventsvc.services import registration as reg
from eventsvc.services.events import fields_of
from eventsvc.text import normalise_email
from tests.helpers import open_registration, save_fields

PEOPLE = ("ana@example.org", "Bo@Example.org", "chen@example.org", "dara@example.org", "eli@x.io")
# Ways one person types the same address: the service must see one key.
SPELLINGS = (str, str.upper, lambda address: f"  {address.lower()} ")
CAPACITIES = st.one_of(st.none(), st.integers(min_value=1, max_value=4))


class RegistrationRules(RuleBasedStateMachine):
    """One event per example; `make_open_event` is set by the test that runs the machine."""

    make_open_event = None

    @initialize(
        capacity=st.integers(min_value=1, max_value=3),
        approval=st.booleans(),
        confirm_email=st.booleans(),
        waitlist=st.booleans(),
    )
    def open_event(self, capacity, approval, confirm_email, waitlist):
        event = type(self).make_open_event(
            capacity=capacity, approval=approval, confirm_email=confirm_email, waitlist=waitlist
        )
        self.event_id = event.id
        self.seats_before = 0

    # Helpers

    @property
    def event(self) -> Event:
        return db.session.get(Event, self.event_id, populate_existing=True)

    def rows(self, *states: str) -> list[Registration]:
        query = select(Registration).where(Registration.event_id == self.event_id)
        if states:
            query = query.where(Registration.state.in_(states))
        return list(db.session.scalars(query.order_by(Registration.id)).unique())

    def pick(self, data, *states: str) -> Registration | None:
        found = self.rows(*states)
        return data.draw(st.sampled_from(found), label="registration") if found else None

    # Operations

    @rule(person=st.sampled_from(PEOPLE), spelling=st.sampled_from(SPELLINGS))
    def register(self, person, spelling):
        event = self.event
        already = any(row.email_key == normalise_email(person) for row in self.rows(*ACTIVE_STATES))
        seat_free = event.capacity is None or event.seats_taken < event.capacity
        queue = event.waitlist_length
        try:
            outcome = reg.register(event, "Ana Pérez", spelling(person), {}, True, None)
        except reg.RegistrationError as error:
            # The same refusal for every address, registered or not (DESIGN §5).
            assert error.code == "event_full"
            assert not event.waitlist_enabled
            assert not seat_free or queue > 0
            return
        if already:
            assert not outcome.created
        elif event.confirm_email:
            assert outcome.state == "unverified"
        elif seat_free and queue == 0:
            assert outcome.state == ("pending" if event.approval_required else "confirmed")
        else:
            assert outcome.state == "waitlisted"
            assert outcome.registration.waitlist_position == queue + 1

    @rule(data=st.data())
    def confirm_email(self, data):
        registration = self.pick(data, "unverified")
        if registration is None:
            return
        event = self.event
        seat_free = event.capacity is None or event.seats_taken < event.capacity
        seat_free = seat_free and event.waitlist_length == 0
        try:
            state = reg.confirm_email(registration).state
        except reg.RegistrationError as error:
            assert error.code == "event_full" and not seat_free and not event.waitlist_enabled
        else:
            if seat_free:
                assert state == ("pending" if event.approval_required else "confirmed")
            else:
                assert state == "waitlisted"

    @rule(data=st.data(), declined=st.booleans())
    def end(self, data, declined):
        registration = self.pick(data, *ACTIVE_STATES)
        if registration is None:
            return
        ended = (reg.decline_registration if declined else reg.cancel_registration)(registration)
        assert ended.state == ("declined" if declined else "cancelled")

    @rule(data=st.data())
    def end_again(self, data):
        registration = self.pick(data, "cancelled", "declined")
        if registration is not None:
            state = registration.state
            assert reg.cancel_registration(registration).state == state

    @rule(data=st.data())
    def approve(self, data):
        registration = self.pick(data, "pending")
        if registration is not None:
            assert reg.approve_registration(registration).state == "confirmed"

    @rule(data=st.data())
    def promote(self, data):
        registration = self.pick(data, "waitlisted")
        if registration is None:
            return
        event = self.event
        seat_free = event.capacity is None or event.seats_taken < event.capacity
        try:
            promoted = reg.promote_registration(registration)
        except reg.RegistrationError as error:
            assert error.code == "event_full" and not seat_free
        else:
            assert seat_free and promoted.state in ("pending", "confirmed")

    @rule(capacity=CAPACITIES)
    def change_capacity(self, capacity):
        event = self.event
        save_fields(event, replace(fields_of(event), capacity=capacity))

    @precondition(lambda self: self.rows())
    @rule(approval=st.booleans(), confirm_email=st.booleans(), waitlist=st.booleans())
    def change_settings(self, approval, confirm_email, waitlist):
        settings_ = RegistrationSettings(
            approval=approval, confirm_email=confirm_email, waitlist=waitlist
        )
        open_registration(self.event, settings_)

    # What holds after every step

    @invariant()
    def counters_match_the_rows(self):
        event = self.event
        assert event.seats_taken == len(self.rows(*SEAT_STATES))
        waiting = self.rows("waitlisted")
        assert event.waitlist_length == len(waiting)
        assert sorted(row.waitlist_position for row in waiting) == list(range(1, len(waiting) + 1))
        others = self.rows("pending", "unverified", "confirmed", "declined", "cancelled")
        assert all(row.waitlist_position is None for row in others)

    @invariant()
    def one_active_registration_per_address(self):
        keys = [row.email_key for row in self.rows(*ACTIVE_STATES)]
        assert len(keys) == len(set(keys))
        assert all(row.email_key == normalise_email(row.email) for row in self.rows())

    @invariant()
    def no_step_takes_a_seat_beyond_capacity(self):
        event = self.event
        held = len(self.rows(*SEAT_STATES))
        if event.capacity is not None:
            assert held <= max(event.capacity, self.seats_before)
        self.seats_before = held

    @invariant()
    def nobody_waits_while_a_seat_is_free(self):
        event = self.event
        if event.waitlist_length:
            assert event.capacity is not None and event.seats_taken >= event.capacity


def run_machine(open_event, examples: int) -> None:
    machine = type("Machine", (RegistrationRules,), {"make_open_event": staticmethod(open_event)})
    run_state_machine_as_test(
        machine,
        settings=settings(max_examples=examples, stateful_step_count=20, deadline=None),
    )


def test_registration_rules_hold_on_sqlite(app, open_event):
    run_machine(open_event, examples=25)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_registration_rules_hold_on_postgresql(any_db_app, open_event):
    run_machine(open_event, examples=8)
