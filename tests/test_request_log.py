"""Structured request logs: one JSON line per request, and no personal data in any log."""

import json
import logging
import re
import secrets

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import Attendee, Registration
from eventsvc.request_log import JsonFormatter, mask_path
from eventsvc.services.mailer import send_due
from eventsvc.services.registration_settings import add_question

NAME = "Zofia Quintero-Wężyk"
EMAIL = "zofia.quintero@example.net"
ANSWER = "Coordinator of the Tsilhqotin land defence network"


@pytest.fixture
def logs(caplog):
    """Every record the service logs, down to DEBUG."""
    caplog.set_level(logging.DEBUG, logger="eventsvc")
    return caplog


def request_records(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "eventsvc.request"]


def json_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_one_structured_line_per_request(client, logs, capsys):
    response = client.get("/events?series=no-such-series")

    (record,) = request_records(logs)
    fields = record.fields
    assert re.fullmatch(r"[0-9a-f]{32}", fields["request_id"])
    assert response.headers["X-Request-ID"] == fields["request_id"]
    assert {k: fields[k] for k in ("method", "path", "status")} == {
        "method": "GET",
        "path": "/events",
        "status": 404,  # a series that does not exist
    }
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0
    (line,) = [entry for entry in json_lines(capsys.readouterr().err) if entry.get("status")]
    assert line["request_id"] == fields["request_id"] and line["path"] == "/events"
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")
    assert "no-such-series" not in json.dumps(line)


def test_a_formatted_record_is_a_single_json_line():
    record = logging.LogRecord("eventsvc.x", logging.INFO, __file__, 1, "a\nb", None, None)

    line = JsonFormatter().format(record)

    assert "\n" not in line and json.loads(line)["message"] == "a\nb"


@pytest.mark.parametrize(
    ("incoming", "kept"),
    [
        ("3f2a9c1e-8b7d-4e5f-a6b7-c8d9e0f1a2b3", True),
        ("nginx.0123456789abcdef", True),
        ("short", False),
        ("<script>alert(1)</script>", False),
        ("x" * 200, False),
        ("has spaces in it", False),
    ],
)
def test_a_well_formed_incoming_request_id_is_kept(client, logs, incoming, kept):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})

    answered = response.headers["X-Request-ID"]
    assert (answered == incoming) is kept
    assert request_records(logs)[0].fields["request_id"] == answered


@pytest.mark.parametrize(
    "template",
    [
        "/registrations/{}",
        "/registrations/{}/cancel",
        "/registrations/{}.ics",
        "/calendar/personal/{}.ics",
    ],
)
def test_token_paths_are_logged_masked(client, logs, template):
    token = secrets.token_urlsafe(24)

    response = client.get(template.format(token))

    (record,) = request_records(logs)
    assert record.fields["path"] == template.format("***")
    assert record.fields["status"] == response.status_code
    assert token not in logs.text


def test_mask_path_masks_any_view_argument_named_token():
    assert mask_path("/api/v1/feeds/abcdef123456.ics", {"token": "abcdef123456"}) == (
        "/api/v1/feeds/***.ics"
    )
    assert mask_path("/x/abc/y", {"feed_token": "abc", "slug": "y"}) == "/x/***/y"
    assert mask_path("/events/talk", {"slug": "talk"}) == "/events/talk"


@pytest.fixture
def webinar(app, open_event):
    """A published webinar taking registrations, with one free-text question."""
    event = open_event(capacity=20, join_url="https://meet.example.org/room-7")
    question = add_question(event, QuestionFields("long_text", "What is your work?"))
    return event, question


def register(client, webinar) -> str:
    """Register Zofia through the form; returns the manage token."""
    event, question = webinar
    response = client.post(
        f"/events/{event.slug}/register",
        data={
            "name": NAME,
            "email": EMAIL,
            "consent": "y",
            "timezone": "Europe/Warsaw",
            f"q_{question.id}": ANSWER,
        },
    )
    assert response.status_code == 303
    return db.session.scalar(select(Registration.manage_token))


def test_a_full_registration_flow_leaves_no_personal_data_in_the_logs(
    app, client, logs, capsys, webinar, smtp_server
):
    event = webinar[0]
    client.get(f"/events/{event.slug}")
    token = register(client, webinar)
    app.config["SMTP_URL"] = smtp_server.url
    assert send_due() == {"sent": 1, "failed": 0}
    feed_token = db.session.scalar(select(Attendee.feed_token))
    assert ANSWER in client.get(f"/registrations/{token}").text
    assert client.get(f"/calendar/personal/{feed_token}.ics").status_code == 200
    assert client.get(f"/registrations/{token}.ics").status_code == 200
    client.get(f"/search?q={EMAIL}")
    assert client.post(f"/registrations/{token}/cancel").status_code == 302

    assert send_due() == {"sent": 1, "failed": 0}

    confirmed = smtp_server.received[0]
    assert confirmed["To"] == EMAIL and token in confirmed.get_body(("plain",)).get_content()
    written = logs.text + capsys.readouterr().err
    assert "POST /events/beyond-business-as-usual/register 303" in written
    assert "/registrations/***/cancel" in written and "outbox: message" in written
    for private in (EMAIL, EMAIL.split("@")[0], NAME, "Quintero", ANSWER, token, feed_token):
        assert private not in written, private


@pytest.mark.parametrize("app_config", [{"PROPAGATE_EXCEPTIONS": False}])
def test_an_error_is_logged_with_its_traceback_and_without_the_token_or_email(
    client, logs, capsys, webinar, monkeypatch
):
    token = register(client, webinar)

    def broken(registration, language):
        raise RuntimeError(f"cannot label the answers of {registration.email}")

    monkeypatch.setattr("eventsvc.web.registration.labelled_answers", broken)
    capsys.readouterr()

    response = client.get(f"/registrations/{token}")

    assert response.status_code == 500
    lines = json_lines(capsys.readouterr().err)
    (error,) = [line for line in lines if line["level"] == "ERROR"]
    (request_line,) = [line for line in lines if line.get("status") == 500]
    assert "RuntimeError: cannot label the answers of ***@***" in error["traceback"]
    assert error["request_id"] == request_line["request_id"] == response.headers["X-Request-ID"]
    assert token not in json.dumps(lines) and EMAIL not in json.dumps(lines)
