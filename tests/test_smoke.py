from tests.conftest import in_days


def test_front_page_lists_published_news(client, make_news):
    make_news(title="Families endorse letter on police violence")
    response = client.get("/")
    assert response.status_code == 200
    assert "Families endorse letter on police violence" in response.text


def test_event_sequence_moves_only_for_calendar_fields(any_db_app, make_event):

    from eventsvc.services.events import EventFields, update_event

    event = make_event(credits=[("co_host", "organization", "MSI Integrity")])
    assert event.sequence == 0
    values = EventFields(**{**asdict_event(event), "internal_note": "call the venue"})
    update_event(event, values)
    assert event.sequence == 0
    values.starts_at = in_days(11)
    values.ends_at = in_days(11, hour=17)
    update_event(event, values)
    assert event.sequence == 1


def asdict_event(event):
    from dataclasses import fields

    from eventsvc.services.events import CreditInput, EventFields

    data = {
        f.name: getattr(event, f.name)
        for f in fields(EventFields)
        if f.name not in {"series", "tags", "credits"}
    }
    data["credits"] = [CreditInput(c.role, c.kind, c.name, c.credited.url) for c in event.credits]
    data["tags"] = [t.name for t in event.tags]
    data["series"] = event.series.name if event.series else None
    return data
