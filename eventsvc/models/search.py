"""The full-text search index of news items and events, kept current by the database itself.

SQLite: one FTS5 table per kind over the rows it indexes (external content), tokenized by
`unicode61 remove_diacritics 2`, so "clinica anez" matches "La Clínica y Áñez". PostgreSQL:
per row, through a text search configuration that drops accents (`unaccent`), a document
of every word with a GIN index, for matching, and a small heading (title weighted A,
summary B) for ranking, which reads no long document. On both, triggers on the indexed
table keep the index current with every insert, edit and delete, whoever writes. Each
indexed text is the original followed by its translations (the row's `translations`
JSON), so a search finds an item in any of its languages.

The migration that adds the index builds these same objects, and create_all() builds them
through the metadata hooks below (tests/test_migrations.py checks that both agree). The
index tables are not models: Alembic's autogenerate leaves them out (`is_search_table`).
Beware SQLite batch migrations that copy an indexed table: the copy loses its triggers, so
such a migration must create them again.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, event

from eventsvc.extensions import db

TEXT_SEARCH_CONFIGURATION = "eventsvc_search"
FOLD_FUNCTION = "eventsvc_fold"


@dataclass(frozen=True)
class IndexedTable:
    """A table whose title, summary and body columns the search index covers."""

    kind: str
    table: str
    index: str
    key: str  # the index's column for the row's id (PostgreSQL)
    columns: tuple[str, str, str]  # title, summary, body


INDEXED = {
    "news": IndexedTable(
        "news", "news_items", "news_search", "news_id", ("title", "excerpt", "body")
    ),
    "event": IndexedTable(
        "event", "events", "event_search", "event_id", ("title", "summary", "body")
    ),
}


def is_search_table(name: str) -> bool:
    """Whether a table belongs to the search index (FTS5 keeps its own `<index>_…` tables)."""
    return any(name == item.index or name.startswith(f"{item.index}_") for item in INDEXED.values())


def _sqlite_text(row: str, column: str) -> str:
    """SQL: a row's text in its original language, then in each of its translations."""
    translated = (
        f"(SELECT group_concat(json_extract(value, '$.{column}'), ' ') "
        f"FROM json_each({row}.translations))"
    )
    return f"{row}.{column} || coalesce(' ' || {translated}, '')"


def _sqlite_statements(item: IndexedTable) -> list[str]:
    columns = ", ".join(item.columns)
    new = ", ".join(_sqlite_text("new", column) for column in item.columns)
    old = ", ".join(_sqlite_text("old", column) for column in item.columns)
    every = ", ".join(_sqlite_text(item.table, column) for column in item.columns)
    add = f"INSERT INTO {item.index} (rowid, {columns}) VALUES (new.id, {new});"
    remove = (
        f"INSERT INTO {item.index} ({item.index}, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old});"
    )
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {item.index} USING fts5({columns}, "
        f"content='{item.table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER IF NOT EXISTS {item.index}_insert AFTER INSERT ON {item.table} "
        f"BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {item.index}_delete AFTER DELETE ON {item.table} "
        f"BEGIN {remove} END",
        # Only edits to the indexed text: seat counters and the like leave the index alone.
        f"CREATE TRIGGER IF NOT EXISTS {item.index}_update AFTER UPDATE OF {columns}, "
        f"translations ON {item.table} BEGIN {remove} {add} END",
        # Not 'rebuild': that would read the original columns alone.
        f"INSERT INTO {item.index} ({item.index}) VALUES ('delete-all')",
        f"INSERT INTO {item.index} (rowid, {columns}) SELECT id, {every} FROM {item.table}",
    ]


_POSTGRESQL_SHARED = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    f"""DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{TEXT_SEARCH_CONFIGURATION}') THEN
    CREATE TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIGURATION} (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION {TEXT_SEARCH_CONFIGURATION}
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
  END IF;
END $$""",
    f"""CREATE OR REPLACE FUNCTION {FOLD_FUNCTION}(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(unaccent('unaccent', value)) $$""",
]


def _postgresql_text(row: str, column: str) -> str:
    """SQL: a row's text in its original language, then in each of its translations."""
    translated = (
        f"(SELECT string_agg(value ->> '{column}', ' ') FROM json_each({row}.translations))"
    )
    return f"concat_ws(' ', {row}.{column}, {translated})"


def _postgresql_vectors(item: IndexedTable, row: str) -> tuple[str, str]:
    """SQL for a row's document (every word, for matching) and heading (title A, summary B)."""
    title, summary, body = (_postgresql_text(row, column) for column in item.columns)
    config = f"'{TEXT_SEARCH_CONFIGURATION}'"
    document = f"to_tsvector({config}, concat_ws(' ', {title}, {summary}, {body}))"
    heading = (
        f"setweight(to_tsvector({config}, {title}), 'A') "
        f"|| setweight(to_tsvector({config}, {summary}), 'B')"
    )
    return document, heading


def _postgresql_statements(item: IndexedTable) -> list[str]:
    title, summary, body = item.columns
    new_document, new_heading = _postgresql_vectors(item, "NEW")
    document, heading = _postgresql_vectors(item, item.table)
    return [
        f"CREATE TABLE IF NOT EXISTS {item.index} ("
        f"{item.key} integer PRIMARY KEY REFERENCES {item.table} (id) ON DELETE CASCADE, "
        "document tsvector NOT NULL, heading tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS ix_{item.index}_document ON {item.index} USING gin (document)",
        f"""CREATE OR REPLACE FUNCTION {item.index}_refresh() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN
  INSERT INTO {item.index} ({item.key}, document, heading)
  VALUES (NEW.id, {new_document}, {new_heading})
  ON CONFLICT ({item.key})
  DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading;
  RETURN NULL;
END $$""",
        f"CREATE OR REPLACE TRIGGER {item.index}_refresh "
        f"AFTER INSERT OR UPDATE OF {title}, {summary}, {body}, translations ON {item.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {item.index}_refresh()",
        f"INSERT INTO {item.index} ({item.key}, document, heading) "
        f"SELECT id, {document}, {heading} FROM {item.table} ON CONFLICT DO NOTHING",
    ]


def create_statements(dialect: str) -> list[str]:
    """The statements that build the index on this database and fill it from existing rows."""
    if dialect == "sqlite":
        return [line for item in INDEXED.values() for line in _sqlite_statements(item)]
    per_table = [line for item in INDEXED.values() for line in _postgresql_statements(item)]
    return _POSTGRESQL_SHARED + per_table


def drop_statements(dialect: str) -> list[str]:
    """The statements that remove the index (the indexed tables stay)."""
    if dialect == "sqlite":
        return [
            line
            for item in INDEXED.values()
            for line in (
                *(
                    f"DROP TRIGGER IF EXISTS {item.index}_{what}"
                    for what in ("insert", "delete", "update")
                ),
                f"DROP TABLE IF EXISTS {item.index}",
            )
        ]
    per_table = [
        line
        for item in INDEXED.values()
        for line in (
            f"DROP TRIGGER IF EXISTS {item.index}_refresh ON {item.table}",
            f"DROP FUNCTION IF EXISTS {item.index}_refresh()",
            f"DROP TABLE IF EXISTS {item.index}",
        )
    ]
    return per_table + [
        f"DROP FUNCTION IF EXISTS {FOLD_FUNCTION}(text)",
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {TEXT_SEARCH_CONFIGURATION}",
    ]


def _run(connection: Connection, statements: list[str]) -> None:
    for statement in statements:
        connection.exec_driver_sql(statement)


@event.listens_for(db.metadata, "after_create")
def _create_index(_metadata, connection: Connection, **_kwargs) -> None:
    """create_all() builds the index as the migration does."""
    _run(connection, create_statements(connection.dialect.name))


@event.listens_for(db.metadata, "before_drop")
def _drop_index(_metadata, connection: Connection, **_kwargs) -> None:
    """drop_all() removes the index first: on PostgreSQL it refers to the indexed tables."""
    _run(connection, drop_statements(connection.dialect.name))
