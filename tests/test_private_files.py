"""Files the app creates are readable by their owner only (DESIGN §8), whatever the umask."""

import io
import os
import stat
from pathlib import Path

import pytest

from eventsvc.config import _secret_key
from eventsvc.extensions import db
from eventsvc.services.backup import save_export
from eventsvc.services.uploads import store_image
from tests.helpers import PNG, dispose, new_app


@pytest.fixture
def lax_umask():
    """A umask that would leave new files readable by everyone."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def others_may_read(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def test_database_wal_lock_key_uploads_and_exports_are_the_owners_alone(
    tmp_path, lax_umask, monkeypatch, open_event
):
    instance = tmp_path / "instance"
    app = new_app(tmp_path, f"sqlite:///{instance / 'eventsvc.db'}")
    try:
        with app.app_context():
            open_event()  # a write: the WAL, its shared memory and the write lock appear
            upload = store_image(io.BytesIO(PNG), app.config["UPLOAD_DIR"], 2**20)
            save_export(tmp_path / "backup.json")
            monkeypatch.delenv("EVENTSVC_SECRET_KEY", raising=False)
            _secret_key(instance)
            files = [
                instance,
                instance / "eventsvc.db",
                instance / "eventsvc.db-wal",
                instance / "eventsvc.db-shm",
                instance / "eventsvc.db.write-lock",
                instance / "secret_key",
                Path(app.config["UPLOAD_DIR"]),
                Path(app.config["UPLOAD_DIR"]) / upload,
                tmp_path / "backup.json",
            ]
            readable = [path.name for path in files if others_may_read(path)]
            db.session.remove()
    finally:
        dispose(app)
    assert readable == []
