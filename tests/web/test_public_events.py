"""The events listing at /events and an event's page at /events/<slug>."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import render_template

from eventsvc.extensions import db
from eventsvc.services.events import (
    add_recording,
    cancel_event,
    postpone_event,
    reschedule_event,
)
from eventsvc.timezones import Schedule
from tests.helpers import in_days, json_ld, page_text

SUMMER = datetime(2026, 7, 30, 14, 0, tzinfo=UTC)
WINTER = datetime(2027, 1, 14, 15, 0, tzinfo=UTC)
SCHEMA = "https://schema.org/"


def _at(start: datetime, minutes: int = 90) -> dict:
    return {"starts_at": start, "ends_at": start + timedelta(minutes=minutes)}


# The events listing


def test_listing_shows_upcoming_soonest_first_and_past_most_recent_first(client, make_event):
    make_event(title="Later upcoming", **_at(in_days(30)))
    make_event(title="Sooner upcoming", **_at(in_days(3)))
    make_event(title="Long ago", **_at(in_days(-60)))
    make_event(title="Last week", **_at(in_days(-7)))
    make_event(title="Unpublished plan", publish=False, **_at(in_days(5)))

    text = page_text(client.get("/events").text)

    upcoming, past = text.split("Past events", 1)
    assert upcoming.index("Sooner upcoming") < upcoming.index("Later upcoming")
    assert past.index("Last week") < past.index("Long ago")
    assert "Long ago" not in upcoming and "Sooner upcoming" not in past
    assert "Unpublished plan" not in text


def test_listing_filters_by_series(client, make_event):
    make_event(title="In the series", series="Rethinking MSIs")
    make_event(title="Outside the series")

    text = page_text(client.get("/events?series=rethinking-msis").text)

    assert "In the series" in text
    assert "Outside the series" not in text


def test_listing_filters_by_tag(client, make_event):
    make_event(title="Tagged", tags=["Bolivia", "Accountability"])
    make_event(title="Untagged")

    text = page_text(client.get("/events?tag=bolivia").text)

    assert "Tagged" in text
    assert "Untagged" not in text


def test_listing_filters_by_an_organisation_in_any_role(client, make_event):
    make_event(title="Co-hosted by WOLA", credits=[("co_host", "organization", "WOLA")])
    make_event(title="WOLA speaks", credits=[("speaker", "organization", "WOLA")])
    make_event(title="Without WOLA", credits=[("host", "organization", "CELS")])

    text = page_text(client.get("/events?organization=wola").text)

    assert "Co-hosted by WOLA" in text and "WOLA speaks" in text
    assert "Without WOLA" not in text


def test_listing_has_a_labelled_filter_form_with_the_current_choice(client, make_event):
    make_event(
        series="Rethinking MSIs", tags=["Bolivia"], credits=[("host", "organization", "AIN")]
    )

    response = client.get("/events?tag=bolivia")

    for name in ("series", "tag", "organization"):
        assert f'<label for="filter-{name}">' in response.text
        assert f'<select id="filter-{name}" name="{name}">' in response.text
    assert '<option value="bolivia" selected>Bolivia</option>' in response.text
    assert '<option value="rethinking-msis">Rethinking MSIs</option>' in response.text
    assert '<option value="ain">AIN</option>' in response.text
    assert '<a href="/events">Clear filters</a>' in response.text


def test_listing_says_when_nothing_matches_and_an_unknown_filter_is_missing(client, make_event):
    make_event(title="Something")
    make_event(title="Long ago", series="Archive", **_at(in_days(-30)))

    text = page_text(client.get("/events?series=archive").text)

    assert "No upcoming events match these filters." in text
    assert "Something" not in text
    assert client.get("/events?series=no-such-series").status_code == 404


def test_listing_pages_past_events_keeping_the_filters(client, make_event):
    for number in range(21):
        make_event(title=f"Past {number:02d}", tags=["Archive"], **_at(in_days(-1 - number)))

    first = client.get("/events?tag=archive")
    second = client.get("/events?tag=archive&page=2")

    assert 'href="/events?page=2&amp;tag=archive"' in first.text
    assert "Past 20" in page_text(second.text)
    assert "Upcoming events" not in page_text(second.text)
    assert client.get("/events?tag=archive&page=3").status_code == 404


# The event page: time


@pytest.mark.parametrize(
    ("start", "shown"),
    [
        (SUMMER, "Thursday 30 July 2026, 10:00 EDT (UTC\u221204:00) \u2013 11:30"),
        (WINTER, "Thursday 14 January 2027, 10:00 EST (UTC\u221205:00) \u2013 11:30"),
    ],
)
def test_event_page_shows_the_time_in_new_york_with_abbreviation_and_offset(
    client, make_event, start, shown
):
    event = make_event(timezone="America/New_York", **_at(start))

    response = client.get(f"/events/{event.slug}")

    assert response.status_code == 200
    assert shown in page_text(response.text)
    utc = f"{start:%Y-%m-%dT%H:%M:%SZ}"
    assert f'Your time: <time datetime="{utc}" data-local-start' in response.text
    assert '<script src="/static/localtime.js" defer></script>' in response.text


def test_all_day_event_is_shown_as_dates(client, make_event):
    event = make_event(
        all_day=True,
        start_date=date(2027, 3, 4),
        end_date=date(2027, 3, 5),
        **_at(datetime(2027, 3, 4, 5, tzinfo=UTC), minutes=48 * 60),
    )

    response = client.get(f"/events/{event.slug}")

    assert "4 March 2027 \u2013 5 March 2027 (all day)" in page_text(response.text)
    assert "data-local-start" not in response.text


# The event page: content


def test_event_page_shows_title_kind_summary_and_sanitised_body(client, make_event):
    event = make_event(
        title="Beyond Business as Usual",
        summary="Lessons from workers and communities.",
        body="We will discuss **standard-setting**.\n\n[bad](javascript:alert(1))",
    )

    response = client.get(f"/events/{event.slug}")

    text = page_text(response.text)
    assert "<h1>Beyond Business as Usual</h1>" in response.text
    assert "Webinar" in text
    assert "Lessons from workers and communities." in text
    assert "<strong>standard-setting</strong>" in response.text
    assert 'href="javascript:' not in response.text


def test_event_page_credits_read_as_english_sentences(client, make_event):
    event = make_event(
        credits=[
            ("co_host", "organization", "AIN"),
            ("co_host", "organization", "CELS"),
            ("co_host", "organization", "WOLA"),
            ("moderator", "person", "Krizna Gomez"),
            ("live_illustrator", "person", "Sita Magnuson"),
        ]
    )

    text = page_text(client.get(f"/events/{event.slug}").text)

    assert "Co-hosted by AIN, CELS and WOLA" in text
    assert "Moderated by Krizna Gomez" in text
    assert "Live illustration by Sita Magnuson" in text


def test_event_page_links_organisations_with_their_logos(client, make_event, app):
    event = make_event(
        credits=[
            ("co_host", "organization", "MSI Integrity", "https://msi.example.org"),
            ("co_host", "organization", "Clinic", "https://clinic.example.org"),
        ]
    )
    msi, clinic = (credit.organization for credit in event.credits)
    msi.logo_path, msi.logo_alt = "a1b2c3.png", "MSI Integrity logo"
    clinic.logo_url, clinic.logo_alt = "https://cdn.example.org/clinic.png", "Clinic logo"
    db.session.commit()

    response = client.get(f"/events/{event.slug}")

    assert '<a href="https://msi.example.org">MSI Integrity</a>' in response.text
    assert '<img src="/uploads/a1b2c3.png" alt="MSI Integrity logo"' in response.text
    assert '<img src="https://cdn.example.org/clinic.png" alt="Clinic logo"' in response.text


def test_event_page_says_online_for_a_webinar_and_gives_the_venue_in_person(client, make_event):
    webinar = make_event(title="Online talk", kind="webinar")
    meeting = make_event(
        title="Meeting", kind="in_person", venue="Wasserstein Hall", address="1585 Mass Ave"
    )

    assert "Where Online" in page_text(client.get(f"/events/{webinar.slug}").text)
    meeting_text = page_text(client.get(f"/events/{meeting.slug}").text)
    assert "Where Wasserstein Hall, 1585 Mass Ave" in meeting_text
    assert "Online" not in meeting_text.split("Where", 1)[1].split("Register", 1)[0]


def test_event_page_links_series_and_tags_to_the_filtered_listing(client, make_event):
    event = make_event(series="Rethinking MSIs", tags=["Bolivia"])

    response = client.get(f"/events/{event.slug}")

    assert '<a href="/events?series=rethinking-msis">Rethinking MSIs</a>' in response.text
    assert '<a href="/events?tag=bolivia">Bolivia</a>' in response.text


def test_event_page_shows_the_image_with_its_alt_text(client, make_event):
    event = make_event(
        image_url="https://cdn.example.org/panel.jpg", image_alt="Four panellists on a stage"
    )

    response = client.get(f"/events/{event.slug}")

    image = '<img class="event-image" src="https://cdn.example.org/panel.jpg"'
    assert f'{image} alt="Four panellists on a stage">' in response.text


def test_event_page_links_the_recording_once_posted(client, make_event):
    event = make_event(**_at(in_days(-3)))
    assert "Watch the recording" not in client.get(f"/events/{event.slug}").text

    add_recording(event, "https://video.example.org/watch/42", "Full session")
    response = client.get(f"/events/{event.slug}")

    assert (
        '<a class="button" href="https://video.example.org/watch/42">'
        "Watch the recording: Full session</a>"
    ) in response.text


# The event page: status


def test_cancelled_event_shows_a_banner_with_the_reason(client, make_event):
    event = make_event()
    cancel_event(event, "The speakers cannot travel.")

    text = page_text(client.get(f"/events/{event.slug}").text)

    assert "Cancelled. This event will not take place. The speakers cannot travel." in text
    assert "registration is closed" in text


def test_postponed_event_shows_a_banner_with_the_reason(client, make_event):
    event = make_event()
    postpone_event(event, "Waiting for the venue.")

    text = page_text(client.get(f"/events/{event.slug}").text)

    assert "Postponed. A new date will be announced here. Waiting for the venue." in text


def test_rescheduled_event_strikes_through_the_old_time(client, make_event):
    event = make_event(timezone="America/New_York", **_at(SUMMER))
    moved = SUMMER + timedelta(days=7)
    reschedule_event(event, Schedule(event.timezone, moved, moved + timedelta(minutes=90)))

    response = client.get(f"/events/{event.slug}")

    assert "<del>Thursday 30 July 2026, 10:00 EDT (UTC\u221204:00)</del>" in response.text
    assert "<ins>Thursday 6 August 2026, 10:00 EDT (UTC\u221204:00) \u2013 11:30</ins>" in (
        response.text
    )


# The event page: structured data and sharing


def test_json_ld_describes_a_scheduled_webinar(client, make_event):
    event = make_event(
        title="Beyond Business as Usual",
        kind="webinar",
        join_url="https://zoom.example.org/j/secret-room",
        summary="A discussion.",
        image_url="https://cdn.example.org/panel.jpg",
        credits=[
            ("co_host", "organization", "MSI Integrity", "https://msi.example.org"),
            ("host", "organization", "Clinic"),
            ("moderator", "person", "Krizna Gomez"),
            ("live_illustrator", "person", "Sita Magnuson"),
            ("panelist", "person", "Ana Ruiz"),
        ],
        **_at(SUMMER),
    )

    data = json_ld(client.get(f"/events/{event.slug}").text)

    page_url = f"http://localhost/events/{event.slug}"
    assert data["@context"] == "https://schema.org" and data["@type"] == "Event"
    assert data["name"] == "Beyond Business as Usual"
    assert data["startDate"] == "2026-07-30T10:00:00-04:00"
    assert data["endDate"] == "2026-07-30T11:30:00-04:00"
    assert data["eventStatus"] == SCHEMA + "EventScheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert data["location"] == {"@type": "VirtualLocation", "url": page_url}
    assert data["organizer"] == [
        {"@type": "Organization", "name": "Clinic"},
        {"@type": "Organization", "name": "MSI Integrity", "url": "https://msi.example.org"},
    ]
    assert [p["name"] for p in data["performer"]] == ["Krizna Gomez", "Ana Ruiz", "Sita Magnuson"]
    assert data["image"] == "https://cdn.example.org/panel.jpg"
    assert data["description"] == "A discussion."
    assert "previousStartDate" not in data
    assert "secret-room" not in str(data)


def test_json_ld_of_a_rescheduled_in_person_event_has_the_place_and_previous_start(
    client, make_event
):
    event = make_event(
        kind="in_person",
        venue="Wasserstein Hall",
        address="1585 Massachusetts Ave, Cambridge",
        timezone="America/New_York",
        **_at(WINTER),
    )
    moved = WINTER + timedelta(days=1)
    reschedule_event(event, Schedule(event.timezone, moved, moved + timedelta(hours=2)))

    data = json_ld(client.get(f"/events/{event.slug}").text)

    assert data["eventStatus"] == SCHEMA + "EventRescheduled"
    assert data["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert data["location"] == {
        "@type": "Place",
        "name": "Wasserstein Hall",
        "address": "1585 Massachusetts Ave, Cambridge",
    }
    assert data["previousStartDate"] == "2027-01-14T10:00:00-05:00"
    assert data["startDate"] == "2027-01-15T10:00:00-05:00"


@pytest.mark.parametrize(
    ("change", "status"),
    [(cancel_event, "EventCancelled"), (postpone_event, "EventPostponed")],
)
def test_json_ld_status_follows_the_event(client, make_event, change, status):
    event = make_event()
    change(event, "A reason.")

    assert json_ld(client.get(f"/events/{event.slug}").text)["eventStatus"] == SCHEMA + status


def test_json_ld_of_a_hybrid_event_has_a_place_and_the_page(client, make_event):
    event = make_event(kind="hybrid", venue="Town Hall")

    data = json_ld(client.get(f"/events/{event.slug}").text)

    assert data["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert data["location"] == [
        {"@type": "Place", "name": "Town Hall"},
        {"@type": "VirtualLocation", "url": f"http://localhost/events/{event.slug}"},
    ]


def test_event_page_has_open_graph_tags(client, make_event, app):
    app.config["BASE_URL"] = "https://events.example.org"
    event = make_event(title="Beyond Business as Usual", summary="A discussion.")

    response = client.get(f"/events/{event.slug}")

    url = f"https://events.example.org/events/{event.slug}"
    assert '<meta property="og:title" content="Beyond Business as Usual">' in response.text
    assert '<meta property="og:description" content="A discussion.">' in response.text
    assert '<meta property="og:type" content="website">' in response.text
    assert f'<meta property="og:url" content="{url}">' in response.text
    assert f'<link rel="canonical" href="{url}">' in response.text


def test_a_pictured_event_and_the_news_announcing_it_carry_social_cards(
    client, make_event, make_news
):
    event = make_event(
        title="Land defenders",
        summary="A panel.",
        image_url="https://cdn.example.org/panel.jpg",
        image_alt="Four panellists on a stage",
    )
    item = make_news(title="Join our panel", excerpt="On 30 July.", events=[event])

    for path, title, description in (
        (f"/events/{event.slug}", "Land defenders", "A panel."),
        (f"/news/{item.slug}", "Join our panel", "On 30 July."),
    ):
        page = client.get(path).text
        for tag in (
            '<meta property="og:image" content="https://cdn.example.org/panel.jpg">',
            '<meta property="og:image:alt" content="Four panellists on a stage">',
            '<meta name="twitter:card" content="summary_large_image">',
            f'<meta name="twitter:title" content="{title}">',
            f'<meta name="twitter:description" content="{description}">',
            '<meta name="twitter:image" content="https://cdn.example.org/panel.jpg">',
            '<meta name="twitter:image:alt" content="Four panellists on a stage">',
        ):
            assert tag in page, (path, tag)
        assert len(json_ld_blocks(page)) == (1 if path.startswith("/events") else 0)


def test_without_a_picture_the_social_card_is_a_summary(client, make_event, make_news):
    event = make_event(title="Plain event")
    item = make_news(title="Plain news")

    for path in (f"/events/{event.slug}", f"/news/{item.slug}"):
        page = client.get(path).text
        assert '<meta name="twitter:card" content="summary">' in page, path
        assert "og:image" not in page and "twitter:image" not in page, path


def json_ld_blocks(page: str) -> list[str]:
    return re.findall(r'<script type="application/ld\+json">', page)


# The event page: who may see it


def test_draft_event_is_not_found(client, make_event):
    event = make_event(publish=False)

    assert client.get(f"/events/{event.slug}").status_code == 404


def test_unknown_event_is_not_found(client):
    assert client.get("/events/no-such-event").status_code == 404


def test_the_page_template_renders_a_draft_as_a_marked_preview(app, make_event):
    event = make_event(publish=False, title="Work in progress")

    with app.test_request_context("/admin/preview"):
        html = render_template("public/event.html", event=event, preview=True)

    assert "Preview \u2014 not published" in page_text(html)
    assert "Work in progress" in html
    assert '<meta name="robots" content="noindex">' in html


def test_published_page_has_no_preview_banner(client, make_event):
    event = make_event()

    assert "not published" not in client.get(f"/events/{event.slug}").text


def test_event_page_runs_the_same_queries_however_much_there_is(make_event, statements_to_get):
    small = make_event(
        title="Small",
        credits=[("host", "organization", "Clinic")],
        tags=["One"],
        **_at(in_days(-3)),
    )
    add_recording(small, "https://video.example.org/1")
    credits = [("co_host", "organization", f"Partner {n}") for n in range(6)]
    credits += [("speaker", "person", f"Speaker {n}") for n in range(4)]
    large = make_event(
        title="Large",
        series="Series",
        credits=credits,
        tags=[f"Tag {n}" for n in range(5)],
        **_at(in_days(-3)),
    )
    for n in range(3):
        add_recording(large, f"https://video.example.org/{n}")
    small_slug, large_slug = small.slug, large.slug

    assert statements_to_get(f"/events/{large_slug}") == statements_to_get(f"/events/{small_slug}")


def test_events_listing_runs_the_same_queries_however_much_there_is(make_event, statements_to_get):
    make_event(title="Coming", credits=[("host", "organization", "Clinic")], **_at(in_days(2)))
    make_event(title="Gone", credits=[("host", "organization", "Clinic")], **_at(in_days(-2)))
    few = statements_to_get("/events")
    for n in range(8):
        make_event(
            title=f"Event {n}",
            series=f"Series {n}",
            tags=[f"Tag {n}"],
            credits=[("co_host", "organization", f"Org {n}"), ("speaker", "person", f"P {n}")],
            **_at(in_days(n - 4)),
        )

    assert statements_to_get("/events") == few


def test_event_page_drops_an_image_address_that_is_not_a_web_link(client, make_event):
    event = make_event(image_url="javascript:alert(1)", image_alt="Panel")

    response = client.get(f"/events/{event.slug}")

    assert "event-image" not in response.text
    assert "javascript:" not in response.text
