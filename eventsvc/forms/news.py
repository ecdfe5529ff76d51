"""The news item form."""

from sqlalchemy import select
from wtforms import (
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Regexp

from eventsvc.extensions import db
from eventsvc.forms import (
    BaseForm,
    label_zone,
    local_time_field,
    read_local_time,
    stripped,
    unix_newlines,
)
from eventsvc.inputs import NEWS_LABEL_NAMES, NEWS_LABELS, NewsFields
from eventsvc.models import Event, NewsItem
from eventsvc.timezones import now, to_local

LABEL_CHOICES = [SelectChoice(label, NEWS_LABEL_NAMES[label]) for label in NEWS_LABELS]
TEXT = [unix_newlines, stripped]


def _event_choices() -> list[SelectChoice]:
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc()))
    return [SelectChoice(str(event.id), event_choice_label(event)) for event in events]


def event_choice_label(event: Event) -> str:
    """How an event is picked: its whole title and its date, 'Title — Thu 30 Jul 2026'."""
    day = event.start_date if event.all_day else event.local_start
    return f"{event.title} — {day:%a} {day.day} {day:%b %Y}"


class NewsForm(BaseForm):
    """Everything staff set on a news item."""

    title = StringField(
        "Title", filters=[stripped], validators=[DataRequired("Enter a title"), Length(max=300)]
    )
    label = SelectField("Label", choices=LABEL_CHOICES, default="news")
    language = StringField(
        "Language",
        filters=[stripped],
        default="en",
        validators=[
            DataRequired("Give the language code, such as en"),
            Length(max=20),
            Regexp(
                r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$",
                message="Use a language code such as en, es or pt-BR",
            ),
        ],
        description="A code such as en, es or fr; for a bilingual item, the first language.",
    )
    excerpt = TextAreaField(
        "Excerpt",
        filters=TEXT,
        validators=[Length(max=2000)],
        description="Optional: without one, listings show the text's first 55 words or so.",
    )
    body = TextAreaField(
        "Text",
        filters=TEXT,
        validators=[DataRequired("Write the text of the item")],
        description="Markdown: **bold**, *italic*, [a link](https://…).",
    )
    published_at = local_time_field("Publication time")
    events = SelectMultipleField(
        "Linked events",
        coerce=int,
        choices=_event_choices,
        description="Their dates and times appear with the item. To choose several in the "
        "list, hold Ctrl (⌘ on a Mac) while you click.",
        render_kw={
            "data-picker": "",
            "data-picker-help": "Type part of a title or a date, then choose events with the "
            "arrow keys and Enter, or by clicking; each chosen one is listed with a button "
            "to remove it.",
        },
        invalid_choice_message="Choose events from the list",
    )

    published_instant = None

    def __init__(self, *args, site_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_zone = site_zone
        help = "Leave empty to keep a draft; a later time publishes it then."
        label_zone(self.published_at, site_zone, "Publication time", help)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.published_instant, read = read_local_time(self, self.published_at, self.site_zone)
        return valid and read

    def to_fields(self, publish_now: bool = False) -> NewsFields:
        """The validated form as the service's fields; `publish_now` dates an undated item now."""
        published_at = self.published_instant or (now() if publish_now else None)
        return NewsFields(
            title=self.title.data,
            body=self.body.data,
            excerpt=self.excerpt.data,
            language=self.language.data,
            label=self.label.data,
            event_ids=self.events.data or [],
            published_at=published_at,
        )


def news_form_data(item: NewsItem, zone_name: str) -> dict:
    """A news item as the form's initial values, its time on the wall clock of `zone_name`."""
    published = item.published_at
    return {
        "title": item.title,
        "label": item.label,
        "language": item.language,
        "excerpt": item.excerpt,
        "body": item.body,
        "published_at": to_local(published, zone_name).replace(tzinfo=None) if published else None,
        "events": [event.id for event in item.events],
    }
