"""Registering through the pages, as an attendee does (issue: online registration)."""

import re
from datetime import timedelta
from functools import partial

import pytest
from icalendar import Calendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import AuditEntry, Registration
from eventsvc.services.registration_settings import add_question
from eventsvc.timezones import now
from tests.helpers import (
    csrf_token,
    emailed_manage_path,
    error_of,
    outbox_kinds,
    page_text,
    row_count,
    row_counts,
)

JOIN = "https://meet.example.org/secret-room-42"


@pytest.fixture
def webinar(app, open_event):
    """Factory: a published webinar with a join link, taking registrations."""
    return partial(open_event, join_url=JOIN)


def form_data(**overrides):
    data = {
        "name": "Ana Pérez",
        "email": "ana@example.org",
        "consent": "y",
        "timezone": "Europe/Berlin",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def registered(client, event, **values) -> str:
    """Register through the form; return the manage link's token from the email it sends."""
    response = client.post(f"/events/{event.slug}/register", data=form_data(**values))
    assert response.status_code == 303
    return emailed_manage_path(form_data(**values)["email"]).removeprefix("/registrations/")


def test_the_event_page_carries_the_form_and_the_email_leads_to_the_manage_page(client, webinar):
    event = webinar(capacity=10)
    question = add_question(
        event, QuestionFields("single_choice", "Format", choices=["Talk", "Q&A"])
    )
    page = client.get(f"/events/{event.slug}")
    assert f'action="/events/{event.slug}/register"' in page.text
    assert "Format" in page.text and "csrf" not in page_text(page.text).lower()

    response = client.post(
        f"/events/{event.slug}/register", data=form_data(**{f"q_{question.id}": "Q&A"})
    )
    assert response.status_code == 303
    received = client.get(response.headers["Location"])
    assert "Check your inbox" in received.text and "/registrations/" not in received.text
    assert f"/events/{event.slug}.ics" in received.text
    manage = client.get(emailed_manage_path("ana@example.org"))
    text = page_text(manage.text)
    assert "Confirmed" in text and "Q&A" in text
    assert JOIN in manage.text
    assert "Add to calendar (.ics)" in text
    registration = db.session.scalar(select(Registration))
    assert registration.timezone == "Europe/Berlin"
    assert outbox_kinds() == ["confirmed"]


def test_bad_input_keeps_what_was_typed_marks_each_field_and_writes_nothing(client, webinar):
    event = webinar()
    required = add_question(event, QuestionFields("short_text", "Affiliation", required=True))
    response = client.post(
        f"/events/{event.slug}/register",
        data=form_data(
            name="Ana <b>Pérez</b>", email="not-an-email", consent=None, **{"q_999": "forged"}
        ),
    )
    assert response.status_code == 400
    assert 'value="Ana &lt;b&gt;Pérez&lt;/b&gt;"' in response.text
    assert 'value="not-an-email"' in response.text
    text = page_text(response.text)
    assert "Enter an email address" in text
    assert "Agree to the use of your details" in text
    assert "This answer is required" in text
    assert f'id="q_{required.id}-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert row_count(Registration) == 0 and outbox_kinds() == []


@pytest.mark.parametrize(
    "hostile",
    [
        {"name": "x" * 5000},
        {"name": ""},
        {"email": "a@" + "b" * 400 + ".org"},
        {"name": "Ana\x00"},
        {"consent": "maybe-not-a-boolean", "email": ""},
    ],
)
def test_oversized_empty_and_odd_values_are_refused_cleanly(client, webinar, hostile):
    event = webinar()
    response = client.post(f"/events/{event.slug}/register", data=form_data(**hostile))
    assert response.status_code == 400
    assert row_count(Registration) == 0


def test_text_that_is_not_utf8_is_refused(client, webinar):
    event = webinar()
    multipart = (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nAna\xff\xfe\r\n'
        b'--b\r\nContent-Disposition: form-data; name="email"\r\n\r\nana@example.org\r\n'
        b'--b\r\nContent-Disposition: form-data; name="consent"\r\n\r\ny\r\n--b--\r\n'
    )
    response = client.post(
        f"/events/{event.slug}/register",
        data=multipart,
        content_type="multipart/form-data; boundary=b",
    )
    assert response.status_code == 400
    assert "characters we cannot read" in response.text
    urlencoded = client.post(
        f"/events/{event.slug}/register",
        data=b"name=Ana\xff\xfe&email=ana%40example.org&consent=y",
        content_type="application/x-www-form-urlencoded",
    )
    assert urlencoded.status_code == 400
    assert row_count(Registration) == 0


def test_a_second_registration_gets_the_same_answer_and_its_details_by_email(client, webinar):
    event = webinar(capacity=1)
    first = client.post(f"/events/{event.slug}/register", data=form_data())
    again = client.post(f"/events/{event.slug}/register", data=form_data(email=" ANA@example.org"))
    assert (again.status_code, again.headers["Location"], again.data) == (
        first.status_code,
        first.headers["Location"],
        first.data,
    )
    assert row_count(Registration) == 1
    assert outbox_kinds() == ["confirmed", "already_registered"]


def test_confirm_email_first_answers_every_submission_alike(client, webinar):
    event = webinar(confirm_email=True)
    first = client.post(f"/events/{event.slug}/register", data=form_data())
    second = client.post(f"/events/{event.slug}/register", data=form_data())
    assert first.headers["Location"] == second.headers["Location"]
    received = client.get(first.headers["Location"]).text
    assert "Open the link in that email to confirm" in received
    registration = db.session.scalar(select(Registration))
    assert registration.state == "unverified"
    confirm_page = client.get(f"/registrations/{registration.manage_token}/confirm")
    assert "Confirm my registration" in confirm_page.text
    assert registration.state == "unverified"  # a GET (a mail scanner) changes nothing
    response = client.post(f"/registrations/{registration.manage_token}/confirm")
    assert response.status_code == 302
    db.session.refresh(registration)
    assert registration.state == "confirmed"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"status": "cancelled"}, "cancelled"),
        ({"registration_closes_at": "past"}, "Registration has closed."),
        ({"registration_opens_at": "future"}, "Registration has not opened yet."),
        ({"registration_enabled": False}, "does not take registrations"),
    ],
)
def test_closed_registration_explains_itself_and_writes_nothing(client, webinar, setup, message):
    event = webinar()
    for name, value in setup.items():
        value = {"past": now() - timedelta(hours=1), "future": now() + timedelta(days=1)}.get(
            value, value
        )
        setattr(event, name, value)
    db.session.commit()
    page = client.get(f"/events/{event.slug}/register")
    assert message in page.text
    assert 'name="email"' not in page.text
    response = client.post(f"/events/{event.slug}/register", data=form_data())
    assert response.status_code == 409
    assert row_count(Registration) == 0


def test_a_full_event_without_waitlist_says_so_to_everyone(client, webinar):
    event = webinar(capacity=1, waitlist=False)
    client.post(f"/events/{event.slug}/register", data=form_data(email="a@example.org"))
    newcomer = client.post(f"/events/{event.slug}/register", data=form_data(email="b@example.org"))
    registered = client.post(
        f"/events/{event.slug}/register", data=form_data(email="a@example.org")
    )
    assert newcomer.status_code == registered.status_code == 409
    assert "This event is full." in newcomer.text
    assert newcomer.text == registered.text
    assert row_count(Registration) == 1


def test_a_filled_anti_spam_field_gets_the_answer_anyone_gets_and_stores_nothing(client, webinar):
    event = webinar()
    person = client.post(f"/events/{event.slug}/register", data=form_data())
    rows = row_counts()

    bot = client.post(
        f"/events/{event.slug}/register", data=form_data(email="bot@example.org", website="x")
    )

    assert (bot.status_code, bot.headers["Location"]) == (303, person.headers["Location"])
    assert row_counts() == rows  # no registration, no email, no attendee, no audit entry


def test_cancelling_from_the_manage_page_promotes_the_next_person(client, webinar):
    event = webinar(capacity=1)
    token = registered(client, event)
    waiting = registered(client, event, email="bo@example.org")
    waiting_page = client.get(f"/registrations/{waiting}")
    assert "number 1 in line" in waiting_page.text and JOIN not in waiting_page.text

    confirm = client.get(f"/registrations/{token}/cancel")
    assert "Yes, cancel my registration" in confirm.text
    assert (
        db.session.scalar(select(Registration).where(Registration.manage_token == token)).state
        == "confirmed"
    )
    client.post(f"/registrations/{token}/cancel")
    states = dict(db.session.execute(select(Registration.email, Registration.state)).all())
    assert states == {"ana@example.org": "cancelled", "bo@example.org": "confirmed"}
    assert outbox_kinds()[-2:] == ["cancelled", "promoted"]


def test_wrong_tokens_are_404(client, webinar):
    webinar()
    for path in (
        "/registrations/nope",
        "/registrations/nope/cancel",
        "/registrations/nope.ics",
        "/calendar/personal/nope.ics",
        "/registrations/" + "x" * 300,
    ):
        assert client.get(path).status_code == 404, path


def test_personal_feed_has_own_join_links_and_can_be_reset(client, webinar, open_event):
    mine = webinar(capacity=5)
    other = open_event(title="Another webinar", join_url="https://meet.example.org/other-room")
    token = registered(client, mine)
    registered(client, other, email="bo@example.org")
    registration = db.session.scalar(select(Registration).where(Registration.manage_token == token))
    feed_path = f"/calendar/personal/{registration.attendee.feed_token}.ics"
    assert feed_path in client.get(f"/registrations/{token}").text

    feed = client.get(feed_path)
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert str(Calendar.from_ical(feed.data)["X-WR-CALNAME"]) == "Human Rights Clinic: my events"
    [vevent] = Calendar.from_ical(feed.data).walk("VEVENT")
    assert str(vevent["URL"]) == JOIN
    assert b"other-room" not in feed.data
    assert client.get(feed_path, headers={"If-None-Match": feed.headers["ETag"]}).status_code == 304
    for public in ("/calendar.ics", f"/events/{mine.slug}.ics", f"/events/{mine.slug}"):
        assert JOIN.encode() not in client.get(public).data, public

    download = client.get(f"/registrations/{token}.ics")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert JOIN.encode() in download.data
    for calendar_level in (b"X-WR-CALNAME", b"NAME:", b"REFRESH-INTERVAL", b"X-PUBLISHED-TTL"):
        assert calendar_level not in download.data  # imported as an event, not a calendar

    client.post(f"/registrations/{token}/feed")
    assert client.get(feed_path).status_code == 410
    db.session.refresh(registration.attendee)
    assert (
        client.get(f"/calendar/personal/{registration.attendee.feed_token}.ics").status_code == 200
    )


def test_replayed_form_registers_once(client, webinar):
    event = webinar()
    first = client.post(f"/events/{event.slug}/register", data=form_data())
    replay = client.post(f"/events/{event.slug}/register", data=form_data())
    assert first.status_code == replay.status_code == 303
    assert row_count(Registration) == 1


def test_registering_reads_each_thing_once_and_not_the_new_row_again(
    client, webinar, sql_statements
):
    event = webinar(credits=[("host", "organization", "Clinic")], tags=["Rights"])
    add_question(event, QuestionFields("short_text", "Organisation"))
    slug = event.slug
    db.session.expunge_all()
    sql_statements.clear()
    assert client.post(f"/events/{slug}/register", data=form_data()).status_code == 303

    def reads(table: str, statements: list[str]) -> int:
        return sum(s.startswith("SELECT") and f"{table}.id" in s for s in statements)

    # The questions, once for the form and the answers. Credits and tags are for the
    # invitation, which the outbox worker writes when it sends the confirmation.
    once = [reads(table, sql_statements) for table in ("questions", "credits", "tags")]
    assert once == [1, 0, 0]
    insert = next(
        n for n, s in enumerate(sql_statements) if s.startswith("INSERT INTO registrations")
    )
    assert reads("registrations", sql_statements[insert:]) == 0


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_a_post_without_the_token_is_refused(self, client, webinar):
        event = webinar()
        response = client.post(f"/events/{event.slug}/register", data=form_data())
        assert response.status_code == 400
        assert row_count(Registration) == 0

    def test_one_click_unsubscribe_needs_no_form(self, client, webinar):
        event = webinar()
        page = client.get(f"/events/{event.slug}/register")
        token = csrf_token(page.text)
        manage = registered(client, event, csrf_token=token)
        result = client.post(
            f"/registrations/{manage}/unsubscribe", data="List-Unsubscribe=One-Click"
        )
        assert result.status_code == 200
        registration = db.session.scalar(select(Registration))
        assert registration.attendee.reminders_opt_out is True


class TestRateLimit:
    @pytest.fixture
    def app_config(self):
        return {"RATELIMIT_ENABLED": True, "RATELIMIT_REGISTER": "2 per minute"}

    def test_many_posts_from_one_address_are_slowed_down(self, client, webinar):
        event = webinar()
        statuses = [
            client.post(
                f"/events/{event.slug}/register", data=form_data(email=f"p{i}@example.org")
            ).status_code
            for i in range(3)
        ]
        assert statuses == [303, 303, 429]
        assert client.get(f"/events/{event.slug}").status_code == 200


def test_a_register_button_near_the_top_leads_to_the_form(client, webinar, make_event):
    event = webinar(body="A long description of the event.\n\n" * 30)
    closed = make_event(title="Not taking registrations")

    page = client.get(f"/events/{event.slug}").text

    button = page.index('<a class="button" href="#register">Register')
    assert button < page.index("About the event") < page.index('id="register"')
    assert '<section class="register" id="register"' in page and 'tabindex="-1"' in page
    assert 'href="#register">Register' not in client.get(f"/events/{closed.slug}").text


def test_the_check_your_inbox_page_offers_add_to_calendar(client, webinar):
    event = webinar(confirm_email=True)

    posted = client.post(f"/events/{event.slug}/register", data=form_data())
    response = client.get(posted.headers["Location"])

    assert response.status_code == 200
    assert "Check your inbox" in page_text(response.text)
    assert f'href="/events/{event.slug}.ics"' in response.text
    assert "calendar.google.com/calendar/render?action=TEMPLATE" in response.text
    assert "outlook.live.com/calendar/0/deeplink/compose" in response.text
    assert JOIN not in response.text


def test_the_manage_page_offers_the_personal_feed_with_subscribe_and_copy(client, webinar):
    event = webinar()
    token = registered(client, event)

    page = client.get(f"/registrations/{token}").text

    feed_token = db.session.scalar(select(Registration)).attendee.feed_token
    address = f"http://localhost/calendar/personal/{feed_token}.ics"
    assert f'href="webcal://localhost/calendar/personal/{feed_token}.ics"' in page
    assert f'value="{address}"' in page and f'data-copy="{address}"' in page
    assert "Subscribe to your events" in page
    assert 'href="https://calendar.google.com/calendar/u/0/r/settings/addbyurl"' in page
    assert "/static/copy.js" in page


def test_a_registrant_corrects_their_name_and_answers_from_the_manage_page(client, webinar):
    event = webinar()
    role = add_question(event, QuestionFields("short_text", "Your role", required=True))
    token = registered(client, event, **{f"q_{role.id}": "Reseacher"})
    sequence, emails = event.sequence, outbox_kinds()
    manage = client.get(f"/registrations/{token}")
    assert f'href="/registrations/{token}/edit"' in manage.text

    page = client.get(f"/registrations/{token}/edit")
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"
    assert 'value="Reseacher"' in page.text
    response = client.post(
        f"/registrations/{token}/edit", data={"name": "Ana María Pérez", f"q_{role.id}": ""}
    )
    assert response.status_code == 400  # a required question stays required
    assert error_of(response.text, f"q_{role.id}") == "This answer is required"
    assert registration_name() == "Ana Pérez"

    response = client.post(
        f"/registrations/{token}/edit",
        data={"name": "Ana María Pérez", f"q_{role.id}": "Researcher"},
    )
    assert response.status_code == 302
    registration = db.session.scalars(select(Registration)).one()
    assert (registration_name(), registration.answers) == (
        "Ana María Pérez",
        {str(role.id): "Researcher"},
    )
    assert (event.sequence, outbox_kinds()) == (sequence, emails)  # nobody is emailed
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.actor, entry.action) == ("registrant", "registration.changed")
    assert "Ana" not in entry.target_label + entry.detail


def test_the_error_summary_follows_the_pages_order_and_names_consent_briefly(client, webinar):
    event = webinar()
    role = add_question(event, QuestionFields("short_text", "Your role", required=True))

    response = client.post(
        f"/events/{event.slug}/register", data=form_data(email="ana@example", consent=None)
    )

    summary = re.findall(r'<li><a href="#([\w-]+)">(.*?)</a>', response.text)
    assert [(anchor, page_text(text).split(":")[0]) for anchor, text in summary] == [
        ("email", "Email address"),
        (f"q_{role.id}", "Your role"),
        ("consent", "Consent"),
    ]


def test_the_manage_page_says_which_questions_were_left_unanswered(client, webinar):
    event = webinar()
    add_question(event, QuestionFields("short_text", "Your organisation"))
    token = registered(client, event)

    text = page_text(client.get(f"/registrations/{token}").text)

    assert "Your answers Your organisation Not answered" in text


def registration_name() -> str:
    db.session.expire_all()
    return db.session.scalars(select(Registration.name)).one()


def test_a_full_events_page_offers_the_waiting_list_or_says_it_is_full(client, webinar, sign_up):
    waiting = webinar(title="With a waiting list", capacity=1, waitlist=True)
    closed = webinar(title="Without one", capacity=1, waitlist=False)
    for event in (waiting, closed):
        sign_up(event, "ana@example.org")

    offered = page_text(client.get(f"/events/{waiting.slug}").text)
    assert "Full — join the waiting list" in offered
    assert "This event is full: register to join the waiting list." in offered
    assert offered.rstrip().count("Join the waiting list") == 1  # the form's button
    full = client.get(f"/events/{closed.slug}")
    assert "Full: no places are left." in page_text(full.text)
    assert "This event is full." in page_text(full.text) and "<form" not in full.text
    refused = client.post(f"/events/{closed.slug}/register", data=form_data(name=""))
    assert refused.status_code == 409  # for everyone, before any answer is read
