"""At scale on PostgreSQL: two app instances, two outbox workers, one database (DESIGN §5, §8)."""

import asyncio
import re
import subprocess
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services.mailer import CLAIM_TIMEOUT
from eventsvc.services.outbox import new_message_id
from eventsvc.timezones import now
from tests.helpers import BIN, REPO, SmtpServer, in_days
from tests.live import (
    LiveServer,
    assert_counters_match_rows,
    database_app,
    outbox_message_ids,
    register_at_once,
    run_cli,
    service_environment,
    serving,
    wait_until,
)

_SENT = re.compile(r"Sent (\d+), failed (\d+)\.")


def test_two_instances_fill_one_event_without_exceeding_its_capacity(
    postgres_url, tmp_path, open_event
):
    with database_app(postgres_url, tmp_path):
        db.create_all()
        slug = open_event(
            title="Webinar announced to a large audience", starts_at=in_days(5), capacity=10
        ).slug
    first = LiveServer(postgres_url, tmp_path / "first", workers=2)
    second = LiveServer(postgres_url, tmp_path / "second", workers=2)
    with serving(first, second):
        emails = [f"person{i}@example.org" for i in range(40)]
        results = register_at_once([first.base, second.base], slug, emails)
    assert sorted(results) == [303] * 40
    with database_app(postgres_url, tmp_path):
        rows = assert_counters_match_rows(slug, capacity=10)
        states = Counter(state for state, _ in rows)
        assert states == {"confirmed": 10, "waitlisted": 30}
        assert len(outbox_message_ids()) == 40


def _queue_messages(count: int) -> set[str]:
    """`count` due messages, inserted in bulk; returns their Message-IDs."""
    rows = [
        {
            "message_id": new_message_id(),
            "kind": "staff_message",
            "to_address": f"reader{i}@example.org",
            "subject": f"Programme update {i}",
            "body_text": "The programme has a new session.",
        }
        for i in range(count)
    ]
    db.session.execute(insert(OutboxMessage), rows)
    db.session.commit()
    return {row["message_id"] for row in rows}


def _statuses() -> Counter:
    db.session.rollback()
    return Counter(db.session.scalars(select(OutboxMessage.status)))


def _received_ids(smtp_server) -> Counter:
    return Counter(message["Message-ID"] for message in smtp_server.received)


def test_two_outbox_workers_deliver_every_message_exactly_once(postgres_url, tmp_path, smtp_server):
    with database_app(postgres_url, tmp_path):
        db.create_all()
        queued = _queue_messages(150)
    env = service_environment(postgres_url, tmp_path, SMTP_URL=smtp_server.url)
    workers = [
        subprocess.Popen(
            [str(BIN / "eventsvc"), "outbox", "send"],
            cwd=REPO,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    reports = [worker.communicate(timeout=90)[1] for worker in workers]
    sent = [int(_SENT.search(report).group(1)) for report in reports]
    # One claim takes at most 100 messages: each worker sent part of the 150.
    assert sum(sent) == 150 and min(sent) > 0, reports
    assert _received_ids(smtp_server) == Counter(queued)
    with database_app(postgres_url, tmp_path):
        assert _statuses() == {"sent": 150}


class HoldingSmtpServer(SmtpServer):
    """Receives the first message but answers it only once released, like a stalled server."""

    def __init__(self):
        super().__init__()
        self.holding = True
        self.held = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        answer = await super().handle_DATA(server, session, envelope)
        self.held.set()
        while self.holding:
            await asyncio.sleep(0.02)
        return answer


@pytest.fixture
def holding_smtp_server():
    server = HoldingSmtpServer()
    server.start()
    yield server
    server.holding = False
    server.stop()


def test_a_message_left_by_a_killed_worker_is_sent_again_with_its_message_id(
    postgres_url, tmp_path, holding_smtp_server
):
    smtp = holding_smtp_server
    with database_app(postgres_url, tmp_path):
        db.create_all()
        queued = _queue_messages(3)
    env = service_environment(postgres_url, tmp_path, SMTP_URL=smtp.url)
    worker = subprocess.Popen(
        [str(BIN / "eventsvc"), "outbox", "worker", "--rounds", "1", "--interval", "0"],
        cwd=REPO,
        env=env,
        stderr=subprocess.DEVNULL,
    )
    # The server has the first message's content; the worker dies before hearing "250".
    wait_until(smtp.held.is_set, 60, "the first message at the SMTP server")
    worker.kill()
    worker.wait(timeout=10)
    smtp.holding = False
    [first_id] = _received_ids(smtp)
    with database_app(postgres_url, tmp_path):
        assert _statuses() == {"sending": 3}
        # Time passes: the claims are now older than CLAIM_TIMEOUT.
        db.session.execute(
            update(OutboxMessage).values(claimed_at=now() - CLAIM_TIMEOUT - timedelta(minutes=1))
        )
        db.session.commit()
        run_cli(
            postgres_url,
            tmp_path,
            "outbox",
            "worker",
            "--rounds",
            "2",
            "--interval",
            "0.1",
            SMTP_URL=smtp.url,
        )
        assert _statuses() == {"sent": 3}
    expected = Counter(queued)
    expected[first_id] += 1  # at least once: the unanswered copy, then the retry, one Message-ID
    assert _received_ids(smtp) == expected
