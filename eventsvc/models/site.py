"""The content version: one number that moves with every change the public can see."""

from sqlalchemy import BigInteger, event, insert
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db

# Tables whose rows no public page or feed shows: their changes leave the version alone.
PRIVATE_TABLES = frozenset(
    {
        "api_tokens",
        "attendees",
        "audit_entries",
        "content_version",
        "invitation_streams",
        "outbox_messages",
        "registrations",
        "retired_feed_tokens",
        "staff_users",
    }
)


class ContentVersion(db.Model):
    """A single row; rendered pages and feeds are kept per worker until it moves.

    Not data: backups leave it out (`info["backup"]`), and an import moves it.
    """

    __tablename__ = "content_version"
    __table_args__ = {"info": {"backup": False}}

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


@event.listens_for(ContentVersion.__table__, "after_create")
def _first_row(table, connection, **_kwargs) -> None:
    """A database made by create_all() gets the row its migration would insert."""
    connection.execute(insert(table).values(id=1, version=0))
