"""The event form with its credits editor, and the status, reschedule and recording forms."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DataList,
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SearchField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from eventsvc.extensions import db
from eventsvc.forms import (
    BaseForm,
    TranslationsMixin,
    check_image_fields,
    label_zone,
    local_time_field,
    read_local_time,
    show_time_errors,
    stripped,
    translation_rows,
    unix_newlines,
    web_address,
)
from eventsvc.inputs import (
    ADDRESS_LIMIT,
    AFFILIATION_LIMIT,
    ALT_LIMIT,
    CODE_WORDS,
    KIND_LABELS,
    KINDS,
    MAX_CAPACITY,
    MAX_CREDITS,
    NAME_LIMIT,
    PROFILE_URL_LIMIT,
    REASON_LIMIT,
    ROLE_LABELS,
    ROLES,
    STATUSES,
    SUMMARY_LIMIT,
    TAG_LIMIT,
    TITLE_LIMIT,
    URL_LIMIT,
    VENUE_LIMIT,
    VISIBILITIES,
    CreditInput,
    EventFields,
    NewsFields,
)
from eventsvc.models import Event, Organization, Person, Series
from eventsvc.queries import find_by_name
from eventsvc.timezones import (
    LocalTimeError,
    Schedule,
    TimeInputError,
    TimesAsked,
    format_offset,
    is_ambiguous,
    parse_offset,
    read_schedule,
    to_local,
    zone,
    zones_by_region,
)

CREDIT_NAMES_LIST = "credit-names"
BLANK_CREDIT_ROWS = 2
OFFSET_HELP = _l(
    "Only for a time that occurs twice because clocks go back: choose which one. "
    "Otherwise leave it, and a repeated time is its first occurrence."
)
TEXT = [unix_newlines, stripped]


def _offset_value(offset: timedelta) -> str:
    """An offset as the form sends it, e.g. '-05:00'."""
    return format_offset(offset).removeprefix("UTC").replace("\u2212", "-")


def _offset_choices() -> list[SelectChoice]:
    steps = (timedelta(minutes=minutes) for minutes in range(-12 * 60, 14 * 60 + 1, 15))
    return [SelectChoice("", _l("Not needed"))] + [
        SelectChoice(_offset_value(offset), format_offset(offset)) for offset in steps
    ]


def _zone_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", _l("Choose a time zone"))]
    for region, names in zones_by_region().items():
        choices += [SelectChoice(name, name.replace("_", " "), optgroup=region) for name in names]
    return choices


OFFSET_CHOICES = _offset_choices()
ZONE_CHOICES = _zone_choices()
ZONE_NAMES = {choice.value for choice in ZONE_CHOICES}
KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS]
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]
CREDITED_CHOICES = [
    SelectChoice("organization", _l("Organisation")),
    SelectChoice("person", _l("Person")),
]


def _series_names() -> list[str]:
    return list(db.session.scalars(select(Series.name).order_by(Series.name)))


@dataclass(frozen=True)
class KnownName:
    """An organisation or person the credits editor suggests, with what it fills in."""

    name: str
    kind: str
    url: str
    affiliation: str = ""

    @property
    def description(self) -> str:
        """What tells two suggestions apart: 'Person · Director of Programs, JustLabs'."""
        kind = "Organisation" if self.kind == "organization" else "Person"
        return " · ".join(part for part in (kind, self.affiliation or self.url) if part)


def known_names() -> list[KnownName]:
    """Every organisation and person, by name, for the credits editor's suggestions."""
    organizations = db.session.execute(select(Organization.name, Organization.url)).all()
    people = db.session.execute(select(Person.name, Person.url, Person.affiliation)).all()
    known = [KnownName(row.name, "organization", row.url or "") for row in organizations]
    known += [KnownName(row.name, "person", row.url or "", row.affiliation) for row in people]
    return sorted(known, key=lambda entry: (entry.name.casefold(), entry.kind))


def _offset_field(label: str) -> SelectField:
    return SelectField(label, choices=OFFSET_CHOICES, default="", description=OFFSET_HELP)


def wall_clock(instant: datetime, zone_name: str) -> tuple[datetime, str]:
    """An instant as the form shows it: the naive local time, and its offset if ambiguous."""
    local = to_local(instant, zone_name)
    naive = local.replace(tzinfo=None)
    offset = _offset_value(local.utcoffset()) if is_ambiguous(naive, zone_name) else ""
    return naive, offset


def _offset(choice: str | None) -> timedelta | None:
    return parse_offset(choice) if choice else None


class TimesForm(BaseForm):
    """A local start with an end or a duration, read by the time policy into a schedule.

    With the `current` schedule of an event, what the form leaves out or as it was is
    kept by the policy: a new start with the end it showed keeps the duration.
    """

    start = local_time_field(_l("Starts"), _l("The local time in the event's time zone."))
    start_offset = _offset_field(_l("UTC offset of the start"))
    end = local_time_field(_l("Ends"), _l("Or give a duration instead."))
    end_offset = _offset_field(_l("UTC offset of the end"))
    duration = IntegerField(
        _l("Or duration in minutes"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Give a duration of at least 1 minute")),
        ],
        description=_l("Elapsed time, up to 14 days; a change of clocks does not count."),
        invalid_value_message=_l("Give the duration as a whole number of minutes"),
    )

    schedule: Schedule | None = None

    def __init__(self, *args, current: Schedule | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = current
        if current is not None:
            self.end.description = gettext(
                "Or give a duration instead. A new start keeps the duration unless you "
                "change the end too."
            )

    def zone_name(self) -> str | None:
        """The IANA zone the local times are in, or None when it is not known yet."""
        raise NotImplementedError

    def asked_times(self, zone_name: str) -> TimesAsked:
        """The times as typed, for the time policy."""
        return TimesAsked(
            zone=zone_name,
            start=self.start.data,
            start_offset=_offset(self.start_offset.data),
            end=self.end.data,
            end_offset=_offset(self.end_offset.data),
            duration=self.duration.data,
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        zone_name = self.zone_name()
        if zone_name is None or any(field.errors for field in self._time_fields()):
            return False
        try:
            self.schedule = read_schedule(self.asked_times(zone_name), self.current)
        except TimeInputError as error:
            show_time_errors(self, error, {"zone": "timezone"})
            return False
        return valid

    def _time_fields(self) -> list:
        return [self.start, self.start_offset, self.end, self.end_offset, self.duration]


_KNOWN_AS = {
    Organization: _l(
        "“%(name)s” is an organisation here: choose Organisation, or give the person’s name"
    ),
    Person: _l("“%(name)s” is a person here: choose Person, or give the organisation’s name"),
}


_PROFILE_CHANGED = {
    "url": _l("The web address of “%(name)s” is now %(value)s."),
    "affiliation": _l("The affiliation of “%(name)s” is now %(value)s."),
}


class CreditForm(Form):
    """One row of the credits editor; a row without a name is left out.

    A name already known is that organisation or person: a web address or affiliation
    typed with it replaces theirs (on every event crediting them), one left empty keeps it.
    """

    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default="co_host")
    kind = SelectField(
        _l("Organisation or person"), choices=CREDITED_CHOICES, default="organization"
    )
    name = StringField(
        _l("Name"),
        filters=[stripped],
        validators=[Length(max=NAME_LIMIT)],
        datalist=CREDIT_NAMES_LIST,
        description=_l("Type to find organisations and people already known."),
    )
    affiliation = StringField(
        _l("Affiliation"),
        filters=[stripped],
        validators=[Length(max=AFFILIATION_LIMIT)],
        description=_l(
            "People only: their role and organisation, such as “Director of Programs, JustLabs”."
        ),
    )
    url = URLField(
        _l("Web address"),
        filters=[stripped],
        validators=[Optional(), Length(max=PROFILE_URL_LIMIT), web_address],
    )

    @property
    def credited_model(self):
        return Organization if self.kind.data == "organization" else Person

    def validate_name(self, field) -> None:
        """A known name stays what it is: an organisation is not credited as a person, nor a
        known person again with their affiliation after a comma."""
        if not field.data or find_by_name(self.credited_model, field.data):
            return
        other = Person if self.credited_model is Organization else Organization
        if find_by_name(other, field.data):
            raise ValidationError(_KNOWN_AS[other] % {"name": field.data})
        name, comma, rest = (part.strip() for part in field.data.partition(","))
        if comma and self.credited_model is Person and find_by_name(Person, name):
            raise ValidationError(
                gettext(
                    "“%(name)s” is known: give the name alone, and “%(rest)s” as the affiliation",
                    name=name,
                    rest=rest,
                )
            )

    def validate_affiliation(self, field) -> None:
        if field.data and self.kind.data == "organization":
            raise ValidationError(
                gettext("Only people have an affiliation: leave it empty, or choose Person")
            )

    def profile_changes(self) -> list[str]:
        """What saving the row changes on an organisation or person already known."""
        known = find_by_name(self.credited_model, self.name.data) if self.name.data else None
        if known is None:
            return []
        typed = {"url": self.url.data, "affiliation": self.affiliation.data}
        stored = {"url": known.url, "affiliation": getattr(known, "affiliation", "")}
        return [
            _PROFILE_CHANGED[name] % {"name": known.name, "value": value}
            for name, value in typed.items()
            if value and value != stored[name]
        ]

    def to_input(self) -> CreditInput | None:
        """The row as a credit, or None when it names no one."""
        if not self.name.data:
            return None
        return CreditInput(
            self.role.data,
            self.kind.data,
            self.name.data,
            self.url.data or None,
            self.affiliation.data or "",
        )


class EventTexts(Form):
    """An event's title, summary and description in one other language."""

    texts = ("title", "summary", "body")
    language = HiddenField()
    title = StringField(_l("Title"), filters=[stripped], validators=[Length(max=TITLE_LIMIT)])
    summary = TextAreaField(_l("Summary"), filters=TEXT, validators=[Length(max=SUMMARY_LIMIT)])
    body = TextAreaField(_l("Description"), filters=TEXT)


class EventForm(TranslationsMixin, TimesForm):
    """Everything staff set on an event, with its times as local wall-clock times and its
    texts' translations."""

    title = StringField(
        _l("Title"),
        filters=[stripped],
        validators=[DataRequired(_l("Enter a title")), Length(max=TITLE_LIMIT)],
    )
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="webinar")
    timezone = SelectField(
        _l("Time zone"),
        choices=ZONE_CHOICES,
        default="",
        validators=[DataRequired(_l("Choose the time zone the event is timed in"))],
        invalid_choice_message=_l("Choose a time zone from the list"),
    )
    all_day = BooleanField(
        _l("All-day event"), description=_l("Give the first and last days instead.")
    )
    first_day = DateField(_l("First day"), validators=[Optional()])
    last_day = DateField(
        _l("Last day"), validators=[Optional()], description=_l("Leave empty for a one-day event.")
    )
    venue = StringField(_l("Venue"), filters=[stripped], validators=[Length(max=VENUE_LIMIT)])
    address = StringField(_l("Address"), filters=[stripped], validators=[Length(max=ADDRESS_LIMIT)])
    join_url = URLField(
        _l("Join link"),
        filters=[stripped],
        validators=[Optional(), Length(max=URL_LIMIT), web_address],
        description=_l("Private: only staff and confirmed registrants see it."),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[
            Optional(),
            NumberRange(min=1, message=_l("Give at least 1 place")),
            NumberRange(
                max=MAX_CAPACITY,
                message=_l("Give at most %(max)s places", max=format(MAX_CAPACITY, ",")),
            ),
        ],
        description=_l("Leave empty for no limit."),
        invalid_value_message=_l("Give the number of places as a whole number"),
    )
    series = StringField(
        _l("Series"),
        filters=[stripped],
        validators=[Length(max=NAME_LIMIT)],
        datalist=DataList(_series_names),
        description=_l("Pick an existing series or type a new name."),
    )
    tags = StringField(
        _l("Tags"), filters=[stripped], description=_l("Separate tags with commas."), default=""
    )
    summary = TextAreaField(
        _l("Summary"),
        filters=TEXT,
        validators=[Length(max=SUMMARY_LIMIT)],
        description=_l("One or two sentences for listings and calendars."),
    )
    body = TextAreaField(
        _l("Description"),
        filters=TEXT,
        description=_l("Markdown: **bold**, *italic*, [a link](https://…)."),
    )
    image = FileField(_l("Image"), description=_l("PNG, JPEG, GIF or WebP, up to 2 MB."))
    image_url = URLField(
        _l("Or the image's web address"),
        filters=[stripped],
        validators=[Optional(), Length(max=URL_LIMIT), web_address],
    )
    image_alt = StringField(
        _l("Image description (alt text)"),
        filters=[stripped],
        validators=[Length(max=ALT_LIMIT)],
        description=_l("Required with an image: what it shows, for people who cannot see it."),
    )
    remove_image = BooleanField(_l("Use no uploaded image"))
    # A file chosen in an earlier submission of this form, already stored: its signed name.
    chosen_image = HiddenField()
    internal_note = TextAreaField(
        _l("Internal note"),
        filters=TEXT,
        description=_l("For staff only: never shown on a page, in a feed or in an email."),
    )
    credits = FieldList(
        FormField(CreditForm), min_entries=BLANK_CREDIT_ROWS + 1, max_entries=MAX_CREDITS
    )
    translations = FieldList(FormField(EventTexts))

    def __init__(self, *args, stored_image: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_language_rows()
        self.stored_image = stored_image
        # The stored file of an image chosen in this form (now or before), set by the view.
        self.chosen_upload: str | None = None
        self._allow_uncommon_zone()

    def _allow_uncommon_zone(self) -> None:
        """Offer a valid zone the picker does not list (events from the API may use one)."""
        name = self.timezone.data
        if not name or name in ZONE_NAMES:
            return
        try:
            zone(name)
        except LocalTimeError:
            return
        self.timezone.choices = [
            *ZONE_CHOICES,
            SelectChoice(name, name, optgroup=gettext("Other zones")),
        ]

    def zone_name(self) -> str | None:
        if self.timezone.errors:
            return None
        return self.timezone.data or None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        kept = bool(self.stored_image) and not self.remove_image.data
        uploaded = bool(self.chosen_upload) and self._image_path() == self.chosen_upload
        return check_image_fields(uploaded, self.image_url, self.image_alt, kept) and valid

    def _time_fields(self) -> list:
        if self.all_day.data:
            return [self.first_day, self.last_day]
        return super()._time_fields()

    def asked_times(self, zone_name: str) -> TimesAsked:
        if not self.all_day.data:
            return super().asked_times(zone_name)
        return TimesAsked(
            zone=zone_name, all_day=True, first_day=self.first_day.data, last_day=self.last_day.data
        )

    def validate_tags(self, field) -> None:
        if any(len(tag) > TAG_LIMIT for tag in split_tags(field.data)):
            raise ValidationError(
                gettext("Keep each tag under %(limit)s characters", limit=TAG_LIMIT)
            )

    def rearrange_credits(self, action: str | None) -> bool:
        """Apply a button of the credits editor ('add', 'up-N', 'down-N', 'remove-N').

        Returns whether a button was pressed: then the form is shown again, not saved.
        """
        verb, _, number = (action or "").partition("-")
        rows = self.credits
        if verb == "add" and len(rows) < MAX_CREDITS:
            rows.append_entry()
        elif verb in {"up", "down", "remove"} and number.isdigit() and int(number) < len(rows):
            index = int(number)
            row = rows.pop_entry(index)
            if verb != "remove":
                rows.insert_entry(max(index + (1 if verb == "down" else -1), 0), row.data)
        return bool(action)

    def _image_path(self) -> str | None:
        """The uploaded image the event shows: a file chosen now replaces any other; "use
        no uploaded image" drops one chosen before or stored; a web address replaces the
        stored one."""
        if self.image.data and self.chosen_upload:
            return self.chosen_upload
        if self.remove_image.data:
            return None
        if self.chosen_upload:
            return self.chosen_upload
        return None if self.image_url.data else self.stored_image

    def to_fields(self) -> EventFields:
        """The validated form as the service's fields."""
        image_path = self._image_path()
        return EventFields(
            title=self.title.data,
            kind=self.kind.data,
            schedule=self.schedule,
            summary=self.summary.data,
            body=self.body.data,
            venue=self.venue.data,
            address=self.address.data,
            join_url=self.join_url.data or None,
            capacity=self.capacity.data,
            series=self.series.data or None,
            tags=split_tags(self.tags.data),
            credits=[c for c in (row.form.to_input() for row in self.credits) if c],
            image_path=image_path,
            image_url=self.image_url.data or None,
            image_alt=self.image_alt.data if image_path or self.image_url.data else "",
            internal_note=self.internal_note.data,
            translations=self.translated_texts(),
        )


class NewEventForm(EventForm):
    """A new event with the news item announcing it, posted in the same submission.

    The announcement's fields left empty are made from the event when it is saved; its
    publication time is a wall-clock time in the site's zone.
    """

    announce = BooleanField(
        _l("Post an announcement in the news"),
        default=True,
        description=_l("A news item linked to the event, like “July 30 Virtual Event: …”."),
    )
    news_title = StringField(
        _l("Announcement title"),
        filters=[stripped],
        validators=[Length(max=TITLE_LIMIT)],
        description=_l("Left empty: the event’s date, “Virtual Event” and its title."),
    )
    news_excerpt = TextAreaField(
        _l("Announcement excerpt"),
        filters=TEXT,
        validators=[Length(max=SUMMARY_LIMIT)],
        description=_l("Optional: without one, listings show the text’s first 55 words or so."),
    )
    news_body = TextAreaField(
        _l("Announcement text"),
        filters=TEXT,
        description=_l("Markdown. Left empty: the event’s summary."),
    )
    news_published_at = local_time_field(_l("Announcement publication time"))

    news_published_instant: datetime | None = None

    def __init__(self, *args, site_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.site_zone = site_zone
        help = gettext(
            "Left empty: published with the event, now if you publish it now. "
            "A later time publishes it then."
        )
        label_zone(
            self.news_published_at, site_zone, gettext("Announcement publication time"), help
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.announce.data or self.news_published_at.errors:
            return valid and not self.news_published_at.errors
        field = self.news_published_at
        self.news_published_instant, read = read_local_time(self, field, self.site_zone)
        return valid and read

    def to_announcement(self) -> NewsFields | None:
        """The announcement as the service's news fields, or None when none is wanted."""
        if not self.announce.data:
            return None
        return NewsFields(
            title=self.news_title.data,
            excerpt=self.news_excerpt.data,
            body=self.news_body.data,
            published_at=self.news_published_instant,
        )


def split_tags(text: str | None) -> list[str]:
    """Tags typed as 'a, b, c', without empty ones."""
    return [tag.strip() for tag in (text or "").split(",") if tag.strip()]


_EVENT_ATTRIBUTES = (
    "title", "kind", "timezone", "all_day", "venue", "address", "join_url", "capacity",
    "summary", "body", "image_url", "image_alt", "internal_note",
)  # fmt: skip


def event_form_data(event: Event) -> dict:
    """An event as the form's initial values: times as wall-clock times in its own zone."""
    data = {name: getattr(event, name) for name in _EVENT_ATTRIBUTES}
    data["series"] = event.series.name if event.series else ""
    data["tags"] = ", ".join(tag.name for tag in event.tags)
    rows = [credit.as_dict() | {"affiliation": credit.affiliation} for credit in event.credits]
    data["credits"] = rows + [{}] * BLANK_CREDIT_ROWS
    data["translations"] = translation_rows(event.translations, EventTexts.texts)
    if event.all_day:
        data["first_day"], data["last_day"] = event.start_date, event.end_date
        return data
    for name, instant in (("start", event.starts_at), ("end", event.ends_at)):
        data[name], data[f"{name}_offset"] = wall_clock(instant, event.timezone)
    return data


class StatusReasonForm(BaseForm):
    """The reason given when an event is cancelled or postponed."""

    reason = TextAreaField(
        _l("Reason"),
        filters=TEXT,
        validators=[
            DataRequired(_l("Give a reason: it is shown on the event page")),
            Length(max=REASON_LIMIT),
        ],
        description=_l("Shown on the event page and in calendars."),
    )


class RescheduleForm(TimesForm):
    """New local times for an event, in its own zone, and an optional reason."""

    reason = TextAreaField(
        _l("Reason"),
        filters=TEXT,
        validators=[Length(max=REASON_LIMIT)],
        description=_l("Optional; shown on the event page."),
    )

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone_name = zone_name
        if self.current is not None:
            minutes = (self.current.ends_at - self.current.starts_at) // timedelta(minutes=1)
            self.end.description = gettext(
                "Or give a duration. Leave both empty to keep its length, %(minutes)s minutes.",
                minutes=minutes,
            )

    def zone_name(self) -> str | None:
        return self._zone_name


class RecordingForm(BaseForm):
    """A recording's link and title; a new one may come with its news item ("WATCH: …")."""

    url = URLField(
        _l("Recording link"),
        filters=[stripped],
        validators=[
            DataRequired(_l("Enter the recording's web address")),
            Length(max=URL_LIMIT),
            web_address,
        ],
    )
    title = StringField(
        _l("Title"),
        filters=[stripped],
        validators=[Length(max=TITLE_LIMIT)],
        description=_l("Optional."),
    )
    post_news = BooleanField(
        _l("Also post a news item presenting the recording"),
        description=_l("It shows the recording first, then its text; it is published now."),
    )
    news_title = StringField(
        _l("News item title"),
        filters=[stripped],
        validators=[Length(max=TITLE_LIMIT)],
        description=_l("Left empty: “WATCH: ” and the event’s title, in quotation marks."),
    )
    news_body = TextAreaField(
        _l("News item text"),
        filters=TEXT,
        description=_l("Markdown. Left empty: the event’s summary."),
    )

    def to_news(self) -> NewsFields | None:
        """The news item to post with a new recording, or None when none is wanted."""
        if not self.post_news.data:
            return None
        return NewsFields(title=self.news_title.data, body=self.news_body.data)


class EventFilterForm(Form):
    """The events list's search and filters, read from the query string."""

    q = SearchField(_l("Search"), filters=[stripped], validators=[Length(max=200)])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice("", _l("Any status"))]
        + [SelectChoice(status, CODE_WORDS[status]) for status in STATUSES],
        default="",
        validate_choice=False,
    )
    visibility = SelectField(
        _l("Visibility"),
        choices=[SelectChoice("", _l("Drafts and published"))]
        + [SelectChoice(value, CODE_WORDS[value]) for value in VISIBILITIES],
        default="",
        validate_choice=False,
    )
