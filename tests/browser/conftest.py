"""Fixtures: the app served on a real port, and Debian's Chromium driven by Playwright.

Chromium starts once per test session; every test gets fresh browser contexts (cookies,
time zone, locale) and fails on any console error or uncaught script error on its pages.
"""

import shutil

import pytest
from playwright.sync_api import sync_playwright

from tests.helpers import serving

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 10_000


@pytest.fixture
def app_config():
    """Browsers carry the CSRF token, so the live app checks it."""
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app):
    """The test's app (SQLite file, rate limits off, CSRF on) served on a free port."""
    with serving(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, started once for the whole session."""
    if not shutil.which(CHROMIUM):
        # `make test` installs it; without it the browser tests cannot pass, so they fail.
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()


class PageProblems:
    """Console errors and uncaught exceptions seen on a test's pages.

    A page the server answers with an error status on purpose (a form re-rendered with its
    errors is a 400) makes Chromium log "Failed to load resource"; that one line is the
    status itself, which the test checks, so it is not counted. Any failing script, style,
    image or icon is.
    """

    def __init__(self):
        self._console: list[tuple[str, str]] = []
        self._uncaught: list[str] = []
        self._error_documents: set[str] = set()

    def watch(self, context) -> None:
        context.on("console", self._on_console)
        context.on("weberror", lambda error: self._uncaught.append(str(error.error)))
        context.on("response", self._on_response)

    def _on_console(self, message) -> None:
        if message.type == "error":
            self._console.append((message.location["url"], message.text))

    def _on_response(self, response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self._error_documents.add(response.url)

    def found(self) -> list[str]:
        """Every problem, one line each."""
        console = [
            f"console error at {url}: {text}"
            for url, text in self._console
            if not (text.startswith("Failed to load resource") and url in self._error_documents)
        ]
        return console + [f"uncaught error: {error}" for error in self._uncaught]


@pytest.fixture
def new_page(browser):
    """Factory: new_page(base_url, timezone_id=…, locale=…) opens a page in a new context.

    The test fails if any of its pages logs a console error or throws an uncaught error.
    """
    contexts = []
    problems = PageProblems()

    def factory(base_url: str, timezone_id: str = "Europe/London", locale: str = "en-GB", **opts):
        context = browser.new_context(
            base_url=base_url, timezone_id=timezone_id, locale=locale, **opts
        )
        context.set_default_timeout(TIMEOUT_MS)
        problems.watch(context)
        contexts.append(context)
        return context.new_page()

    yield factory
    for context in contexts:
        context.close()
    found = problems.found()
    assert not found, "\n".join(found)
