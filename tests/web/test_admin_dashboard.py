"""The dashboard's events with their registrations, and each event's figures page."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Registration
from eventsvc.services.attendance import set_attended
from eventsvc.services.registration import active_questions
from eventsvc.services.registration_settings import add_question
from eventsvc.timezones import to_local
from eventsvc.web.charts import bar_chart
from tests.helpers import in_days, page_text, under_way


@pytest.fixture
def interpreted(open_event, sign_up):
    """A webinar with three places, asking for an interpretation language, and four people."""
    event = open_event(title="Beyond Business-as-Usual", capacity=3, approval=False)
    add_question(event, QuestionFields("single_choice", "Interpretation", choices=["EN", "ES"]))
    add_question(event, QuestionFields("checkbox", "Send me the slides"))
    language, slides = (str(q.id) for q in active_questions(event))
    for email, answer, wants in [
        ("ana@example.org", "ES", True),
        ("bo@example.org", "ES", False),
        ("cy@example.org", "EN", True),
        ("dee@example.org", "ES", True),
    ]:
        sign_up(event, email, answers={language: answer, slides: wants})
    # Two of them registered three days earlier.
    for registration in db.session.scalars(
        select(Registration).where(Registration.email.in_(["ana@example.org", "bo@example.org"]))
    ):
        registration.created_at -= timedelta(days=3)
    db.session.commit()
    return event


def test_the_dashboard_lists_upcoming_events_with_seats_waitlist_and_approvals(
    client, editor, interpreted, open_event, sign_up
):
    vetted = open_event(title="Closed-door briefing", approval=True, starts_at=in_days(20))
    sign_up(vetted, "eve@example.org")

    text = page_text(client.get("/admin/").text)

    assert "Upcoming events" in text
    assert "Beyond Business-as-Usual Figures of Beyond Business-as-Usual" in text
    row = re.search(r"Beyond Business-as-Usual Figures.*?– \d\d:\d\d (.*?) Closed-door", text)
    assert row.group(1) == "3 3 1 0"  # confirmed, capacity, waiting list, awaiting approval
    assert re.search(r"Closed-door briefing .*?– \d\d:\d\d 0 No limit 0 1", text)


def test_the_dashboard_shows_who_attended_recent_events(client, editor, open_event, sign_up):
    event = open_event(title="Rights at work", **under_way())
    for email in ("ana@example.org", "bo@example.org"):
        sign_up(event, email)
    starts_at, ends_at = in_days(-3), in_days(-3, hour=17)
    db.session.execute(
        update(type(event)).values(
            starts_at=starts_at,
            ends_at=ends_at,
            local_start=to_local(starts_at, event.timezone).replace(tzinfo=None),
            local_end=to_local(ends_at, event.timezone).replace(tzinfo=None),
            updated_at=starts_at,
        )
    )
    db.session.commit()
    ana, bo = db.session.query(Registration).order_by(Registration.id).all()
    set_attended(ana, True)
    set_attended(bo, False)

    text = page_text(client.get("/admin/").text)

    assert re.search(r"Recent events: attendance .*Rights at work .*– \d\d:\d\d 2 1 1", text)


def test_the_figures_page_charts_registrations_per_day_and_counts_answers(
    client, editor, interpreted
):
    response = client.get(f"/admin/events/{interpreted.id}/statistics")
    page = response.text
    text = page_text(page)

    assert response.status_code == 200
    assert page.count('<rect class="chart-bar"') == 4  # four days, two of them empty
    assert re.search(r"Registrations per day, \w{3} \d+ \w{3} \d{4} to .*: 4 in all", text)
    rows = re.findall(r"<tr><th scope=\"row\">([^<]+)</th><td>(\d+)</td></tr>", page)
    assert [count for _day, count in rows[:4]] == ["2", "0", "0", "2"]
    answered = "(4 answered, of the active registrations) Answer Registrations"
    assert f"Interpretation {answered} ES 3 EN 1" in text
    assert f"Send me the slides {answered} Yes 3 No 1" in text
    assert "Confirmed 3" in text and "On the waiting list 1" in text
    assert "<script" not in page.split("</main>")[0]


def test_a_chart_scales_its_bars_to_a_round_number():
    chart = bar_chart([("Mon", 3), ("Tue", 0), ("Wed", 17)])

    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15, 20]
    assert [bar.value for bar in chart.bars] == [3, 0, 17]
    assert chart.bars[1].height == 0
    assert chart.bars[2].height > chart.bars[0].height
    assert bar_chart([]) is None
