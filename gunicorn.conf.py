"""Gunicorn settings for `make serve` and production, read from the environment.

Run behind a reverse proxy that terminates TLS and buffers slow clients (README,
"Production"): the sync workers then spend their time on requests, not on sockets.
"""

import os

# EVENTSVC_BIND takes any gunicorn address: "0.0.0.0:8000", "unix:/run/eventsvc.sock".
bind = os.environ.get("EVENTSVC_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))

# A request that takes longer than this is stuck: the worker is replaced.
timeout = 30
graceful_timeout = 30

# The app logs one JSON line per request itself (eventsvc/request_log.py), with tokens
# masked and no query string: gunicorn's access log would repeat the raw URL.
accesslog = None
errorlog = "-"
loglevel = "info"

# Not used; several instances on one host would otherwise share its default path.
control_socket_disable = True
