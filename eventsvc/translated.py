"""Content in the reader's language: an item's translation, else its original, marked.

An event or news item is written in one language (`language`); a news item written in
several at once (both versions in one post) lists them: "en, es". Each may carry a
translation per language code (`translations`: {"es": {"title": …, "summary": …}}), and
each question of an event its label, help and choices. A reader gets the text in their
language where there is one, field by field; otherwise the original, whose language the
page marks with `lang`. In a text written in several languages, a line `:::es` starts
the part written in Spanish (`language_parts`).
"""

import re
from collections.abc import Iterable
from functools import cache

from babel import Locale

from eventsvc.text import excerpt_of

EVENT_FIELDS = ("title", "summary", "body", "consent_text")
NEWS_FIELDS = ("title", "body", "excerpt")
QUESTION_FIELDS = ("label", "help_text", "choices")
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_PART_START = re.compile(r"^:::[ \t]*([a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)[ \t]*$", re.MULTILINE)


class Text(str):
    """A text and the language it is written in."""

    lang: str

    def __new__(cls, value: str, lang: str) -> "Text":
        text = super().__new__(cls, value or "")
        text.lang = lang
        return text


def languages_of(item) -> list[str]:
    """The languages an item is written in, first its main one: 'en, es' → ['en', 'es']."""
    return read_language_list(item.language or "en") or ["en"]


def read_language_list(value: str) -> list[str]:
    """Language codes from 'en, es' (commas or spaces between them), each once."""
    return list(dict.fromkeys(code for code in re.split(r"[\s,]+", value.strip()) if code))


def bad_language_code(value: str) -> str | None:
    """The first code in a list that is not a language code such as en, es or pt-BR."""
    return next((code for code in read_language_list(value) if not _is_code(code)), None)


def _is_code(code: str) -> bool:
    return bool(LANGUAGE_CODE.fullmatch(code))


def translation(item, language: str) -> dict:
    """The item's translation into `language` ({} when it has none)."""
    return (item.translations or {}).get(language) or {}


def text_in(item, field: str, language: str) -> Text:
    """The item's `field` in `language` when written or translated so, else the original."""
    written = languages_of(item)
    if language not in written and (translated := translation(item, language).get(field)):
        return Text(translated, language)
    return Text(getattr(item, field) or "", written[0])


def language_parts(text: Text) -> list[Text]:
    """A text split where a line `:::<code>` starts a part in another language."""
    pieces = _PART_START.split(text)
    parts = [Text(pieces[0], text.lang)] if pieces[0].strip() else []
    parts += [Text(body, code) for code, body in zip(pieces[1::2], pieces[2::2], strict=True)]
    return parts or [Text("", text.lang)]


def excerpt_in(item, language: str) -> Text:
    """A news item's excerpt for a reader of `language`: its written one, else its body's."""
    written = text_in(item, "excerpt", language)
    if written.strip():
        return Text(written.strip(), written.lang)
    parts = language_parts(text_in(item, "body", language))
    part = next((part for part in parts if part.lang == language), parts[0])
    return Text(excerpt_of("", part), part.lang)


def summary_in(item, language: str) -> Text:
    """An event's summary for a reader of `language`, else its body's opening words."""
    summary = text_in(item, "summary", language)
    if summary.strip():
        return summary
    body = text_in(item, "body", language)
    return Text(excerpt_of("", body), body.lang)


def choices_in(question, language: str) -> list[tuple[str, str]]:
    """A question's choices as (value stored, label shown): the label in `language` if given."""
    translated = translation(question, language).get("choices") or []
    return [
        (choice, translated[index] if index < len(translated) and translated[index] else choice)
        for index, choice in enumerate(question.choices or [])
    ]


@cache
def country_names(language: str) -> dict[str, str]:
    """Country codes and their names in `language`, in that language's order."""
    from eventsvc.inputs import COUNTRIES

    names = Locale.parse(language).territories
    found = {code: names.get(code, name) for code, name in COUNTRIES.items()}
    return dict(sorted(found.items(), key=lambda item: item[1]))


def cleaned_translations(
    translations: dict | None, fields: Iterable[str], own: str = ""
) -> dict[str, dict]:
    """Translations as stored: text trimmed, empty fields and languages left out."""
    kept = {}
    for code, values in (translations or {}).items():
        if code == own or not isinstance(values, dict):
            continue
        found = {name: _cleaned(values.get(name)) for name in fields}
        found = {name: value for name, value in found.items() if value}
        if found:
            kept[code] = found
    return dict(sorted(kept.items()))


def _cleaned(value):
    if isinstance(value, list):
        items = [str(item).strip() for item in value]
        return items if any(items) else None
    return value.strip() if isinstance(value, str) else None
