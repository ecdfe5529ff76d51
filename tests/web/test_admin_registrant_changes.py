"""Staff add a registrant by hand, by the form's rules, and correct a name and answers."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import AuditEntry, Registration
from eventsvc.services.registration import active_questions
from eventsvc.services.registration_settings import add_question, remove_question
from tests.helpers import error_of, form_values, outbox_kinds, page_text


@pytest.fixture
def full_webinar(open_event, sign_up):
    """One seat, taken, and a waiting list; asks the interpretation language."""
    event = open_event(title="Beyond Business-as-Usual", capacity=1)
    add_question(
        event,
        QuestionFields("single_choice", "Interpretation", required=True, choices=["EN", "ES"]),
    )
    language = event_question(event).id
    sign_up(event, "ana@example.org", answers={str(language): "ES"})
    return event


def event_question(event):
    return active_questions(event)[0]


def added(email: str) -> Registration:
    db.session.expire_all()
    return db.session.scalar(select(Registration).where(Registration.email == email))


def person(question_id: int, **changes) -> dict:
    return {
        "name": "Bo Chen",
        "email": "bo@example.org",
        f"q_{question_id}": "EN",
        "consent": "y",
    } | changes


def test_a_registrant_added_by_hand_follows_the_seats_and_is_emailed(client, editor, full_webinar):
    question = event_question(full_webinar)

    response = client.post(
        f"/admin/events/{full_webinar.id}/registrants/new",
        data=person(question.id),
        follow_redirects=True,
    )

    bo = added("bo@example.org")
    assert bo.language == "en"
    assert (bo.state, bo.waitlist_position) == ("waitlisted", 1)
    assert bo.answers == {str(question.id): "EN"}
    assert outbox_kinds(bo) == ["waitlisted"]
    assert "The event is full: Bo Chen is on the waiting list" in page_text(response.text)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "registration.added"))
    assert entry.actor == "editor@example.org"
    assert entry.target_label == f"Registration #{bo.id} for “Beyond Business-as-Usual”"


def test_staff_choose_the_language_a_registrant_added_by_hand_is_written_to(
    client, editor, full_webinar
):
    question = event_question(full_webinar)
    url = f"/admin/events/{full_webinar.id}/registrants/new"

    form = client.get(url)
    client.post(url, data=person(question.id, language="es"))
    refused = client.post(url, data=person(question.id, email="cy@example.org", language="fr"))

    assert 'value="es"' in form.text and "Their language" in page_text(form.text)
    assert added("bo@example.org").language == "es"
    assert refused.status_code == 400
    assert error_of(refused.text, "language")
    assert (
        db.session.scalar(select(Registration).where(Registration.email == "cy@example.org"))
        is None
    )


def test_an_address_registered_already_or_a_missing_answer_is_refused(client, editor, full_webinar):
    question = event_question(full_webinar)
    url = f"/admin/events/{full_webinar.id}/registrants/new"

    again = client.post(url, data=person(question.id, email="ANA@example.org"))
    unanswered = client.post(url, data=person(question.id, **{f"q_{question.id}": ""}))
    no_consent = client.post(url, data=person(question.id, consent=""))

    assert again.status_code == 400
    assert error_of(again.text, "email") == (
        "This address is registered already: find it in the list."
    )
    assert error_of(unanswered.text, f"q_{question.id}") == "This answer is required"
    assert error_of(no_consent.text, "consent") == "Tick this once the person has agreed to it"
    assert "They agreed to: I agree that the organisers store" in page_text(no_consent.text)
    assert db.session.scalar(select(Registration).where(Registration.name == "Bo Chen")) is None


def test_staff_correct_a_name_and_answers_and_answers_to_removed_questions_stay(
    client, editor, full_webinar
):
    language = event_question(full_webinar)
    ana = added("ana@example.org")
    removed = add_question(full_webinar, QuestionFields("short_text", "Organisation"))
    ana.answers = {**ana.answers, str(removed.id): "Clinic"}
    db.session.commit()
    remove_question(removed)
    url = f"/admin/events/{full_webinar.id}/registrants/{ana.id}/edit"

    values = form_values(client.get(url).text)
    refused = client.post(url, data=values | {f"q_{language.id}": "FR"})
    saved = client.post(url, data=values | {"name": "Ana María Pérez", f"q_{language.id}": "EN"})

    assert values["name"] == "Ana Pérez" and values[f"q_{language.id}"] == "ES"
    assert "email" not in values
    assert error_of(refused.text, f"q_{language.id}") == "Choose one of the options"
    assert saved.status_code == 302
    ana = added("ana@example.org")
    assert ana.name == "Ana María Pérez"
    assert ana.answers == {str(language.id): "EN", str(removed.id): "Clinic"}
    assert ana.email == "ana@example.org"
