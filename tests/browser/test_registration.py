"""Registering for a webinar in Chromium, from the event page to the email and back.

Issue 3: the form on the event page, an error beside its field, the "check your inbox"
page, the emailed invitation, the manage page with the join link opened from the email,
and cancelling there.
"""

import re
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Question, Registration
from eventsvc.services.mailer import send_due
from eventsvc.services.registration_settings import add_question

JOIN = "https://meet.example.org/j/70070070"
VISITOR_ZONE = "America/La_Paz"
QUESTION = "Your organisation"
EMAIL_LABEL = re.compile("^Email address")
CONSENT_LABEL = re.compile("^I agree")


@pytest.fixture
def app_config(app_config, smtp_server):
    """The live app sends its mail to the test's SMTP server."""
    return {**app_config, "SMTP_URL": smtp_server.url}


@pytest.fixture
def webinar(app, open_event):
    """A published webinar with 2 seats, taking registrations, with one required question."""
    event = open_event(title="Defending the Defenders", capacity=2, join_url=JOIN)
    add_question(event, QuestionFields("short_text", QUESTION, required=True))
    return event


def stored_registration() -> Registration:
    db.session.rollback()  # see what the server committed since this session last read
    return db.session.scalars(select(Registration)).one()


def submit_without_the_answer(page) -> None:
    """Fill in everything but the required question, and send the form."""
    form = page.locator("form.registration-form")
    form.get_by_label("Your name").fill("Ana Pérez")
    form.get_by_role("textbox", name=EMAIL_LABEL).fill("ana@example.org")
    form.get_by_label(CONSENT_LABEL).check()
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        form.get_by_role("button", name="Register").click()
    assert posted.value.status == 400


def confirmation_email(smtp_server, registration: Registration, event) -> str:
    """The one message the SMTP server received, checked; returns its plain text."""
    [email] = smtp_server.received
    assert email["To"] == "ana@example.org"
    assert email["Subject"] == f"You are registered: {event.title}"
    invitation = next(part for part in email.walk() if part.get_content_type() == "text/calendar")
    assert "METHOD:REQUEST" in invitation.get_content()
    return email.get_body(("plain",)).get_content()


def test_a_visitor_registers_finds_the_email_and_cancels_from_its_link(
    app, live_server, new_page, smtp_server, webinar
):
    page = new_page(live_server, timezone_id=VISITOR_ZONE)
    page.goto(f"/events/{webinar.slug}")
    submit_without_the_answer(page)

    answer = page.get_by_label(QUESTION)
    expect(answer).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{answer.get_attribute('id')}-error")).to_contain_text(
        "This answer is required"
    )
    expect(page.get_by_label("Your name")).to_have_value("Ana Pérez")
    expect(page.get_by_role("textbox", name=EMAIL_LABEL)).to_have_value("ana@example.org")
    expect(page.get_by_label(CONSENT_LABEL)).to_be_checked()

    answer.fill("Andean Rights Network")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    expect(page.get_by_text("Confirmed")).to_have_count(0)
    expect(page.get_by_role("link", name=JOIN)).to_have_count(0)
    registration = stored_registration()
    assert (registration.state, registration.timezone) == ("confirmed", VISITOR_ZONE)

    assert send_due()["sent"] == 1
    text = confirmation_email(smtp_server, registration, webinar)
    manage_link = f"{live_server}/registrations/{registration.manage_token}"
    assert manage_link in text
    in_la_paz = webinar.starts_at.astimezone(ZoneInfo(VISITOR_ZONE))
    assert re.search(rf"Your time: .*{in_la_paz:%H:%M} .*\(UTC−04:00\)", text)

    page.goto(manage_link)
    expect(page.locator(".event-facts")).to_contain_text("Confirmed")
    expect(page.get_by_role("link", name=JOIN)).to_have_attribute("href", JOIN)
    expect(page.get_by_text("Andean Rights Network")).to_be_visible()
    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your registration?")
    page.get_by_role("button", name="Yes, cancel my registration").click()
    expect(page.get_by_role("status")).to_contain_text("Your registration is cancelled")
    expect(page.locator(".event-facts")).to_contain_text("Cancelled")
    expect(page.get_by_role("link", name=JOIN)).to_have_count(0)
    assert stored_registration().state == "cancelled"


def focus_order(page, start) -> list[str]:
    """The ids of what Tab reaches, from `start` to the form's last control."""
    start.focus()
    reached = []
    for _ in range(12):
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.name"))
        page.keyboard.press("Tab")
    return reached


def test_the_anti_spam_field_is_unseen_unreached_unannounced_and_answered_like_any_other(
    app, live_server, new_page, webinar
):
    page = new_page(live_server)
    page.goto(f"/events/{webinar.slug}")
    form = page.locator("form.registration-form")

    expect(form.locator("#website")).to_be_hidden()
    tree = form.aria_snapshot()
    assert "Your name" in tree and QUESTION in tree
    assert "Leave this field empty" not in tree and "website" not in tree.lower()
    assert "website" not in focus_order(page, form.get_by_label("Your name"))

    form.get_by_label("Your name").fill("Spam Bot")
    form.get_by_role("textbox", name=EMAIL_LABEL).fill("bot@example.org")
    form.get_by_label(QUESTION).fill("Bots Inc.")
    form.get_by_label(CONSENT_LABEL).check()
    page.evaluate("document.getElementById('website').value = 'https://spam.example'")
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        form.get_by_role("button", name="Register").click()

    assert posted.value.status == 303
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your inbox")
    assert page.url == f"{live_server}/events/{webinar.slug}/register/received"
    db.session.rollback()
    assert db.session.scalars(select(Registration)).all() == []


def test_a_registrant_corrects_their_answer_from_their_manage_page(
    app, live_server, new_page, smtp_server, sign_up, webinar
):
    registration = sign_up(
        webinar, "ana@example.org", name="Ana Perez", answers={question_id(webinar): "Andean"}
    ).registration
    page = new_page(live_server)
    page.goto(f"/registrations/{registration.manage_token}")
    page.get_by_role("link", name="Correct your name or answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Correct your name and answers")
    page.get_by_label("Your name").fill("Ana Pérez")
    page.get_by_label(QUESTION).fill("")
    page.get_by_role("button", name="Save my corrections").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing is saved yet")
    expect(page.get_by_role("alert")).to_contain_text("This answer is required")
    expect(page.get_by_label("Your name")).to_have_value("Ana Pérez")

    page.get_by_label(QUESTION).fill("Andean Rights Network")
    page.get_by_role("button", name="Save my corrections").click()

    expect(page.get_by_role("status").first).to_have_text("Your name and answers are saved.")
    expect(page.locator(".event-facts")).to_contain_text("Ana Pérez")
    expect(page.get_by_text("Andean Rights Network")).to_be_visible()
    assert send_due()["sent"] == 1  # the registration's own email; the correction sends none
    assert [m["Subject"] for m in smtp_server.received] == [f"You are registered: {webinar.title}"]


def question_id(event) -> str:
    return str(db.session.scalar(select(Question.id).where(Question.event_id == event.id)))
