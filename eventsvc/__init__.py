"""eventsvc: news, webinars and events with partner organisations."""

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy import make_url
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from eventsvc.config import load_settings
from eventsvc.extensions import babel, csrf, db, limiter, login_manager, migration_commands
from eventsvc.languages import register_languages, select_language
from eventsvc.models.search import FOLD_FUNCTION
from eventsvc.private_files import private_folder, touch_private
from eventsvc.request_log import register_request_log
from eventsvc.security import register_security
from eventsvc.services.changes import watch_changes
from eventsvc.text import fold


def create_app(config: dict | None = None) -> Flask:
    """Build the application; `config` overrides settings read from the environment."""
    settings = load_settings()
    settings.update(config or {})
    app = Flask(__name__, template_folder="../templates", instance_path=settings["INSTANCE_PATH"])
    app.config.update(settings)
    register_request_log(app)
    register_extensions(app)
    watch_changes()
    register_blueprints(app)
    register_templates(app)
    register_security(app)
    if app.config["PROXY_COUNT"]:
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions to this app."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        # The default database lives in the instance folder, which a fresh host lacks.
        private_folder(app.instance_path)
        database = make_url(uri).database
        if database and database != ":memory:":
            touch_private(database)  # before SQLite makes it, with the umask's permissions
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})
    else:
        # A pooled connection the server dropped (restart, outage) is replaced before use.
        app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)
    # A database error's text would otherwise quote the row: an email, answers, a token.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("hide_parameters", True)
    db.init_app(app)
    app.cli.add_command(migration_commands)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    babel.init_app(app, locale_selector=select_language)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = app.config["SESSION_PROTECTION"]


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: WAL so readers never block, a busy timeout, and enforced foreign keys."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # SQLAlchemy's "begin" listener below issues BEGIN itself, so it can ask for IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()
    # SQLite's lower() only folds ASCII; match PostgreSQL so "Ñandú" finds "ñandú".
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    # PostgreSQL has it from the search index's migration (models/search.py), on unaccent.
    dbapi_connection.create_function(FOLD_FUNCTION, 1, _fold, deterministic=True)


def _lower(text: str | None) -> str | None:
    return text.lower() if isinstance(text, str) else text


def _fold(text: str | None) -> str | None:
    return fold(text) if isinstance(text, str) else text


@sa_event.listens_for(Engine, "begin")
def _sqlite_begin(connection) -> None:
    """SQLite: take the write lock at BEGIN when a service asks for it (services.locking)."""
    if connection.dialect.name != "sqlite":
        return
    immediate = connection.get_execution_options().get("sqlite_begin_immediate")
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def register_blueprints(app: Flask) -> None:
    """Attach one blueprint per audience."""
    from eventsvc.web import admin, api, auth, embed, errors, feeds, page_cache, public

    app.register_blueprint(public.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(embed.bp, url_prefix="/embed")
    app.register_blueprint(admin.bp, url_prefix="/admin")
    app.register_blueprint(api.bp, url_prefix=api.PREFIX)
    errors.register(app)
    page_cache.register(app)
    register_languages(app)


def register_templates(app: Flask) -> None:
    """Filters and globals the templates share."""
    from eventsvc.web import presenters

    presenters.register(app)
