"""Nobody learns anything about a person outside their own mailbox (DESIGN §5, issue 12).

An attacker probes the form and the API with addresses in every earlier state, for every
kind of event, on SQLite and PostgreSQL: each answer must match the one a never-seen
address gets, and none may carry a private link, a state or a place in line. What differs
reaches the victim's mailbox only, and the repeat email at most once an hour.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage, Registration
from eventsvc.models.registrations import ACTIVE_STATES, STATE_LABELS
from eventsvc.services import registration as service
from eventsvc.services.events import cancel_event
from eventsvc.services.locking import write_transaction
from eventsvc.services.tokens import issue_token
from eventsvc.timezones import now
from tests.helpers import CSRF_TOKEN, Api, emailed_manage_path

# Headers that differ between any two requests, whoever asks.
PER_REQUEST = {"Date", "X-Request-ID"}
NEVER_SEEN = "never-seen-{n}@example.org"


def _sign_up(event, email: str) -> Registration:
    return service.register(event, "Victim", email, {}, True).registration


def _histories(event) -> dict[str, str]:
    """Give addresses every earlier state this event allows; returns address by state."""
    histories = {}
    for state, end in (("cancelled", service.cancel_registration), ("declined", None)):
        registration = _sign_up(event, f"{state}@example.org")
        (end or service.decline_registration)(registration)
        histories[state] = f"{state}@example.org"
    registered = _sign_up(event, "registered@example.org")
    histories[registered.state] = "registered@example.org"
    probed = _sign_up(event, "probed@example.org")
    _sign_up(event, "probed@example.org")  # its repeat email went out: the next is held back
    histories[f"{probed.state}, probed before"] = "probed@example.org"
    if event.confirm_email:
        confirmed = _sign_up(event, "confirmed@example.org")
        histories[service.confirm_email(confirmed).state] = "confirmed@example.org"
    if event.approval_required:
        approved = _sign_up(event, "approved@example.org")
        histories["approved"] = "approved@example.org"
        service.approve_registration(approved)
    return histories


@pytest.fixture
def csrf_on(app_config):
    """Forms need their CSRF token, as in production (the answer compared leaves it aside)."""
    app_config["WTF_CSRF_ENABLED"] = True


KINDS = {
    "open": {},
    "approval": {"approval": True},
    "confirm email first": {"confirm_email": True},
    "full with a waitlist": {"waitlist": True},
    "full without a waitlist": {"waitlist": False},
    "closed": {},
    "cancelled": {},
}


@pytest.fixture(params=list(KINDS))
def probed_event(request, csrf_on, any_db_app, open_event):
    """An event of one kind, and addresses with every history it allows (by state).

    Full events are made full once the histories are made: their seats are those taken.
    """
    kind = request.param
    event = open_event(title=f"Webinar {kind}", **KINDS[kind])
    histories = _histories(event)
    if kind.startswith("full"):
        with write_transaction():
            event.capacity = event.seats_taken
        if kind == "full with a waitlist":
            _sign_up(event, "waitlisted@example.org")
            histories["waitlisted"] = "waitlisted@example.org"
    elif kind == "closed":
        with write_transaction():
            event.registration_closes_at = now() - timedelta(minutes=1)
    elif kind == "cancelled":
        cancel_event(event, "The speakers cannot travel")
    return any_db_app.test_client(), kind, event, histories


def _form_answer(client, event, email: str) -> tuple:
    """Send the form as a browser does: its page first, for the CSRF token."""
    page = client.get(f"/events/{event.slug}/register").text
    token = CSRF_TOKEN.search(page)
    data = {"name": "Probe", "email": email, "consent": "y", "timezone": "Europe/Berlin"}
    response = client.post(
        f"/events/{event.slug}/register", data=data | {"csrf_token": token[1] if token else ""}
    )
    return _seen(response)


def _api_answer(client, event, email: str) -> tuple:
    return _seen(Api(client).register(event, name="Probe", email=email))


def _seen(response) -> tuple:
    """Everything an attacker sees of an answer, but what differs on every request."""
    headers = sorted((k, v) for k, v in response.headers.items() if k not in PER_REQUEST)
    return response.status_code, headers, response.get_data(as_text=True)


def _tells_nothing(seen: tuple) -> None:
    _status, headers, body = seen
    text = body + str(headers)
    for private in ("/registrations/", "/calendar/personal/", '"state"', "waitlist_position"):
        assert private not in text
    for label in STATE_LABELS.values():
        assert str(label) not in body
    assert " in line" not in body and "already registered" not in body.lower()


def _emails_to(address: str) -> int:
    return len(_kinds_to(address))


@pytest.mark.parametrize("channel", [_form_answer, _api_answer], ids=["form", "api"])
def test_every_earlier_state_gets_the_answer_a_never_seen_address_gets(probed_event, channel):
    client, kind, event, histories = probed_event
    emails_before = {address: _emails_to(address) for address in histories.values()}
    active = set(
        db.session.scalars(select(Registration.email).where(Registration.state.in_(ACTIVE_STATES)))
    )
    baseline = channel(client, event, NEVER_SEEN.format(n=0))
    _tells_nothing(baseline)
    if kind in ("closed", "cancelled", "full without a waitlist"):
        assert baseline[0] == 409  # refused for the event's sake, before any address counts
    else:
        assert baseline[0] == (303 if channel is _form_answer else 202)
    for n, (state, address) in enumerate(histories.items(), start=1):
        for _probe in range(3):
            assert channel(client, event, address) == baseline, (kind, state)
        assert channel(client, event, NEVER_SEEN.format(n=n)) == baseline, (kind, state)
    for state, address in histories.items():
        # A new registration's email where none was active, then one repeat at most.
        allowed = 1 if address in active else 2
        assert _emails_to(address) - emails_before[address] <= allowed, (kind, state)


def test_the_victim_gets_at_most_one_repeat_email_an_hour(any_db_app, open_event):
    event = open_event(title="Defenders' webinar")
    victim = _sign_up(event, "victim@example.org")
    client = any_db_app.test_client()
    for _probe in range(20):
        _form_answer(client, event, "victim@example.org")
        _api_answer(client, event, "VICTIM@example.org")
    assert _kinds_to("victim@example.org") == ["confirmed", "already_registered"]
    with write_transaction():  # an hour passes
        db.session.execute(
            update(Registration)
            .where(Registration.id == victim.id)
            .values(details_resent_at=now() - timedelta(hours=1, seconds=1))
        )
    for _probe in range(5):
        _api_answer(client, event, "victim@example.org")
    assert _kinds_to("victim@example.org") == ["confirmed", *["already_registered"] * 2]
    assert db.session.get(Registration, victim.id).repeat_submissions == 45
    held = select(OutboxMessage).where(OutboxMessage.last_error == service.HELD_BACK)
    assert len(db.session.scalars(held).all()) == 43  # staff see every probe in the outbox


def _kinds_to(address: str) -> list[str]:
    """The kinds of the emails that go out to an address (not those dropped)."""
    return list(
        db.session.scalars(
            select(OutboxMessage.kind)
            .where(OutboxMessage.to_address == address, OutboxMessage.status != "dropped")
            .order_by(OutboxMessage.id)
        )
    )


def test_the_received_page_says_what_happens_next_and_nothing_about_the_address(client, open_event):
    event = open_event(title="Remedy in practice", confirm_email=True)
    response = client.post(
        f"/events/{event.slug}/register",
        data={"name": "Ana", "email": "ana@example.org", "consent": "y"},
    )
    page = client.get(response.headers["Location"])
    assert page.status_code == 200
    for part in ("What happens next", "When it should arrive", "If no email comes"):
        assert part in page.text
    assert f'href="/events/{event.slug}.ics"' in page.text
    _tells_nothing(_seen(page))


TOKEN_PAGES = (
    "/registrations/{token}",
    "/registrations/{token}/cancel",
    "/registrations/{token}/confirm",
    "/registrations/{token}/edit",
    "/registrations/{token}/unsubscribe",
    "/registrations/{token}.ics",
    "/calendar/personal/{feed}.ics",
)


def test_token_pages_send_no_referrer_and_are_never_stored(client, open_event):
    event = open_event()
    client.post(
        f"/events/{event.slug}/register",
        data={"name": "Ana", "email": "ana@example.org", "consent": "y"},
    )
    token = emailed_manage_path("ana@example.org").removeprefix("/registrations/")
    feed = db.session.scalar(select(Registration)).attendee.feed_token
    for path in TOKEN_PAGES:
        response = client.get(path.format(token=token, feed=feed))
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "no-referrer", path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["X-Robots-Tag"] == "noindex", path
    reset = client.post(f"/registrations/{token}/feed")
    assert reset.headers["Referrer-Policy"] == "no-referrer"


def test_after_erasure_every_link_of_the_person_answers_410(client, admin, open_event):
    event = open_event()
    registration = _sign_up(event, "ana@example.org")
    token, feed = registration.manage_token, registration.attendee.feed_token
    response = client.post(
        "/admin/personal-data/erase", data={"email": "ANA@example.org", "confirmed": "yes"}
    )
    assert response.status_code == 302
    for path in TOKEN_PAGES:
        assert client.get(path.format(token=token, feed=feed)).status_code == 410, path
    for action in ("cancel", "confirm", "edit", "unsubscribe", "feed"):
        assert client.post(f"/registrations/{token}/{action}").status_code == 410, action


def test_no_public_count_moves_when_someone_registers(client, open_event, make_staff):
    """Registering a victim's address must not show, in any public answer, whether a seat
    was taken: that would tell a new address from one registered already."""
    event = open_event(capacity=10, waitlist=True)
    _sign_up(event, "victim@example.org")
    public = ("/api/v1/events", f"/api/v1/events/{event.slug}", f"/events/{event.slug}", "/events")
    before = {path: client.get(path).data for path in public}
    _api_answer(client, event, "someone-new@example.org")
    _api_answer(client, event, "victim@example.org")
    assert {path: client.get(path).data for path in public} == before
    user, _password = make_staff("editor@example.org")
    staff = Api(client, issue_token(user, "tests", "read")[1])
    assert staff.get(f"/events/{event.slug}").get_json()["seats_left"] == 8
