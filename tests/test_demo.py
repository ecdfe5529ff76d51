"""The demo content: what a first-time visitor and the demo admin find after `eventsvc demo`."""

import stat
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from eventsvc.cli import main
from eventsvc.extensions import db
from eventsvc.models import Event, NewsItem, OutboxMessage, Person, Registration, StaffUser
from eventsvc.services.demo import (
    DEMO_EMAIL,
    LOGIN_FILE,
    DemoFileError,
    ensure_demo_login,
    load_demo,
)
from eventsvc.text import excerpt_of
from eventsvc.timezones import now, to_local
from tests.helpers import page_text, row_counts

# A demo file with a past visit, a webinar and the news item announcing the webinar.
SMALL_DEMO = """
[events.visit]
title = "Library Visit"
kind = "in_person"
timezone = "America/New_York"
days = -2
at = 10:00:00
minutes = 90

[events.talk]
title = "Courts and Climate"
kind = "webinar"
timezone = "Europe/Madrid"
days = 3
at = 18:30:00
minutes = 60
registration = { approval = true }
registrants = [{ name = "Ana Ruiz", email = "ana@example.org" }]

[[events.talk.credits]]
role = "speaker"
kind = "person"
name = "Marta Gil"
affiliation = "Climate Litigation Network"

[[events.talk.questions]]
type = "single_choice"
label = "Which language?"
required = true
choices = ["Español", "English"]

[news.talk-announced]
title = "{date} Webinar: Courts and Climate"
days_ago = 1
label = "event"
events = ["talk"]
body = "Join us on {when}."
"""


def published_events() -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.visibility == "published")))


def test_demo_twice_changes_no_table(any_db_app):
    runner = any_db_app.test_cli_runner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    counts = row_counts()
    second = runner.invoke(main, ["demo"])
    assert second.exit_code == 0, second.output
    db.session.expire_all()
    assert row_counts() == counts
    assert counts["news_items"] >= 12
    assert counts["staff_users"] == 1
    assert "0 items added" in second.output


def test_news_spans_months_with_written_and_trimmed_excerpts(app):
    load_demo()
    items = list(db.session.scalars(select(NewsItem)))
    assert len(items) >= 12
    dates = sorted(item.published_at for item in items)
    assert dates[-1] < now()
    assert (dates[-1] - dates[0]).days > 90
    trimmed = [i for i in items if not i.excerpt and excerpt_of("", i.body).endswith("…")]
    assert len(trimmed) >= 3
    assert all(len(excerpt_of("", i.body).split()) <= 56 for i in trimmed)
    assert any(item.excerpt for item in items)


def test_partner_webinar_has_credits_recording_and_watch_item(app):
    load_demo()
    webinar = next(e for e in published_events() if e.recordings)
    assert webinar.is_past and webinar.kind == "webinar"
    roles = {credit.role: credit.name for credit in webinar.credits}
    assert {"co_host", "moderator", "live_illustrator"} <= roles.keys()
    assert webinar.series is not None and webinar.series.name == "Rethinking MSIs"
    assert webinar.tags and webinar.join_url
    about = db.session.scalars(select(NewsItem).where(NewsItem.events.any(id=webinar.id))).all()
    labels = {item.label: item.title for item in about}
    start = webinar.local_start
    assert labels["event"] == f"{start:%B} {start.day} Virtual Event: {webinar.title}"
    assert labels["recording"].startswith("WATCH: ")


def test_six_co_host_webinar_is_upcoming_and_announced(app):
    load_demo()
    webinar = next(
        e for e in published_events() if sum(c.role == "co_host" for c in e.credits) == 6
    )
    assert not webinar.is_past and webinar.join_url and webinar.internal_note
    announcement = db.session.scalar(select(NewsItem).where(NewsItem.events.any(id=webinar.id)))
    assert announcement.label == "event"


def test_cancelled_in_person_other_zone_and_upcoming_events(app):
    load_demo()
    events = published_events()
    cancelled = [e for e in events if e.is_cancelled]
    assert cancelled and cancelled[0].status_reason
    abroad = [e for e in events if e.kind == "in_person" and e.timezone == "Europe/Amsterdam"]
    assert abroad and abroad[0].venue and abroad[0].address
    upcoming = [e for e in events if not e.is_past and not e.is_cancelled]
    assert len(upcoming) >= 3
    assert {e.timezone for e in events} >= {"America/New_York", "Australia/Sydney"}


def test_bilingual_announcement_has_english_then_spanish(app):
    load_demo()
    bodies = [item.body for item in db.session.scalars(select(NewsItem))]
    bilingual = next(body for body in bodies if "versión en español" in body)
    assert bilingual.index("The Human Rights Clinic") < bilingual.index("La Clínica de Derechos")


def test_bilingual_post_names_both_languages_and_marks_each_part(app, client):
    load_demo()
    item = db.session.scalar(select(NewsItem).where(NewsItem.language == "en, es"))
    english = client.get(f"/news/{item.slug}").text
    spanish = client.get(f"/es/news/{item.slug}").text

    assert '<div class="prose" lang="es"><p>La Clínica de Derechos Humanos' in english
    assert '<div class="prose" lang="es"><p><em>La Clínica pide' in english
    assert '<div class="prose"><p>The Human Rights Clinic' in english
    assert '<div class="prose" lang="en"><p>The Human Rights Clinic' in spanish
    assert '<div class="prose"><p>La Clínica de Derechos Humanos' in spanish


def test_spanish_readers_get_the_demo_events_in_spanish(app, client):
    load_demo()
    andes = db.session.scalar(select(Event).where(Event.title.like("Protest and Accountability%")))
    spanish = page_text(client.get(f"/es/events/{andes.slug}").text)
    english = page_text(client.get(f"/events/{andes.slug}").text)

    assert "Protesta y rendición de cuentas en los Andes" in spanish
    assert "Habrá interpretación simultánea entre inglés y español." in spanish
    assert "¿En qué idioma seguirá el evento?" in spanish
    assert "Inglés Español Organización País" in spanish
    assert "Mi nombre no se mostrará a los demás participantes." in spanish
    assert "Protesta y rendición" not in english and "Which language will you follow?" in english
    listed = page_text(client.get("/es/events").text)
    assert "Protesta y rendición de cuentas en los Andes" in listed
    assert "Certificación en alta mar" in listed and "Reparación en las cadenas" in listed


def test_spanish_readers_get_the_demo_news_with_their_dates_in_spanish(app, client):
    load_demo()
    andes = db.session.scalar(select(Event).where(Event.title.like("Protest and Accountability%")))
    item = db.session.scalar(
        select(NewsItem).where(NewsItem.label == "event", NewsItem.events.any(id=andes.id))
    )
    day = format_date(andes.local_start, "d 'de' MMMM", locale="es")
    weekday = format_date(andes.local_start, "EEEE", locale="es")

    spanish = page_text(client.get(f"/es/news/{item.slug}").text)

    assert f"Evento virtual del {day}: Protesta y rendición de cuentas en los Andes" in spanish
    assert f"en un seminario web el {weekday}, {day}" in spanish
    assert "Evento virtual del" not in page_text(client.get(f"/news/{item.slug}").text)
    listed = page_text(client.get("/es/").text)
    assert "La Clínica da la bienvenida a cuatro nuevos becarios" in listed
    assert "Este año se incorporan a la Clínica cuatro becarios" in listed


def test_demo_dates_follow_the_day_it_is_loaded(app):
    load_demo()
    starts = sorted(e.starts_at for e in published_events())
    assert starts[0] < now() < starts[-1]


def test_login_file_is_private_and_its_password_signs_in(app, client):
    email, password = ensure_demo_login(app.instance_path)
    path = Path(app.instance_path) / LOGIN_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert password in path.read_text()
    user = db.session.scalar(select(StaffUser).where(StaffUser.email == email))
    assert user.role == "admin"
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302


def test_login_is_reused_then_reset_when_its_file_is_lost(app, client):
    _, password = ensure_demo_login(app.instance_path)
    assert ensure_demo_login(app.instance_path) == (DEMO_EMAIL, password)
    (Path(app.instance_path) / LOGIN_FILE).unlink()
    _, new_password = ensure_demo_login(app.instance_path)
    assert new_password != password
    assert (
        client.post("/login", data={"email": DEMO_EMAIL, "password": password}).status_code == 400
    )
    response = client.post("/login", data={"email": DEMO_EMAIL, "password": new_password})
    assert response.status_code == 302


def test_demo_events_take_registrations_to_follow_end_to_end(app, client):
    load_demo()
    open_house = db.session.scalar(select(Event).where(Event.title.like("Open House%")))
    states = sorted(
        db.session.scalars(select(Registration.state).where(Registration.event_id == open_house.id))
    )
    assert states == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    andes = db.session.scalar(select(Event).where(Event.title.like("Protest and Accountability%")))
    assert andes.confirm_email and andes.registration_enabled
    assert 'name="email"' in client.get(f"/events/{andes.slug}").text
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) >= 6


def write_demo(folder: Path, text: str) -> Path:
    path = folder / "demo.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_demo_file_places_its_event_from_today_in_the_event_zone(app, tmp_path):
    today = now().date()
    result = load_demo(today, write_demo(tmp_path, SMALL_DEMO))
    assert (result.added, result.existing) == (3, 0)
    event = db.session.scalar(select(Event).where(Event.title == "Courts and Climate"))
    local = to_local(event.starts_at, "Europe/Madrid")
    assert (local.date(), local.time()) == (today + timedelta(days=3), time(18, 30))
    assert event.ends_at - event.starts_at == timedelta(minutes=60)
    assert event.is_published and event.approval_required
    assert db.session.scalar(select(Person.affiliation)) == "Climate Litigation Network"
    registration = db.session.scalar(select(Registration))
    assert (registration.name, registration.state) == ("Ana Ruiz", "pending")
    news = db.session.scalar(select(NewsItem))
    assert news.title == f"{local:%B} {local.day} Webinar: Courts and Climate"
    assert news.published_at.replace(tzinfo=None) == datetime.combine(
        today - timedelta(days=1), time(14, 0)
    )
    assert news.events == [event]


@pytest.mark.parametrize(
    ("mistake", "where"),
    [
        (("minutes = 60", "minutes = 60\ncolour = 'red'"), "events.talk.colour: unknown key"),
        (('kind = "webinar"', 'kind = "webnar"'), "events.talk.kind: Input should be"),
        (("minutes = 60", 'minutes = "60"'), "events.talk.minutes: Input should be a valid int"),
        (("minutes = 60", "minutes = 0"), "events.talk.minutes: The end must be after"),
        (("Europe/Madrid", "Europe/Madird"), "events.talk.timezone: 'Europe/Madird' is not"),
        (('role = "speaker"', 'role = "guest"'), "events.talk.credits.0.role: Input should be"),
        (("registration = { approval = true }", ""), "events.talk: questions and registrants need"),
        (('events = ["talk"]', 'events = ["tlak"]'), "news.talk-announced.events: no event"),
        (("days = -2", "days = "), "Invalid value (at line 6, column 8)"),
    ],
)
def test_a_mistake_in_the_demo_file_is_named_and_nothing_is_added(app, tmp_path, mistake, where):
    path = write_demo(tmp_path, SMALL_DEMO.replace(*mistake))
    before = row_counts()
    with pytest.raises(DemoFileError) as refused:
        load_demo(path=path)
    assert str(refused.value).startswith(f"{path}: ")
    assert where in str(refused.value)
    assert row_counts() == before
