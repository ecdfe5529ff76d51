"""Extensions, created unbound and bound to an app in the factory.

Flask-Migrate is the exception: it imports Alembic (about 10 MB per process), which only
the `db` commands use, so the factory registers `migration_commands` and the migrations
are bound when such a command runs.
"""

import click
from flask import Flask
from flask.cli import ScriptInfo
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from eventsvc.config import REPO_ROOT

# Named constraints let Alembic alter tables on SQLite (batch mode) and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base shared by every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()


def bind_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to the app: its `db` commands and Alembic's env.py find it there."""
    from flask_migrate import Migrate

    Migrate(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)


class MigrationCommands(click.Group):
    """`db`: binds the migrations on first use, then hands over to Flask-Migrate's group."""

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        app = parent.ensure_object(ScriptInfo).load_app()
        bind_migrations(app)
        # Binding replaced this group in the app's commands with Flask-Migrate's own.
        commands = app.cli.commands[self.name]
        return commands.make_context(info_name, args, parent=parent, **extra)


migration_commands = MigrationCommands("db", help="Perform database migrations.")
