"""Every route in the URL map, checked for who may use it (issue 6, Access).

Each (method, rule) pair has one decision: public (the table below), token-guarded (the
table below), staff (the admin blueprint, the password page, and API operations marked
`staff`), admin-only (the table below, which must match the routes whose `requires(action)`
or `staff(scope, action)` names an action that eventsvc/permissions.py gives admins
alone), or static. A new route without a decision fails the first
test. The other tests walk the map with URL arguments filled from real rows:

- anonymous visitors are sent to sign in from every staff page, and change nothing;
- editors get 403 from every admin-only page and API operation, and change nothing;
- staff API operations answer 401 without a token;
- a wrong token finds nothing behind any token-guarded rule;
- no public page, feed or API answer shows a join link, an internal note, a draft, a
  registrant's name, email or answer, or any manage or personal-feed token.
"""

import html
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import quote, unquote

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields
from eventsvc.models import (
    Attendee,
    Event,
    Organization,
    OutboxMessage,
    Person,
    Series,
    Tag,
)
from eventsvc.models.registrations import new_token
from eventsvc.permissions import PERMISSIONS
from eventsvc.services.events import add_recording
from eventsvc.services.registration_settings import add_question
from eventsvc.services.tokens import issue_token
from eventsvc.services.uploads import store_image
from eventsvc.web.api.auth import staff
from tests.helpers import PNG, row_count, signs_in, under_way

PUBLIC = {
    "GET /",
    "GET /news/<slug>",
    "GET /events",
    "GET /events/<slug>",
    "GET /events/<slug>.ics",
    "GET /events/<slug>/register",
    "POST /events/<slug>/register",
    "GET /events/<slug>/register/received",
    "GET /calendar",
    "GET /calendar/feeds",
    "GET /calendar.ics",
    "GET /calendar/series/<slug>.ics",
    "GET /calendar/tags/<slug>.ics",
    "GET /calendar/organizations/<slug>.ics",
    "GET /news.atom",
    "GET /search",
    "GET /oembed",
    "GET /embed/events",
    "GET /embed/events/<slug>",
    "GET /embed/news/<slug>",
    "GET /embed/organizations/<slug>",
    "GET /embed/series/<slug>",
    "GET /embed/tags/<slug>",
    "GET /sitemap.xml",
    "GET /robots.txt",
    "GET /healthz",
    "GET /favicon.ico",
    "GET /uploads/<name>",
    "GET /login",
    "POST /login",
    "POST /logout",
    "GET /api/v1/docs",
    "GET /api/v1/openapi.json",
    "GET /api/v1/events",
    "GET /api/v1/events/<slug>",
    "POST /api/v1/events/<slug>/registrations",
    "GET /api/v1/news",
    "GET /api/v1/news/<slug>",
    "GET /api/v1/organizations",
    "GET /api/v1/series",
    "GET /api/v1/tags",
}
TOKEN_GUARDED = {
    "GET /calendar/personal/<token>.ics",
    "GET /registrations/<token>",
    "GET /registrations/<token>.ics",
    "GET /registrations/<token>/cancel",
    "POST /registrations/<token>/cancel",
    "GET /registrations/<token>/confirm",
    "POST /registrations/<token>/confirm",
    "GET /registrations/<token>/edit",
    "POST /registrations/<token>/edit",
    "POST /registrations/<token>/feed",
    "GET /registrations/<token>/unsubscribe",
    "POST /registrations/<token>/unsubscribe",
}
ADMIN_ONLY = {
    "GET /admin/audit",
    "GET /admin/personal-data",
    "POST /admin/personal-data",
    "POST /admin/personal-data/erase",
    "POST /admin/personal-data/export",
    "GET /admin/staff",
    "POST /admin/staff",
    "POST /admin/staff/<int:user_id>/disable",
    "POST /admin/staff/<int:user_id>/enable",
    "POST /admin/staff/<int:user_id>/reset-password",
    "POST /admin/staff/<int:user_id>/role",
    "GET /admin/events/<int:event_id>/delete",
    "POST /admin/events/<int:event_id>/delete",
    "GET /admin/news/<int:item_id>/delete",
    "POST /admin/news/<int:item_id>/delete",
    "GET /admin/organizations/<int:organization_id>/delete",
    "POST /admin/organizations/<int:organization_id>/delete",
    "GET /admin/people/<int:person_id>/delete",
    "POST /admin/people/<int:person_id>/delete",
    "DELETE /api/v1/events/<slug>",
}
SIGNED_IN_OUTSIDE_ADMIN = {"/account/password"}
# Each localized route's copy in another language (/es/events/…) takes its original's decision.
LANGUAGE_PREFIX = "/<any(es):language>"
STATIC = {"static"}

JOIN_URL = "https://meet.example.org/j/room-7731-quillon"
INTERNAL_NOTE = "Speaker fee agreed: 4,821 euros (do not publish)"
DRAFT_TITLE = "Unannounced roundtable Vexmoor"
REGISTRANTS = (
    ("Zofia Wrenhaven", "zofia.wrenhaven@example.net", "I document detentions in Norvale"),
    ("Kwame Odalys-Brant", "k.odalys@example.net", "Our shelter hosts witnesses quietly"),
)
# A form body that many staff views would act on, were they to let the request through.
HOSTILE_FORM = {
    "title": "Taken over",
    "email": "intruder@example.org",
    "role": "admin",
    "reason": "intruder",
    "name": "Intruder",
    "query": "zofia",
}


def _access_markers(view) -> tuple[str | None, dict]:
    """Walk a view's decorators: (the action of its requires(), the API staff() settings)."""
    staff_code = staff()(lambda: None).__code__
    permission, api_staff = None, {}
    while view is not None:
        permission = permission or getattr(view, "permission", None)
        if view.__code__ is staff_code:
            cells = [cell.cell_contents for cell in view.__closure__]
            api_staff = dict(zip(view.__code__.co_freevars, cells, strict=True))
        view = getattr(view, "__wrapped__", None)
    return permission, api_staff


@dataclass(frozen=True)
class Route:
    """One method of one rule, and what its view's decorators say about access."""

    method: str
    rule: Rule
    permission: str | None
    api_staff: dict

    @property
    def admin_only(self) -> bool:
        """Whether the one permission table leaves editors out of this route."""
        action = self.permission or self.api_staff.get("action")
        return action is not None and "editor" not in PERMISSIONS[action]

    @property
    def path(self) -> str:
        """The rule's path without its language prefix."""
        return self.rule.rule.removeprefix(LANGUAGE_PREFIX) or "/"

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/v1/")

    def classes(self) -> set[str]:
        found = set()
        if self.key in PUBLIC:
            found.add("public")
        if self.key in TOKEN_GUARDED:
            found.add("token")
        if self.key in ADMIN_ONLY:
            found.add("admin-only")
        elif (
            self.rule.endpoint.startswith("admin.")
            or self.api_staff
            or self.path in SIGNED_IN_OUTSIDE_ADMIN
        ):
            found.add("staff")
        if self.rule.endpoint in STATIC:
            found.add("static")
        return found


def all_routes(app) -> list[Route]:
    routes = []
    for rule in app.url_map.iter_rules():
        permission, api_staff = _access_markers(app.view_functions[rule.endpoint])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append(Route(method, rule, permission, api_staff))
    return routes


def routes_of(app, *classes: str) -> list[Route]:
    return [route for route in all_routes(app) if route.classes() & set(classes)]


# Real rows to fill URL arguments with, and the private details that must stay private.


@dataclass
class Site:
    """Values for every URL argument, by name (slugs by the kind of page), and the secrets."""

    values: dict
    slugs: dict
    secrets: list[str]
    tokens: dict

    def url(self, app, route: Route, **overrides) -> str:
        values = {}
        for name in route.rule.arguments:
            values[name] = overrides.get(name, self._value(route, name))
        if "language" in values:
            return route.rule.build(values)[1]
        adapter = app.url_map.bind("localhost")
        return adapter.build(route.rule.endpoint, values, method=route.method)

    def _value(self, route: Route, name: str):
        if name != "slug":
            return self.values[name]
        for prefix, kind in (
            ("/calendar/series/", "series"),
            ("/calendar/tags/", "tag"),
            ("/calendar/organizations/", "organization"),
            ("/embed/series/", "series"),
            ("/embed/tags/", "tag"),
            ("/embed/organizations/", "organization"),
            ("/embed/news/", "news"),
            ("/news/", "news"),
            ("/api/v1/news/", "news"),
        ):
            if route.path.startswith(prefix):
                return self.slugs[kind]
        return self.slugs["event"]


@pytest.fixture
def site(app, make_event, open_event, sign_up, make_news, make_staff) -> Site:
    """A published webinar with private details and confirmed registrants, and its company."""
    event = open_event(
        title="Rights at risk in the borderlands",
        join_url=JOIN_URL,
        internal_note=INTERNAL_NOTE,
        capacity=40,
        series="Clinic Talks",
        tags=["Accountability"],
        credits=[
            ("co_host", "organization", "Partner Forum", "https://partner.example.org"),
            ("speaker", "person", "Dr. Amara Public"),
        ],
        **under_way(),  # so it has a recording as well as registrants
    )
    make_event(title=DRAFT_TITLE, publish=False, internal_note=INTERNAL_NOTE)
    question = add_question(event, QuestionFields("short_text", "What brings you to this?"))
    registrations = [
        sign_up(
            event, email, name, {str(question.id): answer}, timezone="Europe/Berlin"
        ).registration
        for name, email, answer in REGISTRANTS
    ]
    recording = add_recording(event, "https://video.example.org/watch/clinic-1", "Recording")
    news = make_news(events=[event])
    admin, _password = make_staff("chief@example.org", "admin")
    api_token, _value = issue_token(admin, "site", "read")
    upload = store_image(BytesIO(PNG), app.config["UPLOAD_DIR"], 1024)
    attendees = db.session.scalars(select(Attendee)).all()
    return Site(
        values={
            "event_id": event.id,
            "question_id": question.id,
            "recording_id": recording.id,
            "registration_id": registrations[0].id,
            "item_id": news.id,
            "organization_id": db.session.scalar(select(Organization.id)),
            "person_id": db.session.scalar(select(Person.id)),
            "message_id": db.session.scalar(select(OutboxMessage.id)),
            "user_id": admin.id,
            "token_id": api_token.id,
            "name": upload,
            "action": "decline",
            "kind": "confirmed",
            "token": registrations[0].manage_token,
            "filename": "missing.css",
            "language": "es",
        },
        slugs={
            "event": event.slug,
            "news": news.slug,
            "series": db.session.scalar(select(Series.slug)),
            "tag": db.session.scalar(select(Tag.slug)),
            "organization": db.session.scalar(select(Organization.slug)),
        },
        secrets=[
            JOIN_URL,
            "room-7731-quillon",
            INTERNAL_NOTE,
            "4,821",
            DRAFT_TITLE,
            *[detail for registrant in REGISTRANTS for detail in registrant],
            *[row.manage_token for row in registrations],
            *[attendee.feed_token for attendee in attendees],
        ],
        tokens={"manage": registrations[0].manage_token, "feed": attendees[0].feed_token},
    )


# Columns that a refused request may still move: when a token was last presented.
_VOLATILE = {("api_tokens", "last_used_at"), ("api_tokens", "updated_at")}


def database_rows() -> dict[str, list]:
    """Every row of every table, read on a connection of its own."""
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if (table.name, c.name) not in _VOLATILE]
            found = connection.execute(select(*columns)).all()
            rows[table.name] = sorted(repr(tuple(row)) for row in found)
    return rows


def shown_text(response) -> str:
    """The answer's body as a reader or a program would decode it, case-folded."""
    return unquote(html.unescape(response.get_data().decode(errors="replace"))).casefold()


def assert_no_secret(response, site: Site, where: str) -> None:
    text = shown_text(response)
    for secret in site.secrets:
        assert secret.casefold() not in text, f"{where} shows {secret!r}"


# The decisions


def test_every_route_has_one_access_decision(app):
    routes = all_routes(app)
    undecided = [route.key for route in routes if len(route.classes()) != 1]
    assert not undecided, f"give these routes one access decision: {undecided}"
    keys = {route.key for route in routes}
    assert keys >= PUBLIC | TOKEN_GUARDED | ADMIN_ONLY, "the tables name a route that is gone"


def test_the_admin_only_table_matches_the_decorators(app):
    decorated = {route.key for route in all_routes(app) if route.admin_only}
    assert decorated == ADMIN_ONLY


def test_public_and_token_routes_are_outside_the_staff_areas(app):
    for route in routes_of(app, "public", "token"):
        assert not route.path.startswith("/admin"), route.key
        assert not route.permission and not route.api_staff, route.key
        if route.is_api:
            assert app.view_functions[route.rule.endpoint].api_access == "public", route.key
    for route in routes_of(app, "token"):
        assert "token" in route.rule.arguments, route.key


# Staff pages


def staff_pages(app, *classes: str) -> list[Route]:
    return [route for route in routes_of(app, *classes) if not route.is_api]


def test_anonymous_visitors_are_refused_every_staff_page_and_change_nothing(app, client, site):
    before = database_rows()
    for route in staff_pages(app, "staff", "admin-only"):
        url = site.url(app, route)
        response = client.open(url, method=route.method, data=HOSTILE_FORM)

        assert response.status_code in (302, 401, 403), route.key
        if response.status_code == 302:
            login = "/es/login?next=" if url.startswith("/es/") else "/login?next="
            assert response.headers["Location"].startswith(login), route.key
        assert_no_secret(response, site, route.key)
    assert database_rows() == before


def test_editors_are_refused_every_admin_only_page_and_change_nothing(app, client, login, site):
    login("editor")
    before = database_rows()
    for route in staff_pages(app, "admin-only"):
        response = client.open(site.url(app, route), method=route.method, data=HOSTILE_FORM)

        assert response.status_code == 403, route.key
        assert_no_secret(response, site, route.key)
    assert database_rows() == before


def assert_opens(response, route: Route) -> None:
    """The page shows, or sends the user to another admin page (deleting a published event)."""
    if response.status_code == 302:
        assert response.headers["Location"].startswith(("/admin/", "/es/admin/")), route.key
    else:
        assert response.status_code == 200, route.key


def test_editors_open_every_other_staff_page_and_admins_every_admin_only_one(
    app, client, login, site
):
    login("editor")
    for route in staff_pages(app, "staff"):
        if route.method == "GET":
            assert_opens(client.get(site.url(app, route)), route)
    client.post("/logout")
    login("admin")
    for route in staff_pages(app, "admin-only"):
        if route.method == "GET":
            assert_opens(client.get(site.url(app, route)), route)


# Staff API operations


def api_operations(app, *classes: str) -> list[Route]:
    return [route for route in routes_of(app, *classes) if route.is_api]


def test_staff_api_operations_answer_401_without_a_usable_token(app, client, site):
    before = database_rows()
    for route in api_operations(app, "staff", "admin-only"):
        for headers in ({}, {"Authorization": "Bearer evs_" + new_token()}):
            response = client.open(
                site.url(app, route), method=route.method, json={}, headers=headers
            )

            assert response.status_code == 401, route.key
            assert response.headers["WWW-Authenticate"].startswith("Bearer"), route.key
            assert response.get_json()["error"] == "unauthorized", route.key
            assert_no_secret(response, site, route.key)
    assert database_rows() == before


def test_editor_and_read_tokens_are_refused_what_they_may_not_do(app, client, site, make_staff):
    editor, _password = make_staff("editor@example.org", "editor")
    write_token = issue_token(editor, "editor", "write")[1]
    read_token = issue_token(editor, "reader", "read")[1]
    before = database_rows()
    refused = [(route, write_token) for route in api_operations(app, "admin-only")]
    refused += [
        (route, read_token)
        for route in api_operations(app, "staff", "admin-only")
        if route.api_staff["scope"] == "write"
    ]
    assert refused
    for route, token in refused:
        response = client.open(
            site.url(app, route),
            method=route.method,
            json={},
            headers={"Authorization": f"Bearer {token}"},
        )

        assert response.status_code == 403, route.key
        assert response.get_json()["error"] == "forbidden", route.key
    assert database_rows() == before


# Token-guarded pages and feeds


def test_a_wrong_token_finds_nothing_and_changes_nothing(app, client, site):
    manage, feed = site.tokens["manage"], site.tokens["feed"]
    # One character off (never the character it already ends with), and the wrong case.
    wrong_tokens = [new_token(), manage[:-1] + ("B" if manage.endswith("A") else "A"), feed.upper()]
    before = database_rows()
    for route in routes_of(app, "token"):
        for wrong in wrong_tokens:
            response = client.open(site.url(app, route, token=wrong), method=route.method)

            assert response.status_code == 404, route.key
            assert_no_secret(response, site, route.key)
    assert database_rows() == before


def test_the_right_tokens_open_their_pages(app, client, site):
    for route in routes_of(app, "token"):
        if route.method == "GET":
            token = site.tokens["feed" if "personal" in route.rule.rule else "manage"]
            assert client.get(site.url(app, route, token=token)).status_code == 200, route.key


# Public pages, feeds and API answers


def public_urls(app, site: Site) -> list[tuple[str, str]]:
    urls = [
        (route.key, site.url(app, route))
        for route in routes_of(app, "public")
        if route.method == "GET" and route.key != "GET /oembed"  # asked about a link, below
    ]
    # Parts of secrets: a search that matched would show the whole, the echo only the part.
    for probe in ("Wrenhaven", "zofia.wrenhaven", "detentions in", "Vexmoor", "quillon", "fee"):
        urls.append(("search", f"/search?q={quote(probe)}"))
        urls.append(("API search", f"/api/v1/events?q={quote(probe)}"))
    for kind in ("series", "tag", "organization"):
        urls.append(("filter", f"/events?{kind}={site.slugs[kind]}"))
        urls.append(("calendar filter", f"/calendar?{kind}={site.slugs[kind]}"))
        urls.append(("agenda filter", f"/calendar?view=agenda&{kind}={site.slugs[kind]}"))
    for kind, path in (("event", "events"), ("news", "news")):
        page = quote(f"http://localhost/{path}/{site.slugs[kind]}")
        urls.append(("oembed", f"/oembed?url={page}"))
    return urls


def test_no_public_page_feed_or_api_answer_shows_private_details(app, client, site):
    for key, url in public_urls(app, site):
        with client.get(url) as response:
            assert response.status_code == 200, (key, url)
            assert_no_secret(response, site, f"{key} ({url})")


def test_drafts_are_not_found_by_the_public(app, client, site):
    slug = db.session.scalar(select(Event.slug).where(Event.title == DRAFT_TITLE))
    for url in (f"/events/{slug}", f"/events/{slug}.ics", f"/api/v1/events/{slug}"):
        assert client.get(url).status_code == 404, url


def test_one_table_decides_alike_on_the_web_and_in_the_api(app, make_event, make_staff):
    """Deleting a draft, offered by both: each role gets the same answer from both."""
    for role in ("editor", "admin"):
        user, password = make_staff(f"{role}-both@example.org", role)
        client = app.test_client()
        assert signs_in(client, user.email, password)
        web_draft, api_draft = make_event(publish=False), make_event(publish=False)
        drafts = row_count(Event)
        web = client.post(f"/admin/events/{web_draft.id}/delete")
        token = issue_token(user, "both", "write")[1]
        api = client.delete(
            f"/api/v1/events/{api_draft.slug}", headers={"Authorization": f"Bearer {token}"}
        )
        allowed = role in PERMISSIONS["delete"]
        assert (web.status_code != 403, api.status_code != 403) == (allowed, allowed), role
        assert row_count(Event) == drafts - (2 if allowed else 0)
