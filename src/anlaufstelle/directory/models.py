"""Providers (Anlaufstellen), their contacts and offers, and the shared taxonomy."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from anlaufstelle.networks.scoping import TenantModel


class Topic(models.Model):
    """Shared topic vocabulary (not tenant-owned): Ausbildung, Förderung, …"""

    slug = models.SlugField(unique=True, max_length=80)
    label_de = models.CharField(_("label (German)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label_de"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "de").startswith("en") and self.label_en:
            return self.label_en
        return self.label_de


class Audience(models.Model):
    """Shared target-group vocabulary (Zielgruppe): KMU, Handwerk, Pflege, …"""

    slug = models.SlugField(unique=True, max_length=80)
    label_de = models.CharField(_("label (German)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "label_de"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if (get_language() or "de").startswith("en") and self.label_en:
            return self.label_en
        return self.label_de


class ProviderKind(models.TextChoices):
    ARBEITSAGENTUR = "arbeitsagentur", _("Employment agency")
    JOBCENTER = "jobcenter", _("Jobcenter")
    KAMMER = "kammer", _("Chamber (IHK/HWK)")
    WIRTSCHAFTSFOERDERUNG = "wirtschaftsfoerderung", _("Business development agency")
    WELCOME_CENTER = "welcome_center", _("Welcome Center")
    BERATUNGSNETZWERK = "beratungsnetzwerk", _("Advisory network")
    KOMMUNE = "kommune", _("Municipality")
    VERBAND = "verband", _("Association")
    BILDUNGSTRAEGER = "bildungstraeger", _("Education provider")
    COWORKING = "coworking", _("Coworking space")
    NETZWERK = "netzwerk", _("Network")


class OfferKind(models.TextChoices):
    FOERDERUNG = "foerderung", _("Funding")
    BERATUNG = "beratung", _("Advice")
    QUALIFIZIERUNG = "qualifizierung", _("Training")
    VERANSTALTUNG = "veranstaltung", _("Event series")
    NETZWERK = "netzwerk", _("Network")
    INFORMATION = "information", _("Information")
    SERVICE = "service", _("Service")


class Provider(TenantModel):
    """An organisation that offers support (Anlaufstelle / Partner)."""

    slug = models.SlugField(max_length=120)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=ProviderKind.choices)
    region = models.SlugField(_("region"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider")
        verbose_name_plural = _("providers")
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="provider_slug_per_network")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ref(self) -> str:
        return f"provider:{self.slug}"


class Contact(TenantModel):
    """A function or person at a provider, with its channels (Ansprechperson)."""

    slug = models.SlugField(max_length=120)
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.CASCADE, related_name="contacts"
    )
    function = models.CharField(_("function"), max_length=200)
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    availability = models.CharField(_("availability"), max_length=300, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True)

    class Meta:
        ordering = ["provider__name", "function"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="contact_slug_per_network")
        ]

    def __str__(self) -> str:
        return self.name or self.function

    @property
    def ref(self) -> str:
        return f"contact:{self.slug}"


class OfferQuerySet(models.QuerySet["Offer"]):
    def published(self) -> OfferQuerySet:
        today = timezone.localdate()
        return (
            self.filter(is_published=True)
            .exclude(valid_until__lt=today)
            .exclude(valid_from__gt=today)
        )


class Offer(TenantModel):
    """A support offer: funding, advice, training, event series, service (Angebot)."""

    slug = models.SlugField(max_length=120)
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"))
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="offers"
    )
    kind = models.CharField(_("kind of offer"), max_length=40, choices=OfferKind.choices)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), related_name="offers")
    audiences = models.ManyToManyField(
        Audience, verbose_name=_("audiences"), related_name="offers", blank=True
    )
    region = models.SlugField(_("region"), max_length=60, blank=True)
    target_description = models.TextField(_("for whom"), blank=True)
    conditions = models.TextField(_("conditions"), blank=True)
    costs = models.CharField(_("costs"), max_length=300, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=300, blank=True)
    source_urls = models.JSONField(_("sources"), default=list, blank=True)
    verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Unchecked offers are shown with a hint to ask before relying on them."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    last_checked = models.DateField(_("last checked"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # A ClassVar like TenantModel's manager; ScopedManager is untyped, the plugin infers it.
    objects: ClassVar = ScopedManager(
        _manager_class=models.Manager.from_queryset(OfferQuerySet), network="network"
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        constraints = [
            models.UniqueConstraint(fields=["network", "slug"], name="offer_slug_per_network")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def ref(self) -> str:
        return f"offer:{self.slug}"
