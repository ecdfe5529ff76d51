"""Reading the outbox in tests: messages written as the outbox worker writes them to send."""

from sqlalchemy import Select

from eventsvc.extensions import db
from eventsvc.models import OutboxMessage
from eventsvc.services.mailer import write_message


def written_messages(statement: Select) -> list[OutboxMessage]:
    """The outbox messages the statement selects, each written (subject, text, invitation)."""
    ids = [message.id for message in db.session.scalars(statement)]
    for message_id in ids:
        assert write_message(message_id)
    return [db.session.get(OutboxMessage, message_id) for message_id in ids]
