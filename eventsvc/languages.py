"""The languages the site speaks: which one a request reads, its addresses, and its headers.

English, the language the interface is written in, is served unprefixed; every other
language of EVENTSVC_LANGUAGES under its code (`/es/events/<slug>`, DESIGN §7). Each page
of the localized blueprints answers at both addresses: the app adds a `/<language>` copy of
each of their routes, url_for() keeps the reader's language (or takes `language=`), and
the locale selector reads it from the address. The API reads Accept-Language; an email
takes its registrant's language (flask_babel.force_locale).
"""

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, request, url_for
from flask_babel import force_locale, get_locale, gettext, refresh
from markupsafe import Markup, escape
from werkzeug.routing import Rule

SOURCE = "en"
CATALOGS = Path(__file__).resolve().parent / "translations"
# A preference kept once a reader has seen the offer to switch, or read another language.
CHOICE_COOKIE = "language"
_CHOICE_AGE = 365 * 24 * 3600
_LOCALIZED = ("public", "feeds", "embed", "auth", "admin")
# Addresses that are the same in every language: files, machine answers, the sitemap.
_SHARED = {
    "public.upload",
    "public.favicon",
    "public.healthz",
    "public.robots",
    "public.sitemap",
    "public.oembed",
}
NAMES = {"en": "English", "es": "Español"}
_API = "/api/"
# Stands for this page's address in a language: filled in per request (_fill_addresses), as a
# kept page is shared by readers who came by other query strings.
_PAGE_IN = "\x00page-in-{}\x00"


def read_languages(setting: str) -> tuple[str, ...]:
    """EVENTSVC_LANGUAGES as codes, English first; a language without a catalog stops the app."""
    codes = [code.strip().lower() for code in setting.split(",") if code.strip()]
    unknown = [code for code in codes if code != SOURCE and not (CATALOGS / code).is_dir()]
    if unknown:
        raise ValueError(f"EVENTSVC_LANGUAGES: no translations for {', '.join(unknown)}")
    return (SOURCE, *dict.fromkeys(code for code in codes if code != SOURCE))


def site_languages() -> tuple[str, ...]:
    """The running site's languages, English first."""
    return current_app.config["LANGUAGES"]


def current_language() -> str:
    """The language this request (or forced email) reads: 'en', 'es'."""
    locale = get_locale()
    return locale.language if locale is not None else SOURCE


def other_languages() -> list[str]:
    """The site's languages other than the one being read."""
    return [code for code in site_languages() if code != current_language()]


def prefixed(path: str, language: str) -> str:
    """A site path in a language: '/events/x' in Spanish is '/es/events/x'."""
    return path if language == SOURCE else f"/{language}{path}"


def _language_in_path() -> str | None:
    """The language code that begins the requested path, if the site speaks it."""
    first = request.path.split("/", 2)[1]
    return first if first in site_languages()[1:] else None


def select_language() -> str:
    """Flask-Babel's locale selector: the address's language, else the API reader's choice."""
    if not request:
        return SOURCE
    if g.get("language"):
        return g.language
    if request.path.startswith(_API):
        return request.accept_languages.best_match(site_languages(), SOURCE)
    return _language_in_path() or SOURCE


def preferred_language() -> str | None:
    """The reader's browser's favourite of the site's languages, if it is not this page's."""
    best = request.accept_languages.best_match(site_languages())
    return best if best and best != current_language() else None


def language_offer() -> str | None:
    """The language to offer switching to: on a first visit whose browser prefers another.

    Offered once: the answer remembers the reader's choice (_language_headers).
    """
    if "offered_language" not in g:
        first_visit = not request.cookies.get(CHOICE_COOKIE) and request.blueprint == "public"
        g.offered_language = preferred_language() if first_visit else None
    return g.offered_language


def page_in(language: str) -> Markup:
    """Template global: this page's address in `language`, for the switcher and the offer."""
    return Markup(_PAGE_IN.format(language))  # noqa: S704 - a fixed placeholder


def _address_in(language: str) -> str:
    """The requested address (path and query) in `language`."""
    path = request.path
    if current := _language_in_path():
        path = path[len(current) + 1 :] or "/"
    query = request.query_string.decode("ascii", "replace")
    return prefixed(path, language) + (f"?{query}" if query else "")


def language_alternates() -> list[tuple[str, str]]:
    """(hreflang, absolute address) of this public page in every language, and x-default."""
    endpoint, values = request.endpoint, request.view_args or {}
    if request.blueprint != "public" or not _localized_endpoint(endpoint) or "token" in values:
        return []
    base = current_app.config["BASE_URL"]
    found = [(code, base + url_for(endpoint, **values, language=code)) for code in site_languages()]
    return [*found, ("x-default", found[0][1])] if len(found) > 1 else []


def language_name(code: str) -> str:
    """Template filter: a language's name in the reader's language ('es' → 'Spanish'), or
    the code itself when Babel does not know it."""
    try:
        locale = Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return code
    return locale.get_display_name(current_language()) or code


def offer_words(language: str) -> tuple[str, str]:
    """The offer to switch, in the language offered: its sentence and its link."""
    with force_locale(language):
        # Translators: offered to readers whose browser prefers this translation's language.
        sentence = gettext("This page is also in English.")
        return sentence, gettext("Read it in English")


def _fill_addresses(response):
    """Put this request's own addresses where a page asked for itself in a language; an
    error page offers the home page instead, and so never repeats an address it refused."""
    if response.mimetype != "text/html" or response.direct_passthrough:
        return response
    body = response.get_data(as_text=True)
    if "\x00page-in-" in body:
        for code in site_languages():
            address = _address_in(code) if response.status_code < 400 else prefixed("/", code)
            body = body.replace(_PAGE_IN.format(code), str(escape(address)))
        response.set_data(body)
    return response


def _localized_endpoint(endpoint: str | None) -> bool:
    if not endpoint or endpoint in _SHARED:
        return False
    return endpoint.split(".", 1)[0] in _LOCALIZED


def _add_language_routes(app: Flask) -> None:
    """A `/<language>` copy of each localized route; url_for() picks it when given one."""
    others = app.config["LANGUAGES"][1:]
    if not others:
        return
    prefix = f"/<any({', '.join(others)}):language>"
    for rule in list(app.url_map.iter_rules()):
        if _localized_endpoint(rule.endpoint):
            path = prefix + (rule.rule if rule.rule != "/" else "/")
            app.url_map.add(Rule(path, **rule.get_empty_kwargs()))


def _take_language(endpoint: str | None, values: dict | None) -> None:
    """The address's language goes to `g`, not to the view."""
    _forget_language()
    if values and "language" in values:
        g.language = values.pop("language")


def _forget_language(_error=None) -> None:
    """Start each request afresh: tests send several through one app context (and `g`)."""
    for name in ("language", "offered_language"):
        g.pop(name, None)
    refresh()


def _keep_language(endpoint: str, values: dict) -> None:
    """url_for() stays in the reader's language unless given another."""
    if not _localized_endpoint(endpoint):
        values.pop("language", None)
        return
    language = values.setdefault("language", current_language())
    if language == SOURCE:
        del values["language"]


def _language_headers(response):
    """Content-Language on pages; the reader's choice remembered once it is made or offered."""
    if response.mimetype in ("text/html", "text/calendar", "application/atom+xml"):
        response.headers.setdefault("Content-Language", current_language())
    if request.blueprint == "public" and response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        shown = current_language() != SOURCE or g.get("offered_language")
        if shown and request.cookies.get(CHOICE_COOKIE) != current_language():
            response.set_cookie(
                CHOICE_COOKIE, current_language(), max_age=_CHOICE_AGE, samesite="Lax"
            )
    return response


def register_languages(app: Flask) -> None:
    """Serve each localized page in every site language, and name its language."""
    _add_language_routes(app)
    app.url_value_preprocessor(_take_language)
    app.teardown_request(_forget_language)
    app.url_defaults(_keep_language)
    app.after_request(_language_headers)
    app.after_request(_fill_addresses)
    app.add_template_global(page_in)
    app.add_template_global(offer_words)
    app.add_template_global(language_alternates)
    app.add_template_global(language_offer)
    app.add_template_global(current_language)
    app.add_template_global(other_languages)
    app.add_template_global(site_languages)
    app.add_template_global(NAMES, "language_names")
    app.add_template_filter(language_name)
