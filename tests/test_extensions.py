"""Serving never loads Flask-Migrate or Alembic; the `db` commands bind them when they run."""

import subprocess
import sys

from eventsvc import create_app
from eventsvc.cli import main
from tests.helpers import REPO, app_settings
from tests.live import service_environment

SERVE_AND_LIST_MIGRATION_MODULES = """
import sys
from wsgi import app
assert app.test_client().get("/healthz").status_code == 200
print(sorted(name for name in sys.modules if name.split(".")[0] in {"alembic", "flask_migrate"}))
"""


def test_a_web_worker_does_not_import_alembic(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", SERVE_AND_LIST_MIGRATION_MODULES],
        cwd=REPO,
        env=service_environment(f"sqlite:///{tmp_path / 'served.db'}", tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_db_commands_bind_the_migrations_when_run(app, runner):
    assert "migrate" not in app.extensions
    result = runner.invoke(main, ["db", "heads"])
    assert result.exit_code == 0, result.output
    assert app.extensions["migrate"].directory == str(REPO / "migrations")


def test_db_commands_run_from_the_apps_own_command_line(tmp_path):
    app = create_app(app_settings(tmp_path, f"sqlite:///{tmp_path / 'cli.db'}"))
    result = app.test_cli_runner().invoke(args=["db", "heads"])
    assert result.exit_code == 0, result.output
    assert "migrate" in app.extensions


def test_db_help_lists_flask_migrates_commands(runner):
    result = runner.invoke(main, ["db", "--help"])
    assert result.exit_code == 0, result.output
    assert "upgrade" in result.output and "downgrade" in result.output
