"""How feeds answer over HTTP (ICAL-INTEROP items 18-21), through the test client."""

from datetime import timedelta

import pytest
from werkzeug.http import http_date, parse_date

from eventsvc.services.events import delete_event, set_visibility
from tests.helpers import in_days

SECRET_LINK = "https://zoom.example/j/555?pwd=registrants-only"
SECRET_NOTE = "Caterer's phone is in the shared drive"


@pytest.fixture
def listed(make_event):
    """A published webinar with a series, a tag, a co-host, a join link and a staff note."""
    return make_event(
        title="Rethinking multi-stakeholder initiatives",
        series="Rethinking MSIs",
        tags=["Due diligence"],
        credits=[("co_host", "organization", "MSI Integrity")],
        join_url=SECRET_LINK,
        internal_note=SECRET_NOTE,
    )


FEEDS = [
    ("/calendar.ics", "inline", "calendar.ics"),
    ("/calendar/series/rethinking-msis.ics", "inline", "rethinking-msis.ics"),
    ("/calendar/tags/due-diligence.ics", "inline", "due-diligence.ics"),
    ("/calendar/organizations/msi-integrity.ics", "inline", "msi-integrity.ics"),
    (
        "/events/rethinking-multi-stakeholder-initiatives.ics",
        "attachment",
        "rethinking-multi-stakeholder-initiatives.ics",
    ),
]


@pytest.mark.parametrize(("path", "disposition", "filename"), FEEDS)
def test_a_feed_is_calendar_text_with_its_name_and_validators(
    client, listed, path, disposition, filename
):
    response = client.get(path, headers={"Accept-Encoding": "gzip, br"})

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == f'{disposition}; filename="{filename}"'
    assert response.headers["ETag"].startswith('"')
    assert parse_date(response.headers["Last-Modified"]) is not None
    assert "Content-Encoding" not in response.headers
    assert listed.uid.encode() in response.data


@pytest.mark.parametrize("path", [path for path, _, _ in FEEDS])
def test_public_feeds_never_carry_the_join_link_or_the_staff_note(client, listed, path):
    body = client.get(path).data.decode()

    assert "zoom.example" not in body
    assert "registrants-only" not in body
    assert "Caterer" not in body


def test_a_matching_etag_answers_304_in_any_form_a_client_sends(client, listed):
    etag = client.get("/calendar.ics").headers["ETag"]

    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        response = client.get("/calendar.ics", headers={"If-None-Match": sent})
        assert response.status_code == 304, sent
        assert response.data == b""
        assert response.headers["ETag"] == etag


def test_an_old_etag_gets_the_feed_even_with_a_recent_if_modified_since(client, listed):
    later = http_date(in_days(1))

    response = client.get(
        "/calendar.ics", headers={"If-None-Match": '"old"', "If-Modified-Since": later}
    )

    assert response.status_code == 200
    assert listed.uid.encode() in response.data


def test_if_modified_since_answers_304_until_something_changes(client, listed):
    last_modified = client.get("/calendar.ics").headers["Last-Modified"]

    same = client.get("/calendar.ics", headers={"If-Modified-Since": last_modified})
    earlier = parse_date(last_modified) - timedelta(seconds=1)
    older = client.get("/calendar.ics", headers={"If-Modified-Since": http_date(earlier)})

    assert same.status_code == 304
    assert older.status_code == 200


def test_head_answers_like_get_without_a_body(client, listed):
    get = client.get("/calendar.ics")
    head = client.head("/calendar.ics")

    assert head.status_code == 200
    assert head.data == b""
    for name in ("Content-Type", "Content-Disposition", "ETag", "Last-Modified"):
        assert head.headers[name] == get.headers[name]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_no_accept_header_is_needed_and_an_html_one_changes_nothing(client, listed):
    plain = client.get("/calendar.ics", headers={})
    browser = client.get("/calendar.ics", headers={"Accept": "text/html"})

    assert plain.status_code == browser.status_code == 200
    assert plain.data == browser.data


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_are_refused_with_405_and_allow(client, listed, method):
    response = getattr(client, method)("/calendar.ics")

    assert response.status_code == 405
    assert {"GET", "HEAD"} <= {m.strip() for m in response.headers["Allow"].split(",")}


@pytest.mark.parametrize(
    "path",
    [
        "/calendar/series/no-such-series.ics",
        "/calendar/tags/no-such-tag.ics",
        "/calendar/organizations/no-such-organisation.ics",
        "/events/no-such-event.ics",
    ],
)
def test_an_unknown_feed_is_404_and_never_an_empty_calendar(client, listed, path):
    response = client.get(path)

    assert response.status_code == 404
    assert b"BEGIN:VCALENDAR" not in response.data
    assert not response.headers["Content-Type"].startswith("text/calendar")


def test_a_draft_has_no_download_and_is_in_no_feed(client, make_event):
    draft = make_event(title="Unannounced workshop", publish=False, series="Rethinking MSIs")

    assert client.get(f"/events/{draft.slug}.ics").status_code == 404
    for path in ("/calendar.ics", "/calendar/series/rethinking-msis.ics"):
        assert draft.uid.encode() not in client.get(path).data


def test_an_event_taken_down_answers_410_for_its_page_and_download(client, make_event):
    withdrawn = make_event(title="Withdrawn briefing")
    set_visibility(withdrawn, False)
    paths = (f"/events/{withdrawn.slug}", f"/events/{withdrawn.slug}.ics")

    assert [client.get(path).status_code for path in paths] == [410, 410]
    delete_event(withdrawn)
    assert [client.get(path).status_code for path in paths] == [410, 410]
    gone = client.get(paths[1])
    assert b"BEGIN:VCALENDAR" not in gone.data
    assert client.get("/events/never-was").status_code == 404


def test_an_empty_feed_is_still_a_whole_calendar(client):
    response = client.get("/calendar.ics")

    assert response.status_code == 200
    assert response.data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert response.data.endswith(b"END:VCALENDAR\r\n")
    assert b"BEGIN:VEVENT" not in response.data


def _statements_for(client, sql_statements, path, **headers) -> int:
    client.get(path)  # rebuilds any stale entry first
    sql_statements.clear()
    assert client.get(path, headers=headers).status_code in (200, 304)
    return len(sql_statements)


@pytest.mark.parametrize("path", [path for path, _, _ in FEEDS])
def test_sql_statements_per_request_do_not_grow_with_the_feed(
    client, make_event, listed, sql_statements, path
):
    small = _statements_for(client, sql_statements, path)
    etag = client.get(path).headers["ETag"]
    small_304 = _statements_for(client, sql_statements, path, **{"If-None-Match": etag})
    for number in range(25):
        make_event(
            title=f"Session {number}",
            series="Rethinking MSIs",
            tags=["Due diligence", f"Topic {number}"],
            credits=[("co_host", "organization", "MSI Integrity"), ("moderator", "person", "A")],
        )

    large = _statements_for(client, sql_statements, path)
    etag = client.get(path).headers["ETag"]

    assert large == small <= 5
    assert _statements_for(client, sql_statements, path, **{"If-None-Match": etag}) == small_304
