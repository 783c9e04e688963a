"""Consultation hours (Schedule), their rules, materialised slots, bookings, rooms and desks.

Times are stored in UTC (USE_TZ); the wall-clock rules (weekday, 09:00–12:00) are
interpreted in Europe/Berlin by `slots.py`. See docs/decisions/0004-booking-slots.md.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import CODE_ALPHABET, new_code  # noqa: F401 (re-exported)
from anlaufstelle.networks.scoping import TenantModel

from . import video

# Bookings and reservations are anonymised this many days after the appointment unless
# the network's BookingSettings say otherwise (docs/booking.md, "Data protection").
DEFAULT_RETENTION_DAYS = 90
# What an anonymised booking or reservation keeps in its text fields.
ERASED = "[gelöscht]"


def new_schedule_code() -> str:
    return new_code(8)


def new_booking_code() -> str:
    return new_code(10)


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class Format(models.TextChoices):
    ON_SITE = "vor_ort", _("On site")
    PHONE = "telefon", _("Phone")
    VIDEO = "video", _("Video")


class Schedule(TenantModel):
    """A consultation hour (Sprechstunde) of a provider, booked slot by slot."""

    code = models.CharField(max_length=12, unique=True, default=new_schedule_code, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("provider"),
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    contact = models.ForeignKey(
        "directory.Contact",
        verbose_name=_("contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schedules",
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schedules",
        help_text=_("Receives an e-mail per booking and sees the bookings in the calendar."),
    )
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    room = models.ForeignKey(
        "booking.Resource",
        verbose_name=_("room"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="schedules",
    )
    location = models.TextField(_("address"), blank=True)
    phone_note = models.CharField(
        _("phone note"),
        max_length=200,
        blank=True,
        help_text=_("For phone appointments: who calls whom."),
    )
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"), default=30)
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between slots (minutes)"), default=0
    )
    min_notice_minutes = models.PositiveIntegerField(_("minimum notice (minutes)"), default=12 * 60)
    horizon_days = models.PositiveSmallIntegerField(_("booking horizon (days)"), default=60)
    capacity = models.PositiveSmallIntegerField(_("places per slot"), default=1)
    topics = models.ManyToManyField(
        "directory.Topic", verbose_name=_("topics"), blank=True, related_name="schedules"
    )
    offers = models.ManyToManyField(
        "directory.Offer", verbose_name=_("offers"), blank=True, related_name="schedules"
    )
    notify_email = models.EmailField(
        _("notification e-mail"),
        blank=True,
        help_text=_("Used when no expert account is set."),
    )
    is_active = models.BooleanField(_("bookable"), default=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("consultation hour")
        verbose_name_plural = _("consultation hours")
        constraints = [
            models.CheckConstraint(condition=Q(slot_minutes__gte=5), name="schedule_slot_len"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="schedule_capacity"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def expert_email(self) -> str:
        expert = self.expert  # no query when expert_id is None
        if expert is not None and expert.email:
            return expert.email
        return self.notify_email

    def blocked_ranges(self, *, after: datetime) -> list[tuple[datetime, datetime]]:
        """The [starts_at, ends_at) ranges ending after `after` in which this hour has no
        slots: its own absences and every absence of its expert.

        `Schedule.expert` is the person who holds the hour (gets the bookings, sees them in
        the calendar), so a person's absence blocks all of their hours at once. A provider's
        other experts are not meant: an hour without an expert account has only its own
        absences.
        """
        ranges = list(
            Absence.objects.filter(schedule=self, ends_at__gt=after).values_list(
                "starts_at", "ends_at"
            )
        )
        if self.expert_id is not None:
            ranges += ExpertAbsence.objects.filter(
                expert_id=self.expert_id, ends_at__gt=after
            ).values_list("starts_at", "ends_at")
        return sorted(ranges)


class WeeklyRule(TenantModel):
    """A recurring window: every week, every n-th week, or the n-th weekday of the month."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="rules")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"),
        choices=WEEKDAYS,
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    interval_weeks = models.PositiveSmallIntegerField(
        _("every n-th week"), default=1, help_text=_("1 = every week, 2 = every second week.")
    )
    anchor_date = models.DateField(
        _("first date"),
        null=True,
        blank=True,
        help_text=_("For every n-th week: a date in a week that has the consultation hour."),
    )
    month_weeks = models.CharField(
        _("weeks of the month"),
        max_length=20,
        blank=True,
        help_text=_("E.g. '2,4' for the 2nd and 4th weekday of the month, '-1' for the last."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    class Meta:
        ordering = ["weekday", "start_time"]
        verbose_name = _("weekly rule")
        verbose_name_plural = _("weekly rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="weeklyrule_window"
            ),
            models.CheckConstraint(condition=Q(interval_weeks__gte=1), name="weeklyrule_interval"),
        ]

    def __str__(self) -> str:
        # Shown as the inline's heading in the back office (else "WeeklyRule object (1)").
        return f"{self.get_weekday_display()}, {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def month_week_list(self) -> tuple[int, ...]:
        return tuple(int(p) for p in self.month_weeks.replace(" ", "").split(",") if p)


class ExtraDate(TenantModel):
    """A single additional date outside the weekly rules."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="extra_dates")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))

    class Meta:
        ordering = ["date", "start_time"]
        verbose_name = _("extra date")
        verbose_name_plural = _("extra dates")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="extradate_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}, {self.start_time:%H:%M}–{self.end_time:%H:%M}"


class Absence(TenantModel):
    """An exception: no slots of this schedule in [starts_at, ends_at) (holiday, illness)."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="absences")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="absence_range"),
        ]

    def __str__(self) -> str:
        return self.reason or str(_("absence"))


class ExpertAbsence(TenantModel):
    """A person's absence (holiday, illness): no slots of any consultation hour they hold
    (`Schedule.expert`) in [starts_at, ends_at).

    Appointments already booked in the range are not cancelled automatically; they stay
    in the expert's calendar, to be moved or cancelled by hand with a message.
    """

    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        related_name="booking_absences",
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("absence of a person")
        verbose_name_plural = _("absences of persons")
        indexes = [models.Index(fields=["expert", "ends_at"], name="expertabsence_expert_end")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="expertabsence_range",
                violation_error_message=_("The end must be after the start."),
            ),
        ]

    def __str__(self) -> str:
        starts = timezone.localtime(self.starts_at)
        ends = timezone.localtime(self.ends_at)
        return f"{self.expert} {starts:%d.%m.%Y %H:%M}–{ends:%d.%m.%Y %H:%M}"


class ClosingDay(TenantModel):
    """A day on which the whole network (the lab) is closed: no slots, no reservations."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("closing day")
        verbose_name_plural = _("closing days")
        constraints = [
            models.UniqueConstraint(fields=["network", "date"], name="closingday_per_network")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y} {self.name}"


class Slot(TenantModel):
    """A materialised slot, created on its first booking; holds the place counter.

    The counter is the thing we lock (SELECT … FOR UPDATE) and the CheckConstraint is
    the last line of defence against overbooking.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    capacity = models.PositiveSmallIntegerField()
    booked_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("slot")
        verbose_name_plural = _("slots")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "starts_at"], name="slot_once"),
            models.CheckConstraint(
                condition=Q(booked_count__lte=F("capacity")), name="slot_not_overbooked"
            ),
            models.CheckConstraint(condition=Q(booked_count__gte=0), name="slot_count_positive"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="slot_range"),
        ]

    def __str__(self) -> str:
        return f"{self.schedule} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def remaining(self) -> int:
        return self.capacity - self.booked_count


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Booking(TenantModel):
    """An appointment of a company in a slot (Termin)."""

    code = models.CharField(max_length=16, unique=True, default=new_booking_code, editable=False)
    slot = models.ForeignKey(Slot, on_delete=models.PROTECT, related_name="bookings")
    status = models.CharField(
        _("status"), max_length=12, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    concern = models.TextField(_("your concern"), blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    # Empty when the company ticked the box itself; says how and to whom otherwise.
    consent_note = models.CharField(_("how consent was given"), max_length=300, blank=True)
    language = models.CharField(max_length=8, default="de")
    # Unique per network (Meta): each network's API clients choose their own keys.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    # Raised on every cancel or move so that earlier signed links stop working.
    token_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.CharField(_("cancelled by"), max_length=20, blank=True)
    cancel_message = models.TextField(_("message"), blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Staff member who booked on the company's behalf."),
    )
    # A typed reference ("concern:<code>") to what the booking was made from, so that the
    # concern's export and erasure include it; booking never imports the upper app.
    origin = models.CharField(_("made from"), max_length=40, blank=True, db_index=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["slot__starts_at"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "idempotency_key"], name="booking_idempotency_key_per_network"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def starts_at(self) -> datetime:
        return self.slot.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.slot.ends_at

    @property
    def is_active(self) -> bool:
        return self.status == BookingStatus.CONFIRMED

    @property
    def video_link(self) -> str:
        """The video URL if it is an http(s) address; pages and mails render only this."""
        return self.video_url if video.is_web_url(self.video_url) else ""

    def is_changeable(self, now: datetime | None = None) -> bool:
        """A company may cancel or move until the appointment starts."""
        now = now or timezone.now()
        return self.is_active and self.slot.starts_at > now


class ResourceKind(models.TextChoices):
    SEMINAR_ROOM = "seminar", _("Seminar room")
    MEETING_ROOM = "meeting", _("Meeting room")
    DESK = "desk", _("Coworking desk")


class Resource(TenantModel):
    """A room or coworking desk of the lab; reservations of one resource never overlap."""

    code = models.CharField(max_length=12, unique=True, default=new_schedule_code, editable=False)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=ResourceKind.choices)
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
    )
    description = models.TextField(_("description"), blank=True)
    location = models.TextField(_("address"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("persons"), default=1)
    requires_approval = models.BooleanField(_("requires approval"), default=False)
    min_minutes = models.PositiveSmallIntegerField(_("shortest reservation (minutes)"), default=60)
    horizon_days = models.PositiveSmallIntegerField(_("booking horizon (days)"), default=90)
    is_active = models.BooleanField(_("bookable"), default=True)
    notify_email = models.EmailField(_("notification e-mail"), blank=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("room or desk")
        verbose_name_plural = _("rooms and desks")

    def __str__(self) -> str:
        return self.name


class OpeningHours(TenantModel):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAYS)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="openinghours_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}, {self.opens:%H:%M}–{self.closes:%H:%M}"


class ReservationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Cancelled")


# Reservations in these states hold the resource; the others free it.
HOLDING_STATUSES = (ReservationStatus.PENDING, ReservationStatus.CONFIRMED)


class Reservation(TenantModel):
    """A time range on a resource. Overlaps are refused under a lock on the resource row
    (and, on PostgreSQL, by an exclusion constraint; see migration 0002)."""

    code = models.CharField(max_length=16, unique=True, default=new_booking_code, editable=False)
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="reservations")
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    status = models.CharField(_("status"), max_length=12, choices=ReservationStatus.choices)
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    consent_at = models.DateTimeField(_("consent given"))
    language = models.CharField(max_length=8, default="de")
    # Unique per network (Meta): each network's API clients choose their own keys.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    token_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_message = models.TextField(_("message"), blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="reservation_range"
            ),
            models.UniqueConstraint(
                fields=["network", "idempotency_key"],
                name="reservation_idempotency_key_per_network",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {timezone.localtime(self.starts_at):%d.%m.%Y %H:%M}"

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES


def password_fingerprint(user: Any) -> str:
    """A keyed digest of the user's password hash: it changes with every new password.

    A feed remembers the fingerprint it was made with; a password change (by the user,
    a reset, an operator, `set_unusable_password`) ends every feed made before it.
    Django re-hashes a password on login after an upgrade raises the hasher's cost;
    that ends the feeds as well (the user creates a new one, as after a password change).
    """
    return salted_hmac(
        "anlaufstelle.booking.FeedToken.password", user.password or "", algorithm="sha256"
    ).hexdigest()


class FeedToken(TenantModel):
    """The secret of an expert's private iCalendar feed; revoking makes the URL dead.

    It also dies when its user is deactivated or changes the password (`serves`).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="booking_feed_tokens",
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    password_fingerprint = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.password_fingerprint:
            self.password_fingerprint = password_fingerprint(self.user)
        super().save(*args, **kwargs)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def serves(self) -> bool:
        """Whether the feed may still be read: not revoked, its user active, still staff of
        the feed's network, with the password the feed was made under, and with the second
        factor set up where it is required (a feed made without it serves nothing)."""
        # Imported here: networks.auth loads allauth's adapter, not while models load.
        from anlaufstelle.networks.auth import needs_second_factor_setup

        user = self.user
        return bool(
            self.is_active
            and user.is_active
            and (user.is_superuser or user.network_id == self.network_id)
            and self.password_fingerprint
            and constant_time_compare(self.password_fingerprint, password_fingerprint(user))
            and not needs_second_factor_setup(user)
        )


class BookingSettings(TenantModel):
    """Per-network booking options (one row per network, optional)."""

    video_url_pattern = models.CharField(
        _("video link pattern"),
        max_length=300,
        blank=True,
        help_text=_(
            "An https:// address with {room} exactly once, e.g. https://meet.example.org/{room}; "
            "empty uses the server default."
        ),
        validators=[video.validate_url_pattern],
    )
    retention_days = models.PositiveSmallIntegerField(
        _("retention of appointments and reservations (days)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_(
            "Names, contact details and notes of appointments and room reservations are "
            "erased this many days after the appointment."
        ),
    )

    class Meta:
        verbose_name = _("booking settings")
        verbose_name_plural = _("booking settings")
        constraints = [
            models.UniqueConstraint(fields=["network"], name="bookingsettings_per_network")
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The field validator guards forms; this guards every other write (shell, import,
        # fixtures), so that no unsafe pattern is ever stored.
        video.validate_url_pattern(self.video_url_pattern)
        super().save(*args, **kwargs)
