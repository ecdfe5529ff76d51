"""Markdown rendering, excerpts and slugs: text in, safe text out."""

import re
import string
import unicodedata
from collections.abc import Callable
from html import unescape

import nh3
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

EXCERPT_WORDS = 55
PASSAGE_WORDS = 40
_WORD = re.compile(r"[^\W_]+")
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "a", "p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre",
    "h2", "h3", "h4", "hr", "table", "thead", "tbody", "tr", "th", "td", "img",
}  # fmt: skip
# Letters that Unicode does not decompose into ASCII, spelled as their languages do.
_TRANSLITERATE = str.maketrans(
    {
        "ß": "ss",
        "ł": "l",
        "Ł": "L",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
        "œ": "oe",
        "Œ": "OE",
        "ı": "i",
    }
)


def render_markdown(source: str) -> Markup:
    """Render Markdown to HTML that keeps no script, handler or unsafe link."""
    html = _markdown.render(source or "")
    cleaned = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
    return Markup(cleaned)  # noqa: S704 - cleaned by nh3 above


def plain_text(source: str) -> str:
    """Return the words of a Markdown text without markup."""
    html = _markdown.render(source or "")
    text = unescape(nh3.clean(html, tags=set()))
    return re.sub(r"\s+", " ", text).strip()


def trim_words(text: str, words: int = EXCERPT_WORDS) -> str:
    """Trim text at a word boundary to about `words` words, ending in '…' when cut."""
    parts = text.split()
    if len(parts) <= words:
        return " ".join(parts)
    return " ".join(parts[:words]).rstrip(",;:.—–-") + "…"


def excerpt_of(written: str, body: str) -> str:
    """The written excerpt, or the body's text trimmed to about 55 words."""
    if written and written.strip():
        return written.strip()
    return trim_words(plain_text(body))


def fold(text: str) -> str:
    """The text without case or accents, for comparing words: 'Áñez' becomes 'anez'."""
    spelled = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    return "".join(char for char in spelled if not unicodedata.combining(char)).casefold()


def words_of(text: str) -> list[str]:
    """The words of a text, without the punctuation and spaces between them."""
    return _WORD.findall(unicodedata.normalize("NFC", text))


def highlight(text: str, matches: Callable[[str], bool]) -> Markup:
    """The text, escaped, with each word that matches(word) in <mark>."""
    text = unicodedata.normalize("NFC", text)
    parts, done = [], 0
    for found in _WORD.finditer(text):
        if matches(found.group()):
            parts += [escape(text[done : found.start()]), Markup("<mark>")]
            parts += [escape(found.group()), Markup("</mark>")]
            done = found.end()
    parts.append(escape(text[done:]))
    return Markup("").join(parts)


def passage(text: str, matches: Callable[[str], bool], words: int = PASSAGE_WORDS) -> str:
    """About `words` words of the text from shortly before its first matching word, or ''."""
    parts = text.split()
    first = next(
        (i for i, part in enumerate(parts) if any(map(matches, _WORD.findall(part)))), None
    )
    if first is None:
        return ""
    start = max(first - words // 4, 0)
    lead = "…" if start else ""
    return lead + trim_words(" ".join(parts[start:]), words)


def slugify(text: str, max_length: int = 80) -> str:
    """Make a URL slug of ASCII letters, digits and hyphens ('item' when nothing is left).

    A long one is cut after its last whole word within `max_length`, never inside a word
    (unless its first word alone is longer).
    """
    spelled = text.translate(_TRANSLITERATE)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        # One character more shows whether the cut falls between words.
        kept = slug[: max_length + 1]
        slug = kept.rsplit("-", 1)[0] if "-" in kept else slug[:max_length]
    return slug or "item"


_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# Characters that break a line or control a terminal; never part of a one-line value.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def ascii_lower(text: str) -> str:
    """Lowercase the ASCII letters A-Z only; every other character stays as it is."""
    return text.translate(_ASCII_LOWER)


def normalise_email(email: str) -> str:
    """The key of one mailbox (DESIGN §3): how it is compared, never how it is shown.

    The address as email-validator normalises it (NFC), its domain in IDNA ASCII, then
    ASCII letters lowercased. Nothing else is folded: `alice@straße.org` and
    `alice@strasse.org`, or `ß` and `ss`, `ς` and `σ`, `ı` and `i`, are different
    mailboxes. Text that is no valid address gets the same treatment as far as it goes.
    """
    text = unicodedata.normalize("NFC", email.strip())
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return ascii_lower(text)
    return ascii_lower(f"{checked.local_part}@{checked.ascii_domain}")


def has_control_character(text: str) -> bool:
    """Whether the text holds a control character or a line break (tab and NUL included)."""
    return _CONTROL.search(text) is not None


def one_line(text: str) -> str:
    """The text with each control character or line break as a space (for stored values)."""
    return _CONTROL.sub(" ", text)


def join_names(names: list[str]) -> str:
    """Join names in the reader's language: 'A', 'A and B', 'A, B and C' ('A, B y C')."""
    if len(names) <= 1:
        return "".join(names)
    return gettext("%(names)s and %(last)s", names=", ".join(names[:-1]), last=names[-1])
