"""Tables and their cheap computed properties; no commits, mail or HTTP here."""

from eventsvc.models.audit import AuditEntry
from eventsvc.models.events import (
    Credit,
    Event,
    Recording,
    RetiredEventSlug,
    Series,
    Tag,
    event_tags,
)
from eventsvc.models.news import NewsItem, news_events
from eventsvc.models.organizations import Organization, Person
from eventsvc.models.outbox import InvitationStream, OutboxMessage
from eventsvc.models.registrations import Attendee, Question, Registration, RetiredFeedToken
from eventsvc.models.search import INDEXED as SEARCH_INDEXED  # create_all() builds the index
from eventsvc.models.site import ContentVersion
from eventsvc.models.staff import StaffUser
from eventsvc.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "Attendee",
    "AuditEntry",
    "ContentVersion",
    "InvitationStream",
    "OutboxMessage",
    "Question",
    "Registration",
    "RetiredEventSlug",
    "RetiredFeedToken",
    "SEARCH_INDEXED",
    "Credit",
    "Event",
    "NewsItem",
    "Organization",
    "Person",
    "Recording",
    "Series",
    "StaffUser",
    "Tag",
    "event_tags",
    "news_events",
]
