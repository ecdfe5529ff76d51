"""A Spanish-speaking visitor in Chromium: offered the Spanish site, registers there, gets a
Spanish email and invitation, and cancels from a Spanish manage page.

The interface's words are read from the Spanish catalog (`in_spanish`), so the test follows
the translation as it is written; the event's own words are its Spanish translation.
"""

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, gettext
from icalendar import Calendar
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Registration
from eventsvc.services.mailer import send_due
from eventsvc.services.registration_settings import add_question
from eventsvc.timezones import now

JOIN = "https://meet.example.org/j/31415926"
SPANISH = {
    "title": "Defender a quienes defienden",
    "summary": "Una conversación sobre la protección de las personas defensoras.",
    "body": "Habrá interpretación simultánea entre inglés y español.",
}
CONSENT = "Acepto que los organizadores guarden mis datos para este evento."
QUESTION = "¿En qué idioma seguirá el evento?"
VISITOR_ZONE = "America/Bogota"


@pytest.fixture
def app_config(app_config, smtp_server):
    """The live app sends its mail to the test's SMTP server."""
    return {**app_config, "SMTP_URL": smtp_server.url}


@pytest.fixture
def webinar(app, open_event):
    """A webinar translated into Spanish, with a translated question and consent text."""
    event = open_event(
        title="Defending the Defenders",
        summary="A conversation on protecting human-rights defenders.",
        body="Simultaneous interpretation between English and Spanish will be available.",
        starts_at=(now() + timedelta(days=9)).replace(hour=15, minute=0, second=0, microsecond=0),
        capacity=20,
        join_url=JOIN,
        translations={"es": SPANISH},
        consent_translations={"es": CONSENT},
    )
    add_question(
        event,
        QuestionFields(
            "single_choice",
            "Which language will you follow?",
            required=True,
            choices=["English", "Español"],
            translations={"es": {"label": QUESTION, "choices": ["Inglés", "Español"]}},
        ),
    )
    return event


def in_spanish(message: str) -> str:
    """An interface message as the Spanish catalog words it."""
    with force_locale("es"):
        return gettext(message)


def stored_registration() -> Registration:
    db.session.rollback()  # see what the server committed since this session last read
    return db.session.scalars(select(Registration)).one()


def received_email(smtp_server, subject: str, method: str):
    """The last message the SMTP server received, with its subject and invitation checked;
    returns its plain text and its one VEVENT, read by icalendar."""
    email = smtp_server.received[-1]
    assert email["To"] == "ana@example.org"
    assert email["Subject"] == subject
    part = next(part for part in email.walk() if part.get_content_type() == "text/calendar")
    invitation = Calendar.from_ical(part.get_content())
    assert invitation["METHOD"] == method
    [entry] = invitation.walk("VEVENT")
    return email.get_body(("plain",)).get_content(), entry


def read_the_spanish_site(page, webinar) -> None:
    """From the English home page, take the offer of Spanish and find the event."""
    page.goto("/")
    offer = page.locator(".language-offer")
    expect(offer).to_have_attribute("lang", "es")
    offer.get_by_role("link").click()
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith("/es/")
    page.get_by_role("navigation", name=in_spanish("Main")).get_by_role(
        "link", name=in_spanish("Events")
    ).click()
    page.get_by_role("link", name=SPANISH["title"]).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SPANISH["title"])
    expect(page.get_by_text(SPANISH["body"])).to_be_visible()


def register_in_spanish(page) -> None:
    """Fill in the Spanish form and send it."""
    form = page.locator("form.registration-form")
    form.get_by_label(in_spanish("Your name")).fill("Ana Pérez")
    email_label = re.compile("^" + re.escape(in_spanish("Email address")))
    form.get_by_role("textbox", name=email_label).fill("ana@example.org")
    form.get_by_role("radio", name="Español").check()
    form.get_by_label(CONSENT).check()
    form.get_by_role("button", name=in_spanish("Register")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(in_spanish("Check your inbox"))


def test_a_spanish_visitor_registers_reads_a_spanish_email_and_cancels_in_spanish(
    app, live_server, new_page, smtp_server, webinar
):
    page = new_page(live_server, timezone_id=VISITOR_ZONE, locale="es-CO")
    read_the_spanish_site(page, webinar)
    register_in_spanish(page)

    registration = stored_registration()
    assert registration.language == "es"
    assert list(registration.answers.values()) == ["Español"]
    assert send_due()["sent"] == 1
    subject = in_spanish("You are registered: {title}").format(title=SPANISH["title"])
    text, entry = received_email(smtp_server, subject, "REQUEST")
    assert str(entry["SUMMARY"]) == SPANISH["title"]
    assert SPANISH["summary"] in str(entry["DESCRIPTION"])
    manage_link = f"{live_server}/es/registrations/{registration.manage_token}"
    assert f"{in_spanish('Your registration:')} {manage_link}" in text

    page.goto(manage_link)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.locator(".event-facts")).to_contain_text(in_spanish("Confirmed"))
    expect(page.get_by_text("Español", exact=True)).to_be_visible()
    page.locator(f'a[href="/es/registrations/{registration.manage_token}/cancel"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        in_spanish("Cancel your registration?")
    )
    page.get_by_role("button", name=in_spanish("Yes, cancel my registration")).click()
    expect(page.get_by_role("status")).to_contain_text(
        in_spanish(
            "Your registration is cancelled. We have emailed you a cancellation for your calendar."
        )
    )
    assert stored_registration().state == "cancelled"

    assert send_due()["sent"] == 1
    subject = in_spanish("Your registration is cancelled: {title}").format(title=SPANISH["title"])
    _text, entry = received_email(smtp_server, subject, "CANCEL")
    assert str(entry["SUMMARY"]).endswith(SPANISH["title"])
