"""axe-core in Chromium on the pages people use, with the demo content loaded.

No page may have a violation that axe rates serious or critical.
"""

import re
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.inputs import QuestionFields, RegistrationSettings
from eventsvc.models import Event, NewsItem, OutboxMessage, Question
from eventsvc.services.demo import load_demo
from eventsvc.services.registration import active_questions, register
from eventsvc.services.registration_settings import add_question
from eventsvc.services.staff import create_staff
from eventsvc.timezones import now
from tests.helpers import (
    dispose,
    new_app,
    open_registration,
    serving,
    sign_in,
    written_messages,
)

AXE = Path(__file__).resolve().parents[1] / "js" / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
STAFF_EMAIL = "editor@example.org"
STAFF_PASSWORD = "a long passphrase for the editor"
# With the demo's own questions, the form shows every kind of field.
QUESTIONS = [
    QuestionFields("short_text", "Your role", required=True, help_text="For example: lawyer."),
    QuestionFields("multiple_choice", "Topics you follow", choices=["Courts", "Protest"]),
    QuestionFields("long_text", "Anything we should know to make the event accessible to you?"),
    QuestionFields("checkbox", "Tell me about future events"),
    QuestionFields("country", "Where you work from"),
]
SAMPLE_ANSWERS = {
    "single_choice": lambda q: q.choices[0],
    "multiple_choice": lambda q: q.choices[:1],
    "checkbox": lambda q: True,
    "country": lambda q: "BO",
}


@dataclass
class DemoSite:
    """The demo on a live server: the pages under test and a registration's token."""

    url: str
    event: str
    event_id: int
    news: str
    manage_token: str


def _announced_webinar() -> tuple[Event, NewsItem]:
    """The soonest upcoming webinar that a news item announces, with that item."""
    statement = (
        select(Event, NewsItem)
        .join(NewsItem.events)
        .where(Event.kind == "webinar", Event.visibility == "published")
        .where(Event.status == "scheduled", Event.starts_at > now(), NewsItem.label == "event")
        .order_by(Event.starts_at)
    )
    return tuple(db.session.execute(statement).first())


def _sample_answer(question: Question):
    return SAMPLE_ANSWERS.get(question.type, lambda q: "Researcher")(question)


def _open_registration(event: Event) -> str:
    """Take registrations with every kind of question; returns a confirmed person's token."""
    open_registration(event, RegistrationSettings())
    for question in QUESTIONS:
        add_question(event, question)
    answers = {str(q.id): _sample_answer(q) for q in active_questions(event) if q.required}
    outcome = register(event, "Rosa Mamani", "rosa@example.org", answers, True, "America/La_Paz")
    assert outcome.state == "confirmed"
    written_messages(select(OutboxMessage))  # she was told, so a change would tell her
    return outcome.registration.manage_token


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory):
    """The demo content on one live server for the whole module."""
    folder = tmp_path_factory.mktemp("demo-site")
    app = new_app(folder, f"sqlite:///{folder / 'site.db'}", {"WTF_CSRF_ENABLED": True})
    with app.app_context():
        load_demo()
        create_staff(STAFF_EMAIL, "editor", STAFF_PASSWORD)
        event, news = _announced_webinar()
        token = _open_registration(event)
        paths = {"event": event.slug, "event_id": event.id, "news": news.slug}
    with serving(app) as url:
        yield DemoSite(url, manage_token=token, **paths)
    dispose(app)


@pytest.fixture(scope="module")
def staff_session(browser, demo_site):
    """A signed-in staff member's cookies, so each staff page skips the sign-in form."""
    context = browser.new_context(base_url=demo_site.url)
    sign_in(context.new_page(), STAFF_EMAIL, STAFF_PASSWORD)
    yield context.storage_state()
    context.close()


PUBLIC_PAGES = {
    "news listing": "/",
    "news item announcing an event": "/news/{news}",
    "events list": "/events",
    "event page with the registration form": "/events/{event}",
    "check your inbox after registering": "/events/{event}/register/received",
    "staff sign-in": "/login",
    "registration manage page": "/registrations/{manage_token}",
    "correcting one's registration": "/registrations/{manage_token}/edit",
    "calendar by month": "/calendar",
    "calendar agenda": "/calendar?view=agenda",
    "calendar feeds": "/calendar/feeds",
    "search results": "/search?q=rights",
    "embedded listing": "/embed/events",
    "embedded event card": "/embed/events/{event}",
}
# What a visitor on a phone opens: none of it may scroll sideways at 390 px (WCAG 1.4.10).
PHONE_PAGES = {
    "home": "/",
    "news item": "/news/{news}",
    "events": "/events",
    "an event": "/events/{event}",
    "register": "/events/{event}/register",
    "calendar": "/calendar",
    "agenda": "/calendar?view=agenda",
    "calendar feeds": "/calendar/feeds",
    "search": "/search?q=rights",
    "manage": "/registrations/{manage_token}",
    "correct": "/registrations/{manage_token}/edit",
    "cancel": "/registrations/{manage_token}/cancel",
    "embedded listing": "/embed/events",
    "news feed": "/news.atom",
}
PHONE = {"width": 390, "height": 844}
# The same reader's pages in Spanish: the demo's event there is translated, the bilingual
# post marks its parts, and a Spanish browser's pages name their language.
SPANISH_PAGES = {
    "news listing in Spanish": "/es/",
    "bilingual news item": "/es/news/clinic-asks-u-n-experts-to-examine-attacks-on-land-defenders",
    "event page in Spanish": "/es/events/{event}",
    "registration form in Spanish": "/es/events/{event}/register",
    "manage page in Spanish": "/es/registrations/{manage_token}",
    "cancelling in Spanish": "/es/registrations/{manage_token}/cancel",
}
STAFF_PAGES = {
    "new event form": "/admin/events/new",
    "event edit form": "/admin/events/{event_id}/edit",
    "admin event page": "/admin/events/{event_id}",
    "dashboard": "/admin/",
    "event figures with the chart": "/admin/events/{event_id}/statistics",
    "check-in list": "/admin/events/{event_id}/check-in",
    "attendance import": "/admin/events/{event_id}/attendance",
    "new news item with the event picker": "/admin/news/new",
    "add a registrant": "/admin/events/{event_id}/registrants/new",
    "outbox": "/admin/outbox",
}


def serious_violations(page) -> list[dict]:
    """Run axe-core on the page as it is now; keep what it rates serious or critical."""
    # Evaluated through the browser's debugging protocol: the site's Content-Security-Policy
    # (no inline script) rightly refuses a <script> tag that holds axe-core.
    page.evaluate(AXE.read_text())
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING]


def report(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines += [f"    at {' '.join(node['target'])}" for node in violation["nodes"]]
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = serious_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{report(violations)}"


def open_page(page, site: DemoSite, path: str) -> None:
    response = page.goto(path.format(**asdict(site)))
    assert response.ok, f"{path}: {response.status}"


@pytest.mark.parametrize("path", PUBLIC_PAGES.values(), ids=PUBLIC_PAGES.keys())
def test_public_pages_have_no_serious_violations(demo_site, new_page, path):
    page = new_page(demo_site.url)
    open_page(page, demo_site, path)
    assert_accessible(page)


@pytest.mark.parametrize("path", SPANISH_PAGES.values(), ids=SPANISH_PAGES.keys())
def test_spanish_pages_have_no_serious_violations(demo_site, new_page, path):
    page = new_page(demo_site.url, locale="es-ES")
    open_page(page, demo_site, path)
    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert_accessible(page)


def test_an_open_subscribe_menu_has_no_serious_violations(demo_site, new_page):
    page = new_page(demo_site.url)
    open_page(page, demo_site, "/calendar")
    page.get_by_text("Subscribe to all events", exact=True).click()
    expect(page.get_by_role("link", name="Apple Calendar")).to_be_visible()
    assert_accessible(page)


def sideways_overflow(page) -> list[str]:
    """Elements that reach past the right edge of the viewport, as tag.class."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(element => element.getBoundingClientRect().right > innerWidth + 1)
            .map(element => element.tagName.toLowerCase() + '.' + element.className)"""
    )


@pytest.mark.parametrize("path", PHONE_PAGES.values(), ids=PHONE_PAGES.keys())
def test_no_page_scrolls_sideways_on_a_phone(demo_site, new_page, path):
    page = new_page(demo_site.url, viewport=PHONE, is_mobile=True, has_touch=True)
    open_page(page, demo_site, path)
    for menu in page.locator("details").all():
        menu.locator("summary").click()  # open menus and disclosures too

    width = page.evaluate("document.documentElement.scrollWidth")

    assert width <= PHONE["width"], f"{path}: {width} px wide; {sideways_overflow(page)}"


@pytest.mark.parametrize("path", STAFF_PAGES.values(), ids=STAFF_PAGES.keys())
def test_staff_pages_have_no_serious_violations(demo_site, staff_session, new_page, path):
    page = new_page(demo_site.url, storage_state=staff_session)
    open_page(page, demo_site, path)
    assert_accessible(page)


def test_the_registration_form_showing_its_errors_has_no_serious_violations(demo_site, new_page):
    page = new_page(demo_site.url)
    open_page(page, demo_site, "/events/{event}")
    page.get_by_role("button", name="Register").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing is sent yet: please check these")
    expect(summary).not_to_contain_text("saving")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Your name")).to_be_focused()
    assert_accessible(page)


def test_the_event_form_showing_its_errors_has_no_serious_violations(
    demo_site, staff_session, new_page
):
    page = new_page(demo_site.url, storage_state=staff_session)
    open_page(page, demo_site, "/admin/events/new")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct")
    expect(page.get_by_role("alert")).to_be_focused()
    assert_accessible(page)


def test_the_check_before_saving_step_has_no_serious_violations(demo_site, staff_session, new_page):
    page = new_page(demo_site.url, storage_state=staff_session)
    open_page(page, demo_site, "/admin/events/{event_id}/edit")
    page.get_by_label(re.compile("^Title")).fill("A title registrants would hear of")
    page.get_by_role("button", name="Save", exact=True).first.click()  # shown, not saved
    expect(page.get_by_role("region", name=re.compile("^Check before saving"))).to_be_focused()
    assert_accessible(page)
