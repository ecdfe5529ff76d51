"""English and Spanish for a reader: /es/ addresses, the page's language and its alternates,
the offer to switch, dates in Spanish, the Spanish calendar feed, and a registration made
in Spanish that is written to in Spanish."""

import re
from datetime import UTC, datetime

import pytest
from flask import current_app
from flask_babel import force_locale, gettext
from icalendar import Calendar

from eventsvc.inputs import QuestionFields
from eventsvc.languages import offer_words
from eventsvc.models import Registration
from eventsvc.services import mailer
from eventsvc.services.registration_settings import add_question
from tests.helpers import entries, only, page_text

SPANISH = {
    "title": "Protesta y rendición de cuentas",
    "summary": "Una conversación sobre la protesta en los Andes.",
    "body": "Habrá interpretación simultánea.",
}
# Thursday 14 January 2027, 10:00 in New York.
START = datetime(2027, 1, 14, 15, 0, tzinfo=UTC)
ALTERNATES = re.compile(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">')
SPANISH_BROWSER = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


@pytest.fixture
def translated(make_event):
    """A webinar with its Spanish title, summary and body."""
    return make_event(
        title="Protest and Accountability",
        summary="A conversation on protest in the Andes.",
        body="Simultaneous interpretation will be available.",
        starts_at=START,
        translations={"es": SPANISH},
    )


def alternates(markup: str) -> dict[str, str]:
    return dict(ALTERNATES.findall(markup))


def test_home_page_names_its_language_in_html_and_header_and_links_the_other(client):
    base = current_app.config["BASE_URL"]
    english, spanish = client.get("/"), client.get("/es/")

    assert '<html lang="en">' in english.text and english.headers["Content-Language"] == "en"
    assert '<html lang="es">' in spanish.text and spanish.headers["Content-Language"] == "es"
    expected = {"en": f"{base}/", "es": f"{base}/es/", "x-default": f"{base}/"}
    assert alternates(english.text) == expected == alternates(spanish.text)


def test_event_page_s_alternates_and_switcher_lead_to_the_same_event(client, translated):
    base = current_app.config["BASE_URL"]
    page = client.get(f"/es/events/{translated.slug}").text

    assert alternates(page)["en"] == f"{base}/events/{translated.slug}"
    assert alternates(page)["es"] == f"{base}/es/events/{translated.slug}"
    assert f'<a href="/events/{translated.slug}" lang="en" hreflang="en">English</a>' in page
    english = client.get(f"/events/{translated.slug}").text
    assert f'<a href="/es/events/{translated.slug}" lang="es" hreflang="es">Español</a>' in english


def test_a_browser_preferring_spanish_is_offered_the_spanish_page_once(client):
    sentence, link = offer_words("es")

    first = client.get("/events", headers=SPANISH_BROWSER)
    again = client.get("/events", headers=SPANISH_BROWSER)

    assert first.status_code == 200 and '<html lang="en">' in first.text
    offer = '<p class="language-offer" lang="es">{} <a href="/es/events" hreflang="es">{}</a>'
    assert offer.format(sentence, link) in first.text
    assert "Accept-Language" in first.headers["Vary"]
    assert again.status_code == 200 and "language-offer" not in again.text


def test_a_reader_who_switched_to_english_is_not_offered_spanish(app):
    reader = app.test_client()
    reader.get("/es/", headers=SPANISH_BROWSER)
    reader.get("/", headers=SPANISH_BROWSER)  # the switcher's link back to English

    assert "language-offer" not in reader.get("/events", headers=SPANISH_BROWSER).text


def test_an_english_browser_is_offered_nothing(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert "language-offer" not in page


def test_a_spanish_event_page_reads_its_translation_and_dates_in_spanish(client, translated):
    spanish = page_text(client.get(f"/es/events/{translated.slug}").text)
    english = page_text(client.get(f"/events/{translated.slug}").text)

    assert SPANISH["title"] in spanish and SPANISH["body"] in spanish
    assert "jueves, 14 de enero de 2027, 10:00 EST (UTC−05:00)" in spanish
    assert "Thursday 14 January 2027, 10:00" in english and SPANISH["title"] not in english


def test_a_body_written_only_in_spanish_shows_on_the_spanish_page_alone(client, make_event):
    event = make_event(
        title="Open Day", body="", translations={"es": {"body": "Puertas abiertas."}}
    )

    spanish = page_text(client.get(f"/es/events/{event.slug}").text)
    english = page_text(client.get(f"/events/{event.slug}").text)

    assert "Puertas abiertas." in spanish
    assert "Puertas abiertas." not in english


def test_an_untranslated_text_on_a_spanish_page_is_marked_as_english(client, make_event):
    event = make_event(title="Library Visit", translations={"es": {"summary": "Una visita."}})
    page = client.get(f"/es/events/{event.slug}").text

    assert '<h1 lang="en">Library Visit</h1>' in page
    assert "Una visita." in page


def test_the_spanish_calendar_feed_has_translated_titles_under_the_same_uids(
    client, translated, make_event
):
    untranslated = make_event(title="Library Visit")
    english = client.get("/calendar.ics")
    spanish = client.get("/es/calendar.ics")

    assert spanish.headers["Content-Language"] == "es"
    by_uid, en_by_uid = entries(spanish.data), entries(english.data)
    assert by_uid.keys() == en_by_uid.keys() and len(by_uid) == 2
    titles = {str(entry["SUMMARY"]) for entry in by_uid.values()}
    assert titles == {SPANISH["title"], untranslated.title}
    assert {str(entry["SUMMARY"]) for entry in en_by_uid.values()} == {
        translated.title,
        untranslated.title,
    }


def test_a_registration_made_in_spanish_is_written_to_in_spanish(client, open_event, smtp_server):
    event = open_event(
        title="Protest and Accountability",
        starts_at=START,
        translations={"es": SPANISH},
        consent_translations={"es": "Acepto que guarden mis datos."},
    )
    question = add_question(
        event,
        QuestionFields(
            "single_choice",
            "Which language will you follow?",
            required=True,
            choices=["English", "Español"],
            translations={"es": {"label": "¿En qué idioma?", "choices": ["Inglés", "Español"]}},
        ),
    )
    form = page_text(client.get(f"/es/events/{event.slug}/register").text)
    assert (
        "¿En qué idioma?" in form and "Inglés" in form and "Acepto que guarden mis datos." in form
    )

    answer = {f"q_{question.id}": "Español", "timezone": "America/Mexico_City"}
    data = {"name": "Ana Pérez", "email": "ana@example.org", "consent": "y", **answer}
    response = client.post(f"/es/events/{event.slug}/register", data=data)

    assert response.status_code == 303
    assert response.headers["Location"].startswith(f"/es/events/{event.slug}/register/")
    assert only(Registration).language == "es"
    current_app.config["SMTP_URL"] = smtp_server.url
    assert mailer.send_due()["sent"] == 1
    [received] = smtp_server.received
    with force_locale("es"):
        subject = gettext("You are registered: {title}").format(title=SPANISH["title"])
        manage_words = gettext("Your registration:")
    assert received["Subject"] == subject
    parts = {part.get_content_type(): part for part in received.walk()}
    text = parts["text/plain"].get_content()
    assert "jueves, 14 de enero de 2027, 10:00" in text
    assert f"{manage_words} {current_app.config['BASE_URL']}/es/registrations/" in text
    [entry] = Calendar.from_ical(parts["text/calendar"].get_content()).walk("VEVENT")
    assert str(entry["SUMMARY"]) == SPANISH["title"]
