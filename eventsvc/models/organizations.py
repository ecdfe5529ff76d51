"""Organisations and people that events credit."""

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from eventsvc.extensions import db
from eventsvc.models.common import Timestamped


class Organization(Timestamped, db.Model):
    """A host or partner organisation, with an optional logo."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str | None] = mapped_column(String(500))
    description: Mapped[str] = mapped_column(Text, default="")
    logo_path: Mapped[str | None] = mapped_column(String(300))
    logo_url: Mapped[str | None] = mapped_column(String(500))
    logo_alt: Mapped[str] = mapped_column(String(300), default="")

    def __repr__(self) -> str:
        return f"<Organization {self.slug}>"


class Person(Timestamped, db.Model):
    """A moderator, speaker, panellist or illustrator."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    affiliation: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str | None] = mapped_column(String(500))

    def __repr__(self) -> str:
        return f"<Person {self.slug}>"
