"""Changing an event's times in the admin: a new start keeps the duration, and a change that
registrants would hear of is shown, counted, before it is saved, with the choice not to
tell them (issue 14)."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Event, OutboxMessage
from eventsvc.services.notifications import pending_updates
from eventsvc.timezones import to_utc
from tests.helpers import form_values, outbox_messages, page_text

NEW_YORK = "America/New_York"
# A Thursday in winter: EST, UTC−05:00.
DAY = datetime(2031, 1, 16)


def at(hour: int, minute: int = 0) -> datetime:
    return to_utc(DAY.replace(hour=hour, minute=minute), NEW_YORK)


@pytest.fixture
def webinar(open_event, sign_up):
    """A published 10:00–11:30 webinar with two confirmed registrants and one waiting, each
    sent their first email."""
    event = open_event(
        title="Rights at work",
        starts_at=at(10),
        ends_at=at(11, 30),
        capacity=2,
        join_url="https://meet.example.org/1",
    )
    for name in ("Ana", "Bo", "Cy"):
        sign_up(event, f"{name.lower()}@example.org", name=name)
    outbox_messages()
    return event


def fresh(event: Event) -> Event:
    """The event as the database holds it now (the signed-in account stays loaded)."""
    db.session.expire_all()
    return event


def edit_page(client, event) -> dict:
    return form_values(client.get(f"/admin/events/{event.id}/edit").text)


def edit(client, event, values: dict, **changes):
    return client.post(f"/admin/events/{event.id}/edit", data=values | changes)


def local_times(event: Event) -> tuple[str, str]:
    return f"{event.local_start:%H:%M}", f"{event.local_end:%H:%M}"


def updates_queued() -> int:
    """How many updates about a change the outbox holds, whatever their state."""
    updates = select(OutboxMessage.id).where(OutboxMessage.kind == "event_changed")
    return len(db.session.scalars(updates).all())


def audit_entries() -> list[str]:
    return db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()


def test_a_new_start_keeps_the_duration_unless_the_end_is_changed_too(client, editor, make_event):
    event = make_event(publish=False, starts_at=at(10), ends_at=at(11, 30))
    values = edit_page(client, event)
    assert (values["start"], values["end"]) == ("2031-01-16T10:00", "2031-01-16T11:30")

    assert edit(client, event, values, start="2031-01-16T11:00").status_code == 302
    assert local_times(fresh(event)) == ("11:00", "12:30")

    values = edit_page(client, event)
    edit(client, event, values, start="2031-01-16T09:00", end="2031-01-16T10:00")
    assert local_times(fresh(event)) == ("09:00", "10:00")


def test_a_time_change_shows_whom_it_tells_and_what_before_anything_is_saved(
    client, editor, webinar
):
    sequence, audited = webinar.sequence, audit_entries()
    response = edit(client, webinar, edit_page(client, webinar), start="2031-01-16T11:00")

    assert response.status_code == 200
    text = page_text(response.text)
    assert "Check before saving: 3 registrants will be emailed" in text
    assert (
        "3 registrants will be told: When: Thursday 16 January 2031, 10:00–11:30 "
        "(America/New_York, UTC−05:00) → Thursday 16 January 2031, 11:00–12:30 "
        "(America/New_York, UTC−05:00)"
    ) in text
    values = form_values(response.text)
    assert (values["start"], values["tell"]) == ("2031-01-16T11:00", "yes")  # typed, kept
    webinar = fresh(webinar)
    assert (local_times(webinar), webinar.sequence) == (("10:00", "11:30"), sequence)
    assert updates_queued() == 0
    assert audit_entries() == audited


def test_telling_them_queues_one_update_per_registrant(client, editor, webinar):
    shown = edit(client, webinar, edit_page(client, webinar), start="2031-01-16T11:00")

    response = edit(client, webinar, form_values(shown.text))

    assert response.status_code == 302
    flashed = page_text(client.get(response.headers["Location"]).text)
    assert "3 registrants are told in 5 minutes, with any later edits, one email each." in flashed
    webinar = fresh(webinar)
    assert local_times(webinar) == ("11:00", "12:30")
    assert len(pending_updates(webinar)) == 3


def test_not_telling_them_moves_the_calendar_version_queues_nothing_and_is_audited(
    client, editor, webinar
):
    sequence = webinar.sequence
    shown = edit(client, webinar, edit_page(client, webinar), start="2031-01-16T11:00")

    response = edit(client, webinar, form_values(shown.text), tell="no")

    assert response.status_code == 302
    webinar = fresh(webinar)
    assert (local_times(webinar), webinar.sequence) == (("11:00", "12:30"), sequence + 1)
    assert updates_queued() == 0
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "event.registrants_not_told")
    )
    assert (entry.actor, entry.detail) == ("editor@example.org", "Not told of: When")


def test_not_telling_them_withdraws_an_update_already_waiting(client, editor, webinar):
    renamed = edit(client, webinar, edit_page(client, webinar), title="Rights at work, live")
    edit(client, webinar, form_values(renamed.text))  # told, in 5 minutes
    shown = edit(client, webinar, edit_page(client, webinar), start="2031-01-16T11:00")

    text = page_text(shown.text)
    assert "Title: Rights at work → Rights at work, live" in text  # the waiting update's too
    assert "no email now, and the update already waiting is withdrawn, as it would tell" in text
    response = edit(client, webinar, form_values(shown.text), tell="no")

    assert response.status_code == 302
    assert pending_updates(fresh(webinar)) == []
    assert outbox_messages("event_changed") == []  # the new time goes out in no email
    assert audit_entries()[-2:] == ["outbox.event_cancelled", "event.registrants_not_told"]


def test_a_form_changed_after_its_preview_shows_the_new_preview_first(client, editor, webinar):
    shown = edit(client, webinar, edit_page(client, webinar), start="2031-01-16T11:00")

    again = edit(client, webinar, form_values(shown.text), title="Rights at work, live")

    assert again.status_code == 200
    text = page_text(again.text)
    assert "What they will be told has changed since you last saw it." in text
    assert "Title: Rights at work → Rights at work, live" in text
    assert fresh(webinar).title == "Rights at work"


def test_a_join_link_change_counts_only_those_given_the_link(client, editor, webinar):
    response = edit(
        client, webinar, edit_page(client, webinar), join_url="https://meet.example.org/2"
    )

    text = page_text(response.text)
    assert "Check before saving: 2 registrants will be emailed" in text
    assert "Join link: https://meet.example.org/1 → https://meet.example.org/2" in text


def test_changes_nobody_hears_of_save_at_once(client, editor, webinar, make_event):
    response = edit(client, webinar, edit_page(client, webinar), internal_note="Call the venue")
    assert response.status_code == 302

    draft = make_event(publish=False, title="A draft")
    response = edit(client, draft, edit_page(client, draft), start="2031-01-16T11:00")
    assert response.status_code == 302
    assert updates_queued() == 0


def test_raising_the_capacity_says_who_left_the_waiting_list(client, editor, webinar):
    response = edit(client, webinar, edit_page(client, webinar), capacity="3")

    flashed = page_text(client.get(response.headers["Location"]).text)
    assert "Cy left the waiting list: they have a seat now and are emailed." in flashed


def test_rescheduling_shows_the_same_preview_and_keeps_the_duration(client, editor, webinar):
    path = f"/admin/events/{webinar.id}/reschedule"
    asked = {"start": "2031-01-23T10:00", "reason": "The speaker is travelling."}

    shown = client.post(path, data=asked)

    assert shown.status_code == 200
    text = page_text(shown.text)
    assert "Check before saving: 3 registrants will be emailed" in text
    assert "→ Thursday 23 January 2031, 10:00–11:30 (America/New_York, UTC−05:00)" in text
    assert "Status: on as planned → rescheduled (The speaker is travelling.)" in text
    assert "Tell them: one email each, at once" in text
    assert fresh(webinar).status == "scheduled"

    response = client.post(
        path, data=asked | {"tell": "yes", "told": form_values(shown.text)["told"]}
    )

    assert response.status_code == 302
    webinar = fresh(webinar)
    assert (webinar.status, local_times(webinar)) == ("rescheduled", ("10:00", "11:30"))
    assert webinar.local_start.day == 23
    waiting = pending_updates(webinar)
    assert len(waiting) == 3
    assert all(m.next_attempt_at - m.created_at < timedelta(seconds=5) for m in waiting)


def test_the_postpone_page_says_how_many_registrants_are_emailed_at_once(
    client, editor, webinar, make_event
):
    text = page_text(client.get(f"/admin/events/{webinar.id}/postpone").text)

    assert "3 registrants are emailed at once." in text
    assert (fresh(webinar).status, updates_queued()) == ("scheduled", 0)
    draft = make_event(publish=False, title="A draft")
    text = page_text(client.get(f"/admin/events/{draft.id}/postpone").text)
    assert "Nobody is emailed about it." in text
