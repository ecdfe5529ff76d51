"""The admin's event pages: the form and its times, credits, images, status changes, recordings."""

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import Event, NewsItem, Organization, Person
from tests.helpers import (
    ATTRIBUTE,
    PNG,
    SCRIPT,
    error_of,
    form_values,
    in_days,
    only,
    page_text,
    row_count,
)


def event_data(**overrides) -> dict:
    """A valid event form submission: a 90-minute webinar in New York."""
    data = {
        "title": "Beyond Business as Usual",
        "kind": "webinar",
        "timezone": "America/New_York",
        "start": "2026-07-30T10:00",
        "duration": "90",
        "summary": "A discussion about accountable governance.",
        "body": "We ask **who** is accountable.",
        "venue": "",
        "address": "",
        "join_url": "https://meet.example.org/abc",
        "capacity": "",
        "series": "#RethinkingMSIs",
        "tags": "governance, business",
        "internal_note": "",
    }
    data.update(overrides)
    return data


def credit_rows(*rows) -> dict:
    """Form fields for credit rows given as (role, kind, name, url[, affiliation])."""
    data = {}
    for index, (role, kind, name, url, *affiliation) in enumerate(rows):
        data.update(
            {
                f"credits-{index}-role": role,
                f"credits-{index}-kind": kind,
                f"credits-{index}-name": name,
                f"credits-{index}-url": url,
                f"credits-{index}-affiliation": "".join(affiliation),
            }
        )
    return data


def test_staff_create_a_webinar_with_credits_and_see_it_in_its_own_zone(client, editor):
    data = event_data() | credit_rows(
        ("co_host", "organization", "MSI Integrity", "https://msi.example.org"),
        ("co_host", "organization", "Human Rights Clinic", ""),
        ("moderator", "person", "Amina Diallo", ""),
    )
    response = client.post("/admin/events/new", data=data)

    event = only(Event)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/events/{event.id}"
    assert event.visibility == "draft"
    assert event.starts_at == datetime(2026, 7, 30, 14, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 7, 30, 15, 30, tzinfo=UTC)
    assert [c.as_dict() for c in event.credits] == [
        {"role": "co_host", "kind": "organization", "name": "MSI Integrity",
         "url": "https://msi.example.org"},
        {"role": "co_host", "kind": "organization", "name": "Human Rights Clinic", "url": None},
        {"role": "moderator", "kind": "person", "name": "Amina Diallo", "url": None},
    ]  # fmt: skip
    assert event.series.name == "#RethinkingMSIs"
    assert [tag.name for tag in event.tags] == ["business", "governance"]
    page = client.get(response.headers["Location"], follow_redirects=True)
    text = page_text(page.text)
    assert "Saved “Beyond Business as Usual” as a draft." in text
    assert "Thursday 30 July 2026, 10:00 EDT (UTC−04:00) – 11:30" in text
    assert "Moderator: Amina Diallo" in text


def test_a_time_that_does_not_exist_is_an_error_on_the_start_naming_the_gap(client, editor):
    response = client.post(
        "/admin/events/new", data=event_data(start="2026-03-08T02:30", venue="Room 4")
    )

    assert response.status_code == 400
    assert error_of(response.text, "start") == (
        "2:30 does not exist on 8 March 2026 in America/New_York: clocks move from 2:00 to 3:00"
    )
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="start"', response.text)
    assert 'aria-describedby="start-help start-error"' in response.text
    assert 'value="2026-03-08T02:30"' in response.text
    assert 'value="Room 4"' in response.text
    assert db.session.scalars(select(Event)).all() == []


def test_an_ambiguous_time_is_its_first_occurrence_and_shown_with_its_offset(client, editor):
    client.post("/admin/events/new", data=event_data(start="2026-11-01T01:30", duration="60"))

    event = only(Event)
    assert event.starts_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    page = page_text(client.get(f"/admin/events/{event.id}").text)
    assert "Sunday 1 November 2026, 01:30 EDT (UTC−04:00)" in page


def test_the_offset_choice_picks_the_second_occurrence_of_an_ambiguous_time(client, editor):
    data = event_data(start="2026-11-01T01:30", start_offset="-05:00", duration="60")
    client.post("/admin/events/new", data=data)

    event = only(Event)
    assert event.starts_at == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert "01:30 EST (UTC−05:00)" in page_text(client.get(f"/admin/events/{event.id}").text)
    edit = client.get(f"/admin/events/{event.id}/edit").text
    assert form_values(edit)["start_offset"] == "-05:00"


def test_an_offset_left_on_a_time_that_occurs_once_must_be_its_offset(client, editor):
    refused = client.post("/admin/events/new", data=event_data(start_offset="+01:00"))
    assert refused.status_code == 400
    assert error_of(refused.text, "start_offset") == (
        "America/New_York is not at UTC+01:00 at 10:00 on 30 July 2026; it is at UTC−04:00"
    )

    client.post("/admin/events/new", data=event_data(start_offset="-04:00"))

    assert only(Event).starts_at == datetime(2026, 7, 30, 14, 0, tzinfo=UTC)


def test_an_offset_the_zone_does_not_have_then_is_an_error_on_the_offset(client, editor):
    data = event_data(start="2026-11-01T01:30", start_offset="+01:00", duration="60")
    response = client.post("/admin/events/new", data=data)

    assert response.status_code == 400
    assert error_of(response.text, "start_offset") == (
        "America/New_York is not at UTC+01:00 at 1:30 on 1 November 2026; "
        "it is at UTC−04:00 or UTC−05:00"
    )


@pytest.mark.parametrize(
    ("changes", "field_id", "message"),
    [
        ({"end": "2026-07-30T09:00", "duration": ""}, "end", "The end must be after the start"),
        ({"end": "2026-08-14T10:01", "duration": ""}, "end", "An event can last at most 14 days"),
        ({"duration": str(14 * 24 * 60 + 1)}, "duration", "An event can last at most 14 days"),
        ({"end": "2026-07-30T12:00"}, "duration", "Give an end or a duration, not both"),
        ({"duration": ""}, "end", "Enter when it ends, or a duration in minutes"),
        ({"start": ""}, "start", "Enter the date and time it starts"),
        ({"start": "next tuesday"}, "start", "Enter a date and a time"),
    ],
)
def test_bad_times_are_refused_next_to_their_field(client, editor, changes, field_id, message):
    response = client.post("/admin/events/new", data=event_data(**changes))

    assert response.status_code == 400
    assert error_of(response.text, field_id) == message
    assert db.session.scalars(select(Event)).all() == []


def test_a_duration_is_elapsed_time_across_a_change_of_clocks(client, editor):
    client.post(
        "/admin/events/new",
        data=event_data(timezone="Europe/London", start="2026-10-25T00:30", duration="90"),
    )

    event = only(Event)
    assert event.ends_at - event.starts_at == timedelta(minutes=90)


def test_missing_required_fields_are_named_and_the_rest_of_the_input_is_kept(client, editor):
    data = event_data(title="  ", timezone="", venue="Main hall", summary="Keep me")
    data |= credit_rows(("speaker", "person", "Jo Bloggs", ""))
    response = client.post("/admin/events/new", data=data)

    assert response.status_code == 400
    assert error_of(response.text, "title") == "Enter a title"
    assert error_of(response.text, "timezone") == "Choose the time zone the event is timed in"
    summary = page_text(response.text.split('class="error-summary"')[1].split("</div>")[0])
    assert "Title: Enter a title" in summary
    values = form_values(response.text)
    assert values["venue"] == "Main hall"
    assert values["summary"] == "Keep me"
    assert values["credits-0-name"] == "Jo Bloggs"
    assert values["credits-0-role"] == "speaker"
    assert values["join_url"] == "https://meet.example.org/abc"


def test_an_all_day_event_takes_first_and_last_days(client, editor):
    data = event_data(all_day="y", first_day="2026-09-14", last_day="2026-09-16", start="")
    client.post("/admin/events/new", data=data)

    event = only(Event)
    assert event.all_day
    assert (event.start_date, event.end_date) == (date(2026, 9, 14), date(2026, 9, 16))
    assert event.starts_at == datetime(2026, 9, 14, 4, 0, tzinfo=UTC)
    assert "14 September 2026 – 16 September 2026 (all day)" in page_text(
        client.get(f"/admin/events/{event.id}").text
    )


def test_an_all_day_event_ending_before_it_starts_is_refused(client, editor):
    data = event_data(all_day="y", first_day="2026-09-14", last_day="2026-09-13")
    response = client.post("/admin/events/new", data=data)

    assert response.status_code == 400
    assert error_of(response.text, "last_day") == "The last day must not be before the first"


def test_join_links_and_image_addresses_must_be_web_addresses(client, editor):
    data = event_data(join_url="javascript:alert(1)", image_url="data:image/png;base64,AAAA")
    response = client.post("/admin/events/new", data=data)

    assert response.status_code == 400
    message = "Enter a web address starting with https:// or http://"
    assert error_of(response.text, "join_url") == message
    assert error_of(response.text, "image_url") == message


def test_capacity_must_be_a_positive_whole_number(client, editor):
    response = client.post("/admin/events/new", data=event_data(capacity="0"))

    assert response.status_code == 400
    assert error_of(response.text, "capacity") == "Give at least 1 place"


def test_the_edit_form_shows_stored_times_as_wall_clock_times_in_the_event_zone(
    client, editor, make_event
):
    event = make_event(
        timezone="Australia/Sydney",
        starts_at=datetime(2026, 4, 4, 23, 0, tzinfo=UTC),
        ends_at=datetime(2026, 4, 5, 1, 0, tzinfo=UTC),
    )

    values = form_values(client.get(f"/admin/events/{event.id}/edit").text)

    assert values["timezone"] == "Australia/Sydney"
    assert values["start"] == "2026-04-05T09:00"
    assert values["end"] == "2026-04-05T11:00"


def _edit(client, event, **changes):
    """Submit the event's edit form as the page shows it, with some fields changed."""
    values = form_values(client.get(f"/admin/events/{event.id}/edit").text) | changes
    return client.post(f"/admin/events/{event.id}/edit", data=values)


def test_editing_only_the_internal_note_or_capacity_keeps_the_calendar_version(
    client, editor, make_event
):
    event = make_event(
        credits=[("co_host", "organization", "MSI Integrity"), ("moderator", "person", "Ana")],
        tags=["governance"],
        series="#RethinkingMSIs",
        summary="Two lines\nof summary.",
    )
    changed_at = event.calendar_changed_at

    assert _edit(client, event, internal_note="Call the venue").status_code == 302
    assert _edit(client, event, capacity="80").status_code == 302

    db.session.refresh(event)
    assert (event.internal_note, event.capacity) == ("Call the venue", 80)
    assert event.sequence == 0
    assert event.calendar_changed_at == changed_at


def test_editing_the_time_raises_the_calendar_version(client, editor, make_event):
    event = make_event()
    day = f"{in_days(12):%Y-%m-%d}"

    response = _edit(client, event, start=f"{day}T09:00", end=f"{day}T10:30")

    assert response.status_code == 302
    db.session.refresh(event)
    assert event.sequence == 1
    assert event.local_start.hour == 9


class TestCreditsEditor:
    """Rows are added, moved and removed without JavaScript; nothing is saved until Save."""

    def test_add_another_credit_shows_one_more_row_and_saves_nothing(self, client, editor):
        data = event_data() | credit_rows(("host", "organization", "Clinic", ""))
        data["credit_action"] = "add"

        response = client.post("/admin/events/new", data=data)

        assert response.status_code == 200
        values = form_values(response.text)
        assert values["credits-0-name"] == "Clinic"
        assert "credits-3-name" in values
        assert db.session.scalars(select(Event)).all() == []

    def test_move_up_and_remove_rearrange_rows_which_save_in_order(self, client, editor):
        rows = credit_rows(
            ("co_host", "organization", "First", ""),
            ("co_host", "organization", "Second", ""),
            ("moderator", "person", "Third", ""),
        )
        moved = client.post(
            "/admin/events/new", data=event_data() | rows | {"credit_action": "up-1"}
        )
        values = form_values(moved.text)
        assert [values[f"credits-{i}-name"] for i in range(3)] == ["Second", "First", "Third"]

        removed = client.post("/admin/events/new", data=values | {"credit_action": "remove-1"})
        values = form_values(removed.text)
        assert [values[f"credits-{i}-name"] for i in range(2)] == ["Second", "Third"]

        client.post("/admin/events/new", data=values)
        assert [c.name for c in only(Event).credits] == ["Second", "Third"]

    def test_the_buttons_return_to_the_credits_section(self, client, editor):
        page = client.get("/admin/events/new").text

        assert 'formaction="/admin/events/new#credits"' in page
        assert 'name="credit_action" value="add"' in page

    def test_existing_names_are_suggested_with_what_tells_them_apart(
        self, client, editor, make_event
    ):
        make_event(
            credits=[
                ("co_host", "organization", "MSI Integrity", "https://msi.example.org"),
                ("moderator", "person", "Krizna Gomez", None, "Director of Programs, JustLabs"),
            ]
        )

        page = client.get("/admin/events/new").text

        assert (
            '<option value="Krizna Gomez" label="Person · Director of Programs, JustLabs" '
            'data-kind="person" data-url="" data-affiliation="Director of Programs, JustLabs">'
        ) in page
        assert (
            '<option value="MSI Integrity" label="Organisation · https://msi.example.org" '
            'data-kind="organization" data-url="https://msi.example.org" data-affiliation="">'
        ) in page
        assert 'list="credit-names"' in page
        assert "credits.js" in page

    def test_a_person_is_credited_with_name_affiliation_and_web_address(self, client, editor):
        data = event_data() | credit_rows(
            ("moderator", "person", "Krizna Gomez", "https://justlabs.example.org",
             "Director of Programs, JustLabs"),
        )  # fmt: skip

        assert client.post("/admin/events/new", data=data).status_code == 302

        [credit] = only(Event).credits
        assert (credit.name, credit.person.affiliation, credit.person.url) == (
            "Krizna Gomez",
            "Director of Programs, JustLabs",
            "https://justlabs.example.org",
        )
        values = form_values(client.get(f"/admin/events/{only(Event).id}/edit").text)
        assert values["credits-0-affiliation"] == "Director of Programs, JustLabs"

    def test_a_known_name_is_reused_and_what_is_typed_for_it_is_saved_and_said(
        self, client, editor, make_event
    ):
        make_event(credits=[("moderator", "person", "Krizna Gomez")])
        data = event_data(title="Second webinar") | credit_rows(
            ("moderator", "person", " krizna gomez ", "https://justlabs.example.org",
             "Director of Programs, JustLabs"),
        )  # fmt: skip

        response = client.post("/admin/events/new", data=data, follow_redirects=True)

        [person] = db.session.scalars(select(Person)).all()
        assert (person.name, person.url, person.affiliation) == (
            "Krizna Gomez",
            "https://justlabs.example.org",
            "Director of Programs, JustLabs",
        )
        text = page_text(response.text)
        assert "The web address of “Krizna Gomez” is now https://justlabs.example.org." in text
        assert "The affiliation of “Krizna Gomez” is now Director of Programs, JustLabs." in text

    def test_a_known_name_keeps_its_details_when_none_are_typed(self, client, editor, make_event):
        make_event(credits=[("co_host", "organization", "MSI Integrity", "https://msi.example")])
        data = event_data() | credit_rows(("co_host", "organization", "MSI Integrity", ""))

        client.post("/admin/events/new", data=data)

        assert db.session.scalars(select(Organization.url)).all() == ["https://msi.example"]

    def test_a_known_name_of_the_other_kind_is_refused(self, client, editor, make_event):
        make_event(credits=[("moderator", "person", "Krizna Gomez")])
        data = event_data(title="Another") | credit_rows(
            ("co_host", "organization", "Krizna Gomez", ""),
            ("co_host", "organization", "JustLabs", "", "Lab"),
        )

        response = client.post("/admin/events/new", data=data)

        assert response.status_code == 400
        assert error_of(response.text, "credits-0-name") == (
            "“Krizna Gomez” is a person here: choose Person, or give the organisation’s name"
        )
        assert error_of(response.text, "credits-1-affiliation") == (
            "Only people have an affiliation: leave it empty, or choose Person"
        )
        assert row_count(Organization) == 0

    def test_a_known_person_typed_with_their_affiliation_is_not_made_again(
        self, client, editor, make_event
    ):
        make_event(credits=[("speaker", "person", "Krizna Gomez")])
        data = event_data(title="Another") | credit_rows(
            ("speaker", "person", "Krizna Gomez, Director of Programs at JustLabs", ""),
        )

        response = client.post("/admin/events/new", data=data)

        assert response.status_code == 400
        assert error_of(response.text, "credits-0-name") == (
            "“Krizna Gomez” is known: give the name alone, and "
            "“Director of Programs at JustLabs” as the affiliation"
        )
        assert db.session.scalars(select(Person.name)).all() == ["Krizna Gomez"]


class TestImage:
    def test_an_uploaded_image_is_stored_under_a_random_name(self, client, editor, app):
        data = event_data(image_alt="Panelists on a stage")
        data["image"] = (BytesIO(PNG), "../../etc/passwd.png")

        client.post("/admin/events/new", data=data, content_type="multipart/form-data")

        event = only(Event)
        assert re.fullmatch(r"[0-9a-f]{32}\.png", event.image_path)
        assert (Path(app.config["UPLOAD_DIR"]) / event.image_path).read_bytes() == PNG
        assert event.image_alt == "Panelists on a stage"

    def test_a_file_that_is_not_an_image_is_refused_with_a_clear_error(self, client, editor):
        data = event_data(image_alt="A picture", venue="Kept")
        data["image"] = (BytesIO(b"<svg onload=alert(1)>"), "picture.png")

        response = client.post("/admin/events/new", data=data, content_type="multipart/form-data")

        assert response.status_code == 400
        assert error_of(response.text, "image") == "Upload a PNG, JPEG, GIF or WebP image"
        assert form_values(response.text)["venue"] == "Kept"
        assert db.session.scalars(select(Event)).all() == []

    def test_an_image_needs_alt_text(self, client, editor):
        response = client.post(
            "/admin/events/new", data=event_data(image_url="https://example.org/a.jpg")
        )

        assert response.status_code == 400
        assert error_of(response.text, "image_alt") == (
            "Describe the image for people who cannot see it"
        )

    def test_a_chosen_image_is_kept_through_an_error_and_a_credit_change(self, client, editor, app):
        data = event_data(title="", image_alt="Panelists on a stage")
        data["image"] = (BytesIO(PNG), "panel.png")

        refused = client.post("/admin/events/new", data=data, content_type="multipart/form-data")
        values = form_values(refused.text)
        rearranged = client.post(
            "/admin/events/new", data=values | {"title": "Kept", "credit_action": "add"}
        )
        saved = client.post("/admin/events/new", data=form_values(rearranged.text))

        assert refused.status_code == 400 and saved.status_code == 302
        assert "The image you chose is kept" in page_text(refused.text)
        assert "The image you chose is kept" in page_text(rearranged.text)
        event = only(Event)
        assert (Path(app.config["UPLOAD_DIR"]) / event.image_path).read_bytes() == PNG
        assert event.image_alt == "Panelists on a stage"

    def test_a_forged_image_reference_is_ignored(self, client, editor, app):
        stored = Path(app.config["UPLOAD_DIR"])
        stored.mkdir(parents=True, exist_ok=True)
        (stored / "someone-elses.png").write_bytes(PNG)

        client.post("/admin/events/new", data=event_data(chosen_image="someone-elses.png"))

        assert only(Event).image_path is None

    def test_the_uploaded_image_can_be_removed(self, client, editor, make_event):
        event = make_event(image_path="abc.png", image_alt="A stage")

        _edit(client, event, remove_image="y")

        db.session.refresh(event)
        assert (event.image_path, event.image_alt) == (None, "")


def test_preview_shows_a_draft_as_the_public_would_see_it(client, editor, make_event):
    event = make_event(publish=False, title="Not yet announced")

    response = client.get(f"/admin/events/{event.id}/preview")

    assert response.status_code == 200
    assert "Not yet announced" in response.text
    assert "Preview" in page_text(response.text)
    assert client.get(f"/events/{event.slug}").status_code == 404


def test_an_edit_registrants_will_hear_of_shows_as_a_waiting_update(
    client, editor, open_event, sign_up
):
    event = open_event(title="Rights at work")
    sign_up(event, "ana@example.org")
    shown = f"/admin/events/{event.id}"
    assert "Registrants' update Nothing waiting" in page_text(client.get(shown).text)

    form = form_values(client.get(f"{shown}/edit").text)
    client.post(f"{shown}/edit", data=form | {"title": "Rights at work: the directive"})

    assert "Registrants' update 1 waiting to go out" in page_text(client.get(shown).text)


def test_publish_and_unpublish(client, editor, make_event):
    event = make_event(publish=False)

    client.post(f"/admin/events/{event.id}/publish")
    assert event.is_published
    assert client.get(f"/events/{event.slug}").status_code == 200

    response = client.post(f"/admin/events/{event.id}/unpublish", follow_redirects=True)
    assert not event.is_published
    assert "is a draft again" in page_text(response.text)


def test_get_requests_never_change_an_event(client, editor, make_event):
    event = make_event(publish=False)

    for action in ("publish", "duplicate", "cancel", "postpone", "reschedule", "delete"):
        client.get(f"/admin/events/{event.id}/{action}")

    assert db.session.scalars(select(Event)).all() == [event]
    assert (event.visibility, event.status) == ("draft", "scheduled")


def test_cancel_needs_a_reason_and_shows_it(client, editor, make_event):
    event = make_event()

    refused = client.post(f"/admin/events/{event.id}/cancel", data={"reason": " "})
    assert refused.status_code == 400
    assert error_of(refused.text, "reason") == "Give a reason: it is shown on the event page"

    client.post(f"/admin/events/{event.id}/cancel", data={"reason": "The speaker is ill."})
    assert (event.status, event.status_reason) == ("cancelled", "The speaker is ill.")
    assert event.sequence == 1
    assert "Cancelled: The speaker is ill." in page_text(
        client.get(f"/admin/events/{event.id}").text
    )


def test_the_cancel_page_says_how_many_registrants_are_emailed(
    client, editor, make_event, open_event, sign_up
):
    event = open_event(capacity=1)
    for address in ("ana@example.org", "bo@example.org"):
        sign_up(event, address)
    quiet = make_event(title="Nobody yet")

    asked = page_text(client.get(f"/admin/events/{event.id}/cancel").text)
    nobody = page_text(client.get(f"/admin/events/{quiet.id}/cancel").text)

    assert "2 registrants are emailed at once." in asked  # the confirmed and the waiting
    assert "Nobody is emailed: no one is registered." in nobody


def test_postpone_with_a_reason(client, editor, make_event):
    event = make_event()

    client.post(f"/admin/events/{event.id}/postpone", data={"reason": "Waiting for a venue."})

    assert (event.status, event.status_reason) == ("postponed", "Waiting for a venue.")


def test_reschedule_moves_the_event_and_keeps_the_previous_start(client, editor, make_event):
    event = make_event(starts_at=datetime(2026, 7, 30, 14, 0, tzinfo=UTC))

    response = client.post(
        f"/admin/events/{event.id}/reschedule",
        data={"start": "2026-08-06T10:00", "end": "2026-08-06T12:00", "reason": "Clash"},
    )

    assert response.status_code == 302
    assert event.status == "rescheduled"
    assert event.previous_starts_at == datetime(2026, 7, 30, 14, 0, tzinfo=UTC)
    assert event.starts_at == datetime(2026, 8, 6, 14, 0, tzinfo=UTC)
    assert event.ends_at == datetime(2026, 8, 6, 16, 0, tzinfo=UTC)
    page = page_text(client.get(f"/admin/events/{event.id}").text)
    assert "Previously Thursday 30 July 2026, 10:00 EDT (UTC−04:00)" in page


def test_reschedule_into_a_gap_is_refused_naming_it(client, editor, make_event):
    event = make_event()

    response = client.post(
        f"/admin/events/{event.id}/reschedule", data={"start": "2027-03-14T02:15", "duration": "60"}
    )

    assert response.status_code == 400
    assert error_of(response.text, "start") == (
        "2:15 does not exist on 14 March 2027 in America/New_York: clocks move from 2:00 to 3:00"
    )
    assert event.status == "scheduled"


def test_duplicate_makes_a_new_draft_copy(client, editor, make_event):
    event = make_event(credits=[("co_host", "organization", "MSI Integrity")])

    response = client.post(f"/admin/events/{event.id}/duplicate")

    copy = db.session.scalars(select(Event).where(Event.id != event.id)).one()
    assert response.headers["Location"] == f"/admin/events/{copy.id}/edit"
    assert copy.title == f"{event.title} (copy)"
    assert copy.visibility == "draft"
    assert copy.uid != event.uid
    assert [c.name for c in copy.credits] == ["MSI Integrity"]


def test_only_drafts_can_be_deleted(client, admin, make_event):
    published = make_event(title="Published")
    draft = make_event(publish=False, title="Draft")

    confirm = client.get(f"/admin/events/{draft.id}/delete")
    assert "Delete the draft event “Draft”?" in page_text(confirm.text)
    client.post(f"/admin/events/{draft.id}/delete")
    refused = client.post(f"/admin/events/{published.id}/delete", follow_redirects=True)

    assert db.session.scalars(select(Event)).all() == [published]
    assert "Only drafts can be deleted" in page_text(refused.text)


class TestRecordings:
    def test_add_edit_and_remove_a_recording(self, client, editor, make_event):
        event = make_event(starts_at=in_days(-1))

        client.post(
            f"/admin/events/{event.id}/recordings",
            data={"url": "https://video.example.org/1", "title": "Full session"},
        )
        recording = event.recordings[0]
        assert (recording.url, recording.title) == ("https://video.example.org/1", "Full session")
        assert event.sequence == 1

        edit_url = f"/admin/events/{event.id}/recordings/{recording.id}"
        assert form_values(client.get(edit_url).text)["title"] == "Full session"
        client.post(edit_url, data={"url": "https://video.example.org/2", "title": "Edited"})
        assert (recording.url, recording.title) == ("https://video.example.org/2", "Edited")

        client.post(f"{edit_url}/remove")
        assert event.recordings == []

    def test_a_recording_needs_a_web_address(self, client, editor, make_event):
        event = make_event()

        response = client.post(
            f"/admin/events/{event.id}/recordings", data={"url": "javascript:alert(1)"}
        )

        assert response.status_code == 400
        assert error_of(response.text, "url") == (
            "Enter a web address starting with https:// or http://"
        )
        assert event.recordings == []

    def test_a_recording_and_its_watch_news_item_are_posted_together(
        self, client, editor, make_event
    ):
        event = make_event(title="Beyond Business-as-Usual", starts_at=in_days(-30))

        response = client.post(
            f"/admin/events/{event.id}/recordings",
            data={"url": "https://youtu.be/dQw4w9WgXcQ", "title": "Full webinar", "post_news": "y"},
            follow_redirects=True,
        )

        item = only(NewsItem)
        assert (item.title, item.label, item.body) == (
            "WATCH: “Beyond Business-as-Usual”",
            "recording",
            "A discussion about accountable governance.",
        )
        assert [linked.id for linked in item.events] == [event.id]
        assert "and its news item is published" in page_text(response.text)
        public = client.get(f"/news/{item.slug}")
        assert "Watch on YouTube: Full webinar" in page_text(public.text)

    def test_a_recording_waits_for_the_event_to_start_and_the_page_says_from_when(
        self, client, editor, make_event
    ):
        event = make_event(starts_at=datetime(2031, 7, 30, 14, tzinfo=UTC))
        when = "Wednesday 30 July 2031, 10:00 EDT (UTC−04:00)"

        page = page_text(client.get(f"/admin/events/{event.id}").text)
        response = client.post(
            f"/admin/events/{event.id}/recordings", data={"url": "https://video.example.org/1"}
        )

        assert f"You can post the recording from {when}, when the event starts." in page
        assert response.status_code == 400
        assert error_of(response.text, "url") == (
            f"A recording can be posted once the event has started: from {when}"
        )
        assert event.recordings == []

    def test_a_recording_of_another_event_is_not_found(self, client, editor, make_event):
        event, other = make_event(starts_at=in_days(-1)), make_event(title="Other")
        client.post(f"/admin/events/{event.id}/recordings", data={"url": "https://v.example.org"})
        recording = event.recordings[0]

        response = client.get(f"/admin/events/{other.id}/recordings/{recording.id}")

        assert response.status_code == 404


def test_the_list_searches_and_filters_by_status_and_visibility(client, editor, make_event):
    make_event(title="Accountable governance")
    make_event(title="Business and rights", summary="Supply chains.", publish=False)
    cancelled = make_event(title="Cancelled governance talk")
    client.post(f"/admin/events/{cancelled.id}/cancel", data={"reason": "Ill"})

    def titles(query: str) -> list[str]:
        page = client.get(f"/admin/events?{query}").text
        return re.findall(r'<a href="/admin/events/\d+">([^<]+)</a>', page)

    assert sorted(titles("")) == [
        "Accountable governance",
        "Business and rights",
        "Cancelled governance talk",
    ]
    assert sorted(titles("q=GOVERNANCE")) == ["Accountable governance", "Cancelled governance talk"]
    assert titles("status=cancelled") == ["Cancelled governance talk"]
    assert titles("visibility=draft") == ["Business and rights"]
    assert titles("q=governance&status=scheduled") == ["Accountable governance"]
    assert titles("q=%25") == []


def test_the_list_search_ignores_accents_and_finds_words_in_the_text(client, editor, make_event):
    make_event(title="La Clínica y Áñez", publish=False)
    make_event(title="Seminario", summary="Derechos humanos en Bolivia.")
    make_event(title="Other")

    def titles(query: str) -> list[str]:
        page = client.get("/admin/events", query_string={"q": query}).text
        return re.findall(r'<a href="/admin/events/\d+">([^<]+)</a>', page)

    assert titles("clinica ANEZ") == ["La Clínica y Áñez"]
    assert titles("derechos-humanos") == ["Seminario"]


def test_unknown_events_are_not_found(client, editor):
    for action in ("", "/edit", "/preview", "/cancel", "/reschedule", "/recordings/1"):
        assert client.get(f"/admin/events/999{action}").status_code == 404, action


def test_unknown_events_are_not_found_for_actions(client, editor):
    assert client.post("/admin/events/999/publish").status_code == 404
    assert client.post("/admin/events/999/duplicate").status_code == 404


def test_script_in_every_text_field_comes_out_escaped_in_admin_pages(client, editor):
    payloads = {
        "title": SCRIPT, "summary": ATTRIBUTE, "body": SCRIPT + ATTRIBUTE, "venue": ATTRIBUTE,
        "address": SCRIPT, "series": ATTRIBUTE, "tags": SCRIPT, "image_url":
        "https://example.org/a.png?" + ATTRIBUTE.replace(" ", ""), "image_alt": ATTRIBUTE,
        "internal_note": SCRIPT,
    }  # fmt: skip
    data = event_data(kind="hybrid", **payloads) | credit_rows(
        ("co_host", "organization", SCRIPT, ""), ("speaker", "person", ATTRIBUTE, "")
    )
    assert client.post("/admin/events/new", data=data).status_code == 302
    event = only(Event)
    client.post(f"/admin/events/{event.id}/cancel", data={"reason": ATTRIBUTE})
    client.post(
        f"/admin/events/{event.id}/recordings",
        data={"url": "https://v.example.org", "title": SCRIPT},
    )

    for url in (
        "/admin/events",
        f"/admin/events/{event.id}",
        f"/admin/events/{event.id}/edit",
        f"/admin/events/{event.id}/reschedule",
        f"/admin/events/{event.id}/recordings/{event.recordings[0].id}",
        "/admin/events/new",
    ):
        markup = client.get(url).text
        assert "<script>alert" not in markup, url
        assert "<img src=x" not in markup, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/admin/events/{event.id}").text


def test_an_event_in_a_zone_the_picker_does_not_list_can_still_be_edited(
    client, editor, make_event
):
    event = make_event(timezone="Etc/GMT+5", starts_at=datetime(2026, 7, 30, 15, 0, tzinfo=UTC))

    response = _edit(client, event, title="Renamed")

    assert response.status_code == 302
    assert (event.title, event.timezone) == ("Renamed", "Etc/GMT+5")
    assert event.local_start.hour == 10
    refused = client.post("/admin/events/new", data=event_data(timezone="Mars/Olympus_Mons"))
    assert error_of(refused.text, "timezone") == "Choose a time zone from the list"


def test_a_long_list_pages_with_its_filters_kept(client, editor, make_event):
    for number in range(51):
        make_event(title=f"Webinar {number}", publish=False)
    first = client.get("/admin/events?visibility=draft")
    assert "Page 1 of 2" in page_text(first.text)
    assert 'href="/admin/events?visibility=draft&amp;page=2">Earlier events' in first.text
    second = client.get("/admin/events?visibility=draft&page=2")
    assert "Page 2 of 2" in page_text(second.text) and "Later events" in second.text


class TestAnnouncement:
    """A new event and the news item announcing it, in one submission."""

    def test_a_published_webinar_and_its_announcement_in_one_submission(self, client, editor):
        data = event_data(announce="y", publish="yes")

        response = client.post("/admin/events/new", data=data, follow_redirects=True)

        event = only(Event)
        item = only(NewsItem)
        assert event.visibility == "published"
        assert (item.title, item.body, item.label) == (
            "July 30 Virtual Event: Beyond Business as Usual",
            "A discussion about accountable governance.",
            "event",
        )
        assert [linked.id for linked in item.events] == [event.id]
        assert item.published_at is not None
        assert (
            "Published “Beyond Business as Usual” and its announcement "
            "“July 30 Virtual Event: Beyond Business as Usual”."
        ) in page_text(response.text)

    def test_a_draft_announcement_is_published_with_its_event(self, client, editor):
        data = event_data(announce="y", news_title="Join us", news_body="Register now.")

        saved = client.post("/admin/events/new", data=data, follow_redirects=True)
        event = only(Event)
        assert only(NewsItem).published_at is None
        assert "with its announcement “Join us”: both are published when you publish" in (
            page_text(saved.text)
        )

        client.post(f"/admin/events/{event.id}/publish")

        assert only(NewsItem).published_at is not None
        assert client.get(f"/news/{only(NewsItem).slug}").status_code == 200

    def test_an_announcement_timed_in_the_site_zone_is_scheduled(self, client, editor):
        later = in_days(20)
        local = later.astimezone(ZoneInfo("America/New_York")).replace(tzinfo=None)
        data = event_data(
            announce="y", publish="yes", news_published_at=local.strftime("%Y-%m-%dT%H:%M")
        )

        response = client.post("/admin/events/new", data=data, follow_redirects=True)

        assert only(NewsItem).published_at == later
        assert "is scheduled for" in page_text(response.text)
        assert "Scheduled" in page_text(client.get("/admin/news").text)
        assert only(NewsItem).title not in page_text(client.get("/").text)

    def test_no_announcement_when_it_is_not_wanted(self, client, editor):
        client.post("/admin/events/new", data=event_data(publish="yes"))

        assert (only(Event).visibility, row_count(NewsItem)) == ("published", 0)

    def test_the_form_offers_the_site_zone_and_the_announcement(self, client, editor):
        page = client.get("/admin/events/new").text
        values = form_values(page)

        assert values["timezone"] == "America/New_York"
        assert values["announce"] == "y"
        assert "Announcement publication time (America/New_York)" in page_text(page)
        assert "announcement.js" in page

    def test_an_announcement_time_that_does_not_exist_is_refused(self, client, editor):
        data = event_data(announce="y", news_published_at="2031-03-09T02:30")

        response = client.post("/admin/events/new", data=data)

        assert response.status_code == 400
        assert "does not exist" in error_of(response.text, "news_published_at")
        assert (row_count(Event), row_count(NewsItem)) == (0, 0)
