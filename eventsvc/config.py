"""Every setting of the service, read from the environment in one place."""

import os
import secrets
from pathlib import Path

from flask import current_app

from eventsvc.languages import CATALOGS, read_languages
from eventsvc.private_files import private_folder, write_private
from eventsvc.timezones import zone

REPO_ROOT = Path(__file__).resolve().parent.parent
# Seconds a form's CSRF token holds: long enough to write a news item, short enough that a
# copied token soon stops working. A form sent later comes back with what was typed.
CSRF_TIME_LIMIT = 4 * 3600


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


def _secret_key(instance_path: Path) -> str:
    """Take the key from the environment, else one generated once per host."""
    key = os.environ.get("EVENTSVC_SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        write_private(
            private_folder(instance_path) / "secret_key", secrets.token_urlsafe(48).encode()
        )
    return key_file.read_text().strip()


def _site_timezone() -> str:
    """The site's own zone; a name tzdata does not know stops the app at its start."""
    name = os.environ.get("EVENTSVC_TIMEZONE", "America/New_York").strip()
    return zone(name).key


def site_timezone() -> str:
    """The running app's own zone: new events' default, and the zone of admin times."""
    return current_app.config["TIMEZONE"]


def load_settings() -> dict:
    """Return the Flask config mapping built from the environment."""
    instance_path = Path(os.environ.get("EVENTSVC_INSTANCE_PATH", REPO_ROOT / "instance"))
    port = os.environ.get("PORT", "5000")
    return {
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": os.environ.get(
            "EVENTSVC_DATABASE_URL", f"sqlite:///{instance_path / 'eventsvc.db'}"
        ),
        "BASE_URL": os.environ.get("EVENTSVC_BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        "SMTP_URL": os.environ.get("EVENTSVC_SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("EVENTSVC_MAIL_FROM", "events@example.org"),
        "RATELIMIT_ENABLED": _flag("EVENTSVC_RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": os.environ.get("EVENTSVC_RATELIMIT_STORAGE", "memory://"),
        "RATELIMIT_REGISTER": os.environ.get("EVENTSVC_RATELIMIT_REGISTER", "300 per minute"),
        "RATELIMIT_LOGIN": os.environ.get("EVENTSVC_RATELIMIT_LOGIN", "10 per minute"),
        "PROXY_COUNT": int(os.environ.get("EVENTSVC_PROXY_COUNT", "0")),
        "CORS_ORIGINS": [
            origin.strip()
            for origin in os.environ.get("EVENTSVC_CORS_ORIGINS", "").split(",")
            if origin.strip()
        ],
        "UPLOAD_DIR": os.environ.get("EVENTSVC_UPLOAD_DIR", str(instance_path / "uploads")),
        "SITE_NAME": os.environ.get("EVENTSVC_SITE_NAME", "Human Rights Clinic"),
        "TIMEZONE": _site_timezone(),
        "LANGUAGES": read_languages(os.environ.get("EVENTSVC_LANGUAGES", "en,es")),
        "BABEL_TRANSLATION_DIRECTORIES": str(CATALOGS),
        "NOTIFY_DELAY": float(os.environ.get("EVENTSVC_NOTIFY_DELAY", "5")),
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        "MAX_UPLOAD_BYTES": 2 * 1024 * 1024,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_PROTECTION": "strong",
        "WTF_CSRF_TIME_LIMIT": CSRF_TIME_LIMIT,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
    }
