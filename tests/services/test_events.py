"""Event services on SQLite and PostgreSQL: every staff action and the calendar version rule."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import CreditInput, EventChanges, EventFields, NewsFields
from eventsvc.models import (
    Credit,
    Event,
    NewsItem,
    Organization,
    OutboxMessage,
    Person,
    Recording,
    Series,
    Tag,
)
from eventsvc.models.events import event_tags
from eventsvc.services import news as news_service
from eventsvc.services import notifications
from eventsvc.services.events import (
    EventError,
    add_recording,
    cancel_event,
    delete_event,
    duplicate_event,
    postpone_event,
    remove_recording,
    reschedule_event,
    save_event,
    set_visibility,
    update_recording,
)
from eventsvc.services.locking import write_transaction
from eventsvc.timezones import Schedule, day_bounds, to_local
from tests.helpers import (
    changed_fields,
    in_days,
    outbox_messages,
    reloaded,
    row_count,
    save_fields,
)

PARTNERS = [
    ("co_host", "organization", "MSI Integrity", "https://msi.example.org"),
    ("co_host", "organization", "Human Rights Clinic"),
    ("moderator", "person", "Ana Pérez"),
    ("live_illustrator", "person", "Sam Lee"),
]


def fields_of(event: Event, **changes) -> EventFields:
    """The event's values as its edit form sends them back, with `changes` made."""
    return changed_fields(event, **changes)


def credit_rows(event: Event) -> list[tuple]:
    return [(credit.role, credit.kind, credit.name) for credit in event.credits]


def test_a_new_event_is_a_draft_stored_in_utc_with_its_zone(any_db_app):
    starts_at = to_local(in_days(10), "America/New_York")
    schedule = Schedule("America/New_York", starts_at, starts_at + timedelta(minutes=90))
    values = EventFields(
        title="Derechos humanos: ¿qué sigue? 🌍",
        kind="hybrid",
        schedule=schedule,
        venue="Room 101",
        join_url="https://meet.example.org/abc",
        capacity=80,
        internal_note="Call the caterer",
    )
    event = save_event(None, EventChanges(fields=values)).event
    event = reloaded(event)
    assert (event.visibility, event.published_at, event.status) == ("draft", None, "scheduled")
    assert event.slug == "derechos-humanos-que-sigue"
    assert event.title == "Derechos humanos: ¿qué sigue? 🌍"
    assert event.uid.endswith("@eventsvc")
    assert event.sequence == 0
    assert event.starts_at == starts_at
    assert event.starts_at.utcoffset() == timedelta(0)
    assert event.ends_at - event.starts_at == timedelta(minutes=90)
    assert event.timezone == "America/New_York"
    assert (event.venue, event.join_url, event.capacity) == (
        "Room 101",
        "https://meet.example.org/abc",
        80,
    )
    assert event.internal_note == "Call the caterer"


def test_an_all_day_event_keeps_its_dates(any_db_app, make_event):
    first, last = date(2026, 10, 24), date(2026, 10, 25)
    starts_at, ends_at = day_bounds(first, last, "Europe/Amsterdam")
    event = make_event(
        title="Summer school",
        kind="in_person",
        timezone="Europe/Amsterdam",
        all_day=True,
        start_date=first,
        end_date=last,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    event = reloaded(event)
    assert event.all_day
    assert (event.start_date, event.end_date) == (first, last)
    assert (event.starts_at, event.ends_at) == (starts_at, ends_at)


def test_titles_that_make_the_same_slug_get_distinct_slugs(any_db_app, make_event):
    events = [
        make_event(title="Beyond Business as Usual"),
        make_event(title="Beyond Business as Usual", publish=False),
        make_event(title="Beyond business — as usual!"),
    ]
    assert [event.slug for event in events] == [
        "beyond-business-as-usual",
        "beyond-business-as-usual-2",
        "beyond-business-as-usual-3",
    ]
    assert len({event.uid for event in events}) == 3


def test_an_edit_replaces_the_fields_and_keeps_the_slug_and_uid(any_db_app, make_event):
    event = make_event(title="Beyond Business as Usual")
    slug, uid = event.slug, event.uid
    save_fields(
        event,
        fields_of(
            event,
            title="Rethinking multi-stakeholder initiatives",
            kind="in_person",
            summary="A panel in Amsterdam.",
            body="## Programme\n\nWelcome.",
            venue="De Balie",
            address="Kleine-Gartmanplantsoen 10, Amsterdam",
            timezone="Europe/Amsterdam",
            join_url=None,
            image_url="https://example.org/panel.png",
            image_alt="Panellists on a stage",
        ),
    )
    event = reloaded(event)
    assert (event.slug, event.uid) == (slug, uid)
    assert event.title == "Rethinking multi-stakeholder initiatives"
    assert (event.kind, event.timezone, event.join_url) == ("in_person", "Europe/Amsterdam", None)
    assert event.location_text == "De Balie, Kleine-Gartmanplantsoen 10, Amsterdam"
    assert (event.body, event.image_alt) == ("## Programme\n\nWelcome.", "Panellists on a stage")


def test_credits_keep_their_order_and_reuse_organisations_and_people(any_db_app, make_event):
    first = make_event(credits=PARTNERS)
    second = make_event(
        credits=[
            ("host", "organization", "  msi integrity"),
            ("speaker", "person", "ANA PÉREZ"),
            ("panelist", "organization", "MSI INTEGRITY"),
        ]
    )
    first, second = reloaded(first, second)
    assert credit_rows(first) == [
        ("co_host", "organization", "MSI Integrity"),
        ("co_host", "organization", "Human Rights Clinic"),
        ("moderator", "person", "Ana Pérez"),
        ("live_illustrator", "person", "Sam Lee"),
    ]
    assert credit_rows(second) == [
        ("host", "organization", "MSI Integrity"),
        ("speaker", "person", "Ana Pérez"),
        ("panelist", "organization", "MSI Integrity"),
    ]
    assert second.credits[0].organization.id == first.credits[0].organization.id
    assert (row_count(Organization), row_count(Person)) == (2, 2)
    assert first.credits[0].as_dict() == {
        "role": "co_host",
        "kind": "organization",
        "name": "MSI Integrity",
        "url": "https://msi.example.org",
    }
    assert [(phrase, [c.name for c in group]) for phrase, group in first.credit_groups] == [
        ("Co-hosted by", ["MSI Integrity", "Human Rights Clinic"]),
        ("Moderated by", ["Ana Pérez"]),
        ("Live illustration by", ["Sam Lee"]),
    ]


def test_credits_can_be_reordered_and_removed(any_db_app, make_event):
    event = make_event(credits=PARTNERS)
    reordered = fields_of(event)
    reordered.credits = [reordered.credits[1], reordered.credits[0], reordered.credits[3]]
    save_fields(event, reordered)
    event = reloaded(event)
    assert credit_rows(event) == [
        ("co_host", "organization", "Human Rights Clinic"),
        ("co_host", "organization", "MSI Integrity"),
        ("live_illustrator", "person", "Sam Lee"),
    ]
    assert row_count(Credit) == 3
    # Ana Pérez is no longer credited here, but stays available for other events.
    assert row_count(Person) == 2


def test_tags_and_series_are_found_or_created_by_name(any_db_app, make_event):
    first = make_event(tags=["Business", "Human rights"], series="#RethinkingMSIs")
    second = make_event(
        tags=["business", "Governance", "GOVERNANCE", " "], series="#rethinkingmsis"
    )
    first, second = reloaded(first, second)
    assert {tag.name for tag in second.tags} == {"Business", "Governance"}
    assert second.series.id == first.series.id
    assert first.series.name == "#RethinkingMSIs"
    assert (row_count(Tag), row_count(Series)) == (3, 1)
    save_fields(second, fields_of(second, tags=[], series=None))
    second = reloaded(second)
    assert (second.tags, second.series) == ([], None)
    assert (row_count(Tag), row_count(Series)) == (3, 1)


def test_publishing_and_unpublishing_keep_the_first_publication_time(any_db_app, make_event):
    event = make_event(publish=False)
    set_visibility(event, True)
    event = reloaded(event)
    first_published = event.published_at
    assert event.is_published
    assert first_published is not None
    set_visibility(event, False)
    assert reloaded(event).visibility == "draft"
    set_visibility(db.session.get(Event, event.id), True)
    event = reloaded(event)
    assert event.is_published
    assert event.published_at == first_published


def test_cancelling_keeps_the_event_listed_with_its_reason(any_db_app, make_event):
    event = make_event()
    cancel_event(event, "The speaker is unwell.")
    event = reloaded(event)
    assert (event.status, event.status_reason) == ("cancelled", "The speaker is unwell.")
    assert event.cancelled_at is not None
    assert event.is_published
    assert event.sequence == 1
    reschedule_event(event, Schedule(event.timezone, in_days(30), in_days(30, hour=17)), "Back on")
    event = reloaded(event)
    assert (event.status, event.cancelled_at, event.sequence) == ("rescheduled", None, 2)


def test_a_postponed_event_rescheduled_keeps_the_previous_start(any_db_app, make_event):
    first_start = in_days(10)
    event = make_event(starts_at=first_start)
    postpone_event(event, "New date to follow.")
    event = reloaded(event)
    assert (event.status, event.status_reason) == ("postponed", "New date to follow.")
    second_start = in_days(17)
    reschedule_event(
        event,
        Schedule(event.timezone, second_start, second_start + timedelta(hours=2)),
        "Moved a week",
    )
    event = reloaded(event)
    assert (event.status, event.status_reason) == ("rescheduled", "Moved a week")
    assert (event.starts_at, event.ends_at) == (second_start, second_start + timedelta(hours=2))
    assert event.previous_starts_at == first_start
    assert event.sequence == 2
    reschedule_event(event, Schedule(event.timezone, in_days(20), in_days(20, hour=16)))
    event = reloaded(event)
    assert event.previous_starts_at == second_start
    assert event.starts_at == in_days(20)


def test_a_duplicate_is_a_new_draft_with_its_own_slug_and_uid(any_db_app, make_event):
    original = make_event(
        credits=PARTNERS,
        tags=["Business"],
        series="#RethinkingMSIs",
        capacity=50,
        starts_at=in_days(-3),
    )
    add_recording(original, "https://video.example.org/1", "WATCH: the webinar")
    cancel_event(original, "Moved online")
    sequence = original.sequence
    copy = duplicate_event(original)
    copy, original = reloaded(copy, original)
    assert (copy.visibility, copy.published_at) == ("draft", None)
    assert copy.slug not in {original.slug, ""}
    assert copy.uid != original.uid
    assert copy.title == f"{original.title} (copy)"
    assert (copy.status, copy.status_reason, copy.previous_starts_at) == ("scheduled", "", None)
    assert (copy.sequence, copy.recordings) == (0, [])
    assert credit_rows(copy) == credit_rows(original)
    assert [tag.id for tag in copy.tags] == [tag.id for tag in original.tags]
    assert copy.series.id == original.series.id
    assert (copy.starts_at, copy.ends_at, copy.capacity) == (
        original.starts_at,
        original.ends_at,
        50,
    )
    assert (row_count(Organization), row_count(Person)) == (2, 2)
    assert original.sequence == sequence


def test_a_draft_is_deleted_with_its_credits_tags_recordings_and_news_links(
    any_db_app, make_event, make_news
):
    event = make_event(publish=False, credits=PARTNERS, tags=["Business"], starts_at=in_days(-3))
    kept = make_event(publish=False, title="Another event")
    add_recording(event, "https://video.example.org/1")
    news_id = make_news(events=[event, kept]).id
    delete_event(event)
    db.session.expunge_all()
    assert db.session.scalars(select(Event.title)).all() == ["Another event"]
    assert (row_count(Credit), row_count(Recording), row_count(event_tags)) == (0, 0, 0)
    assert (row_count(Organization), row_count(Person), row_count(Tag)) == (2, 2, 1)
    assert [linked.title for linked in db.session.get(NewsItem, news_id).events] == [
        "Another event"
    ]


def test_a_published_event_cannot_be_deleted_until_unpublished(any_db_app, make_event):
    event = make_event(publish=True)
    with pytest.raises(EventError, match="Only drafts can be deleted"):
        delete_event(event)
    assert row_count(Event) == 1
    set_visibility(event, False)
    delete_event(event)
    assert row_count(Event) == 0


def test_a_recording_is_refused_before_the_event_starts(any_db_app, make_event):
    upcoming = make_event(starts_at=datetime(2031, 7, 30, 14, tzinfo=UTC))
    with pytest.raises(EventError, match="from Wednesday 30 July 2031, 10:00 EDT"):
        add_recording(upcoming, "https://video.example.org/1")
    assert (reloaded(upcoming).recordings, row_count(OutboxMessage)) == ([], 0)


def test_recordings_are_added_edited_and_removed(any_db_app, make_event):
    event = make_event(starts_at=in_days(-3))
    add_recording(event, "https://video.example.org/1", "WATCH: Beyond Business")
    event = reloaded(event)
    assert [(r.url, r.title) for r in event.recordings] == [
        ("https://video.example.org/1", "WATCH: Beyond Business")
    ]
    assert event.recordings[0].published_at is not None
    assert event.sequence == 1
    update_recording(event.recordings[0], "https://video.example.org/2", "WATCH: the panel")
    event = reloaded(event)
    assert [(r.url, r.title) for r in event.recordings] == [
        ("https://video.example.org/2", "WATCH: the panel")
    ]
    assert event.sequence == 2
    update_recording(event.recordings[0], "https://video.example.org/2", "WATCH: the panel")
    assert reloaded(event).sequence == 2
    remove_recording(db.session.get(Event, event.id).recordings[0])
    event = reloaded(event)
    assert event.recordings == []
    assert row_count(Recording) == 0
    assert event.sequence == 3


def _shift(event: Event, delta: timedelta) -> EventFields:
    return fields_of(event, starts_at=event.starts_at + delta, ends_at=event.ends_at + delta)


CALENDAR_CHANGES = {
    "title": lambda e: save_fields(e, fields_of(e, title="A new title")),
    "start and end": lambda e: save_fields(e, _shift(e, timedelta(hours=1))),
    "end only": lambda e: save_fields(e, fields_of(e, ends_at=e.ends_at + timedelta(hours=1))),
    "time zone": lambda e: save_fields(e, fields_of(e, timezone="Europe/London")),
    "kind": lambda e: save_fields(e, fields_of(e, kind="hybrid")),
    "venue": lambda e: save_fields(e, fields_of(e, venue="Room 101")),
    "address": lambda e: save_fields(e, fields_of(e, address="1 Main Street")),
    "join link": lambda e: save_fields(e, fields_of(e, join_url="https://meet.example.org/n")),
    "summary": lambda e: save_fields(e, fields_of(e, summary="Now with a keynote.")),
    "credit added": lambda e: save_fields(
        e, fields_of(e, credits=[*fields_of(e).credits, CreditInput("speaker", "person", "Kim")])
    ),
    "credits reordered": lambda e: save_fields(
        e, fields_of(e, credits=list(reversed(fields_of(e).credits)))
    ),
    "credit role": lambda e: save_fields(
        e, fields_of(e, credits=[CreditInput("host", "organization", "MSI Integrity")])
    ),
    "tags": lambda e: save_fields(e, fields_of(e, tags=["Governance"])),
    "series": lambda e: save_fields(e, fields_of(e, series="Another series")),
    "cancelled": lambda e: cancel_event(e, "Unwell"),
    "postponed": lambda e: postpone_event(e, ""),
    # Moved to two days ago, so that the recording that follows is accepted.
    "rescheduled": lambda e: reschedule_event(
        e, Schedule(e.timezone, in_days(-2), in_days(-2, hour=17))
    ),
    "recording": lambda e: add_recording(e, "https://video.example.org/1"),
}


def test_each_change_the_calendar_shows_moves_sequence_and_calendar_time_together(
    any_db_app, make_event
):
    event = make_event(credits=PARTNERS[:2], tags=["Business"], series="#RethinkingMSIs")
    for name, change in CALENDAR_CHANGES.items():
        sequence, changed_at = event.sequence, event.calendar_changed_at
        change(event)
        event = reloaded(event)
        assert event.sequence == sequence + 1, name
        assert event.calendar_changed_at > changed_at, name
        assert event.updated_at == event.calendar_changed_at, name


OTHER_CHANGES = {
    "internal note": lambda e: save_fields(e, fields_of(e, internal_note="Book the room")),
    "capacity": lambda e: save_fields(e, fields_of(e, capacity=(e.capacity or 0) + 10)),
    "note and capacity": lambda e: save_fields(
        e, fields_of(e, internal_note="Only staff see this", capacity=None)
    ),
    "saved unchanged": lambda e: save_fields(e, fields_of(e)),
    "tags retyped": lambda e: save_fields(e, fields_of(e, tags=["business", "BUSINESS"])),
    "unpublished": lambda e: set_visibility(e, False),
    "published again": lambda e: set_visibility(e, True),
}


def test_an_edit_the_calendar_does_not_show_moves_only_updated_at(any_db_app, make_event):
    event = make_event(credits=PARTNERS, tags=["Business"], capacity=40)
    sequence, changed_at = event.sequence, event.calendar_changed_at
    for name, change in OTHER_CHANGES.items():
        updated_at = event.updated_at
        change(event)
        event = reloaded(event)
        assert event.sequence == sequence, name
        assert event.calendar_changed_at == changed_at, name
        assert event.updated_at > updated_at, name


def test_the_service_refuses_an_end_before_the_start(any_db_app, make_event):
    import pytest as _pytest

    from eventsvc.services.events import reschedule_event
    from eventsvc.timezones import LocalTimeError

    event = make_event()
    with _pytest.raises(LocalTimeError):
        reschedule_event(event, Schedule(event.timezone, in_days(3), in_days(2)))
    with _pytest.raises(LocalTimeError):
        make_event(title="Backwards", starts_at=in_days(3), ends_at=in_days(2))


def _rename_series(event: Event) -> None:
    event.series.name = "Renamed series"


def _rename_tag(event: Event) -> None:
    event.tags[0].name = "Renamed topic"


def _rename_organization(event: Event) -> None:
    event.credits[0].organization.name = "Renamed partner"


def _move_person_site(event: Event) -> None:
    event.credits[2].person.url = "https://people.example.org/ana"


@pytest.mark.parametrize(
    "rename", [_rename_series, _rename_tag, _rename_organization, _move_person_site]
)
def test_renaming_what_an_entry_shows_moves_every_event_showing_it(any_db_app, make_event, rename):
    """The tracker finds the events itself: no write says which entries changed."""
    shown = make_event(credits=PARTNERS, tags=["Business"], series="#RethinkingMSIs")
    also = make_event(title="Second", credits=PARTNERS, tags=["Business"], series="#RethinkingMSIs")
    other = make_event(title="Unrelated")
    before = {e.id: e.sequence for e in (shown, also, other)}
    with write_transaction():
        rename(shown)
    after = {e.id: e.sequence for e in reloaded(shown, also, other)}
    assert after == {shown.id: before[shown.id] + 1, also.id: before[also.id] + 1, other.id: 0}
    assert reloaded(shown).calendar_entry_key.startswith(f"{after[shown.id]}:")


def test_one_save_moves_the_sequence_once_however_many_flushes(any_db_app, make_event):
    event = make_event(credits=PARTNERS)
    with write_transaction():
        event.title = "First change"
        db.session.flush()
        event.venue = "Second change"
        db.session.flush()
        event.credits[0].role = "host"
    assert reloaded(event).sequence == 1


def test_a_save_that_fails_while_telling_registrants_queues_nothing(
    any_db_app, open_event, sign_up, monkeypatch
):
    event = open_event(join_url="https://meet.example.org/1")
    for address in ("ana@example.org", "bo@example.org"):
        sign_up(event, address)
    queued = len(outbox_messages())
    told = []

    def fail_on_the_second(registration, kind, **details):
        told.append(registration.email)
        if len(told) == 2:
            raise OSError("the disk is full")
        real_email(registration, kind, **details)

    real_email = notifications.registration_email
    monkeypatch.setattr(notifications, "registration_email", fail_on_the_second)
    with pytest.raises(OSError):
        save_fields(event, fields_of(event, join_url="https://meet.example.org/2"))

    assert told == ["ana@example.org", "bo@example.org"]
    assert len(outbox_messages()) == queued
    kept = reloaded(event)
    assert (kept.join_url, kept.sequence) == ("https://meet.example.org/1", 0)


def test_an_announcement_titled_from_its_event_follows_it_and_one_titled_by_hand_stays(
    any_db_app, make_event
):
    def thursday(day: int) -> dict:  # 10:00–11:30 in New York
        start = datetime(2031, 1, day, 15, tzinfo=UTC)
        return {"starts_at": start, "ends_at": start + timedelta(minutes=90)}

    event = make_event(title="Rights at work", timezone="America/New_York", **thursday(16))
    news_service.announce(event, NewsFields(title=""))
    news_service.announce(event, NewsFields(title="Join us in January"))

    def titles() -> list[str]:
        return db.session.scalars(select(NewsItem.title).order_by(NewsItem.id)).all()

    assert titles() == ["January 16 Virtual Event: Rights at work", "Join us in January"]
    save_fields(event, fields_of(event, **thursday(23)))
    assert titles() == ["January 23 Virtual Event: Rights at work", "Join us in January"]
    later = thursday(30)
    reschedule_event(event, Schedule("America/New_York", later["starts_at"], later["ends_at"]))
    save_fields(event, fields_of(event, title="Rights at work, live"))
    assert titles() == ["January 30 Virtual Event: Rights at work, live", "Join us in January"]


def test_an_event_and_its_announcement_are_saved_together_or_not_at_all(
    any_db_app, make_event, monkeypatch
):
    event = make_event(publish=True, title="Beyond Business-as-Usual", timezone="America/New_York",
                       starts_at=datetime(2031, 7, 31, 1, 30, tzinfo=UTC))  # fmt: skip

    def refuse(values):
        raise RuntimeError("the news item could not be written")

    monkeypatch.setattr(news_service, "create_news", refuse)
    values = replace(fields_of(event), title="Another webinar")
    with pytest.raises(RuntimeError):
        save_event(None, EventChanges(fields=values, announcement=NewsFields(title="")))
    assert (row_count(Event), row_count(NewsItem)) == (1, 0)
    monkeypatch.undo()

    announced = save_event(
        None, EventChanges(fields=values, publish=True, announcement=NewsFields(title=""))
    ).event

    item = db.session.scalar(select(NewsItem))
    # The date is the event's own, in its zone: 21:30 on July 30 in New York.
    assert item.title == "July 30 Virtual Event: Another webinar"
    assert (item.label, [e.id for e in item.events]) == ("event", [announced.id])
    assert item.published_at is not None
