"""Concerns (Anliegen) of companies, their referrals to partners, and everything around them.

Nothing here is deleted by a user action: closing keeps the row, and only the
data-protection flow (`services.erase`, `services.apply_retention`) blanks personal data.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import new_code
from anlaufstelle.networks.scoping import TenantModel


def new_concern_code() -> str:
    return new_code(10)


DEFAULT_CONSENT_TEXT = (
    "Ich bin damit einverstanden, dass das Netzwerk meine Angaben speichert und verarbeitet, "
    "um mein Anliegen zu bearbeiten und mich dazu zu kontaktieren. Ich kann die Einwilligung "
    "jederzeit über meine Statusseite widerrufen."
)
DEFAULT_SHARE_CONSENT_TEXT = (
    "Ich bin damit einverstanden, dass mein Anliegen und meine Kontaktdaten an passende "
    "Partner des Netzwerks (z. B. Agentur für Arbeit, Kammer, Welcome Center) weitergegeben "
    "werden."
)


class NetworkCaseSettings(TenantModel):
    """Per-network options of the navigators' desk; the coordinator edits them."""

    consent_text = models.TextField(_("consent text"), default=DEFAULT_CONSENT_TEXT)
    share_consent_text = models.TextField(
        _("consent text for passing on data"), default=DEFAULT_SHARE_CONSENT_TEXT
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention (months)"),
        default=12,
        help_text=_("Closed concerns are anonymised this many months after closing."),
    )
    untouched_days = models.PositiveSmallIntegerField(
        _("untouched after (working days)"),
        default=3,
        help_text=_(
            "Open concerns without any staff action for longer get a badge and a reminder."
        ),
    )
    notify_email = models.EmailField(
        _("e-mail for new concerns"),
        blank=True,
        help_text=_("Empty: every navigator of the network is notified."),
    )

    class Meta:
        verbose_name = _("concern settings")
        verbose_name_plural = _("concern settings")
        constraints = [models.UniqueConstraint(fields=["network"], name="casesettings_per_network")]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class WzSection(models.TextChoices):
    """Sections of the German classification of economic activities (WZ 2008)."""

    A = "A", _("Agriculture, forestry and fishing")
    B = "B", _("Mining and quarrying")
    C = "C", _("Manufacturing")
    D = "D", _("Energy supply")
    E = "E", _("Water supply, waste management")
    F = "F", _("Construction")
    G = "G", _("Trade; repair of motor vehicles")
    H = "H", _("Transport and storage")
    I = "I", _("Accommodation and food services")  # noqa: E741 (the official letter)
    J = "J", _("Information and communication")
    K = "K", _("Financial and insurance services")
    L = "L", _("Real estate")
    M = "M", _("Professional, scientific and technical services")
    N = "N", _("Other business services")
    O = "O", _("Public administration")  # noqa: E741
    P = "P", _("Education")
    Q = "Q", _("Health and social work")
    R = "R", _("Arts, entertainment and recreation")
    S = "S", _("Other services")
    T = "T", _("Private households")
    U = "U", _("Extraterritorial organisations")


class SizeClass(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250+", _("250 or more employees")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Within the next weeks")
    SOON = "soon", _("Within a week")
    URGENT = "urgent", _("Urgent")


class ConcernStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("In progress")
    WAITING_PARTNER = "waiting_partner", _("Waiting for partner")
    WAITING_COMPANY = "waiting_company", _("Waiting for company")
    DONE = "done", _("Done")


OPEN_STATUSES = (
    ConcernStatus.NEW,
    ConcernStatus.ASSIGNED,
    ConcernStatus.WAITING_PARTNER,
    ConcernStatus.WAITING_COMPANY,
)


class Outcome(models.TextChoices):
    OFFER_FOUND = "offer_found", _("Fitting offer found")
    REFERRED = "referred", _("Taken over by a partner")
    ADVICE_GIVEN = "advice_given", _("Advice given")
    APPOINTMENT = "appointment", _("Appointment arranged")
    NO_OFFER = "no_offer", _("No fitting offer")
    NO_RESPONSE = "no_response", _("No response from the company")
    WITHDRAWN = "withdrawn", _("Withdrawn by the company")
    OTHER = "other", _("Other")


class Concern(TenantModel):
    """A company's concern in its own words, with profile, contact and consent."""

    code = models.CharField(max_length=16, unique=True, default=new_concern_code, editable=False)
    text = models.TextField(_("concern"))
    # Profile: optional facts used for matching and for the insights.
    wz_section = models.CharField(
        _("industry (WZ 2008)"), max_length=1, choices=WzSection.choices, blank=True
    )
    size_class = models.CharField(
        _("company size"), max_length=8, choices=SizeClass.choices, blank=True
    )
    municipality = models.CharField(_("municipality"), max_length=120, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # Contact (blanked by erasure and retention).
    contact_name = models.CharField(_("name"), max_length=200, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    language = models.CharField(max_length=8, default="de")
    # Consent records: the text the company agreed to, and when.
    consent_at = models.DateTimeField(_("consent given"))
    consent_text = models.TextField(_("consent text"))
    share_consent_at = models.DateTimeField(_("consent to pass on given"), null=True, blank=True)
    share_consent_text = models.TextField(_("consent text for passing on data"), blank=True)
    share_consent_source = models.CharField(max_length=20, blank=True)  # "company" | "navigator"
    share_consent_withdrawn_at = models.DateTimeField(null=True, blank=True)
    # Work state.
    status = models.CharField(
        _("status"), max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.NEW
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_concerns",
    )
    due_date = models.DateField(_("due"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    # Last action of a staff member (or the submission): the "untouched" badge counts from here.
    touched_at = models.DateTimeField()
    reminded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    anonymised_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    # Raised by erasure so that the status link stops working.
    token_version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        indexes = [
            models.Index(fields=["network", "status"], name="concern_net_status"),
            models.Index(fields=["network", "email"], name="concern_net_email"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def may_be_passed_on(self) -> bool:
        return self.share_consent_at is not None and self.share_consent_withdrawn_at is None

    def profile(self) -> dict[str, str]:
        """The matching profile (the `profile` field of the search evaluation format)."""
        return {
            key: value
            for key, value in (
                ("wz_section", self.wz_section),
                ("size_class", self.size_class),
                ("municipality", self.municipality),
                ("postcode", self.postcode),
                ("urgency", self.urgency),
            )
            if value
        }


class ReferralStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CLOSED = "closed", _("Closed")


OPEN_REFERRAL_STATUSES = (ReferralStatus.PENDING, ReferralStatus.ACCEPTED)


class Referral(TenantModel):
    """A concern handed to a partner (provider) with a note (Weiterleitung)."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="referrals")
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("partner"),
        on_delete=models.PROTECT,
        related_name="referrals",
    )
    note = models.TextField(_("note for the partner"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            # One open referral per partner and concern; after a decline it may be sent again.
            models.UniqueConstraint(
                fields=["concern", "provider"],
                condition=Q(status__in=["pending", "accepted"]),
                name="referral_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.concern.code} → {self.provider}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES


class Actor(models.TextChoices):
    COMPANY = "company", _("Company")
    NAVIGATOR = "navigator", _("Navigator")
    PARTNER = "partner", _("Partner")
    SYSTEM = "system", _("System")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", _("Concern received")
    ASSIGNED = "assigned", _("Assigned")
    ASKED = "asked", _("Question to the company")
    MESSAGE = "message", _("Message")
    CONSENT_RECORDED = "consent_recorded", _("Consent to pass on recorded")
    REFERRED = "referred", _("Referred to partner")
    ACCEPTED = "accepted", _("Partner accepted")
    DECLINED = "declined", _("Partner declined")
    REPLIED = "replied", _("Partner replied")
    REFERRAL_CLOSED = "referral_closed", _("Partner closed")
    BOOKED = "booked", _("Appointment booked")
    NOTE = "note", _("Internal note")
    CLOSED = "closed", _("Closed")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("Consent withdrawn")
    EXPORTED = "exported", _("Data exported")
    ERASED = "erased", _("Personal data erased")


class TimelineEntry(TenantModel):
    """One thing that happened to a concern: who, when, what. Never edited or deleted."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="timeline")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    actor = models.CharField(max_length=12, choices=Actor.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A short, non-personal description ("an Agentur für Arbeit Neubrandenburg").
    detail = models.CharField(max_length=300, blank=True)
    # Shown on the company's status page; internal steps (notes) are not.
    public = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")


class Message(TenantModel):
    """A message between the company and a navigator or partner, shown on the status page."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    referral = models.ForeignKey(
        Referral, on_delete=models.SET_NULL, null=True, blank=True, related_name="messages"
    )
    sender = models.CharField(max_length=12, choices=Actor.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")


class InternalNote(TenantModel):
    """A note among the network's staff; never shown to the company."""

    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
