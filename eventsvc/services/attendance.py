"""Who attended: staff check people in at the door, or import a webinar platform's report.

A report is a CSV file with a column of email addresses, such as Zoom's participants or
attendee report; addresses are matched to registrations by their key (text.normalise_email).
Nothing here logs an address: the unmatched rows go back to the staff member's page only.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext
from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.models import Event, Registration
from eventsvc.models.registrations import ACTIVE_STATES
from eventsvc.services import audit
from eventsvc.services.locking import write_transaction
from eventsvc.text import normalise_email

MAX_REPORT_BYTES = 5 * 1024 * 1024
# A report may open with lines about the meeting before its table of participants.
_HEADER_SEARCH_ROWS = 50
_NOT_THERE = {"no", "false", "0", "n"}


class AttendanceFileError(ValueError):
    """A report that cannot be read, with a message for staff."""


@dataclass
class ReportRow:
    """One participant of a report: its line in the file and the address it gives."""

    line: int
    email: str


@dataclass
class AttendanceImport:
    """What an import did: registrations marked attended or not, and rows matching none."""

    attended: int = 0
    absent: int = 0
    unmatched: list[ReportRow] = field(default_factory=list)


def _text_of(data: bytes) -> str:
    if len(data) > MAX_REPORT_BYTES:
        raise AttendanceFileError(gettext("The file is larger than 5 MB"))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise AttendanceFileError(gettext("The file is not text: export the report as CSV"))


def _columns(header: list[str]) -> tuple[int, int | None] | None:
    """Where a header row has its email column (and an "Attended" one), or None."""
    names = [cell.strip().lower() for cell in header]
    emails = [i for i, name in enumerate(names) if "email" in name or "e-mail" in name]
    if not emails:
        return None
    attended = next((i for i, name in enumerate(names) if name == "attended"), None)
    return emails[0], attended


def read_report(data: bytes) -> list[ReportRow]:
    """The participants of a CSV report, found under the first row naming an email column.

    A report with an "Attended" column (Zoom's webinar report) lists its absentees too:
    their rows are left out.
    """
    text = _text_of(data)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = list(csv.reader(io.StringIO(text), dialect))
    if not any(_columns(row) for row in rows[:_HEADER_SEARCH_ROWS]):
        raise AttendanceFileError(
            gettext("No column of email addresses found: its heading must say “Email”")
        )
    return _participants(rows)


def _participants(rows: list[list[str]]) -> list[ReportRow]:
    """The rows giving an address, read by the header above them (a report may have
    several tables, such as Zoom's hosts and attendees)."""
    found, columns = [], None
    for line, row in enumerate(rows, start=1):
        if header := _columns(row):
            columns = header
        elif columns and (address := _address(row, *columns)):
            found.append(ReportRow(line, address))
    return found


def _address(row: list[str], email: int, attended: int | None) -> str | None:
    """The row's address, unless the row has none or says its person did not attend."""
    address = row[email].strip() if len(row) > email else ""
    said = row[attended].strip().lower() if attended is not None and len(row) > attended else ""
    return address if "@" in address and said not in _NOT_THERE else None


def _registrations(event: Event) -> list[Registration]:
    statement = select(Registration).where(
        Registration.event_id == event.id, Registration.state.in_(ACTIVE_STATES)
    )
    return list(db.session.scalars(statement))


def _mark_absent(registrations, present: set[int]) -> int:
    """Record the confirmed registrants not present, and not known to have come, as absent."""
    absent = [
        registration
        for registration in registrations
        if registration.state == "confirmed"
        and registration.id not in present
        and registration.attended is None
    ]
    for registration in absent:
        registration.attended = False
    return len(absent)


@write_transaction()
def import_attendance(event: Event, rows: list[ReportRow], others_absent: bool) -> AttendanceImport:
    """Mark the registrants the report lists as attended; with `others_absent`, confirmed
    registrants it does not list (and not checked in) as not attended. Audited by count."""
    by_key = {registration.email_key: registration for registration in _registrations(event)}
    result, seen = AttendanceImport(), set()
    for row in rows:
        registration = by_key.get(normalise_email(row.email))
        if registration is None:
            result.unmatched.append(row)
        elif registration.id not in seen:
            seen.add(registration.id)
            registration.attended = True
            result.attended += 1
    if others_absent:
        result.absent = _mark_absent(by_key.values(), seen)
    unmatched = len(result.unmatched)
    rows = "1 row matched" if unmatched == 1 else f"{unmatched} rows matched"
    detail = f"{result.attended} attended, {rows} no registration"
    audit.record("registrations.attendance_imported", event, detail)
    return result


_MARKED = {
    True: "registration.checked_in",
    False: "registration.marked_absent",
    None: "registration.check_in_undone",
}


@write_transaction()
def set_attended(registration: Registration, attended: bool | None) -> Registration:
    """Check someone in (True), record them absent (False), or undo either (None)."""
    registration.attended = attended
    audit.record(_MARKED[attended], registration)
    return registration


def attendance_counts(event: Event) -> dict[bool | None, int]:
    """How many active registrants attended (True), did not (False), or are not known (None)."""
    rows = db.session.execute(
        select(Registration.attended, func.count())
        .where(Registration.event_id == event.id, Registration.state.in_(ACTIVE_STATES))
        .group_by(Registration.attended)
    )
    return {True: 0, False: 0, None: 0} | dict(rows.all())
