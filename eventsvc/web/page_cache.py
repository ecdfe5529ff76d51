"""Public pages and feeds, built once per content version and kept in each worker.

A copy is kept with the content version it was built at (services/changes.py)
and until the next moment it changes by time alone: the builder names the instants its
copy depends on (a registration opening, an event ending), and no copy outlives LONGEST,
which bounds what no builder names (a scheduled news item appears within it). A request
reads the version, one small query, and gets the kept copy while both hold, so a change
shows on every worker and instance the moment it commits. Pages are shared only with
requests that see what everyone sees (no one signed in, no flashed message), and a kept
page gets the request's own CSRF token. Each worker keeps at most BUDGET_BYTES.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app, g, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from eventsvc.languages import current_language, language_offer
from eventsvc.security import allow_frames, allowed_frames
from eventsvc.services.changes import current_version
from eventsvc.timezones import now

BUDGET_BYTES = 32 * 1024 * 1024
LONGEST = timedelta(seconds=60)
# Stands for the CSRF token in a kept page; a NUL never occurs in rendered HTML.
_CSRF_PLACEHOLDER = "\x00csrf-token\x00"


@dataclass(frozen=True)
class Kept:
    """One built copy, the version it was built at, and until when it holds."""

    version: int
    until: datetime
    value: Any
    size: int


class PageCache:
    """The least recently used copies are dropped first once the budget is full."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self._kept: OrderedDict[str, Kept] = OrderedDict()
        self._lock = threading.Lock()  # `flask run` serves requests in threads

    def get(self, key: str, version: int, moment: datetime) -> Any | None:
        """The copy kept under `key` if built at `version` and still current at `moment`."""
        with self._lock:
            kept = self._kept.get(key)
            if kept is None or kept.version != version or moment >= kept.until:
                return None
            self._kept.move_to_end(key)
            return kept.value

    def put(self, key: str, kept: Kept) -> None:
        """Keep a copy, unless it alone would take more than half the budget."""
        if kept.size > self.budget // 2:
            return
        with self._lock:
            replaced = self._kept.pop(key, None)
            self.size += kept.size - (replaced.size if replaced else 0)
            self._kept[key] = kept
            while self.size > self.budget:
                _key, dropped = self._kept.popitem(last=False)
                self.size -= dropped.size


def register(app: Flask) -> None:
    """Give the app (each worker, after the fork) its own empty cache."""
    app.extensions["page_cache"] = PageCache(BUDGET_BYTES)


Built = tuple[Any, int, Iterable[datetime | None]]  # a copy, its size, its instants


def cached(key: str, build: Callable[[], Built]) -> Any:
    """The copy kept under `key` at the current content version, else a new one from build()."""
    version, moment = current_version(), now()
    if version is None:
        return build()[0]
    cache = current_app.extensions["page_cache"]
    # Copies show the site's name and address: settings changed at run time start afresh.
    settings = f"{current_app.config['SITE_NAME']} {current_app.config['BASE_URL']}"
    key = f"{key} {current_language()} {settings}"
    value = cache.get(key, version, moment)
    if value is None:
        value, size, instants = build()
        coming = [instant for instant in instants if instant and instant > moment]
        until = min([*coming, moment + LONGEST])
        cache.put(key, Kept(version, until, value, size))
    return value


def _seen_by_everyone() -> bool:
    return not current_user.is_authenticated and "_flashes" not in session


def cached_page(key: str, render: Callable[[], tuple[str, Iterable[datetime | None]]]) -> str:
    """A public page, kept for everyone who sees the same; its CSRF token is the reader's.

    render() gives the page's HTML and the instants at which it changes by time alone. The
    frames the page embeds (security.allow_frames) are kept with it, for its policy.
    """
    if not _seen_by_everyone():
        return render()[0]
    # A first visit whose browser prefers another language is offered it (languages.py).
    key = f"{key} offer:{language_offer()}"
    html, frames = cached(key, lambda: _without_token(*render()))
    allow_frames(frames)
    return html.replace(_CSRF_PLACEHOLDER, generate_csrf()) if _CSRF_PLACEHOLDER in html else html


def _without_token(html: str, instants: Iterable[datetime | None]) -> Built:
    token = g.get("csrf_token")  # set by generate_csrf() when the page has a form
    if token:
        html = html.replace(token, _CSRF_PLACEHOLDER)
    return (html, allowed_frames()), len(html), instants
