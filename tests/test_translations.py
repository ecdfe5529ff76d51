"""The message catalogs: each site language's catalog holds exactly the messages the source
has now, each translated with the same placeholders, and is compiled (`make translations`
gathers the messages, `make test` and `make run` compile the catalogs)."""

import os
import tomllib
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from eventsvc.languages import CATALOGS, SOURCE, read_languages

ROOT = Path(__file__).resolve().parent.parent
# The keywords `make translations` gives pybabel besides its own (-k lazy_gettext -k _l
# -k lazy_pgettext:1c,2).
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None, "lazy_pgettext": ((1, "c"), 2)}
# The languages the site speaks by default (EVENTSVC_LANGUAGES), each with its catalog.
LANGUAGES = [code for code in read_languages("en,es") if code != SOURCE]


def catalog_path(language: str) -> Path:
    return CATALOGS / language / "LC_MESSAGES" / "messages.po"


def read_catalog(language: str):
    with catalog_path(language).open("rb") as po:
        return read_po(po, locale=language)


def source_messages() -> set:
    """Every message the source asks to translate, as pyproject.toml's mappings find them."""
    mappings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["babel"]["mappings"]
    method_map = [(mapping["pattern"], mapping["method"]) for mapping in mappings]
    return {found[2] for found in extract_from_dir(ROOT, method_map, keywords=KEYWORDS)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_holds_exactly_the_messages_of_the_source(language):
    kept = {message.id for message in read_catalog(language) if message.id}
    wanted = source_messages()

    missing, gone = sorted(map(str, wanted - kept)), sorted(map(str, kept - wanted))
    assert not missing, f"run `make translations`: {language} lacks {missing[:10]}"
    assert not gone, f"run `make translations`: {language} still has {gone[:10]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_with_its_placeholders(language):
    catalog = read_catalog(language)
    untranslated = [
        message.id
        for message in catalog
        if message.id
        and (
            "fuzzy" in message.flags
            or not all(message.string if message.pluralizable else [message.string])
        )
    ]
    broken = [(message.id, [str(error) for error in errors]) for message, errors in catalog.check()]

    assert not untranslated, (
        f"{len(untranslated)} messages lack their {language} translation (or are fuzzy) "
        f"in {catalog_path(language).relative_to(ROOT)}, such as {untranslated[:5]}"
    )
    assert not broken, f"translations that change a message's placeholders: {broken[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_is_compiled_from_its_latest_version(language):
    compiled = catalog_path(language).with_suffix(".mo")

    assert compiled.exists(), f"run `make test` or `make run`: {compiled} is not built"
    assert os.path.getmtime(compiled) >= os.path.getmtime(catalog_path(language)), (
        f"run `make test` or `make run`: {compiled} is older than its catalog"
    )
