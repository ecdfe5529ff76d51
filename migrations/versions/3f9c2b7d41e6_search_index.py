"""search index

Revision ID: 3f9c2b7d41e6
Revises: c5e8a31f4d27
Create Date: 2026-11-30

The full-text search index of news items and events (eventsvc/models/search.py): on SQLite
FTS5 tables over the indexed rows with triggers; on PostgreSQL the unaccent extension, a
text search configuration without accents, tables of each row's document (GIN index) and
heading with triggers, and eventsvc_fold() for comparing names. Upgrading indexes the rows
already there. The statements are written out as they were when this revision was made.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '3f9c2b7d41e6'
down_revision = 'c5e8a31f4d27'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS news_search USING fts5(title, excerpt, body, content='news_items', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS news_search_insert AFTER INSERT ON news_items BEGIN INSERT INTO news_search (rowid, title, excerpt, body) VALUES (new.id, new.title, new.excerpt, new.body); END',
    "CREATE TRIGGER IF NOT EXISTS news_search_delete AFTER DELETE ON news_items BEGIN INSERT INTO news_search (news_search, rowid, title, excerpt, body) VALUES ('delete', old.id, old.title, old.excerpt, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS news_search_update AFTER UPDATE OF title, excerpt, body ON news_items BEGIN INSERT INTO news_search (news_search, rowid, title, excerpt, body) VALUES ('delete', old.id, old.title, old.excerpt, old.body); INSERT INTO news_search (rowid, title, excerpt, body) VALUES (new.id, new.title, new.excerpt, new.body); END",
    "INSERT INTO news_search (news_search) VALUES ('rebuild')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS event_search USING fts5(title, summary, body, content='events', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    'CREATE TRIGGER IF NOT EXISTS event_search_insert AFTER INSERT ON events BEGIN INSERT INTO event_search (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END',
    "CREATE TRIGGER IF NOT EXISTS event_search_delete AFTER DELETE ON events BEGIN INSERT INTO event_search (event_search, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body); END",
    "CREATE TRIGGER IF NOT EXISTS event_search_update AFTER UPDATE OF title, summary, body ON events BEGIN INSERT INTO event_search (event_search, rowid, title, summary, body) VALUES ('delete', old.id, old.title, old.summary, old.body); INSERT INTO event_search (rowid, title, summary, body) VALUES (new.id, new.title, new.summary, new.body); END",
    "INSERT INTO event_search (event_search) VALUES ('rebuild')",
]

POSTGRESQL_UPGRADE = [
    'CREATE EXTENSION IF NOT EXISTS unaccent',
    """DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'eventsvc_search') THEN
    CREATE TEXT SEARCH CONFIGURATION eventsvc_search (COPY = pg_catalog.simple);
    ALTER TEXT SEARCH CONFIGURATION eventsvc_search
      ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
  END IF;
END $$""",
    """CREATE OR REPLACE FUNCTION eventsvc_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT lower(unaccent('unaccent', value)) $$""",
    'CREATE TABLE IF NOT EXISTS news_search (news_id integer PRIMARY KEY REFERENCES news_items (id) ON DELETE CASCADE, document tsvector NOT NULL, heading tsvector NOT NULL)',
    'CREATE INDEX IF NOT EXISTS ix_news_search_document ON news_search USING gin (document)',
    """CREATE OR REPLACE FUNCTION news_search_refresh() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN
  INSERT INTO news_search (news_id, document, heading)
  VALUES (NEW.id, to_tsvector('eventsvc_search', concat_ws(' ', NEW.title, NEW.excerpt, NEW.body)), setweight(to_tsvector('eventsvc_search', NEW.title), 'A') || setweight(to_tsvector('eventsvc_search', NEW.excerpt), 'B'))
  ON CONFLICT (news_id)
  DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading;
  RETURN NULL;
END $$""",
    'CREATE OR REPLACE TRIGGER news_search_refresh AFTER INSERT OR UPDATE OF title, excerpt, body ON news_items FOR EACH ROW EXECUTE FUNCTION news_search_refresh()',
    "INSERT INTO news_search (news_id, document, heading) SELECT id, to_tsvector('eventsvc_search', concat_ws(' ', news_items.title, news_items.excerpt, news_items.body)), setweight(to_tsvector('eventsvc_search', news_items.title), 'A') || setweight(to_tsvector('eventsvc_search', news_items.excerpt), 'B') FROM news_items ON CONFLICT DO NOTHING",
    'CREATE TABLE IF NOT EXISTS event_search (event_id integer PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE, document tsvector NOT NULL, heading tsvector NOT NULL)',
    'CREATE INDEX IF NOT EXISTS ix_event_search_document ON event_search USING gin (document)',
    """CREATE OR REPLACE FUNCTION event_search_refresh() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN
  INSERT INTO event_search (event_id, document, heading)
  VALUES (NEW.id, to_tsvector('eventsvc_search', concat_ws(' ', NEW.title, NEW.summary, NEW.body)), setweight(to_tsvector('eventsvc_search', NEW.title), 'A') || setweight(to_tsvector('eventsvc_search', NEW.summary), 'B'))
  ON CONFLICT (event_id)
  DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading;
  RETURN NULL;
END $$""",
    'CREATE OR REPLACE TRIGGER event_search_refresh AFTER INSERT OR UPDATE OF title, summary, body ON events FOR EACH ROW EXECUTE FUNCTION event_search_refresh()',
    "INSERT INTO event_search (event_id, document, heading) SELECT id, to_tsvector('eventsvc_search', concat_ws(' ', events.title, events.summary, events.body)), setweight(to_tsvector('eventsvc_search', events.title), 'A') || setweight(to_tsvector('eventsvc_search', events.summary), 'B') FROM events ON CONFLICT DO NOTHING",
]

SQLITE_DOWNGRADE = [
    'DROP TRIGGER IF EXISTS news_search_insert',
    'DROP TRIGGER IF EXISTS news_search_delete',
    'DROP TRIGGER IF EXISTS news_search_update',
    'DROP TABLE IF EXISTS news_search',
    'DROP TRIGGER IF EXISTS event_search_insert',
    'DROP TRIGGER IF EXISTS event_search_delete',
    'DROP TRIGGER IF EXISTS event_search_update',
    'DROP TABLE IF EXISTS event_search',
]

POSTGRESQL_DOWNGRADE = [
    'DROP TRIGGER IF EXISTS news_search_refresh ON news_items',
    'DROP FUNCTION IF EXISTS news_search_refresh()',
    'DROP TABLE IF EXISTS news_search',
    'DROP TRIGGER IF EXISTS event_search_refresh ON events',
    'DROP FUNCTION IF EXISTS event_search_refresh()',
    'DROP TABLE IF EXISTS event_search',
    'DROP FUNCTION IF EXISTS eventsvc_fold(text)',
    'DROP TEXT SEARCH CONFIGURATION IF EXISTS eventsvc_search',
]


def _run(statements):
    connection = op.get_bind()
    for statement in statements:
        connection.exec_driver_sql(statement)


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _run(SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE)


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    _run(SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE)
