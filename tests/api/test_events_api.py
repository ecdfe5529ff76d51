"""Events through the API: the public listing and page, and staff changes (issue 5)."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Question
from eventsvc.services.changes import current_version
from eventsvc.timezones import now
from tests.helpers import (
    Api,
    assert_error,
    in_days,
    outbox_messages,
    page_text,
    row_count,
    under_way,
)

EVENT_FIELDS = {
    "slug", "title", "language", "translations", "kind", "status", "status_reason",
    "previous_starts_at", "visibility", "all_day", "starts_at", "ends_at", "timezone",
    "local_start", "local_end", "summary",
    "description_html", "credits", "series", "tags", "venue", "image", "capacity", "seats_left",
    "registration", "recordings", "sequence", "calendar_changed_at", "updated_at", "urls",
}  # fmt: skip
JOIN = "https://meet.example.org/secret-room-42"
NOTE = "Speaker fee still to be agreed"


def new_event(**fields) -> dict:
    body = {
        "title": "Rethinking Multi-Stakeholder Initiatives",
        "kind": "webinar",
        "timezone": "America/New_York",
        "local_start": f"{date.today().year + 1}-07-30T10:00",
        "duration_minutes": 90,
    }
    body.update(fields)
    return body


# Reading ---------------------------------------------------------------------------------


def test_an_event_shows_exactly_the_listed_fields_and_nothing_private(api, make_event):
    event = make_event(
        capacity=40,
        join_url=JOIN,
        internal_note=NOTE,
        body="**Bold** words",
        series="#RethinkingMSIs",
        tags=["Business and human rights"],
        credits=[("co_host", "organization", "MSI Integrity", "https://msi.example.org")],
    )
    response = api.get(f"/events/{event.slug}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == EVENT_FIELDS
    text = response.get_data(as_text=True)
    assert JOIN not in text and NOTE not in text and "join" not in text
    assert body["starts_at"] == event.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["local_start"].endswith(("-04:00", "-05:00"))
    assert (body["capacity"], body["seats_left"]) == (40, None)  # a count would be an oracle
    assert body["description_html"] == "<p><strong>Bold</strong> words</p>\n"
    assert body["credits"] == [
        {"role": "co_host", "kind": "organization", "name": "MSI Integrity",
         "url": "https://msi.example.org"}
    ]  # fmt: skip
    assert body["series"]["name"] == "#RethinkingMSIs"
    assert body["tags"] == [
        {"name": "Business and human rights", "slug": "business-and-human-rights"}
    ]
    urls = body["urls"]
    assert urls["page"] == f"http://localhost/events/{event.slug}"
    assert urls["ics"] == f"http://localhost/events/{event.slug}.ics"
    assert urls["webcal"] == f"webcal://localhost/events/{event.slug}.ics"
    assert urls["google"].startswith("https://calendar.google.com/")
    assert urls["outlook"].startswith("https://outlook.live.com/")
    assert urls["office"].startswith("https://outlook.office.com/")
    assert urls["register"] is None  # this event takes no registrations


def test_unlimited_capacity_is_null_and_registration_block_tells_whether_it_is_open(
    api, open_event
):
    event = open_event(approval=True, confirm_email=True)
    body = api.get(f"/events/{event.slug}").get_json()
    assert (body["capacity"], body["seats_left"]) == (None, None)
    registration = body["registration"]
    assert registration["enabled"] and registration["open"]
    assert registration["approval"] and registration["confirm_email"] and registration["waitlist"]
    assert registration["closes_at"] == body["starts_at"]
    assert body["urls"]["register"] == f"http://localhost/events/{event.slug}/register"


def test_drafts_are_found_only_with_a_staff_token(api, make_event, make_token):
    draft = make_event(publish=False, title="Unannounced meeting")
    assert_error(api.get(f"/events/{draft.slug}"), 404, "not_found")
    assert "Unannounced" not in api.get("/events").get_data(as_text=True)
    staff_view = api.as_(make_token("read")).get(f"/events/{draft.slug}")
    assert staff_view.status_code == 200
    assert staff_view.get_json()["visibility"] == "draft"
    assert staff_view.headers["Cache-Control"] == "private, no-store"


def test_the_listing_is_upcoming_soonest_first_and_filters(api, make_event):
    later = make_event(title="Later", starts_at=in_days(20), tags=["Climate"])
    sooner = make_event(title="Sooner", starts_at=in_days(5), series="Clinic talks")
    make_event(title="Past", starts_at=in_days(-5))
    cancelled = make_event(title="Called off", starts_at=in_days(8))
    api.as_(None)  # the public
    from eventsvc.services.events import cancel_event

    cancel_event(cancelled, "The speaker is ill")

    titles = [e["title"] for e in api.get("/events").get_json()["items"]]
    assert titles == ["Sooner", "Called off", "Later"]
    assert [e["title"] for e in api.get("/events?tag=climate").get_json()["items"]] == ["Later"]
    assert [e["slug"] for e in api.get("/events?series=clinic-talks").get_json()["items"]] == [
        sooner.slug
    ]
    assert [e["title"] for e in api.get("/events?status=cancelled").get_json()["items"]] == [
        "Called off"
    ]
    day = (now() - timedelta(days=5)).date().isoformat()
    assert [e["title"] for e in api.get(f"/events?from={day}&to={day}").get_json()["items"]] == [
        "Past"
    ]
    assert later.slug in api.get("/events?from=2000-01-01").get_data(as_text=True)


def test_organization_filter_finds_co_hosted_events(api, make_event):
    make_event(title="Co-hosted", credits=[("co_host", "organization", "Amnesty Chile", None)])
    make_event(title="Alone")
    items = api.get("/events?organization=amnesty-chile").get_json()["items"]
    assert [e["title"] for e in items] == ["Co-hosted"]


def test_pages_link_to_the_next_with_an_absolute_url(api, make_event):
    for day in (3, 4, 5):
        make_event(title=f"Day {day}", starts_at=in_days(day))
    first = api.get("/events?per_page=2&tag=").get_json()
    assert [e["title"] for e in first["items"]] == ["Day 3", "Day 4"]
    assert first["next"].startswith("http://localhost/api/v1/events?")
    assert "page=2" in first["next"] and "per_page=2" in first["next"]
    second = api.get(first["next"].removeprefix("http://localhost/api/v1")).get_json()
    assert [e["title"] for e in second["items"]] == ["Day 5"]
    assert second["next"] is None


BAD_QUERIES = ["per_page=201", "per_page=0", "page=0", "status=over", "from=soon", "to=2026-02-30"]


def test_bad_listing_queries_are_422_naming_the_parameter(api):
    for query in BAD_QUERIES:
        assert_error(api.get(f"/events?{query}"), 422, "invalid", query.split("=")[0])


def test_public_gets_send_etags_and_answer_304(api, make_event):
    event = make_event()
    for path in (f"/events/{event.slug}", "/events", "/news", "/tags", "/openapi.json"):
        first = api.get(path)
        assert first.status_code == 200 and first.headers["ETag"], path
        again = api.get(path, headers={"If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304 and again.data == b"", path
    changed_after = api.get(f"/events/{event.slug}").headers["ETag"]
    from eventsvc.services.events import postpone_event

    postpone_event(event, "Venue flooded")
    fresh = api.get(f"/events/{event.slug}", headers={"If-None-Match": changed_after})
    assert fresh.status_code == 200 and fresh.get_json()["status"] == "postponed"


# Creating and changing -------------------------------------------------------------------


def test_create_answers_201_with_the_event_and_its_location(writer):
    response = writer.post(
        "/events",
        new_event(
            summary="A conversation",
            description="Join **us**.",
            venue={"name": "Law School", "address": "1 Campus Way"},
            kind="hybrid",
            join_url=JOIN,
            capacity=30,
            series="#RethinkingMSIs",
            tags=["Accountability"],
            credits=[
                {"role": "co_host", "kind": "organization", "name": "New Partner", "url": None},
                {"role": "moderator", "kind": "person", "name": "Dr. Ana Ruiz", "url": None},
            ],
            internal_note=NOTE,
            questions=[{"type": "single_choice", "label": "Role", "choices": ["Student", "Staff"]}],
            registration={"enabled": True, "approval": True},
        ),
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"] == f"http://localhost/api/v1/events/{body['slug']}"
    assert body["visibility"] == "draft"
    assert body["local_start"].endswith("T10:00:00-04:00")
    assert body["ends_at"] == body["starts_at"].replace("14:00", "15:30")
    assert body["venue"] == {"name": "Law School", "address": "1 Campus Way"}
    assert [c["name"] for c in body["credits"]] == ["New Partner", "Dr. Ana Ruiz"]
    assert body["registration"]["approval"] is True
    assert body["registration"]["questions"][0]["choices"] == ["Student", "Staff"]
    assert JOIN not in response.get_data(as_text=True)
    stored = db.session.scalar(select(Event).where(Event.slug == body["slug"]))
    assert (stored.join_url, stored.internal_note) == (JOIN, NOTE)


def test_create_all_day_event_and_publish_it(writer, api):
    response = writer.post(
        "/events",
        {
            "title": "Open house",
            "kind": "in_person",
            "timezone": "Europe/Amsterdam",
            "all_day": True,
            "start_date": "2031-05-01",
            "end_date": "2031-05-02",
            "publish": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    body = api.get(f"/events/{response.get_json()['slug']}").get_json()
    assert body["all_day"] and body["visibility"] == "published"
    assert body["local_start"] == "2031-05-01T00:00:00+02:00"
    assert body["local_end"] == "2031-05-03T00:00:00+02:00"


def test_a_local_time_in_a_gap_is_422_naming_the_gap(writer):
    response = writer.post(
        "/events", new_event(timezone="Europe/Berlin", local_start="2030-03-31T02:30")
    )
    body = assert_error(response, 422, "invalid", "local_start")
    assert "clocks move from 2:00 to 3:00" in body["fields"]["local_start"][0]


def test_an_offset_picks_the_side_of_an_ambiguous_hour(writer):
    first = writer.post("/events", new_event(local_start="2030-11-03T01:30")).get_json()
    second = writer.post("/events", new_event(local_start="2030-11-03T01:30-05:00")).get_json()
    assert first["starts_at"] == "2030-11-03T05:30:00Z"
    assert second["starts_at"] == "2030-11-03T06:30:00Z"
    wrong = writer.post("/events", new_event(local_start="2030-11-03T01:30+02:00"))
    assert_error(wrong, 422, "invalid", "local_start")


def test_duration_is_elapsed_time_across_a_change_of_clocks(writer):
    body = writer.post(
        "/events", new_event(local_start="2030-11-03T00:30", duration_minutes=120)
    ).get_json()
    assert body["local_end"] == "2030-11-03T01:30:00-05:00"  # clocks went back an hour


INVALID_CHANGES = [
    ({"title": ""}, ["title"]),
    ({"kind": "party"}, ["kind"]),
    ({"timezone": "Mars/Olympus"}, ["timezone"]),
    ({"capacity": "40"}, ["capacity"]),
    ({"capacity": 0}, ["capacity"]),
    ({"publish": "yes"}, ["publish"]),
    ({"title": "Nul\x00byte"}, ["title"]),
    ({"summary": 7}, ["summary"]),
    ({"join_url": "javascript:alert(1)"}, ["join_url"]),
    ({"local_start": "next Tuesday"}, ["local_start"]),
    ({"duration_minutes": None, "local_end": None}, ["local_end"]),
    ({"duration_minutes": 30, "local_end": "2031-01-01T10:00"}, ["duration_minutes"]),
    ({"credits": [{"role": "star", "kind": "person", "name": "X"}]}, ["credits.0.role"]),
    (
        {"questions": [{"type": "single_choice", "label": "Pick", "choices": ["one"]}]},
        ["questions.0"],
    ),
    ({"surprise": 1}, ["surprise"]),
]


def test_invalid_fields_are_422_each_named_and_nothing_is_made(writer):
    for change, fields in INVALID_CHANGES:
        body = {key: value for key, value in (new_event() | change).items() if value is not None}
        assert_error(writer.post("/events", body), 422, "invalid", *fields)
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_body_that_is_not_an_object_is_422_and_missing_fields_are_named(writer):
    assert_error(writer.post("/events", [1, 2]), 422, "invalid")
    assert_error(writer.post("/events", {}), 422, "invalid", "title", "kind", "timezone")


def test_patch_changes_only_what_is_given(writer, make_event):
    event = make_event(title="Old title", capacity=10, summary="Kept")
    response = writer.patch(f"/events/{event.slug}", {"title": "New title", "capacity": None})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["title"], body["capacity"], body["summary"]) == ("New title", None, "Kept")
    assert body["slug"] == event.slug


def test_changing_the_time_zone_keeps_the_wall_clock_times(writer):
    created = writer.post("/events", new_event(timezone="America/New_York")).get_json()
    body = writer.patch(f"/events/{created['slug']}", {"timezone": "Europe/Berlin"}).get_json()
    assert body["local_start"].startswith(created["local_start"][:16])
    assert body["local_start"].endswith("+02:00")
    assert body["starts_at"] != created["starts_at"]
    assert body["sequence"] == created["sequence"] + 1


def test_patch_moves_the_start_and_keeps_the_duration(writer):
    created = writer.post("/events", new_event(duration_minutes=45)).get_json()
    year = date.today().year + 1
    body = writer.patch(
        f"/events/{created['slug']}", {"local_start": f"{year}-08-01T09:00"}
    ).get_json()
    assert body["local_start"].startswith(f"{year}-08-01T09:00")
    assert body["local_end"].startswith(f"{year}-08-01T09:45")


def test_patch_questions_keeps_named_ones_and_removes_the_rest(writer):
    created = writer.post(
        "/events",
        new_event(
            questions=[
                {"type": "short_text", "label": "Org"},
                {"type": "checkbox", "label": "News?"},
            ]
        ),
    ).get_json()
    org, _news = created["registration"]["questions"]
    kept = {"id": org["id"], "type": "short_text", "label": "Organisation", "required": True}
    added = {"type": "country", "label": "Country"}
    body = writer.patch(f"/events/{created['slug']}", {"questions": [kept, added]}).get_json()
    questions = body["registration"]["questions"]
    assert [(q["label"], q["required"]) for q in questions] == [
        ("Organisation", True),
        ("Country", False),
    ]
    assert questions[0]["id"] == org["id"]
    unknown = writer.patch(
        f"/events/{created['slug']}", {"questions": [{"id": 999, "type": "checkbox", "label": "X"}]}
    )
    assert_error(unknown, 422, "invalid", "questions.0.id")


def test_patch_null_for_a_required_field_is_422(writer, make_event):
    event = make_event()
    assert_error(writer.patch(f"/events/{event.slug}", {"title": None}), 422, "invalid", "title")


def test_patch_registration_settings_and_publish(writer, make_event, api):
    event = make_event(publish=False)
    body = writer.patch(
        f"/events/{event.slug}",
        {"registration": {"enabled": True, "waitlist": False}, "publish": True},
    ).get_json()
    assert body["visibility"] == "published"
    assert body["registration"]["enabled"] and not body["registration"]["waitlist"]
    assert api.get(f"/events/{event.slug}").status_code == 200
    bad = writer.patch(
        f"/events/{event.slug}",
        {"registration": {"opens_at": "2031-01-02T00:00:00Z", "closes_at": "2031-01-01T00:00:00Z"}},
    )
    assert_error(bad, 422, "invalid", "registration.closes_at")


def test_delete_is_for_admins_and_drafts_only(api, make_event, make_token):
    draft = make_event(publish=False)
    published = make_event(title="Published one")
    editor, admin = api.as_(make_token("write")), api.as_(make_token("write", "admin"))
    assert_error(editor.delete(f"/events/{draft.slug}"), 403, "forbidden")
    assert_error(
        api.as_(make_token("read", "admin")).delete(f"/events/{draft.slug}"), 403, "forbidden"
    )
    assert_error(admin.delete(f"/events/{published.slug}"), 409, "event_published")
    assert_error(admin.delete("/events/no-such-event"), 404, "not_found")
    assert admin.delete(f"/events/{draft.slug}").status_code == 204
    assert_error(admin.get(f"/events/{draft.slug}"), 404, "not_found")


# Status changes notify registrants -------------------------------------------------------


@pytest.fixture
def registered_event(open_event, sign_up):
    event = open_event(capacity=5, join_url=JOIN)
    sign_up(event, "ana@example.org")
    outbox_messages()  # the worker sends her confirmation
    return event


def test_cancel_marks_the_event_and_emails_registrants(writer, registered_event):
    response = writer.post(
        f"/events/{registered_event.slug}/cancel", {"reason": "The speaker is ill"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert (body["status"], body["status_reason"]) == ("cancelled", "The speaker is ill")
    assert [m.to_address for m in outbox_messages("event_cancelled")] == ["ana@example.org"]
    assert_error(
        writer.post(f"/events/{registered_event.slug}/cancel", {}), 422, "invalid", "reason"
    )


def test_postpone_tells_registrants(writer, registered_event):
    body = writer.post(f"/events/{registered_event.slug}/postpone", {"reason": "Strike"}).get_json()
    assert body["status"] == "postponed"
    assert len(outbox_messages("event_changed")) == 1


def test_reschedule_moves_the_event_keeping_the_previous_start(writer, registered_event):
    before = registered_event.starts_at
    year = date.today().year + 1
    response = writer.post(
        f"/events/{registered_event.slug}/reschedule",
        {
            "local_start": f"{year}-09-10T11:00",
            "local_end": f"{year}-09-10T12:30",
            "reason": "Room",
        },
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["status"] == "rescheduled"
    assert body["previous_starts_at"] == before.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert body["local_start"] == f"{year}-09-10T11:00:00-04:00"
    assert len(outbox_messages("event_changed")) == 1
    start_alone = writer.post(
        f"/events/{registered_event.slug}/reschedule", {"local_start": f"{year}-09-10T14:00"}
    )
    assert start_alone.get_json()["local_end"] == f"{year}-09-10T15:30:00-04:00"  # 90 minutes


def test_a_new_start_with_the_end_as_it_was_keeps_the_duration(writer, make_event):
    event = make_event()
    shown = writer.get(f"/events/{event.slug}").get_json()
    start = datetime.fromisoformat(shown["local_start"]) + timedelta(hours=1)

    body = writer.patch(
        f"/events/{event.slug}",
        {"local_start": start.isoformat(), "local_end": shown["local_end"]},
    ).get_json()

    moved = datetime.fromisoformat(body["local_end"]) - datetime.fromisoformat(shown["local_end"])
    assert moved == timedelta(hours=1)


def test_taking_down_an_event_its_registrants_hold_is_refused_alike_by_api_and_admin(
    api, client, login, make_token, registered_event
):
    event, admin = registered_event, api.as_(make_token("write", "admin"))
    login("admin")
    unpublish = f"/admin/events/{event.id}/unpublish"

    refused = assert_error(
        admin.patch(f"/events/{event.slug}", {"publish": False}), 409, "event_has_registrants"
    )
    page = page_text(client.post(unpublish, follow_redirects=True).text)
    assert refused["message"] in page and "Cancel the event first" in page
    assert client.get(f"/events/{event.slug}").status_code == 200
    assert len(outbox_messages()) == 1  # her confirmation, and nothing since

    admin.post(f"/events/{event.slug}/cancel", {"reason": "The venue closed."})
    assert "is a draft again" in page_text(client.post(unpublish, follow_redirects=True).text)
    assert [m.calendar_method for m in outbox_messages("event_cancelled")] == ["CANCEL"]
    assert client.get(f"/events/{event.slug}").status_code == 410
    assert event.uid.encode() in client.get("/calendar.ics").data  # cancelled, for 30 days
    kept = assert_error(admin.delete(f"/events/{event.slug}"), 409, "event_in_feeds")
    page = page_text(client.post(f"/admin/events/{event.id}/delete", follow_redirects=True).text)
    assert kept["message"] in page


def test_a_recording_is_refused_until_the_event_starts(writer, registered_event):
    response = writer.post(
        f"/events/{registered_event.slug}/recordings", {"url": "https://video.example.org/1"}
    )
    body = assert_error(response, 409, "event_not_started")
    assert body["message"].startswith("A recording can be posted once the event has started: ")
    assert registered_event.recordings == []


def test_posting_a_recording_shows_it_and_tells_registrants(writer, open_event, sign_up):
    started = open_event(capacity=5, **under_way())
    sign_up(started, "ana@example.org")
    response = writer.post(
        f"/events/{started.slug}/recordings",
        {"url": "https://video.example.org/watch/1", "title": "WATCH: the panel"},
    )
    assert response.status_code == 201
    [recording] = response.get_json()["recordings"]
    assert recording["url"] == "https://video.example.org/watch/1"
    assert len(outbox_messages("recording_posted")) == 1
    bad = writer.post(f"/events/{started.slug}/recordings", {"url": "ftp://x"})
    assert_error(bad, 422, "invalid", "url")


def test_staff_operations_on_an_unknown_event_are_404(writer):
    bodies = {
        "cancel": {"reason": "x"},
        "postpone": {"reason": "x"},
        "recordings": {"url": "https://x.org"},
    }
    for action, body in bodies.items():
        assert_error(writer.post(f"/events/nope/{action}", body), 404, "not_found")
    assert_error(writer.patch("/events/nope", {"title": "x"}), 404, "not_found")


def test_a_patch_that_fails_at_a_late_step_changes_nothing(
    any_db_app, make_token, open_event, sign_up
):
    """Good fields, then a question the event does not ask: one save, so all of it fails."""
    event = open_event(title="Before", join_url="https://meet.example.org/1")
    sign_up(event, "ana@example.org")
    slug, sequence, version = event.slug, event.sequence, current_version()
    queued = len(outbox_messages())
    writer = Api(any_db_app.test_client()).as_(make_token("write"))
    change = {
        "title": "After",
        "join_url": "https://meet.example.org/2",
        "registration": {"approval": True},
        "questions": [
            {"type": "short_text", "label": "Fine"},
            {"id": 2**30, "type": "checkbox", "label": "Gone"},
        ],
    }

    response = writer.patch(f"/events/{slug}", change)

    assert_error(response, 422, "invalid", "questions.1.id")
    db.session.expire_all()
    kept = db.session.scalar(select(Event).where(Event.slug == slug))
    assert (kept.title, kept.join_url, kept.approval_required) == (
        "Before",
        "https://meet.example.org/1",
        False,
    )
    assert (kept.sequence, current_version()) == (sequence, version)
    assert len(outbox_messages()) == queued
    assert row_count(Question) == 0
