"""What tests share: sample values, apps, reading pages, mail and feeds, and the API client.

Plain functions and constants; the factories that make data are fixtures in
tests/conftest.py. Test modules import from here, never from one another. Nothing here
imports pytest, so tests/live.py and the benchmarks can use it too.
"""

import html
import json
import re
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

from icalendar import Calendar
from sqlalchemy import Select, func, select
from werkzeug.serving import make_server

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.inputs import EventChanges, EventFields, RegistrationSettings
from eventsvc.models import Event, OutboxMessage, Registration
from eventsvc.models.outbox import NEVER_SENT
from eventsvc.services.events import fields_of, save_event, schedule_of
from eventsvc.services.notifications import write_message

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EVENTSVC = str(BIN / "eventsvc")

# Input an attacker sends, and an upload that starts as a PNG does.
SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
# Text that calendar parsers find hard: escapes, line breaks, many scripts and emoji.
TRICKY_TEXT = 'Rights, remedies; and a back\\slash — "quoted"'
TRICKY_SUMMARY = "First line, with a comma;\nsecond line \\ with a back-slash\nthird line"
MANY_SCRIPTS = "Derechos humanos — 人権と企業 — حقوق الإنسان — Права человека 🌍🤝🏽👩🏾‍⚖️🏳️‍🌈 "


def in_days(days: float, hour: int = 15) -> datetime:
    """A whole-hour UTC instant `days` from now."""
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def under_way() -> dict:
    """Times and a closing time for an event that began at midnight (UTC) and ends the next:
    it takes registrations until it ends, and a recording already (open_event(**under_way()))."""
    ends_at = in_days(1, hour=0)
    return {"starts_at": in_days(0, hour=0), "ends_at": ends_at, "closes_at": ends_at}


# Apps


def app_settings(tmp_path: Path, database_url: str) -> dict:
    """The settings of a test app on this database, its files under `tmp_path`."""
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://localhost",
        "SERVER_NAME": None,
    }


def new_app(tmp_path: Path, database_url: str, overrides: dict | None = None):
    """A test app on this database with every table created; `dispose` it when done."""
    app = create_app(app_settings(tmp_path, database_url) | (overrides or {}))
    with app.app_context():
        db.create_all()
    return app


def dispose(app) -> None:
    """Close the app's session and its database connections."""
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on 127.0.0.1 in a background thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.port}"
    app.config["BASE_URL"] = url  # links in emails and feeds point at this server
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


def free_port() -> int:
    """A TCP port nobody listens on right now (aiosmtpd cannot pick one itself)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """A real SMTP server on 127.0.0.1 that keeps what it receives; can go down and up."""

    def __init__(self):
        self.port = free_port()
        self.received: list = []
        self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes, policy

        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


# Pages

_INLINE_TAGS = re.compile(r"</?(a|abbr|del|em|ins|mark|span|strong|time)\b[^>]*>")
_ANY_TAG = re.compile(r"<[^>]+>")
_JSON_LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
CSRF_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def page_text(markup: str) -> str:
    """The text a reader sees: scripts and tags removed, entities decoded, spaces collapsed."""
    text = re.sub(r"<script\b.*?</script>", " ", markup, flags=re.S)
    text = _ANY_TAG.sub(" ", _INLINE_TAGS.sub("", text))
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


def json_ld(markup: str) -> dict:
    """The page's one schema.org JSON-LD block, parsed."""
    blocks = _JSON_LD.findall(markup)
    assert len(blocks) == 1, blocks
    return json.loads(blocks[0])


def error_of(markup: str, field_id: str) -> str:
    """The error text shown next to a field, or '' when it has none."""
    found = re.search(rf'<p class="field-error" id="{field_id}-error">(.*?)</p>', markup, re.S)
    return page_text(found.group(1)).removeprefix("Error:").strip() if found else ""


def csrf_token(markup: str) -> str:
    """The CSRF token of the page's form."""
    return CSRF_TOKEN.search(markup).group(1)


def signs_in(client, email: str, password: str) -> bool:
    """Whether the login form, sent as a browser sends it (with its token, if any), signs in."""
    token = CSRF_TOKEN.search(client.get("/login").text)
    data = {"email": email, "password": password} | ({"csrf_token": token[1]} if token else {})
    return client.post("/login", data=data).status_code == 302


class _FormReader(HTMLParser):
    """Collect what a browser would send for the fields of the page's `.admin-form` forms."""

    def __init__(self):
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "admin-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"file", "submit"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.values.append((name, attrs.get("value") or ""))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.values.append((self._select, attrs.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # Browsers drop the newline that opens a textarea and send line breaks as CRLF.
            lines = self._text.removeprefix("\r\n").replace("\r\n", "\n")
            self.values.append((self._textarea, lines.replace("\n", "\r\n")))
            self._textarea = None


def form_values(markup: str) -> dict[str, str]:
    """The fields of the page's admin form as a browser would send them unchanged."""
    reader = _FormReader()
    reader.feed(markup)
    return dict(reader.values)


def sign_in(page, email: str, password: str) -> None:
    """Sign a staff member in through the login page in the browser, as they would."""
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {email}")).to_be_visible()


# The database


def row_count(table) -> int:
    """How many rows the table (or model) holds."""
    return db.session.scalar(select(func.count()).select_from(table))


def row_counts(tables=None) -> dict[str, int]:
    """Each table's row count by name: the tables given, else every table."""
    return {table.name: row_count(table) for table in tables or db.metadata.sorted_tables}


def only(model):
    """The one row of the model; fails if there is none or more than one."""
    return db.session.scalars(select(model)).one()


def reloaded(*rows):
    """The rows as a fresh session reads them back: one row alone, or a list."""
    keys = [(type(row), row.id) for row in rows]
    db.session.expunge_all()
    found = [db.session.get(model, key) for model, key in keys]
    return found[0] if len(found) == 1 else found


def written_messages(statement: Select) -> list[OutboxMessage]:
    """The outbox messages the statement selects, in its order, each written as the worker
    writes it (subject, text, invitation), or dropped when its reason no longer holds."""
    ids = [message.id for message in db.session.scalars(statement)]
    for message_id in ids:
        write_message(message_id)
    return [db.session.get(OutboxMessage, message_id) for message_id in ids]


def outbox_messages(kind: str | None = None) -> list[OutboxMessage]:
    """The outbox's messages (of one kind, if given) that are sent, in order.

    Every message is written first, in the order the worker takes them up; the dropped
    and cancelled ones, never sent, are left out.
    """
    every = written_messages(select(OutboxMessage).order_by(OutboxMessage.id))
    return [m for m in every if m.status not in NEVER_SENT and kind in (None, m.kind)]


_MANAGE_LINK = re.compile(r"/registrations/([\w-]+)")


def emailed_manage_path(address: str) -> str:
    """The manage page's path in the last email to this address: where its reader goes."""
    [*_earlier, last] = written_messages(
        select(OutboxMessage).where(OutboxMessage.to_address == address).order_by(OutboxMessage.id)
    )
    return "/registrations/" + _MANAGE_LINK.search(last.body_text).group(1)


def outbox_kinds(registration: Registration | None = None) -> list[str]:
    """The kinds of the outbox's messages (to one registration, if given) in order."""
    query = select(OutboxMessage.kind).order_by(OutboxMessage.id)
    if registration is not None:
        query = query.where(OutboxMessage.registration_id == registration.id)
    return list(db.session.scalars(query))


# Feeds


def entries(data: bytes) -> dict[str, dict]:
    """The feed's VEVENTs by UID, read with python icalendar."""
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def utc_text(moment: datetime) -> str:
    """The instant as every parser's reading of it is compared: 2031-07-30T14:00:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The API

# What a person sends to register through the API.
REGISTRANT = {"name": "Ana Pérez", "email": "ana@example.org", "consent": True}


class Api:
    """A test client for /api/v1 that sends JSON, with a bearer token when it has one."""

    def __init__(self, client, token: str | None = None):
        self.client, self.token = client, token

    def as_(self, token: str | None) -> "Api":
        return Api(self.client, token)

    def _headers(self, headers: dict | None) -> dict:
        sent = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return sent | (headers or {})

    def get(self, path: str, headers: dict | None = None, **kwargs):
        return self.client.get(f"/api/v1{path}", headers=self._headers(headers), **kwargs)

    def send(self, method: str, path: str, body=None, headers: dict | None = None, **kwargs):
        return self.client.open(
            f"/api/v1{path}", method=method, json=body, headers=self._headers(headers), **kwargs
        )

    def post(self, path: str, body=None, **kwargs):
        return self.send("POST", path, body, **kwargs)

    def patch(self, path: str, body=None, **kwargs):
        return self.send("PATCH", path, body, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.send("DELETE", path, **kwargs)

    def register(self, event, **fields):
        """POST a registration for the REGISTRANT, with `fields` given instead."""
        return self.post(f"/events/{event.slug}/registrations", REGISTRANT | fields)


def assert_error(response, status: int, code: str, *fields: str) -> dict:
    """The response is the API's error shape with this status, code and these fields."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"error", "message", "fields"}
    assert body["error"] == code and body["message"]
    assert set(fields) <= set(body["fields"]), body["fields"]
    return body


def open_registration(event: Event, settings: RegistrationSettings | None = None) -> Event:
    """Save the event's registration settings (by default: open, with a waitlist)."""
    return save_event(event, EventChanges(registration=settings or RegistrationSettings())).event


def save_fields(event: Event, values: EventFields) -> Event:
    """Save an event's fields, as the admin form and the API do."""
    return save_event(event, EventChanges(fields=values)).event


def changed_fields(event: Event, **changes) -> EventFields:
    """The event's fields with some changed; times by starts_at, ends_at and timezone."""
    times = {name: changes.pop(name) for name in ("starts_at", "ends_at") if name in changes}
    if "timezone" in changes:
        times["zone"] = changes.pop("timezone")
    values = fields_of(event)
    if times:
        values = replace(values, schedule=replace(schedule_of(event), **times))
    return replace(values, **changes)
