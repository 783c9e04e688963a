"""Conversations of companies with the assistant, and each network's assistant settings.

A conversation stores what was said and nothing about who said it: no IP address, no
user agent, no account. Navigators read conversations (companies are told before the
first message); retention follows the network's concern retention (`services.apply_retention`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anlaufstelle.lib.codes import new_code
from anlaufstelle.networks.scoping import TenantModel

MAX_ORIGINS = 20
# http is accepted only for this machine (a website tested locally); browsers treat
# loopback as a secure context. Everything else must be https.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1"})


def new_conversation_code() -> str:
    return new_code(12)


def parse_origins(text: str) -> list[str]:
    """The origins in `text` (one per line or separated by spaces or commas), validated.

    Only `https://host[:port]` (or http on localhost): no path, query, wildcard or user
    info, because each one becomes a `frame-ancestors` source of the CSP as written.
    """
    origins: list[str] = []
    for raw in text.replace(",", " ").split():
        parts = urlsplit(raw)
        host = parts.hostname or ""
        loopback = parts.scheme == "http" and host in LOOPBACK_HOSTS
        valid = (
            (parts.scheme == "https" or loopback)
            and host
            and all(c.isalnum() or c in ".-" for c in host)
            and not parts.username
            and not parts.password
            and parts.path in ("", "/")
            and not parts.query
            and not parts.fragment
        )
        try:
            port = parts.port
        except ValueError:
            valid = False
            port = None
        if not valid:
            raise ValidationError(
                _("“%(value)s” is not an origin. Please enter e.g. https://www.example.de."),
                params={"value": raw[:100]},
            )
        origin = f"{parts.scheme}://{host.lower()}" + (f":{port}" if port else "")
        if origin not in origins:
            origins.append(origin)
    if len(origins) > MAX_ORIGINS:
        raise ValidationError(
            _("Please enter at most %(max)s origins."), params={"max": MAX_ORIGINS}
        )
    return origins


def validate_origins(text: str) -> None:
    parse_origins(text)


class AssistantSettings(TenantModel):
    """Per-network options of the assistant; the coordinator edits them."""

    allowed_origins = models.TextField(
        _("websites that may embed the assistant"),
        blank=True,
        validators=[validate_origins],
        help_text=_(
            "One origin per line, only https, e.g. https://www.fachkraefte-portal.de. "
            "Empty: the widget cannot be embedded anywhere."
        ),
    )

    class Meta:
        verbose_name = _("assistant settings")
        verbose_name_plural = _("assistant settings")
        constraints = [
            models.UniqueConstraint(fields=["network"], name="assistantsettings_per_network")
        ]

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    def save(self, *args: object, **kwargs: object) -> None:
        # Validated on every save (not only in forms): the origins become a header.
        self.allowed_origins = "\n".join(parse_origins(self.allowed_origins))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def origins(self) -> list[str]:
        return parse_origins(self.allowed_origins)


class Conversation(TenantModel):
    """One visitor's chat with the assistant (no IP address, no account)."""

    code = models.CharField(
        _("code"), max_length=16, unique=True, default=new_conversation_code, editable=False
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last message"), auto_now_add=True)
    consent_shown = models.BooleanField(
        _("privacy note shown"),
        default=False,
        help_text=_("The visitor was told that navigators can read the conversation."),
    )
    embedded = models.BooleanField(_("in the widget"), default=False)
    language = models.CharField(_("language"), max_length=8, default="de")
    # The engine's dialogue state after the last turn (passed back on the next one).
    state = models.JSONField(_("dialogue state"), default=dict, blank=True)
    # The concern this conversation was handed over as (its transcript lives there too).
    concern = models.ForeignKey(
        "cases.Concern",
        verbose_name=_("concern"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    class Meta:
        verbose_name = _("assistant conversation")
        verbose_name_plural = _("assistant conversations")
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["network", "last_activity_at"])]

    def __str__(self) -> str:
        return self.code


class Role(models.TextChoices):
    USER = "user", _("company")
    ASSISTANT = "assistant", _("assistant")


class Turn(TenantModel):
    """One message in a conversation: the company's or the assistant's."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="turns", verbose_name=_("conversation")
    )
    role = models.CharField(_("from"), max_length=10, choices=Role.choices)
    text = models.TextField(_("text"))
    intent = models.CharField(_("intent"), max_length=30, blank=True)
    # [{ref, title, url, reason}] as the engine cited them.
    sources = models.JSONField(_("sources"), default=list, blank=True)
    # What the page offers under this answer: clarifying options, free slots, hand-over.
    clarify_options = models.JSONField(_("options"), default=list, blank=True)
    slots = models.JSONField(_("free appointments"), default=list, blank=True)
    offer_handoff = models.BooleanField(_("hand-over offered"), default=False)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.text[:60]}"
