"""Attendance: a webinar platform's report marks who came, matched by address key."""

import pytest
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.models import AuditEntry, Registration
from eventsvc.services.attendance import (
    AttendanceFileError,
    ReportRow,
    attendance_counts,
    import_attendance,
    read_report,
    set_attended,
)
from eventsvc.services.registration import cancel_registration
from tests.helpers import reloaded

ZOOM_PARTICIPANTS = """\ufeff\
Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest
Ana Pérez,ANA@Example.org,07/30/2031 09:58:02 AM,07/30/2031 11:31:10 AM,94,No
Ana Pérez,ana@example.org,07/30/2031 10:40:00 AM,07/30/2031 11:31:10 AM,51,No
Somebody Else,walk-in@example.org,07/30/2031 10:01:00 AM,07/30/2031 10:30:00 AM,29,Yes
Phone caller,,07/30/2031 10:02:00 AM,07/30/2031 10:30:00 AM,28,Yes
""".encode()

ZOOM_WEBINAR_REPORT = """Attendee Report
Report Generated:,"7/30/2031 12:00 PM"
Topic,Webinar ID,Actual Start Time,Actual Duration (minutes)
Beyond Business-as-Usual,812 3456 7890,"Jul 30, 2031 09:58:02",94
Host Details
Attended,User Name (Original Name),Email,Join Time,Leave Time,Time in Session (minutes)
Yes,Host,host@example.org,"Jul 30, 2031 09:50:00","Jul 30, 2031 11:32:00",102
Attendee Details
Attended,User Name (Original Name),First Name,Last Name,Email,Registration Time
Yes,Bo Chen,Bo,Chen,bo@example.org,"Jul 20, 2031 08:00:00"
No,Cy Diallo,Cy,Diallo,cy@example.org,"Jul 21, 2031 08:00:00"
""".encode("cp1252")


@pytest.fixture
def webinar(any_db_app, open_event, sign_up):
    event = open_event(title="Beyond Business-as-Usual", capacity=10)
    for email, name in [
        ("ana@example.org", "Ana Pérez"),
        ("bo@example.org", "Bo Chen"),
        ("cy@example.org", "Cy Diallo"),
        ("dee@example.org", "Dee Okafor"),
    ]:
        sign_up(event, email, name=name)
    return event


def attendance() -> dict[str, bool | None]:
    rows = db.session.execute(select(Registration.email, Registration.attended))
    return dict(rows.all())


def test_a_zoom_participants_report_marks_who_came_and_lists_the_rest(webinar):
    rows = read_report(ZOOM_PARTICIPANTS)

    result = import_attendance(webinar, rows, others_absent=True)

    assert result.attended == 1  # Ana joined twice: one registration
    assert result.absent == 3
    assert [(row.line, row.email) for row in result.unmatched] == [(4, "walk-in@example.org")]
    assert attendance() == {
        "ana@example.org": True,
        "bo@example.org": False,
        "cy@example.org": False,
        "dee@example.org": False,
    }
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action.like("%imported")))
    assert entry.detail == "1 attended, 1 row matched no registration"
    assert "example.org" not in entry.detail + entry.target_label


def test_a_webinar_report_with_an_attended_column_counts_only_those_who_came(webinar):
    rows = read_report(ZOOM_WEBINAR_REPORT)

    assert [row.email for row in rows] == ["host@example.org", "bo@example.org"]
    result = import_attendance(webinar, rows, others_absent=False)
    assert (result.attended, result.absent) == (1, 0)
    assert attendance()["bo@example.org"] is True
    assert attendance()["cy@example.org"] is None


def test_people_checked_in_at_the_door_stay_checked_in(webinar):
    dee = db.session.scalar(select(Registration).where(Registration.name == "Dee Okafor"))
    set_attended(dee, True)
    cancelled = db.session.scalar(select(Registration).where(Registration.name == "Cy Diallo"))
    cancel_registration(cancelled)

    import_attendance(webinar, [ReportRow(2, "ana@example.org")], others_absent=True)

    assert attendance() == {
        "ana@example.org": True,
        "bo@example.org": False,
        "cy@example.org": None,  # cancelled: not expected, so not a no-show
        "dee@example.org": True,
    }
    assert attendance_counts(webinar) == {True: 2, False: 1, None: 0}


def test_a_check_in_is_undone_and_both_are_audited(webinar):
    ana = db.session.scalar(select(Registration).where(Registration.name == "Ana Pérez"))

    set_attended(ana, True)
    set_attended(ana, None)

    assert reloaded(ana).attended is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["registration.checked_in", "registration.check_in_undone"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Name,Joined\nAna,10:00\n", "No column of email addresses found"),
        (b"\x00\xff" * 10, "No column of email addresses found"),
        (b"Email\n" + b"a" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_a_file_that_is_not_a_report_is_refused(data, message):
    with pytest.raises(AttendanceFileError, match=message):
        read_report(data)


def test_semicolons_and_tabs_are_read_as_well(webinar):
    rows = read_report(b"Nom;Adresse e-mail\nAna;ana@example.org\n")
    assert [row.email for row in rows] == ["ana@example.org"]
    rows = read_report(b"Name\tEmail\nBo\tbo@example.org\n")
    assert [row.email for row in rows] == ["bo@example.org"]


def test_a_report_matches_each_mailbox_by_its_key_and_never_one_for_another(
    any_db_app, open_event, sign_up
):
    event = open_event(capacity=10)
    sign_up(event, "alice@strasse.org", name="Alice")
    sign_up(event, "josé@bücher.de", name="José")
    rows = [
        ReportRow(2, "Alice@STRASSE.org"),
        ReportRow(3, "alice@straße.org"),  # another mailbox, on another domain
        ReportRow(4, "josé@xn--bcher-kva.de"),
    ]

    result = import_attendance(event, rows, others_absent=False)

    assert [row.email for row in result.unmatched] == ["alice@straße.org"]
    assert attendance() == {"alice@strasse.org": True, "josé@bücher.de": True}
