"""Hostile input (issue 6, Bad input): every form on the site, and malformed bytes anywhere.

The crawl reads the public pages, the manage pages of a registration and, signed in as an
admin, every admin page reached from the dashboard and its links. It parses each form
(POST, and the GET searches) and submits it once per field and hostile value (100 kB of
text, an empty value, a script, a NUL character, letters in a number or date, a choice the
select does not offer, a huge number, a file that is not an image, a missing or forged
CSRF token), the other fields as a person fills them in, with the page's CSRF token. No
answer may be a 5xx; a refused (4xx) submission writes nothing; every page that shows the
input back escapes it.

On SQLite and PostgreSQL: bytes that are not UTF-8 and NUL characters in a form body, a
query string, a path and a JSON body get a clean 4xx and write nothing.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from urllib.parse import quote_from_bytes, urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.services import registration as reg
from eventsvc.services.events import add_recording
from eventsvc.services.registration_settings import add_question
from eventsvc.services.tokens import issue_token
from tests.helpers import SCRIPT, signs_in, under_way

OVERSIZED = "A" * 100_000
NUL = "before\x00after"
LETTERS = "not-a-number"
FORGED_CHOICE = "forged-choice-<b>"
HUGE_NUMBER = "99999999999999999999999"
NUMBER_KINDS = {"number", "date", "datetime-local", "time", "month", "week", "range"}
CHOICE_KINDS = {"select", "select-multiple", "radio"}
FORM_TYPE = "application/x-www-form-urlencoded"
SKIPPED_ACTIONS = ("/logout",)  # signing out ends the crawl, it takes no input


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


# Reading pages as a browser does


@dataclass
class Field:
    """One named control of a form: its kind, what the page would send, its options."""

    name: str
    kind: str
    sent: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class Form:
    """A form as a page shows it."""

    page: str
    method: str
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)


class _PageReader(HTMLParser):
    """Collect a page's links and its forms with their fields."""

    def __init__(self, url: str):
        super().__init__(convert_charrefs=True)
        self.url, self.links, self.forms = url, [], []
        self._form: Form | None = None
        self._control: Field | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.url, attrs["href"]))
        elif tag == "form":
            action = urljoin(self.url, attrs.get("action") or self.url).partition("#")[0]
            method = (attrs.get("method") or "get").upper()
            multipart = attrs.get("enctype") == "multipart/form-data"
            self._form = Form(self.url, method, action, multipart)
            self.forms.append(self._form)
        elif self._form is not None and attrs.get("name"):
            self._field(tag, attrs)
        elif tag == "option" and self._control is not None:
            value = attrs.get("value", "")
            self._control.options.append(value)
            if "selected" in attrs:
                self._control.sent.append(value)

    def _field(self, tag: str, attrs: dict) -> None:
        name, required = attrs["name"], "required" in attrs
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            value = attrs.get("value", "on" if kind in ("checkbox", "radio") else "")
            ticked = kind not in ("checkbox", "radio", "file") or "checked" in attrs
            self._add(Field(name, kind, [value] if ticked else [], [value], required))
        elif tag == "select":
            kind = "select-multiple" if "multiple" in attrs else "select"
            self._control = self._add(Field(name, kind, required=required))
        elif tag == "textarea":
            self._control = self._add(Field(name, "textarea", required=required))
            self._text = []

    def _add(self, new: Field) -> Field:
        for known in self._form.fields:  # radios and repeated checkboxes share a name
            if known.name == new.name and known.kind == new.kind:
                known.sent += new.sent
                known.options += new.options
                return known
        self._form.fields.append(new)
        return new

    def handle_data(self, data):
        if self._control is not None and self._control.kind == "textarea":
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._control is not None:
            control, self._control = self._control, None
            if control.kind == "select" and not control.sent and control.options:
                # A browser sends a single select's first option when none is selected.
                control.sent.append(control.options[0])
        elif tag == "textarea" and self._control is not None:
            # Browsers drop the line break that opens a textarea.
            text = "".join(self._text)
            self._control.sent = [text.removeprefix("\r\n").removeprefix("\n")]
            self._control = None


def read_page(url: str, markup: str) -> _PageReader:
    reader = _PageReader(url)
    reader.feed(markup)
    return reader


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# Crawling


SKIPPED_SUFFIXES = (".ics", ".atom", ".xml", ".txt", ".csv", ".json", ".png", ".css", ".js")


def crawl(client, starts: list[str], within: tuple[str, ...], limit: int) -> dict[str, str]:
    """GET pages breadth-first from `starts`, following links under `within` (no query)."""
    pages: dict[str, str] = {}
    queue, seen = list(starts), set()
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        with client.get(url) as response:
            assert response.status_code < 500, url
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            pages[url] = response.text
        for link in read_page(url, pages[url]).links:
            parts = urlsplit(link)
            local = parts.netloc in ("", "localhost") and parts.path.startswith(within)
            if local and not parts.path.endswith(SKIPPED_SUFFIXES):
                queue.append(parts.path)
    return pages


# What the database holds


def table_summary() -> tuple:
    """Each table's row count and latest change, read in one statement on a fresh connection.

    API tokens are left out of the changes: presenting one records when it was last used.
    """
    parts = []
    for table in db.metadata.sorted_tables:
        parts.append(select(func.count()).select_from(table).scalar_subquery())
        if "updated_at" in table.columns and table.name != "api_tokens":
            parts.append(select(func.max(table.columns["updated_at"])).scalar_subquery())
    with db.engine.connect() as connection:
        return tuple(connection.execute(select(*parts)).one())


# Submitting forms with hostile values

# What a person fills in where the page requires a value: the baseline the crawl varies.
PLAUSIBLE = {
    "email": "crawler@example.org",
    "url": "https://example.org/page",
    "number": "3",
    "date": "2031-01-10",
    "datetime-local": "2031-01-10T10:00",
    "time": "10:00",
}


def baseline(form: Form) -> list[tuple[str, str]]:
    """What a person sends: the page's values, with required fields filled in or ticked."""
    values = []
    for control in form.fields:
        sent = control.sent
        if control.required and not any(sent):
            sent = control.options[:1] if control.kind in ("checkbox", "radio") else []
            sent = sent or [PLAUSIBLE.get(control.kind, "Sample text")]
        values += [(control.name, value) for value in sent]
    return values


def hostile_values(control: Field) -> list[object]:
    """The hostile values that a field of this kind is sent."""
    if control.name == "csrf_token":
        return ["", "forged-token"]
    if control.kind == "file":
        return [(BytesIO(SCRIPT.encode()), "photo.png")]
    if control.kind in NUMBER_KINDS:
        return [LETTERS, "", NUL, HUGE_NUMBER]
    if control.kind in CHOICE_KINDS:
        return [FORGED_CHOICE, "", NUL]
    if control.kind == "checkbox":
        return [SCRIPT, NUL]
    return [OVERSIZED, "", SCRIPT, NUL]


def varied_fields(form: Form) -> list[Field]:
    """The fields to vary: repeated rows of a list (credits-1-…, credits-2-…) only once."""
    seen, fields = set(), []
    for control in form.fields:
        pattern = re.sub(r"-\d+-", "-N-", control.name)
        if pattern not in seen:
            seen.add(pattern)
            fields.append(control)
    return fields


@dataclass
class Crawler:
    """Submits forms on one signed-in client and checks every answer."""

    client: object
    submitted: int = 0
    scripts_kept: int = 0  # accepted submissions with a script: pages then show it back
    tried: set[str] = field(default_factory=set)

    def run(self, form: Form) -> None:
        """Submit the form once per field and hostile value."""
        for control in varied_fields(form):
            for value in hostile_values(control):
                if [value] != control.sent:  # the page's own value is no new input
                    self.submit(form, control, value)

    def submit(self, form: Form, control: Field, value) -> None:
        data = [(name, sent) for name, sent in baseline(form) if name != control.name]
        data.append((control.name, value))
        where = f"{form.method} {form.action} {control.name}={str(value)[:40]!r}"
        before = table_summary()
        response = self.send(form, data)
        self.submitted += 1
        self.tried.add(f"{form.method} {_without_ids(urlsplit(form.action).path)}")
        assert response.status_code < 500, where
        assert_escaped(response, where)
        if 400 <= response.status_code < 500:
            assert table_summary() == before, f"{where} was refused but wrote"
        elif response.status_code in (301, 302, 303):
            self.scripts_kept += value == SCRIPT and form.method == "POST"
            self.follow(response, where)

    def send(self, form: Form, data: list[tuple[str, object]]):
        path = local_path(form.action)
        if form.method == "GET":
            return self.client.get(path, query_string=MultiDict(data))
        content_type = "multipart/form-data" if form.multipart else None
        return self.client.post(path, data=MultiDict(data), content_type=content_type)

    def follow(self, response, where: str) -> None:
        target = local_path(urljoin("http://localhost/", response.headers["Location"]))
        with self.client.get(target) as page:
            assert page.status_code < 500, f"{where}, then {target}"
            assert_escaped(page, f"{where}, then {target}")


def assert_escaped(response, where: str) -> None:
    """A page that shows hostile input back shows it as text, never as markup."""
    body = response.get_data().decode(errors="replace")
    assert SCRIPT not in body, f"{where}: the script came back unescaped"
    assert FORGED_CHOICE not in body, f"{where}: the forged choice came back unescaped"


# The site


# Forms that end or remove what other forms act on go last.
LAST_ACTIONS = ("delete", "erase", "disable", "role", "reset-password", "cancel", "decline")


def forms_of(pages: dict[str, str]) -> list[Form]:
    """Each form once per address, ids aside; a "new" and an "edit" form share their checks
    (the one with more of its fields filled in is kept)."""
    found: dict[tuple, Form] = {}
    for url, markup in pages.items():
        for form in read_page(url, markup).forms:
            path = urlsplit(form.action).path
            if path in SKIPPED_ACTIONS:
                continue
            names = tuple(control.name for control in varied_fields(form))
            key = (form.method, re.sub(r"/(new|N/edit)$", "/form", _without_ids(path)), names)
            if key not in found or _filled(form) > _filled(found[key]):
                found[key] = form
    return sorted(found.values(), key=lambda form: any(w in form.action for w in LAST_ACTIONS))


def _without_ids(path: str) -> str:
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def _filled(form: Form) -> int:
    return sum(1 for control in form.fields if any(control.sent))


QUESTIONS = [
    QuestionFields("short_text", "Your organisation", required=True),
    QuestionFields("long_text", "What would you like to ask?"),
    QuestionFields("single_choice", "Session", choices=["Morning", "Evening"]),
    QuestionFields("multiple_choice", "Topics", choices=["Courts", "Media", "Policy"]),
    QuestionFields("checkbox", "Send me the recording"),
    QuestionFields("country", "Country"),
    QuestionFields("organization", "Affiliation"),
]


@dataclass
class Site:
    """What the crawl starts from, and the admin who signs in."""

    public_pages: list[str]
    admin: tuple[str, str]
    manage_token: str


@pytest.fixture
def site(app, make_event, open_event, sign_up, make_news, make_staff) -> Site:
    """A webinar asking every kind of question, with registrants in each state, and more."""
    event = open_event(
        capacity=2,
        approval=True,
        join_url="https://meet.example.org/j/1",
        series="Clinic Talks",
        tags=["Accountability"],
        credits=[("co_host", "organization", "Partner Forum"), ("speaker", "person", "Dr. Lee")],
        **under_way(),  # so it has a recording as well as registrants
    )
    questions = [add_question(event, values) for values in QUESTIONS]
    answers = {str(questions[0].id): "Clinic"}
    people = [sign_up(event, f"p{n}@example.org", "Ana", answers).registration for n in range(3)]
    reg.approve_registration(people[0])
    add_recording(event, "https://video.example.org/watch/1", "Recording")
    make_event(title="A draft to delete", publish=False)
    make_news(events=[event])
    make_staff("editor@example.org", "editor")
    admin, password = make_staff("chief@example.org", "admin")
    issue_token(admin, "site", "read")
    manage = f"/registrations/{people[0].manage_token}"
    return Site(
        public_pages=["/", "/events", f"/events/{event.slug}/register", "/login", manage],
        admin=(admin.email, password),
        manage_token=people[0].manage_token,
    )


# Forms the crawl must reach, so that a crawl which finds nothing cannot pass.
EXPECTED_FORMS = {
    "POST /events/beyond-business-as-usual/register",
    "POST /registrations/{token}/cancel",
    "GET /search",
    "POST /account/password",
    "POST /admin/events/N/edit",
    "POST /admin/events/N/registration",
    "POST /admin/events/N/questions/N",
    "POST /admin/events/N/message",
    "POST /admin/events/N/registrants/N/approve",
    "POST /admin/news/N/edit",
    "POST /admin/organizations/N/edit",
    "POST /admin/staff",
    "POST /admin/tokens",
}


def test_every_form_answers_hostile_values_without_error_or_stray_write(client, site):
    crawler = Crawler(client)
    public = crawl(client, site.public_pages, ("/",), limit=40)
    for form in forms_of(public):
        crawler.run(form)
    assert signs_in(client, *site.admin)
    admin = crawl(client, ["/admin/"], ("/admin", "/account"), limit=150)
    for form in forms_of(admin):
        crawler.run(form)

    expected = {name.format(token=site.manage_token) for name in EXPECTED_FORMS}
    assert expected <= crawler.tried, expected - crawler.tried
    assert crawler.submitted > 300 and crawler.scripts_kept > 5
    # Pages listing what was saved (titles, names, answers) show the scripts as text.
    again = crawl(client, ["/admin/", *site.public_pages], ("/",), limit=150)
    for url, markup in again.items():
        assert SCRIPT not in markup, url


# Bytes that are not UTF-8, and NUL characters, on SQLite and PostgreSQL

NOT_UTF8 = b"\xff\xfe\xc3\x28"
# A field's value as a form body carries it: bytes that are not UTF-8, raw or %-escaped; NULs.
BAD_FORM_VALUES = (NOT_UTF8, quote_from_bytes(NOT_UTF8).encode(), b"Ana%00Perez", b"Ana\x00P")
BAD_ADDRESS_PARTS = ("%FF%FE", "%C3%28", "%00", "a%00b")
# The same inside a JSON string: raw bytes, an escaped NUL, half a surrogate pair.
BAD_JSON_TEXTS = (b"Ana\xff\xfe", b"Ana\\u0000", b"Ana \\ud800")


@pytest.fixture
def open_webinar(any_db_app, open_event):
    """A published webinar taking registrations, with one question."""
    event = open_event()
    add_question(event, QuestionFields("short_text", "Your organisation"))
    return event


@pytest.fixture
def db_client(any_db_app):
    return any_db_app.test_client()


def page_form(client, url: str, action_part: str) -> Form:
    """The form on the page at `url` whose action contains `action_part`."""
    forms = read_page(f"http://localhost{url}", client.get(url).text).forms
    return next(form for form in forms if action_part in form.action)


def form_body(form: Form, field_name: str, raw: bytes) -> bytes:
    """The form as a person fills it in, one field's value given as raw bytes."""
    values = [(name, value) for name, value in baseline(form) if name != field_name]
    return urlencode(values).encode() + b"&" + field_name.encode() + b"=" + raw


def post_raw(client, url: str, body: bytes, content_type: str = FORM_TYPE, **kwargs):
    return client.post(url, data=body, content_type=content_type, **kwargs)


def assert_clean_refusal(response, before: tuple, where: str) -> None:
    assert 400 <= response.status_code < 500, (where, response.status_code)
    assert table_summary() == before, f"{where} was refused but wrote"


def test_form_bodies_with_bad_bytes_are_refused_cleanly(db_client, open_webinar, make_staff):
    register = page_form(db_client, f"/events/{open_webinar.slug}/register", "/register")
    answer = next(f.name for f in register.fields if f.name.startswith("q_"))
    login = page_form(db_client, "/login", "/login")
    before = table_summary()
    for raw in BAD_FORM_VALUES:
        for name in ("name", "email", answer):
            response = post_raw(db_client, register.action, form_body(register, name, raw))
            assert_clean_refusal(response, before, f"register {name}={raw!r}")
        response = post_raw(db_client, "/login", form_body(login, "email", raw))
        assert_clean_refusal(response, before, f"login {raw!r}")
    response = post_raw(db_client, register.action, form_body(register, "name", b"Ana"))
    assert response.status_code == 303, "the same form with a plain name registers"


def test_admin_form_bodies_with_bad_bytes_are_refused_cleanly(db_client, open_webinar, make_staff):
    user, password = make_staff("chief@example.org", "admin")
    assert signs_in(db_client, user.email, password)
    organization = page_form(db_client, "/admin/organizations/new", "/organizations/new")
    before = table_summary()
    for raw in BAD_FORM_VALUES:
        for name in ("name", "description"):
            response = post_raw(db_client, organization.action, form_body(organization, name, raw))
            assert_clean_refusal(response, before, f"organisation {name}={raw!r}")
    response = post_raw(db_client, organization.action, form_body(organization, "name", b"Ana"))
    assert response.status_code == 302, "the same form with a plain name is saved"


def test_query_strings_and_paths_with_bad_bytes_are_refused_cleanly(db_client, open_webinar):
    slug = open_webinar.slug
    before = table_summary()
    for raw in BAD_ADDRESS_PARTS:
        for url in (
            f"/search?q={raw}",
            f"/events?tag={raw}&series={raw}&organization={raw}",
            f"/?page={raw}",
            f"/api/v1/events?tag={raw}",
            f"/api/v1/events?q={raw}",
            f"/events/{raw}",
            f"/events/{slug}{raw}",
            f"/news/{raw}",
            f"/calendar/tags/{raw}.ics",
            f"/registrations/{raw}",
            f"/calendar/personal/{raw}.ics",
            f"/api/v1/events/{raw}",
            f"/uploads/{raw}",
        ):
            with db_client.get(url) as response:
                assert_clean_refusal(response, before, url)
        response = db_client.post(f"/events/{slug}/register?next={raw}", data={"name": "Ana"})
        assert_clean_refusal(response, before, f"register?next={raw}")


def registration_bodies(question_id: int, bad: bytes) -> list[bytes]:
    """Registration bodies for the API with `bad` (JSON string content) in each text."""
    person = b'"name": "%s", "email": "%s", "consent": true, "answers": {"%s": "%s"}'
    key = str(question_id).encode()
    return [
        b"{" + person % (bad, b"ana@example.org", key, b"Clinic") + b"}",
        b"{" + person % (b"Ana", b"ana" + bad + b"@example.org", key, b"Clinic") + b"}",
        b"{" + person % (b"Ana", b"ana@example.org", key, bad) + b"}",
        b"{" + person % (b"Ana", b"ana@example.org", bad, b"Clinic") + b"}",
    ]


def event_bodies(bad: bytes) -> list[tuple[str, bytes]]:
    """Event bodies for the staff API (create, then change) with `bad` in a text."""
    new = b'{"title": "%s", "kind": "webinar", "timezone": "UTC", '
    new += b'"local_start": "2031-01-10T10:00", "duration_minutes": 30}'
    return [("POST", new % bad), ("PATCH", b'{"summary": "%s"}' % bad)]


def test_json_bodies_with_bad_bytes_are_refused_cleanly(db_client, open_webinar, make_staff):
    question_id = reg.active_questions(open_webinar)[0].id
    user, _password = make_staff("chief@example.org", "admin")
    staff = {"Authorization": f"Bearer {issue_token(user, 'tests', 'write')[1]}"}
    register, event = f"/api/v1/events/{open_webinar.slug}/registrations", "/api/v1/events"
    before = table_summary()
    for bad in BAD_JSON_TEXTS:
        for body in [*registration_bodies(question_id, bad), b"\xff\xfe{}"]:
            response = post_raw(db_client, register, body, "application/json")
            assert_clean_refusal(response, before, f"API registration {body!r}")
        for method, body in event_bodies(bad):
            path = event if method == "POST" else f"{event}/{open_webinar.slug}"
            response = db_client.open(
                path, method=method, data=body, content_type="application/json", headers=staff
            )
            assert_clean_refusal(response, before, f"{method} {path} {body!r}")
    [plain, *_] = registration_bodies(question_id, b"Ana")
    assert post_raw(db_client, register, plain, "application/json").status_code == 202
    [(_method, plain_event), _change] = event_bodies(b"Plain")
    created = post_raw(db_client, event, plain_event, "application/json", headers=staff)
    assert created.status_code == 201
