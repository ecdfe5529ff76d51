"""What an event's calendar entry shows: the fields whose change moves its SEQUENCE."""

from eventsvc.models import Event


def shown_fields(event: Event) -> tuple:
    """Return every value the event's calendar entry is built from, for comparison."""
    return (
        event.title,
        event.kind,
        event.timezone,
        event.all_day,
        event.starts_at,
        event.ends_at,
        event.start_date,
        event.end_date,
        event.venue,
        event.address,
        event.join_url,
        event.status,
        event.status_reason,
        event.summary,
        event.series.name if event.series else None,
        tuple((c.role, c.kind, c.name, c.credited.url) for c in event.credits),
        tuple(tag.name for tag in event.tags),
        tuple((r.url, r.title) for r in event.recordings),
    )
