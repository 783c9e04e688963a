"""Events of a network (Veranstaltungen), their series and the registrations for them."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import new_code
from anlaufstelle.networks.scoping import TenantModel

BERLIN = ZoneInfo("Europe/Berlin")
# An answer to an organiser's question; longer input is refused, never cut.
ANSWER_MAX_LENGTH = 500


# Path segments of the events pages that an event's slug may not take.
RESERVED_SLUGS = frozenset({"verwaltung", "anmeldung"})


def validate_event_slug(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(_("This address is reserved; please choose another one."))


class EventFormat(models.TextChoices):
    ON_SITE = "vor_ort", _("On site")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class EventStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CANCELLED = "cancelled", _("Cancelled")


QUESTIONS_HELP = _(
    'One per line. "Role: question" asks only registrants of that role '
    '(e.g. "Pitching company: Your pitch in two sentences"); a question ending in "*" '
    "must be answered."
)
ROLES_HELP = _(
    "One per line, e.g. pitching company and visitor. Registrants of the first "
    "role who agree are listed on the event page after the event."
)
MAX_QUESTIONS = 10
MAX_ROLES = 5


def _lines(text: str, limit: int) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:limit]


def validate_questions(value: str) -> None:
    if len(_lines(value, MAX_QUESTIONS + 1)) > MAX_QUESTIONS:
        raise ValidationError(
            _("At most %(max)d questions, one per line.") % {"max": MAX_QUESTIONS}
        )


def validate_roles(value: str) -> None:
    if len(_lines(value, MAX_ROLES + 1)) > MAX_ROLES:
        raise ValidationError(_("At most %(max)d roles, one per line.") % {"max": MAX_ROLES})


@dataclass(frozen=True)
class Question:
    """One question of the registration form.

    `key` is the line as written (answers are stored under it), `text` what the form
    shows, `role` the role it is asked of ("" = everyone), `required` from a closing "*".
    """

    key: str
    text: str
    role: str
    required: bool


class EventType(TenantModel):
    """A kind of event (e.g. "Löwenpitch"): the roles and questions every event of it asks.

    An event of a type asks the type's questions first, then its own; it takes the
    type's roles unless it names roles of its own.
    """

    name = models.CharField(_("name"), max_length=120)
    description = models.CharField(_("description"), max_length=300, blank=True)
    roles = models.TextField(
        _("registration roles"), blank=True, help_text=ROLES_HELP, validators=[validate_roles]
    )
    questions = models.TextField(
        _("questions for registrants"),
        blank=True,
        help_text=QUESTIONS_HELP,
        validators=[validate_questions],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("event type")
        verbose_name_plural = _("event types")
        constraints = [
            models.UniqueConstraint(fields=["network", "name"], name="event_type_name_per_network"),
        ]

    def __str__(self) -> str:
        return self.name


class EventSeries(TenantModel):
    """A recurring format ("jeden ersten Mittwoch"): its occurrences are Event rows."""

    title = models.CharField(_("title"), max_length=200)
    rule = models.CharField(
        _("recurrence"), max_length=200, help_text=_("e.g. every first Wednesday")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"))
    # 1..4: the n-th weekday of the month; 5 means "the last".
    week_of_month = models.PositiveSmallIntegerField(_("week of the month"))
    start_time = models.TimeField(_("start time"))
    duration_minutes = models.PositiveIntegerField(_("duration in minutes"), default=60)
    # What every occurrence copies.
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="event_series",
    )
    format = models.CharField(
        _("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.ON_SITE
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=20)
    event_type = models.ForeignKey(
        EventType,
        verbose_name=_("event type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series",
    )

    class Meta:
        verbose_name = _("event series")
        verbose_name_plural = _("event series")

    def __str__(self) -> str:
        return f"{self.title} ({self.rule})"

    def day_in(self, year: int, month: int) -> date:
        days = [
            d
            for d in calendar.Calendar().itermonthdates(year, month)
            if d.month == month and d.weekday() == self.weekday
        ]
        return days[-1] if self.week_of_month >= 5 else days[self.week_of_month - 1]

    def occurrences(self, after: date, count: int) -> list[tuple[datetime, datetime]]:
        """The next `count` (start, end) after `after`, aware in Berlin time."""
        found: list[tuple[datetime, datetime]] = []
        year, month = after.year, after.month
        while len(found) < count:
            day = self.day_in(year, month)
            if day > after:
                start = datetime.combine(day, self.start_time, tzinfo=BERLIN)
                found.append((start, start + timedelta(minutes=self.duration_minutes)))
            month += 1
            if month > 12:
                year, month = year + 1, 1
        return found


class Event(TenantModel):
    slug = models.SlugField(max_length=160, validators=[validate_event_slug])
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)
    topics = models.ManyToManyField(
        "directory.Topic", verbose_name=_("topics"), blank=True, related_name="events"
    )
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("organiser"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    format = models.CharField(
        _("format"), max_length=10, choices=EventFormat.choices, default=EventFormat.ON_SITE
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(_("places"), default=30)
    waiting_list = models.BooleanField(_("waiting list when full"), default=True)
    accessibility = models.TextField(_("accessibility"), blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    speakers = models.TextField(_("speakers"), blank=True)
    # The kind of event: its roles and questions come first (see EventType).
    event_type = models.ForeignKey(
        EventType,
        verbose_name=_("event type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    # Organiser's extra questions: one per line, each answered in up to 500 characters.
    questions = models.TextField(
        _("questions for registrants"),
        blank=True,
        help_text=QUESTIONS_HELP,
        validators=[validate_questions],
    )
    # Registration roles (e.g. a pitch event: pitching companies and visiting talents).
    roles = models.TextField(
        _("registration roles"), blank=True, help_text=ROLES_HELP, validators=[validate_roles]
    )
    registration_open = models.BooleanField(_("registration open"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.DRAFT
    )
    series = models.ForeignKey(
        EventSeries,
        verbose_name=_("series"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    catalog_id = models.CharField(max_length=120, blank=True)
    # Kept in step by the services under the event's row lock; the constraint is the
    # last line of defence against overbooking.
    confirmed_count = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["starts_at", "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="event_slug_per_network"),
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")), name="event_not_overbooked"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Online events get a room from the network's video pattern, as bookings do.
        if self.is_online and not self.online_url and self.network_id:
            from anlaufstelle.booking.video import new_video_url

            self.online_url = new_video_url(self.network)
        super().save(*args, **kwargs)

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    def question_list(self) -> list[str]:
        """The question lines: the event type's first, then the event's own (no repeats)."""
        lines = _lines(self.event_type.questions, MAX_QUESTIONS) if self.event_type else []
        for line in _lines(self.questions, MAX_QUESTIONS):
            if line not in lines:
                lines.append(line)
        return lines

    def role_list(self) -> list[str]:
        """The event's own roles, else its type's."""
        own = _lines(self.roles, MAX_ROLES)
        if own or self.event_type is None:
            return own
        return _lines(self.event_type.roles, MAX_ROLES)

    def question_role(self, question: str) -> str:
        """The role a question is asked of ("" = everyone): the "Role: question" prefix."""
        prefix, sep, _rest = question.partition(":")
        return prefix.strip() if sep and prefix.strip() in self.role_list() else ""

    def parsed_questions(self) -> list[Question]:
        found = []
        for line in self.question_list():
            role = self.question_role(line)
            text = line.partition(":")[2].strip() if role else line
            required = text.endswith("*")
            found.append(Question(line, text.rstrip("*").strip() or text, role, required))
        return found

    def questions_for(self, role: str) -> list[Question]:
        """The questions a registrant of `role` answers ("" = no roles)."""
        return [q for q in self.parsed_questions() if q.role in ("", role)]

    def is_past(self, now: datetime) -> bool:
        return self.starts_at is None or self.starts_at <= now

    def default_end(self) -> datetime | None:
        if self.ends_at:
            return self.ends_at
        return self.starts_at + timedelta(hours=2) if self.starts_at else None


def new_registration_code() -> str:
    return new_code(10)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("Waiting list")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(TenantModel):
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    code = models.CharField(
        max_length=16, unique=True, default=new_registration_code, editable=False
    )
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    language = models.CharField(max_length=8, default="de")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    token_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    role = models.CharField(_("role"), max_length=120, blank=True)
    # Agreed to be named on the event page after the event (pitch format).
    listed_publicly = models.BooleanField(_("may be named publicly"), default=False)
    # The running order the organiser arranges (pitch format).
    position = models.PositiveIntegerField(_("running order"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "idempotency_key"], name="registration_key_per_network"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# The day-before reminder goes out from this local time on (daily job).
REMINDER_TIME = time(8, 0)
