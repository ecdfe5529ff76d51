"""Unique slugs for any table with a `slug` column."""

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.text import slugify


def unique_slug(model, text: str) -> str:
    """Return a slug made from `text` that no row of `model` uses yet."""
    base = slugify(text)
    taken = set(db.session.scalars(select(model.slug).where(model.slug.like(f"{base}%"))))
    slug, counter = base, 2
    while slug in taken:
        slug = f"{base}-{counter}"
        counter += 1
    return slug
