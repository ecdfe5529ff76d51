"""Structured logs: one JSON line per request and per record, with no personal data.

Every line carries the request id. Paths are logged without their query string, with
manage and personal-feed tokens masked; email addresses that reach a message or a
traceback (a database error quoting a row, say) are masked as a last resort (DESIGN §8).
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

log = logging.getLogger("eventsvc.request")
MASK = "***"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
_TOKEN_IN_PATH = re.compile(r"(/registrations/|/calendar/personal/)[^/.\s\"'?#]+")
_SHORTEST_SECRET = 8
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# The development server's own access line repeats the query string: ours replaces it.
_DEV_SERVER_ACCESS_LINE = '"%s" %s %s'


def redact(text: str, secrets: set[str] = frozenset()) -> str:
    """Mask `secrets`, tokens in known paths and email addresses anywhere in a text."""
    for secret in secrets:
        if len(secret) >= _SHORTEST_SECRET:  # a real token; "a" would garble the text
            text = text.replace(secret, MASK)
    return _EMAIL.sub(f"{MASK}@{MASK}", _TOKEN_IN_PATH.sub(rf"\1{MASK}", text))


def _path_tokens(view_args: dict | None) -> set[str]:
    """The values of view arguments that hold a token (named token, feed_token …)."""
    return {
        value
        for name, value in (view_args or {}).items()
        if name.endswith("token") and isinstance(value, str) and value
    }


def mask_path(path: str, view_args: dict | None = None) -> str:
    """The path with every token (a view argument named *token, or a known prefix) masked."""
    secrets = _path_tokens(view_args)
    segments = [_masked_segment(segment, secrets) for segment in path.split("/")]
    return _TOKEN_IN_PATH.sub(rf"\1{MASK}", "/".join(segments))


def _masked_segment(segment: str, secrets: set) -> str:
    stem, dot, suffix = segment.partition(".")
    return MASK + dot + suffix if stem in secrets or segment in secrets else segment


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, request id, fields."""

    def format(self, record: logging.LogRecord) -> str:
        secrets = _path_tokens(request.view_args) if has_request_context() else set()
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage(), secrets),
        }
        if has_request_context() and "request_id" in g:
            entry["request_id"] = g.request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["traceback"] = redact(self.formatException(record.exc_info), secrets)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StderrHandler(logging.StreamHandler):
    """Writes to the current sys.stderr, so a test runner's capture keeps working."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def _drop_dev_server_access_lines(record: logging.LogRecord) -> bool:
    return not str(record.msg).endswith(_DEV_SERVER_ACCESS_LINE)


def configure_logging() -> None:
    """Send the service's logs to stderr as JSON lines, once per process."""
    logger = logging.getLogger("eventsvc")
    logger.removeHandler(default_handler)
    if not any(isinstance(handler, StderrHandler) for handler in logger.handlers):
        handler = StderrHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
        logging.getLogger("werkzeug").addFilter(_drop_dev_server_access_lines)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def _request_id() -> str:
    """The caller's X-Request-ID when it is well-formed, else a new one."""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if _REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = _request_id()


def _log_request(response: Response) -> Response:
    if "request_id" not in g:
        _start_request()
    response.headers["X-Request-ID"] = g.request_id
    duration = (time.perf_counter() - g.request_started) * 1000
    fields = {
        "request_id": g.request_id,
        "method": request.method,
        "path": mask_path(request.path, request.view_args),
        "status": response.status_code,
        "duration_ms": round(duration, 1),
    }
    log.info("%(method)s %(path)s %(status)s %(duration_ms)sms", fields, extra={"fields": fields})
    return response


def register_request_log(app: Flask) -> None:
    """Log every request; call first in create_app, so the timing starts before any hook."""
    configure_logging()
    app.before_request_funcs.setdefault(None, []).insert(0, _start_request)
    app.after_request(_log_request)
