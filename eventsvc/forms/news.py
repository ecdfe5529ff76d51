"""The news item form."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import (
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, ValidationError

from eventsvc.extensions import db
from eventsvc.forms import (
    BaseForm,
    TranslationsMixin,
    label_zone,
    local_time_field,
    read_local_time,
    stripped,
    translation_rows,
    unix_newlines,
)
from eventsvc.inputs import NEWS_LABEL_NAMES, NEWS_LABELS, NewsFields
from eventsvc.models import Event, NewsItem
from eventsvc.timezones import now, to_local
from eventsvc.translated import NEWS_FIELDS, bad_language_code, read_language_list

LABEL_CHOICES = [SelectChoice(label, NEWS_LABEL_NAMES[label]) for label in NEWS_LABELS]
TEXT = [unix_newlines, stripped]


def _event_choices() -> list[SelectChoice]:
    events = db.session.scalars(select(Event).order_by(Event.starts_at.desc()))
    return [SelectChoice(str(event.id), event_choice_label(event)) for event in events]


def event_choice_label(event: Event) -> str:
    """How an event is picked: its whole title and its date, 'Title — Thu 30 Jul 2026'."""
    day = event.start_date if event.all_day else event.local_start
    return f"{event.title} — {day:%a} {day.day} {day:%b %Y}"


class NewsTexts(Form):
    """A news item's title, excerpt and text in one other language."""

    texts = NEWS_FIELDS
    language = HiddenField()
    title = StringField(_l("Title"), filters=[stripped], validators=[Length(max=300)])
    excerpt = TextAreaField(_l("Excerpt"), filters=TEXT, validators=[Length(max=2000)])
    body = TextAreaField(_l("Text"), filters=TEXT)


class NewsForm(TranslationsMixin, BaseForm):
    """Everything staff set on a news item, with its translations."""

    title = StringField(
        _l("Title"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter a title")), Length(max=300)],
    )
    label = SelectField(_l("Label"), choices=LABEL_CHOICES, default="news")
    language = StringField(
        _l("Language"),
        filters=[stripped],
        default="en",
        validators=[
            DataRequired(_l("Give the language code, such as en")),
            Length(max=20),
        ],
        description=_l(
            "A code such as en, es or fr. An item written in two languages at once names both, "
            "its first language first: “en, es”; in its text, a line “:::es” starts the part "
            "in Spanish."
        ),
    )
    excerpt = TextAreaField(
        _l("Excerpt"),
        filters=TEXT,
        validators=[Length(max=2000)],
        description=_l("Optional: without one, listings show the text's first 55 words or so."),
    )
    body = TextAreaField(
        _l("Text"),
        filters=TEXT,
        validators=[DataRequired(_l("Write the text of the item"))],
        description=_l("Markdown: **bold**, *italic*, [a link](https://…)."),
    )
    published_at = local_time_field(_l("Publication time"))
    events = SelectMultipleField(
        _l("Linked events"),
        coerce=int,
        choices=_event_choices,
        description=_l(
            "Their dates and times appear with the item. To choose several in the "
            "list, hold Ctrl (⌘ on a Mac) while you click."
        ),
        render_kw={
            "data-picker": "",
            "data-picker-help": _l(
                "Type part of a title or a date, then choose events with the arrow keys and "
                "Enter, or by clicking; each chosen one is listed with a button to remove it."
            ),
        },
        invalid_choice_message=_l("Choose events from the list"),
    )

    translations = FieldList(FormField(NewsTexts))

    published_instant = None

    def __init__(self, *args, site_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_rows()
        self.site_zone = site_zone
        help = gettext("Leave empty to keep a draft; a later time publishes it then.")
        label_zone(self.published_at, site_zone, gettext("Publication time"), help)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        self.published_instant, read = read_local_time(self, self.published_at, self.site_zone)
        return valid and read

    def validate_language(self, field) -> None:
        """One language code, or several for an item written in each of them: 'en, es'."""
        if bad_language_code(field.data or ""):
            raise ValidationError(
                gettext("Use language codes such as en, es or pt-BR, separated by commas")
            )
        field.data = ", ".join(read_language_list(field.data))

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
            translations=self.translated_texts(),
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
        "translations": translation_rows(item.translations, NEWS_FIELDS),
    }
