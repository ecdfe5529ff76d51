"""languages and translations

Revision ID: a3d5e7f9b1c2
Revises: 51fcd7c771f4
Create Date: 2026-12-06

Events and news items in more than one language (DESIGN §3): an event's language and its
translations (title, summary, body, consent text), a question's translated label, help
and choices, a news item's translations, the language each registrant registered in,
and each event's calendar entry in the site's other languages. The search index takes
in the translations: its triggers and functions are made again and every row indexed
anew. The statements are written out as they were when this revision was made.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3d5e7f9b1c2'
down_revision = '51fcd7c771f4'
branch_labels = None
depends_on = None

SQLITE_UPGRADE = [
    'DROP TRIGGER IF EXISTS news_search_insert',
    'DROP TRIGGER IF EXISTS news_search_delete',
    'DROP TRIGGER IF EXISTS news_search_update',
    'DROP TRIGGER IF EXISTS event_search_insert',
    'DROP TRIGGER IF EXISTS event_search_delete',
    'DROP TRIGGER IF EXISTS event_search_update',
    "CREATE VIRTUAL TABLE IF NOT EXISTS news_search USING fts5(title, excerpt, body, content='news_items', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS news_search_insert AFTER INSERT ON news_items BEGIN INSERT INTO news_search (rowid, title, excerpt, body) VALUES (new.id, new.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(new.translations)), ''), new.excerpt || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.excerpt'), ' ') FROM json_each(new.translations)), ''), new.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(new.translations)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS news_search_delete AFTER DELETE ON news_items BEGIN INSERT INTO news_search (news_search, rowid, title, excerpt, body) VALUES ('delete', old.id, old.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(old.translations)), ''), old.excerpt || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.excerpt'), ' ') FROM json_each(old.translations)), ''), old.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(old.translations)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS news_search_update AFTER UPDATE OF title, excerpt, body, translations ON news_items BEGIN INSERT INTO news_search (news_search, rowid, title, excerpt, body) VALUES ('delete', old.id, old.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(old.translations)), ''), old.excerpt || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.excerpt'), ' ') FROM json_each(old.translations)), ''), old.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(old.translations)), '')); INSERT INTO news_search (rowid, title, excerpt, body) VALUES (new.id, new.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(new.translations)), ''), new.excerpt || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.excerpt'), ' ') FROM json_each(new.translations)), ''), new.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(new.translations)), '')); END",
    "INSERT INTO news_search (news_search) VALUES ('delete-all')",
    "INSERT INTO news_search (rowid, title, excerpt, body) SELECT id, news_items.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(news_items.translations)), ''), news_items.excerpt || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.excerpt'), ' ') FROM json_each(news_items.translations)), ''), news_items.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(news_items.translations)), '') FROM news_items",
    "CREATE VIRTUAL TABLE IF NOT EXISTS event_search USING fts5(title, summary, body, content='events', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS event_search_insert AFTER INSERT ON events BEGIN INSERT INTO event_search (rowid, title, summary, body) VALUES (new.id, new.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(new.translations)), ''), new.summary || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.summary'), ' ') FROM json_each(new.translations)), ''), new.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(new.translations)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS event_search_delete AFTER DELETE ON events BEGIN INSERT INTO event_search (event_search, rowid, title, summary, body) VALUES ('delete', old.id, old.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(old.translations)), ''), old.summary || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.summary'), ' ') FROM json_each(old.translations)), ''), old.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(old.translations)), '')); END",
    "CREATE TRIGGER IF NOT EXISTS event_search_update AFTER UPDATE OF title, summary, body, translations ON events BEGIN INSERT INTO event_search (event_search, rowid, title, summary, body) VALUES ('delete', old.id, old.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(old.translations)), ''), old.summary || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.summary'), ' ') FROM json_each(old.translations)), ''), old.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(old.translations)), '')); INSERT INTO event_search (rowid, title, summary, body) VALUES (new.id, new.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(new.translations)), ''), new.summary || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.summary'), ' ') FROM json_each(new.translations)), ''), new.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(new.translations)), '')); END",
    "INSERT INTO event_search (event_search) VALUES ('delete-all')",
    "INSERT INTO event_search (rowid, title, summary, body) SELECT id, events.title || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.title'), ' ') FROM json_each(events.translations)), ''), events.summary || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.summary'), ' ') FROM json_each(events.translations)), ''), events.body || coalesce(' ' || (SELECT group_concat(json_extract(value, '$.body'), ' ') FROM json_each(events.translations)), '') FROM events",
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
  VALUES (NEW.id, to_tsvector('eventsvc_search', concat_ws(' ', concat_ws(' ', NEW.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(NEW.translations))), concat_ws(' ', NEW.excerpt, (SELECT string_agg(value ->> 'excerpt', ' ') FROM json_each(NEW.translations))), concat_ws(' ', NEW.body, (SELECT string_agg(value ->> 'body', ' ') FROM json_each(NEW.translations))))), setweight(to_tsvector('eventsvc_search', concat_ws(' ', NEW.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(NEW.translations)))), 'A') || setweight(to_tsvector('eventsvc_search', concat_ws(' ', NEW.excerpt, (SELECT string_agg(value ->> 'excerpt', ' ') FROM json_each(NEW.translations)))), 'B'))
  ON CONFLICT (news_id)
  DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading;
  RETURN NULL;
END $$""",
    'CREATE OR REPLACE TRIGGER news_search_refresh AFTER INSERT OR UPDATE OF title, excerpt, body, translations ON news_items FOR EACH ROW EXECUTE FUNCTION news_search_refresh()',
    'DELETE FROM news_search',
    "INSERT INTO news_search (news_id, document, heading) SELECT id, to_tsvector('eventsvc_search', concat_ws(' ', concat_ws(' ', news_items.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(news_items.translations))), concat_ws(' ', news_items.excerpt, (SELECT string_agg(value ->> 'excerpt', ' ') FROM json_each(news_items.translations))), concat_ws(' ', news_items.body, (SELECT string_agg(value ->> 'body', ' ') FROM json_each(news_items.translations))))), setweight(to_tsvector('eventsvc_search', concat_ws(' ', news_items.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(news_items.translations)))), 'A') || setweight(to_tsvector('eventsvc_search', concat_ws(' ', news_items.excerpt, (SELECT string_agg(value ->> 'excerpt', ' ') FROM json_each(news_items.translations)))), 'B') FROM news_items ON CONFLICT DO NOTHING",
    'CREATE TABLE IF NOT EXISTS event_search (event_id integer PRIMARY KEY REFERENCES events (id) ON DELETE CASCADE, document tsvector NOT NULL, heading tsvector NOT NULL)',
    'CREATE INDEX IF NOT EXISTS ix_event_search_document ON event_search USING gin (document)',
    """CREATE OR REPLACE FUNCTION event_search_refresh() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN
  INSERT INTO event_search (event_id, document, heading)
  VALUES (NEW.id, to_tsvector('eventsvc_search', concat_ws(' ', concat_ws(' ', NEW.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(NEW.translations))), concat_ws(' ', NEW.summary, (SELECT string_agg(value ->> 'summary', ' ') FROM json_each(NEW.translations))), concat_ws(' ', NEW.body, (SELECT string_agg(value ->> 'body', ' ') FROM json_each(NEW.translations))))), setweight(to_tsvector('eventsvc_search', concat_ws(' ', NEW.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(NEW.translations)))), 'A') || setweight(to_tsvector('eventsvc_search', concat_ws(' ', NEW.summary, (SELECT string_agg(value ->> 'summary', ' ') FROM json_each(NEW.translations)))), 'B'))
  ON CONFLICT (event_id)
  DO UPDATE SET document = EXCLUDED.document, heading = EXCLUDED.heading;
  RETURN NULL;
END $$""",
    'CREATE OR REPLACE TRIGGER event_search_refresh AFTER INSERT OR UPDATE OF title, summary, body, translations ON events FOR EACH ROW EXECUTE FUNCTION event_search_refresh()',
    'DELETE FROM event_search',
    "INSERT INTO event_search (event_id, document, heading) SELECT id, to_tsvector('eventsvc_search', concat_ws(' ', concat_ws(' ', events.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(events.translations))), concat_ws(' ', events.summary, (SELECT string_agg(value ->> 'summary', ' ') FROM json_each(events.translations))), concat_ws(' ', events.body, (SELECT string_agg(value ->> 'body', ' ') FROM json_each(events.translations))))), setweight(to_tsvector('eventsvc_search', concat_ws(' ', events.title, (SELECT string_agg(value ->> 'title', ' ') FROM json_each(events.translations)))), 'A') || setweight(to_tsvector('eventsvc_search', concat_ws(' ', events.summary, (SELECT string_agg(value ->> 'summary', ' ') FROM json_each(events.translations)))), 'B') FROM events ON CONFLICT DO NOTHING",
]

SQLITE_DOWNGRADE = [
    'DROP TRIGGER IF EXISTS news_search_insert',
    'DROP TRIGGER IF EXISTS news_search_delete',
    'DROP TRIGGER IF EXISTS news_search_update',
    'DROP TRIGGER IF EXISTS event_search_insert',
    'DROP TRIGGER IF EXISTS event_search_delete',
    'DROP TRIGGER IF EXISTS event_search_update',
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

POSTGRESQL_DOWNGRADE = [
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
    'DELETE FROM news_search',
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
    'DELETE FROM event_search',
    "INSERT INTO event_search (event_id, document, heading) SELECT id, to_tsvector('eventsvc_search', concat_ws(' ', events.title, events.summary, events.body)), setweight(to_tsvector('eventsvc_search', events.title), 'A') || setweight(to_tsvector('eventsvc_search', events.summary), 'B') FROM events ON CONFLICT DO NOTHING",
]


def _translations():
    return sa.Column('translations', sa.JSON(), nullable=True)


def _language():
    return sa.Column('language', sa.String(length=20), server_default='en', nullable=False)


def _run(statements):
    for statement in statements:
        op.execute(statement)


def _show_no_translations():
    """Each event's kept calendar fields gain the translations the entry now shows (none yet),
    so the first save after this upgrade is not taken for a change of every calendar entry."""
    events = sa.table(
        'events', sa.column('id', sa.Integer), sa.column('calendar_fields', sa.JSON)
    )
    bind = op.get_bind()
    for event_id, shown in bind.execute(sa.select(events.c.id, events.c.calendar_fields)).all():
        if shown is not None and 'translations' not in shown:
            bind.execute(
                events.update()
                .where(events.c.id == event_id)
                .values(calendar_fields={**shown, 'translations': {}})
            )


def upgrade():
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.add_column(_language())
        batch_op.add_column(_translations())
        batch_op.add_column(sa.Column('calendar_entries', sa.JSON(), nullable=True))
    _show_no_translations()
    with op.batch_alter_table('news_items', schema=None) as batch_op:
        batch_op.add_column(_translations())
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(_translations())
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.add_column(_language())
    sqlite = op.get_bind().dialect.name == 'sqlite'
    _run(SQLITE_UPGRADE if sqlite else POSTGRESQL_UPGRADE)


def downgrade():
    sqlite = op.get_bind().dialect.name == 'sqlite'
    if sqlite:
        _run(SQLITE_DOWNGRADE[:6])
    else:
        _run(['DROP TRIGGER IF EXISTS news_search_refresh ON news_items',
              'DROP TRIGGER IF EXISTS event_search_refresh ON events'])
    with op.batch_alter_table('registrations', schema=None) as batch_op:
        batch_op.drop_column('language')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('news_items', schema=None) as batch_op:
        batch_op.drop_column('translations')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_column('calendar_entries')
        batch_op.drop_column('translations')
        batch_op.drop_column('language')
    _run(SQLITE_DOWNGRADE if sqlite else POSTGRESQL_DOWNGRADE)
