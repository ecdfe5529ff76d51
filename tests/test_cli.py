"""The `eventsvc` command: staff accounts and the demo, as an operator runs them."""

import os
import re
import subprocess

from eventsvc.cli import main
from eventsvc.services.staff import find_staff
from tests.helpers import EVENTSVC, signs_in


def printed_password(output: str) -> str:
    return re.search(r"^Password: (\S+)$", output, re.MULTILINE).group(1)


def test_staff_create_without_tty_prints_a_generated_password(runner, client):
    result = runner.invoke(main, ["staff", "create", "Ana@Example.org"])
    assert result.exit_code == 0, result.output
    password = printed_password(result.stdout)
    assert len(password) >= 10
    assert signs_in(client, "ana@example.org", password)


def test_staff_create_reads_the_password_from_stdin(runner, client):
    result = runner.invoke(
        main, ["staff", "create", "ana@example.org", "--password-stdin"], input="long enough pass\n"
    )
    assert result.exit_code == 0, result.output
    assert "long enough pass" not in result.output
    assert signs_in(client, "ana@example.org", "long enough pass")


def test_staff_create_refuses_an_empty_or_short_stdin_password(runner, client):
    empty = runner.invoke(main, ["staff", "create", "a@example.org", "--password-stdin"], input="")
    assert empty.exit_code != 0
    assert "No password" in empty.output
    short = runner.invoke(
        main, ["staff", "create", "a@example.org", "--password-stdin"], input="short\n"
    )
    assert short.exit_code != 0
    assert "at least 10 characters" in short.output


def test_staff_create_admin_role(runner, client):
    result = runner.invoke(main, ["staff", "create", "boss@example.org", "--role", "admin"])
    assert result.exit_code == 0, result.output
    assert "Created admin boss@example.org" in result.output
    assert find_staff("boss@example.org").role == "admin"
    assert signs_in(client, "boss@example.org", printed_password(result.stdout))


def test_staff_create_existing_email_fails_with_a_message(runner, make_staff):
    make_staff("ana@example.org")
    result = runner.invoke(main, ["staff", "create", " ANA@example.org "])
    assert result.exit_code != 0
    assert "already has an account" in result.output
    assert "Password:" not in result.output


def test_demo_prints_url_and_the_same_login_every_time(runner, client):
    first = runner.invoke(main, ["demo"])
    second = runner.invoke(main, ["demo"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    for output in (first.output, second.output):
        assert "Site:     http://localhost/" in output
        assert "Email:    admin@example.org" in output
    password = printed_password(first.output)
    assert printed_password(second.output) == password
    assert signs_in(client, "admin@example.org", password)


def test_console_script_migrates_and_loads_the_demo(tmp_path):
    env = {**os.environ, "EVENTSVC_INSTANCE_PATH": str(tmp_path), "PORT": "5077"}
    for name in ("EVENTSVC_DATABASE_URL", "EVENTSVC_BASE_URL"):
        env.pop(name, None)

    def run(*args: str) -> str:
        done = subprocess.run([EVENTSVC, *args], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("db", "upgrade")
    first, second = run("demo"), run("demo")
    assert "Site:     http://127.0.0.1:5077/" in first
    assert printed_password(first) == printed_password(second)
    assert (tmp_path / "eventsvc.db").exists()


def test_outbox_send_delivers_queued_mail(app, open_event, sign_up, smtp_server):
    event = open_event()
    sign_up(event, "ana@example.org", "Ana")
    app.config["SMTP_URL"] = smtp_server.url
    result = app.test_cli_runner().invoke(main, ["outbox", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 1, failed 0." in result.output
    assert [m["To"] for m in smtp_server.received] == ["ana@example.org"]


def test_outbox_worker_queues_reminders_and_sends(app, open_event, sign_up, smtp_server):
    from datetime import timedelta

    from eventsvc.timezones import now

    event = open_event(starts_at=now() + timedelta(hours=3))
    sign_up(event, "ana@example.org", "Ana")
    app.config["SMTP_URL"] = smtp_server.url
    result = app.test_cli_runner().invoke(main, ["outbox", "worker", "--rounds", "1"])
    assert result.exit_code == 0, result.output
    subjects = sorted(m["Subject"].split(":")[0] for m in smtp_server.received)
    assert subjects == ["Tomorrow", "You are registered"]


def test_purge_needs_a_date_and_anonymises(runner):
    assert runner.invoke(main, ["registrations", "purge"]).exit_code != 0
    result = runner.invoke(main, ["registrations", "purge", "--before", "2026-01-01"])
    assert result.exit_code == 0
    assert "Anonymised 0 registration(s)" in result.output
