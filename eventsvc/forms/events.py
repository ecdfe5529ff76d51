"""The event form with its credits editor, and the status, reschedule and recording forms."""

from datetime import date, datetime, timedelta

from flask_wtf.file import FileField
from sqlalchemy import select
from wtforms import (
    BooleanField,
    DataList,
    DateField,
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
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
from eventsvc.forms import BaseForm, check_image_fields, stripped, unix_newlines, web_address
from eventsvc.models import Event, Organization, Person, Series
from eventsvc.models.events import (
    KIND_LABELS,
    KINDS,
    MAX_CAPACITY,
    ROLE_LABELS,
    ROLES,
    STATUSES,
    VISIBILITIES,
)
from eventsvc.services.events import CreditInput, EventFields
from eventsvc.timezones import (
    LocalTimeError,
    check_duration,
    day_bounds,
    end_after,
    format_offset,
    is_ambiguous,
    parse_offset,
    to_local,
    to_utc,
    zone,
    zones_by_region,
)

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
CREDIT_NAMES_LIST = "credit-names"
MAX_CREDITS = 60
BLANK_CREDIT_ROWS = 2
MAX_TAG_LENGTH = 100
OFFSET_HELP = (
    "Only needed when the time occurs twice because clocks go back: "
    "choose which one. Otherwise the first is used."
)
TEXT = [unix_newlines, stripped]


def _offset_value(offset: timedelta) -> str:
    """An offset as the form sends it, e.g. '-05:00'."""
    return format_offset(offset).removeprefix("UTC").replace("\u2212", "-")


def _offset_choices() -> list[SelectChoice]:
    steps = (timedelta(minutes=minutes) for minutes in range(-12 * 60, 14 * 60 + 1, 15))
    return [SelectChoice("", "Not needed")] + [
        SelectChoice(_offset_value(offset), format_offset(offset)) for offset in steps
    ]


def _zone_choices() -> list[SelectChoice]:
    choices = [SelectChoice("", "Choose a time zone")]
    for region, names in zones_by_region().items():
        choices += [SelectChoice(name, name.replace("_", " "), optgroup=region) for name in names]
    return choices


OFFSET_CHOICES = _offset_choices()
ZONE_CHOICES = _zone_choices()
ZONE_NAMES = {choice.value for choice in ZONE_CHOICES}
KIND_CHOICES = [SelectChoice(kind, KIND_LABELS[kind]) for kind in KINDS]
ROLE_CHOICES = [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES]
CREDITED_CHOICES = [SelectChoice("organization", "Organisation"), SelectChoice("person", "Person")]


def _series_names() -> list[str]:
    return list(db.session.scalars(select(Series.name).order_by(Series.name)))


def credit_names() -> list[str]:
    """Every organisation's and person's name, for the credits editor's suggestions."""
    names = db.session.scalars(select(Organization.name)).all()
    names += db.session.scalars(select(Person.name)).all()
    return sorted(set(names), key=str.casefold)


def _attempt(field, compute):
    """Run a time conversion; a LocalTimeError becomes an error on `field`."""
    try:
        return compute()
    except LocalTimeError as error:
        field.errors.append(str(error))
        return None


def _local_field(label: str, description: str = "") -> DateTimeLocalField:
    return DateTimeLocalField(
        label,
        format=LOCAL_FORMATS,
        validators=[Optional()],
        description=description,
        invalid_value_message="Enter a date and a time",
    )


def _offset_field(label: str) -> SelectField:
    return SelectField(label, choices=OFFSET_CHOICES, default="", description=OFFSET_HELP)


def wall_clock(instant: datetime, zone_name: str) -> tuple[datetime, str]:
    """An instant as the form shows it: the naive local time, and its offset if ambiguous."""
    local = to_local(instant, zone_name)
    naive = local.replace(tzinfo=None)
    offset = _offset_value(local.utcoffset()) if is_ambiguous(naive, zone_name) else ""
    return naive, offset


class TimesForm(BaseForm):
    """A local start with an end or a duration, turned into UTC instants in a zone."""

    start = _local_field("Starts", "The local time in the event's time zone.")
    start_offset = _offset_field("UTC offset of the start")
    end = _local_field("Ends", "Or give a duration instead.")
    end_offset = _offset_field("UTC offset of the end")
    duration = IntegerField(
        "Or duration in minutes",
        validators=[Optional(), NumberRange(min=1, message="Give a duration of at least 1 minute")],
        description="Elapsed time, up to 14 days; a change of clocks does not count.",
        invalid_value_message="Give the duration as a whole number of minutes",
    )

    instants: tuple[datetime, datetime] | None = None

    def zone_name(self) -> str | None:
        """The IANA zone the local times are in, or None when it is not known yet."""
        raise NotImplementedError

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        zone_name = self.zone_name()
        if zone_name is None or any(field.errors for field in self._time_fields()):
            return False
        self.instants = self._read_instants(zone_name)
        return valid and self.instants is not None

    def _time_fields(self) -> list:
        return [self.start, self.start_offset, self.end, self.end_offset, self.duration]

    def _read_instants(self, zone_name: str) -> tuple[datetime, datetime] | None:
        if self.start.data is None:
            self.start.errors.append("Enter the date and time it starts")
            return None
        start = self._instant(self.start, self.start_offset, zone_name)
        if start is None:
            return None
        end = self._end(start, zone_name)
        return None if end is None else (start, end)

    def _end(self, start: datetime, zone_name: str) -> datetime | None:
        if self.duration.data is not None:
            if self.end.data is not None:
                self.duration.errors.append("Give an end or a duration, not both")
                return None
            return _attempt(self.duration, lambda: end_after(start, self.duration.data))
        if self.end.data is None:
            self.end.errors.append("Enter when it ends, or a duration in minutes")
            return None
        end = self._instant(self.end, self.end_offset, zone_name)
        if end is None:
            return None
        return _attempt(self.end, lambda: check_duration(start, end) or end)

    @staticmethod
    def _instant(field, offset_field, zone_name: str) -> datetime | None:
        """Convert a local time; the offset choice counts only when the time occurs twice."""
        local = field.data
        if offset_field.data and is_ambiguous(local, zone_name):
            offset = parse_offset(offset_field.data)
            return _attempt(offset_field, lambda: to_utc(local, zone_name, offset))
        return _attempt(field, lambda: to_utc(local, zone_name))


class CreditForm(Form):
    """One row of the credits editor; a row without a name is left out."""

    role = SelectField("Role", choices=ROLE_CHOICES, default="co_host")
    kind = SelectField("Organisation or person", choices=CREDITED_CHOICES, default="organization")
    name = StringField(
        "Name", filters=[stripped], validators=[Length(max=200)], datalist=CREDIT_NAMES_LIST
    )
    url = URLField(
        "Web address", filters=[stripped], validators=[Optional(), Length(max=500), web_address]
    )

    def to_input(self) -> CreditInput | None:
        """The row as a credit, or None when it names no one."""
        if not self.name.data:
            return None
        return CreditInput(self.role.data, self.kind.data, self.name.data, self.url.data or None)


class EventForm(TimesForm):
    """Everything staff set on an event, with its times as local wall-clock times."""

    title = StringField(
        "Title", filters=[stripped], validators=[DataRequired("Enter a title"), Length(max=300)]
    )
    kind = SelectField("Kind", choices=KIND_CHOICES, default="webinar")
    timezone = SelectField(
        "Time zone",
        choices=ZONE_CHOICES,
        default="",
        validators=[DataRequired("Choose the time zone the event is timed in")],
        invalid_choice_message="Choose a time zone from the list",
    )
    all_day = BooleanField("All-day event", description="Give the first and last days instead.")
    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField(
        "Last day", validators=[Optional()], description="Leave empty for a one-day event."
    )
    venue = StringField("Venue", filters=[stripped], validators=[Length(max=300)])
    address = StringField("Address", filters=[stripped], validators=[Length(max=500)])
    join_url = URLField(
        "Join link",
        filters=[stripped],
        validators=[Optional(), Length(max=1000), web_address],
        description="Private: only staff and confirmed registrants see it.",
    )
    capacity = IntegerField(
        "Capacity",
        validators=[
            Optional(),
            NumberRange(min=1, message="Give at least 1 place"),
            NumberRange(max=MAX_CAPACITY, message=f"Give at most {MAX_CAPACITY:,} places"),
        ],
        description="Leave empty for no limit.",
        invalid_value_message="Give the number of places as a whole number",
    )
    series = StringField(
        "Series",
        filters=[stripped],
        validators=[Length(max=200)],
        datalist=DataList(_series_names),
        description="Pick an existing series or type a new name.",
    )
    tags = StringField(
        "Tags", filters=[stripped], description="Separate tags with commas.", default=""
    )
    summary = TextAreaField(
        "Summary",
        filters=TEXT,
        validators=[Length(max=2000)],
        description="One or two sentences for listings and calendars.",
    )
    body = TextAreaField(
        "Description",
        filters=TEXT,
        description="Markdown: **bold**, *italic*, [a link](https://…).",
    )
    image = FileField("Image", description="PNG, JPEG, GIF or WebP, up to 2 MB.")
    image_url = URLField(
        "Or the image's web address",
        filters=[stripped],
        validators=[Optional(), Length(max=1000), web_address],
    )
    image_alt = StringField(
        "Image description (alt text)",
        filters=[stripped],
        validators=[Length(max=300)],
        description="Required with an image: what it shows, for people who cannot see it.",
    )
    remove_image = BooleanField("Remove the uploaded image")
    internal_note = TextAreaField(
        "Internal note",
        filters=TEXT,
        description="For staff only: never shown on a page, in a feed or in an email.",
    )
    credits = FieldList(
        FormField(CreditForm), min_entries=BLANK_CREDIT_ROWS + 1, max_entries=MAX_CREDITS
    )

    def __init__(self, *args, stored_image: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored_image = stored_image
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
        self.timezone.choices = [*ZONE_CHOICES, SelectChoice(name, name, optgroup="Other")]

    def zone_name(self) -> str | None:
        if self.timezone.errors:
            return None
        return self.timezone.data or None

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        kept = bool(self.stored_image) and not self.remove_image.data
        return check_image_fields(self.image, self.image_url, self.image_alt, kept) and valid

    def _time_fields(self) -> list:
        if self.all_day.data:
            return [self.first_day, self.last_day]
        return super()._time_fields()

    def _read_instants(self, zone_name: str) -> tuple[datetime, datetime] | None:
        if not self.all_day.data:
            return super()._read_instants(zone_name)
        if self.first_day.data is None:
            self.first_day.errors.append("Enter the first day")
            return None
        last = self.last_day.data or self.first_day.data
        return _attempt(self.last_day, lambda: day_bounds(self.first_day.data, last, zone_name))

    def validate_tags(self, field) -> None:
        if any(len(tag) > MAX_TAG_LENGTH for tag in split_tags(field.data)):
            raise ValidationError(f"Keep each tag under {MAX_TAG_LENGTH} characters")

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

    def _kept_image(self) -> str | None:
        if self.remove_image.data or self.image_url.data:
            return None
        return self.stored_image

    def _days(self) -> tuple[date | None, date | None]:
        if not self.all_day.data:
            return None, None
        return self.first_day.data, self.last_day.data or self.first_day.data

    def to_fields(self, uploaded_image: str | None = None) -> EventFields:
        """The validated form as the service's fields; `uploaded_image` is a new stored image."""
        starts_at, ends_at = self.instants
        start_date, end_date = self._days()
        image_path = uploaded_image or self._kept_image()
        return EventFields(
            title=self.title.data,
            kind=self.kind.data,
            timezone=self.timezone.data,
            starts_at=starts_at,
            ends_at=ends_at,
            all_day=self.all_day.data,
            start_date=start_date,
            end_date=end_date,
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
    data["credits"] = [credit.as_dict() for credit in event.credits] + [{}] * BLANK_CREDIT_ROWS
    if event.all_day:
        data["first_day"], data["last_day"] = event.start_date, event.end_date
        return data
    for name, instant in (("start", event.starts_at), ("end", event.ends_at)):
        data[name], data[f"{name}_offset"] = wall_clock(instant, event.timezone)
    return data


class StatusReasonForm(BaseForm):
    """The reason given when an event is cancelled or postponed."""

    reason = TextAreaField(
        "Reason",
        filters=TEXT,
        validators=[DataRequired("Give a reason: it is shown on the event page"), Length(max=2000)],
        description="Shown on the event page and in calendars.",
    )


class RescheduleForm(TimesForm):
    """New local times for an event, in its own zone, and an optional reason."""

    reason = TextAreaField(
        "Reason",
        filters=TEXT,
        validators=[Length(max=2000)],
        description="Optional; shown on the event page.",
    )

    def __init__(self, *args, zone_name: str, **kwargs):
        super().__init__(*args, **kwargs)
        self._zone_name = zone_name

    def zone_name(self) -> str | None:
        return self._zone_name


class RecordingForm(BaseForm):
    """A recording's link and title."""

    url = URLField(
        "Recording link",
        filters=[stripped],
        validators=[
            DataRequired("Enter the recording's web address"),
            Length(max=1000),
            web_address,
        ],
    )
    title = StringField(
        "Title", filters=[stripped], validators=[Length(max=300)], description="Optional."
    )


class EventFilterForm(Form):
    """The events list's search and filters, read from the query string."""

    q = SearchField("Search", filters=[stripped], validators=[Length(max=200)])
    status = SelectField(
        "Status",
        choices=[SelectChoice("", "Any status")]
        + [SelectChoice(status, status.capitalize()) for status in STATUSES],
        default="",
        validate_choice=False,
    )
    visibility = SelectField(
        "Visibility",
        choices=[SelectChoice("", "Drafts and published")]
        + [SelectChoice(value, value.capitalize()) for value in VISIBILITIES],
        default="",
        validate_choice=False,
    )
