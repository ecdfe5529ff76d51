"""Transport yardstick: what gunicorn and wrk alone make of a feed-sized answer.

    .venv/bin/python benchmarks/transport.py
    .venv/bin/python benchmarks/transport.py --bytes 131072 --rounds 1

A WSGI app that does no work at all answers GET /small with 2 bytes and GET /large with
as many bytes as the load benchmark's site feed (1,000 events: 1,248,908 bytes), both
from memory. gunicorn serves it with 2 sync workers, as benchmarks/load.py serves the
site, and wrk loads each path with the same 16 connections, the best of several rounds.
The ratio of the two is the most that any answer of that size can reach against a
trivial one on this machine, whatever the app does: the bound under the warm feed's
ratio in benchmarks/README.md. Needs wrk (Debian: apt-get install wrk).
"""

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from load import CONNECTIONS, Target, machine, wrk_load

FEED_BYTES = 1_248_908
_BODY = {"/small": b"ok", "/large": b"x" * int(os.environ.get("TRANSPORT_BYTES", FEED_BYTES))}


def app(environ, start_response):
    """The WSGI app gunicorn serves: the body for the path, nothing else."""
    body = _BODY.get(environ["PATH_INFO"], b"")
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bytes", type=int, default=FEED_BYTES, help="the large answer's size")
    parser.add_argument("--seconds", type=float, default=4, help="per path and round")
    parser.add_argument("--rounds", type=int, default=3, help="the best round counts")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (Debian: apt-get install wrk)")
    port = _free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(  # noqa: S603 (gunicorn from this environment)
        [str(gunicorn), "--workers", "2", "--bind", f"127.0.0.1:{port}"]
        + ["--chdir", str(Path(__file__).parent), "--log-level", "warning", "transport:app"],
        env={**os.environ, "TRANSPORT_BYTES": str(options.bytes)},
    )
    base = f"http://127.0.0.1:{port}"
    best: dict[str, float] = {}
    try:
        _wait_for(port)
        with tempfile.TemporaryDirectory(prefix="eventsvc-transport-") as folder:
            for number in range(options.rounds + 1):
                for path in ("/small", "/large"):
                    seconds = 2 if number == 0 else options.seconds  # round 0 warms up
                    result = wrk_load(base, Target(path, path), seconds, path, Path(folder))
                    if number and result.failures == 0:
                        best[path] = max(best.get(path, 0), result.per_second)
    finally:
        server.terminate()
        server.wait()
    print(f"Machine: {machine()}")
    print(f"gunicorn, 2 sync workers; wrk, {CONNECTIONS} connections; best of {options.rounds}")
    print(f"2 bytes: {best['/small']:,.0f} requests/s")
    print(f"{options.bytes:,} bytes: {best['/large']:,.0f} requests/s")
    print(f"ratio: {best['/large'] / best['/small']:.2f}×")


if __name__ == "__main__":
    main()
