"""What an event's calendar entry shows: the values whose change moves its SEQUENCE.

The change tracker (services/changes.py) keeps these values with the event when it
stores the entry, and compares them at every flush; nothing else decides whether an
entry changed. Registrants' updates say what was and what is now from the same values
(services/notifications.py), so the wall clock is among them: with the instants it tells
a new time from a time-zone rule that changed.
"""

from datetime import date, datetime

from eventsvc.models import Event


def _text(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def shown_fields(event: Event) -> dict:
    """Every value the event's calendar entry is built from, as JSON-ready data."""
    return {
        "slug": event.slug,
        "title": event.title,
        "kind": event.kind,
        "timezone": event.timezone,
        "all_day": bool(event.all_day),
        "starts_at": _text(event.starts_at),
        "ends_at": _text(event.ends_at),
        "local_start": _text(event.local_start),
        "local_end": _text(event.local_end),
        "start_date": _text(event.start_date),
        "end_date": _text(event.end_date),
        "previous_starts_at": _text(event.previous_starts_at),
        "venue": event.venue or "",
        "address": event.address or "",
        "join_url": event.join_url,
        "status": event.status or "scheduled",
        "status_reason": event.status_reason or "",
        "summary": event.summary or "",
        # What the entries in other languages show instead (per-language feeds share UIDs).
        "translations": {
            code: {name: text[name] for name in ("title", "summary") if text.get(name)}
            for code, text in sorted((event.translations or {}).items())
            if text.get("title") or text.get("summary")
        },
        "series": event.series.name if event.series else None,
        "credits": [[c.role, c.kind, c.name, c.credited.url] for c in event.credits],
        "tags": sorted(tag.name for tag in event.tags),
        "recordings": [[r.url, r.title or ""] for r in event.recordings],
    }


def entry_changed(before: dict | None, after: dict) -> bool:
    """Whether an entry showing `after` differs from one that showed `before`.

    A value that `before` lacks was not shown when it was recorded (an older version of
    this module): it is recorded now, not counted as a change.
    """
    if before is None:
        return True
    return any(before[name] != value for name, value in after.items() if name in before)
