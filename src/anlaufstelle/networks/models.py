"""The tenant (Network) and the people who work for it."""

from __future__ import annotations

from typing import ClassVar

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .branding import validate_accent_color, validate_logo


class Bundesland(models.TextChoices):
    BW = "BW", "Baden-Württemberg"
    BY = "BY", "Bayern"
    BE = "BE", "Berlin"
    BB = "BB", "Brandenburg"
    HB = "HB", "Bremen"
    HH = "HH", "Hamburg"
    HE = "HE", "Hessen"
    MV = "MV", "Mecklenburg-Vorpommern"
    NI = "NI", "Niedersachsen"
    NW = "NW", "Nordrhein-Westfalen"
    RP = "RP", "Rheinland-Pfalz"
    SL = "SL", "Saarland"
    SN = "SN", "Sachsen"
    ST = "ST", "Sachsen-Anhalt"
    SH = "SH", "Schleswig-Holstein"
    TH = "TH", "Thüringen"


class NetworkQuerySet(models.QuerySet["Network"]):
    def public(self) -> NetworkQuerySet:
        """Networks that have a site of their own (not the shared nationwide pool)."""
        return self.filter(is_nationwide=False, is_active=True)


class Network(models.Model):
    """One region's lab (the tenant). The single `is_nationwide` row holds shared offers."""

    slug = models.SlugField(_("short name"), unique=True, max_length=60)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short display name"), max_length=80, blank=True)
    bundesland = models.CharField(
        _("federal state"), max_length=2, choices=Bundesland.choices, blank=True
    )
    region = models.SlugField(
        _("catalog region"),
        max_length=60,
        blank=True,
        help_text=_("Region key of the catalog whose rows belong to this network."),
    )
    hostnames = models.CharField(
        _("host names"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated host names that serve this network's site."),
    )
    is_nationwide = models.BooleanField(
        _("nationwide pool"),
        default=False,
        help_text=_("Holds the nationwide offers that every network shows."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    description = models.TextField(_("description"), blank=True)
    place = models.CharField(_("place"), max_length=300, blank=True)
    address = models.TextField(_("address"), blank=True)
    opening_hours = models.TextField(_("opening hours"), blank=True)
    team_functions = models.TextField(
        _("team functions"), blank=True, help_text=_("One function per line.")
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=60, blank=True)
    host_provider_slug = models.SlugField(_("host provider"), max_length=120, blank=True)
    # Branding, shown in the site header (served as a small CSS file: no inline styles).
    logo = models.FileField(
        _("logo"),
        upload_to="branding/",
        blank=True,
        validators=[validate_logo],
        help_text=_("SVG or PNG, at most 200 KB. SVG files must not contain scripts."),
    )
    logo_alt = models.CharField(
        _("logo alternative text"),
        max_length=200,
        blank=True,
        help_text=_("What the logo shows, for screen readers. Required with a logo."),
    )
    accent_color = models.CharField(
        _("accent colour"),
        max_length=7,
        blank=True,
        validators=[validate_accent_color],
        help_text=_(
            "Hex code such as #0f2d7a. Must reach a contrast of 4.5:1 against white (KERN)."
        ),
    )
    tagline = models.CharField(
        _("tagline"),
        max_length=120,
        blank=True,
        help_text=_("A short line under the name in the site header."),
    )

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.logo and not self.logo_alt.strip():
            raise ValidationError(
                {"logo_alt": _("Please describe the logo for people who cannot see it.")}
            )

    @property
    def has_branding_css(self) -> bool:
        return bool(self.accent_color)

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    def hostname_list(self) -> list[str]:
        return [h.strip().lower() for h in self.hostnames.split(",") if h.strip()]

    def team_function_list(self) -> list[str]:
        return [line.strip() for line in self.team_functions.splitlines() if line.strip()]


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("Network coordinator")
    NAVIGATOR = "navigator", _("Navigator")
    PARTNER_EXPERT = "partner_expert", _("Partner expert")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A staff member of one network, or an operator (superuser, no network).

    Companies never need an account; they act through signed links.
    """

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    network = models.ForeignKey(
        Network,
        verbose_name=_("network"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    provider = models.ForeignKey(
        "directory.Provider",
        verbose_name=_("provider"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experts",
        help_text=_("Only for partner experts: the organisation they work for."),
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Log-in is by e-mail, so the manager cannot be Django's username-based UserManager
    # (create_user(username, ...)) that AbstractUser declares. Not annotated as ClassVar:
    # then the plugin wrongly rejects lookups like filter(network_id=None).
    objects = UserManager()  # type: ignore[misc, assignment]

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff members")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def is_operator(self) -> bool:
        return self.is_superuser

    def has_role(self, *roles: str) -> bool:
        return self.is_active and self.network_id is not None and self.role in roles


class SecondFactor(Authenticator):
    """allauth's second factors under German names in the back office (a proxy, no table).

    allauth's model has no verbose names to translate; renaming it would be a migration
    of a third-party app, so the back office shows this proxy instead.
    """

    class Meta:
        proxy = True
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")
