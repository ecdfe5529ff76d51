"""Full-text matching on the search index (models/search.py), on SQLite and PostgreSQL alike.

What someone types becomes words (punctuation dropped); each word must match, ignoring case
and accents, a word of the title, summary or body that it equals or, from PREFIX_FROM
letters on, begins ("derecho" finds "derechos"). Matches are ranked title first, then
summary, then body.
"""

from collections.abc import Callable
from functools import lru_cache

from sqlalchemy import CTE, ColumnElement, Select, false, func, literal_column, select, table
from sqlalchemy.sql import column

from eventsvc.extensions import db
from eventsvc.models.search import FOLD_FUNCTION, INDEXED, TEXT_SEARCH_CONFIGURATION
from eventsvc.text import fold, words_of

MAX_WORDS = 10
PREFIX_FROM = 3
# Title, summary, body: far enough apart that a word once in a title outranks it many times
# in a summary, and once in a summary outranks it many times in a body. PostgreSQL ranks
# the heading (title and summary) alone: a match in the body only ranks after them.
_SQLITE_WEIGHTS = (100.0, 10.0, 1.0)
_POSTGRESQL_WEIGHTS = "'{0, 0, 0.01, 1}'::float4[]"  # D, C (unused), B summary, A title


def search_words(text: str) -> list[str]:
    """The words of a search, each once, at most MAX_WORDS."""
    return list(dict.fromkeys(words_of(text)))[:MAX_WORDS]


def is_prefix(word: str) -> bool:
    """Whether a search word also matches longer words that begin with it."""
    return len(word) >= PREFIX_FROM


def ranked(kind: str, words: list[str]) -> CTE:
    """(item_id, rank) of the rows of `kind` ("news", "event") matching every word; higher first.

    Materialized, so the database reads the index first and then only the rows it found:
    left to itself, SQLite would walk every published event and match each one alone.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        found = _sqlite_ranked(kind, words)
    else:
        found = _postgresql_ranked(kind, words)
    return found.cte(f"{kind}_found").prefix_with("MATERIALIZED")


def _sqlite_ranked(kind: str, words: list[str]) -> Select:
    index = INDEXED[kind].index
    fts = table(index, column("rowid"))
    match = " ".join(f'"{word}"*' if is_prefix(word) else f'"{word}"' for word in words)
    rank = -func.bm25(literal_column(index), *_SQLITE_WEIGHTS)
    return select(fts.c.rowid.label("item_id"), rank.label("rank")).where(
        literal_column(index).op("MATCH")(match)
    )


def _postgresql_ranked(kind: str, words: list[str]) -> Select:
    item = INDEXED[kind]
    documents = table(item.index, column(item.key), column("document"), column("heading"))
    match = " & ".join(f"{word}:*" if is_prefix(word) else word for word in words)
    # A subquery, so the planner cannot see the words: it then reads the GIN index however
    # common they are, rather than scan every long document.
    config = literal_column(f"'{TEXT_SEARCH_CONFIGURATION}'")
    query = select(func.to_tsquery(config, match)).scalar_subquery()
    rank = func.ts_rank(literal_column(_POSTGRESQL_WEIGHTS), documents.c.heading, query)
    return select(documents.c[item.key].label("item_id"), rank.label("rank")).where(
        documents.c.document.op("@@")(query)
    )


def matching_ids(kind: str, text: str) -> Select:
    """SQL: the ids of every row of `kind` (drafts too) that matches the search `text`."""
    words = search_words(text)
    if not words:
        return select(literal_column("NULL")).where(false())
    return select(ranked(kind, words).c.item_id)


def folded(value) -> ColumnElement:
    """SQL: the value without case or accents, as the index compares words."""
    return getattr(func, FOLD_FUNCTION)(value)


# Results' texts repeat their words: each is folded once per worker, not at every sighting.
_fold_word = lru_cache(maxsize=65_536)(fold)


def word_matcher(words: list[str]) -> Callable[[str], bool]:
    """A test of whether a word of a text matches one of the search words, as the index does."""
    folded = [fold(word) for word in words]

    def matches(candidate: str) -> bool:
        candidate = _fold_word(candidate)
        return any(
            candidate == word or (is_prefix(word) and candidate.startswith(word)) for word in folded
        )

    return matches
