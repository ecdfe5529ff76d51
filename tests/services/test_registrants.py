"""Staff work on registrants: CSV, messages, reminders, a person's data, purging."""

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Attendee, InvitationStream, OutboxMessage, Registration
from eventsvc.services import registrants as staff_side
from eventsvc.services.registration_settings import add_question, remove_question
from eventsvc.services.reminders import queue_due_reminders
from eventsvc.timezones import now
from tests.helpers import outbox_kinds, outbox_messages, written_messages


@pytest.fixture
def event(any_db_app, open_event):
    return open_event(capacity=1)


def test_csv_has_every_answer_and_neutralises_formulas(event, sign_up):
    note = add_question(event, QuestionFields("short_text", "Note"))
    country = add_question(event, QuestionFields("country", "Country"))
    answers = {str(note.id): "+1 555", str(country.id): "NL"}
    sign_up(event, "a@example.org", '=HYPERLINK("x")', answers)
    sign_up(event, "z@example.org", 'Zoë, "Z" Ortiz', {str(note.id): "@home"})
    remove_question(note)
    rows = list(csv.reader(io.StringIO(staff_side.registrants_csv(event))))
    assert rows[0][-2:] == ["Note (removed)", "Country"]
    assert rows[1][0] == '\'=HYPERLINK("x")'
    assert rows[1][-2:] == ["'+1 555", "Netherlands"]
    assert rows[2][0] == 'Zoë, "Z" Ortiz'
    assert (rows[2][2], rows[2][3]) == ("waitlisted", "1")
    assert rows[2][-2] == "'@home"


def test_csv_header_cells_are_neutralised_like_data_cells(event, sign_up):
    add_question(event, QuestionFields("short_text", '=HYPERLINK("https://evil.example","Fee")'))
    add_question(event, QuestionFields("short_text", "-2+3"))
    sign_up(event, "a@example.org")
    header = next(csv.reader(io.StringIO(staff_side.registrants_csv(event))))
    assert header[-2:] == ['\'=HYPERLINK("https://evil.example","Fee")', "'-2+3"]


def test_filters_and_counts(event, sign_up):
    sign_up(event, "ana@example.org", "Ana Pérez")
    sign_up(event, "bo@example.org", "Bo Chen")
    assert staff_side.state_counts(event) == {"confirmed": 1, "waitlisted": 1}
    assert [r.name for r in staff_side.registrants(event, state="waitlisted")] == ["Bo Chen"]
    assert [r.name for r in staff_side.registrants(event, search="PÉREZ")] == ["Ana Pérez"]
    assert [r.name for r in staff_side.registrants(event, search="bo@")] == ["Bo Chen"]


def test_search_ignores_accents_and_case_in_names(event, sign_up):
    sign_up(event, "ines@example.org", "Inés Áñez")
    sign_up(event, "ana@example.org", "Ana Pérez")

    def names(search: str) -> list[str]:
        return [r.name for r in staff_side.registrants(event, search=search)]

    assert names("anez") == ["Inés Áñez"]
    assert names("INES ÁÑEZ") == ["Inés Áñez"]
    assert names("perez ana") == ["Ana Pérez"]
    assert names("ana@example") == ["Ana Pérez"]
    assert names("Pérez, Inés") == []


def test_message_goes_to_the_chosen_states_with_an_opt_out(event, sign_up):
    sign_up(event, "ana@example.org", "Ana")
    sign_up(event, "bo@example.org", "Bo")
    sent = staff_side.message_registrants(
        event, ["waitlisted"], "Room change", "We moved.\n\nSee you."
    )
    assert sent == 1
    [message] = written_messages(select(OutboxMessage).where(OutboxMessage.kind == "staff_message"))
    assert message.to_address == "bo@example.org"
    assert message.subject == "Room change"
    assert "We moved." in message.body_text
    assert message.unsubscribe_url.endswith("/unsubscribe")
    # The text says how to stop such messages, with the person's own link.
    assert f"Stop them: {message.unsubscribe_url}" in message.body_text
    assert f'href="{message.unsubscribe_url}"' in message.body_html


def test_reminders_go_once_each_and_respect_the_opt_out(any_db_app, open_event, sign_up):
    soon = open_event(starts_at=now() + timedelta(hours=20))
    sign_up(soon, "ana@example.org", "Ana")
    sign_up(soon, "bo@example.org", "Bo")
    attendee = db.session.scalar(select(Attendee).where(Attendee.email == "bo@example.org"))
    attendee.reminders_opt_out = True
    db.session.commit()
    assert queue_due_reminders() == 1
    assert queue_due_reminders() == 0
    soon.starts_at = now() + timedelta(minutes=30)
    soon.ends_at = soon.starts_at + timedelta(hours=1)
    db.session.commit()
    assert queue_due_reminders() == 1
    assert outbox_kinds().count("reminder_24h") == 1 and outbox_kinds().count("reminder_1h") == 1


def test_a_person_is_found_exported_and_erased(event, open_event, sign_up):
    other = open_event(title="Second webinar")
    sign_up(event, "Ana@example.org", "Ana")
    sign_up(other, "ana@example.org", "Ana")
    sign_up(event, "bo@example.org", "Bo")
    outbox_messages()  # sent: what each address was told is kept, by address
    exported = staff_side.person_export(" ANA@example.org ")
    assert [r["event"] for r in exported["registrations"]] == [event.title, "Second webinar"]
    assert staff_side.erase_person("ana@example.org") == 2
    assert staff_side.registrations_of("ana@example.org") == []
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(func.lower(OutboxMessage.to_address) == "ana@example.org")
        )
        == 0
    )
    assert db.session.scalars(select(InvitationStream.email_key)).all() == ["bo@example.org"]
    bo = db.session.scalar(select(Registration).where(Registration.email == "bo@example.org"))
    assert bo.state == "confirmed"  # promoted into the freed seat


def test_purge_anonymises_past_events_and_keeps_counts(event, make_event, sign_up):
    sign_up(event, "ana@example.org", "Ana")
    event.starts_at, event.ends_at = now() - timedelta(days=3), now() - timedelta(days=3, hours=-1)
    db.session.commit()
    assert staff_side.purge_before(date.today()) == 1
    [row] = db.session.scalars(select(Registration)).all()
    assert row.state == "confirmed" and row.name == "(removed)"
    assert "ana" not in row.email and row.answers == {}
    assert staff_side.state_counts(event) == {"confirmed": 1}
